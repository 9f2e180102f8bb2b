"""The to-do list ("Aufgaben", issue 11) walked in the browser, once per demo role: the
dashboard lists at least one entry, the entry leads to the place of the action, the action
is done there (through the step's confirmation page where it is a workflow step), and back
on the dashboard the entry is gone and the navigation counts one task less.

Which entries the demo data gives whom comes from the demo modules and the ``todo`` modules
(centers, staffing, deployment, reporting); entries are found by their visible text.
Screenshots: ``screenshots/todo-<role>-*.png``.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from centers.workflow.transitions import transition_apply
from deployment.models import DeploymentPlan, PlanStatus
from deployment.workflows import PLAN

KOELN = "Kommunales Integrationszentrum Köln"


# --- the dashboard -----------------------------------------------------------------------


def _nav_count(page) -> int:
    """The number the navigation shows beside "Übersicht" (no number: nothing open)."""
    link = page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name=re.compile(r"^Übersicht")
    )
    match = re.search(r"\((\d+)", link.inner_text())
    return int(match.group(1)) if match else 0


def _tasks(page):
    return page.get_by_role("region", name="Aufgaben")


def _dashboard(page, shot, assert_accessible, name: str) -> int:
    """Open the dashboard, check that list and navigation agree; return the count."""
    page.goto("/")
    tasks = _tasks(page)
    expect(tasks.get_by_role("heading", name="Aufgaben")).to_be_visible()
    count = _nav_count(page)
    assert count >= 1, "Die Aufgabenliste ist leer."
    # One entry per task (a group of many is one entry), as many as the navigation says.
    expect(tasks.locator("ul.task-list > li")).to_have_count(count)
    shot(page, name)
    assert_accessible(page)
    return count


def _entry(page, pattern: str):
    """The one entry whose text matches ``pattern`` (the first if several do)."""
    link = _tasks(page).get_by_role("link", name=re.compile(pattern)).first
    expect(link).to_be_visible()
    return link


def _follow(page, entry) -> str:
    """Click an entry; return its text to look for it again afterwards."""
    text = entry.inner_text().strip()
    entry.click()
    page.wait_for_load_state()
    return text


def _entry_is_gone(page, shot, assert_accessible, name: str, text: str, before: int) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name=re.compile(r"^Übersicht")
    ).click()
    expect(page.get_by_role("heading", name="Aufgaben")).to_be_visible()
    shot(page, name)
    expect(_tasks(page).get_by_role("link", name=text, exact=True)).to_have_count(0)
    assert _nav_count(page) == before - 1, (
        f"Die Navigation zählt {_nav_count(page)} offene Aufgaben, erwartet {before - 1}."
    )
    assert_accessible(page)


def _confirm(
    page,
    shot,
    assert_accessible,
    name: str,
    step: str,
    *,
    link: str | None = None,
    note: tuple[str, str] | None = None,
) -> None:
    """On the object's page: follow ``link`` (the step's name unless the page says it
    shorter) to the step's confirmation page, give the reason (``note`` = label, text)
    where it takes one, and confirm with the button named like the step."""
    page.get_by_role("link", name=link or step, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(step)
    expect(page.get_by_text(f"„{step}“ ist noch nicht möglich")).to_have_count(0)
    if note:
        label, text = note
        page.get_by_role("textbox", name=label, exact=True).fill(text)
    shot(page, name)
    assert_accessible(page)
    page.get_by_role("button", name=step, exact=True).click()
    expect(page.locator(".messages")).to_be_visible()


# --- one walk per role --------------------------------------------------------------------


def test_leitung_submits_the_draft_plan(page, login, shot, assert_accessible):
    login(page, "ki-koeln-leitung")
    before = _dashboard(page, shot, assert_accessible, "todo-leitung-dashboard")
    entry = _entry(page, rf"^Der Entwurf des Einsatzmanagement-Plans .* „{KOELN}“")
    text = _follow(page, entry)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Einsatzmanagement")
    expect(page.locator(".plan-meta")).to_contain_text("Entwurf")
    shot(page, "todo-leitung-plan")
    assert_accessible(page)

    _confirm(
        page, shot, assert_accessible, "todo-leitung-confirm", "Bei der Schulaufsicht einreichen"
    )
    expect(page.locator(".plan-meta")).to_contain_text("bei der Schulaufsicht")

    _entry_is_gone(page, shot, assert_accessible, "todo-leitung-after", text, before)


def test_mitarbeitende_complete_the_target_values(page, login, shot, assert_accessible):
    # The team's part of a draft (DESIGN.md §1): the Schwerpunkte's content. The demo's
    # Köln draft has one Schwerpunkt whose indicators still lack target values (Nr. 3.6);
    # submitting is the KI-Leitung's entry, not theirs.
    login(page, "ki-koeln")
    before = _dashboard(page, shot, assert_accessible, "todo-mitarbeitende-dashboard")
    entry = _entry(page, rf"^Im Einsatzmanagement-Plan .* „{KOELN}“ fehlt für 1 Schwerpunkt")
    text = _follow(page, entry)
    expect(page.locator(".plan-meta")).to_contain_text("Entwurf")
    anchor = page.url.rsplit("#", 1)[1]
    article = page.locator(f"article#{anchor}")
    shot(page, "todo-mitarbeitende-plan")
    assert_accessible(page)

    article.get_by_role("link", name=re.compile("^Bearbeiten")).click()
    editing = page.locator("article.focus--editing")
    names = [
        line.split(":")[0].strip()
        for line in editing.get_by_label("Indikatoren und Zielwerte").input_value().splitlines()
        if line.strip()
    ]
    editing.get_by_label("Indikatoren und Zielwerte").fill(
        "\n".join(f"{name}: {10 * (n + 1)}" for n, name in enumerate(names))
    )
    shot(page, "todo-mitarbeitende-focus-form")
    assert_accessible(page)
    editing.get_by_role("button", name="Speichern").click()
    expect(page.locator("article.focus--editing")).to_have_count(0)

    _entry_is_gone(page, shot, assert_accessible, "todo-mitarbeitende-after", text, before)


def _leitung_submits_koeln_plan() -> None:
    """Köln's draft goes to the Schulaufsicht (the KI-Leitung's step, as in her walk)."""
    leitung = get_user_model().objects.get(username="ki-koeln-leitung")
    plan = DeploymentPlan.objects.get(center__key="05315", is_current=True, status=PlanStatus.DRAFT)
    transition_apply(PLAN, "submit", obj=plan, user=leitung, expected_version=plan.version)


def test_schulaufsicht_returns_a_submitted_plan(page, login, shot, assert_accessible):
    # The demo gives the Schulaufsicht Köln only the vacant teacher post, which it cannot
    # act on in the portal (the teacher post list is read-only); its own step is the
    # review of a submitted plan, so Köln's draft is submitted first.
    _leitung_submits_koeln_plan()
    login(page, "schulamt-koeln")
    before = _dashboard(page, shot, assert_accessible, "todo-schulaufsicht-dashboard")
    entry = _entry(page, rf"^Einsatzmanagement-Plan .* „{KOELN}“ wartet auf Ihre Prüfung")
    text = _follow(page, entry)
    expect(page.locator(".plan-meta")).to_contain_text("bei der Schulaufsicht")
    shot(page, "todo-schulaufsicht-plan")
    assert_accessible(page)

    _confirm(
        page,
        shot,
        assert_accessible,
        "todo-schulaufsicht-confirm",
        "Zur Überarbeitung zurückgeben",
        note=("Begründung", "Bitte die Zielwerte mit den Grundschulen abstimmen."),
    )
    expect(page.locator(".plan-meta")).to_contain_text("zur Überarbeitung zurückgegeben")

    _entry_is_gone(page, shot, assert_accessible, "todo-schulaufsicht-after", text, before)


def test_traeger_decides_an_exception(page, login, shot, assert_accessible):
    login(page, "traeger-koeln")
    before = _dashboard(page, shot, assert_accessible, "todo-traeger-dashboard")
    entry = _entry(page, r"^Antrag auf Qualifikationsausnahme .* wartet auf Ihre Entscheidung")
    text = _follow(page, entry)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Qualifikationsausnahme")
    shot(page, "todo-traeger-exception")
    assert_accessible(page)

    _confirm(
        page,
        shot,
        assert_accessible,
        "todo-traeger-confirm",
        "Ausnahme genehmigen",
        note=(
            "Begründung der Entscheidung",
            "Die Berufserfahrung in der Elternarbeit wiegt den fehlenden Abschluss auf.",
        ),
    )
    expect(page.get_by_text("Die Ausnahme wurde genehmigt")).to_be_visible()

    _entry_is_gone(page, shot, assert_accessible, "todo-traeger-after", text, before)
    if before == 1:
        expect(_tasks(page)).to_contain_text("Keine offenen Aufgaben.")


def test_lasi_acknowledges_a_reported_plan(page, login, shot, assert_accessible):
    login(page, "lasi")
    before = _dashboard(page, shot, assert_accessible, "todo-lasi-dashboard")
    entry = _entry(page, r"^Einsatzmanagement-Plan .* wartet auf Ihre Kenntnisnahme")
    text = _follow(page, entry)
    expect(page.locator(".plan-meta")).to_contain_text("an die LaSI gemeldet")
    shot(page, "todo-lasi-plan")
    assert_accessible(page)

    _confirm(page, shot, assert_accessible, "todo-lasi-confirm", "Zur Kenntnis nehmen")
    expect(page.locator(".plan-meta")).to_contain_text("von der LaSI zur Kenntnis genommen")

    _entry_is_gone(page, shot, assert_accessible, "todo-lasi-after", text, before)


def test_bewilligung_approves_a_concept(page, login, shot, assert_accessible):
    login(page, "bewilligung")
    before = _dashboard(page, shot, assert_accessible, "todo-bewilligung-dashboard")
    entry = _entry(page, r"^Integrationskonzept \(Fassung \d+\) .* wartet auf Ihre Prüfung")
    text = _follow(page, entry)
    expect(page.locator(".lead")).to_contain_text("eingereicht")
    shot(page, "todo-bewilligung-concept")
    assert_accessible(page)

    _confirm(
        page,
        shot,
        assert_accessible,
        "todo-bewilligung-confirm",
        "Konzept bewilligen",
        link="Bewilligen",
    )
    expect(page.locator(".lead")).to_contain_text("bewilligt")

    _entry_is_gone(page, shot, assert_accessible, "todo-bewilligung-after", text, before)


def test_ministerium_resolves_a_conflict(page, login, shot, assert_accessible):
    login(page, "ministerium")
    before = _dashboard(page, shot, assert_accessible, "todo-ministerium-dashboard")
    entry = _entry(page, r"^Konflikt im Einsatzmanagement-Plan .* wartet auf Ihre Klärung")
    text = _follow(page, entry)
    # The entry leads to the conflict's own thread on the plan page (…/#comment-<id>).
    anchor = page.url.partition("#")[2]
    assert anchor.startswith("comment-"), page.url
    thread = page.locator(f"article#{anchor}")
    expect(thread.get_by_text("offener Konflikt", exact=True)).to_be_visible()
    shot(page, "todo-ministerium-plan")
    assert_accessible(page)

    thread.get_by_label("Klärung").fill(
        "Mit Schulamt und Zentrum am Telefon geklärt: die Zielwerte gelten für zwei Schuljahre."
    )
    thread.get_by_role("button", name="Konflikt als geklärt vermerken").click()
    expect(page.get_by_text("Der Konflikt ist als geklärt vermerkt.")).to_be_visible()
    expect(thread.get_by_text("Konflikt geklärt", exact=True)).to_be_visible()
    shot(page, "todo-ministerium-resolved")

    _entry_is_gone(page, shot, assert_accessible, "todo-ministerium-after", text, before)
