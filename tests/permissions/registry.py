"""The permission registry: for every URL pattern, who may use it.

Every view of the project has an entry here. ``test_harness.py`` requests
each entry as anonymous, as a user of a *different* centre and as each role,
and fails when a URL pattern exists that no entry covers.

An entry names the URL, how to build its arguments for the home centre
(Köln) — creating whatever objects it needs — and the status each role gets.
Roles not listed get ``denied`` (404 for centre-scoped pages, so ids leak
nothing; 403 for state-wide pages).

Later issues add their views here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from centers.models import Role

ALL_ROLES = tuple(Role.values)
KI_ROLES = (Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR)
STATE_ROLES = (Role.LASI, Role.FUNDING, Role.MINISTRY)


def ok(*roles, status=200) -> dict[str, int]:
    return dict.fromkeys(roles, status)


@dataclass(frozen=True)
class Route:
    name: str
    # Builds URL kwargs from the home centre; may create objects with factories.
    kwargs: Callable | None = None
    allowed: dict[str, int] = field(default_factory=dict)
    denied: int = 404
    method: str = "get"
    # POST body, built from the kwargs dict.
    data: Callable | None = None
    # Anonymous users are redirected to the login page unless the route is public.
    public: bool = False
    # Whether a user of another centre must get 404 (centre-scoped URLs).
    scoped: bool = True
    # Patterns this entry stands for (e.g. the whole admin namespace).
    covers_prefix: str | None = None


def _center_key(center, **_):
    return {"key": center.key}


CORE_ROUTES: list[Route] = [
    Route("login", public=True, allowed=ok(*ALL_ROLES, status=302), scoped=False),
    Route(
        "logout",
        method="post",
        allowed=ok(*ALL_ROLES, status=302),
        scoped=False,
        public=True,
    ),
    Route("password_change", allowed=ok(*ALL_ROLES), scoped=False),
    Route("password_change_done", allowed=ok(*ALL_ROLES), scoped=False),
    Route(
        "set_language",
        method="post",
        public=True,
        scoped=False,
        data=lambda kw: {"language": "de", "next": "/"},
        allowed=ok(*ALL_ROLES, status=302),
    ),
    Route("health", public=True, scoped=False, allowed=ok(*ALL_ROLES)),
    Route("dashboard", allowed=ok(*ALL_ROLES), scoped=False),
    Route("centers:list", allowed=ok(*ALL_ROLES), scoped=False),
    Route("centers:detail", kwargs=_center_key, allowed=ok(*ALL_ROLES)),
    # The Django admin is the ministry's: everyone else is sent to the admin login.
    Route(
        "admin:index",
        allowed={**ok(*ALL_ROLES, status=302), Role.MINISTRY: 200},
        scoped=False,
        covers_prefix="admin:",
    ),
]

# Each area keeps its entries in its own module (they import Route from here,
# hence the imports at the end).
from .routes_concepts import ROUTES as _concepts  # noqa: E402, I001
from .routes_deployment import ROUTES as _deployment  # noqa: E402
from .routes_funding import ROUTES as _funding  # noqa: E402
from .routes_funding_activity import ROUTES as _funding_activity  # noqa: E402
from .routes_funding_overview import ROUTES as _funding_overview  # noqa: E402
from .routes_legal import ROUTES as _legal  # noqa: E402
from .routes_reporting import ROUTES as _reporting  # noqa: E402
from .routes_staffing import ROUTES as _staffing  # noqa: E402

ROUTES: list[Route] = [
    *CORE_ROUTES,
    *_concepts,
    *_staffing,
    *_deployment,
    *_reporting,
    *_funding,
    *_funding_activity,
    *_funding_overview,
    *_legal,
]
