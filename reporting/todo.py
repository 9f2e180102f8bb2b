"""Tasks from the reports to LaSI for the dashboards' to-do lists (``centers.todo``): the
centre's report for an ended plan period is due (Nr. 3.6), a submitted report waits for LaSI."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from centers.access import Capability
from centers.models import Center
from centers.todo import Kind, Scope, Task, add_months, center_fields, fmt_date, local_date
from deployment.models import DeploymentPlan, PlanStatus
from deployment.periods import current_period

from .funding.todo import KINDS as FUNDING_KINDS
from .models import Report, ReportKind, ReportStatus


def _centre_reports(period_start) -> QuerySet[Report]:
    return Report.objects.filter(
        kind=ReportKind.CENTER, center=OuterRef("center"), period_start=period_start
    )


def _due_rows(centers: QuerySet[Center], scope: Scope) -> QuerySet[DeploymentPlan]:
    """The plans of the period that ended last which LaSI has (as ``generate_period_reports``
    reports on them) and whose report has not been submitted yet."""
    ended = current_period(scope.today).previous()
    reports = _centre_reports(ended.start)
    return (
        DeploymentPlan.objects.filter(
            center__in=centers,
            period_start=ended.start,
            is_current=True,
            status__in=(PlanStatus.REPORTED, PlanStatus.ACKNOWLEDGED),
        )
        .exclude(
            Exists(reports.filter(status__in=(ReportStatus.SUBMITTED, ReportStatus.ACKNOWLEDGED)))
        )
        .select_related("center")
        .annotate(
            ready_report=Subquery(
                reports.filter(status=ReportStatus.READY).order_by("-number").values("pk")[:1]
            )
        )
    )


def _due(plan: DeploymentPlan, scope: Scope) -> Task:
    deadline = add_months(plan.period_end, settings.REPORT_DUE_MONTHS_AFTER_PERIOD)
    values = {"period": plan.period.label, "center": plan.center.name, "date": fmt_date(deadline)}
    if plan.ready_report:
        title = _(
            "Bericht an die LaSI für %(period)s des Zentrums „%(center)s“ ist erstellt und "
            "wartet auf die Übermittlung (fällig bis zum %(date)s)"
        )
    elif deadline < scope.today:
        title = _(
            "Bericht an die LaSI für %(period)s des Zentrums „%(center)s“ ist seit dem %(date)s "
            "überfällig"
        )
    else:
        title = _(
            "Bericht an die LaSI für %(period)s des Zentrums „%(center)s“ ist fällig bis zum "
            "%(date)s"
        )
    if plan.ready_report:
        url = reverse("reporting:detail", kwargs={"pk": plan.ready_report})
    else:
        url = reverse("reporting:center", kwargs={"key": plan.center.key})
    return Task(
        kind="report_due",
        title=title % values,
        since=plan.period_end + datetime.timedelta(days=1),
        url=url,
        center=plan.center,
    )


def _submitted(centers, scope: Scope) -> QuerySet[Report]:
    return Report.objects.filter(
        kind=ReportKind.CENTER, center__in=centers, status=ReportStatus.SUBMITTED
    ).select_related("center")


def _to_acknowledge(report: Report, scope: Scope) -> Task:
    return Task(
        kind="report_to_acknowledge",
        title=_(
            "Bericht des Zentrums „%(center)s“ für %(period)s wurde an die LaSI übermittelt und "
            "wartet auf Ihre Kenntnisnahme"
        )
        % {
            "center": report.center.name,
            "period": f"{report.period_start.year}–{report.period_end.year}",
        },
        since=local_date(report.submitted_at or report.requested_at),
        url=report.get_absolute_url(),
        center=report.center,
    )


KINDS = [
    Kind(
        code="report_due",
        capability=Capability.REQUEST_REPORT,
        rows=_due_rows,
        only=("period_start", "period_end", "ready_report", *center_fields()),
        task=_due,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Bericht an die LaSI ist fällig",
                "%(count)s Berichte an die LaSI sind fällig",
                n,
            )
            % {"count": n}
        ),
        group_url=lambda scope: reverse("reporting:list"),
    ),
    Kind(
        code="report_to_acknowledge",
        capability=Capability.ACKNOWLEDGE_REPORT,
        rows=_submitted,
        only=("period_start", "period_end", "submitted_at", "requested_at", *center_fields()),
        task=_to_acknowledge,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s übermittelter Bericht wartet auf Ihre Kenntnisnahme",
                "%(count)s übermittelte Berichte warten auf Ihre Kenntnisnahme",
                n,
            )
            % {"count": n}
        ),
        group_url=lambda scope: reverse("reporting:list"),
    ),
    *FUNDING_KINDS,
]
