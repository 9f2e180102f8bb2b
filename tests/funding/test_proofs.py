"""Verwendungsnachweis (issue 12): lines from the Bescheid, the 20 % rule, the PDF through
the worker's task (Sachbericht from the Einsatzmanagement and the activity figures, the
zahlenmäßiger Nachweis, the funded personnel from the staffing list), the Bewilligung's
check (accept, return with remarks, reclaim an amount)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from centers.models import OutboxMessage, Role
from centers.workflow.transitions import transition_apply
from reporting.funding import services
from reporting.funding.checks import proof_line_errors
from reporting.funding.models import (
    ActivityFigures,
    ApplicationStatus,
    DocumentStatus,
    ProofOfUse,
    ProofStatus,
)
from reporting.funding.services import ActualLine
from reporting.funding.workflows import PROOF
from staffing.models import PostKind
from tests.deployment.factories import make_plan
from tests.funding.factories import make_application
from tests.querycount import assert_constant_queries
from tests.staffing.factories import AssignmentFactory, PostFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(home_center):
    return make_application(home_center, status=ApplicationStatus.DECIDED).decision


@pytest.fixture
def proof(decision, role_users):
    return services.proof_create(decision=decision, user=role_users[Role.CENTER_LEAD])


def _save(proof, user, **by_prefix):
    """by_prefix: fach=(actual, reason), pool=…; the other lines spent as approved."""
    names = {"fach": "Fachkraft", "verw": "Verwaltung", "pool": "Laien"}
    lines = []
    for line in proof.lines.select_related("budget_line"):
        actual, reason = line.approved, ""
        for key, prefix in names.items():
            if key in by_prefix and line.budget_line.name.startswith(prefix):
                actual, reason = by_prefix[key]
        lines.append(ActualLine(line_id=line.pk, actual=actual, reason=reason))
    proof.refresh_from_db()
    return services.proof_save(
        proof=proof,
        user=user,
        expected_version=proof.version,
        narrative="Das Jahr stand im Zeichen der Seiteneinsteigerberatung.",
        lines=lines,
    )


def test_the_proof_starts_from_the_bescheid_in_force(proof, decision):
    assert [(line.budget_line_id, line.approved) for line in proof.lines.all()] == [
        (line.budget_line_id, line.amount) for line in decision.lines.all()
    ]
    with pytest.raises(ValidationError, match="schon einen Verwendungsnachweis"):
        services.proof_create(decision=decision, user=proof.center.memberships.first().user)


def test_the_twenty_percent_rule(proof, role_users):
    lead = role_users[Role.CENTER_LEAD]
    # Pool approved 20.000 €: 16.000 € is exactly 20 % less and needs no reason.
    proof = _save(proof, lead, pool=(Decimal("16000"), ""))
    assert [m for line in proof.lines.all() for m in proof_line_errors(line)] == []
    proof = _save(proof, lead, pool=(Decimal("15999.99"), ""))
    with pytest.raises(ValidationError) as blocked:
        transition_apply(PROOF, "submit", obj=proof, user=lead)
    assert blocked.value.messages == [
        "„Laiensprachmittlerpool (Sachausgaben)“: Die Ausgaben weichen um 20 % vom "
        "bewilligten Betrag ab; bitte begründen Sie die Abweichung (ab 20 %)."
    ]
    proof = _save(proof, lead, pool=(Decimal("12000"), "Weniger Einsätze wegen Personalwechsel"))
    submitted = transition_apply(PROOF, "submit", obj=proof, user=lead)
    assert submitted.status == ProofStatus.SUBMITTED


def test_submitting_renders_the_pdf_from_what_the_portal_holds(
    proof, role_users, home_center, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    lead = role_users[Role.CENTER_LEAD]
    plan = make_plan(home_center)
    focus = plan.foci.filter(basic_component="").first()
    member = StaffMemberFactory(center=home_center, last_name="Yılmaz", first_name="Derya")
    AssignmentFactory(
        member=member,
        post=PostFactory(center=home_center, label="Fachkraft 1", kind=PostKind.SPECIALIST),
        fte=Decimal("0.75"),
        start=datetime.date(2025, 3, 1),
    )
    ActivityFigures.objects.create(
        center=home_center, year=2026, counselled_primary=41, placed_primary=37
    )
    proof = _save(proof, lead)
    with django_capture_on_commit_callbacks(execute=True):
        transition_apply(PROOF, "submit", obj=proof, user=lead)
    proof.refresh_from_db()
    assert proof.document_status == DocumentStatus.READY
    assert proof.render_ms is not None
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(proof.document.read())).pages
    )
    for expected in (
        "Verwendungsnachweis",
        "Sachbericht",
        focus.title,
        "Seiteneinstieg",
        "Zahlenmäßiger Nachweis",
        "Laiensprachmittlerpool",
        "Nachweis des geförderten Personals",
        "Yılmaz, Derya",
        "01.01.2026 –",  # the year's part of an assignment that began in 2025
        "31.12.2026",
    ):
        assert expected in text, expected


def test_the_bewilligung_accepts_returns_or_reclaims(decision, role_users, home_center):
    lead, funder = role_users[Role.CENTER_LEAD], role_users[Role.FUNDING]
    proof = services.proof_create(decision=decision, user=lead)
    proof = _save(proof, lead)
    proof = transition_apply(PROOF, "submit", obj=proof, user=lead)
    with pytest.raises(PermissionDenied):
        transition_apply(PROOF, "accept", obj=proof, user=lead)
    proof = transition_apply(
        PROOF, "return", obj=proof, user=funder, note="Bitte die Personalausgaben belegen."
    )
    assert proof.return_reason == "Bitte die Personalausgaben belegen."
    proof = transition_apply(PROOF, "submit", obj=_save(proof, lead), user=lead)
    with pytest.raises(ValidationError):
        services.proof_reclaim(
            proof=proof,
            user=funder,
            expected_version=proof.version,
            repayment=Decimal("400000"),
            note="zu viel",
        )
    proof = services.proof_reclaim(
        proof=proof,
        user=funder,
        expected_version=proof.version,
        repayment=Decimal("1250.50"),
        note="Fahrtkosten nicht förderfähig",
    )
    assert (proof.status, proof.repayment) == (ProofStatus.RECLAIMED, Decimal("1250.50"))
    assert proof.checked_at is not None


def test_the_leitung_fills_in_the_proof_on_the_page(client, role_users, decision):
    client.force_login(role_users[Role.CENTER_LEAD])
    response = client.post(reverse("funding:proof_create", args=[decision.pk]))
    proof = ProofOfUse.objects.get()
    assert response["Location"] == proof.get_absolute_url()
    page = client.get(proof.get_absolute_url()).content.decode()
    assert "Bitte tragen Sie die tatsächlichen Ausgaben ein." in page
    data = {"version": proof.version, "narrative": "Bericht"}
    for line in proof.lines.all():
        data[f"actual_{line.pk}"] = f"{line.approved:.2f}".replace(".", ",")
        data[f"reason_{line.pk}"] = ""
    response = client.post(reverse("funding:proof_edit", args=[proof.pk]), data)
    assert response.status_code == 302
    page = client.get(proof.get_absolute_url()).content.decode()
    assert "Vor dem Einreichen noch zu erledigen" not in page
    assert reverse("funding:proof_submit", args=[proof.pk]) in page


def test_the_proof_page_answers_in_constant_queries(client, role_users, proof, home_center):
    client.force_login(role_users[Role.FUNDING])
    url = proof.get_absolute_url()
    client.get(url)

    def grow(n):
        for _i in range(n):
            AssignmentFactory(
                member=StaffMemberFactory(center=home_center),
                post=PostFactory(center=home_center),
                fte=Decimal("0.5"),
                start=datetime.date(2026, 1, 1),
            )

    assert_constant_queries(client, url, grow)


def test_figures_of_a_submitted_proof_stay_as_submitted(proof, role_users, home_center):
    from reporting.funding.activity import activity_figures_save

    lead = role_users[Role.CENTER_LEAD]
    figures = activity_figures_save(center=home_center, year=2026, user=lead, events=3)
    proof = transition_apply(PROOF, "submit", obj=_save(proof, lead), user=lead)
    with pytest.raises(ValidationError, match="eingereichten Verwendungsnachweis"):
        activity_figures_save(
            center=home_center, year=2026, user=lead, expected_version=figures.version, events=4
        )
    figures.refresh_from_db()
    assert figures.events == 3


def test_the_lasi_report_carries_the_activity_figures(home_center):
    from reporting.rendering import build_html
    from tests.reporting.factories import report

    lasi_report = report(home_center)
    ActivityFigures.objects.create(
        center=home_center,
        year=lasi_report.period_start.year,
        counselled_secondary_1=23,
        placed_secondary_1=19,
    )
    html = build_html(lasi_report)
    assert "Tätigkeitszahlen" in html
    assert "Sekundarstufe I" in html and ">23<" in html and ">19<" in html


def test_without_a_broker_the_submission_stands_and_the_pdf_follows_when_it_is_back(
    proof, role_users, django_capture_on_commit_callbacks
):
    # Issue 15: the task waits in the outbox instead of failing; the sweep sends it.
    from centers import jobs, outbox
    from tests.reporting import celery_utils

    lead = role_users[Role.CENTER_LEAD]
    with celery_utils.broker("redis://127.0.0.1:1/0") as app:
        with django_capture_on_commit_callbacks(execute=True):
            transition_apply(PROOF, "submit", obj=_save(proof, lead), user=lead)
        proof.refresh_from_db()
        assert proof.status == ProofStatus.SUBMITTED  # the submission stands
        assert proof.document_status == DocumentStatus.QUEUED
        assert OutboxMessage.objects.get(task=services.PROOF_TASK).sent_at is None

        app.conf.task_always_eager = True  # the broker is back (here: in-process)
        later = timezone.now() + outbox.backoff(1) + datetime.timedelta(seconds=1)
        assert jobs.sweep(now=later)["outbox"] >= 1
    proof.refresh_from_db()
    assert proof.document_status == DocumentStatus.READY
