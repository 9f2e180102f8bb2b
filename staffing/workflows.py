"""The qualification exception's workflow (Nr. 4.1, Nr. 4.2: "Über Ausnahmen entscheidet
der Anstellungsträger"): the KI-Leitung proposes, the Träger approves or rejects, with
reasons, as declared transitions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy

from centers.access import Capability
from centers.workflow.transitions import ACTOR, REQUIRED_NOTE, TODAY, Notify, Transition, Workflow

from .models import ExceptionEventKind, ExceptionStatus, QualificationException

_DECISION = {
    "note": REQUIRED_NOTE,
    "note_label": _lazy("Begründung der Entscheidung"),
    "note_field": "decision_note",
    "note_required_message": _lazy("Bitte begründen Sie die Entscheidung."),
    "stamps": {"decided_by": ACTOR, "decided_on": TODAY},
    "sources": (ExceptionStatus.PROPOSED,),
    "capability": Capability.DECIDE_EXCEPTION,
}

EXCEPTION = Workflow(
    name="exception",
    model=QualificationException,
    events=ExceptionEventKind,
    center_of=lambda exception: exception.member.center,
    related=("member__center",),
    url_name="staffing:exception_{name}",
    url_args=lambda exception: (exception.member.center.key, exception.pk),
    transitions=(
        Transition(
            name="approve",
            label=_lazy("Ausnahme genehmigen"),
            target=ExceptionStatus.APPROVED,
            event=ExceptionEventKind.APPROVED,
            question=_lazy(
                "Die Person darf auf dieser Stellenart eingesetzt werden, obwohl ihre "
                "Qualifikation Nr. 4.1/Nr. 4.2 nicht entspricht; die Warnung entfällt."
            ),
            success=_lazy("Die Ausnahme wurde genehmigt; die KI-Leitung ist benachrichtigt."),
            notify=Notify(
                capability=Capability.PROPOSE_EXCEPTION,
                subject=_lazy("Qualifikationsausnahme genehmigt: %(center)s"),
                template="staffing/email/exception_decided.txt",
            ),
            **_DECISION,
        ),
        Transition(
            name="reject",
            label=_lazy("Ausnahme ablehnen"),
            target=ExceptionStatus.REJECTED,
            event=ExceptionEventKind.REJECTED,
            question=_lazy(
                "Der Antrag wird abgelehnt; die Warnung nach Nr. 4.1/Nr. 4.2 bleibt bestehen."
            ),
            success=_lazy("Die Ausnahme wurde abgelehnt; die KI-Leitung ist benachrichtigt."),
            danger=True,
            notify=Notify(
                capability=Capability.PROPOSE_EXCEPTION,
                subject=_lazy("Qualifikationsausnahme abgelehnt: %(center)s"),
                template="staffing/email/exception_decided.txt",
            ),
            **_DECISION,
        ),
    ),
)
