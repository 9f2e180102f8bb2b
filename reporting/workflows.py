"""The centre report's workflow (Nr. 3.6, DESIGN.md §5) as declared transitions: the
KI-Leitung transmits a finished report to the LaSI, the LaSI acknowledges it. Requesting
and rendering are job control (``reporting.services``), not steps of this workflow."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from centers.access import Capability
from centers.models import Role
from centers.workflow.transitions import ACTOR, NOW, Notify, Transition, Workflow

from .models import Report, ReportEventKind, ReportKind, ReportStatus


def _centre_report(report: Report) -> list[str]:
    if report.kind == ReportKind.CENTER:
        return []
    return [_("Nur Berichte eines Zentrums werden an die LaSI übermittelt.")]


def _plan_warnings(report: Report) -> list[str]:
    from .checks import report_submission_warnings

    return report_submission_warnings(report)


REPORT = Workflow(
    name="report",
    model=Report,
    events=ReportEventKind,
    related=("center",),
    guards=(_centre_report,),
    url_name="reporting:{name}",
    transitions=(
        Transition(
            name="submit",
            label=_lazy("An die LaSI übermitteln"),
            sources=(ReportStatus.READY,),
            target=ReportStatus.SUBMITTED,
            capability=Capability.REQUEST_REPORT,
            event=ReportEventKind.SUBMITTED,
            question=_lazy(
                "Der Bericht geht an die Landesstelle Schulische Integration (LaSI). Eine "
                "spätere Fassung kann erneut übermittelt werden."
            ),
            success=_lazy("Der Bericht wurde an die LaSI übermittelt."),
            warnings=(_plan_warnings,),
            stamps={"submitted_at": NOW, "submitted_by": ACTOR},
            notify=Notify(
                capability=Capability.ACKNOWLEDGE_REPORT,
                state_roles=(Role.LASI,),
                subject=_lazy("Bericht an die LaSI übermittelt: %(center)s"),
                template="reporting/email/report_submitted.txt",
            ),
        ),
        Transition(
            name="acknowledge",
            label=_lazy("Zur Kenntnis nehmen"),
            sources=(ReportStatus.SUBMITTED,),
            target=ReportStatus.ACKNOWLEDGED,
            capability=Capability.ACKNOWLEDGE_REPORT,
            event=ReportEventKind.ACKNOWLEDGED,
            question=_lazy("Die LaSI nimmt den übermittelten Bericht zur Kenntnis."),
            success=_lazy("Der Bericht wurde zur Kenntnis genommen."),
            stamps={"acknowledged_at": NOW, "acknowledged_by": ACTOR},
            notify=Notify(
                capability=Capability.REQUEST_REPORT,
                subject=_lazy("Bericht zur Kenntnis genommen: %(center)s"),
                template="reporting/email/report_acknowledged.txt",
            ),
        ),
    ),
)
