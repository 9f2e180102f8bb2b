"""Every URL × anonymous, wrong centre and each role (see registry.py)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from centers.models import Role
from tests import factories

from .registry import ALL_ROLES, ROUTES


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield f"{prefix}{p.name}" if p.name else f"{prefix}<unnamed {p.pattern}>"


def project_url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def uncovered(names, routes) -> set[str]:
    exact = {r.name for r in routes}
    prefixes = tuple(r.covers_prefix for r in routes if r.covers_prefix)
    return {n for n in names if n not in exact and not n.startswith(prefixes)}


def test_every_url_pattern_is_in_the_registry():
    missing = uncovered(project_url_names(), ROUTES)
    assert not missing, "URL-Muster ohne Eintrag in tests/permissions/registry.py: " + ", ".join(
        sorted(missing)
    )


def test_the_uncovered_check_notices_a_new_pattern():
    names = project_url_names() | {"staffing:brand_new_view"}
    assert uncovered(names, ROUTES) == {"staffing:brand_new_view"}


def test_registry_names_resolve():
    names = project_url_names()
    for route in ROUTES:
        assert route.name in names, route.name


def _request(client, route, kwargs):
    url = reverse(route.name, kwargs=kwargs or None)
    if route.method == "post":
        data = route.data(kwargs) if route.data else {}
        return client.post(url, data)
    return client.get(url)


def _kwargs(route, center):
    return route.kwargs(center=center) if route.kwargs else None


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_is_sent_to_login(client, route, home_center):
    response = _request(client, route, _kwargs(route, home_center))
    if route.public:
        assert response.status_code in (200, 302)
        return
    assert response.status_code == 302
    assert response["Location"].startswith(("/accounts/login/", "/admin/login/"))


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.scoped], ids=lambda r: r.name)
@pytest.mark.parametrize(
    "role", [Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY]
)
def test_other_centre_gets_404(client, route, role, home_center, other_center):
    """A user of Bonn (another centre and another Schulamt) asks for Köln's URL."""
    client.force_login(factories.user_with_role(role, other_center))
    response = _request(client, route, _kwargs(route, home_center))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_role_gets_expected_status(client, route, role, home_center):
    user = factories.user_with_role(role, home_center)
    client.force_login(user)
    response = _request(client, route, _kwargs(route, home_center))
    expected = route.allowed.get(role, route.denied)
    assert response.status_code == expected, (
        f"{route.name} als {role}: {response.status_code}, erwartet {expected}"
    )
