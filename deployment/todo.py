"""Tasks from the Einsatzmanagement for the dashboards' to-do lists (``centers.todo``):
each plan status names who acts next (DESIGN.md §5), escalated comments wait for the
Schulaufsicht (Nr. 3.5), and a plan is due for every period (Nr. 3.6)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from centers.access import Capability
from centers.models import Center
from centers.todo import CENTER_FIELDS, Kind, Scope, Task, add_months, center_fields, local_date
from centers.workflow.models import TimelineEvent

from .checks import has_target_value
from .models import DeploymentPlan, Focus, PlanEventKind, PlanStatus, ReviewComment
from .periods import Period, current_period

# The timeline entry that put a plan into each status: the task waits since then.
_ENTERED_BY = {
    PlanStatus.DRAFT: (PlanEventKind.CREATED, PlanEventKind.NEW_VERSION),
    PlanStatus.RETURNED: (PlanEventKind.RETURNED,),
    PlanStatus.SUBMITTED: (PlanEventKind.SUBMITTED,),
    PlanStatus.AGREED: (PlanEventKind.AGREED,),
    PlanStatus.REPORTED: (PlanEventKind.REPORTED,),
}


def _plans(status: str):
    def rows(centers: QuerySet[Center], scope: Scope) -> QuerySet[DeploymentPlan]:
        entered = TimelineEvent.objects.filter(
            plan=OuterRef("pk"), kind__in=_ENTERED_BY[status]
        ).order_by("-at", "-pk")
        return (
            DeploymentPlan.objects.filter(
                center__in=centers,
                status=status,
                is_current=True,
                period_end__gte=scope.today,
            )
            .select_related("center")
            .annotate(status_since=Subquery(entered.values("at")[:1]))
        )

    return rows


def _plan_task(code: str, title: str):
    def task(plan: DeploymentPlan, scope: Scope) -> Task:
        return Task(
            kind=code,
            title=title % {"period": plan.period.label, "center": plan.center.name},
            since=local_date(plan.status_since or plan.created_at),
            url=plan.get_absolute_url(),
            center=plan.center,
        )

    return task


def _plan_list(status: str = ""):
    def url(scope: Scope) -> str:
        base = reverse("deployment:plan_list")
        return f"{base}?status={status}" if status else base

    return url


def _plan_kind(code, capability, status, title, group_title) -> Kind:
    return Kind(
        code=code,
        capability=capability,
        rows=_plans(status),
        only=("period_start", "period_end", "status_since", "created_at", *center_fields()),
        task=_plan_task(code, title),
        group_title=lambda n, scope: group_title(n) % {"count": n},
        group_url=_plan_list(status),
    )


# --- Schwerpunkte still without target values (Nr. 3.6) -------------------------------------


def _open_points(centers, scope: Scope) -> list[DeploymentPlan]:
    """Drafts (and returned plans) with a Schwerpunkt that has no target value yet: what the
    team can finish before the KI-Leitung submits (two queries; the check is in Python)."""
    plans = (
        DeploymentPlan.objects.filter(
            center__in=centers,
            status__in=PlanStatus.editable(),
            is_current=True,
            period_end__gte=scope.today,
        )
        .select_related("center")
        .prefetch_related(
            Prefetch("foci", queryset=Focus.objects.filter(basic_component="").order_by("position"))
        )
        .order_by("center__name", "period_start")
    )
    found = []
    for plan in plans:
        plan.without_target = [f for f in plan.foci.all() if not has_target_value(f)]
        if plan.without_target:
            found.append(plan)
    return found


def _open_points_task(plan: DeploymentPlan, scope: Scope) -> Task:
    return Task(
        kind="plan_targets_missing",
        title=ngettext(
            "Im Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ fehlt für "
            "%(count)s Schwerpunkt der Zielwert",
            "Im Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ fehlen für "
            "%(count)s Schwerpunkte die Zielwerte",
            len(plan.without_target),
        )
        % {
            "period": plan.period.label,
            "center": plan.center.name,
            "count": len(plan.without_target),
        },
        since=local_date(plan.created_at),
        url=f"{plan.get_absolute_url()}#focus-{plan.without_target[0].pk}",
        center=plan.center,
    )


# --- conflicts (Nr. 3.5) ------------------------------------------------------------------


def _conflicts(centers, scope: Scope) -> QuerySet[ReviewComment]:
    return ReviewComment.objects.filter(
        plan__center__in=centers, escalated_at__isnull=False, resolved_at__isnull=True
    ).select_related("plan", "plan__center")


_CONFLICT_FIELDS = (
    "escalated_at",
    "plan__period_start",
    "plan__period_end",
    *center_fields("plan__center"),
)


def _conflict_task(code: str, title: str):
    def task(comment: ReviewComment, scope: Scope) -> Task:
        plan = comment.plan
        return Task(
            kind=code,
            title=title % {"period": plan.period.label, "center": plan.center.name},
            since=local_date(comment.escalated_at),
            url=f"{plan.get_absolute_url()}#comment-{comment.pk}",
            center=plan.center,
        )

    return task


# --- plans due for the running period (Nr. 3.6) ---------------------------------------------


def due_date(period: Period):
    """The plan for ``period`` is due this long before the period starts."""
    return add_months(period.start, -settings.PLAN_DUE_MONTHS_BEFORE_PERIOD)


def _without_plan(statuses=None):
    def rows(centers, scope: Scope) -> QuerySet[Center]:
        period = current_period(scope.today)
        plans = DeploymentPlan.objects.filter(
            center=OuterRef("pk"), period_start=period.start, is_current=True
        )
        if statuses:
            plans = plans.filter(status__in=statuses)
        return centers.exclude(Exists(plans)).order_by("name")

    return rows


def _due_task(code: str, title: str, url):
    def task(center: Center, scope: Scope) -> Task:
        period = current_period(scope.today)
        return Task(
            kind=code,
            title=title % {"period": period.label, "center": center.name},
            since=due_date(period),
            url=url(center),
            center=center,
        )

    return task


KINDS = [
    # The KI-Leitung finishes a draft by submitting it; the team works on what is still
    # open in it (below), which is the Leitung's to-do only through her own draft entry.
    _plan_kind(
        "plan_draft",
        Capability.SUBMIT_PLAN,
        PlanStatus.DRAFT,
        _(
            "Der Entwurf des Einsatzmanagement-Plans %(period)s des Zentrums „%(center)s“ wartet "
            "auf Bearbeitung und Einreichung"
        ),
        lambda n: ngettext(
            "%(count)s Einsatzmanagement-Plan ist noch ein Entwurf",
            "%(count)s Einsatzmanagement-Pläne sind noch Entwürfe",
            n,
        ),
    ),
    Kind(
        code="plan_targets_missing",
        capability=Capability.EDIT_PLAN_DRAFT,
        unless=Capability.SUBMIT_PLAN,
        rows=_open_points,
        task=_open_points_task,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Einsatzmanagement-Plan mit Schwerpunkten ohne Zielwert",
                "%(count)s Einsatzmanagement-Pläne mit Schwerpunkten ohne Zielwert",
                n,
            )
            % {"count": n}
        ),
        group_url=_plan_list(PlanStatus.DRAFT),
    ),
    _plan_kind(
        "plan_returned",
        Capability.SUBMIT_PLAN,
        PlanStatus.RETURNED,
        _(
            "Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ wurde von der "
            "Schulaufsicht zurückgegeben und wartet auf Ihre Überarbeitung"
        ),
        lambda n: ngettext(
            "%(count)s zurückgegebener Einsatzmanagement-Plan wartet auf Überarbeitung",
            "%(count)s zurückgegebene Einsatzmanagement-Pläne warten auf Überarbeitung",
            n,
        ),
    ),
    _plan_kind(
        "plan_to_review",
        Capability.REVIEW_PLAN,
        PlanStatus.SUBMITTED,
        _("Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ wartet auf Ihre Prüfung"),
        lambda n: ngettext(
            "%(count)s Einsatzmanagement-Plan wartet auf Ihre Prüfung",
            "%(count)s Einsatzmanagement-Pläne warten auf Ihre Prüfung",
            n,
        ),
    ),
    _plan_kind(
        "plan_to_report",
        Capability.SUBMIT_PLAN,
        PlanStatus.AGREED,
        _(
            "Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ ist im Benehmen mit "
            "der Schulaufsicht und wartet auf die Meldung an die LaSI"
        ),
        lambda n: ngettext(
            "%(count)s Einsatzmanagement-Plan wartet auf die Meldung an die LaSI",
            "%(count)s Einsatzmanagement-Pläne warten auf die Meldung an die LaSI",
            n,
        ),
    ),
    _plan_kind(
        "plan_to_acknowledge",
        Capability.ACKNOWLEDGE_PLAN,
        PlanStatus.REPORTED,
        _(
            "Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ wurde an die LaSI "
            "gemeldet und wartet auf Ihre Kenntnisnahme"
        ),
        lambda n: ngettext(
            "%(count)s gemeldeter Einsatzmanagement-Plan wartet auf Ihre Kenntnisnahme",
            "%(count)s gemeldete Einsatzmanagement-Pläne warten auf Ihre Kenntnisnahme",
            n,
        ),
    ),
    Kind(
        code="conflict_to_resolve",
        capability=Capability.REVIEW_PLAN,
        rows=_conflicts,
        only=_CONFLICT_FIELDS,
        task=_conflict_task(
            "conflict_to_resolve",
            _(
                "Konflikt im Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ wartet "
                "auf Ihre Klärung"
            ),
        ),
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Konflikt im Einsatzmanagement wartet auf Ihre Klärung",
                "%(count)s Konflikte im Einsatzmanagement warten auf Ihre Klärung",
                n,
            )
            % {"count": n}
        ),
        group_url=_plan_list(),
    ),
    Kind(
        code="conflict_open",
        capability=Capability.SUBMIT_PLAN,
        unless=Capability.REVIEW_PLAN,
        rows=_conflicts,
        only=_CONFLICT_FIELDS,
        task=_conflict_task(
            "conflict_open",
            _(
                "Konflikt im Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ ist bei "
                "der Schulaufsicht zur Klärung offen"
            ),
        ),
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Konflikt im Einsatzmanagement ist bei der Schulaufsicht offen",
                "%(count)s Konflikte im Einsatzmanagement sind bei der Schulaufsicht offen",
                n,
            )
            % {"count": n}
        ),
        group_url=_plan_list(),
    ),
    Kind(
        code="plan_due",
        capability=Capability.SUBMIT_PLAN,
        unless=Capability.ACKNOWLEDGE_PLAN,
        rows=_without_plan(),
        only=CENTER_FIELDS,
        task=_due_task(
            "plan_due",
            _(
                "Einsatzmanagement-Plan %(period)s des Zentrums „%(center)s“ ist fällig und noch "
                "nicht begonnen"
            ),
            lambda center: reverse("deployment:plan_list"),
        ),
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Zentrum hat den fälligen Einsatzmanagement-Plan noch nicht begonnen",
                "%(count)s Zentren haben den fälligen Einsatzmanagement-Plan noch nicht begonnen",
                n,
            )
            % {"count": n}
        ),
        group_url=_plan_list(),
    ),
    Kind(
        code="plan_missing",
        capability=Capability.ACKNOWLEDGE_PLAN,
        rows=_without_plan((PlanStatus.REPORTED, PlanStatus.ACKNOWLEDGED)),
        only=CENTER_FIELDS,
        task=_due_task(
            "plan_missing",
            _(
                "Das Zentrum „%(center)s“ hat noch keinen Einsatzmanagement-Plan %(period)s an "
                "die LaSI gemeldet"
            ),
            lambda center: center.get_absolute_url(),
        ),
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Zentrum hat noch keinen Einsatzmanagement-Plan %(period)s an die LaSI "
                "gemeldet",
                "%(count)s Zentren haben noch keinen Einsatzmanagement-Plan %(period)s an die LaSI "
                "gemeldet",
                n,
            )
            % {"count": n, "period": current_period(scope.today).label}
        ),
        group_url=_plan_list(),
    ),
]
