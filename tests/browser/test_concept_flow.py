"""Issue 3 in the browser: the KI-Leitung writes a Fortschreibung of Köln's expiring
Integrationskonzept, the Bewilligung returns it with a reason, she fixes and
resubmits, the Bewilligung approves and records next year's funding — and Köln
stays active. Every transition goes through its confirmation page (issue 11).
axe-core on every page of the way."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from centers.documents import sample_pdf
from centers.models import PartnerKind

KOELN = "/zentren/05315/"
REASON = "Bitte ergänzen Sie das Protokoll der Arbeitsgemeinschaft nach § 78 SGB VIII."


def switch_user(page, login, username):
    page.context.clear_cookies()
    login(page, username)


def test_concept_from_draft_to_approval_and_funding(page, login, shot, assert_accessible):
    today = timezone.localdate()
    resolved = today - datetime.timedelta(days=14)

    # --- KI-Leitung: Köln is active, but its concept runs out within the year.
    login(page, "ki-koeln-leitung")
    page.goto(KOELN)
    expect(page.locator(".operating-status .badge")).to_have_text("aktiv")
    expect(page.locator(".operating-status")).to_contain_text(f"Förderbescheid für {today.year}")

    page.goto(KOELN + "konzepte/")
    shot(page, "concepts-list")
    assert_accessible(page)
    page.get_by_role("link", name="Neue Fassung / Fortschreibung anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fortschreibung anlegen")
    page.get_by_label("Beschluss vom").fill(resolved.isoformat())
    page.get_by_label("Drucksache / Vorlage").fill(f"Vorlage {today.year}/4711")
    shot(page, "concept-create")
    assert_accessible(page)
    page.get_by_role("button", name="Entwurf anlegen").click()
    expect(page.locator(".messages")).to_contain_text("Der Entwurf wurde angelegt.")
    expect(page.locator(".lead")).to_contain_text("Entwurf")
    expect(page.locator(".missing-list")).to_contain_text("das Konzept als PDF-Dokument")

    # Submitting too early: the confirmation page says what is missing, offers no button.
    page.get_by_role("link", name="Einreichen").click()
    blockers = page.locator(".notice--error")
    expect(blockers).to_contain_text("„Konzept einreichen“ ist noch nicht möglich")
    expect(blockers).to_contain_text("Beteiligung: Schulaufsicht")
    expect(blockers).to_contain_text("PDF-Dokument")
    expect(page.get_by_role("button", name="Konzept einreichen")).to_have_count(0)
    page.get_by_role("link", name="Zurück").click()

    for kind in PartnerKind.required():
        page.get_by_role("link", name="Beteiligung erfassen").click()
        page.get_by_label("Partner").select_option(kind.value)
        page.get_by_label("Bezeichnung").fill(f"{kind.label} Köln")
        page.get_by_label("beteiligt am").fill((resolved - datetime.timedelta(days=90)).isoformat())
        if kind == PartnerKind.SCHOOL_AUTHORITY:
            shot(page, "concept-participation-form")
            assert_accessible(page)
        page.get_by_role("button", name="Beteiligung speichern").click()
        expect(page.locator(".messages")).to_contain_text("Die Beteiligung wurde gespeichert.")

    page.get_by_role("link", name="Dokument hochladen").click()
    page.get_by_label("Dokument (PDF)").set_input_files(
        {
            "name": "Integrationskonzept_Koeln_2026.pdf",
            "mimeType": "application/pdf",
            "buffer": sample_pdf(["Integrationskonzept Köln", "Fortschreibung"]),
        }
    )
    shot(page, "concept-upload")
    assert_accessible(page)
    page.get_by_role("button", name="Hochladen").click()
    expect(page.locator(".messages")).to_contain_text("Das Dokument wurde hochgeladen.")
    expect(page.get_by_text("Alle Angaben nach Nr. 1.4 liegen vor.")).to_be_visible()
    shot(page, "concept-draft-complete")
    assert_accessible(page)

    page.get_by_role("link", name="Einreichen").click()
    shot(page, "concept-submit")
    assert_accessible(page)
    page.get_by_role("button", name="Konzept einreichen").click()
    expect(page.locator(".lead")).to_contain_text("eingereicht")
    concept_url = page.url

    # --- Bewilligung: the queue, the PDF, a return with a reason.
    switch_user(page, login, "bewilligung")
    page.get_by_role("link", name="Konzeptprüfung").click()
    row = page.locator("table.table tbody tr", has_text="Kommunales Integrationszentrum Köln")
    expect(row).to_contain_text("eingereicht")
    shot(page, "concept-review-queue")
    assert_accessible(page)
    row.get_by_role("link", name="Kommunales Integrationszentrum Köln").click()
    expect(page).to_have_url(concept_url)
    document = page.get_by_role("link", name=re.compile(r"Integrationskonzept_Koeln_2026\.pdf"))
    response = page.request.get(document.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.body().startswith(b"%PDF-")
    shot(page, "concept-review")
    assert_accessible(page)
    page.get_by_role("link", name="Mit Begründung zurückgeben").click()
    page.get_by_label("Grund der Rückgabe").fill(REASON)
    shot(page, "concept-return")
    assert_accessible(page)
    page.get_by_role("button", name="Konzept zurückgeben").click()
    expect(page.locator(".lead")).to_contain_text("zurückgegeben")

    # --- KI-Leitung reads the reason, corrects, resubmits.
    switch_user(page, login, "ki-koeln-leitung")
    page.goto(concept_url)
    expect(page.locator(".notice--error")).to_contain_text(REASON)
    shot(page, "concept-returned")
    assert_accessible(page)
    page.get_by_role("link", name="Angaben und Beschluss bearbeiten").click()
    page.get_by_label("Kurzbeschreibung").fill(
        "Fortschreibung mit Protokoll der AG nach § 78 SGB VIII als Anlage."
    )
    shot(page, "concept-edit")
    assert_accessible(page)
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".messages")).to_contain_text("Die Änderungen wurden gespeichert.")
    page.get_by_role("link", name="Einreichen").click()
    page.get_by_role("button", name="Konzept einreichen").click()
    expect(page.locator(".lead")).to_contain_text("eingereicht")

    # --- Bewilligung approves and records next year's Förderbescheid.
    switch_user(page, login, "bewilligung")
    page.goto(concept_url)
    page.get_by_role("link", name="Bewilligen").click()
    expect(page.get_by_text("löst die bisher bewilligte Fassung 1 ab")).to_be_visible()
    shot(page, "concept-approve")
    assert_accessible(page)
    page.get_by_role("button", name="Konzept bewilligen").click()
    expect(page.locator(".lead")).to_contain_text("bewilligt")
    timeline = page.locator(".timeline")
    for step in ("angelegt", "Beschluss erfasst", "eingereicht", "zurückgegeben", "bewilligt"):
        expect(timeline).to_contain_text(step)
    expect(page.locator(".history-table")).to_contain_text("Kurzbeschreibung")
    shot(page, "concept-approved")
    assert_accessible(page)

    page.goto(KOELN + "foerderung/")
    page.get_by_role("link", name="Förderbescheid erfassen").click()
    page.get_by_label("Betrag (EUR)").fill("312500,00")
    page.get_by_label("Förderjahr").fill(str(today.year + 1))
    page.get_by_label("Aktenzeichen").fill(f"36.03.04-05315/{today.year + 1}")
    page.get_by_label("geförderte Stellen (VZÄ)").fill("5,5")
    shot(page, "funding-form")
    assert_accessible(page)
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".messages")).to_contain_text("Der Förderbescheid wurde gespeichert.")
    expect(page.locator("table.table").first).to_contain_text("312.500,00")
    shot(page, "funding")
    assert_accessible(page)

    # --- Köln meets Nr. 1.4 with the new concept, for everybody who sees the centre.
    page.goto(KOELN)
    expect(page.locator(".operating-status")).to_contain_text("aktiv")
    expect(page.locator(".operating-status .badge")).to_have_text("aktiv")
    shot(page, "center-active")
    assert_accessible(page)
    switch_user(page, login, "schulamt-koeln")
    page.goto(KOELN)
    expect(page.locator(".operating-status .badge")).to_have_text("aktiv")
    page.goto(concept_url)
    expect(page.locator(".lead")).to_contain_text("bewilligt")
    expect(page.get_by_role("link", name="Bewilligen")).to_have_count(0)
    expect(page.get_by_role("link", name="Einreichen")).to_have_count(0)
