"""The to-do list ("Aufgaben") on every dashboard and its count in the navigation (issue 11):
what waits for whom is read from workflow states and due dates, scoped by capability."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from centers import services as center_services
from centers.models import Center, ConceptStatus, FundingDecision, Role
from centers.todo import GROUP_ABOVE, add_months, count_for, tasks_for
from deployment import services as plan_services
from deployment.models import PlanEventKind, PlanStatus
from deployment.periods import current_period
from reporting import services as report_services
from reporting.models import ReportStatus
from staffing import services as staffing_services
from staffing.models import (
    ExceptionStatus,
    FundingSource,
    Post,
    PostKind,
    QualificationException,
    StaffMember,
)
from tests import factories
from tests.concepts.helpers import make_concept, make_funding
from tests.deployment.factories import make_comment, make_plan
from tests.querycount import count_queries
from tests.reporting.factories import report as make_report

pytestmark = pytest.mark.django_db

PERIOD = current_period().label
KOELN = "„Kommunales Integrationszentrum Köln“"


def titles(user, kind=None):
    return [t.title for t in tasks_for(user) if kind is None or t.kind == kind]


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def tasks_section(html: str) -> str:
    start = html.index('<section class="card tasks"')
    return html[start : html.index("</section>", start)]


def member(center, n=[0]):  # noqa: B006 - a counter across calls
    n[0] += 1
    return StaffMember.objects.create(
        center=center, last_name=f"Yılmaz{n[0]}", first_name="Ayşe", email=f"todo{n[0]}@ki.example"
    )


def vacant_teacher_post(center, label):
    return Post.objects.create(
        center=center,
        label=label,
        kind=PostKind.TEACHER,
        fte=Decimal("0.50"),
        funding_source=FundingSource.STATE_SCHOOL,
        valid_from=datetime.date(2024, 8, 1),
    )


# --- Schulaufsicht --------------------------------------------------------------------------


def test_a_submitted_plan_waits_for_the_schulaufsicht_of_its_district_only(
    client, user_as, home_center, other_center
):
    lead = user_as(Role.CENTER_LEAD, home_center)
    reviewer = user_as(Role.SCHOOL_AUTHORITY, home_center)
    foreign_reviewer = user_as(Role.SCHOOL_AUTHORITY, other_center)
    plan = plan_services.plan_submit(plan=make_plan(home_center), user=lead)

    html = tasks_section(dashboard(client, reviewer))
    title = f"Einsatzmanagement-Plan {PERIOD} des Zentrums {KOELN} wartet auf Ihre Prüfung"
    assert title in html
    assert f'href="{reverse("deployment:plan_detail", kwargs={"pk": plan.pk})}"' in html
    assert "seit heute" in html
    assert not any("Prüfung" in t for t in titles(foreign_reviewer))

    plan_services.plan_agree(plan=plan, user=reviewer)
    assert title not in titles(reviewer)
    # Now the KI-Leitung acts: the agreed plan goes to LaSI.
    assert titles(lead, "plan_to_report") == [
        f"Einsatzmanagement-Plan {PERIOD} des Zentrums {KOELN} ist im Benehmen mit der "
        "Schulaufsicht und wartet auf die Meldung an die LaSI"
    ]


def test_the_plan_waits_since_it_was_submitted_in_days(client, user_as, home_center):
    lead = user_as(Role.CENTER_LEAD, home_center)
    plan = plan_services.plan_submit(plan=make_plan(home_center), user=lead)
    plan.events.filter(kind=PlanEventKind.SUBMITTED).update(
        at=timezone.now() - datetime.timedelta(days=12)
    )
    html = tasks_section(dashboard(client, user_as(Role.SCHOOL_AUTHORITY, home_center)))
    since = timezone.localdate() - datetime.timedelta(days=12)
    assert f"seit 12 Tagen ({since:%d.%m.%Y})" in html


def test_a_conflict_waits_for_the_schulaufsicht_and_is_shown_to_the_lead(
    user_as, home_center, other_center
):
    lead = user_as(Role.CENTER_LEAD, home_center)
    reviewer = user_as(Role.SCHOOL_AUTHORITY, home_center)
    plan = plan_services.plan_submit(plan=make_plan(home_center), user=lead)
    comment = make_comment(plan, reviewer)
    plan_services.comment_escalate(comment=comment, user=lead)

    [task] = [t for t in tasks_for(reviewer) if t.kind == "conflict_to_resolve"]
    assert task.url.endswith(f"#comment-{comment.pk}")
    assert titles(lead, "conflict_open")
    assert not titles(user_as(Role.CENTER_LEAD, other_center), "conflict_open")

    plan_services.comment_resolve(comment=comment, user=reviewer, resolution="Geklärt.")
    assert not titles(reviewer, "conflict_to_resolve")
    assert not titles(lead, "conflict_open")


def test_vacant_teacher_posts_of_the_district_are_listed_for_the_schulaufsicht(
    user_as, home_center, other_center
):
    vacant_teacher_post(home_center, "L1")
    vacant_teacher_post(home_center, "L2")
    vacant_teacher_post(other_center, "L1")
    [task] = [
        t
        for t in tasks_for(user_as(Role.SCHOOL_AUTHORITY, home_center))
        if t.kind == "teacher_posts_vacant"
    ]
    assert task.title == (f"Im Zentrum {KOELN} sind 2 Lehrkräftestellen unbesetzt (1,00 VZÄ offen)")
    assert task.since == datetime.date(2024, 8, 1)
    # The centre's own people see their vacancies on the staffing page, not as a task.
    assert not titles(user_as(Role.CENTER_LEAD, home_center), "teacher_posts_vacant")


# --- KI-Leitung, KI-Mitarbeitende ---------------------------------------------------------------


def test_a_returned_concept_waits_for_the_lead_of_its_centre(user_as, home_center, other_center):
    lead = user_as(Role.CENTER_LEAD, home_center)
    funding = user_as(Role.FUNDING)
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    assert titles(funding, "concept_to_review") == [
        f"Integrationskonzept (Fassung 1) des Zentrums {KOELN} wartet auf Ihre Prüfung"
    ]

    concept = center_services.concept_return(
        concept=concept, user=funding, reason="Beteiligung fehlt."
    )
    assert titles(lead, "concept_returned") == [
        f"Integrationskonzept (Fassung 1) des Zentrums {KOELN} wurde zurückgegeben und wartet "
        "auf Ihre Überarbeitung"
    ]
    assert not titles(user_as(Role.CENTER_LEAD, other_center), "concept_returned")
    assert not titles(funding, "concept_to_review")

    concept = center_services.concept_submit(concept=concept, user=lead)
    assert not titles(lead, "concept_returned")
    assert titles(funding, "concept_to_review")


def test_the_lead_submits_the_draft_and_the_team_finishes_its_target_values(
    user_as, home_center, other_center
):
    lead = user_as(Role.CENTER_LEAD, home_center)
    staff = user_as(Role.CENTER_STAFF, home_center)
    plan = make_plan(home_center)
    assert "plan_draft" in [t.kind for t in tasks_for(lead)]
    assert tasks_for(staff) == []  # every Schwerpunkt has its target values

    focus = plan.foci.filter(basic_component="").get()
    focus.indicators = "Beratene Familien\nFortbildungen"
    focus.save()
    missing = (
        f"Im Einsatzmanagement-Plan {PERIOD} des Zentrums {KOELN} fehlt für 1 Schwerpunkt "
        "der Zielwert"
    )
    assert titles(staff) == [missing]
    assert [t.url for t in tasks_for(staff)] == [f"{plan.get_absolute_url()}#focus-{focus.pk}"]
    assert not titles(user_as(Role.CENTER_STAFF, other_center))
    kinds = [t.kind for t in tasks_for(lead)]
    assert "plan_draft" in kinds and "plan_targets_missing" not in kinds  # hers: submitting

    focus.indicators = "Beratene Familien: 120\nFortbildungen: 6"
    focus.save()
    assert tasks_for(staff) == []

    plan = plan_services.plan_submit(plan=plan, user=lead)
    assert "plan_draft" not in [t.kind for t in tasks_for(lead)]
    plan_services.plan_return(
        plan=plan, user=user_as(Role.SCHOOL_AUTHORITY, home_center), reason="Ziele schärfen."
    )
    returned = (
        f"Einsatzmanagement-Plan {PERIOD} des Zentrums {KOELN} wurde von der Schulaufsicht "
        "zurückgegeben und wartet auf Ihre Überarbeitung"
    )
    assert titles(lead, "plan_returned") == [returned]
    assert tasks_for(staff) == []


def test_the_lead_is_told_what_is_due_for_her_centre(settings, user_as, home_center):
    lead = user_as(Role.CENTER_LEAD, home_center)
    today = timezone.localdate()
    kinds = {t.kind: t for t in tasks_for(lead)}
    # No plan for the running period, no Förderbescheid for this year.
    months = settings.PLAN_DUE_MONTHS_BEFORE_PERIOD
    assert kinds["plan_due"].since == add_months(current_period().start, -months)
    assert kinds["funding_missing"].title == (
        f"Für das Zentrum {KOELN} liegt noch kein Förderbescheid für {today.year} vor"
    )
    assert kinds["funding_missing"].since == datetime.date(today.year, 1, 1)

    make_plan(home_center)
    make_funding(home_center, today.year)
    # The approved concept's validity ends within the next 12 months (a setting).
    resolved = datetime.date(
        today.year - settings.CONCEPT_VALIDITY_YEARS, today.month, min(today.day, 28)
    ) + datetime.timedelta(days=100)
    make_concept(home_center, status=ConceptStatus.APPROVED, resolution_date=resolved)
    kinds = {t.kind for t in tasks_for(lead)}
    assert "plan_due" not in kinds and "funding_missing" not in kinds
    assert "concept_expiring" in kinds

    settings.TODO_CONCEPT_EXPIRY_MONTHS_CENTER = 3
    assert "concept_expiring" not in {t.kind for t in tasks_for(lead)}


def test_the_report_for_the_ended_period_is_due_until_it_is_submitted(
    settings, user_as, home_center
):
    lead = user_as(Role.CENTER_LEAD, home_center)
    ended = current_period().previous()
    make_plan(home_center, status=PlanStatus.REPORTED, period=ended)
    [task] = [t for t in tasks_for(lead) if t.kind == "report_due"]
    assert task.since == ended.end + datetime.timedelta(days=1)
    assert task.url == reverse("reporting:center", kwargs={"key": home_center.key})
    # The deadline is a setting: months after the period's end.
    settings.REPORT_DUE_MONTHS_AFTER_PERIOD = 0
    assert titles(lead, "report_due") == [
        f"Bericht an die LaSI für {ended.label} des Zentrums {KOELN} ist seit dem "
        f"{ended.end:%d.%m.%Y} überfällig"
    ]
    settings.REPORT_DUE_MONTHS_AFTER_PERIOD = 36
    deadline = ended.end.replace(year=ended.end.year + 3)
    assert titles(lead, "report_due")[0].endswith(f"ist fällig bis zum {deadline:%d.%m.%Y}")

    report = make_report(home_center, status=ReportStatus.READY, period=ended)
    [task] = [t for t in tasks_for(lead) if t.kind == "report_due"]
    assert task.url == report.get_absolute_url()
    assert "wartet auf die Übermittlung" in task.title

    report_services.report_submit(report=report, user=lead)
    assert not titles(lead, "report_due")


# --- Träger ---------------------------------------------------------------------------------


def test_an_open_exception_waits_for_the_traeger_of_its_centre(
    client, user_as, home_center, other_center
):
    lead = user_as(Role.CENTER_LEAD, home_center)
    sponsor = user_as(Role.SPONSOR, home_center)
    person = member(home_center)
    assert "Keine offenen Aufgaben." in tasks_section(dashboard(client, sponsor))

    exception = staffing_services.exception_propose(
        member=person, kind=PostKind.SPECIALIST, reason="Langjährige Erfahrung.", user=lead
    )
    html = tasks_section(dashboard(client, sponsor))
    assert (
        f"Antrag auf Qualifikationsausnahme für Ayşe {person.last_name} (Fachkraft) im Zentrum "
        f"{KOELN} wartet auf Ihre Entscheidung"
    ) in html
    decide = reverse("staffing:exception_decide", kwargs={"key": "05315", "pk": exception.pk})
    assert f'href="{decide}"' in html
    assert tasks_for(user_as(Role.SPONSOR, other_center)) == []

    staffing_services.exception_decide(
        exception=exception, approve=True, note="Einverstanden.", user=sponsor, expected_version=0
    )
    assert tasks_for(sponsor) == []
    # The Leitung learns the decision.
    assert any(t.endswith("genehmigt") for t in titles(lead, "exception_decided"))


# --- LaSI, Bewilligung, Ministerium ----------------------------------------------------------


def test_a_submitted_report_and_a_reported_plan_wait_for_lasi(user_as, home_center, other_center):
    lasi = user_as(Role.LASI)
    lead = user_as(Role.CENTER_LEAD, home_center)
    report = report_services.report_submit(
        report=make_report(home_center, status=ReportStatus.READY), user=lead
    )
    plan = make_plan(other_center, status=PlanStatus.REPORTED)
    kinds = {t.kind: t for t in tasks_for(lasi)}
    assert kinds["report_to_acknowledge"].url == report.get_absolute_url()
    assert kinds["plan_to_acknowledge"].url == plan.get_absolute_url()
    assert not titles(lead, "report_to_acknowledge")

    report_services.report_acknowledge(report=report, user=lasi)
    plan_services.plan_acknowledge(plan=plan, user=lasi)
    kinds = {t.kind for t in tasks_for(lasi)}
    assert "report_to_acknowledge" not in kinds and "plan_to_acknowledge" not in kinds


def test_centres_without_a_reported_plan_are_one_entry_for_lasi(user_as, home_center):
    lasi = user_as(Role.LASI)
    make_plan(home_center, status=PlanStatus.REPORTED)
    [task] = [t for t in tasks_for(lasi) if t.kind == "plan_missing"]
    assert task.title == (
        f"53 Zentren haben noch keinen Einsatzmanagement-Plan {PERIOD} an die LaSI gemeldet"
    )
    assert len(task.items) == 53
    assert home_center not in {item.center for item in task.items}


def test_the_bewilligung_sees_missing_bescheide_as_one_entry_with_every_centre(
    client, user_as, home_center
):
    funding = user_as(Role.FUNDING)
    year = timezone.localdate().year
    programme = factories.basic_programme()
    FundingDecision.objects.bulk_create(
        FundingDecision(
            center=c,
            programme=programme,
            year=year,
            amount=Decimal("1"),
            file_number="x",
            decided_on=datetime.date(year, 1, 2),
            funded_posts=Decimal("1"),
        )
        for c in Center.objects.exclude(key__in=["05315", "05314"])
    )
    html = tasks_section(dashboard(client, funding))
    assert "2 Zentren" not in html  # at most GROUP_ABOVE centres are listed one by one
    entries = [t for t in tasks_for(funding) if t.kind == "funding_to_decide"]
    assert len(entries) == 2
    create = reverse("centers:funding_decision_create", kwargs={"key": "05315"})
    assert f'href="{create}"' in html

    FundingDecision.objects.filter(year=year).delete()
    [grouped] = [t for t in tasks_for(funding) if t.kind == "funding_to_decide"]
    assert grouped.title == f"54 Zentren haben noch keinen Förderbescheid für {year}"
    assert len(grouped.items) == 54 > GROUP_ABOVE


def test_the_ministry_sees_every_kind_across_nrw_once(user_as, home_center, other_center):
    lead = user_as(Role.CENTER_LEAD, home_center)
    plan = plan_services.plan_submit(plan=make_plan(home_center), user=lead)
    plan_services.comment_escalate(
        comment=make_comment(plan, user_as(Role.SCHOOL_AUTHORITY, home_center)), user=lead
    )
    QualificationException.objects.create(
        member=member(other_center),
        kind=PostKind.SPECIALIST,
        reason="Erfahrung.",
        proposed_by=lead,
        proposed_on=timezone.localdate(),
    )
    kinds = [t.kind for t in tasks_for(user_as(Role.MINISTRY))]
    for kind in ("plan_to_review", "conflict_to_resolve", "exception_to_decide"):
        assert kind in kinds
    # The acting side's entry, not the centre's as well.
    assert "conflict_open" not in kinds and "funding_missing" not in kinds
    # Across NRW each kind is one entry here: one row, or many rows grouped.
    assert len(kinds) == len(set(kinds))


# --- navigation and query counts ------------------------------------------------------------


def test_the_navigation_counts_the_open_tasks_on_every_page(client, user_as, home_center):
    sponsor = user_as(Role.SPONSOR, home_center)
    lead = user_as(Role.CENTER_LEAD, home_center)
    for _ in range(2):
        staffing_services.exception_propose(
            member=member(home_center), kind=PostKind.SPECIALIST, reason="Erfahrung.", user=lead
        )
    client.force_login(sponsor)
    for url in (reverse("dashboard"), home_center.get_absolute_url()):
        html = client.get(url).content.decode()
        nav = html[html.index('class="main-nav"') : html.index("</nav>")]
        assert (
            'Übersicht <span class="nav-count">(2<span class="visually-hidden"> offene Aufgaben'
            "</span>)</span></a>"
        ) in nav
    QualificationException.objects.update(status=ExceptionStatus.REJECTED)
    html = client.get(home_center.get_absolute_url()).content.decode()
    assert "offene Aufgabe" not in html


def test_the_count_is_the_number_of_entries_of_the_list(user_as, home_center, other_center):
    others = Center.objects.exclude(pk__in=[home_center.pk, other_center.pk]).order_by("key")
    grow_nrw([home_center, other_center, *others[:8]])(10)
    for role in (Role.MINISTRY, Role.LASI, Role.FUNDING):
        user = user_as(role, home_center)
        assert count_for(user) == len(tasks_for(user)), role
    for role in (Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY):
        user = user_as(role, home_center)
        assert count_for(user) == len(tasks_for(user)), role


def grow_nrw(centers):
    """One unit: in the next centre a plan (cycling through the statuses), an escalated
    conflict, a proposed exception, a vacant teacher post, a submitted report and an open
    concept (returned or submitted)."""
    statuses = [PlanStatus.SUBMITTED, PlanStatus.REPORTED, PlanStatus.RETURNED, PlanStatus.AGREED]
    state = {"n": 0}
    author = factories.UserFactory()

    def grow(k):
        for _ in range(k):
            n = state["n"]
            state["n"] += 1
            center = centers[n]
            plan = make_plan(center, status=statuses[n % len(statuses)])
            make_comment(plan, author, escalated=True)
            QualificationException.objects.create(
                member=member(center),
                kind=PostKind.SPECIALIST,
                reason="Erfahrung.",
                proposed_by=author,
                proposed_on=timezone.localdate(),
            )
            vacant_teacher_post(center, f"L{n}")
            make_report(center, status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
            make_concept(
                center,
                status=ConceptStatus.RETURNED if n % 2 else ConceptStatus.SUBMITTED,
                submitted_at=timezone.now(),
            )

    return grow


def grow_home(center):
    """k more of everything that can repeat within one centre."""
    author = factories.UserFactory()
    state = {"n": 0, "plan": None}

    def grow(k):
        if state["plan"] is None:
            state["plan"] = make_plan(center, status=PlanStatus.SUBMITTED)
        for _ in range(k):
            state["n"] += 1
            n = state["n"]
            make_comment(state["plan"], author, escalated=True)
            for status in (ExceptionStatus.PROPOSED, ExceptionStatus.APPROVED):
                QualificationException.objects.create(
                    member=member(center),
                    kind=PostKind.SPECIALIST,
                    reason="Erfahrung.",
                    proposed_by=author,
                    proposed_on=timezone.localdate(),
                    status=status,
                    decided_on=None if status == ExceptionStatus.PROPOSED else timezone.localdate(),
                )
            vacant_teacher_post(center, f"L{n}")
            make_report(center, status=ReportStatus.SUBMITTED, number=n)

    return grow


@pytest.mark.parametrize("role", [Role.MINISTRY, Role.LASI, Role.FUNDING])
def test_state_roles_keep_their_query_count_as_tasks_grow(client, user_as, home_center, role):
    # One unit per plan status, so that every kind has rows at 1× as at 10×: a cost per row
    # would show as growth.
    centers = [home_center, *Center.objects.exclude(pk=home_center.pk).order_by("key")[:39]]
    assert len(centers) == 40
    client.force_login(user_as(role, home_center))
    _assert_constant(client, grow_nrw(centers), base=4)


@pytest.mark.parametrize(
    "role", [Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY]
)
def test_centre_roles_keep_their_query_count_as_tasks_grow(client, user_as, home_center, role):
    client.force_login(user_as(role, home_center))
    _assert_constant(client, grow_home(home_center))


def _assert_constant(client, grow, base=1):
    """Dashboard (the list) and another page (the navigation's count) at 1× and 10×."""
    urls = [reverse("dashboard"), reverse("centers:list")]
    grow(base)
    small = [count_queries(client, url)[0] for url in urls]
    grow(9 * base)
    large = [count_queries(client, url) for url in urls]
    assert small == [n for n, _sql in large], "\n".join(large[0][1])


def test_an_expired_concept_waits_since_the_day_it_stopped_being_current(user_as, home_center):
    lead = user_as(Role.CENTER_LEAD, home_center)
    today = timezone.localdate()
    resolved = datetime.date(today.year - settings_validity() - 1, 3, 1)
    make_concept(home_center, status=ConceptStatus.APPROVED, resolution_date=resolved)
    task = {t.kind: t for t in tasks_for(lead)}["concept_expiring"]
    expired = datetime.date(resolved.year + settings_validity(), 3, 1)
    assert "nicht mehr aktuell" in task.title and expired.strftime("%d.%m.%Y") in task.title
    assert task.since == expired  # not the day it was first listed, a year earlier


def settings_validity() -> int:
    from django.conf import settings as django_settings

    return django_settings.CONCEPT_VALIDITY_YEARS


def test_the_list_costs_what_the_count_costs_however_many_kinds_wait(user_as, home_center):
    """The rows of every kind answered in SQL come in the count's one ``UNION ALL``, each
    with the fields its task reads: no query per kind that has tasks, none per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    centers = [home_center, *Center.objects.exclude(pk=home_center.pk).order_by("key")[:7]]
    grow_nrw(centers)(8)
    for role in (Role.MINISTRY, Role.SCHOOL_AUTHORITY, Role.CENTER_LEAD):
        user = user_as(role, home_center)
        tasks_for(user)  # what a process looks up once (grants, content types, JSON support)
        with CaptureQueriesContext(connection) as counted:
            count_for(user)
        with CaptureQueriesContext(connection) as listed:
            tasks = tasks_for(user)
        assert len({task.kind for task in tasks}) >= (5 if role == Role.MINISTRY else 2), role
        assert len(listed) == len(counted), (role, [q["sql"][:120] for q in listed])


def test_the_navigation_count_of_a_leitung_costs_two_queries(user_as, home_center):
    """One UNION over every kind answered in SQL, one for the open programme years. The
    team's kind "Schwerpunkte ohne Zielwert" is replaced by her own draft entry on her
    centre, so it is not read at all (decided from her grants, not by a query)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from centers.access import grants_of

    lead = user_as(Role.CENTER_LEAD, home_center)
    make_plan(home_center, status=PlanStatus.DRAFT)
    grants_of(lead)  # her grants are read once per request anyway
    with CaptureQueriesContext(connection) as counted:
        count_for(lead)
    assert len(counted) <= 2, "\n".join(q["sql"] for q in counted)
