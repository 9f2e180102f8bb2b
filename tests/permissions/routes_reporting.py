"""Permission entries for the reporting URLs (see registry.py)."""

from centers.models import Role
from deployment.periods import current_period
from reporting.models import ReportStatus
from tests.reporting import factories as report_factories

from .registry import ALL_ROLES, STATE_ROLES, Route, ok

KI = (Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR)
# view_reports: KI roles, the district's Schulaufsicht, LaSI, Bewilligung, Ministerium.
READERS = (*KI, Role.SCHOOL_AUTHORITY, *STATE_ROLES)
# Everyone who may see a centre report but not act on it gets 403 for the action.
FORBIDDEN = 403


def _report(status):
    def build(center, **_):
        return {"pk": report_factories.report(center, status=status).pk}

    return build


def _state_report(center, **_):
    return {"pk": report_factories.report(None, status=ReportStatus.READY).pk}


def _period(kw):
    return {"period": current_period().start.isoformat()}


def _acting(*roles, status=302):
    """Roles in ``roles`` succeed (redirect); other readers get 403; the rest 404."""
    return {**ok(*READERS, status=FORBIDDEN), **ok(*roles, status=status)}


ROUTES = [
    Route("reporting:list", allowed=ok(*ALL_ROLES), scoped=False),
    Route("reporting:dashboard", allowed=ok(*STATE_ROLES), denied=403, scoped=False),
    Route(
        "reporting:center_dashboard",
        kwargs=lambda center, **_: {"key": center.key},
        allowed=ok(*READERS),
    ),
    Route("reporting:center", kwargs=lambda center, **_: {"key": center.key}, allowed=ok(*READERS)),
    Route(
        "reporting:request",
        method="post",
        kwargs=lambda center, **_: {"key": center.key},
        data=_period,
        allowed=_acting(Role.CENTER_LEAD, Role.MINISTRY),
    ),
    Route(
        "reporting:state_request",
        method="post",
        data=_period,
        allowed=ok(Role.LASI, Role.MINISTRY, status=302),
        denied=403,
        scoped=False,
    ),
    Route("reporting:detail", kwargs=_report(ReportStatus.READY), allowed=ok(*READERS)),
    Route("reporting:status", kwargs=_report(ReportStatus.RENDERING), allowed=ok(*READERS)),
    Route("reporting:download", kwargs=_report(ReportStatus.READY), allowed=ok(*READERS)),
    # The state overview's XLSX: LaSI and the ministry only; for everyone else it does not exist.
    Route("reporting:download_xlsx", kwargs=_state_report, allowed=ok(Role.LASI, Role.MINISTRY)),
    Route(
        "reporting:retry",
        method="post",
        kwargs=_report(ReportStatus.FAILED),
        allowed=_acting(Role.CENTER_LEAD, Role.MINISTRY),
    ),
    # The transitions' confirmation pages (centers.workflow.views.TransitionView).
    Route(
        "reporting:submit",
        kwargs=_report(ReportStatus.READY),
        allowed=ok(Role.CENTER_LEAD, Role.MINISTRY),
    ),
    Route(
        "reporting:acknowledge",
        kwargs=_report(ReportStatus.SUBMITTED),
        allowed=ok(Role.LASI, Role.MINISTRY),
    ),
]
