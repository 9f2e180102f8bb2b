"""Issue 4 in the browser: Köln's KI-Leitung imports her Excel list, sees the preview,
fixes her file after a clear error, imports, exports, and finds her staff page with
the decree's warnings. axe-core on every page of the way."""

from pathlib import Path

from playwright.sync_api import expect

from staffing import exporting
from staffing.models import Assignment, StaffMember

HEADER = (
    "KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart;Stellenanteil;Beginn;Ende;Funktion;"
    "Abordnende Schule;Qualifikation"
)
GOOD = [
    "05315;Yıldız;Elif;e.yildiz@stadt-koeln.example;Fachkraft;1;01.02.2027;;;;Master",
    "05315;Hoffmann;Jonas;j.hoffmann@stadt-koeln.example;Lehrkraft;50 %;01.08.2026;31.07.2028;;"
    '"Gesamtschule Köln-Holweide";Lehramt',
    "05315;Hoffmann;Lea;l.hoffmann@stadt-koeln.example;Lehrkraft;0,5;01.08.2026;31.07.2028;;"
    '"Gymnasium Köln-Deutz";Lehramt',
]


def excel_csv(rows, *, encoding="cp1252"):
    """What German Excel writes for "CSV (Trennzeichen-getrennt)": ;, CRLF, Windows-1252."""
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding)


def upload(page, name, data):
    page.goto("/personal/import/")
    page.get_by_label("Personalliste (CSV oder XLSX)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Datei prüfen").click()


def test_leitung_imports_fixes_exports_and_sees_warnings(page, login, shot, assert_accessible):
    login(page, "ki-koeln-leitung")
    page.goto("/personal/05315/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personal")
    page.get_by_role("link", name="Personalliste importieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personalliste importieren")
    shot(page, "staffing-import-upload")
    assert_accessible(page)

    # Her first file has a typo: 1,5 instead of 0,5, and "Yıldız" in UTF-8 would not fit
    # Windows-1252, so this file is UTF-8 with BOM — both are read.
    bad = [GOOD[0], GOOD[1], GOOD[2].replace(";0,5;", ";1,5;")]
    upload(page, "Personalliste_Koeln.csv", excel_csv(bad, encoding="utf-8-sig"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import-Vorschau")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("1 Zeile hat einen Fehler. Es wird nichts importiert.")
    error_row = page.locator(".import-row--error")
    expect(error_row).to_have_count(1)
    expect(error_row).to_contain_text("Spalte „Stellenanteil“")
    expect(error_row).to_contain_text("höchstens 1")
    expect(error_row.locator("td").first).to_have_text("4")
    expect(page.get_by_role("button", name="Import bestätigen")).to_have_count(0)
    shot(page, "staffing-import-preview-error")
    assert_accessible(page)
    assert not StaffMember.objects.filter(email__endswith="@stadt-koeln.example").exists()

    # The fixed file: preview shows three new rows, then she confirms.
    good = [GOOD[0].replace("Yıldız", "Yildiz"), *GOOD[1:]]
    page.get_by_role("link", name="Andere Datei hochladen").click()
    upload(page, "Personalliste_Koeln_korrigiert.csv", excel_csv(good))
    expect(page.locator(".import-summary")).to_contain_text(
        "neu: 3, geändert: 0, unverändert: 0, Fehler: 0"
    )
    expect(page.locator(".import-row--new")).to_have_count(3)
    shot(page, "staffing-import-preview-ok")
    assert_accessible(page)
    page.get_by_role("button", name="Import bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import abgeschlossen")
    assert Assignment.objects.filter(member__email__endswith="@stadt-koeln.example").count() == 3
    shot(page, "staffing-import-done")
    assert_accessible(page)

    # The export holds her centre's list, in the import's columns and the post of each row.
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").first.click()
    exported = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    assert exported.startswith(";".join(exporting.HEADERS))
    assert "j.hoffmann@stadt-koeln.example" in exported

    # Her staff page: the new people, and the decree's warnings for Köln.
    page.get_by_role("link", name="Zur Personalübersicht").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personal: ")
    expect(page.get_by_role("link", name="Hoffmann, Jonas").first).to_be_visible()
    warnings = page.locator(".staffing-warnings")
    expect(warnings).to_contain_text("Hinweise nach dem Erlass")
    expect(warnings).to_contain_text("unbesetzt seit 01.07.2025")
    expect(warnings).to_contain_text("Lehrkräftestellen: 3,00 VZÄ, Soll 2,00 VZÄ")
    expect(warnings).to_contain_text("zwei gleichen Anteilen")
    expect(warnings).to_contain_text("keine Qualifikation nach Nr. 4.1")
    shot(page, "staffing-center")
    assert_accessible(page)

    page.get_by_role("link", name="Vakanzen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vakanzen")
    assert_accessible(page)


def test_a_running_import_shows_its_progress_and_refreshes_itself(
    page, login, shot, assert_accessible
):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from staffing import imports
    from staffing.models import ImportJob, ImportStatus

    login(page, "ki-koeln-leitung")
    job = ImportJob.objects.create(
        user=get_user_model().objects.get(username="ki-koeln-leitung"),
        filename="Personalliste_gross.csv",
        content=b"-",
        status=ImportStatus.IMPORTING,
        total=20000,
    )
    cache.set(imports._progress_key(job.pk), 8100)
    try:
        page.goto(job.get_absolute_url())
        status = page.locator("#import-status")
        expect(status).to_contain_text("wird importiert … 8100 von etwa 20000 Zeilen")
        expect(page.get_by_role("progressbar", name="Fortschritt")).to_have_attribute(
            "value", "8100"
        )
        shot(page, "staffing-import-running")
        assert_accessible(page)
        # The worker moves on; the page polls (htmx, every second) without a reload.
        cache.set(imports._progress_key(job.pk), 16200)
        expect(status).to_contain_text("16200 von etwa 20000 Zeilen", timeout=5000)
    finally:
        cache.delete(imports._progress_key(job.pk))
