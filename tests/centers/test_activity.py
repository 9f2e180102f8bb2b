"""A centre's "Was hat sich geändert": the timeline and the history of its objects in one
list, as each role sees it."""

import datetime
import itertools
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from centers import services as center_services
from centers.models import (
    ConceptEventKind,
    ConceptParticipation,
    FundingDecision,
    PartnerKind,
    Role,
    TargetAgreement,
)
from centers.workflow.models import TimelineEvent
from centers.workflow.transitions import record_event
from deployment import services as plan_services
from deployment.models import PlanEventKind
from deployment.vocabularies import TargetGroup
from reporting import services as report_services
from reporting.models import ReportEventKind, ReportStatus
from staffing import services as staff_services
from staffing.models import (
    Assignment,
    ExceptionEventKind,
    FundingSource,
    Post,
    PostKind,
    QualificationException,
    StaffingQuota,
    StaffMember,
)
from tests import factories
from tests.deployment.factories import (
    make_allocation,
    make_assignment,
    make_comment,
    make_focus,
    make_plan,
)
from tests.querycount import assert_constant_queries
from tests.reporting.factories import report as make_report

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def page_url(center, **params) -> str:
    url = reverse("centers:activity", kwargs={"key": center.key})
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def name(user) -> str:
    return user.get_full_name() or user.username


def saved(obj, user):
    """Save as ``user`` would through a page (the history records who)."""
    obj._history_user = user
    obj.save()
    return obj


def new_post(center, user=None, *, label=None, kind=PostKind.TEACHER, fte="1.00") -> Post:
    return saved(
        Post(
            center=center,
            kind=kind,
            label=label or f"Lehrkraft {next(_numbers)}",
            fte=Decimal(fte),
            funding_source=FundingSource.STATE_SCHOOL,
            valid_from=datetime.date(2025, 8, 1),
        ),
        user,
    )


def entries(response):
    return list(response.context["page_obj"].object_list)


def texts(response) -> list[str]:
    return [e.text for e in entries(response)]


@pytest.fixture
def lead(role_users):
    return role_users[Role.CENTER_LEAD]


def login(client, user):
    client.force_login(user)
    return client


# --- what the feed says ----------------------------------------------------------------------


def test_each_area_appears_in_german_with_who_did_it(client, role_users, home_center):
    lead = role_users[Role.CENTER_LEAD]
    authority = role_users[Role.SCHOOL_AUTHORITY]
    funder = role_users[Role.FUNDING]

    new_post(home_center, lead, label="Lehrkraft 3")
    assignment = make_assignment(
        home_center, kind=PostKind.SPECIALIST, fte=Decimal("0.50"), post_fte=Decimal("1.00")
    )
    assignment.fte = Decimal("1.00")
    saved(assignment, lead)
    staff_services.exception_propose(
        member=assignment.member, kind=PostKind.SPECIALIST, reason="Diplom Pädagogik", user=lead
    )
    plan = make_plan(home_center)
    plan = plan_services.plan_submit(plan=plan, user=lead)
    plan_services.plan_agree(plan=plan, user=authority)
    center_services.concept_create(center=home_center, user=lead, title="Konzept 2026")
    center_services.funding_decision_save(
        center=home_center,
        user=funder,
        year=2026,
        amount=Decimal("310000.00"),
        file_number="36.03.04-05315/2026",
        decided_on=datetime.date(2026, 1, 20),
        funded_posts=Decimal("5.50"),
    )
    report = make_report(home_center, status=ReportStatus.READY)
    report_services.report_submit(report=report, user=lead)

    response = login(client, lead).get(page_url(home_center))

    assert response.status_code == 200
    html = response.content.decode()
    member, post = assignment.member, assignment.post
    said = {e.text: e for e in entries(response)}
    expected = {
        "Stelle angelegt: Lehrkraft 3": ("Personal", name(lead)),
        f"Besetzung geändert: {member} – {post.label}": ("Personal", name(lead)),
        f"Qualifikationsausnahme {member} (Fachkraft): beantragt": ("Personal", name(lead)),
        f"Einsatzmanagement {plan.period.label}: bei der Schulaufsicht eingereicht": (
            "Einsatzmanagement",
            name(lead),
        ),
        f"Einsatzmanagement {plan.period.label}: Benehmen hergestellt": (
            "Einsatzmanagement",
            name(authority),
        ),
        "Integrationskonzept Fassung 1: angelegt": ("Integrationskonzept", name(lead)),
        "Förderbescheid angelegt: 2026": ("Förderung", name(funder)),
        f"Bericht {report.period_start.year}–{report.period_end.year}: an die LaSI übermittelt": (
            "Berichte",
            name(lead),
        ),
    }
    for text, (area, actor) in expected.items():
        assert text in said, f"fehlt: {text}"
        assert (said[text].area.label, said[text].actor) == (area, actor)
        assert text in html
    change = said[f"Besetzung geändert: {member} – {post.label}"].changes
    assert [(c.field, c.old, c.new) for c in change] == [("Stellenanteil", "0,50", "1,00")]
    assert "Stellenanteil:</span> 0,50 → 1,00" in html
    assert name(authority) in html and name(funder) in html


def test_a_workflow_step_is_told_once_by_the_timeline(client, lead, home_center):
    """Creating a plan and changing its state are timeline steps; its history adds only
    edits of its content."""
    plan = make_plan(home_center)
    record_event(plan, center=home_center, kind=PlanEventKind.CREATED, actor=lead)
    plan = plan_services.plan_submit(plan=plan, user=lead)
    plan.summary = "Neue Ausgangslage"
    saved(plan, lead)

    said = texts(login(client, lead).get(page_url(home_center, area="plan")))

    label = plan.period.label
    assert said.count(f"Einsatzmanagement {label}: angelegt") == 1
    assert said.count(f"Einsatzmanagement {label}: bei der Schulaufsicht eingereicht") == 1
    assert not any(t.startswith("Einsatzmanagement angelegt") for t in said)
    # The submission's record (state and stamp) stays out; the edit of the content shows.
    edits = [t for t in said if t.startswith("Einsatzmanagement geändert")]
    assert edits == [f"Einsatzmanagement geändert: {label}"]


def test_a_save_without_a_visible_change_is_left_out_and_not_counted(client, lead, home_center):
    post = new_post(home_center, lead, label="Fachkraft 9")
    saved(post, lead)  # saved again unchanged (a form sent as it was)
    post.fte = Decimal("0.50")
    saved(post, lead)

    response = login(client, lead).get(page_url(home_center, area="staffing"))

    assert texts(response) == ["Stelle geändert: Fachkraft 9", "Stelle angelegt: Fachkraft 9"]
    assert response.context["page_obj"].paginator.count == 2


def test_a_schwerpunkt_change_names_the_chosen_values_and_a_long_text_only_as_changed(
    client, lead, home_center
):
    focus = make_focus(make_plan(home_center, foci=0), title="Sprachbildung in Kitas")
    saved(focus, lead)  # unchanged: left out, lists compared as stored
    focus.target_groups = [TargetGroup.SCHOOLS]
    focus.goal = "Ein neues Ziel für den Zeitraum."
    saved(focus, lead)

    response = login(client, lead).get(page_url(home_center, area="plan"))

    changed = [e for e in entries(response) if e.text.startswith("Schwerpunkt geändert")]
    assert [e.text for e in changed] == ["Schwerpunkt geändert: Sprachbildung in Kitas"]
    assert [(c.field, c.old, c.new) for c in changed[0].changes] == [
        (
            "Zielgruppen",
            "Schulen und andere Bildungseinrichtungen, Seiteneinsteigerinnen und Seiteneinsteiger",
            "Schulen und andere Bildungseinrichtungen",
        ),
        ("Ziel", "", ""),
    ]
    assert "Ziel:</span> geändert" in response.content.decode()


def test_staff_never_see_the_self_declaration_nor_that_it_was_changed(
    client, role_users, home_center
):
    """Nr. 3.4: only the KI-Leitung sees the value; the feed shows it to no one, and a
    save that changed only that value leaves no trace (not even "geändert")."""
    lead = role_users[Role.CENTER_LEAD]
    member = saved(
        StaffMember(
            center=home_center, last_name="Yıldız", first_name="Elif", email="elif@ki.example"
        ),
        lead,
    )
    staff_services.member_save(
        member=member, user=lead, expected_version=member.version, immigration_history="yes"
    )
    member.refresh_from_db()
    member.employer = "Stadt Köln"
    member._history_user = lead
    staff_services.member_save(member=member, user=lead, expected_version=member.version)

    for role in (Role.CENTER_STAFF, Role.CENTER_LEAD):
        response = login(client, role_users[role]).get(page_url(home_center))
        html = response.content.decode()
        assert [t for t in texts(response) if "Yıldız" in t] == [
            "Mitarbeiter/in geändert: Yıldız, Elif",
            "Mitarbeiter/in angelegt: Yıldız, Elif",
        ]
        assert "Anstellungsträger:</span> – → Stadt Köln" in html
        assert "Einwanderungsgeschichte" not in html


def test_each_area_only_for_those_who_may_read_it(client, role_users, home_center):
    lead = role_users[Role.CENTER_LEAD]
    new_post(home_center, lead, label="Lehrkraft 7")
    plan = make_plan(home_center)
    assignment = make_assignment(home_center, kind=PostKind.SPECIALIST)
    allocation = make_allocation(plan.foci.last(), assignment)
    saved(allocation, lead)
    saved(
        FundingDecision(
            center=home_center,
            programme=factories.basic_programme(),
            year=2026,
            amount=1,
            file_number="A",
            decided_on=datetime.date(2026, 1, 2),
            funded_posts=1,
        ),
        role_users[Role.FUNDING],
    )

    def areas_and_texts(role):
        response = login(client, role_users[role]).get(page_url(home_center))
        offered = [value for value, _label in response.context["form"].fields["area"].choices]
        return offered, " ".join(texts(response))

    # The centre's staff reads everything but the money (issue 12: Förderung is for the
    # KI-Leitung, the Träger, the Bewilligung and the ministry).
    offered, said = areas_and_texts(Role.CENTER_STAFF)
    assert offered == ["center", "concept", "staffing", "plan", "reports"]
    assert "Lehrkraft 7" in said and "Personaleinsatz" in said

    # The Schulaufsicht reads plans, not the staff list (nor who works on which Schwerpunkt).
    offered, said = areas_and_texts(Role.SCHOOL_AUTHORITY)
    assert "staffing" not in offered and "funding" not in offered and "plan" in offered
    assert "Lehrkraft 7" not in said and "Personaleinsatz" not in said
    assert "Schwerpunkt angelegt" in said

    # The Bewilligung reads concepts, funding and reports.
    offered, said = areas_and_texts(Role.FUNDING)
    assert offered == ["center", "concept", "funding", "reports"]
    assert "Förderbescheid angelegt: 2026" in said and "Schwerpunkt" not in said

    # Asking for an area one may not read shows nothing of it.
    response = login(client, role_users[Role.FUNDING]).get(page_url(home_center, area="staffing"))
    assert "page_obj" not in response.context
    assert response.context["form"].errors["area"][0] in response.content.decode()
    assert "Lehrkraft 7" not in response.content.decode()


def test_another_centres_people_get_404(client, user_as, home_center, other_center):
    for role in (Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY):
        response = login(client, user_as(role, other_center)).get(page_url(home_center))
        assert response.status_code == 404, role


def test_links_lead_to_objects_that_still_exist(client, lead, home_center):
    kept = new_post(home_center, lead, label="Fachkraft 1", kind=PostKind.SPECIALIST)
    gone = new_post(home_center, lead, label="Fachkraft 2", kind=PostKind.SPECIALIST)
    staff_services.post_delete(post=gone, user=lead, expected_version=gone.version)

    links = {e.text: e.url for e in entries(login(client, lead).get(page_url(home_center)))}

    assert links["Stelle angelegt: Fachkraft 1"] == reverse(
        "staffing:post", kwargs={"key": home_center.key, "pk": kept.pk}
    )
    assert links["Stelle gelöscht: Fachkraft 2"] == ""
    assert links["Stelle angelegt: Fachkraft 2"] == ""


# --- filters and pages -----------------------------------------------------------------------


def _backdate(post, days):
    when = timezone.now() - datetime.timedelta(days=days)
    Post.history.filter(id=post.pk).update(history_date=when)


def test_the_last_90_days_by_default_and_any_period_on_request(client, lead, home_center):
    _backdate(new_post(home_center, lead, label="Lehrkraft alt"), 120)
    new_post(home_center, lead, label="Lehrkraft neu")
    login(client, lead)
    today = timezone.localdate()

    response = client.get(page_url(home_center, area="staffing"))
    form = response.context["form"]
    assert form["since"].value() == (today - datetime.timedelta(days=90)).isoformat()
    assert texts(response) == ["Stelle angelegt: Lehrkraft neu"]

    earlier = today - datetime.timedelta(days=130)
    response = client.get(page_url(home_center, area="staffing", since=f"{earlier:%d.%m.%Y}"))
    assert texts(response) == ["Stelle angelegt: Lehrkraft neu", "Stelle angelegt: Lehrkraft alt"]

    until = today - datetime.timedelta(days=100)
    response = client.get(page_url(home_center, area="staffing", since="", until=until))
    assert texts(response) == ["Stelle angelegt: Lehrkraft alt"]


def test_a_period_that_ends_before_it_begins_is_refused_in_german(client, lead, home_center):
    response = login(client, lead).get(
        page_url(home_center, since="2026-03-01", until="2026-02-01")
    )
    assert response.status_code == 200
    assert "page_obj" not in response.context
    assert "Das Ende des Zeitraums darf nicht vor dem Beginn liegen." in response.content.decode()


def test_the_area_filter_keeps_only_the_chosen_areas(client, lead, home_center):
    new_post(home_center, lead, label="Lehrkraft 5")
    plan = make_plan(home_center)
    plan_services.plan_submit(plan=plan, user=lead)
    login(client, lead)

    staffing = texts(client.get(page_url(home_center, area="staffing")))
    assert "Stelle angelegt: Lehrkraft 5" in staffing
    assert not any("Einsatzmanagement" in t or "Schwerpunkt" in t for t in staffing)

    plans = texts(client.get(page_url(home_center, area="plan")))
    assert "Stelle angelegt: Lehrkraft 5" not in plans
    assert f"Einsatzmanagement {plan.period.label}: bei der Schulaufsicht eingereicht" in plans

    both = texts(client.get(page_url(home_center, area=["staffing", "plan"])))
    assert set(staffing) | set(plans) == set(both)


def test_fifty_entries_a_page_and_the_filters_stay_on_every_page(client, lead, home_center):
    for n in range(55):
        new_post(home_center, lead, label=f"Lehrkraft {100 + n}")
    login(client, lead)

    first = client.get(page_url(home_center, area="staffing"))
    assert len(entries(first)) == 50
    assert entries(first)[0].text == "Stelle angelegt: Lehrkraft 154"
    assert "page=2" in first.content.decode() and "area=staffing" in first.content.decode()

    second = client.get(page_url(home_center, area="staffing", page=2))
    assert [e.text for e in entries(second)] == [
        f"Stelle angelegt: Lehrkraft {100 + n}" for n in range(4, -1, -1)
    ]


def test_the_centre_page_links_to_the_feed(client, lead, home_center):
    html = login(client, lead).get(home_center.get_absolute_url()).content.decode()
    assert page_url(home_center) in html and "Was hat sich geändert" in html


# --- speed -----------------------------------------------------------------------------------


def _grow_every_source(center, user, k):
    """``k`` more rounds of activity, each touching every source the feed reads."""
    plan = center.deployment_plans.first() or make_plan(center, foci=0)
    concept = center.concepts.first()
    report = center.reports.first()
    for _ in range(k):
        n = next(_numbers)
        center.phone = f"0221 {n}"
        saved(center, user)
        center_services.membership_grant(
            user=factories.UserFactory(), role=Role.CENTER_STAFF, center=center
        )
        saved(
            ConceptParticipation(
                concept=concept,
                partner_kind=PartnerKind.OTHER,
                involved_on=datetime.date(2025, 1, 1),
            ),
            user,
        )
        record_event(concept, center=center, kind=ConceptEventKind.RESOLUTION_RECORDED, actor=user)
        saved(
            FundingDecision(
                center=center,
                programme=factories.basic_programme(),
                year=2000 + n,
                amount=Decimal("1000.00"),
                file_number=f"AZ {n}",
                decided_on=datetime.date(2026, 1, 2),
                funded_posts=Decimal("1.00"),
            ),
            user,
        )
        saved(
            TargetAgreement(
                center=center,
                valid_from=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
                valid_until=datetime.date(2028, 1, 1),
                text="Ziele",
            ),
            user,
        )
        saved(
            StaffingQuota(
                center=center,
                kind=PostKind.TEACHER,
                fte=Decimal("2.00"),
                valid_from=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
            ),
            user,
        )
        post = new_post(center, user, label=f"Wachstum {n}", kind=PostKind.SPECIALIST)
        post.fte = Decimal("0.50")
        saved(post, user)
        member = saved(
            StaffMember(center=center, last_name=f"Neu{n}", first_name="Ada", email=f"g{n}@x.de"),
            user,
        )
        assignment = saved(
            Assignment(
                member=member, post=post, fte=Decimal("0.50"), start=datetime.date(2025, 8, 1)
            ),
            user,
        )
        assignment.fte = Decimal("0.40")
        saved(assignment, user)
        exception = saved(
            QualificationException(
                member=member,
                kind=PostKind.SPECIALIST,
                reason="Erfahrung",
                proposed_by=user,
                proposed_on=timezone.localdate(),
            ),
            user,
        )
        record_event(exception, center=center, kind=ExceptionEventKind.PROPOSED, actor=user)
        focus = make_focus(plan, title=f"Schwerpunkt {n}")
        make_allocation(focus, assignment)
        make_comment(plan, user, focus=focus)
        record_event(plan, center=center, kind=PlanEventKind.CREATED, actor=user)
        record_event(report, center=center, kind=ReportEventKind.REQUESTED, actor=user)


def test_queries_do_not_grow_with_the_activity(client, lead, home_center):
    center_services.concept_create(center=home_center, user=lead, title="Konzept")
    make_report(home_center, status=ReportStatus.READY)
    url = page_url(home_center)
    login(client, lead)
    client.get(url)  # process-wide caches (content types) fill on the first request

    small, large = assert_constant_queries(
        client, url, lambda k: _grow_every_source(home_center, lead, k)
    )
    response = client.get(url)
    assert response.context["page_obj"].paginator.count > 100
    print(f"centers:activity: {small} Abfragen")


def test_every_kind_of_entry_on_one_page_costs_a_bounded_number_of_queries(
    client, lead, home_center, django_assert_max_num_queries
):
    center_services.concept_create(center=home_center, user=lead, title="Konzept")
    make_report(home_center, status=ReportStatus.READY)
    _grow_every_source(home_center, lead, 30)
    login(client, lead)
    client.get(page_url(home_center))
    areas = {e.area for e in entries(client.get(page_url(home_center)))}
    assert len(areas) == 6  # every area on the first page
    with django_assert_max_num_queries(40):
        client.get(page_url(home_center))
    assert TimelineEvent.objects.filter(center=home_center).count() > 100
