"""What the KI-Leitung and the Schulaufsicht are told before a plan is sent on (Nr. 3.6),
and what stops taking over a Verbund Schwerpunkt twice (Nr. 5)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centers.models import Role
from deployment import services
from deployment.checks import plan_warnings, verbund_copy_blockers
from deployment.models import PlanStatus
from deployment.periods import current_period
from staffing.models import Assignment, FundingSource, Post, PostKind
from tests import factories
from tests.deployment import factories as f

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def plan(home_center):
    """A draft with the two Grundförderung parts (no target values by design) and one
    Schwerpunkt of the centre's own with target values."""
    return f.make_plan(home_center, foci=1)


@pytest.fixture
def own_focus(plan):
    return plan.foci.get(basic_component="")


def _second_post(member, *, label):
    """A second post of 0,50 VZÄ for ``member``, held since 2020 like the factory's."""
    fte = D("0.50")
    post = Post.objects.create(
        center=member.center,
        label=label,
        kind=PostKind.SPECIALIST,
        fte=fte,
        funding_source=FundingSource.STATE_GRANT,
        valid_from=datetime.date(2020, 8, 1),
    )
    return Assignment.objects.create(
        member=member, post=post, fte=fte, start=datetime.date(2020, 8, 1)
    )


# --- plan_warnings: a complete plan ------------------------------------------------------


def test_a_plan_with_all_staff_time_on_schwerpunkte_and_targets_set_has_no_warnings(
    home_center, plan, own_focus
):
    basic = plan.foci.exclude(basic_component="").first()
    teacher = f.make_assignment(home_center, kind=PostKind.TEACHER, fte=D("1.00"))
    specialist = f.make_assignment(home_center, kind=PostKind.SPECIALIST, fte=D("0.50"))
    f.make_allocation(own_focus, teacher, D("0.60"))
    f.make_allocation(basic, teacher, D("0.40"))
    f.make_allocation(own_focus, specialist, D("0.50"))

    assert plan_warnings(plan) == []


def test_a_plan_without_staff_has_no_staff_warnings(plan):
    assert plan_warnings(plan) == []


# --- a) staff time not on any Schwerpunkt ------------------------------------------------


def test_a_person_without_any_schwerpunkt_is_named_with_the_share(home_center, plan):
    assignment = f.make_assignment(home_center, kind=PostKind.SPECIALIST, fte=D("0.50"))
    name = str(assignment.member)

    assert plan_warnings(plan) == [f"{name} (0,50 VZÄ) ist keinem Schwerpunkt zugeordnet."]


def test_a_person_only_partly_on_schwerpunkte_is_named_with_both_shares(
    home_center, plan, own_focus
):
    assignment = f.make_assignment(home_center, kind=PostKind.SPECIALIST, fte=D("0.50"))
    f.make_allocation(own_focus, assignment, D("0.25"))

    assert plan_warnings(plan) == [
        f"{assignment.member} ist nur zu 0,25 von 0,50 VZÄ Schwerpunkten zugeordnet."
    ]


def test_staff_time_counts_over_all_schwerpunkte_of_the_plan(home_center, plan, own_focus):
    basic = plan.foci.exclude(basic_component="").first()
    assignment = f.make_assignment(home_center, fte=D("1.00"))
    f.make_allocation(own_focus, assignment, D("0.50"))
    f.make_allocation(basic, assignment, D("0.25"))

    assert plan_warnings(plan) == [
        f"{assignment.member} ist nur zu 0,75 von 1,00 VZÄ Schwerpunkten zugeordnet."
    ]


def test_time_on_another_plan_does_not_count_for_this_one(home_center, plan):
    other_period = f.make_plan(home_center, period=current_period().next())
    assignment = f.make_assignment(home_center, fte=D("0.50"))
    f.make_allocation(other_period.foci.get(basic_component=""), assignment, D("0.50"))

    assert plan_warnings(plan) == [
        f"{assignment.member} (0,50 VZÄ) ist keinem Schwerpunkt zugeordnet."
    ]


def test_only_staff_of_the_centre_during_the_plan_period_is_checked(
    home_center, other_center, plan
):
    f.make_assignment(other_center, fte=D("1.00"))
    gone = f.make_assignment(home_center, fte=D("1.00"))
    gone.end = plan.period_start - datetime.timedelta(days=1)
    gone.save()
    later = f.make_assignment(home_center, fte=D("1.00"))
    later.start = plan.period_end + datetime.timedelta(days=1)
    later.save()

    assert plan_warnings(plan) == []


def test_a_person_with_two_posts_is_told_apart_by_post(home_center, plan, own_focus):
    first = f.make_assignment(home_center, kind=PostKind.SPECIALIST, fte=D("0.50"))
    second = _second_post(first.member, label="Fachkraft 9")
    f.make_allocation(own_focus, first, D("0.50"))

    assert plan_warnings(plan) == [
        f"{first.member} – Fachkraft 9 (0,50 VZÄ) ist keinem Schwerpunkt zugeordnet."
    ]
    assert str(second) == f"{first.member} – Fachkraft 9"


def test_a_person_twice_on_one_post_is_told_apart_by_start(home_center, plan, own_focus):
    start = plan.period_start + datetime.timedelta(days=365)
    first = f.make_assignment(home_center, kind=PostKind.SPECIALIST, fte=D("0.50"))
    first.end = start - datetime.timedelta(days=1)
    first.save()
    renewed = Assignment.objects.create(
        member=first.member, post=first.post, fte=D("0.50"), start=start
    )
    f.make_allocation(own_focus, first, D("0.50"))

    assert plan_warnings(plan) == [
        f"{renewed} ab {start:%d.%m.%Y} (0,50 VZÄ) ist keinem Schwerpunkt zugeordnet."
    ]


# --- b) staff time beyond the assignment's share -----------------------------------------


def test_a_person_over_allocated_is_named_with_both_shares(home_center, plan, own_focus):
    """The allocation form may refuse this; data from before (or the admin) need not."""
    basic = plan.foci.exclude(basic_component="").first()
    assignment = f.make_assignment(home_center, kind=PostKind.SPECIALIST, fte=D("0.50"))
    f.make_allocation(own_focus, assignment, D("0.50"))
    f.make_allocation(basic, assignment, D("0.25"))

    assert plan_warnings(plan) == [
        f"{assignment.member} ist Schwerpunkten mit 0,75 VZÄ zugeordnet, "
        "die Besetzung umfasst aber nur 0,50 VZÄ."
    ]


def test_each_assignment_is_checked_on_its_own_share(home_center, plan, own_focus):
    """1,00 VZÄ on two posts of 0,50: one post's time must not cover the other's."""
    first = f.make_assignment(home_center, kind=PostKind.SPECIALIST, fte=D("0.50"))
    second = _second_post(first.member, label="Fachkraft 9")
    f.make_allocation(own_focus, first, D("1.00"))

    assert plan_warnings(plan) == [
        f"{first} ist Schwerpunkten mit 1,00 VZÄ zugeordnet, "
        "die Besetzung umfasst aber nur 0,50 VZÄ.",
        f"{second} (0,50 VZÄ) ist keinem Schwerpunkt zugeordnet.",
    ]


# --- c) Schwerpunkte without a target value -----------------------------------------------


@pytest.mark.parametrize(
    "indicators",
    ["", "Beratene Familien", "Beratene Familien:\nFortbildungen:  ", "- Beratene Familien: "],
)
def test_a_schwerpunkt_without_a_target_value_is_named(plan, own_focus, indicators):
    own_focus.indicators = indicators
    own_focus.save()

    assert plan_warnings(plan) == [
        f"Für den Schwerpunkt „{own_focus.title}“ ist kein Zielwert angegeben "
        "(Indikatoren je Zeile als „Indikator: Zielwert“)."
    ]


def test_one_target_value_is_enough(plan, own_focus):
    own_focus.indicators = "Beratene Familien:\nFortbildungen: 6"
    own_focus.save()

    assert plan_warnings(plan) == []


def test_the_grundfoerderung_parts_need_no_target_value(plan):
    """§1.3.3's parts come with empty targets ("Vermittelte Einsätze pro Jahr: ")."""
    basic = plan.foci.exclude(basic_component="")
    assert basic.count() == 2
    assert all(not target for focus in basic for _name, target in focus.indicator_rows())

    assert plan_warnings(plan) == []


def test_staff_warnings_come_before_schwerpunkt_warnings_in_plan_order(home_center, plan):
    second = f.make_focus(plan, title="Sprachbildung in Kitas", indicators="", position=20)
    first = f.make_focus(plan, title="Elternarbeit", indicators="", position=15)
    assignment = f.make_assignment(home_center, fte=D("0.50"))

    assert plan_warnings(plan) == [
        f"{assignment.member} (0,50 VZÄ) ist keinem Schwerpunkt zugeordnet.",
        f"Für den Schwerpunkt „{first.title}“ ist kein Zielwert angegeben "
        "(Indikatoren je Zeile als „Indikator: Zielwert“).",
        f"Für den Schwerpunkt „{second.title}“ ist kein Zielwert angegeben "
        "(Indikatoren je Zeile als „Indikator: Zielwert“).",
    ]


# --- query counts ------------------------------------------------------------------------


def _count(fn, *args, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        result = fn(*args, **kwargs)
    return len(ctx.captured_queries), result


def test_plan_warnings_read_with_the_same_queries_at_1x_and_10x(home_center, plan):
    def grow(k):
        for _ in range(k):
            focus = f.make_focus(plan, indicators="")
            full = f.make_assignment(home_center, fte=D("0.50"))
            f.make_allocation(focus, full, D("0.50"))
            partly = f.make_assignment(home_center, fte=D("1.00"))
            f.make_allocation(focus, partly, D("0.25"))
            f.make_assignment(home_center, fte=D("0.50"))

    grow(1)
    small, warnings = _count(plan_warnings, plan)
    assert len(warnings) == 3
    grow(9)
    large, warnings = _count(plan_warnings, plan)
    assert len(warnings) == 30
    assert small == large <= 3


# --- verbund_copy_blockers ----------------------------------------------------------------


@pytest.fixture
def shared(home_center):
    return f.make_plan(home_center, shared=True).foci.get(shared=True)


@pytest.fixture
def bonn_plan(other_center):
    return f.make_plan(other_center)


@pytest.fixture
def bonn_staff(other_center, user_as):
    return user_as(Role.CENTER_STAFF, other_center)


def test_a_schwerpunkt_not_yet_taken_over_may_be_taken_over(shared, bonn_plan):
    assert verbund_copy_blockers(focus=shared, target_plan=bonn_plan) == []


def test_a_schwerpunkt_taken_over_once_is_refused_a_second_time(shared, bonn_plan, bonn_staff):
    services.verbund_copy(focus=shared, target_plan=bonn_plan, user=bonn_staff)

    assert verbund_copy_blockers(focus=shared, target_plan=bonn_plan) == [
        f"Der Schwerpunkt „{shared.title}“ des Zentrums „{shared.plan.center.name}“ "
        "wurde bereits in dieses Einsatzmanagement übernommen."
    ]


def test_the_copy_service_refuses_a_second_copy_and_changes_nothing(shared, bonn_plan, bonn_staff):
    services.verbund_copy(focus=shared, target_plan=bonn_plan, user=bonn_staff)
    count = bonn_plan.foci.count()
    with pytest.raises(ValidationError, match="wurde bereits in dieses Einsatzmanagement"):
        services.verbund_copy(focus=shared, target_plan=bonn_plan, user=bonn_staff)
    assert bonn_plan.foci.count() == count


def test_a_renamed_copy_still_counts_and_is_named(shared, bonn_plan, bonn_staff):
    copy = services.verbund_copy(focus=shared, target_plan=bonn_plan, user=bonn_staff)
    copy.title = "Seiteneinstieg in Bonn"
    copy.save()

    assert verbund_copy_blockers(focus=shared, target_plan=bonn_plan) == [
        f"Der Schwerpunkt „{shared.title}“ des Zentrums „{shared.plan.center.name}“ "
        "wurde bereits in dieses Einsatzmanagement übernommen (als „Seiteneinstieg in Bonn“)."
    ]


def test_a_copy_in_another_plan_does_not_block(shared, other_center, bonn_plan, bonn_staff):
    next_plan = f.make_plan(other_center, period=current_period().next())
    services.verbund_copy(focus=shared, target_plan=next_plan, user=bonn_staff)

    assert verbund_copy_blockers(focus=shared, target_plan=bonn_plan) == []


def test_a_same_titled_schwerpunkt_of_ones_own_does_not_block(shared, bonn_plan):
    """Only a recorded copy blocks: two centres may well name a Schwerpunkt alike."""
    f.make_focus(bonn_plan, title=shared.title)

    assert verbund_copy_blockers(focus=shared, target_plan=bonn_plan) == []


def test_another_centres_schwerpunkt_copied_from_elsewhere_does_not_block(
    shared, bonn_plan, bonn_staff
):
    dortmund = factories.center("05913")
    elsewhere = f.make_plan(dortmund, shared=True).foci.get(shared=True)
    services.verbund_copy(focus=elsewhere, target_plan=bonn_plan, user=bonn_staff)

    assert verbund_copy_blockers(focus=shared, target_plan=bonn_plan) == []


def test_a_centres_own_schwerpunkt_cannot_be_taken_into_its_own_plan(shared):
    assert verbund_copy_blockers(focus=shared, target_plan=shared.plan) == [
        f"Der Schwerpunkt „{shared.title}“ gehört bereits zu diesem Einsatzmanagement."
    ]


def test_a_copy_carried_into_a_new_revision_still_blocks(
    shared, other_center, bonn_plan, bonn_staff, user_as
):
    services.verbund_copy(focus=shared, target_plan=bonn_plan, user=bonn_staff)
    bonn_plan.status = PlanStatus.AGREED
    bonn_plan.save()
    revision = services.plan_new_version(
        plan=bonn_plan, user=user_as(Role.CENTER_LEAD, other_center)
    )

    assert verbund_copy_blockers(focus=shared, target_plan=revision) != []


def test_verbund_copy_blockers_read_with_one_query_at_1x_and_10x(
    shared, other_center, bonn_plan, bonn_staff
):
    later = f.make_plan(other_center, period=current_period().next(), foci=0)

    def grow(k):
        for _ in range(k):
            f.make_focus(bonn_plan)
            f.make_focus(later, copied_from=shared)

    services.verbund_copy(focus=shared, target_plan=bonn_plan, user=bonn_staff)
    grow(1)
    small, blockers = _count(verbund_copy_blockers, focus=shared, target_plan=bonn_plan)
    grow(9)
    large, blockers_10x = _count(verbund_copy_blockers, focus=shared, target_plan=bonn_plan)
    assert blockers == blockers_10x and len(blockers) == 1
    assert small == large == 1
