"""Reads of the Einsatzmanagement, scoped to a user (``centers.access``).

Each selector decides its ``select_related`` / ``prefetch_related`` once, so
page query counts do not grow with the data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from centers.access import Capability, holds_anywhere, scoped
from centers.collation import sort_key
from centers.models import Center
from staffing.models import Assignment, Post, PostKind, StaffMember

from .models import DeploymentPlan, Focus, FocusAllocation, PlanStatus, ReviewComment
from .periods import Period, current_period


def plans_visible_to(user, perm: str = Capability.VIEW_PLAN) -> QuerySet[DeploymentPlan]:
    """Plans of the centres on which ``user`` holds ``perm`` (404 outside)."""
    return scoped(DeploymentPlan.objects.all(), user, perm).select_related(
        "center", "center__sponsor", "center__school_authority", "predecessor"
    )


def plan_list_for(user) -> QuerySet[DeploymentPlan]:
    """The plan list: current revisions with counts of Schwerpunkte and open conflicts."""
    return (
        plans_visible_to(user)
        .filter(is_current=True)
        .annotate(
            focus_count=Count("foci", distinct=True),
            open_conflicts=Count(
                "comments",
                filter=Q(comments__escalated_at__isnull=False, comments__resolved_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-period_start", "center__name")
    )


def plan_foci(plan: DeploymentPlan) -> QuerySet[Focus]:
    return plan.foci.select_related("copied_from__plan__center").order_by("position", "id")


def plan_comments(plan: DeploymentPlan) -> list[ReviewComment]:
    """Threads (first comment with its replies), oldest first; one query each level."""
    replies = ReviewComment.objects.select_related("author").order_by("created_at", "id")
    return list(
        plan.comments.filter(parent__isnull=True)
        .select_related("author", "focus", "escalated_by", "resolved_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
    )


def plan_revisions(plan: DeploymentPlan) -> list[DeploymentPlan]:
    """Every revision of the plan's period, newest first. A current first revision is the
    only one (a new revision counts up and becomes the current one): no query for it."""
    if plan.revision == 1 and plan.is_current:
        return [plan]
    return list(
        DeploymentPlan.objects.filter(
            center_id=plan.center_id, period_start=plan.period_start
        ).order_by("-revision")
    )


def current_plan_of(center: Center, period: Period | None = None) -> DeploymentPlan | None:
    period = period or current_period()
    return DeploymentPlan.objects.filter(
        center=center, period_start=period.start, is_current=True
    ).first()


def draft_plans_for(user) -> QuerySet[DeploymentPlan]:
    """Plans the user may copy a Verbund Schwerpunkt into."""
    return (
        plans_visible_to(user, Capability.EDIT_PLAN_DRAFT)
        .filter(is_current=True, status__in=PlanStatus.editable())
        .order_by("-period_start", "center__name")
    )


# --- LaSI overview ---------------------------------------------------------------


@dataclass
class OverviewRow:
    center: Center
    plan: DeploymentPlan | None

    @property
    def missing(self) -> bool:
        return self.plan is None


def state_overview(period: Period, centers: QuerySet[Center]) -> list[OverviewRow]:
    """Every centre with its current plan for ``period`` (None when missing). Two queries."""
    teacher_time = (
        FocusAllocation.objects.filter(
            focus__plan=OuterRef("pk"), assignment__post__kind=PostKind.TEACHER
        )
        .order_by()
        .values("focus__plan")
        .annotate(total=Sum("fte"))
        .values("total")
    )
    plans = {
        p.center_id: p
        for p in DeploymentPlan.objects.filter(
            period_start=period.start, is_current=True, center__in=centers
        ).annotate(
            teacher_fte=Subquery(teacher_time),
            focus_count=Count("foci", distinct=True),
            open_conflicts=Count(
                "comments",
                filter=Q(comments__escalated_at__isnull=False, comments__resolved_at__isnull=True),
                distinct=True,
            ),
        )
    }
    return [
        OverviewRow(center=c, plan=plans.get(c.pk))
        for c in centers.select_related("sponsor", "school_authority").order_by("name")
    ]


# --- Verbund (Nr. 5) ----------------------------------------------------------------


def foci_shared_in_verbund(user) -> QuerySet[Focus]:
    """Shared Schwerpunkte of every centre's current plan. Never staff or allocations."""
    if not holds_anywhere(user, Capability.USE_VERBUND):
        return Focus.objects.none()
    return (
        Focus.objects.filter(shared=True, plan__is_current=True)
        .select_related("plan__center__sponsor")
        .order_by("-plan__period_start", "plan__center__name", "position", "id")
    )


# --- staff time --------------------------------------------------------------------


@dataclass
class FocusTime:
    """Staff time on one Schwerpunkt, without names (safe for every plan reader)."""

    total: Decimal = Decimal("0")
    teacher: Decimal = Decimal("0")


def focus_time_totals(plan: DeploymentPlan) -> dict[int, FocusTime]:
    """FTE per Schwerpunkt, teacher time separately. One query."""
    totals: dict[int, FocusTime] = defaultdict(FocusTime)
    for row in FocusAllocation.objects.filter(focus__plan=plan).values(
        "focus_id", "fte", "assignment__post__kind"
    ):
        t = totals[row["focus_id"]]
        t.total += row["fte"]
        if row["assignment__post__kind"] == PostKind.TEACHER:
            t.teacher += row["fte"]
    return totals


def plan_assignments(plan: DeploymentPlan) -> QuerySet[Assignment]:
    """Assignments of the plan's centre that overlap the plan period."""
    return (
        Assignment.objects.filter(post__center_id=plan.center_id, start__lte=plan.period_end)
        .filter(Q(end__isnull=True) | Q(end__gte=plan.period_start))
        .select_related("member", "post")
        .order_by("member__last_name", "member__first_name", "start", "pk")
    )


@dataclass
class AssignmentTime:
    assignment: Assignment
    allocations: list = field(default_factory=list)

    @property
    def allocated(self) -> Decimal:
        return sum((a.fte for a in self.allocations), Decimal("0"))

    @property
    def difference(self) -> Decimal:
        return self.allocated - self.assignment.fte

    @property
    def flag(self) -> str:
        if self.allocated > self.assignment.fte:
            return "over"
        if self.allocated < self.assignment.fte:
            return "under"
        return "ok"

    @property
    def is_teacher(self) -> bool:
        return self.assignment.post.kind == PostKind.TEACHER


@dataclass
class PostTime:
    post: Post
    assigned: Decimal = Decimal("0")
    allocated: Decimal = Decimal("0")

    @property
    def flag(self) -> str:
        if self.allocated > self.post.fte:
            return "over"
        if self.allocated < self.post.fte:
            return "under"
        return "ok"


@dataclass
class PersonTime:
    member: StaffMember
    fte: Decimal = Decimal("0")
    allocated: Decimal = Decimal("0")

    @property
    def flag(self) -> str:
        if self.allocated > self.fte:
            return "over"
        if self.allocated < self.fte:
            return "under"
        return "ok"


@dataclass
class AllocationOverview:
    rows: list[AssignmentTime]
    people: list[PersonTime]
    posts: list[PostTime]
    foci: list[Focus]
    focus_time: dict[int, FocusTime]

    @property
    def teacher_rows(self):
        return [r for r in self.rows if r.is_teacher]

    @property
    def other_rows(self):
        return [r for r in self.rows if not r.is_teacher]

    @property
    def teacher_total(self) -> Decimal:
        return sum((r.allocated for r in self.teacher_rows), Decimal("0"))

    @property
    def total(self) -> Decimal:
        return sum((r.allocated for r in self.rows), Decimal("0"))

    @property
    def assigned_total(self) -> Decimal:
        return sum((r.assignment.fte for r in self.rows), Decimal("0"))

    @property
    def over_count(self) -> int:
        return sum(1 for p in self.people if p.flag == "over")

    @property
    def under_count(self) -> int:
        return sum(1 for p in self.people if p.flag == "under")


def allocation_overview(
    plan: DeploymentPlan, foci: list[Focus] | None = None
) -> AllocationOverview:
    """Per assignment, person and post: allocated share vs. FTE. Three queries."""
    assignments = list(plan_assignments(plan))
    allocations = list(
        FocusAllocation.objects.filter(focus__plan=plan)
        .select_related("focus")
        .order_by("focus__position", "focus_id")
    )
    by_assignment: dict[int, list] = defaultdict(list)
    for a in allocations:
        by_assignment[a.assignment_id].append(a)
    rows = [AssignmentTime(assignment=a, allocations=by_assignment[a.pk]) for a in assignments]
    people: dict[int, PersonTime] = {}
    posts: dict[int, PostTime] = {}
    for row in rows:
        a = row.assignment
        person = people.setdefault(a.member_id, PersonTime(member=a.member))
        person.fte += a.fte
        person.allocated += row.allocated
        post = posts.setdefault(a.post_id, PostTime(post=a.post))
        post.assigned += a.fte
        post.allocated += row.allocated
    focus_time: dict[int, FocusTime] = defaultdict(FocusTime)
    known = {a.pk: a for a in assignments}
    for a in allocations:
        t = focus_time[a.focus_id]
        t.total += a.fte
        assignment = known.get(a.assignment_id)
        if assignment is not None and assignment.post.kind == PostKind.TEACHER:
            t.teacher += a.fte
    return AllocationOverview(
        rows=rows,
        people=sorted(
            people.values(),
            key=lambda p: (sort_key(p.member.last_name), sort_key(p.member.first_name)),
        ),
        posts=sorted(posts.values(), key=lambda p: (p.post.kind, p.post.pk)),
        foci=foci if foci is not None else list(plan.foci.order_by("position", "id")),
        focus_time=focus_time,
    )
