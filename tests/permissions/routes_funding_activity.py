"""Permission entries of the funding activity pages (issue 12): the Tätigkeitszahlen are
read by whoever reads the centre's reports (all roles of the centre, the district's
Schulaufsicht, the state roles), entered by the KI-Leitung; the state sums are the state
roles'."""

from django.utils import timezone

from centers.models import Role
from reporting.funding.activity import COUNT_FIELDS
from reporting.funding.models import ActivityFigures

from .registry import ALL_ROLES, STATE_ROLES, Route, ok

READERS = ok(*ALL_ROLES)  # view_reports: KI-Leitung, KI staff, Träger, Schulaufsicht, state
PREPARERS = ok(Role.CENTER_LEAD, Role.MINISTRY)


def _center_with_figures(center, **_):
    _year_with_figures(center)
    return {"key": center.key}


def _year_with_figures(center, **_):
    """Last year's figures exist: the form edits them (and carries the lock)."""
    year = timezone.localdate().year - 1
    ActivityFigures.objects.get_or_create(
        center=center, year=year, defaults={"counselled_primary": 12, "placed_primary": 10}
    )
    return {"key": center.key, "year": year}


def _year_without_figures(center, **_):
    return {"key": center.key, "year": timezone.localdate().year}


def _post_figures(kw):
    data = dict.fromkeys(COUNT_FIELDS, "0")
    data.update(counselled_primary="8", placed_primary="5", mediation_assignments="3")
    return data


ROUTES = [
    Route("funding:activity_center", kwargs=_center_with_figures, allowed=READERS),
    Route("funding:activity_edit", kwargs=_year_with_figures, allowed=PREPARERS),
    Route(
        "funding:activity_edit",
        kwargs=_year_without_figures,
        method="post",
        data=_post_figures,
        allowed=ok(Role.CENTER_LEAD, Role.MINISTRY, status=302),
    ),
    Route("funding:activity_state", allowed=ok(*STATE_ROLES), denied=403, scoped=False),
]
