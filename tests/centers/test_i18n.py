"""German first, English available: gettext catalogues compiled and used."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from centers.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogues_are_compiled(language):
    mo = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.mo"
    assert mo.is_file() and mo.stat().st_size > 10_000


def test_login_page_is_german_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="de">' in html and ">Anmelden</h1>" in html


def test_switching_to_english_translates_the_portal(client, user_as, home_center):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html and ">Log in</h1>" in html
    client.force_login(user_as(Role.LASI, home_center))
    html = client.get(reverse("centers:list")).content.decode()
    assert "Municipal Integration Centres" in html
