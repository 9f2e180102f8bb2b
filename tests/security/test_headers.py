"""Findings 9 and 11 of issue 15: no page or export of personal data may be kept by a
cache; a Permissions-Policy; the CSRF refusal German, on the portal's layout, without
inline styles (the CSP forbids them)."""

import re

import pytest
from django.test import Client

from centers.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


@pytest.fixture
def lead(client, home_center):
    user = factories.user_with_role(Role.CENTER_LEAD, home_center)
    client.force_login(user)
    return user


@pytest.mark.parametrize("url", ["/", "/zentren/05315/", "/personal/05315/", "/einsatzmanagement/"])
def test_html_pages_are_never_stored(client, lead, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Permissions-Policy"] == POLICY


def test_the_login_page_keeps_djangos_own_never_cache(client):
    response = client.get("/accounts/login/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Permissions-Policy"] == POLICY


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_staffing_exports_are_never_stored(client, lead, fmt):
    response = client.get(f"/personal/05315/export/?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"


def test_the_state_export_and_the_import_template_are_never_stored(client, home_center):
    client.force_login(factories.user_with_role(Role.MINISTRY))
    for url in ("/personal/land/export/?format=xlsx", "/personal/import/vorlage/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_error_pages_are_never_stored(client, lead):
    response = client.get("/zentren/99999/")
    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    b"".join(response.streaming_content)


def test_the_csrf_refusal_is_german_styled_and_csp_clean(home_center):
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.user_with_role(Role.CENTER_LEAD, home_center))
    response = client.post("/einsatzmanagement/zentrum/05315/neu/", {})
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="de">' in html
    assert "Das Formular konnte nicht angenommen werden" in html
    assert "portal.css" in html
    # Nothing the CSP's style-src 'self' would block, no Django debug text.
    assert "<style" not in html and not re.search(r"\sstyle=", html)
    assert "CSRF verification failed" not in html
    assert response["Cache-Control"] == "private, no-store"


def test_the_csrf_refusal_on_the_login_page_for_anonymous_visitors():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Das Formular konnte nicht angenommen werden" in response.content.decode()
