"""Issue 5 in the browser: the Einsatzmanagement from draft to LaSI's
acknowledgement, and the Verbund — with axe-core on every page on the way."""

import re

from playwright.sync_api import expect

KOELN = "Kommunales Integrationszentrum Köln"
FIRST = "Sprachmittlung an Grundschulen im Veedel"
SECOND = "Elternbegleitung im Übergang Kita–Grundschule"
GOAL = re.compile(r"^Ziel")


def _logout(page):
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state()


def _open_koeln_plan(page):
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Einsatzmanagement"
    ).click()
    page.get_by_role("link", name=KOELN).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Einsatzmanagement")


def _add_focus(page, title, *, field, stage, goal, shared=False):
    page.get_by_role("link", name="Schwerpunkt hinzufügen").click()
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Handlungsfeld").select_option(label=field)
    page.get_by_label("Bildungskette").select_option(label=stage)
    page.get_by_label("Schulen und andere Bildungseinrichtungen").check()
    page.get_by_role("textbox", name=GOAL).fill(goal)
    page.get_by_label("Maßnahmen").fill("Netzwerktreffen, Fortbildungen, Beratung vor Ort.")
    page.get_by_label("Indikatoren und Zielwerte").fill("Beteiligte Schulen: 12")
    page.get_by_label("Staatliches Schulamt").check()
    if shared:
        page.get_by_label("im Verbund teilen").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name=title, level=3)).to_be_visible()


def _allocate(page, focus_title, index, fte):
    page.get_by_label("Person und Stelle").select_option(index=index)
    page.get_by_label("Schwerpunkt").select_option(label=focus_title)
    page.get_by_label("Anteil (VZÄ)").fill(fte)
    page.get_by_role("button", name="Zuordnen").click()
    expect(page.get_by_text("Der Stellenanteil wurde gespeichert.")).to_be_visible()


def test_plan_from_draft_to_lasi_and_the_verbund(page, login, shot, assert_accessible):
    # KI-Leitung Köln drafts: two Schwerpunkte, one shared in the Verbund.
    login(page, "ki-koeln-leitung")
    _open_koeln_plan(page)
    expect(page.locator(".plan-meta")).to_contain_text("Entwurf")
    expect(page.get_by_role("heading", name="Laiensprachmittlerpool")).to_be_visible()
    _add_focus(
        page,
        FIRST,
        field="Bildung, Erziehung und Betreuung",
        stage="Schule",
        goal="Elterngespräche an Grundschulen finden mit Sprachmittlung statt.",
        shared=True,
    )
    shot(page, "deployment-focus-saved")
    _add_focus(
        page,
        SECOND,
        field="Durchgängige Sprachbildung für Kinder von drei bis sechs Jahren",
        stage="Elementarbereich",
        goal="Familien begleiten ihre Kinder sicher in die Grundschule.",
    )
    plan_url = page.url.split("#")[0]
    assert_accessible(page)
    shot(page, "deployment-plan-draft")

    # Inline editing (htmx) swaps in just this Schwerpunkt's form and back.
    article = page.locator("article.focus", has=page.get_by_role("heading", name=SECOND))
    article.get_by_role("link", name=re.compile("^Bearbeiten")).click()
    form_article = page.locator("article.focus--editing")
    expect(form_article.get_by_role("textbox", name=GOAL)).to_be_visible()
    # Keyboard users land on the swapped-in form, not at the top of the page.
    expect(form_article.get_by_role("heading", level=3)).to_be_focused()
    shot(page, "deployment-focus-inline-edit")
    assert_accessible(page, context="article.focus--editing")
    form_article.get_by_role("textbox", name=GOAL).fill(
        "Familien begleiten ihre Kinder sicher in die Grundschule; 150 Familien erreicht."
    )
    form_article.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("150 Familien erreicht.")).to_be_visible()
    expect(page.get_by_role("heading", name=SECOND, level=3)).to_be_focused()
    assert page.url.split("#")[0] == plan_url  # no page load: only the Schwerpunkt changed

    # Staff time on both Schwerpunkte.
    page.get_by_role("link", name="Personaleinsatz").click()
    _allocate(page, FIRST, 1, "0,5")
    _allocate(page, SECOND, 1, "0,5")
    _allocate(page, SECOND, 2, "0,25")
    expect(page.get_by_text("vollständig verteilt", exact=True).first).to_be_visible()
    shot(page, "deployment-allocations")
    assert_accessible(page)
    page.get_by_role("link", name="Zurück zum Einsatzmanagement").click()

    # Every step has a confirmation page that says what to check first (issue 11).
    page.get_by_role("link", name="Bei der Schulaufsicht einreichen").click()
    expect(page.locator(".notice--warning")).to_contain_text("ist keinem Schwerpunkt zugeordnet")
    shot(page, "deployment-plan-submit")
    assert_accessible(page)
    page.get_by_role("button", name="Bei der Schulaufsicht einreichen").click()
    expect(page.locator(".plan-meta")).to_contain_text("bei der Schulaufsicht")
    _logout(page)

    # Schulaufsicht comments on one Schwerpunkt and sends the plan back.
    login(page, "schulamt-koeln")
    page.goto(plan_url)
    page.get_by_role("textbox", name=re.compile(r"^Kommentar")).fill(
        "Bitte die Zielwerte mit den Grundschulen im Veedel abstimmen."
    )
    page.get_by_label("zu Schwerpunkt").select_option(label=FIRST)
    page.get_by_role("button", name="Kommentar speichern").click()
    expect(page.get_by_text("Ihr Kommentar wurde gespeichert.")).to_be_visible()
    page.get_by_role("link", name="Zur Überarbeitung zurückgeben").click()
    page.get_by_role("textbox", name="Begründung").fill("Zielwerte fehlen noch.")
    shot(page, "deployment-plan-return")
    assert_accessible(page)
    page.get_by_role("button", name="Zur Überarbeitung zurückgeben").click()
    expect(page.locator(".plan-meta")).to_contain_text("zur Überarbeitung zurückgegeben")
    shot(page, "deployment-plan-returned")
    assert_accessible(page)
    _logout(page)

    # KI-Leitung revises (inline) and submits again.
    login(page, "ki-koeln-leitung")
    page.goto(plan_url)
    article = page.locator("article.focus", has=page.get_by_role("heading", name=FIRST))
    article.get_by_role("link", name=re.compile("^Bearbeiten")).click()
    page.locator("article.focus--editing").get_by_label("Indikatoren und Zielwerte").fill(
        "Beteiligte Grundschulen: 12\nSprachmittlungseinsätze: 300"
    )
    page.locator("article.focus--editing").get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Sprachmittlungseinsätze")).to_be_visible()
    page.get_by_role("link", name="Bei der Schulaufsicht einreichen").click()
    page.get_by_role("button", name="Bei der Schulaufsicht einreichen").click()
    expect(page.locator(".plan-meta")).to_contain_text("bei der Schulaufsicht")
    _logout(page)

    # Schulaufsicht agrees ("im Benehmen").
    login(page, "schulamt-koeln")
    page.goto(plan_url)
    page.get_by_role("link", name="Benehmen herstellen").click()
    page.get_by_role("button", name="Benehmen herstellen").click()
    expect(page.locator(".plan-meta")).to_contain_text("im Benehmen mit der Schulaufsicht")
    _logout(page)

    # KI-Leitung reports to LaSI; the plan is read-only now.
    login(page, "ki-koeln-leitung")
    page.goto(plan_url)
    expect(page.get_by_role("link", name="Schwerpunkt hinzufügen")).to_have_count(0)
    page.get_by_role("link", name="An die LaSI melden").click()
    page.get_by_role("button", name="An die LaSI melden").click()
    expect(page.locator(".plan-meta")).to_contain_text("an die LaSI gemeldet")
    _logout(page)

    # LaSI sees every centre at a glance and acknowledges.
    login(page, "lasi")
    page.goto("/einsatzmanagement/land/")
    expect(page.locator(".stat--missing")).to_be_visible()
    shot(page, "deployment-state-overview")
    assert_accessible(page)
    row = page.get_by_role("row", name=re.compile(KOELN + " "))
    expect(row).to_contain_text("an die LaSI gemeldet")
    row.get_by_role("link", name=KOELN).click()
    page.get_by_role("link", name="Zur Kenntnis nehmen").click()
    page.get_by_role("button", name="Zur Kenntnis nehmen").click()
    expect(page.locator(".plan-meta")).to_contain_text("von der LaSI zur Kenntnis genommen")
    expect(page.locator(".timeline")).to_contain_text("von der LaSI zur Kenntnis genommen")
    shot(page, "deployment-plan-acknowledged")
    assert_accessible(page)
    _logout(page)

    # Bonn finds Köln's shared Schwerpunkt in the Verbund and copies it.
    login(page, "ki-bonn")
    page.goto("/einsatzmanagement/verbund/")
    page.get_by_label("Suche", exact=True).fill("Sprachmittlung Veedel")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("link", name=FIRST)).to_be_visible()
    shot(page, "deployment-verbund-search")
    assert_accessible(page)
    page.get_by_role("link", name=FIRST).click()
    expect(page.locator("main")).not_to_contain_text("VZÄ")
    shot(page, "deployment-verbund-focus")
    assert_accessible(page)
    page.get_by_role("button", name="Übernehmen").click()
    expect(page.get_by_text("wurde in Ihr Einsatzmanagement übernommen")).to_be_visible()
    expect(page.get_by_role("heading", name=FIRST, level=3)).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Bonn")
    shot(page, "deployment-verbund-copied")
