"""Issue 2 in the browser: the German login, each role's landing page, centre
scope (a foreign centre is a 404), the centre list's filters, and axe-core on
every page a person sees first."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from centers.models import Center, Region

KOELN = "Kommunales Integrationszentrum Köln"
BONN = "Kommunales Integrationszentrum Bonn"


def rows(page):
    return page.locator("table.table tbody tr")


def test_login_page_is_german_and_accessible(page, shot, assert_accessible):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_title(re.compile(r"^Anmelden – KI-Portal"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.get_by_label("Benutzername")).to_be_visible()
    expect(page.get_by_label("Passwort")).to_be_visible()
    # Anonymous users see neither the navigation nor anybody's data.
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_have_count(0)
    shot(page, "login")
    assert_accessible(page)


def test_wrong_password_shows_a_german_error(page, login, shot, assert_accessible):
    page.goto("/accounts/login/")
    page.get_by_label("Benutzername").fill("ki-koeln-leitung")
    page.get_by_label("Passwort").fill("falsches-passwort")
    page.get_by_role("button", name="Anmelden").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Benutzername oder Passwort ist falsch. Bitte beachten Sie die Groß- und Kleinschreibung."
    )
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="Abmelden")).to_have_count(0)
    shot(page, "login-error")
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, login):
    login(page, "ki-koeln-leitung")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # shown when focused, hidden otherwise
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside the content, not in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_ki_leitung_sees_her_centre_and_gets_404_for_bonn(page, login, shot, assert_accessible):
    login(page, "ki-koeln-leitung")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(KOELN)
    expect(page.get_by_text("Ihre Rolle: KI-Leitung")).to_be_visible()
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    shot(page, "dashboard-ki-leitung")
    assert_accessible(page)

    page.get_by_role("link", name="Zur Seite des Zentrums").click()
    expect(page).to_have_url(re.compile(r"/zentren/05315/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(KOELN)
    expect(page.get_by_role("heading", name="Team und Zuständigkeiten")).to_be_visible()
    shot(page, "center-detail")
    assert_accessible(page)

    page.goto("/zentren/")
    expect(page.get_by_role("status").filter(has_text="Zentrum")).to_have_text("1 Zentrum")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(KOELN)

    response = page.goto("/zentren/05314/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    expect(page.get_by_text(BONN)).to_have_count(0)
    shot(page, "not-found")
    assert_accessible(page)


def test_schulamt_sees_the_centres_of_his_district(page, login, shot, assert_accessible):
    login(page, "schulamt-koeln")
    # The Schulamt für die Stadt Köln covers one centre; a reviewer still gets the
    # district view ("Mein Zentrum" is for the centre's own people).
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Zentren in Ihrem Zuständigkeitsbereich"
    )
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(KOELN)
    shot(page, "dashboard-schulamt-koeln")
    assert_accessible(page)

    page.get_by_role("link", name="Zentren", exact=True).click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(KOELN)
    assert page.goto("/zentren/05314/").status == 404


def test_schulamt_of_a_district_with_two_centres_gets_the_district_dashboard(
    page, login, shot, assert_accessible
):
    # The StädteRegion Aachen's Schulamt also covers the Stadt Aachen's centre (§3.5).
    reviewer = get_user_model().objects.get(username="schulamt-05334")
    reviewer.set_password(settings.DEMO_PASSWORD)
    reviewer.save(update_fields=["password"])

    login(page, "schulamt-05334")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Zentren in Ihrem Zuständigkeitsbereich"
    )
    expect(rows(page)).to_have_count(2)
    expect(rows(page).nth(0)).to_contain_text("Stadt Aachen")
    expect(rows(page).nth(1)).to_contain_text("StädteRegion Aachen")
    shot(page, "dashboard-schulamt-district")
    assert_accessible(page)


def test_lasi_sees_the_state_overview_and_filters_all_54_centres(
    page, login, shot, assert_accessible
):
    login(page, "lasi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Landesübersicht")
    expect(page.get_by_role("heading", name="Zentren nach Regierungsbezirk")).to_be_visible()
    expect(page.locator("tfoot tr")).to_contain_text("Nordrhein-Westfalen")
    shot(page, "dashboard-state")
    assert_accessible(page)

    page.get_by_role("link", name="Alle Zentren anzeigen").click()
    expect(page).to_have_url(re.compile(r"/zentren/$"))
    expect(page.get_by_text("54 Zentren", exact=True)).to_be_visible()
    expect(rows(page)).to_have_count(54)
    shot(page, "center-list")
    assert_accessible(page)

    in_koeln = Center.objects.filter(sponsor__region=Region.KOELN).count()
    page.get_by_label("Regierungsbezirk").select_option(label="Köln")
    page.get_by_role("button", name="Filtern").click()
    expect(page).to_have_url(re.compile(r"region=K%C3%B6ln"))
    expect(page.get_by_text(f"{in_koeln} Zentren", exact=True)).to_be_visible()
    expect(rows(page)).to_have_count(in_koeln)
    for region_cell in rows(page).locator("td:nth-child(3)").all_inner_texts():
        assert region_cell == "Köln"
    expect(page.get_by_label("Regierungsbezirk")).to_have_value("Köln")
    assert_accessible(page)

    page.get_by_role("link", name="Zurücksetzen").click()
    page.get_by_label("Suche").fill("Bonn")
    page.get_by_role("button", name="Filtern").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(BONN)
    expect(page.get_by_label("Suche")).to_have_value("Bonn")
    shot(page, "center-list-search")

    page.get_by_role("link", name=BONN).click()
    expect(page).to_have_url(re.compile(r"/zentren/05314/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BONN)


def test_state_overview_counts_each_centre_once(page, login):
    login(page, "lasi")
    lead = page.locator(".lead").inner_text()
    assert "54 Kommunale Integrationszentren in Nordrhein-Westfalen" in lead
    total = page.locator("tfoot tr td").first.inner_text()
    assert total == "54"
    regions = page.locator("tbody tr td:nth-child(2)").all_inner_texts()[:5]
    assert sum(int(n) for n in regions) == 54


def test_pages_fit_a_phone_screen(page, login, shot):
    """Wide tables scroll inside their box; the page itself never scrolls sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "ki-koeln-leitung")
    for path in ("/", "/zentren/", "/zentren/05315/"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} ist auf dem Telefon {overflow}px zu breit"
    shot(page, "phone-center-detail")


def test_lockout_and_password_change_pages_are_german_and_accessible(
    page, login, shot, assert_accessible
):
    login(page, "ki-koeln")
    page.get_by_role("link", name="Passwort ändern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passwort ändern")
    expect(page.get_by_label("Altes Passwort")).to_be_visible()
    shot(page, "password-change")
    assert_accessible(page)

    page.context.clear_cookies()
    for _ in range(5):
        page.goto("/accounts/login/")
        page.get_by_label("Benutzername").fill("ki-koeln")
        page.get_by_label("Passwort").fill("falsches-passwort")
        page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung vorübergehend gesperrt")
    expect(page.get_by_role("alert")).to_contain_text("Zu viele fehlgeschlagene Anmeldeversuche")
    shot(page, "lockout")
    assert_accessible(page)
