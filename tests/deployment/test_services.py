"""The Einsatzmanagement's rules, as the decree puts them (§1.3.3, §3.5, §3.6, §5)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from centers.locking import ConflictError
from centers.models import Role
from deployment import services
from deployment.models import DeploymentPlan, Focus, FocusAllocation, PlanEventKind, PlanStatus
from deployment.periods import current_period, period_containing
from deployment.vocabularies import BasicComponent, Field, Stage
from staffing.models import PostKind
from tests.deployment import factories as f

pytestmark = pytest.mark.django_db


def _focus_data(**extra):
    return {
        "title": "Sprachbildung in Kitas",
        "field": Field.EARLY_LANGUAGE,
        "stage": Stage.ELEMENTARY,
        "target_groups": ["daycare"],
        "goal": "Mehr Kinder ohne Kita-Platz erreichen Sprachbildungsangebote.",
        "measures": "Griffbereit-Gruppen in drei Stadtteilen.",
        "indicators": "Gruppen: 3",
        "partners": ["early_education"],
        "other_partners": "",
        "programmes": ["griffbereit"],
        "shared": False,
        **extra,
    }


@pytest.fixture
def lead(home_center, user_as):
    return user_as(Role.CENTER_LEAD, home_center)


@pytest.fixture
def staff(home_center, user_as):
    return user_as(Role.CENTER_STAFF, home_center)


@pytest.fixture
def schulamt(home_center, user_as):
    return user_as(Role.SCHOOL_AUTHORITY, home_center)


@pytest.fixture
def lasi(home_center, user_as):
    return user_as(Role.LASI)


def test_period_is_two_school_years_from_first_of_august():
    assert str(period_containing(datetime.date(2026, 3, 1))) == "01.08.2025 – 31.07.2027"
    assert period_containing(datetime.date(2027, 8, 1)).start == datetime.date(2027, 8, 1)
    assert period_containing(datetime.date(2025, 7, 31)).end == datetime.date(2025, 7, 31)


def test_period_start_is_configurable(settings):
    settings.DEPLOYMENT_PERIOD_START = (1, 1)
    settings.DEPLOYMENT_PERIOD_ANCHOR_YEAR = 2026
    assert str(period_containing(datetime.date(2026, 3, 1))) == "01.01.2026 – 31.12.2027"


def test_every_new_plan_contains_the_grundfoerderung(home_center, staff):
    plan = services.plan_create(center=home_center, user=staff)
    components = set(plan.foci.values_list("basic_component", flat=True))
    assert components == {BasicComponent.LANGUAGE_MEDIATORS, BasicComponent.VOLUNTEERING}
    assert plan.events.get().kind == PlanEventKind.CREATED


def test_grundfoerderung_cannot_be_removed(home_center, staff):
    plan = services.plan_create(center=home_center, user=staff)
    basic = plan.foci.get(basic_component=BasicComponent.LANGUAGE_MEDIATORS)
    with pytest.raises(ValidationError, match="Grundförderung"):
        services.focus_delete(focus=basic, user=staff, expected_version=basic.version)
    assert plan.foci.count() == 2


def test_one_plan_per_centre_and_period(home_center, staff):
    services.plan_create(center=home_center, user=staff)
    with pytest.raises(ValidationError, match="bereits"):
        services.plan_create(center=home_center, user=staff)


def test_new_plan_starts_as_copy_of_the_previous_one(home_center, staff):
    previous = f.make_plan(
        home_center, status=PlanStatus.ACKNOWLEDGED, period=current_period().previous(), foci=2
    )
    plan = services.plan_create(center=home_center, user=staff)
    assert plan.foci.count() == previous.foci.count() == 4
    assert plan.foci.filter(basic_component="").count() == 2


def test_sponsor_may_not_draft(home_center, user_as):
    with pytest.raises(PermissionDenied):
        services.plan_create(center=home_center, user=user_as(Role.SPONSOR, home_center))
    assert not DeploymentPlan.objects.exists()


def test_the_whole_workflow_records_who_and_when_and_mails(
    home_center, lead, schulamt, lasi, django_capture_on_commit_callbacks
):
    plan = f.make_plan(home_center)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_submit(plan=plan, user=lead)
    assert mail.outbox[-1].to == [schulamt.email]
    assert "Benehmen" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_return(plan=plan, user=schulamt, reason="Zielwerte fehlen.")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    assert lead.email in mail.outbox[-1].to
    assert "Zielwerte fehlen." in mail.outbox[-1].body
    plan = services.plan_submit(plan=plan, user=lead)
    plan = services.plan_agree(plan=plan, user=schulamt)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_report(plan=plan, user=lead)
    assert lasi.email in mail.outbox[-1].to
    plan = services.plan_acknowledge(plan=plan, user=lasi)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACKNOWLEDGED
    assert plan.agreed_by == schulamt
    actions = list(plan.events.values_list("kind", "actor"))
    assert actions == [
        ("submitted", lead.pk),
        ("returned", schulamt.pk),
        ("submitted", lead.pk),
        ("agreed", schulamt.pk),
        ("reported", lead.pk),
        ("acknowledged", lasi.pk),
    ]
    assert plan.history.count() >= 6


def test_illegal_transitions_change_nothing(home_center, lead, schulamt, lasi, staff):
    plan = f.make_plan(home_center)
    with pytest.raises(ValidationError, match="nicht möglich"):
        plan = services.plan_agree(plan=plan, user=schulamt)
    with pytest.raises(ValidationError):
        plan = services.plan_report(plan=plan, user=lead)
    with pytest.raises(PermissionDenied):
        plan = services.plan_submit(
            plan=plan, user=staff
        )  # Mitarbeitende draft, only the Leitung submits
    with pytest.raises(PermissionDenied):
        plan = services.plan_acknowledge(plan=plan, user=schulamt)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not plan.events.exists()
    assert not mail.outbox


def test_return_needs_a_reason(home_center, schulamt):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    with pytest.raises(ValidationError, match="begründen"):
        plan = services.plan_return(plan=plan, user=schulamt, reason="  ")


def test_schulaufsicht_of_another_district_may_not_review(home_center, other_center, user_as):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        plan = services.plan_agree(plan=plan, user=user_as(Role.SCHOOL_AUTHORITY, other_center))


def test_agreed_plan_is_read_only(home_center, staff):
    plan = f.make_plan(home_center, status=PlanStatus.AGREED)
    focus = plan.foci.filter(basic_component="").get()
    with pytest.raises(ValidationError, match="neue Fassung"):
        services.focus_update(focus=focus, user=staff, data={"goal": "neu"}, expected_version=0)
    with pytest.raises(ValidationError):
        services.focus_create(plan=plan, user=staff, data=_focus_data())
    with pytest.raises(ValidationError):
        services.plan_update(plan=plan, user=staff, data={"summary": "x"}, expected_version=0)


def test_change_after_agreement_is_a_new_version_through_agreement_again(
    home_center, lead, schulamt
):
    plan = f.make_plan(home_center, status=PlanStatus.REPORTED)
    focus = plan.foci.filter(basic_component="").get()
    assignment = f.make_assignment(home_center)
    f.make_allocation(focus, assignment, Decimal("0.40"))
    new = services.plan_new_version(plan=plan, user=lead)
    plan.refresh_from_db()
    assert (plan.is_current, plan.status) == (False, PlanStatus.REPORTED)
    assert (new.revision, new.status, new.is_current) == (2, PlanStatus.DRAFT, True)
    assert new.foci.count() == plan.foci.count()
    assert FocusAllocation.objects.filter(focus__plan=new).get().fte == Decimal("0.40")
    new = services.plan_submit(plan=new, user=lead)
    new = services.plan_agree(plan=new, user=schulamt)
    new.refresh_from_db()
    assert new.status == PlanStatus.AGREED
    with pytest.raises(ValidationError):
        plan = services.plan_submit(plan=plan, user=lead)  # the old revision stays as it was


def test_second_concurrent_save_of_a_focus_gets_a_conflict(home_center, staff, lead):
    plan = f.make_plan(home_center)
    focus = plan.foci.filter(basic_component="").get()
    first = Focus.objects.get(pk=focus.pk)
    second = Focus.objects.get(pk=focus.pk)
    services.focus_update(focus=first, user=staff, data={"goal": "Ziel A"}, expected_version=0)
    with pytest.raises(ConflictError):
        services.focus_update(focus=second, user=lead, data={"goal": "Ziel B"}, expected_version=0)
    focus.refresh_from_db()
    assert focus.goal == "Ziel A"


def test_second_concurrent_save_of_the_plan_gets_a_conflict(home_center, staff, lead):
    plan = f.make_plan(home_center)
    services.plan_update(plan=plan, user=staff, data={"summary": "A"}, expected_version=0)
    with pytest.raises(ConflictError):
        services.plan_update(plan=plan, user=lead, data={"summary": "B"}, expected_version=0)
    plan.refresh_from_db()
    assert plan.summary == "A"


def test_saving_one_focus_leaves_the_others_alone(home_center, staff):
    plan = f.make_plan(home_center, foci=2)
    a, b = plan.foci.filter(basic_component="")
    services.focus_update(focus=a, user=staff, data={"title": "Neu"}, expected_version=0)
    b_before = Focus.objects.get(pk=b.pk)
    assert b_before.version == 0 and b_before.title == b.title
    plan.refresh_from_db()
    assert plan.version == 0


def test_basic_focus_keeps_its_title(home_center, staff):
    plan = f.make_plan(home_center)
    basic = plan.foci.get(basic_component=BasicComponent.VOLUNTEERING)
    services.focus_update(
        focus=basic, user=staff, data={"title": "Anders", "goal": "Neu"}, expected_version=0
    )
    basic.refresh_from_db()
    assert basic.title.startswith("Ehrenamtliches Engagement")
    assert basic.goal == "Neu"


def test_unknown_vocabulary_is_refused(home_center, staff):
    plan = f.make_plan(home_center)
    with pytest.raises(ValidationError):
        services.focus_create(plan=plan, user=staff, data=_focus_data(programmes=["erfunden"]))


def test_escalated_conflict_stays_open_until_the_schulaufsicht_resolves_it(
    home_center, lead, schulamt, django_capture_on_commit_callbacks
):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    comment = services.comment_add(plan=plan, user=schulamt, text="Zu wenig Schule.")
    assert comment.author_kind == "school_authority"
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_escalate(comment=comment, user=lead)
    comment.refresh_from_db()
    assert comment.is_open_conflict
    assert schulamt.email in mail.outbox[-1].to
    with pytest.raises(ValidationError, match="offene Konflikte"):
        plan = services.plan_agree(plan=plan, user=schulamt)
    services.comment_resolve(comment=comment, user=schulamt, resolution="Gespräch am 3.3.")
    comment.refresh_from_db()
    assert not comment.is_open_conflict
    plan = services.plan_agree(plan=plan, user=schulamt)
    assert list(plan.events.values_list("kind", flat=True)) == [
        "escalated",
        "resolved",
        "agreed",
    ]


def test_only_the_leitung_escalates(home_center, staff, schulamt):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    comment = services.comment_add(plan=plan, user=schulamt, text="Bitte ändern.")
    with pytest.raises(PermissionDenied):
        services.comment_escalate(comment=comment, user=staff)


def test_replies_join_the_thread(home_center, staff, schulamt):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    focus = plan.foci.filter(basic_component="").get()
    first = services.comment_add(plan=plan, user=schulamt, text="Frage", focus=focus)
    reply = services.comment_add(plan=plan, user=staff, text="Antwort", parent=first)
    assert (reply.parent, reply.focus, reply.author_kind) == (first, focus, "center")


def test_sponsor_cannot_comment(home_center, user_as):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.comment_add(plan=plan, user=user_as(Role.SPONSOR, home_center), text="x")


def test_verbund_copy_takes_content_not_staff(home_center, other_center, user_as):
    source_plan = f.make_plan(home_center, shared=True)
    source = source_plan.foci.get(shared=True)
    f.make_allocation(source, f.make_assignment(home_center))
    target = f.make_plan(other_center)
    bonn = user_as(Role.CENTER_STAFF, other_center)
    copy = services.verbund_copy(focus=source, target_plan=target, user=bonn)
    assert copy.plan == target and copy.copied_from == source
    assert (copy.title, copy.goal) == (source.title, source.goal)
    assert not copy.shared and not copy.is_basic
    assert not copy.allocations.exists()


def test_verbund_copy_needs_own_draft_and_a_shared_focus(home_center, other_center, user_as):
    source = f.make_plan(home_center, shared=True).foci.get(shared=True)
    bonn = user_as(Role.CENTER_STAFF, other_center)
    with pytest.raises(PermissionDenied):
        services.verbund_copy(focus=source, target_plan=source.plan, user=bonn)
    agreed = f.make_plan(other_center, status=PlanStatus.AGREED)
    with pytest.raises(ValidationError):
        services.verbund_copy(focus=source, target_plan=agreed, user=bonn)
    source.shared = False
    source.save()
    draft = f.make_plan(other_center, period=current_period().next())
    with pytest.raises(ValidationError, match="nicht im Verbund"):
        services.verbund_copy(focus=source, target_plan=draft, user=bonn)


def test_allocation_set_update_and_remove(home_center, staff, other_center):
    plan = f.make_plan(home_center)
    focus = plan.foci.filter(basic_component="").get()
    assignment = f.make_assignment(home_center)
    services.allocation_set(focus=focus, assignment=assignment, fte=Decimal("0.5"), user=staff)
    services.allocation_set(focus=focus, assignment=assignment, fte=Decimal("0.75"), user=staff)
    assert FocusAllocation.objects.get().fte == Decimal("0.75")
    services.allocation_set(focus=focus, assignment=assignment, fte=Decimal("0"), user=staff)
    assert not FocusAllocation.objects.exists()
    with pytest.raises(ValidationError, match="Zentrum"):
        services.allocation_set(
            focus=focus, assignment=f.make_assignment(other_center), fte=Decimal("0.5"), user=staff
        )


def test_allocation_overview_flags_over_and_under_and_splits_teachers(home_center):
    from deployment.selectors import allocation_overview

    plan = f.make_plan(home_center, foci=2)
    a, b = plan.foci.filter(basic_component="")
    teacher = f.make_assignment(home_center, kind=PostKind.TEACHER, fte=Decimal("1.00"))
    specialist = f.make_assignment(home_center, kind=PostKind.SPECIALIST, fte=Decimal("0.50"))
    f.make_allocation(a, teacher, Decimal("0.60"))
    f.make_allocation(b, teacher, Decimal("0.60"))
    f.make_allocation(a, specialist, Decimal("0.25"))
    overview = allocation_overview(plan)
    rows = {r.assignment.pk: r for r in overview.rows}
    assert rows[teacher.pk].flag == "over" and rows[teacher.pk].allocated == Decimal("1.20")
    assert rows[specialist.pk].flag == "under"
    assert [r.assignment for r in overview.teacher_rows] == [teacher]
    assert overview.teacher_total == Decimal("1.20")
    assert overview.focus_time[a.pk].teacher == Decimal("0.60")
    assert overview.focus_time[a.pk].total == Decimal("0.85")
