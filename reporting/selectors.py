"""Reads of reports, scoped to a user (``centers.access``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from centers.access import Capability, centers_for

from .models import Report, ReportKind
from .services import may_request_state_overview


def reports_visible_to(user) -> QuerySet[Report]:
    """Centre reports of the centres the user may ``view_reports``; state overviews
    for those who may read them. Objects outside this are a 404."""
    visible = Q(kind=ReportKind.CENTER, center__in=centers_for(user, Capability.VIEW_REPORTS))
    if may_request_state_overview(user):
        visible |= Q(kind=ReportKind.STATE)
    return Report.objects.filter(visible).with_related()


def reports_of_center(user, center) -> QuerySet[Report]:
    return reports_visible_to(user).filter(center=center).order_by("-period_start", "-number")


def versions_of(report: Report) -> QuerySet[Report]:
    """All renderings of the same report (kind, centre, period), newest first."""
    return (
        Report.objects.filter(
            kind=report.kind, center_id=report.center_id, period_start=report.period_start
        )
        .with_related()
        .order_by("-number")
    )


def report_centers_for(user):
    return centers_for(user, Capability.VIEW_REPORTS).order_by("name").only("key", "name")
