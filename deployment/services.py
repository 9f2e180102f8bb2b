"""Every state change of the Einsatzmanagement.

Each function takes keyword arguments only, runs in one transaction, checks
the capability on the plan's centre (``centers.access``), validates with
``full_clean``, leaves history (django-simple-history plus a timeline entry
for the timeline) and enqueues its German e-mail on commit.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.access import Capability, center_perms, centers_for, require_center_perm
from centers.locking import claim_version
from centers.models import Center, Role
from centers.notifications import notify_center
from centers.workflow.transitions import record_event, transition_apply

from .checks import verbund_copy_blockers
from .models import DeploymentPlan, Focus, FocusAllocation, PlanEventKind, PlanStatus, ReviewComment
from .periods import Period, current_period
from .vocabularies import BasicComponent, Field, Programme, Stage, TargetGroup
from .workflows import PLAN

# Fields a Schwerpunkt form edits and a copy carries over.
FOCUS_CONTENT_FIELDS = (
    "title",
    "field",
    "stage",
    "target_groups",
    "goal",
    "measures",
    "indicators",
    "partners",
    "other_partners",
    "programmes",
)
PLAN_CONTENT_FIELDS = ("summary", "partners_agreed_on")

# Nr. 1.3.3: present in every plan from the start.
BASIC_FOCI = {
    BasicComponent.LANGUAGE_MEDIATORS: {
        "title": "Laiensprachmittlerpool",
        "field": Field.REFUGEES,
        "stage": Stage.ACROSS,
        "target_groups": [
            TargetGroup.SCHOOLS,
            TargetGroup.DAYCARE,
            TargetGroup.MUNICIPAL_OFFICES,
            TargetGroup.CHILDREN_FAMILIES,
        ],
        "goal": (
            "Verständigung in Beratungs- und Elterngesprächen in Schulen, Kitas und "
            "kommunalen Diensten durch geschulte ehrenamtliche Sprachmittelnde sichern."
        ),
        "measures": "Pool pflegen, Einsätze vermitteln, Sprachmittelnde schulen und begleiten.",
        "indicators": "Vermittelte Einsätze pro Jahr: \nGeschulte Sprachmittelnde: ",
        "programmes": [Programme.LANGUAGE_MEDIATORS],
    },
    BasicComponent.VOLUNTEERING: {
        "title": "Ehrenamtliches Engagement für Geflüchtete und Neuzugewanderte",
        "field": Field.VOLUNTEERING,
        "stage": Stage.ACROSS,
        "target_groups": [TargetGroup.VOLUNTEERS, TargetGroup.ORGANISATIONS],
        "goal": (
            "Ehrenamtliche Initiativen in der Integration von Geflüchteten und "
            "Neuzugewanderten vernetzen, qualifizieren und unterstützen."
        ),
        "measures": "Netzwerktreffen, Qualifizierungsangebote, Beratung von Initiativen.",
        "indicators": "Netzwerktreffen pro Jahr: \nErreichte Initiativen: ",
        "programmes": [Programme.VOLUNTEERING],
    },
}


# --- helpers -------------------------------------------------------------------


def _locked_plan(plan: DeploymentPlan) -> DeploymentPlan:
    return DeploymentPlan.objects.select_for_update().select_related("center").get(pk=plan.pk)


def _require_editable(plan: DeploymentPlan) -> None:
    if not plan.is_current:
        raise ValidationError(_("Dies ist eine frühere Fassung; sie kann nicht geändert werden."))
    if plan.status not in PlanStatus.editable():
        raise ValidationError(
            _(
                "Das Einsatzmanagement ist im Status „%(status)s“ und kann nicht bearbeitet "
                "werden. Für Änderungen nach dem Benehmen beginnen Sie eine neue Fassung."
            )
            % {"status": plan.get_status_display()}
        )


def _require_status(plan: DeploymentPlan, allowed, action: str) -> None:
    if not plan.is_current or plan.status not in allowed:
        raise ValidationError(
            _("„%(action)s“ ist im Status „%(status)s“ nicht möglich.")
            % {"action": action, "status": plan.get_status_display()}
        )


def _event(plan, kind, user, note="") -> None:
    record_event(plan, center=plan.center, kind=kind, actor=user, note=note)


def _copy_focus(source: Focus, plan: DeploymentPlan, **overrides) -> Focus:
    focus = Focus(plan=plan, **{f: getattr(source, f) for f in FOCUS_CONTENT_FIELDS})
    focus.position = source.position
    focus.basic_component = source.basic_component
    focus.shared = source.shared
    for name, value in overrides.items():
        setattr(focus, name, value)
    focus.full_clean()
    focus.save()
    return focus


def _next_position(plan: DeploymentPlan) -> int:
    return (plan.foci.aggregate(m=Max("position"))["m"] or 0) + 1


# --- plans -----------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, center: Center, user, period: Period | None = None, copy_previous: bool = True
) -> DeploymentPlan:
    """Start the plan of ``center`` for ``period`` (default: the current one).

    The Grundförderung foci of Nr. 1.3.3 are always there; with ``copy_previous``
    the Schwerpunkte of the previous period's plan are taken over as a start.
    """
    require_center_perm(user, Capability.EDIT_PLAN_DRAFT, center)
    period = period or current_period()
    if DeploymentPlan.objects.filter(center=center, period_start=period.start).exists():
        raise ValidationError(
            _("Für %(center)s gibt es für den Zeitraum %(period)s bereits ein Einsatzmanagement.")
            % {"center": center.name, "period": period}
        )
    plan = DeploymentPlan(center=center, period_start=period.start, period_end=period.end)
    plan.full_clean()
    plan.save()

    previous = None
    if copy_previous:
        previous = (
            DeploymentPlan.objects.filter(
                center=center, period_start=period.previous().start, is_current=True
            )
            .prefetch_related("foci")
            .first()
        )
    copied_basic = set()
    if previous is not None:
        for source in previous.foci.all():
            _copy_focus(source, plan)
            copied_basic.add(source.basic_component)
    for component, content in BASIC_FOCI.items():
        if component in copied_basic:
            continue
        focus = Focus(plan=plan, basic_component=component, position=0, **content)
        focus.full_clean()
        focus.save()
    note = _("Übernommen aus %(period)s.") % {"period": previous.period.label} if previous else ""
    _event(plan, PlanEventKind.CREATED, user, note)
    return plan


@transaction.atomic
def plan_update(*, plan: DeploymentPlan, user, data: dict, expected_version: int) -> DeploymentPlan:
    """Change the plan's own fields; the second of two concurrent saves conflicts."""
    require_center_perm(user, Capability.EDIT_PLAN_DRAFT, plan.center)
    plan = _locked_plan(plan)
    _require_editable(plan)
    claim_version(plan, expected_version)
    for name in PLAN_CONTENT_FIELDS:
        if name in data:
            setattr(plan, name, data[name])
    plan.full_clean()
    plan.save()
    return plan


def plan_submit(*, plan: DeploymentPlan, user, expected_version: int | None = None):
    """Draft (or returned) → at the Schulaufsicht for agreement (Nr. 3.5, Nr. 3.6)."""
    return transition_apply(PLAN, "submit", obj=plan, user=user, expected_version=expected_version)


def plan_return(*, plan: DeploymentPlan, user, reason: str, expected_version: int | None = None):
    """The Schulaufsicht sends the plan back with its reasons."""
    return transition_apply(
        PLAN, "return", obj=plan, user=user, expected_version=expected_version, note=reason
    )


def plan_agree(*, plan: DeploymentPlan, user, note: str = "", expected_version: int | None = None):
    """The Schulaufsicht agrees ("im Benehmen"); from now on the plan is read-only."""
    return transition_apply(
        PLAN, "agree", obj=plan, user=user, expected_version=expected_version, note=note
    )


def plan_report(*, plan: DeploymentPlan, user, expected_version: int | None = None):
    """The KI-Leitung informs the LaSI about the agreed plan (Nr. 3.6)."""
    return transition_apply(PLAN, "report", obj=plan, user=user, expected_version=expected_version)


def plan_acknowledge(
    *, plan: DeploymentPlan, user, note: str = "", expected_version: int | None = None
):
    return transition_apply(
        PLAN, "acknowledge", obj=plan, user=user, expected_version=expected_version, note=note
    )


@transaction.atomic
def plan_new_version(*, plan: DeploymentPlan, user) -> DeploymentPlan:
    """A change after agreement: a new draft revision with the same content;
    it goes through agreement again. The agreed revision stays as it was."""
    require_center_perm(user, Capability.SUBMIT_PLAN, plan.center)
    plan = _locked_plan(plan)
    _require_status(plan, PlanStatus.agreed_or_later(), _("Neue Fassung beginnen"))
    plan.is_current = False
    plan.version += 1
    plan.save()
    new = DeploymentPlan(
        center=plan.center,
        period_start=plan.period_start,
        period_end=plan.period_end,
        revision=plan.revision + 1,
        predecessor=plan,
        summary=plan.summary,
        partners_agreed_on=plan.partners_agreed_on,
    )
    new.full_clean()
    new.save()
    for source in plan.foci.all():
        copy = _copy_focus(source, new, copied_from=source.copied_from)
        _copy_allocations(source, copy)
    _event(
        new,
        PlanEventKind.NEW_VERSION,
        user,
        _("auf Grundlage von Fassung %(rev)s") % {"rev": plan.revision},
    )
    _event(
        plan,
        PlanEventKind.NEW_VERSION,
        user,
        _("abgelöst durch Fassung %(rev)s") % {"rev": new.revision},
    )
    return new


def _copy_allocations(source: Focus, target: Focus) -> None:
    FocusAllocation.objects.bulk_create(
        [
            FocusAllocation(focus=target, assignment_id=a.assignment_id, fte=a.fte)
            for a in FocusAllocation.objects.filter(focus=source)
        ]
    )


# --- Schwerpunkte -----------------------------------------------------------------


@transaction.atomic
def focus_create(*, plan: DeploymentPlan, user, data: dict) -> Focus:
    require_center_perm(user, Capability.EDIT_PLAN_DRAFT, plan.center)
    plan = _locked_plan(plan)
    _require_editable(plan)
    focus = Focus(plan=plan, position=_next_position(plan))
    for name in (*FOCUS_CONTENT_FIELDS, "shared"):
        if name in data:
            setattr(focus, name, data[name])
    focus.full_clean()
    focus.save()
    return focus


@transaction.atomic
def focus_update(*, focus: Focus, user, data: dict, expected_version: int) -> Focus:
    """Save one Schwerpunkt (and nothing else); concurrent saves conflict."""
    require_center_perm(user, Capability.EDIT_PLAN_DRAFT, focus.plan.center)
    _require_editable(_locked_plan(focus.plan))
    claim_version(focus, expected_version)
    focus.refresh_from_db()
    for name in (*FOCUS_CONTENT_FIELDS, "shared"):
        if name in data:
            setattr(focus, name, data[name])
    if focus.is_basic and "title" in data:
        # The Grundförderung parts keep their name (Nr. 1.3.3).
        focus.title = str(BASIC_FOCI[focus.basic_component]["title"])
    focus.full_clean()
    focus.save()
    return focus


def focus_delete_refusal(focus: Focus) -> str:
    """Why this Schwerpunkt cannot be removed ("" if it can): shown on the confirmation
    page before anyone presses the button, and the service's own check."""
    if focus.is_basic:
        return _(
            "„%(title)s“ ist Bestandteil der Grundförderung (Nr. 1.3.3) und kann nicht entfernt werden."
        ) % {"title": focus.title}
    return ""


@transaction.atomic
def focus_delete(*, focus: Focus, user, expected_version: int) -> None:
    """Remove a Schwerpunkt after its confirmation page. The history keeps it (who, when,
    its content: django-simple-history), and the centre's activity feed shows it."""
    require_center_perm(user, Capability.EDIT_PLAN_DRAFT, focus.plan.center)
    _require_editable(_locked_plan(focus.plan))
    if refusal := focus_delete_refusal(focus):
        raise ValidationError(refusal)
    claim_version(focus, expected_version)
    focus._history_user = user
    focus.delete()


@transaction.atomic
def verbund_copy(*, focus: Focus, target_plan: DeploymentPlan, user) -> Focus:
    """Take over a Schwerpunkt another centre shares (Nr. 5) into one's own draft.

    Only the content is copied: no staff, no allocations, not shared onwards."""
    if not centers_for(user, Capability.USE_VERBUND).exists():
        raise PermissionDenied(_("Dazu fehlt Ihnen die Berechtigung für den Verbund."))
    require_center_perm(user, Capability.EDIT_PLAN_DRAFT, target_plan.center)
    if not focus.shared:
        raise ValidationError(_("Dieser Schwerpunkt wird nicht im Verbund geteilt."))
    target_plan = _locked_plan(target_plan)
    _require_editable(target_plan)
    if blockers := verbund_copy_blockers(focus=focus, target_plan=target_plan):
        raise ValidationError(blockers)
    return _copy_focus(
        focus,
        target_plan,
        basic_component="",
        shared=False,
        copied_from=focus,
        position=_next_position(target_plan),
    )


# --- comments and conflicts ---------------------------------------------------------


def comment_author_kind(user, center: Center) -> str | None:
    """As whom ``user`` comments on a plan of ``center``; None if they may not."""
    if user.is_superuser:
        return ReviewComment.AuthorKind.MINISTRY
    perms = center_perms(user, center)
    if Capability.EDIT_PLAN_DRAFT in perms:
        return ReviewComment.AuthorKind.CENTER
    if Capability.REVIEW_PLAN in perms:
        return ReviewComment.AuthorKind.SCHOOL_AUTHORITY
    if Capability.COMMENT_PLAN in perms:
        return ReviewComment.AuthorKind.LASI
    return None


@transaction.atomic
def comment_add(
    *,
    plan: DeploymentPlan,
    user,
    text: str,
    focus: Focus | None = None,
    parent: ReviewComment | None = None,
) -> ReviewComment:
    kind = comment_author_kind(user, plan.center)
    if kind is None:
        raise PermissionDenied(_("Sie können dieses Einsatzmanagement nicht kommentieren."))
    if focus is not None and focus.plan_id != plan.pk:
        raise ValidationError(_("Der Schwerpunkt gehört nicht zu diesem Einsatzmanagement."))
    if parent is not None:
        if parent.plan_id != plan.pk:
            raise ValidationError(_("Der Kommentar gehört nicht zu diesem Einsatzmanagement."))
        parent = parent.parent or parent
        focus = parent.focus
    comment = ReviewComment(
        plan=plan, focus=focus, parent=parent, author=user, author_kind=kind, text=text.strip()
    )
    comment.full_clean()
    comment.save()
    # The centre's comments go to whoever is reviewing the plan at the moment;
    # a reviewer's comment goes to the centre.
    capability, state_roles = Capability.EDIT_PLAN_DRAFT, ()
    if kind == ReviewComment.AuthorKind.CENTER:
        capability = None
        if plan.status == PlanStatus.SUBMITTED:
            capability = Capability.REVIEW_PLAN
        elif plan.status in (PlanStatus.REPORTED, PlanStatus.ACKNOWLEDGED):
            capability, state_roles = Capability.COMMENT_PLAN, (Role.LASI,)
    if capability:
        notify_center(
            center=plan.center,
            capability=capability,
            state_roles=state_roles,
            actor=user,
            subject=_("Neuer Kommentar zum Einsatzmanagement: %(center)s")
            % {"center": plan.center.name},
            template="deployment/email/comment_added.txt",
            context={"plan": plan, "comment": comment},
        )
    return comment


@transaction.atomic
def comment_escalate(*, comment: ReviewComment, user) -> ReviewComment:
    """The KI-Leitung turns a thread into a formal conflict for the Schulaufsicht (Nr. 3.5)."""
    plan = comment.plan
    require_center_perm(user, Capability.SUBMIT_PLAN, plan.center)
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if comment.parent_id:
        raise ValidationError(_("Bitte eskalieren Sie den ersten Kommentar des Gesprächs."))
    if comment.escalated_at and not comment.resolved_at:
        raise ValidationError(_("Dieser Konflikt ist bereits an die Schulaufsicht gegeben."))
    comment.escalated_at = timezone.now()
    comment.escalated_by = user
    comment.resolved_at = None
    comment.resolved_by = None
    comment.resolution = ""
    comment.save()
    _event(plan, PlanEventKind.ESCALATED, user, comment.text[:200])
    notify_center(
        center=plan.center,
        capability=Capability.REVIEW_PLAN,
        actor=user,
        subject=_("Konfliktfall im Einsatzmanagement: %(center)s") % {"center": plan.center.name},
        template="deployment/email/conflict_escalated.txt",
        context={"plan": plan, "comment": comment},
    )
    return comment


@transaction.atomic
def comment_resolve(*, comment: ReviewComment, user, resolution: str) -> ReviewComment:
    plan = comment.plan
    require_center_perm(user, Capability.REVIEW_PLAN, plan.center)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(_("Bitte beschreiben Sie die Klärung."))
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if not comment.is_open_conflict:
        raise ValidationError(_("Zu diesem Kommentar gibt es keinen offenen Konflikt."))
    comment.resolved_at = timezone.now()
    comment.resolved_by = user
    comment.resolution = resolution
    comment.save()
    _event(plan, PlanEventKind.RESOLVED, user, resolution)
    notify_center(
        center=plan.center,
        capability=Capability.SUBMIT_PLAN,
        actor=user,
        subject=_("Konflikt im Einsatzmanagement geklärt: %(center)s")
        % {"center": plan.center.name},
        template="deployment/email/conflict_resolved.txt",
        context={"plan": plan, "comment": comment},
    )
    return comment


# --- staff time ----------------------------------------------------------------------

ZERO = Decimal("0.00")


@transaction.atomic
def allocation_set(*, focus: Focus, assignment, fte: Decimal, user):
    """Put ``fte`` of an assignment on a Schwerpunkt (0 removes the share).

    Over- and under-allocation are shown as warnings on the allocation page,
    not refused: the plan is a plan, the staffing list may still change."""
    plan = focus.plan
    require_center_perm(user, Capability.EDIT_PLAN_DRAFT, plan.center)
    _require_editable(_locked_plan(plan))
    if assignment.post.center_id != plan.center_id:
        raise ValidationError(_("Diese Besetzung gehört nicht zu diesem Zentrum."))
    if assignment.start > plan.period_end or (
        assignment.end is not None and assignment.end < plan.period_start
    ):
        raise ValidationError(
            _("Diese Besetzung liegt außerhalb des Zeitraums %(period)s.") % {"period": plan.period}
        )
    existing = FocusAllocation.objects.filter(focus=focus, assignment=assignment).first()
    if fte is None or fte <= ZERO:
        if existing is not None:
            existing.delete()
        return None
    allocation = existing or FocusAllocation(focus=focus, assignment=assignment)
    allocation.fte = fte
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def allocation_delete(*, allocation, user) -> None:
    plan = allocation.focus.plan
    require_center_perm(user, Capability.EDIT_PLAN_DRAFT, plan.center)
    _require_editable(_locked_plan(plan))
    allocation.delete()
