"""Plans, Schwerpunkte and staffing rows for the deployment tests (direct, fast)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from deployment import services
from deployment.models import DeploymentPlan, Focus, FocusAllocation, PlanStatus, ReviewComment
from deployment.periods import Period, current_period
from deployment.vocabularies import Field, Programme, Stage, TargetGroup
from staffing.models import Assignment, FundingSource, Post, PostKind, StaffMember


def make_plan(
    center, *, status=PlanStatus.DRAFT, period: Period | None = None, foci: int = 1, shared=False
) -> DeploymentPlan:
    period = period or current_period()
    plan = DeploymentPlan.objects.create(
        center=center, period_start=period.start, period_end=period.end, status=status
    )
    for n, (component, content) in enumerate(services.BASIC_FOCI.items()):
        Focus.objects.create(plan=plan, basic_component=component, position=n, **content)
    for n in range(foci):
        make_focus(plan, position=10 + n, shared=shared)
    return plan


def make_focus(plan, **overrides) -> Focus:
    values = {
        "title": "Seiteneinstieg in die Schule begleiten",
        "field": Field.EDUCATION,
        "stage": Stage.SCHOOL,
        "target_groups": [TargetGroup.SCHOOLS, TargetGroup.LATERAL_ENTRY],
        "goal": "Neu zugewanderte Kinder finden schnell einen Schulplatz.",
        "measures": "Erstberatung, Zuweisung mit dem Schulamt, Fortbildung der Lehrkräfte.",
        "indicators": "Beratene Familien: 120\nFortbildungen: 6",
        "partners": ["school_authority"],
        "programmes": [Programme.RUCKSACK_SCHOOL],
    }
    values.update(overrides)
    return Focus.objects.create(plan=plan, **values)


def make_comment(plan, user, *, focus=None, escalated=False, kind="school_authority"):
    from django.utils import timezone

    return ReviewComment.objects.create(
        plan=plan,
        focus=focus,
        author=user,
        author_kind=kind,
        text="Bitte die Zielwerte mit dem Schulamt abstimmen.",
        escalated_at=timezone.now() if escalated else None,
        escalated_by=user if escalated else None,
    )


_member_counter = [0]


def make_assignment(center, *, kind=PostKind.TEACHER, fte=Decimal("1.00"), post_fte=None):
    _member_counter[0] += 1
    n = _member_counter[0]
    post = Post.objects.create(
        center=center,
        label=f"Stelle {n}",
        kind=kind,
        fte=post_fte or fte,
        funding_source=(
            FundingSource.STATE_SCHOOL if kind == PostKind.TEACHER else FundingSource.STATE_GRANT
        ),
        valid_from=datetime.date(2020, 8, 1),
    )
    member = StaffMember.objects.create(
        center=center, last_name=f"Muster{n}", first_name="Erika", email=f"p{n}@example.org"
    )
    return Assignment.objects.create(
        member=member, post=post, fte=fte, start=datetime.date(2020, 8, 1)
    )


def make_allocation(focus, assignment, fte=Decimal("0.50")) -> FocusAllocation:
    return FocusAllocation.objects.create(focus=focus, assignment=assignment, fte=fte)
