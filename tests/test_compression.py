"""Issue 13: pages go out gzip-compressed where the browser accepts it
(``kiportal.middleware.HtmlGZipMiddleware``) — pages only, never downloads, and never the
same bytes twice for a secret (BREACH)."""

import gzip
import re

import pytest
from django.urls import reverse

from centers.models import Role

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def lead_client(client, user_as, home_center):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    return client


def test_a_page_is_compressed_for_a_browser_that_accepts_gzip(lead_client, home_center):
    url = home_center.get_absolute_url()
    plain = lead_client.get(url)
    packed = lead_client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content)
    assert home_center.name.encode() in page and b"</html>" in page
    assert len(packed.content) < len(plain.content) / 2


def test_a_served_page_never_repeats_its_bytes_or_its_token(lead_client, home_center, settings):
    """BREACH: the page cache answers the same page again, but the CSRF token is masked
    afresh and the compressed length varies (random bytes in the gzip header)."""
    settings.PAGE_CACHE = True
    url = home_center.get_absolute_url()
    answers = [lead_client.get(url, HTTP_ACCEPT_ENCODING="gzip") for _ in range(6)]
    pages = [gzip.decompress(a.content) for a in answers]
    tokens = {TOKEN.search(page).group(1) for page in pages}
    assert len(tokens) == 6
    assert len({a.content for a in answers}) == 6
    assert len({len(a.content) for a in answers}) > 1


def test_downloads_are_not_compressed(lead_client, home_center):
    response = lead_client.get(
        reverse("staffing:export", kwargs={"key": home_center.key}) + "?format=xlsx",
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert "Content-Encoding" not in response
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content[:2] == b"PK"  # the XLSX itself, as written
