"""Bulk reads from the other apps (centers, staffing, deployment) for reports and dashboards.

Read-only and unscoped: callers pass the centres they are allowed to see
(``centers.access.centers_for``). Every function takes a list of centres and
answers with a fixed number of queries, whatever the number of centres,
posts or Schwerpunkte — the dashboards' query counts stay constant.

Dependencies point one way (DESIGN.md §3): reporting → deployment → staffing → centers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from centers.collation import sort_key
from centers.models import Center, ConceptStatus, FundingDecision, IntegrationConcept
from centers.selectors import (
    OperatingStatus,
    center_operating_status,
    centers_with_operating_status,
)
from deployment.models import DeploymentPlan, Focus, PlanStatus
from deployment.periods import Period
from staffing import rules as staffing_rules
from staffing import selectors as staffing_selectors
from staffing.models import AssignmentRole, Post, PostKind

ZERO = Decimal("0")
KINDS = list(PostKind)


# --- Integrationskonzept and funding (Nr. 1.4) ---------------------------------------------


def operating_status_by_center(center_ids, day: datetime.date) -> dict[int, OperatingStatus]:
    """Nr. 1.4 for each centre on ``day`` — active or what is missing, and until when the
    approved concept counts — by the centres app's one rule. One query."""
    centers = centers_with_operating_status(Center.objects.filter(pk__in=list(center_ids)), day)
    return {c.pk: center_operating_status(c, day) for c in centers}


def approved_concepts(center_ids) -> dict[int, IntegrationConcept]:
    """The approved (current) concept of each centre. One query."""
    return {
        c.center_id: c
        for c in IntegrationConcept.objects.filter(
            center_id__in=center_ids, status=ConceptStatus.APPROVED
        )
    }


def open_concepts(center_ids) -> dict[int, IntegrationConcept]:
    return {
        c.center_id: c
        for c in IntegrationConcept.objects.filter(
            center_id__in=center_ids, status__in=ConceptStatus.open()
        )
    }


def funding_by_center(center_ids, years) -> dict[int, dict[int, FundingDecision]]:
    result: dict[int, dict[int, FundingDecision]] = defaultdict(dict)
    # The Grundförderung in force (Nr. 1.4), not a replaced Bescheid or another programme.
    decisions = FundingDecision.objects.for_operation().filter(
        center_id__in=center_ids, year__in=list(years)
    )
    for decision in decisions:
        result[decision.center_id][decision.year] = decision
    return result


# --- staffing (Nr. 3.2, Nr. 3.3, Nr. 4.3) ----------------------------------------------------------


def quotas_by_center(centers: list[Center], day: datetime.date) -> dict[int, dict[str, Decimal]]:
    """Expected FTE per kind for each centre on ``day`` (Nr. 3.2, Nr. 3.3, Nr. 3.7): staffing's rule."""
    return staffing_selectors.quotas_for(centers, day)


@dataclass
class KindFigures:
    kind: str
    label: str
    fte: Decimal = ZERO  # posts active on the day
    filled: Decimal = ZERO
    quota: Decimal | None = None

    @property
    def open(self) -> Decimal:
        return max(self.fte - self.filled, ZERO)

    @property
    def gap(self) -> Decimal | None:
        return None if self.quota is None else self.fte - self.quota


@dataclass
class Vacancy:
    post_label: str
    kind_label: str
    open_fte: Decimal
    since: datetime.date | None


@dataclass
class Leader:
    role_label: str
    name: str
    kind_label: str
    # German order by last name, then first name (centers.collation).
    order: tuple = field(default=(), repr=False, compare=False)


@dataclass
class StaffingFigures:
    kinds: dict[str, KindFigures]
    vacancies: list[Vacancy] = field(default_factory=list)
    leadership: list[Leader] = field(default_factory=list)
    leadership_problem: str = ""

    @property
    def total_fte(self) -> Decimal:
        return sum((k.fte for k in self.kinds.values()), ZERO)

    @property
    def total_open(self) -> Decimal:
        return sum((k.open for k in self.kinds.values()), ZERO)


def posts_of(center_ids) -> list[Post]:
    """Every post of the centres with its assignments (two queries); which are active on a
    day decides ``staffing.rules.is_post_active``. Pages that figure several days pass the
    same posts to ``staffing_by_center`` and ``open_fte_over_time``."""
    return list(
        staffing_selectors.posts_with_assignments(
            Post.objects.filter(center_id__in=center_ids)
        ).order_by("center_id", "kind", "valid_from", "pk")
    )


def staffing_by_center(
    centers: list[Center],
    day: datetime.date,
    *,
    with_people: bool = False,
    posts: list[Post] | None = None,
) -> dict[int, StaffingFigures]:
    """FTE per kind against quota, vacancies and (optionally) the Nr. 4.3 leadership pair.

    Three queries (posts, assignments, quotas). No sensitive personal data:
    the leadership pair is shown with name and profession only.
    """
    quotas = quotas_by_center(centers, day)
    figures = {
        c.pk: StaffingFigures(
            kinds={
                k.value: KindFigures(k.value, str(k.label), quota=quotas[c.pk].get(k.value))
                for k in KINDS
            }
        )
        for c in centers
    }
    if posts is None:
        posts = posts_of([c.pk for c in centers])
    for post in posts:
        if not staffing_rules.is_post_active(post, day):
            continue
        fig = figures[post.center_id]
        assignments = post.assignment_list
        state = staffing_rules.post_state(post, assignments, day)
        kind = fig.kinds[post.kind]
        kind.fte += post.fte
        kind.filled += staffing_selectors.filled_within_share(state)
        if state.vacant_since is not None and state.open_fte > ZERO:
            fig.vacancies.append(
                Vacancy(
                    str(post),
                    str(PostKind(post.kind).label),
                    state.open_fte,
                    state.vacant_since,
                )
            )
        if with_people:
            for a in state.active:
                if a.role in (AssignmentRole.LEAD, AssignmentRole.DEPUTY):
                    fig.leadership.append(
                        Leader(
                            str(AssignmentRole(a.role).label),
                            f"{a.member.first_name} {a.member.last_name}",
                            str(PostKind(post.kind).label),
                            order=(sort_key(a.member.last_name), sort_key(a.member.first_name)),
                        )
                    )
    if with_people:
        for fig in figures.values():
            fig.leadership.sort(
                key=lambda leader: (
                    leader.role_label != str(AssignmentRole.LEAD.label),
                    leader.order,
                )
            )
            roles = {(leader.role_label, leader.kind_label) for leader in fig.leadership}
            lead_kinds = {k for r, k in roles if r == str(AssignmentRole.LEAD.label)}
            deputy_kinds = {k for r, k in roles if r == str(AssignmentRole.DEPUTY.label)}
            if not lead_kinds:
                fig.leadership_problem = "Keine Leitung eingetragen."
            elif not deputy_kinds:
                fig.leadership_problem = "Keine stellvertretende Leitung eingetragen."
            elif lead_kinds & deputy_kinds:
                fig.leadership_problem = (
                    "Leitung und stellvertretende Leitung kommen aus demselben Bereich (Nr. 4.3)."
                )
    return figures


def open_fte_over_time(
    center_ids, days: list[datetime.date], *, posts: list[Post] | None = None
) -> list[dict[str, Decimal]]:
    """Open (vacant) FTE per kind on each of ``days``. Two queries in all (none with
    ``posts`` from ``posts_of``)."""
    if posts is None:
        posts = posts_of(center_ids)
    series = []
    for day in days:
        totals = dict.fromkeys(PostKind.values, ZERO)
        for post in posts:
            if not staffing_rules.is_post_active(post, day):
                continue
            state = staffing_rules.post_state(post, post.assignment_list, day)
            totals[post.kind] += state.open_fte
        series.append(totals)
    return series


# --- Einsatzmanagement (Nr. 3.6) -----------------------------------------------------------------


def plans_by_center(center_ids, period: Period) -> dict[int, DeploymentPlan]:
    """The current plan of each centre for ``period``. One query."""
    return {
        p.center_id: p
        for p in DeploymentPlan.objects.filter(
            center_id__in=center_ids, period_start=period.start, is_current=True
        )
    }


def reported_plans(period_end: datetime.date) -> list[DeploymentPlan]:
    """Current plans reported to (or acknowledged by) LaSI whose period ends on ``period_end``."""
    return list(
        DeploymentPlan.objects.filter(
            period_end=period_end,
            is_current=True,
            status__in=(PlanStatus.REPORTED, PlanStatus.ACKNOWLEDGED),
        ).select_related("center", "center__sponsor")
    )


def field_distribution(center_ids, period: Period) -> list[dict]:
    """Schwerpunkte and allocated FTE per Handlungsfeld over the centres' current plans."""
    from deployment.vocabularies import Field

    counts: dict[str, dict] = {
        f.value: {"field": f.value, "label": str(f.label), "foci": 0, "centers": set(), "fte": ZERO}
        for f in Field
    }
    for row in Focus.objects.filter(
        plan__center_id__in=center_ids, plan__period_start=period.start, plan__is_current=True
    ).values("field", "plan__center_id"):
        entry = counts.get(row["field"])
        if entry is not None:
            entry["foci"] += 1
            entry["centers"].add(row["plan__center_id"])
    allocation = _allocation_model()
    if allocation is not None:
        for row in allocation.objects.filter(
            focus__plan__center_id__in=center_ids,
            focus__plan__period_start=period.start,
            focus__plan__is_current=True,
        ).values("focus__field", "fte"):
            entry = counts.get(row["focus__field"])
            if entry is not None:
                entry["fte"] += row["fte"] or ZERO
    rows = list(counts.values())
    for row in rows:
        row["centers"] = len(row["centers"])
    return rows


def _allocation_model():
    from django.apps import apps

    try:
        return apps.get_model("deployment", "FocusAllocation")
    except LookupError:
        return None
