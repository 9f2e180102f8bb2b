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


OTHER_CENTRE_ROLES = (Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY)
GET_ROUTES = [r for r in ROUTES if r.method == "get"]
POST_ROUTES = [r for r in ROUTES if r.method != "get"]


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.scoped], ids=lambda r: r.name)
def test_other_centre_gets_404(client, route, home_center, other_center):
    """Users of Bonn (another centre and another Schulamt) ask for Köln's URL.

    A 404 changes nothing, so one set of Köln objects serves all four roles.
    """
    kwargs = _kwargs(route, home_center)
    wrong = {}
    for role in OTHER_CENTRE_ROLES:
        client.force_login(factories.user_with_role(role, other_center))
        status = _request(client, route, kwargs).status_code
        if status != 404:
            wrong[role] = status
    assert not wrong, f"{route.name}: fremdes Zentrum bekam {wrong} statt 404"


def _check(client, route, role, kwargs, home_center):
    client.force_login(factories.user_with_role(role, home_center))
    status = _request(client, route, kwargs).status_code
    expected = route.allowed.get(role, route.denied)
    return None if status == expected else f"{role}: {status}, erwartet {expected}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda r: r.name)
def test_each_role_gets_expected_status_on_get(client, route, home_center):
    """Reading changes nothing, so the route's objects are built once for all roles."""
    kwargs = _kwargs(route, home_center)
    failures = [f for role in ALL_ROLES if (f := _check(client, route, role, kwargs, home_center))]
    assert not failures, f"{route.name}: " + "; ".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("route", POST_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_gets_expected_status_on_post(client, route, role, home_center):
    """A POST may change state: every role gets fresh objects."""
    failure = _check(client, route, role, _kwargs(route, home_center), home_center)
    assert failure is None, f"{route.name} als {failure}"
