"""Permission entries of the funding overview pages (issue 12): the state's money for the
Bewilligung and the ministry only. The LaSI, the Schulaufsicht and the centres' own people
get 403 — a state-wide page, nothing of it is theirs."""

from centers.models import Role
from reporting.funding.models import ApplicationStatus
from tests.funding.factories import make_application

from .registry import Route, ok


def _money(center, **_):
    """Köln has a decided application, so the page has something to show."""
    make_application(center, status=ApplicationStatus.DECIDED)
    return {}


ROUTES = [
    Route(
        "funding:overview",
        kwargs=_money,
        allowed=ok(Role.FUNDING, Role.MINISTRY),
        denied=403,
        scoped=False,
    ),
    Route(
        "funding:overview_xlsx",
        kwargs=_money,
        allowed=ok(Role.FUNDING, Role.MINISTRY),
        denied=403,
        scoped=False,
    ),
]
