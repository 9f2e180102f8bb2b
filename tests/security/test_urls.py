"""Finding 5 of issue 15: a NUL byte in a centre key was a 500 (PostgreSQL refuses NUL
in text: psycopg DataError). Every URL with a control character is a 404 now — one
middleware for all URL patterns, the admin's included."""

import pytest

from centers.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry(client, home_center):
    client.force_login(factories.user_with_role(Role.MINISTRY))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/zentren/%00/",
        "/zentren/05315%00/",
        "/personal/05314%00/",
        "/berichte/zentrum/%00/",
        "/berichte/zentrum/05315%00/anfordern/",
        "/einsatzmanagement/zentrum/%00/neu/",
        "/zentren/05315/konzepte/?status=%00",
        "/zentren/%0A05315/",
        "/admin/centers/center/%00/change/",
    ],
)
def test_a_control_character_in_the_url_is_not_found(ministry, url):
    response = ministry.get(url)
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_a_post_to_such_a_url_is_not_found_either(ministry):
    response = ministry.post("/berichte/zentrum/05315%00/anfordern/", {"period": "2025"})
    assert response.status_code == 404


def test_ordinary_umlauts_and_keys_still_work(ministry, home_center):
    assert ministry.get("/zentren/05315/").status_code == 200
    assert ministry.get("/zentren/?q=K%C3%B6ln").status_code == 200
