"""Issue 14 on the server: valid htmx markup, error summary, required marker, named forms,
one current menu item. (The same on every main page in the browser, at 320 px:
tests/browser/test_reflow_and_forms.py.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from centers.models import Role

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
# ``hx-get=`` but not ``data-hx-get=``: the Nu HTML checker rejects the bare form.
BARE_HX = re.compile(r"(?<![\w-])hx-[a-z]+(?:-[a-z]+)*\s*=")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """The elements of a page: tag, attributes and text, in document order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}  # <div hidden>: ""
        element = {"tag": tag, "attrs": attrs, "text": "", "within": list(self._open)}
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, tag=None, **attrs):
        return [
            e
            for e in self.elements
            if (tag is None or e["tag"] == tag)
            and all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def inside(self, container) -> list[dict]:
        return [e for e in self.elements if any(o is container for o in e["within"])]

    def by_id(self, element_id):
        found = [e for e in self.elements if e["attrs"].get("id") == element_id]
        assert len(found) == 1, f"id {element_id!r} {len(found)}-mal auf der Seite"
        return found[0]

    def text(self, element) -> str:
        return " ".join(element["text"].split())

    def form_names(self) -> list[str]:
        names = []
        for form in self.find("form"):
            ids = form["attrs"].get("aria-labelledby", "").split()
            name = " ".join(self.text(self.by_id(i)) for i in ids) if ids else ""
            names.append(name or form["attrs"].get("aria-label", ""))
        return names


def get_page(client, url) -> tuple[int, Page]:
    response = client.get(url)
    return response.status_code, Page(response.content.decode())


@pytest.fixture
def lead_client(client, home_center, user_as):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    return client


# --- htmx attributes as data-hx-* -------------------------------------------------


def test_no_template_or_python_module_writes_a_bare_htmx_attribute():
    sources = sorted((ROOT / "templates").rglob("*.html"))
    for app in ("centers", "deployment", "reporting", "staffing", "kiportal", "workflow"):
        sources += sorted((ROOT / app).rglob("*.py")) if (ROOT / app).is_dir() else []
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BARE_HX.search(line)
    ]
    assert offenders == [], "htmx-Attribute als data-hx-* schreiben:\n" + "\n".join(offenders)


def test_the_pages_carry_htmx_attributes_only_as_data_hx(lead_client, home_center):
    status, page = get_page(
        lead_client, reverse("staffing:center", kwargs={"key": home_center.key})
    )
    assert status == 200
    attributes = {name for e in page.elements for name in e["attrs"]}
    assert not [name for name in attributes if name.startswith("hx-")]
    # The CSRF header for htmx requests is still sent: on <body>, as data-hx-headers.
    (body,) = page.find("body")
    assert "X-CSRFToken" in body["attrs"]["data-hx-headers"]


# --- a failed submit ---------------------------------------------------------------


def test_a_failed_submit_titles_the_page_and_lists_each_error_as_a_link(lead_client, home_center):
    url = reverse("staffing:post_create", kwargs={"key": home_center.key})
    status, page = get_page(lead_client, url)
    (title,) = page.find("title")
    assert not page.text(title).startswith("Fehler")
    assert not page.find(data_error_summary="")

    response = lead_client.post(url, {"kind": "", "label": "Stelle ohne Umfang"})
    assert response.status_code == 200
    page = Page(response.content.decode())
    (title,) = page.find("title")
    assert page.text(title).startswith("Fehler: ")

    (summary,) = page.find("div", data_error_summary="")
    assert summary["attrs"]["tabindex"] == "-1"  # portal.js focuses it
    links = [e for e in page.inside(summary) if e["tag"] == "a"]
    targets = [link["attrs"]["href"] for link in links]
    assert {"#id_kind", "#id_fte", "#id_valid_from"} <= set(targets)
    for link in links:
        field = page.by_id(link["attrs"]["href"][1:])  # each link leads to its field
        assert field["tag"] in {"input", "select", "textarea"}
        (label,) = page.find("label", **{"for": field["attrs"]["id"]})
        assert page.text(link).startswith(page.text(label).rstrip(" *") + ": ")


def test_the_error_summary_comes_first_in_the_content(lead_client, home_center):
    url = reverse("staffing:post_create", kwargs={"key": home_center.key})
    page = Page(lead_client.post(url, {"label": ""}).content.decode())
    (main,) = page.find("main")
    assert "data-error-summary" in page.inside(main)[0]["attrs"]


# --- the required marker -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("staffing:post_create", {}),
        ("staffing:member_create", {}),
        ("reporting:center", {}),
    ],
)
def test_a_star_is_shown_exactly_where_the_input_is_required(
    lead_client, home_center, name, kwargs
):
    status, page = get_page(lead_client, reverse(name, kwargs={"key": home_center.key, **kwargs}))
    assert status == 200
    starred = [label for label in page.find("label") if "*" in page.text(label)]
    for label in page.find("label"):
        field = page.by_id(label["attrs"]["for"])
        assert ("required" in field["attrs"]) == (label in starred), page.text(label)
    notes = [p for p in page.find("p") if page.text(p) == "Felder mit * sind Pflichtfelder."]
    # Explained once in every form that shows a star, and only there.
    assert len(notes) == (1 if starred else 0)


def test_the_report_period_select_has_neither_star_nor_required(lead_client, home_center):
    _, page = get_page(lead_client, reverse("reporting:center", kwargs={"key": home_center.key}))
    select = page.by_id("id_period")
    (label,) = page.find("label", **{"for": "id_period"})
    # Its first option is a period: it cannot be left empty, so nothing to mark.
    assert "required" not in select["attrs"]
    assert "*" not in page.text(label)


# --- accessible names of forms, aria-current ---------------------------------------


def test_every_form_on_a_page_has_its_own_name(lead_client, home_center):
    _, page = get_page(lead_client, reverse("reporting:center", kwargs={"key": home_center.key}))
    names = page.form_names()
    assert len(names) == 3 and all(names), names
    assert len(set(names)) == len(names), names
    assert {"Abmelden", "Sprache wählen", "Bericht anfordern"} == set(names)


@pytest.mark.parametrize(
    ("url", "current"),
    [("/berichte/dashboard/", "Berichte"), ("/", "Übersicht"), ("/berichte/", "Berichte")],
)
def test_one_menu_item_is_the_current_page(client, home_center, user_as, url, current):
    client.force_login(user_as(Role.LASI))
    status, page = get_page(client, url)
    assert status == 200
    (nav,) = page.find("nav", aria_label="Hauptnavigation")
    marked = [e for e in page.inside(nav) if e["attrs"].get("aria-current") == "page"]
    assert len(marked) == 1, [page.text(e) for e in marked]
    assert page.text(marked[0]).startswith(current)  # "Übersicht (2 offene Aufgaben)"
