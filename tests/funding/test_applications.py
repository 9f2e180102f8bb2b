"""Förderantrag and Bescheid (issue 12): caps, personnel lines from the staffing list, the
workflow's steps with their permissions and conflicts, Änderungsbescheid and Widerruf, and
caps that change for a later year only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from centers import selectors as center_selectors
from centers import services as center_services
from centers.locking import ConflictError
from centers.models import DecisionKind, FundingDecision, Role
from centers.programmes import BudgetLine, line_errors
from centers.workflow.transitions import timeline
from reporting.funding import services
from reporting.funding.models import ApplicationStatus, FundingApplication
from reporting.funding.services import PlanLine
from staffing.models import FundingSource, PostKind
from tests.funding.factories import basic_year, make_application
from tests.querycount import assert_constant_queries
from tests.staffing.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(role_users):
    return role_users


def _line(application, kind=None, *, flat=False):
    for line in application.lines.select_related("budget_line"):
        if flat and not line.budget_line.per_post:
            return line
        if kind and line.budget_line.post_kind == kind:
            return line
    raise AssertionError("no such line")


def _plan(application, changes=None):
    """The stored plan as PlanLines, with ``changes`` (line id → (posts, amount))."""
    changes = changes or {}
    return [
        PlanLine(
            line_id=line.pk,
            posts=changes.get(line.pk, (line.posts, line.amount))[0],
            amount=changes.get(line.pk, (line.posts, line.amount))[1],
        )
        for line in application.lines.all()
    ]


# --- caps -------------------------------------------------------------------------------------


def test_caps_per_post_and_flat_lines_in_german():
    year = basic_year(2026)
    specialist = year.lines.get(post_kind=PostKind.SPECIALIST, center_kind="kreisfreie Stadt")
    pool = year.lines.get(post_kind="", flat_cap__isnull=False)
    assert line_errors(specialist, posts=Decimal("5"), amount=Decimal("285000")) == []
    assert line_errors(specialist, posts=Decimal("5.5"), amount=Decimal("1")) == [
        "„Fachkraftstellen“: höchstens 5,00 Stellen (VZÄ)."
    ]
    assert line_errors(specialist, posts=Decimal("2"), amount=Decimal("114000.01")) == [
        "„Fachkraftstellen“: für 2,00 Stellen (VZÄ) höchstens 114.000,00 €."
    ]
    assert line_errors(pool, posts=None, amount=Decimal("50000.01")) == [
        "„Laiensprachmittlerpool (Sachausgaben)“: höchstens 50.000,00 €."
    ]


def test_a_plan_above_a_cap_is_refused_and_nothing_changes(users, home_center):
    application = make_application(home_center)
    pool = _line(application, flat=True)
    before = pool.amount
    with pytest.raises(ValidationError) as refused:
        services.application_plan_save(
            application=application,
            user=users[Role.CENTER_LEAD],
            expected_version=application.version,
            explanation="mehr",
            lines=_plan(application, {pool.pk: (None, Decimal("60000"))}),
        )
    assert "höchstens 50.000,00 €" in refused.value.messages[0]
    pool.refresh_from_db()
    application.refresh_from_db()
    assert (pool.amount, application.explanation, application.version) == (before, "", 0)


# --- personnel lines from the staffing list -----------------------------------------------------


def test_personnel_lines_start_from_the_state_funded_posts_of_the_year(users, home_center):
    # Two full Fachkraft posts all year, half a post from 1 July (184 of 365 days), a
    # municipal post that the state does not fund, a post that ended in 2025.
    PostFactory(center=home_center, label="F1")
    PostFactory(center=home_center, label="F2")
    PostFactory(
        center=home_center, label="F3", fte=Decimal("0.50"), valid_from=datetime.date(2026, 7, 1)
    )
    PostFactory(center=home_center, label="F4", funding_source=FundingSource.MUNICIPAL)
    PostFactory(center=home_center, label="F5", valid_to=datetime.date(2025, 12, 31))
    PostFactory(center=home_center, label="V1", kind=PostKind.ADMIN_ASSISTANT, fte=Decimal("0.75"))

    application = services.application_create(
        center=home_center, programme_year=basic_year(2026), user=users[Role.CENTER_LEAD]
    )

    specialist = _line(application, PostKind.SPECIALIST)
    assert (specialist.posts, specialist.amount) == (Decimal("2.25"), Decimal("128250.00"))
    # The Verwaltungsassistenz is funded up to 0,50 whatever the list holds.
    admin = _line(application, PostKind.ADMIN_ASSISTANT)
    assert (admin.posts, admin.amount) == (Decimal("0.50"), Decimal("22500.00"))
    assert _line(application, flat=True).amount == Decimal("0.00")
    # Köln is a kreisfreie Stadt: the Kreis line does not apply.
    assert application.lines.count() == 3


def test_a_plan_that_differs_from_the_staffing_list_is_a_warning_not_a_refusal(
    client, users, home_center
):
    PostFactory(center=home_center, label="F1")
    application = make_application(home_center, status=ApplicationStatus.DRAFT)  # 5 posts
    client.force_login(users[Role.SPONSOR])
    page = client.get(reverse("funding:application_submit", args=[application.pk]))
    text = page.content.decode()
    assert "beantragt sind 5,00 Stellen (VZÄ), die Personalliste hat für 2026 1,00" in text
    response = client.post(
        reverse("funding:application_submit", args=[application.pk]),
        {"version": application.version},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


# --- the workflow -----------------------------------------------------------------------------


def test_the_traeger_submits_what_the_leitung_prepared(users, home_center):
    application = make_application(home_center)
    with pytest.raises(PermissionDenied):
        services.transition_apply(
            services.APPLICATION, "submit", obj=application, user=users[Role.CENTER_LEAD]
        )
    submitted = services.transition_apply(
        services.APPLICATION, "submit", obj=application, user=users[Role.SPONSOR]
    )
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_by == users[Role.SPONSOR]
    # Submitted: the plan cannot change any more.
    with pytest.raises(ValidationError, match="kann nicht geändert werden"):
        services.application_plan_save(
            application=submitted,
            user=users[Role.CENTER_LEAD],
            expected_version=submitted.version,
            explanation="",
            lines=_plan(submitted),
        )


def test_an_empty_plan_cannot_be_submitted(users, home_center):
    application = make_application(home_center)
    application.lines.update(amount=0, posts=0)
    with pytest.raises(ValidationError, match="noch kein Betrag"):
        services.transition_apply(
            services.APPLICATION, "submit", obj=application, user=users[Role.SPONSOR]
        )


def test_a_stale_page_is_a_conflict(users, home_center):
    application = make_application(home_center)
    services.application_plan_save(
        application=application,
        user=users[Role.CENTER_LEAD],
        expected_version=0,
        explanation="erste Fassung",
        lines=_plan(application),
    )
    with pytest.raises(ConflictError):
        services.transition_apply(
            services.APPLICATION,
            "submit",
            obj=application,
            user=users[Role.SPONSOR],
            expected_version=0,
        )


def test_returned_with_a_reason_corrected_and_decided(
    users, home_center, mailoutbox, django_capture_on_commit_callbacks
):
    application = make_application(home_center, status=ApplicationStatus.SUBMITTED)
    funder = users[Role.FUNDING]
    with pytest.raises(ValidationError):
        services.transition_apply(services.APPLICATION, "return", obj=application, user=funder)
    with django_capture_on_commit_callbacks(execute=True):
        returned = services.transition_apply(
            services.APPLICATION,
            "return",
            obj=application,
            user=funder,
            note="Die Sachausgaben bitte erläutern.",
        )
    assert returned.return_reason == "Die Sachausgaben bitte erläutern."
    assert any("zurückgegeben" in m.subject for m in mailoutbox)

    pool = _line(returned, flat=True)
    corrected = services.application_plan_save(
        application=returned,
        user=users[Role.CENTER_LEAD],
        expected_version=returned.version,
        explanation="Dolmetscheinsätze in Schulen und Kitas",
        lines=_plan(returned, {pool.pk: (None, Decimal("45000"))}),
    )
    resubmitted = services.transition_apply(
        services.APPLICATION, "submit", obj=corrected, user=users[Role.SPONSOR]
    )

    lines = [
        PlanLine(
            line_id=line.pk,
            posts=line.posts,
            amount=Decimal("40000") if line.pk == pool.pk else line.amount,
        )
        for line in resubmitted.lines.all()
    ]
    decided = services.application_decide(
        application=resubmitted,
        user=funder,
        expected_version=resubmitted.version,
        lines=lines,
        file_number="36.03.04-05315/2026",
        decided_on=datetime.date(2026, 1, 20),
        conditions="ANBest-G",
    )
    assert decided.status == ApplicationStatus.DECIDED
    decision = decided.decision
    # 5 Fachkraft posts at 57.000 €, ½ Verwaltungsassistenz at 22.500 €, 40.000 € pool.
    assert decision.amount == Decimal("285000") + Decimal("22500") + Decimal("40000")
    assert decision.funded_posts == Decimal("5.50")
    assert decision.lines.count() == 3
    kinds = [e.kind for e in timeline(decided)]
    assert kinds == ["returned", "submitted", "decided"]
    # The Bescheid is the Grundförderung's: the centre's funding condition of Nr. 1.4.
    status = center_selectors.center_operating_status(home_center, datetime.date(2026, 6, 1))
    assert "Förderbescheid" not in " ".join(status.missing)


def test_only_the_bewilligung_decides_and_only_within_the_caps(users, home_center):
    application = make_application(home_center, status=ApplicationStatus.SUBMITTED)
    lines = _plan(application)
    for role in (Role.CENTER_LEAD, Role.SPONSOR, Role.LASI):
        with pytest.raises(PermissionDenied):
            services.application_decide(
                application=application,
                user=users[role],
                expected_version=application.version,
                lines=lines,
                file_number="x",
                decided_on=datetime.date(2026, 1, 20),
            )
    pool = _line(application, flat=True)
    with pytest.raises(ValidationError, match="höchstens 50.000,00 €"):
        services.application_decide(
            application=application,
            user=users[Role.FUNDING],
            expected_version=application.version,
            lines=_plan(application, {pool.pk: (None, Decimal("50000.01"))}),
            file_number="x",
            decided_on=datetime.date(2026, 1, 20),
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not FundingDecision.objects.exists()


# --- Änderungsbescheid and Widerruf -----------------------------------------------------------


def test_amendment_and_revocation_keep_earlier_decisions_readable(users, home_center):
    application = make_application(home_center, status=ApplicationStatus.DECIDED)
    grant = application.decision
    funder = users[Role.FUNDING]
    pool = grant.lines.get(budget_line__flat_cap__isnull=False)
    from centers.services import DecisionLine

    lines = [
        DecisionLine(
            budget_line=line.budget_line,
            posts=line.posts,
            amount=Decimal("30000") if line.pk == pool.pk else line.amount,
        )
        for line in grant.lines.select_related("budget_line")
    ]
    amendment = center_services.funding_decision_change(
        decision=grant,
        user=funder,
        kind=DecisionKind.AMENDMENT,
        expected_version=grant.version,
        lines=lines,
        file_number="36.03.04-05315/2026-Ä1",
        decided_on=datetime.date(2026, 5, 1),
        note="Laiensprachmittlerpool gekürzt",
    )
    assert amendment.amount == Decimal("337500.00")
    grant.refresh_from_db()
    assert not grant.in_force and grant.amount == Decimal("327500.00")
    # The replaced Bescheid cannot be amended a second time.
    with pytest.raises(ValidationError, match="nicht mehr in Kraft"):
        center_services.funding_decision_change(
            decision=grant,
            user=funder,
            kind=DecisionKind.AMENDMENT,
            expected_version=grant.version,
            lines=lines,
            file_number="x",
            decided_on=datetime.date(2026, 5, 2),
        )
    revocation = center_services.funding_decision_change(
        decision=amendment,
        user=funder,
        kind=DecisionKind.REVOCATION,
        expected_version=amendment.version,
        file_number="36.03.04-05315/2026-W",
        decided_on=datetime.date(2026, 6, 1),
        note="Zweck entfallen",
    )
    assert revocation.amount == 0
    assert FundingDecision.objects.filter(center=home_center).count() == 3
    status = center_selectors.center_operating_status(home_center, datetime.date(2026, 6, 2))
    assert any("Förderbescheid" in m for m in status.missing)


# --- caps per budget year -----------------------------------------------------------------------


def test_new_caps_for_a_later_year_leave_earlier_years_as_decided(users, home_center):
    decided_2026 = make_application(home_center, status=ApplicationStatus.DECIDED).decision
    amount_2026 = decided_2026.amount
    year_2027 = center_services.programme_year_write_copy(
        programme_year=basic_year(2026), year=2027, user=None
    )
    BudgetLine.objects.filter(programme_year=year_2027, post_kind=PostKind.SPECIALIST).update(
        cap_per_post=Decimal("60000")
    )
    specialist_2026 = basic_year(2026).lines.get(
        post_kind=PostKind.SPECIALIST, center_kind="kreisfreie Stadt"
    )
    assert specialist_2026.cap == Decimal("285000.00")
    decided_2026.refresh_from_db()
    assert decided_2026.amount == amount_2026
    application_2027 = services.application_create(
        center=home_center, programme_year=year_2027, user=users[Role.CENTER_LEAD]
    )
    line = _line(application_2027, PostKind.SPECIALIST)
    assert line.budget_line.cap_per_post == Decimal("60000.00")


# --- pages --------------------------------------------------------------------------------------


def test_the_leitung_creates_and_edits_the_plan_in_german_numbers(client, users, home_center):
    client.force_login(users[Role.CENTER_LEAD])
    center_page = client.get(reverse("funding:center", args=[home_center.key]))
    assert "Grundförderung Kommunale Integrationszentren 2026" in center_page.content.decode()
    response = client.post(
        reverse("funding:create", args=[home_center.key]),
        {"programme_year": basic_year(2026).pk},
    )
    application = FundingApplication.objects.get(center=home_center)
    assert response["Location"] == application.get_absolute_url()
    pool = _line(application, flat=True)
    data = {"version": application.version, "explanation": "Sprachmittlung"}
    for line in application.lines.all():
        data[f"amount_{line.pk}"] = "0,00"
        data[f"posts_{line.pk}"] = "0"
    data[f"amount_{pool.pk}"] = "45.000,00"
    response = client.post(reverse("funding:application_plan", args=[application.pk]), data)
    assert response.status_code == 302
    pool.refresh_from_db()
    assert pool.amount == Decimal("45000.00")
    data[f"amount_{pool.pk}"] = "55.000"
    data["version"] = application.version + 1
    response = client.post(reverse("funding:application_plan", args=[application.pk]), data)
    assert response.status_code == 200
    assert "höchstens 50.000,00 €" in response.content.decode()


def test_the_schulaufsicht_sees_no_money(client, users, home_center):
    make_application(home_center, status=ApplicationStatus.DECIDED)
    client.force_login(users[Role.SCHOOL_AUTHORITY])
    assert client.get(reverse("funding:list")).status_code == 403
    assert client.get(reverse("funding:center", args=[home_center.key])).status_code == 404
    assert "Förderung" not in client.get("/").content.decode().split("<main")[0]


def test_application_pages_answer_in_constant_queries(client, users, home_center):
    application = make_application(home_center, status=ApplicationStatus.DECIDED)
    client.force_login(users[Role.FUNDING])

    def grow(n):
        for i in range(n):
            PostFactory(center=home_center, label=f"Q{PostFactory._meta.model.objects.count()}-{i}")

    client.get(application.get_absolute_url())  # caches (content types) filled once
    assert_constant_queries(client, application.get_absolute_url(), grow)
    assert_constant_queries(
        client, reverse("funding:center", args=[home_center.key]), grow, base=1, factor=3
    )


def test_the_lasi_report_reads_the_grundfoerderung_in_force(role_users, home_center):
    """The report's funding facts: the Grundförderung's decision in force, not an earlier
    Bescheid an Änderungsbescheid replaced, nor another programme's of the same year."""
    from centers.programmes import Programme
    from reporting import sources

    grant = make_application(home_center, status=ApplicationStatus.DECIDED).decision
    amendment = center_services.funding_decision_change(
        decision=grant,
        user=role_users[Role.FUNDING],
        kind=DecisionKind.AMENDMENT,
        expected_version=grant.version,
        file_number="Ä1",
        decided_on=datetime.date(2026, 6, 1),
        amount=Decimal("300000"),
    )
    FundingDecision.objects.create(
        center=home_center,
        programme=Programme.objects.get(code="komm-an"),
        year=2026,
        amount=Decimal("57000"),
        file_number="KOMM-AN",
        decided_on=datetime.date(2026, 7, 1),  # the latest decision of the year
        funded_posts=Decimal("1"),
    )
    funding = sources.funding_by_center([home_center.pk], [2026])[home_center.pk]
    assert funding[2026] == amendment


@pytest.mark.parametrize("value", ["abc", "", "1.5", "\x00"])
def test_a_broken_programme_year_is_a_404_not_an_error(client, users, home_center, value):
    client.force_login(users[Role.CENTER_LEAD])
    response = client.post(
        reverse("funding:create", args=[home_center.key]), {"programme_year": value}
    )
    assert response.status_code == 404
