"""Checks before a centre's report is sent on to the LaSI (Nr. 3.6).

The workflow shows these warnings on the confirmation page; they do not stop the step.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from deployment.models import PlanStatus
from deployment.periods import Period

from . import sources
from .models import Report, ReportKind


def report_submission_warnings(report: Report) -> list[str]:
    """The report informs the LaSI about the Einsatzmanagement, which the KI-Leitung
    settles "in Abstimmung mit" the Schulaufsicht first (Nr. 3.6): warn while the centre's
    current plan for the report's period is not agreed, or missing. One query."""
    if report.kind != ReportKind.CENTER or report.center_id is None:
        return []
    period = Period(report.period_start, report.period_end)
    plan = sources.plans_by_center([report.center_id], period).get(report.center_id)
    if plan is None:
        return [
            _("Für den Zeitraum %(period)s liegt kein Einsatzmanagement vor.")
            % {"period": period.label}
        ]
    if plan.status not in PlanStatus.agreed_or_later():
        return [
            _(
                "Das Einsatzmanagement %(period)s ist noch nicht im Benehmen mit der "
                "Schulaufsicht (Status: %(status)s)."
            )
            % {"period": plan.period.label, "status": plan.get_status_display()}
        ]
    return []
