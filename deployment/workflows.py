"""The Einsatzmanagement's workflow (Nr. 3.5, Nr. 3.6, DESIGN.md §5) as declared
transitions: the KI-Leitung submits, the Schulaufsicht returns or agrees ("Benehmen"),
the KI-Leitung reports the agreed plan to the LaSI, the LaSI acknowledges it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from centers.access import Capability
from centers.models import Role
from centers.workflow.transitions import (
    ACTOR,
    NOW,
    OPTIONAL_NOTE,
    REQUIRED_NOTE,
    Notify,
    Transition,
    Workflow,
)

from .models import DeploymentPlan, PlanEventKind, PlanStatus


def _current(plan: DeploymentPlan) -> list[str]:
    if plan.is_current:
        return []
    return [_("Dies ist eine frühere Fassung; sie kann nicht geändert werden.")]


def _has_focus(plan: DeploymentPlan) -> list[str]:
    if plan.foci.filter(basic_component="").exists():
        return []
    return [_("Bitte legen Sie neben der Grundförderung mindestens einen Schwerpunkt an.")]


def _no_open_conflict(plan: DeploymentPlan) -> list[str]:
    if not plan.comments.filter(escalated_at__isnull=False, resolved_at__isnull=True).exists():
        return []
    return [_("Es gibt noch offene Konflikte. Bitte klären Sie diese vor dem Benehmen.")]


def _plan_warnings(plan: DeploymentPlan) -> list[str]:
    from .checks import plan_warnings

    return plan_warnings(plan)


PLAN = Workflow(
    name="plan",
    model=DeploymentPlan,
    events=PlanEventKind,
    guards=(_current,),
    url_name="deployment:plan_{name}",
    transitions=(
        Transition(
            name="submit",
            label=_lazy("Bei der Schulaufsicht einreichen"),
            sources=PlanStatus.editable(),
            target=PlanStatus.SUBMITTED,
            capability=Capability.SUBMIT_PLAN,
            event=PlanEventKind.SUBMITTED,
            question=_lazy(
                "Das Einsatzmanagement geht an die Schulaufsicht, die das Benehmen herstellt "
                "oder es zur Überarbeitung zurückgibt. Bis dahin kann es nicht geändert werden."
            ),
            success=_lazy("Das Einsatzmanagement wurde bei der Schulaufsicht eingereicht."),
            preconditions=(_has_focus,),
            warnings=(_plan_warnings,),
            stamps={"submitted_at": NOW},
            # The Schulaufsicht acts next; the centre's other Leitung learns it is on its way.
            notify=Notify(
                capability=(Capability.REVIEW_PLAN, Capability.SUBMIT_PLAN),
                subject=_lazy(
                    "Einsatzmanagement zur Herstellung des Benehmens eingereicht: %(center)s"
                ),
                template="deployment/email/plan_submitted.txt",
            ),
        ),
        Transition(
            name="agree",
            label=_lazy("Benehmen herstellen"),
            sources=(PlanStatus.SUBMITTED,),
            target=PlanStatus.AGREED,
            capability=Capability.REVIEW_PLAN,
            event=PlanEventKind.AGREED,
            question=_lazy(
                "Mit dem Benehmen (Nr. 3.5) ist das Einsatzmanagement abgestimmt; danach kann "
                "es nur noch in einer neuen Fassung geändert werden."
            ),
            success=_lazy("Das Benehmen wurde hergestellt."),
            preconditions=(_no_open_conflict,),
            warnings=(_plan_warnings,),
            note=OPTIONAL_NOTE,
            note_label=_lazy("Bemerkung (optional)"),
            stamps={"agreed_at": NOW, "agreed_by": ACTOR},
            notify=Notify(
                capability=Capability.EDIT_PLAN_DRAFT,
                subject=_lazy("Benehmen zum Einsatzmanagement hergestellt: %(center)s"),
                template="deployment/email/plan_agreed.txt",
            ),
        ),
        Transition(
            name="return",
            label=_lazy("Zur Überarbeitung zurückgeben"),
            sources=(PlanStatus.SUBMITTED,),
            target=PlanStatus.RETURNED,
            capability=Capability.REVIEW_PLAN,
            event=PlanEventKind.RETURNED,
            question=_lazy(
                "Das Einsatzmanagement geht an das Zentrum zurück; die KI-Leitung liest Ihre "
                "Begründung und reicht es überarbeitet erneut ein."
            ),
            success=_lazy("Das Einsatzmanagement wurde zur Überarbeitung zurückgegeben."),
            note=REQUIRED_NOTE,
            note_label=_lazy("Begründung"),
            note_required_message=_lazy("Bitte begründen Sie die Rückgabe."),
            notify=Notify(
                capability=Capability.EDIT_PLAN_DRAFT,
                subject=_lazy("Einsatzmanagement zur Überarbeitung zurückgegeben: %(center)s"),
                template="deployment/email/plan_returned.txt",
            ),
        ),
        Transition(
            name="report",
            label=_lazy("An die LaSI melden"),
            sources=(PlanStatus.AGREED,),
            target=PlanStatus.REPORTED,
            capability=Capability.SUBMIT_PLAN,
            event=PlanEventKind.REPORTED,
            question=_lazy(
                "Die LaSI wird über das im Benehmen abgestimmte Einsatzmanagement informiert "
                "(Nr. 3.6)."
            ),
            success=_lazy("Das Einsatzmanagement wurde an die LaSI gemeldet."),
            stamps={"reported_at": NOW},
            notify=Notify(
                capability=Capability.ACKNOWLEDGE_PLAN,
                state_roles=(Role.LASI,),
                subject=_lazy("Einsatzmanagement an die LaSI gemeldet: %(center)s"),
                template="deployment/email/plan_reported.txt",
            ),
        ),
        Transition(
            name="acknowledge",
            label=_lazy("Zur Kenntnis nehmen"),
            sources=(PlanStatus.REPORTED,),
            target=PlanStatus.ACKNOWLEDGED,
            capability=Capability.ACKNOWLEDGE_PLAN,
            event=PlanEventKind.ACKNOWLEDGED,
            question=_lazy("Die LaSI nimmt das gemeldete Einsatzmanagement zur Kenntnis."),
            success=_lazy("Das Einsatzmanagement wurde zur Kenntnis genommen."),
            note=OPTIONAL_NOTE,
            note_label=_lazy("Bemerkung (optional)"),
            stamps={"acknowledged_at": NOW},
            notify=Notify(
                capability=Capability.EDIT_PLAN_DRAFT,
                subject=_lazy("Einsatzmanagement von der LaSI zur Kenntnis genommen: %(center)s"),
                template="deployment/email/plan_acknowledged.txt",
            ),
        ),
    ),
)
