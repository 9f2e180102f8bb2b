"""Issue 14 in the browser.

- No main page scrolls sideways at 320 px (WCAG 1.4.10): wide tables scroll inside their
  own box, which is then a named region the keyboard can reach.
- The pages as the browser sees them: no bare ``hx-*`` attribute (valid HTML), every
  form a distinct accessible name, at most one ``aria-current="page"`` in the navigation.
- After a failed submit the keyboard focus is on the error summary, whose links lead to
  the fields; the date input keeps the focus ring on its calendar button.

The main pages are those of ``benchmarks/pages.py`` (with the demo user each is measured
for), plus the allocations, report list and vacancy pages the issue names.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from benchmarks.pages import CENTER, PAGES
from centers.models import Center, IntegrationConcept
from deployment import selectors as deployment_selectors
from deployment.models import DeploymentPlan
from reporting.funding.models import FundingApplication
from reporting.models import Report, ReportStatus
from staffing.models import StaffMember

EXTRA_PAGES = [
    ("allocations", "ki-koeln-leitung", "{allocations}"),
    ("reports", "ki-koeln-leitung", f"/berichte/zentrum/{CENTER}/"),
    ("staffing-vacancies", "ki-koeln-leitung", f"/personal/{CENTER}/vakanzen/"),
]
MAIN_PAGES = [(p.slug, p.user, p.path) for p in PAGES] + EXTRA_PAGES


def _lookups() -> dict[str, str]:
    """The demo objects behind the pages with an id in their address (as the benchmark)."""
    user_model = get_user_model()
    center = Center.objects.get(key=CENTER)
    plan = DeploymentPlan.objects.filter(center=center, is_current=True).order_by("pk").first()
    person = (
        StaffMember.objects.filter(center=center, assignments__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    concept = IntegrationConcept.objects.filter(center=center).order_by("pk").first()
    reports = Report.objects.filter(center=center).order_by("pk")
    report = reports.filter(status__in=ReportStatus.with_file()).first() or reports.first()
    focus = (
        deployment_selectors.foci_shared_in_verbund(user_model.objects.get(username="ki-koeln"))
        .order_by("pk")
        .first()
    )
    application = FundingApplication.objects.filter(center=center).order_by("pk").first()
    return {
        "plan": reverse("deployment:plan_detail", kwargs={"pk": plan.pk}),
        "allocations": reverse("deployment:allocations", kwargs={"pk": plan.pk}),
        "person": reverse("staffing:member", kwargs={"key": CENTER, "pk": person.pk}),
        "concept": reverse("centers:concept_detail", kwargs={"key": CENTER, "pk": concept.pk}),
        "report": reverse("reporting:detail", kwargs={"pk": report.pk}),
        "verbund_focus": reverse("deployment:verbund_focus", kwargs={"pk": focus.pk}),
        "application": reverse("funding:application", kwargs={"pk": application.pk}),
    }


# The widest thing on the page, named, so a failure says what to fix.
_WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > limit + 0.5) {
      let scroller = el.parentElement, inside = false;
      while (scroller && scroller !== document.body) {
        const o = getComputedStyle(scroller).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') { inside = true; break; }
        scroller = scroller.parentElement;
      }
      if (!inside) out.push(`${el.tagName.toLowerCase()}.${el.className} → ${Math.round(r.right)} px`);
    }
  }
  return out.slice(0, 8);
}"""


# Every form's accessible name (aria-labelledby, else aria-label), as a screen reader's
# list of form landmarks shows it.
_FORM_NAMES = """() => [...document.forms].map(form => {
  const ids = (form.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
  const name = ids.length
    ? ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ')
    : form.getAttribute('aria-label') || '';
  return name.replace(/\\s+/g, ' ').trim();
})"""

_HX_ATTRIBUTES = """() => [...document.querySelectorAll('*')].flatMap(el =>
  [...el.attributes].filter(a => a.name.startsWith('hx-')).map(a => `${el.tagName.toLowerCase()}[${a.name}]`))"""


@pytest.mark.parametrize(("slug", "username", "path"), MAIN_PAGES, ids=[p[0] for p in MAIN_PAGES])
def test_main_page_at_320_px(page, login, slug, username, path):
    login(page, username)
    page.set_viewport_size({"width": 320, "height": 640})
    response = page.goto(path.format(**_lookups()))
    assert response.status == 200

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{slug} ({page.url}) ist {width} px breit: {page.evaluate(_WIDEST)}"
    # A table wider than the screen scrolls in its own box: a named region a keyboard reaches.
    for box in page.locator(".table-scroll").all():
        if box.evaluate("b => b.scrollWidth > b.clientWidth + 1"):
            expect(box).to_have_attribute("tabindex", "0")
            expect(box).to_have_attribute("role", "region")
            assert box.get_attribute("aria-label") or box.get_attribute("aria-labelledby"), slug

    assert page.evaluate(_HX_ATTRIBUTES) == [], f"{slug}: htmx-Attribute ohne data-"
    names = page.evaluate(_FORM_NAMES)
    assert all(names), f"{slug}: Formular ohne Namen: {names}"
    assert len(names) == len(set(names)), f"{slug}: Formulare mit gleichem Namen: {names}"
    assert page.locator(".main-nav [aria-current]").count() <= 1, slug


def test_reports_dashboard_marks_only_the_reports_menu_item(page, login):
    login(page, "lasi")
    page.goto("/berichte/dashboard/")
    current = page.get_by_role("navigation", name="Hauptnavigation").locator("[aria-current]")
    expect(current).to_have_count(1)
    expect(current).to_have_text("Berichte")


def test_failed_submit_focuses_the_error_summary_and_its_links_the_fields(page, login):
    login(page, "ki-koeln-leitung")
    page.goto(f"/personal/{CENTER}/stellen/neu/")
    expect(page.get_by_text("Felder mit * sind Pflichtfelder.")).to_have_count(1)
    page.get_by_label("Bezeichnung").fill("Stelle ohne Umfang")
    page.get_by_role("button", name="Speichern").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Fehler: "))
    expect(summary.get_by_role("heading")).to_have_text("Bitte prüfen Sie Ihre Eingaben")
    link = summary.get_by_role("link", name=re.compile(r"^gültig ab: "))
    link.click()
    expect(page.get_by_label("gültig ab")).to_be_focused()


def test_date_input_keeps_the_focus_ring_on_its_calendar_button(page, login):
    login(page, "ki-koeln-leitung")
    page.goto(f"/personal/{CENTER}/stellen/neu/")
    date_input = page.get_by_label("gültig ab")
    date_input.focus()
    # Day, month, year, then the calendar button: all inside the one input.
    for _ in range(3):
        page.keyboard.press("Tab")
    ring = date_input.evaluate(
        "el => [document.activeElement === el, getComputedStyle(el).outlineStyle,"
        " getComputedStyle(el).outlineWidth]"
    )
    assert ring == [True, "solid", "3px"]
