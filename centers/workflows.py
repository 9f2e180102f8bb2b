"""The Integrationskonzept's workflow (Nr. 1.4, DESIGN.md §5) as declared transitions:
the KI-Leitung submits, the Bewilligung returns or approves."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .access import Capability
from .models import ConceptEventKind, ConceptStatus, IntegrationConcept, Role
from .workflow.transitions import (
    ACTOR,
    NOW,
    REQUIRED_NOTE,
    Notify,
    Transition,
    Workflow,
    record_event,
)


def _missing(concept: IntegrationConcept) -> list[str]:
    from .services import concept_missing_for_submission

    missing = concept_missing_for_submission(concept)
    if not missing:
        return []
    return [
        _("Das Konzept kann noch nicht eingereicht werden. Es fehlt: %(missing)s.")
        % {"missing": "; ".join(str(m) for m in missing)}
    ]


def _approve_question(concept: IntegrationConcept) -> str:
    question = _("Soll die Fassung %(number)s „%(title)s“ bewilligt werden?") % {
        "number": concept.number,
        "title": concept.title,
    }
    if concept.predecessor and concept.predecessor.status == ConceptStatus.APPROVED:
        question += " " + _(
            "Sie löst die bisher bewilligte Fassung %(number)s ab; diese bleibt lesbar."
        ) % {"number": concept.predecessor.number}
    return question


def _supersede_previous(concept: IntegrationConcept, *, user, note: str) -> dict:
    """The centre's approved concept so far is superseded and stays readable."""
    previous = (
        IntegrationConcept.objects.select_for_update()
        .filter(center=concept.center, status=ConceptStatus.APPROVED)
        .exclude(pk=concept.pk)
        .first()
    )
    if previous is not None:
        previous.status = ConceptStatus.SUPERSEDED
        previous.version += 1
        previous.full_clean()
        previous._history_user = user
        previous.save()
        record_event(
            previous,
            center=concept.center,
            kind=ConceptEventKind.SUPERSEDED,
            actor=user,
            note=_("abgelöst durch Fassung %(number)s") % {"number": concept.number},
        )
    return {"previous": previous}


CONCEPT = Workflow(
    name="concept",
    model=IntegrationConcept,
    events=ConceptEventKind,
    related=("center__sponsor", "predecessor"),
    url_name="centers:concept_{name}",
    url_args=lambda concept: (concept.center.key, concept.pk),
    transitions=(
        Transition(
            name="submit",
            label=_lazy("Konzept einreichen"),
            sources=ConceptStatus.editable(),
            target=ConceptStatus.SUBMITTED,
            capability=Capability.EDIT_CONCEPT,
            event=ConceptEventKind.SUBMITTED,
            question=_lazy(
                "Das Konzept wird der Bewilligungsbehörde zur Prüfung vorgelegt. "
                "Bis zu ihrer Entscheidung kann es nicht mehr geändert werden."
            ),
            success=_lazy(
                "Das Konzept wurde eingereicht; die Bewilligungsbehörde ist benachrichtigt."
            ),
            preconditions=(_missing,),
            stamps={"submitted_at": NOW},
            notify=Notify(
                capability=Capability.REVIEW_CONCEPT,
                state_roles=(Role.FUNDING,),
                subject=_lazy("Integrationskonzept eingereicht: %(center)s"),
                template="centers/email/concept_submitted.txt",
            ),
        ),
        Transition(
            name="return",
            label=_lazy("Konzept zurückgeben"),
            sources=(ConceptStatus.SUBMITTED,),
            target=ConceptStatus.RETURNED,
            capability=Capability.REVIEW_CONCEPT,
            event=ConceptEventKind.RETURNED,
            question=_lazy(
                "Das Konzept geht als Entwurf an das Zentrum zurück; die KI-Leitung liest "
                "Ihre Begründung."
            ),
            success=_lazy("Das Konzept wurde zurückgegeben; das Zentrum ist benachrichtigt."),
            note=REQUIRED_NOTE,
            note_label=_lazy("Grund der Rückgabe"),
            note_field="return_reason",
            note_required_message=_lazy("Bitte geben Sie einen Grund für die Rückgabe an."),
            stamps={"decided_at": NOW, "decided_by": ACTOR},
            notify=Notify(
                capability=Capability.EDIT_CONCEPT,
                subject=_lazy("Integrationskonzept zurückgegeben: %(center)s"),
                template="centers/email/concept_returned.txt",
            ),
        ),
        Transition(
            name="approve",
            label=_lazy("Konzept bewilligen"),
            sources=(ConceptStatus.SUBMITTED,),
            target=ConceptStatus.APPROVED,
            capability=Capability.REVIEW_CONCEPT,
            event=ConceptEventKind.APPROVED,
            question=_approve_question,
            success=_lazy("Das Konzept wurde bewilligt; das Zentrum ist benachrichtigt."),
            stamps={"decided_at": NOW, "decided_by": ACTOR},
            effect=_supersede_previous,
            notify=Notify(
                capability=Capability.EDIT_CONCEPT,
                subject=_lazy("Integrationskonzept bewilligt: %(center)s"),
                template="centers/email/concept_approved.txt",
            ),
        ),
    ),
)
