"""The Integrationskonzept workflow (decree §1.4, DESIGN.md §5) through its services."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from centers import services
from centers.locking import ConflictError
from centers.models import (
    ConceptEventKind,
    ConceptParticipation,
    ConceptStatus,
    FundingDecision,
    IntegrationConcept,
    PartnerKind,
    ResolutionBody,
    Role,
)
from tests import factories

from .helpers import RESOLVED, make_concept, make_funding, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(home_center):
    return factories.user_with_role(Role.CENTER_LEAD, home_center)


@pytest.fixture
def funder(home_center):
    return factories.user_with_role(Role.FUNDING)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the e-mail tasks that services enqueue on commit."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def _complete(concept, user):
    """Resolution, PDF and every required participation, through the services."""
    concept = services.concept_update(
        concept=concept,
        user=user,
        expected_version=concept.version,
        resolution_body=ResolutionBody.CITY_COUNCIL,
        resolution_date=RESOLVED,
    )
    concept = services.concept_upload_document(concept=concept, user=user, upload=pdf_upload())
    for kind in PartnerKind.required():
        services.participation_add(
            concept=concept, user=user, partner_kind=kind, involved_on=datetime.date(2025, 1, 10)
        )
    concept.refresh_from_db()
    return concept


# --- create ---------------------------------------------------------------------------------


def test_lead_creates_a_draft_with_timeline_and_history(home_center, lead):
    concept = services.concept_create(center=home_center, user=lead, title="Konzept Köln")
    assert concept.status == ConceptStatus.DRAFT
    assert concept.number == 1
    assert concept.predecessor is None
    event = concept.events.get()
    assert (event.kind, event.actor) == (ConceptEventKind.CREATED, lead)
    assert concept.history.get().history_user == lead


def test_a_fortschreibung_references_the_approved_version(home_center, lead):
    approved = make_concept(home_center, status=ConceptStatus.APPROVED, complete=True)
    concept = services.concept_create(center=home_center, user=lead, title="Fortschreibung")
    assert concept.predecessor == approved
    assert concept.number == approved.number + 1
    assert "Fortschreibung der Fassung 1" in concept.events.get().note


def test_only_one_version_is_in_progress(home_center, lead):
    make_concept(home_center, status=ConceptStatus.RETURNED)
    with pytest.raises(ValidationError, match="bereits die Fassung 1 in Bearbeitung"):
        services.concept_create(center=home_center, user=lead, title="Noch eine")
    assert home_center.concepts.count() == 1


@pytest.mark.parametrize("role", [Role.CENTER_STAFF, Role.SPONSOR, Role.FUNDING, Role.LASI])
def test_only_the_lead_creates_concepts(home_center, role):
    user = factories.user_with_role(role, home_center)
    with pytest.raises(PermissionDenied):
        services.concept_create(center=home_center, user=user, title="Konzept")
    assert not home_center.concepts.exists()


def test_lead_of_another_centre_cannot_create(home_center, other_center):
    bonn_lead = factories.user_with_role(Role.CENTER_LEAD, other_center)
    with pytest.raises(PermissionDenied):
        services.concept_create(center=home_center, user=bonn_lead, title="Konzept")


# --- editing, locking ---------------------------------------------------------------------


def test_recording_the_resolution_is_on_the_timeline(home_center, lead):
    concept = services.concept_create(center=home_center, user=lead, title="Konzept")
    concept = services.concept_update(
        concept=concept,
        user=lead,
        expected_version=concept.version,
        resolution_body=ResolutionBody.CITY_COUNCIL,
        resolution_date=RESOLVED,
    )
    assert concept.is_adopted
    event = concept.events.get(kind=ConceptEventKind.RESOLUTION_RECORDED)
    assert event.note == "Rat der Stadt, 20.03.2025"


def test_a_resolution_in_the_future_is_refused(home_center, lead):
    concept = services.concept_create(center=home_center, user=lead, title="Konzept")
    with pytest.raises(ValidationError) as exc:
        services.concept_update(
            concept=concept,
            user=lead,
            expected_version=concept.version,
            resolution_date=datetime.date.today() + datetime.timedelta(days=3),
        )
    assert "nicht in der Zukunft" in str(exc.value)
    concept.refresh_from_db()
    assert concept.resolution_date is None


def test_the_second_of_two_concurrent_saves_gets_a_conflict(home_center, lead):
    concept = services.concept_create(center=home_center, user=lead, title="Konzept")
    seen = concept.version
    services.concept_update(concept=concept, user=lead, expected_version=seen, title="Erste")
    with pytest.raises(ConflictError) as exc:
        services.concept_update(concept=concept, user=lead, expected_version=seen, title="Zweite")
    assert "inzwischen von jemand anderem geändert" in exc.value.messages[0]
    concept.refresh_from_db()
    assert concept.title == "Erste"


def test_participations_have_their_own_lock(home_center, lead):
    concept = make_concept(home_center, complete=True)
    participation = concept.participations.first()
    services.participation_update(
        participation=participation, user=lead, expected_version=0, note="erste"
    )
    stale = ConceptParticipation.objects.get(pk=participation.pk)
    stale.version = 0
    with pytest.raises(ConflictError):
        services.participation_update(
            participation=stale, user=lead, expected_version=0, note="zweite"
        )
    participation.refresh_from_db()
    assert participation.note == "erste"


def test_a_submitted_concept_cannot_be_edited(home_center, lead):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    with pytest.raises(ValidationError, match="eingereicht und kann nicht mehr geändert"):
        services.concept_update(
            concept=concept, user=lead, expected_version=concept.version, title="neu"
        )
    with pytest.raises(ValidationError):
        services.participation_add(
            concept=concept,
            user=lead,
            partner_kind=PartnerKind.OTHER,
            involved_on=datetime.date(2025, 1, 1),
        )
    with pytest.raises(ValidationError):
        services.participation_delete(participation=concept.participations.first(), user=lead)
    assert concept.participations.count() == len(PartnerKind.required())


def test_deleting_a_participation_is_kept_in_the_history(home_center, lead):
    concept = make_concept(home_center, complete=True)
    participation = concept.participations.first()
    pk = participation.pk
    services.participation_delete(participation=participation, user=lead)
    assert not ConceptParticipation.objects.filter(pk=pk).exists()
    deleted = ConceptParticipation.history.filter(id=pk, history_type="-").get()
    assert deleted.history_user == lead


# --- submit -------------------------------------------------------------------------------


def test_submission_names_everything_that_is_missing(home_center, lead):
    concept = services.concept_create(center=home_center, user=lead, title="Konzept")
    services.participation_add(
        concept=concept,
        user=lead,
        partner_kind=PartnerKind.SCHOOL_AUTHORITY,
        involved_on=datetime.date(2025, 1, 10),
    )
    with pytest.raises(ValidationError) as exc:
        services.concept_submit(concept=concept, user=lead)
    message = exc.value.messages[0]
    assert message.startswith("Das Konzept kann noch nicht eingereicht werden. Es fehlt:")
    for part in [
        "das beschließende Gremium",
        "das Datum des Beschlusses",
        "das Konzept als PDF-Dokument",
        "die Beteiligung: örtliche Schulverwaltung",
        "die Beteiligung: Träger der öffentlichen Jugendhilfe",
        "die Beteiligung: Träger der freien Jugendhilfe",
        "die Beteiligung: Wohlfahrtsverbände",
        "die Beteiligung: Mitwirkungsgremien nach § 27 GO",
    ]:
        assert part in message
    # The Schulaufsicht is there; "weitere örtliche Partner" are optional; Köln is no Kreis.
    assert "Beteiligung: Schulaufsicht" not in message
    assert "weitere örtliche Partner" not in message
    assert "kreisangehörigen Gemeinden" not in message
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.DRAFT


def test_a_kreis_must_also_agree_with_its_gemeinden(db):
    mettmann = factories.center("05158")
    lead = factories.user_with_role(Role.CENTER_LEAD, mettmann)
    concept = make_concept(mettmann, complete=True, municipalities_agreed_on=None)
    with pytest.raises(ValidationError) as exc:
        services.concept_submit(concept=concept, user=lead)
    assert exc.value.messages[0].endswith(
        "Es fehlt: die Abstimmung mit den kreisangehörigen Gemeinden."
    )


def test_complete_submission_tells_the_bewilligung(home_center, lead, funder, on_commit):
    concept = _complete(
        services.concept_create(center=home_center, user=lead, title="Konzept"), lead
    )
    concept = on_commit(services.concept_submit, concept=concept, user=lead)
    assert concept.status == ConceptStatus.SUBMITTED
    assert concept.submitted_at is not None
    assert concept.events.filter(kind=ConceptEventKind.SUBMITTED, actor=lead).exists()
    [message] = mail.outbox
    assert funder.email in message.to
    assert lead.email not in message.to
    assert message.subject == "Integrationskonzept eingereicht: Kommunales Integrationszentrum Köln"
    assert "zur Prüfung eingereicht" in message.body


@pytest.mark.parametrize("role", [Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY])
def test_only_the_lead_submits(home_center, role):
    concept = make_concept(home_center, complete=True)
    with pytest.raises(PermissionDenied):
        services.concept_submit(concept=concept, user=factories.user_with_role(role, home_center))
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.DRAFT


def test_an_approved_concept_cannot_be_submitted_again(home_center, lead):
    concept = make_concept(home_center, status=ConceptStatus.APPROVED, complete=True)
    with pytest.raises(
        ValidationError, match="„Konzept einreichen“ ist im Status „bewilligt“ nicht möglich"
    ):
        services.concept_submit(concept=concept, user=lead)


# --- return, approve ------------------------------------------------------------------------


def test_return_needs_a_reason(home_center, funder):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    with pytest.raises(ValidationError) as exc:
        services.concept_return(concept=concept, user=funder, reason="  ")
    assert exc.value.message_dict["note"] == ["Bitte geben Sie einen Grund für die Rückgabe an."]
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.SUBMITTED


def test_returned_concept_goes_back_to_the_lead_with_the_reason(
    home_center, lead, funder, on_commit
):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    concept = on_commit(
        services.concept_return, concept=concept, user=funder, reason="Protokoll fehlt."
    )
    assert concept.status == ConceptStatus.RETURNED
    assert concept.is_editable
    assert concept.return_reason == "Protokoll fehlt."
    assert concept.events.get(kind=ConceptEventKind.RETURNED).note == "Protokoll fehlt."
    [message] = mail.outbox
    assert lead.email in message.to
    assert "Protokoll fehlt." in message.body
    # She fixes it and submits again.
    concept = services.concept_update(
        concept=concept, user=lead, expected_version=concept.version, summary="mit Protokoll"
    )
    concept = services.concept_submit(concept=concept, user=lead)
    assert concept.status == ConceptStatus.SUBMITTED


@pytest.mark.parametrize("role", [Role.CENTER_LEAD, Role.LASI, Role.SCHOOL_AUTHORITY])
def test_only_the_bewilligung_decides(home_center, role):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    user = factories.user_with_role(role, home_center)
    with pytest.raises(PermissionDenied):
        services.concept_approve(concept=concept, user=user)
    with pytest.raises(PermissionDenied):
        services.concept_return(concept=concept, user=user, reason="nein")
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.SUBMITTED


def test_a_draft_cannot_be_approved_or_returned(home_center, funder):
    concept = make_concept(home_center, complete=True)
    with pytest.raises(
        ValidationError, match="„Konzept bewilligen“ ist im Status „Entwurf“ nicht möglich"
    ):
        services.concept_approve(concept=concept, user=funder)
    with pytest.raises(
        ValidationError, match="„Konzept zurückgeben“ ist im Status „Entwurf“ nicht möglich"
    ):
        services.concept_return(concept=concept, user=funder, reason="x")
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.DRAFT


def test_an_approved_fortschreibung_supersedes_the_old_version(
    home_center, lead, funder, on_commit
):
    old = make_concept(home_center, status=ConceptStatus.APPROVED, complete=True)
    new = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True, predecessor=old)
    new = on_commit(services.concept_approve, concept=new, user=funder)
    old.refresh_from_db()
    assert (new.status, old.status) == (ConceptStatus.APPROVED, ConceptStatus.SUPERSEDED)
    assert new.decided_by == funder
    assert old.events.get(kind=ConceptEventKind.SUPERSEDED).note == "abgelöst durch Fassung 2"
    assert IntegrationConcept.objects.filter(pk=old.pk).exists()
    [message] = mail.outbox
    assert lead.email in message.to
    assert "Fassung 1 ist damit abgelöst" in message.body


def test_a_stale_approve_button_changes_nothing(home_center, funder):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    stale = concept.version
    services.concept_return(
        concept=concept, user=funder, reason="erst prüfen", expected_version=stale
    )
    with pytest.raises(ValidationError):
        services.concept_approve(concept=concept, user=funder, expected_version=stale)
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.RETURNED


# --- uploads ---------------------------------------------------------------------------------


def test_a_pdf_is_stored_privately_under_a_random_name(home_center, lead, settings):
    concept = make_concept(home_center)
    concept = services.concept_upload_document(
        concept=concept, user=lead, upload=pdf_upload("Konzept Köln 2026.pdf")
    )
    assert concept.document_name == "Konzept Köln 2026.pdf"
    assert "Köln" not in concept.document.name
    assert concept.document.name.startswith("konzepte/")
    path = concept.document.path
    assert path.startswith(str(settings.MEDIA_ROOT / "private"))
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert concept.events.filter(kind=ConceptEventKind.DOCUMENT_UPLOADED).exists()


def test_a_replaced_pdf_is_removed_after_commit(
    home_center, lead, django_capture_on_commit_callbacks
):
    concept = make_concept(home_center)
    concept = services.concept_upload_document(concept=concept, user=lead, upload=pdf_upload())
    first = concept.document.path
    with django_capture_on_commit_callbacks(execute=True):
        concept = services.concept_upload_document(
            concept=concept, user=lead, upload=pdf_upload("neu.pdf")
        )
    import os

    assert not os.path.exists(first)
    assert os.path.exists(concept.document.path)


def test_a_renamed_non_pdf_is_refused(home_center, lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    concept = make_concept(home_center)
    fake = SimpleUploadedFile("konzept.pdf", b"PK\x03\x04 eigentlich ein Word-Dokument")
    with pytest.raises(ValidationError, match="kein PDF-Dokument"):
        services.concept_upload_document(concept=concept, user=lead, upload=fake)
    concept.refresh_from_db()
    assert not concept.document


def test_a_broken_pdf_is_refused(home_center, lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    concept = make_concept(home_center)
    broken = SimpleUploadedFile("konzept.pdf", b"%PDF-1.7\n kaputt und ohne Seiten")
    with pytest.raises(ValidationError, match="beschädigt|keine Seiten"):
        services.concept_upload_document(concept=concept, user=lead, upload=broken)


def test_an_oversized_pdf_is_refused(home_center, lead, settings):
    settings.MAX_UPLOAD_SIZE = 300
    concept = make_concept(home_center)
    upload = pdf_upload(lines=["Zeile"] * 40)
    assert upload.size > 300
    with pytest.raises(ValidationError, match="zu groß"):
        services.concept_upload_document(concept=concept, user=lead, upload=upload)
    concept.refresh_from_db()
    assert not concept.document


# --- funding ---------------------------------------------------------------------------------


def test_bewilligung_records_funding_and_the_lead_is_told(home_center, lead, funder, on_commit):
    decision = on_commit(
        services.funding_decision_save,
        center=home_center,
        user=funder,
        year=2026,
        amount="312500.00",
        file_number="36.03.04-05315/2026",
        decided_on=datetime.date(2026, 1, 20),
        funded_posts="5.50",
    )
    assert decision.history.get().history_user == funder
    [message] = mail.outbox
    assert lead.email in message.to
    assert message.subject == "Förderbescheid 2026 erfasst: Kommunales Integrationszentrum Köln"
    assert "312.500,00 €" in message.body


def test_one_funding_decision_per_year(home_center, funder):
    make_funding(home_center, 2026)
    with pytest.raises(ValidationError):
        services.funding_decision_save(
            center=home_center,
            user=funder,
            year=2026,
            amount="1.00",
            file_number="x",
            decided_on=datetime.date(2026, 2, 1),
            funded_posts="1.00",
        )
    assert FundingDecision.objects.filter(center=home_center).count() == 1


@pytest.mark.parametrize("role", [Role.CENTER_LEAD, Role.LASI, Role.SPONSOR])
def test_only_the_bewilligung_records_funding(home_center, role):
    with pytest.raises(PermissionDenied):
        services.funding_decision_save(
            center=home_center,
            user=factories.user_with_role(role, home_center),
            year=2026,
            amount="1.00",
            file_number="x",
            decided_on=datetime.date(2026, 2, 1),
            funded_posts="1.00",
        )
    assert not FundingDecision.objects.exists()


def test_funding_edits_are_locked(home_center, funder):
    decision = make_funding(home_center, 2026)
    services.funding_decision_save(
        center=home_center, user=funder, decision=decision, expected_version=0, note="korrigiert"
    )
    with pytest.raises(ConflictError):
        services.funding_decision_save(
            center=home_center, user=funder, decision=decision, expected_version=0, note="alt"
        )


def test_a_target_agreement_needs_text_or_document(home_center, funder):
    with pytest.raises(ValidationError) as exc:
        services.target_agreement_save(
            center=home_center,
            user=funder,
            valid_from=datetime.date(2026, 1, 1),
            valid_until=datetime.date(2027, 12, 31),
        )
    assert "Inhalt" in str(exc.value) or "Dokument" in str(exc.value)
    agreement = services.target_agreement_save(
        center=home_center,
        user=funder,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2027, 12, 31),
        upload=pdf_upload("ziel.pdf"),
    )
    assert agreement.document_name == "ziel.pdf"
