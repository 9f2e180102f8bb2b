"""The decree's rules, read like its sentences (Nr. 3.2–3.4, Nr. 4.1–4.3)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from centers.models import Role
from staffing import rules, selectors, services
from staffing.models import (
    AssignmentRole,
    ExceptionStatus,
    PostKind,
    Qualification,
    StaffingQuota,
)

from .factories import AssignmentFactory, PostFactory, StaffMemberFactory

TODAY = date(2026, 3, 1)


def codes(center, today=TODAY):
    return [w.code for w in selectors.center_staffing(center, today=today).warnings]


@pytest.fixture
def lead(home_center, user_as):
    return user_as(Role.CENTER_LEAD, home_center)


def _teachers(center, total):
    for _ in range(total):
        AssignmentFactory(post=PostFactory(center=center, kind=PostKind.TEACHER))


def test_teacher_fte_different_from_quota_is_a_warning(home_center):
    _teachers(home_center, 1)
    assert "quota" in codes(home_center)
    _teachers(home_center, 1)
    assert "quota" not in codes(home_center)


def test_the_quota_is_data_the_ministry_can_change(home_center):
    _teachers(home_center, 2)
    StaffingQuota.objects.create(
        center=home_center, kind=PostKind.TEACHER, fte=Decimal("3.0"), valid_from=date(2026, 1, 1)
    )
    warnings = selectors.center_staffing(home_center, today=TODAY).warnings
    assert any("Soll 3,00" in w.message for w in warnings)


def test_default_quota_depends_on_the_kind_of_traeger(home_center, other_center):
    mettmann = type(home_center).objects.select_related("sponsor").get(key="05158")
    quotas = selectors.quotas_for([home_center, mettmann], TODAY)
    assert quotas[home_center.pk][PostKind.SPECIALIST] == Decimal("5.0")  # kreisfreie Stadt
    assert quotas[mettmann.pk][PostKind.SPECIALIST] == Decimal("6.0")  # Kreis
    assert quotas[home_center.pk][PostKind.ADMIN_ASSISTANT] == Decimal("0.5")


def test_a_part_time_post_should_be_split_into_two_equal_shares(home_center):
    post = PostFactory(center=home_center)
    AssignmentFactory(post=post, fte=Decimal("0.5"))
    AssignmentFactory(post=post, fte=Decimal("0.5"))
    assert "split" not in codes(home_center)
    other = PostFactory(center=home_center)
    AssignmentFactory(post=other, fte=Decimal("0.6"))
    AssignmentFactory(post=other, fte=Decimal("0.4"))
    assert "split" in codes(home_center)


def test_a_vacancy_shows_since_when(home_center):
    post = PostFactory(center=home_center, valid_from=date(2020, 1, 1))
    AssignmentFactory(post=post, start=date(2021, 1, 1), end=date(2025, 6, 30))
    warning = next(
        w
        for w in selectors.center_staffing(home_center, today=TODAY).warnings
        if w.code == "vacancy"
    )
    assert warning.since == date(2025, 7, 1)
    assert "01.07.2025" in warning.message


def test_fachkraft_without_qualification_needs_an_approved_exception(home_center, lead, user_as):
    member = StaffMemberFactory(center=home_center, qualification=Qualification.OTHER)
    AssignmentFactory(post=PostFactory(center=home_center), member=member)
    assert "qualification" in codes(home_center)
    exc = services.exception_propose(
        member=member, kind=PostKind.SPECIALIST, reason="Berufserfahrung", user=lead
    )
    assert "qualification" in codes(home_center)
    sponsor = user_as(Role.SPONSOR, home_center)
    services.exception_decide(
        exception=exc, approve=True, note="gleichwertig", user=sponsor, expected_version=0
    )
    exc.refresh_from_db()
    assert exc.status == ExceptionStatus.APPROVED
    assert (exc.decided_by, exc.decided_on) == (sponsor, timezone.localdate())
    assert "qualification" not in codes(home_center)


def test_only_the_traeger_decides_and_only_the_leitung_proposes(home_center, lead, user_as):
    member = StaffMemberFactory(center=home_center, qualification=Qualification.OTHER)
    with pytest.raises(PermissionDenied):
        services.exception_propose(
            member=member,
            kind=PostKind.SPECIALIST,
            reason="x",
            user=user_as(Role.SPONSOR, home_center),
        )
    exc = services.exception_propose(member=member, kind=PostKind.SPECIALIST, reason="x", user=lead)
    with pytest.raises(PermissionDenied):
        services.exception_decide(
            exception=exc, approve=True, note="ok", user=lead, expected_version=0
        )


def test_verwaltungsassistenz_needs_the_4_2_training(home_center):
    member = StaffMemberFactory(center=home_center, qualification=Qualification.ADMIN_TRAINING)
    AssignmentFactory(
        post=PostFactory(center=home_center, kind=PostKind.ADMIN_ASSISTANT, fte=Decimal("0.5")),
        member=member,
        fte=Decimal("0.5"),
    )
    assert "qualification" not in codes(home_center)
    member.qualification = Qualification.OTHER
    member.save()
    assert "qualification" in codes(home_center)


def test_a_person_over_100_percent_is_a_warning(home_center):
    member = StaffMemberFactory(center=home_center)
    AssignmentFactory(post=PostFactory(center=home_center), member=member, fte=Decimal("0.8"))
    AssignmentFactory(post=PostFactory(center=home_center), member=member, fte=Decimal("0.5"))
    assert "overallocation" in codes(home_center)


def test_deputy_must_come_from_the_other_profession(home_center, lead):
    lead_post = PostFactory(center=home_center, kind=PostKind.TEACHER)
    services.assignment_create(
        user=lead,
        member=StaffMemberFactory(center=home_center),
        post=lead_post,
        fte=Decimal("1"),
        start=date(2025, 8, 1),
        role=AssignmentRole.LEAD,
    )
    with pytest.raises(ValidationError, match="Nr. 4.3"):
        services.assignment_create(
            user=lead,
            member=StaffMemberFactory(center=home_center),
            post=PostFactory(center=home_center, kind=PostKind.TEACHER),
            fte=Decimal("1"),
            start=date(2025, 8, 1),
            role=AssignmentRole.DEPUTY,
        )
    services.assignment_create(
        user=lead,
        member=StaffMemberFactory(center=home_center),
        post=PostFactory(center=home_center, kind=PostKind.SPECIALIST),
        fte=Decimal("1"),
        start=date(2025, 8, 1),
        role=AssignmentRole.DEPUTY,
    )


def test_only_one_leitung_at_a_time_but_one_after_another(home_center, lead):
    def lead_from(start, end=None):
        return services.assignment_create(
            user=lead,
            member=StaffMemberFactory(center=home_center),
            post=PostFactory(center=home_center),
            fte=Decimal("1"),
            start=start,
            end=end,
            role=AssignmentRole.LEAD,
        )

    lead_from(date(2020, 1, 1), date(2024, 12, 31))
    lead_from(date(2025, 1, 1))
    with pytest.raises(ValidationError, match="nur eine Leitung"):
        lead_from(date(2025, 6, 1))


def test_an_assignment_must_lie_within_its_posts_period(home_center, lead):
    post = PostFactory(center=home_center, valid_from=date(2025, 1, 1), valid_to=date(2026, 12, 31))
    member = StaffMemberFactory(center=home_center)
    for start, end in [(date(2024, 12, 1), date(2025, 6, 1)), (date(2025, 1, 1), None)]:
        with pytest.raises(ValidationError, match="außerhalb des Zeitraums"):
            services.assignment_create(
                user=lead, member=member, post=post, fte=Decimal("1"), start=start, end=end
            )


@pytest.mark.parametrize("fte", ["0", "-0.5", "1.01", "1.5"])
def test_fte_must_lie_in_zero_to_one(home_center, lead, fte):
    with pytest.raises(ValidationError, match="höchstens 1"):
        services.assignment_create(
            user=lead,
            member=StaffMemberFactory(center=home_center),
            post=PostFactory(center=home_center),
            fte=Decimal(fte),
            start=date(2025, 1, 1),
        )


def test_warnings_for_all_centres_take_a_constant_number_of_queries(
    django_assert_max_num_queries, home_center, other_center
):
    centers = list(type(home_center).objects.select_related("sponsor"))
    for center in (home_center, other_center):
        AssignmentFactory(post=PostFactory(center=center))
    with django_assert_max_num_queries(4):
        result = selectors.staffing_of(centers, today=TODAY)
    assert len(result) == 54


def test_leadership_rule_works_on_plain_tenures():
    t = rules.Tenure
    a = t(1, 1, PostKind.SPECIALIST, AssignmentRole.LEAD, date(2025, 1, 1), None)
    b = t(2, 1, PostKind.SPECIALIST, AssignmentRole.DEPUTY, date(2025, 1, 1), date(2025, 3, 1))
    c = t(3, 1, PostKind.TEACHER, AssignmentRole.DEPUTY, date(2025, 3, 2), None)
    assert {x.ref for x, _m in rules.leadership_errors([a, b, c])} == {1, 2}
