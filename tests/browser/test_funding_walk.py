"""Issue 12 in the browser: the Träger of Köln applies for next year's Grundförderung, the
Bewilligung returns it, it is corrected and decided, the KI requests the first drawdown,
the Bewilligung marks it paid; the KI submits the Verwendungsnachweis of this year, the
Bewilligung accepts it and its PDF reads back — with axe-core on the way."""

import io
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

KOELN = "Kommunales Integrationszentrum Köln"
BASIC = "Grundförderung Kommunale Integrationszentren"


def _logout(page):
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state()


def _koeln_funding(page):
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Förderung"
    ).click()
    page.get_by_role("link", name=KOELN).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Förderanträge und Bescheide")


def _open_application(page, year):
    page.get_by_role("row", name=re.compile(f"{BASIC} {year}")).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Förderantrag {BASIC} {year}")


def _fill_pool(page, amount):
    page.get_by_label(re.compile("^beantragt: Laiensprachmittlerpool")).fill(amount)


def test_application_to_proof_of_use(page, login, shot, assert_accessible):
    year = timezone.localdate().year
    next_year = year + 1

    # The KI-Leitung prepares next year's application: personnel from the staffing list.
    login(page, "ki-koeln-leitung")
    _koeln_funding(page)
    page.get_by_role("button", name=f"{BASIC} {next_year}").click()
    expect(page.get_by_text("Der Antrag wurde angelegt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Finanzierungsplan")).to_be_visible()
    page.get_by_role("link", name="Finanzierungsplan bearbeiten").click()
    _fill_pool(page, "60.000,00")
    page.get_by_role("button", name="Speichern").click()
    # The cap, at the top in the error summary and at the form.
    expect(page.locator("#error-summary").get_by_text("höchstens 50.000,00 €")).to_be_visible()
    form = page.get_by_role("form", name="Finanzierungsplan bearbeiten")
    expect(form.get_by_text("höchstens 50.000,00 €")).to_be_visible()
    assert_accessible(page)
    _fill_pool(page, "45.000,00")
    page.get_by_label("Erläuterungen zum Finanzierungsplan").fill(
        "Honorare und Fahrtkosten der Sprachmittlerinnen und Sprachmittler."
    )
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Der Finanzierungsplan wurde gespeichert.")).to_be_visible()
    shot(page, "funding-application-draft")
    assert_accessible(page)
    _logout(page)

    # The Träger submits it.
    login(page, "traeger-koeln")
    _koeln_funding(page)
    _open_application(page, next_year)
    page.get_by_role("link", name="Antrag stellen").click()
    shot(page, "funding-application-submit-confirm")
    assert_accessible(page)
    page.get_by_role("button", name="Antrag stellen").click()
    expect(page.get_by_text("Der Antrag wurde gestellt.")).to_be_visible()
    _logout(page)

    # The Bewilligung returns it with a reason.
    login(page, "bewilligung")
    page.get_by_role(
        "link", name=re.compile(f"Förderantrag {BASIC} {next_year} des Zentrums „{KOELN}“")
    ).click()
    page.get_by_role("link", name="Zur Überarbeitung zurückgeben").click()
    page.get_by_role("textbox", name="Begründung").fill(
        "Bitte die Sachausgaben auf 40.000 € begrenzen."
    )
    page.get_by_role("button", name="Zur Überarbeitung zurückgeben").click()
    expect(page.get_by_text("Der Antrag wurde zur Überarbeitung zurückgegeben.")).to_be_visible()
    _logout(page)

    # Corrected by the KI-Leitung, submitted again by the Träger.
    login(page, "ki-koeln-leitung")
    _koeln_funding(page)
    _open_application(page, next_year)
    expect(page.get_by_text("Bitte die Sachausgaben auf 40.000 € begrenzen.").first).to_be_visible()
    page.get_by_role("link", name="Finanzierungsplan bearbeiten").click()
    _fill_pool(page, "40.000,00")
    page.get_by_role("button", name="Speichern").click()
    _logout(page)
    login(page, "traeger-koeln")
    _koeln_funding(page)
    _open_application(page, next_year)
    page.get_by_role("link", name="Antrag stellen").click()
    page.get_by_role("button", name="Antrag stellen").click()
    _logout(page)

    # The Bewilligung decides: a Bescheid per line.
    login(page, "bewilligung")
    page.get_by_role(
        "link", name=re.compile(f"Förderantrag {BASIC} {next_year} des Zentrums „{KOELN}“")
    ).click()
    page.get_by_role("link", name="Bescheiden").click()
    page.get_by_label("Aktenzeichen").fill(f"36.03.04-05315/{next_year}")
    page.get_by_label("Nebenbestimmungen").fill("ANBest-G")
    shot(page, "funding-bescheid-form")
    assert_accessible(page)
    page.get_by_role("button", name="Bescheid erlassen").click()
    expect(page.get_by_text("Der Antrag wurde beschieden.")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("beschieden")
    _logout(page)

    # The KI-Leitung requests the first drawdown; the Bewilligung marks it paid.
    login(page, "ki-koeln-leitung")
    _koeln_funding(page)
    # (Chromium puts a space before the visually hidden part of a name.)
    page.get_by_role("link", name=re.compile(rf"^Mittel abrufen\s*: {BASIC} {next_year}")).click()
    page.get_by_label(re.compile(r"15\.02\.")).check()
    page.get_by_label(re.compile("^abrufen: Fachkraftstellen")).fill("142.500,00")
    assert_accessible(page)
    page.get_by_role("button", name="Mittel abrufen").click()
    expect(page.get_by_text("Der Mittelabruf wurde an die Bewilligungsbehörde")).to_be_visible()
    _logout(page)
    login(page, "bewilligung")
    page.get_by_role(
        "link", name=re.compile(f"Mittelabruf des Zentrums „{KOELN}“ zum 15.02.{next_year}")
    ).click()
    page.get_by_role("link", name="Als ausgezahlt vermerken").click()
    page.get_by_role("button", name="Als ausgezahlt vermerken").click()
    expect(page.locator(".badge")).to_have_text("ausgezahlt")
    _logout(page)

    # The KI-Leitung sees the ledger and submits this year's Verwendungsnachweis.
    login(page, "ki-koeln-leitung")
    _koeln_funding(page)
    ledger = page.get_by_role("table", name=re.compile(f"Mittel {BASIC} {next_year}"))
    expect(ledger.get_by_role("row", name=re.compile("^Fachkraftstellen"))).to_contain_text(
        "142.500,00 €"
    )
    shot(page, "funding-centre-ledger")
    assert_accessible(page)
    # ... enters this year's activity figures, which the Sachbericht takes over ...
    page.get_by_role("link", name="Tätigkeitszahlen", exact=True).click()
    edit = page.get_by_role(
        "link",
        name=re.compile(
            rf"(Bearbeiten\s*\(Tätigkeitszahlen {year}\)|Tätigkeitszahlen {year} erfassen)"
        ),
    )
    edit.click()
    page.get_by_label("beraten: Primarstufe").fill("41")
    page.get_by_label("zugewiesen: Primarstufe").fill("37")
    assert_accessible(page)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tätigkeitszahlen")
    _koeln_funding(page)
    page.get_by_role(
        "button", name=re.compile(rf"^Verwendungsnachweis anlegen\s*: {BASIC} {year}")
    ).click()
    expect(page.get_by_text("Der Verwendungsnachweis wurde angelegt.")).to_be_visible()
    page.get_by_role("link", name="Bearbeiten").click()
    page.get_by_label("Sachbericht (eigener Text)").fill("Seiteneinstieg und Sprachmittlung.")
    for field in page.get_by_label(re.compile("^tatsächlich ausgegeben")).all():
        field.fill("1,00")  # far below: every line needs a reason
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("bitte begründen Sie die Abweichung").first).to_be_visible()
    page.get_by_role("link", name="Bearbeiten").click()
    for field in page.get_by_label(re.compile("^Begründung der Abweichung")).all():
        field.fill("Stelle ab Oktober unbesetzt.")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_role("link", name="Verwendungsnachweis einreichen").click()
    page.get_by_role("button", name="Verwendungsnachweis einreichen").click()
    expect(page.get_by_text("Der Verwendungsnachweis wurde eingereicht.")).to_be_visible()
    proof_url = page.url
    _logout(page)

    # The Bewilligung accepts it; the PDF reads back.
    login(page, "bewilligung")
    page.goto(proof_url)
    shot(page, "funding-proof-submitted")
    assert_accessible(page)
    page.get_by_role("link", name="Anerkennen").click()
    page.get_by_role("button", name="Anerkennen").click()
    expect(page.locator(".badge")).to_have_text("geprüft und anerkannt")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("herunterladen")).click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    # Table cells wrap: compare without the line breaks.
    text = "".join("".join(p.extract_text() for p in pdf.pages).split())
    for expected in (
        "Verwendungsnachweis",
        "Seiteneinstieg",
        "Primarstufe4137",  # beraten 41, zugewiesen 37 (cells run together without spaces)
        "Sachbericht",
        "Seiteneinstieg und Sprachmittlung",
        "Zahlenmäßiger Nachweis",
        "Stelle ab Oktober unbesetzt",
        "Nachweis des geförderten Personals",
    ):
        assert "".join(expected.split()) in text, expected
