"""Sorting tables by a column header (issue 11) on the centre list, the concept review queue,
the state staffing table, the plan list and the report list.

Names come from the reference data. Their German order is written out by hand: code-point
order would put "Krefeld" before "Köln", so a missing collation fails here (on SQLite and on
PostgreSQL alike).
"""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from centers.models import Center, ConceptStatus, Region, Role
from tests.concepts.helpers import make_concept
from tests.deployment.factories import make_plan
from tests.reporting.factories import report

pytestmark = pytest.mark.django_db

PREFIX = "Kommunales Integrationszentrum "
# German order; the first two are the other way round in code-point order.
GERMAN_ORDER = [
    PREFIX + "Köln",
    PREFIX + "Krefeld",
    PREFIX + "Mönchengladbach",
    PREFIX + "Mülheim an der Ruhr",
    PREFIX + "Münster",
]
# In the Regierungsbezirk Köln; Krefeld, Mönchengladbach, Mülheim (Düsseldorf) and Münster
# are not.
IN_REGION_KOELN = PREFIX + "Köln"


def centres() -> list[Center]:
    return list(Center.objects.filter(name__in=GERMAN_ORDER))


def listed(text: str, names=GERMAN_ORDER) -> list[str]:
    """The names that appear in the table's body as a cell's text, in page order."""
    body = text[text.index("<tbody>") : text.index("</tbody>")]
    found = []
    for name in names:
        hits = [m.start() for m in re.finditer(f">{re.escape(name)}<", body)]
        assert len(hits) <= 1, f"{name!r} appears {len(hits)} times"
        found += [(hit, name) for hit in hits]
    return [name for __, name in sorted(found)]


def sorted_headers(text: str) -> list[tuple[str, str]]:
    """(column name, aria-sort) of every header that declares a sort direction."""
    pattern = r'<th scope="col"[^>]*aria-sort="(\w+)"[^>]*>\s*<a [^>]*>([^<]+)<'
    return [(label, direction) for direction, label in re.findall(pattern, text)]


def header_links(text: str) -> dict[str, dict[str, list[str]]]:
    """Each sortable header's query parameters, by column name."""
    links = re.findall(
        r'<th scope="col"[^>]*>\s*<a class="sort-link" href="([^"]*)">([^<]+)<', text
    )
    return {label: parse_qs(urlsplit(html.unescape(href)).query) for href, label in links}


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def assert_sorts_in_german_order(client, url, key, column, **filters):
    ascending = page(client, url, sort=key, **filters)
    assert listed(ascending) == GERMAN_ORDER
    assert sorted_headers(ascending) == [(column, "ascending")]
    # The active column's link turns the order round; the others start ascending.
    links = header_links(ascending)
    assert links[column]["sort"] == [f"-{key}"]

    descending = page(client, url, sort=f"-{key}", **filters)
    assert listed(descending) == GERMAN_ORDER[::-1]
    assert sorted_headers(descending) == [(column, "descending")]
    assert header_links(descending)[column]["sort"] == [key]


def assert_filter_stays_while_sorting(client, url, key, column, **filters):
    text = page(client, url, sort=f"-{key}", **filters)
    assert listed(text) == [IN_REGION_KOELN]
    for label, params in header_links(text).items():
        for name, value in filters.items():
            assert params[name] == [value], f"{label}: {name} lost"
    # The filter form keeps the order when the filters change.
    assert re.search(rf'<option value="-{key}" selected>', text)


# --- the centre list ------------------------------------------------------------------------


def test_centre_list_sorts_by_name_in_german_order(client, user_as):
    client.force_login(user_as(Role.LASI))
    assert_sorts_in_german_order(client, reverse("centers:list"), "name", "Zentrum")


def test_centre_list_is_sorted_by_name_on_the_first_visit(client, user_as):
    client.force_login(user_as(Role.LASI))
    text = page(client, reverse("centers:list"))
    assert listed(text) == GERMAN_ORDER
    assert sorted_headers(text) == [("Zentrum", "ascending")]


def test_centre_list_keeps_its_filters_while_sorting(client, user_as):
    client.force_login(user_as(Role.LASI))
    url = reverse("centers:list")
    assert_filter_stays_while_sorting(client, url, "name", "Zentrum", region=Region.KOELN)


def test_centre_list_sorts_by_sponsor_in_german_order(client, user_as):
    client.force_login(user_as(Role.LASI))
    text = page(client, reverse("centers:list"), sort="sponsor")
    sponsors = ["Köln", "Krefeld", "Mönchengladbach", "Mülheim an der Ruhr", "Münster"]
    # The Träger is the cell after the centre's (which ends with its key).
    column = re.findall(r"\)</span></td>\s*<td>([^<]*)</td>", text)
    assert len(column) == Center.objects.count()
    assert [name for name in column if name in sponsors] == sponsors
    assert sorted_headers(text) == [("Träger", "ascending")]


def test_unknown_sort_falls_back_to_the_default_order(client, user_as):
    """An old bookmark must not empty the table."""
    client.force_login(user_as(Role.LASI))
    text = page(client, reverse("centers:list"), sort="gibtsnicht")
    assert listed(text) == GERMAN_ORDER
    assert sorted_headers(text) == [("Zentrum", "ascending")]


def test_sort_links_start_again_at_the_first_page(client, user_as):
    client.force_login(user_as(Role.LASI))
    links = header_links(page(client, reverse("reporting:list"), page="1"))
    assert links and all("page" not in params for params in links.values())


def test_sort_headers_are_keyboard_links_with_a_german_hint(client, user_as):
    client.force_login(user_as(Role.LASI))
    text = page(client, reverse("centers:list"), sort="name")
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a class="sort-link" href="\?[^"]*sort=-name[^"]*">'
        r'Zentrum<span class="visually-hidden">, absteigend sortieren</span>',
        text,
    )
    assert '>Träger<span class="visually-hidden">, aufsteigend sortieren</span>' in text


# --- the concept review queue ---------------------------------------------------------------


@pytest.fixture
def submitted_concepts():
    for center in centres():
        make_concept(center, status=ConceptStatus.SUBMITTED)


def test_review_queue_sorts_by_centre_in_german_order(client, user_as, submitted_concepts):
    client.force_login(user_as(Role.FUNDING))
    url = reverse("centers:concept_review_queue")
    assert_sorts_in_german_order(client, url, "center", "Zentrum")


def test_review_queue_keeps_its_filters_while_sorting(client, user_as, submitted_concepts):
    client.force_login(user_as(Role.FUNDING))
    url = reverse("centers:concept_review_queue")
    assert_filter_stays_while_sorting(
        client, url, "center", "Zentrum", region=Region.KOELN, status=ConceptStatus.SUBMITTED
    )


def test_review_queue_sorted_on_the_first_visit_still_shows_what_waits(
    client, user_as, submitted_concepts
):
    draft = Center.objects.get(name=PREFIX + "Oberhausen")
    make_concept(draft, status=ConceptStatus.DRAFT)
    client.force_login(user_as(Role.FUNDING))
    text = page(client, reverse("centers:concept_review_queue"), sort="-center")
    assert listed(text, [*GERMAN_ORDER, draft.name]) == GERMAN_ORDER[::-1]


# --- the state staffing table ---------------------------------------------------------------


def test_state_staffing_sorts_by_centre_in_german_order(client, user_as):
    client.force_login(user_as(Role.LASI))
    assert_sorts_in_german_order(client, reverse("staffing:state"), "name", "Zentrum")


def test_state_staffing_keeps_its_filters_while_sorting(client, user_as):
    client.force_login(user_as(Role.LASI))
    url = reverse("staffing:state")
    assert_filter_stays_while_sorting(client, url, "name", "Zentrum", region=Region.KOELN)


# --- the plan list --------------------------------------------------------------------------


@pytest.fixture
def plans():
    for center in centres():
        make_plan(center, foci=0)


def test_plan_list_sorts_by_centre_in_german_order(client, user_as, plans):
    client.force_login(user_as(Role.LASI))
    assert_sorts_in_german_order(client, reverse("deployment:plan_list"), "center", "Zentrum")


def test_plan_list_keeps_its_filters_while_sorting(client, user_as, plans):
    client.force_login(user_as(Role.LASI))
    url = reverse("deployment:plan_list")
    assert_filter_stays_while_sorting(client, url, "center", "Zentrum", region=Region.KOELN)


# --- the report list ------------------------------------------------------------------------


def test_report_list_sorts_by_centre_in_german_order(client, user_as):
    for center in centres():
        report(center)
    client.force_login(user_as(Role.LASI))
    assert_sorts_in_german_order(client, reverse("reporting:list"), "center", "Bericht")


def test_report_list_puts_state_overviews_after_the_centres_either_way(client, user_as):
    for center in centres():
        report(center)
    report(None)
    client.force_login(user_as(Role.LASI))
    names = [*GERMAN_ORDER, "Nordrhein-Westfalen"]
    url = reverse("reporting:list")
    assert listed(page(client, url, sort="center"), names) == names
    assert listed(page(client, url, sort="-center"), names) == [*GERMAN_ORDER[::-1], names[-1]]


def test_report_list_pages_keep_the_order(client, user_as):
    for center in Center.objects.all()[:51]:
        report(center)
    client.force_login(user_as(Role.LASI))
    text = page(client, reverse("reporting:list"), sort="-center")
    next_link = re.search(r'<a href="([^"]*)">weiter</a>', text)
    assert parse_qs(urlsplit(html.unescape(next_link.group(1))).query) == {
        "sort": ["-center"],
        "page": ["2"],
    }
