"""The Förderantrag's workflow (issue 12) as declared transitions: the Träger submits the
application the KI-Leitung prepared; the Bewilligung returns it with a reason or decides
it with a Bescheid."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy

from centers.access import Capability
from centers.models import Role
from centers.workflow.transitions import (
    ACTOR,
    NOW,
    OPTIONAL_NOTE,
    REQUIRED_NOTE,
    TODAY,
    Notify,
    Transition,
    Workflow,
)

from .models import (
    ApplicationEventKind,
    ApplicationStatus,
    Drawdown,
    DrawdownEventKind,
    DrawdownStatus,
    FundingApplication,
    ProofEventKind,
    ProofOfUse,
    ProofStatus,
)


def _plan_errors(application) -> list[str]:
    from .checks import plan_errors

    return plan_errors(application)


def _submission_warnings(application) -> list[str]:
    from .checks import submission_warnings

    return submission_warnings(application)


def _grant(application, *, user, note, **bescheid) -> dict:
    """The Bescheid on the application: one decision with an amount per line."""
    from centers.services import funding_decision_grant

    application.decision = funding_decision_grant(
        center=application.center,
        programme_year=application.programme_year,
        user=user,
        **bescheid,
    )
    return {"decision": application.decision}


_TO_APPLICANTS = (Capability.PREPARE_FUNDING, Capability.SUBMIT_FUNDING)

APPLICATION = Workflow(
    name="application",
    model=FundingApplication,
    events=ApplicationEventKind,
    related=("center", "programme_year__programme"),
    url_name="funding:application_{name}",
    transitions=(
        Transition(
            name="submit",
            label=_lazy("Antrag stellen"),
            sources=ApplicationStatus.editable(),
            target=ApplicationStatus.SUBMITTED,
            capability=Capability.SUBMIT_FUNDING,
            event=ApplicationEventKind.SUBMITTED,
            question=_lazy(
                "Der Träger stellt den Antrag bei der Bewilligungsbehörde. Bis sie ihn "
                "bescheidet oder zurückgibt, kann er nicht geändert werden."
            ),
            success=_lazy("Der Antrag wurde gestellt."),
            preconditions=(_plan_errors,),
            warnings=(_submission_warnings,),
            stamps={"submitted_at": NOW, "submitted_by": ACTOR},
            notify=Notify(
                capability=(Capability.MANAGE_FUNDING, Capability.PREPARE_FUNDING),
                state_roles=(Role.FUNDING,),
                subject=_lazy("Förderantrag gestellt: %(center)s"),
                template="funding/email/application_submitted.txt",
            ),
        ),
        Transition(
            name="return",
            label=_lazy("Zur Überarbeitung zurückgeben"),
            sources=(ApplicationStatus.SUBMITTED,),
            target=ApplicationStatus.RETURNED,
            capability=Capability.MANAGE_FUNDING,
            event=ApplicationEventKind.RETURNED,
            question=_lazy(
                "Der Antrag geht an das Zentrum zurück; KI-Leitung und Träger lesen Ihre "
                "Begründung, überarbeiten ihn und stellen ihn erneut."
            ),
            success=_lazy("Der Antrag wurde zur Überarbeitung zurückgegeben."),
            note=REQUIRED_NOTE,
            note_label=_lazy("Begründung"),
            note_field="return_reason",
            note_required_message=_lazy("Bitte begründen Sie die Rückgabe."),
            notify=Notify(
                capability=_TO_APPLICANTS,
                subject=_lazy("Förderantrag zur Überarbeitung zurückgegeben: %(center)s"),
                template="funding/email/application_returned.txt",
            ),
        ),
        Transition(
            name="decide",
            label=_lazy("Bescheiden"),
            sources=(ApplicationStatus.SUBMITTED,),
            target=ApplicationStatus.DECIDED,
            capability=Capability.MANAGE_FUNDING,
            event=ApplicationEventKind.DECIDED,
            question=_lazy(
                "Der Bescheid bewilligt je Position den eingetragenen Betrag; Änderungen "
                "danach sind ein Änderungsbescheid."
            ),
            success=_lazy("Der Antrag wurde beschieden."),
            stamps={"decided_at": NOW},
            effect=_grant,
            notify=Notify(
                capability=_TO_APPLICANTS,
                subject=_lazy("Förderantrag beschieden: %(center)s"),
                template="funding/email/application_decided.txt",
            ),
        ),
    ),
)


DRAWDOWN = Workflow(
    name="drawdown",
    model=Drawdown,
    events=DrawdownEventKind,
    related=("center",),
    url_name="funding:drawdown_{name}",
    transitions=(
        Transition(
            name="pay",
            label=_lazy("Als ausgezahlt vermerken"),
            sources=(DrawdownStatus.REQUESTED,),
            target=DrawdownStatus.PAID,
            capability=Capability.MANAGE_FUNDING,
            event=DrawdownEventKind.PAID,
            question=_lazy(
                "Die angeforderten Beträge gelten als ausgezahlt; die Übersicht der Mittel des "
                "Zentrums zählt sie als gezahlt."
            ),
            success=_lazy("Der Mittelabruf wurde als ausgezahlt vermerkt."),
            note=OPTIONAL_NOTE,
            note_label=_lazy("Bemerkung (optional)"),
            stamps={"paid_on": TODAY},
            notify=Notify(
                capability=_TO_APPLICANTS,
                subject=_lazy("Mittelabruf ausgezahlt: %(center)s"),
                template="funding/email/drawdown_paid.txt",
            ),
        ),
        Transition(
            name="reject",
            label=_lazy("Ablehnen"),
            sources=(DrawdownStatus.REQUESTED,),
            target=DrawdownStatus.REJECTED,
            capability=Capability.MANAGE_FUNDING,
            event=DrawdownEventKind.REJECTED,
            question=_lazy(
                "Der Mittelabruf wird nicht ausgezahlt; die Beträge können erneut abgerufen werden."
            ),
            success=_lazy("Der Mittelabruf wurde abgelehnt."),
            note=REQUIRED_NOTE,
            note_label=_lazy("Begründung"),
            note_field="reject_reason",
            note_required_message=_lazy("Bitte begründen Sie die Ablehnung."),
            danger=True,
            notify=Notify(
                capability=_TO_APPLICANTS,
                subject=_lazy("Mittelabruf abgelehnt: %(center)s"),
                template="funding/email/drawdown_rejected.txt",
            ),
        ),
    ),
)


def _proof_errors(proof) -> list[str]:
    from .checks import proof_errors

    return proof_errors(proof)


def _queue_document(proof, *, user, note) -> dict:
    """The PDF of what was submitted, rendered by the worker after the commit."""
    from .services import proof_document_queue

    proof_document_queue(proof)
    return {}


def _set_repayment(proof, *, user, note, repayment) -> dict:
    proof.repayment = repayment
    return {"repayment": repayment}


PROOF = Workflow(
    name="proof",
    model=ProofOfUse,
    events=ProofEventKind,
    related=("center", "decision__programme"),
    url_name="funding:proof_{name}",
    transitions=(
        Transition(
            name="submit",
            label=_lazy("Verwendungsnachweis einreichen"),
            sources=ProofStatus.editable(),
            target=ProofStatus.SUBMITTED,
            capability=Capability.PREPARE_FUNDING,
            event=ProofEventKind.SUBMITTED,
            question=_lazy(
                "Der Verwendungsnachweis geht an die Bewilligungsbehörde; das Portal erstellt "
                "das PDF. Bis zur Prüfung kann er nicht geändert werden."
            ),
            success=_lazy("Der Verwendungsnachweis wurde eingereicht."),
            preconditions=(_proof_errors,),
            stamps={"submitted_at": NOW},
            effect=_queue_document,
            notify=Notify(
                capability=(Capability.MANAGE_FUNDING, Capability.SUBMIT_FUNDING),
                state_roles=(Role.FUNDING,),
                subject=_lazy("Verwendungsnachweis eingereicht: %(center)s"),
                template="funding/email/proof_submitted.txt",
            ),
        ),
        Transition(
            name="return",
            label=_lazy("Mit Anmerkungen zurückgeben"),
            sources=(ProofStatus.SUBMITTED,),
            target=ProofStatus.RETURNED,
            capability=Capability.MANAGE_FUNDING,
            event=ProofEventKind.RETURNED,
            question=_lazy(
                "Der Verwendungsnachweis geht mit Ihren Anmerkungen an das Zentrum zurück."
            ),
            success=_lazy("Der Verwendungsnachweis wurde zurückgegeben."),
            note=REQUIRED_NOTE,
            note_label=_lazy("Anmerkungen"),
            note_field="return_reason",
            note_required_message=_lazy("Bitte schreiben Sie, was zu ändern ist."),
            notify=Notify(
                capability=_TO_APPLICANTS,
                subject=_lazy("Verwendungsnachweis zurückgegeben: %(center)s"),
                template="funding/email/proof_returned.txt",
            ),
        ),
        Transition(
            name="accept",
            label=_lazy("Anerkennen"),
            sources=(ProofStatus.SUBMITTED,),
            target=ProofStatus.ACCEPTED,
            capability=Capability.MANAGE_FUNDING,
            event=ProofEventKind.ACCEPTED,
            question=_lazy("Die Verwendung der Mittel wird ohne Rückforderung anerkannt."),
            success=_lazy("Der Verwendungsnachweis wurde anerkannt."),
            note=OPTIONAL_NOTE,
            note_label=_lazy("Bemerkung (optional)"),
            stamps={"checked_at": NOW},
            notify=Notify(
                capability=_TO_APPLICANTS,
                subject=_lazy("Verwendungsnachweis anerkannt: %(center)s"),
                template="funding/email/proof_checked.txt",
            ),
        ),
        Transition(
            name="reclaim",
            label=_lazy("Rückforderung festsetzen"),
            sources=(ProofStatus.SUBMITTED,),
            target=ProofStatus.RECLAIMED,
            capability=Capability.MANAGE_FUNDING,
            event=ProofEventKind.RECLAIMED,
            question=_lazy(
                "Die Prüfung ist abgeschlossen; der eingetragene Betrag ist zurückzuzahlen."
            ),
            success=_lazy("Die Rückforderung wurde festgesetzt."),
            note=REQUIRED_NOTE,
            note_label=_lazy("Begründung"),
            note_required_message=_lazy("Bitte begründen Sie die Rückforderung."),
            stamps={"checked_at": NOW},
            effect=_set_repayment,
            notify=Notify(
                capability=_TO_APPLICANTS,
                subject=_lazy("Rückforderung zum Verwendungsnachweis: %(center)s"),
                template="funding/email/proof_checked.txt",
            ),
        ),
    ),
)
