"""The concept and funding pages: what each person sees and may do, uploads,
the document view, conflicts, history, and query counts that do not grow."""

import datetime
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from centers.models import (
    Center,
    ConceptEventKind,
    ConceptParticipation,
    ConceptStatus,
    IntegrationConcept,
    PartnerKind,
    Role,
)
from centers.workflow.transitions import record_event
from tests import factories
from tests.querycount import assert_constant_queries

from .helpers import make_agreement, make_concept, make_funding, pdf_upload

pytestmark = pytest.mark.django_db


def url(name, center, **kwargs):
    return reverse(f"centers:{name}", kwargs={"key": center.key, **kwargs})


@pytest.fixture
def lead_client(client, home_center):
    client.force_login(factories.user_with_role(Role.CENTER_LEAD, home_center))
    return client


@pytest.fixture
def funder_client(client):
    client.force_login(factories.user_with_role(Role.FUNDING))
    return client


# --- the PDF is served only through the access check ----------------------------------------


@pytest.mark.parametrize(
    "role", [Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY, Role.LASI, Role.FUNDING]
)
def test_document_is_served_to_whoever_may_see_the_centre(client, home_center, role):
    concept = make_concept(home_center, complete=True)
    client.force_login(factories.user_with_role(role, home_center))
    response = client.get(url("concept_document", home_center, pk=concept.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # A download (issue 15): the document never runs under the portal's address.
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("role", [Role.CENTER_LEAD, Role.SPONSOR, Role.SCHOOL_AUTHORITY])
def test_document_of_another_centre_is_a_404(client, home_center, other_center, role):
    concept = make_concept(home_center, complete=True)
    client.force_login(factories.user_with_role(role, other_center))
    assert client.get(url("concept_document", home_center, pk=concept.pk)).status_code == 404
    # Not through the other centre's URL either.
    assert client.get(url("concept_document", other_center, pk=concept.pk)).status_code == 404


def test_anonymous_never_gets_the_document(client, home_center):
    concept = make_concept(home_center, complete=True)
    response = client.get(url("concept_document", home_center, pk=concept.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_no_public_media_url_exists(client, home_center, settings):
    concept = make_concept(home_center, complete=True)
    assert settings.MEDIA_URL is None
    with pytest.raises(NotImplementedError):
        concept.document.url  # noqa: B018


# --- forms ---------------------------------------------------------------------------------


def test_upload_of_a_renamed_word_file_shows_a_german_error(lead_client, home_center):
    concept = make_concept(home_center)
    fake = SimpleUploadedFile("konzept.pdf", b"PK\x03\x04 Word", content_type="application/pdf")
    response = lead_client.post(
        url("concept_upload", home_center, pk=concept.pk), {"document": fake, "version": 0}
    )
    assert response.status_code == 200
    assert "Die Datei ist kein PDF-Dokument." in response.content.decode()
    concept.refresh_from_db()
    assert not concept.document


def test_upload_of_a_pdf_through_the_page(lead_client, home_center):
    concept = make_concept(home_center)
    response = lead_client.post(
        url("concept_upload", home_center, pk=concept.pk),
        {"document": pdf_upload("Konzept.pdf"), "version": 0},
    )
    assert response.status_code == 302
    concept.refresh_from_db()
    assert concept.document_name == "Konzept.pdf"


def test_second_save_of_the_same_form_gets_the_conflict_message(lead_client, home_center):
    concept = make_concept(home_center)
    form = {"title": "Erste Fassung des Titels", "summary": "", "version": concept.version}
    assert (
        lead_client.post(url("concept_update", home_center, pk=concept.pk), form).status_code == 302
    )
    form["title"] = "Überschrieben?"
    response = lead_client.post(url("concept_update", home_center, pk=concept.pk), form)
    assert response.status_code == 200
    assert "inzwischen von jemand anderem geändert" in response.content.decode()
    concept.refresh_from_db()
    assert concept.title == "Erste Fassung des Titels"


def test_submit_page_lists_what_is_missing_and_refuses(lead_client, home_center):
    concept = make_concept(home_center)
    page = lead_client.get(url("concept_submit", home_center, pk=concept.pk)).content.decode()
    assert "die Beteiligung: Wohlfahrtsverbände" in page
    response = lead_client.post(url("concept_submit", home_center, pk=concept.pk), {"version": 0})
    assert response.status_code == 200
    assert "Das Konzept kann noch nicht eingereicht werden." in response.content.decode()
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.DRAFT


def test_editing_a_submitted_concept_redirects_with_a_message(lead_client, home_center):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    response = lead_client.get(url("concept_update", home_center, pk=concept.pk), follow=True)
    assert "ist eingereicht und kann nicht mehr geändert werden" in response.content.decode()


def test_return_with_reason_through_the_page(funder_client, home_center):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    response = funder_client.post(
        url("concept_return", home_center, pk=concept.pk),
        {"note": "Beschluss fehlt im PDF.", "version": concept.version},
        follow=True,
    )
    page = response.content.decode()
    assert "Von der Bewilligungsbehörde zurückgegeben" in page
    assert "Beschluss fehlt im PDF." in page


def test_funding_form_reads_german_numbers(funder_client, home_center):
    response = funder_client.post(
        url("funding_decision_create", home_center),
        {
            "programme": factories.basic_programme().pk,
            "year": 2026,
            "amount": "312.500,50",
            "file_number": "36.03.04-05315/2026",
            "decided_on": "2026-01-20",
            "funded_posts": "5,5",
        },
    )
    assert response.status_code == 302
    decision = home_center.funding_decisions.get()
    assert str(decision.amount) == "312500.50"
    assert str(decision.funded_posts) == "5.50"


def test_second_funding_decision_for_a_year_is_refused_in_german(funder_client, home_center):
    make_funding(home_center, 2026)
    response = funder_client.post(
        url("funding_decision_create", home_center),
        {
            "programme": factories.basic_programme().pk,
            "year": 2026,
            "amount": "1,00",
            "file_number": "x",
            "decided_on": "2026-01-20",
            "funded_posts": "1",
        },
    )
    assert response.status_code == 200
    assert "gibt es schon einen Bescheid" in response.content.decode()


# --- what the pages show ------------------------------------------------------------------------


def test_concept_page_shows_timeline_and_history(client, home_center):
    lead = factories.user_with_role(Role.CENTER_LEAD, home_center)
    client.force_login(lead)
    client.post(url("concept_create", home_center), {"title": "Konzept Köln", "summary": ""})
    concept = home_center.concepts.get()
    client.post(
        url("concept_update", home_center, pk=concept.pk),
        {"title": "Konzept der Stadt Köln", "summary": "", "version": concept.version},
    )
    page = client.get(url("concept_detail", home_center, pk=concept.pk)).content.decode()
    assert "Änderungshistorie" in page
    assert "Titel:" in page and "Konzept Köln → Konzept der Stadt Köln" in page
    assert lead.get_full_name() in page
    assert "angelegt" in page


def test_schulaufsicht_reads_but_has_no_buttons(client, home_center):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    client.force_login(factories.user_with_role(Role.SCHOOL_AUTHORITY, home_center))
    page = client.get(url("concept_detail", home_center, pk=concept.pk)).content.decode()
    assert concept.title in page
    assert url("concept_approve", home_center, pk=concept.pk) not in page
    assert url("concept_submit", home_center, pk=concept.pk) not in page


def test_centre_page_shows_what_is_missing(client, home_center):
    client.force_login(factories.user_with_role(Role.CENTER_STAFF, home_center))
    page = client.get(home_center.get_absolute_url()).content.decode()
    assert "nicht aktiv" in page
    assert "ein bewilligtes Integrationskonzept" in page


def test_queue_shows_submitted_concepts_of_all_nrw(funder_client, home_center, other_center):
    make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    make_concept(other_center, status=ConceptStatus.DRAFT)
    page = funder_client.get(reverse("centers:concept_review_queue")).content.decode()
    assert "Kommunales Integrationszentrum Köln" in page
    assert "Kommunales Integrationszentrum Bonn" not in page
    page = funder_client.get(
        reverse("centers:concept_review_queue"), {"status": "draft"}
    ).content.decode()
    assert "Kommunales Integrationszentrum Bonn" in page


# --- query counts: 1× and 10× data ---------------------------------------------------------


def measure(client, url, grow):
    """The query-count guard, after one warm-up request (process-wide caches such as
    ContentType's fill on the first request of a test run)."""
    client.get(url)
    return assert_constant_queries(client, url, grow)


def _other_centers():
    return iter(Center.objects.exclude(key="05315").order_by("key"))


def test_concept_list_queries_do_not_grow(lead_client, home_center):
    numbers = itertools.count(100)

    def grow(k):
        for _ in range(k):
            make_concept(home_center, status=ConceptStatus.SUPERSEDED, number=next(numbers))

    small, _ = measure(lead_client, url("concept_list", home_center), grow)
    print(f"concept_list: {small} Abfragen")


def test_concept_detail_queries_do_not_grow(lead_client, home_center):
    concept = make_concept(home_center, complete=True)

    def grow(k):
        for n in range(k):
            p = ConceptParticipation.objects.create(
                concept=concept,
                partner_kind=PartnerKind.OTHER,
                partner_name=f"Partner {n}",
                involved_on=datetime.date(2025, 1, 1),
            )
            p.note = "geändert"
            p.save()
            record_event(
                concept, center=home_center, kind=ConceptEventKind.DOCUMENT_UPLOADED, actor=None
            )

    small, _ = measure(lead_client, url("concept_detail", home_center, pk=concept.pk), grow)
    print(f"concept_detail: {small} Abfragen")


def test_review_queue_queries_do_not_grow(funder_client):
    centers = _other_centers()

    def grow(k):
        for _ in range(k):
            center = next(centers)
            old = make_concept(center, status=ConceptStatus.APPROVED, complete=True)
            make_concept(center, status=ConceptStatus.SUBMITTED, predecessor=old)

    small, _ = measure(funder_client, reverse("centers:concept_review_queue"), grow)
    print(f"concept_review_queue: {small} Abfragen")


def test_funding_page_queries_do_not_grow(funder_client, home_center):
    years = itertools.count(2013)

    def grow(k):
        for _ in range(k):
            decision = make_funding(home_center, next(years))
            decision.note = "korrigiert"
            decision.save()
            make_agreement(home_center)

    small, _ = measure(funder_client, url("funding", home_center), grow)
    print(f"funding: {small} Abfragen")


def test_centre_page_and_dashboards_do_not_grow(client, home_center):
    lead = factories.user_with_role(Role.CENTER_LEAD, home_center)
    funder = factories.user_with_role(Role.FUNDING)
    numbers = itertools.count(100)
    # Past years only: a decision for this year would end the centre's "no Förderbescheid"
    # task half-way, and a task that goes away is no measure of growth.
    years = itertools.count(1980)
    centers = _other_centers()

    def grow(k):
        for _ in range(k):
            make_concept(home_center, status=ConceptStatus.SUPERSEDED, number=next(numbers))
            make_funding(home_center, next(years))
            center = next(centers)
            make_concept(center, status=ConceptStatus.APPROVED, complete=True)
            make_funding(center, datetime.date.today().year)

    client.force_login(lead)
    small, _ = measure(client, home_center.get_absolute_url(), grow)
    print(f"center_detail: {small} Abfragen")
    small, _ = measure(client, reverse("dashboard"), grow)
    print(f"dashboard (KI): {small} Abfragen")
    client.force_login(funder)
    small, _ = measure(client, reverse("dashboard"), grow)
    print(f"dashboard (Land): {small} Abfragen")
    assert IntegrationConcept.objects.filter(status=ConceptStatus.APPROVED).count() >= 21
