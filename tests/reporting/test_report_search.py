"""Searching the report list (/berichte/): by the centre's name or Kreisschlüssel, or by a
year of the period; together with the column sort, inside the user's scope, in a constant
number of queries."""

import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from centers.models import Center, Role
from deployment.periods import period_starting
from reporting.models import ReportStatus
from tests.querycount import assert_constant_queries

from .factories import report

pytestmark = pytest.mark.django_db

URL = reverse("reporting:list")
KOELN, BONN, KREFELD = "05315", "05314", "05114"
P2023 = period_starting(datetime.date(2023, 8, 1))  # 2023–2025
P2025 = period_starting(datetime.date(2025, 8, 1))  # 2025–2027
P2027 = period_starting(datetime.date(2027, 8, 1))  # 2027–2029


def centre(key: str) -> Center:
    return Center.objects.get(key=key)


@pytest.fixture
def reports():
    """Köln for three periods, Bonn and Krefeld for one, a state overview for one."""
    made = {
        ("05315", P2023): report(centre(KOELN), period=P2023),
        ("05315", P2025): report(centre(KOELN), period=P2025),
        ("05315", P2027): report(centre(KOELN), period=P2027, status=ReportStatus.QUEUED),
        ("05314", P2025): report(centre(BONN), period=P2025),
        ("05114", P2023): report(centre(KREFELD), period=P2023),
        ("NRW", P2025): report(None, period=P2025),
    }
    return made


def search(client, **params) -> tuple[set, str]:
    """The (key or "NRW", period start year) of every listed report, and the page."""
    response = client.get(URL, params)
    assert response.status_code == 200
    found = {
        (r.center.key if r.center else "NRW", r.period_start.year)
        for r in response.context["reports"]
    }
    return found, response.content.decode()


@pytest.fixture
def lasi(client, user_as):
    client.force_login(user_as(Role.LASI))
    return client


# --- what a search finds --------------------------------------------------------------------


def test_search_by_the_centres_name_ignores_case(lasi, reports):
    found, __ = search(lasi, q="köln")
    assert found == {(KOELN, 2023), (KOELN, 2025), (KOELN, 2027)}
    found, __ = search(lasi, q="  KREFELD ")
    assert found == {(KREFELD, 2023)}


def test_search_by_kreisschluessel_and_its_beginning(lasi, reports):
    found, __ = search(lasi, q=BONN)
    assert found == {(BONN, 2025)}
    found, __ = search(lasi, q="0531")  # Bonn and Köln, not Krefeld (05114)
    assert {key for key, __ in found} == {KOELN, BONN}


def test_search_by_year_finds_every_period_that_includes_it(lasi, reports):
    found, __ = search(lasi, q="2026")
    assert found == {(KOELN, 2025), (BONN, 2025), ("NRW", 2025)}
    found, __ = search(lasi, q="2025")  # 2023–2025 ends, 2025–2027 starts in 2025
    assert found == {(KOELN, 2023), (KREFELD, 2023), (KOELN, 2025), (BONN, 2025), ("NRW", 2025)}


def test_terms_combine_a_centre_and_a_period_as_the_table_writes_it(lasi, reports):
    found, __ = search(lasi, q="Köln 2027")
    assert found == {(KOELN, 2025), (KOELN, 2027)}
    found, __ = search(lasi, q="Köln 2025–2027")
    assert found == {(KOELN, 2025)}


def test_the_state_overview_is_found_by_the_name_the_table_shows(lasi, reports):
    found, __ = search(lasi, q="nordrhein")
    assert found == {("NRW", 2025)}


def test_no_result_says_so_in_german_and_shows_no_empty_table(lasi, reports):
    found, text = search(lasi, q="Atlantis")
    assert found == set()
    assert "Keine Berichte gefunden, die zu „Atlantis“ passen." in text
    assert "Noch keine Berichte." not in text


def test_an_empty_search_lists_everything(lasi, reports):
    found, text = search(lasi, q="   ")
    assert len(found) == len(reports)
    assert "6 Berichte" in text


# --- the form and the sort ------------------------------------------------------------------


def test_the_search_is_a_labelled_get_form_that_needs_no_javascript(lasi, reports):
    __, text = search(lasi)
    form = re.search(r'<form method="get"[^>]*role="search"[^>]*>(.*?)</form>', text, re.S)
    assert form, "a plain GET form"
    assert '<label for="id_q">Suche</label>' in form.group(1)
    assert re.search(r'<input type="search" name="q"[^>]*id="id_q"', form.group(1))
    assert '<button type="submit"' in form.group(1)


def test_search_and_sort_keep_each_other(lasi, reports):
    found, text = search(lasi, q="Köln", sort="-period")
    # The order is the sort's: the newest period first.
    rows = re.findall(r"<td>(\d\d\.\d\d\.(\d{4}))–", text)
    assert [year for __, year in rows] == ["2027", "2025", "2023"]
    # Every sort link keeps the query …
    links = re.findall(r'<a class="sort-link" href="([^"]*)">', text)
    assert links
    for href in links:
        assert parse_qs(urlsplit(html.unescape(href)).query)["q"] == ["Köln"]
    # … and the search form keeps the order and the query.
    assert re.search(r'<option value="-period" selected>', text)
    assert re.search(r'<input type="search" name="q" value="Köln"', text)


def test_the_pages_of_a_search_keep_it(lasi):
    for center in Center.objects.exclude(key__in=["05334002"])[:51]:
        report(center, period=P2025)
    __, text = search(lasi, q="2026", sort="center")
    next_link = re.search(r'<a href="([^"]*)">weiter</a>', text)
    assert parse_qs(urlsplit(html.unescape(next_link.group(1))).query) == {
        "q": ["2026"],
        "sort": ["center"],
        "page": ["2"],
    }


# --- scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CENTER_LEAD, Role.SPONSOR, Role.SCHOOL_AUTHORITY])
def test_a_search_never_reaches_other_centres_reports(client, user_as, reports, role):
    client.force_login(user_as(role, centre(KOELN)))
    for query in ("Bonn", BONN, "0531", "Krefeld", "2025", "Nordrhein"):
        found, __ = search(client, q=query)
        assert {key for key, __ in found} <= {KOELN}, query
    found, __ = search(client, q="0531")
    assert found == {(KOELN, 2023), (KOELN, 2025), (KOELN, 2027)}


# --- speed ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CENTER_LEAD, Role.LASI])
def test_search_queries_do_not_grow(client, user_as, role):
    client.force_login(user_as(role, centre(KOELN)))
    url = f"{URL}?q=K%C3%B6ln+2026&sort=-period"
    version = iter(range(1, 10**6))

    def grow(k):
        for __ in range(k):
            report(centre(KOELN), period=P2025, number=next(version))
            report(centre(BONN), period=P2025, number=next(version))
            report(None, period=P2025, number=next(version))

    client.get(url)  # warm the per-process caches (content types) first
    assert_constant_queries(client, url, grow)
