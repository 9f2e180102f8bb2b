"""Signing in and out (issue 2, part 4): Django's auth views in German, the
django-axes lockout after five failures, password change, and the login wall.

These tests post to the real login view (not ``client.login``): axes needs the
request, and the lockout is what they are about (STACK-NOTES.md)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from centers.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "test-passwort-123"  # tests.factories.UserFactory
LOGIN = "/accounts/login/"


@pytest.fixture
def lead(home_center):
    return factories.user_with_role(Role.CENTER_LEAD, home_center, username="leitung-koeln")


@pytest.fixture
def axes_on(settings):
    """The lockout tests hold even if the test settings switch axes off elsewhere."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_anonymous_visitors_cannot_open_a_centre_page(client, home_center):
    response = client.get(home_center.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")


def test_login_page_is_german(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "<h1>Anmelden</h1>" in html
    assert "Benutzername" in html and "Passwort" in html


def test_correct_password_logs_in_and_lands_on_the_dashboard(client, lead):
    response = post_login(client, "leitung-koeln", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert int(client.session[SESSION_KEY]) == lead.pk


def test_wrong_password_shows_a_german_error_and_logs_nobody_in(client, lead):
    response = post_login(client, "leitung-koeln", "falsch")
    assert response.status_code == 200
    assert (
        "Benutzername oder Passwort ist falsch. Bitte beachten Sie die "
        "Groß- und Kleinschreibung." in response.content.decode()
    )
    assert SESSION_KEY not in client.session


def test_five_failures_lock_the_account_with_a_german_page(client, lead, axes_on):
    for _ in range(4):
        assert post_login(client, "leitung-koeln", "falsch").status_code == 200

    fifth = post_login(client, "leitung-koeln", "falsch")
    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert "Anmeldung vorübergehend gesperrt" in html
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in html
    assert '<html lang="de">' in html

    # Locked means locked: even the right password does not get in now.
    with_right_password = post_login(client, "leitung-koeln", PASSWORD)
    assert with_right_password.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_is_per_account(client, lead, home_center, axes_on):
    other = factories.user_with_role(Role.CENTER_STAFF, home_center, username="ma-koeln")
    for _ in range(5):
        post_login(client, "leitung-koeln", "falsch")
    response = post_login(client, "ma-koeln", PASSWORD)
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == other.pk


def test_a_success_before_the_limit_resets_the_count(client, lead, axes_on):
    for _ in range(4):
        post_login(client, "leitung-koeln", "falsch")
    assert post_login(client, "leitung-koeln", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert post_login(client, "leitung-koeln", "falsch").status_code == 200


def test_logout_is_a_post_and_ends_the_session(client, lead):
    client.force_login(lead)
    assert client.get(reverse("logout")).status_code == 405  # a link cannot log you out
    assert SESSION_KEY in client.session

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


def test_password_change_keeps_the_session_and_the_new_password_works(client, lead):
    client.force_login(lead)
    new_password = "Neues-Passwort-2026!"
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    done = client.get(response["Location"])
    assert "Ihr Passwort wurde geändert." in done.content.decode()

    lead.refresh_from_db()
    assert lead.check_password(new_password)
    client.post(reverse("logout"))
    assert post_login(client, "leitung-koeln", PASSWORD).status_code == 200
    assert post_login(client, "leitung-koeln", new_password).status_code == 302


def test_password_change_with_a_wrong_old_password_changes_nothing(client, lead):
    client.force_login(lead)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "falsch",
            "new_password1": "Neues-Passwort-2026!",
            "new_password2": "Neues-Passwort-2026!",
        },
    )
    assert response.status_code == 200
    assert "Das alte Passwort war falsch. Bitte neu eingeben." in response.content.decode()
    lead.refresh_from_db()
    assert lead.check_password(PASSWORD)
