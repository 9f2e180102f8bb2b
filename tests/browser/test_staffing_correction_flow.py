"""Correcting the staff list in the browser: Köln's KI-Leitung imports an XLSX written
like LibreOffice Calc writes it (title block, typed cells, an extra column), checks the
preview (the post each row lands on, "neue Stelle", the decree's warnings), confirms,
takes the import back, then corrects posts by hand (edit, end, delete one entered by
mistake) and exports the list as XLSX. axe-core on the preview, the post form, the
delete confirmation and the staffing page."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.utils import timezone
from playwright.sync_api import expect

from staffing.models import Assignment, Post, StaffMember

CENTER = "05315"
HEADER = [
    "KI-Schlüssel",
    "Nachname",
    "Vorname",
    "E-Mail",
    "Stellenart",
    "Stellenanteil",
    "Beginn",
    "Ende",
    "Funktion",
    "Abordnende Schule",
    "Qualifikation",
    "Bemerkung",
]
# Three new people for Köln. The demo data leave one Fachkraft post vacant ("Fachkraft 5",
# 1,00 VZÄ): Neumann lands on it, Yilmaz needs a new Fachkraft post, Vogel a new
# Lehrkraft post; both new posts push Köln above its Soll, which the preview warns about.
# (The committed tests/staffing/fixtures/libreoffice.xlsx clashes with Köln's demo data:
# a second Leitung and a Leitung/Stellvertretung from the same area, so this test builds
# its own file the same way.)
PEOPLE = [
    (
        "Neumann", "Sophie", "s.neumann@stadt-koeln.example", "Fachkraft", 1,
        date(2027, 1, 1), None, None, None, "Master Soziale Arbeit", "unbefristet",
    ),
    (
        "Yilmaz", "Deniz", "d.yilmaz@stadt-koeln.example", "Fachkraft", 0.5,
        date(2027, 2, 1), date(2028, 7, 31), None, None, "Bachelor Sozialpädagogik", "befristet",
    ),
    (
        "Vogel", "Jana", "j.vogel@stadt-koeln.example", "Lehrkraft", 0.5,
        date(2027, 2, 1), date(2028, 7, 31), None, "Gesamtschule Köln-Holweide",
        "Lehramt Sek I", None,
    ),
]  # fmt: skip
EMAILS = [person[2] for person in PEOPLE]


def libreoffice_like_xlsx() -> bytes:
    """A staff list as people keep it in Calc: title block, typed cells, a remark column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Personal"
    sheet.append(["Personalliste KI Köln"])
    sheet.append(["Stand: 01.12.2026"])
    sheet.append([])
    sheet.append(HEADER)
    for person in PEOPLE:
        last, first, email, kind, share, start, end, role, school, qualification, remark = person
        sheet.append(
            [CENTER, last, first, email, kind, share, start, end, role, school, qualification,
             remark]
        )  # fmt: skip
    for row in sheet.iter_rows(min_row=5, min_col=7, max_col=8):
        for cell in row:
            cell.number_format = "DD.MM.YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def message(page):
    return page.locator(".messages")


def test_leitung_imports_undoes_corrects_posts_and_exports(page, login, shot, assert_accessible):
    login(page, "ki-koeln-leitung")
    assert not StaffMember.objects.filter(email__in=EMAILS).exists()
    posts_before = set(Post.objects.filter(center__key=CENTER).values_list("label", flat=True))

    # --- 1. import: upload -----------------------------------------------------------------
    page.goto(f"/personal/{CENTER}/")
    page.get_by_role("link", name="Personalliste importieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personalliste importieren")
    page.get_by_label("Personalliste (CSV oder XLSX)").set_input_files(
        {
            "name": "Personalliste_KI_Koeln.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": libreoffice_like_xlsx(),
        }
    )
    page.get_by_role("button", name="Datei prüfen").click()

    # --- 2. preview (htmx polls until the file is checked) -----------------------------------
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import-Vorschau")
    expect(page.locator(".import-summary")).to_contain_text(
        "neu: 3, geändert: 0, unverändert: 0, Fehler: 0", timeout=15_000
    )
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_text("Nicht übernommene Spalten: Bemerkung")).to_be_visible()
    expect(page.get_by_text("Der Import legt 2 neue Stellen an")).to_be_visible()
    rows = page.locator(".import-row")
    expect(rows).to_have_count(3)
    post_cells = rows.locator("td:nth-child(4)")
    # The title block is skipped: the first person is in row 5 of the sheet.
    expect(rows.locator("td:nth-child(1)")).to_have_text(["5", "6", "7"])
    expect(post_cells.nth(0)).to_have_text("Fachkraft 5")  # the vacant demo post
    expect(post_cells.nth(1)).to_contain_text("Fachkraft 6")
    expect(post_cells.nth(1)).to_contain_text("neue Stelle")
    expect(post_cells.nth(2)).to_contain_text("Lehrkraft 3")
    expect(post_cells.nth(2)).to_contain_text("neue Stelle")
    expect(rows.locator(".badge", has_text="neue Stelle")).to_have_count(2)
    expect(rows.nth(0).locator(".warning")).to_have_count(0)
    expect(rows.nth(1).locator(".warning")).to_contain_text(
        "Hinweis: Neue Stelle: Die Stellen der Stellenart „Fachkraft“ kommen damit auf"
    )
    expect(rows.nth(2).locator(".warning")).to_contain_text(
        "Hinweis: Neue Stelle: Die Stellen der Stellenart „Lehrkraft“ kommen damit auf"
    )
    shot(page, "staffing-correction-preview")
    assert_accessible(page)
    assert not StaffMember.objects.filter(email__in=EMAILS).exists()  # nothing saved yet

    page.get_by_role("button", name="Import bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Import abgeschlossen", timeout=15_000
    )
    assert StaffMember.objects.filter(email__in=EMAILS).count() == 3
    neumann = StaffMember.objects.get(email=EMAILS[0])
    assert neumann.get_qualification_display() == "Master / Diplom (Universität)"
    assert Assignment.objects.get(member__email=EMAILS[0]).post.label == "Fachkraft 5"
    assert {"Fachkraft 6", "Lehrkraft 3"} <= set(
        Post.objects.filter(center__key=CENTER).values_list("label", flat=True)
    )
    shot(page, "staffing-correction-import-done")

    # --- 3. undo -----------------------------------------------------------------------------
    page.get_by_role("button", name="Import rückgängig machen").click()
    expect(message(page)).to_contain_text("Der Import wurde rückgängig gemacht.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import rückgängig gemacht")
    expect(page.get_by_role("button", name="Import rückgängig machen")).to_have_count(0)
    for email in EMAILS:
        assert not StaffMember.objects.filter(email=email).exists(), email
    # The posts the import created are gone as well.
    assert (
        set(Post.objects.filter(center__key=CENTER).values_list("label", flat=True)) == posts_before
    )
    shot(page, "staffing-correction-import-undone")

    # --- 4. posts corrected by hand -------------------------------------------------------------
    page.goto(f"/personal/{CENTER}/")
    expect(page.get_by_role("link", name="Neumann, Sophie")).to_have_count(0)

    # Edit: the vacant Fachkraft post gets a clearer label.
    page.get_by_role("link", name="Fachkraft 5", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fachkraft 5")
    page.get_by_role("link", name="Stelle bearbeiten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stelle bearbeiten: Fachkraft 5")
    expect(page.get_by_label("Stellenart")).to_have_count(0)  # a wrong kind is a new post
    shot(page, "staffing-correction-post-edit")
    assert_accessible(page)
    page.get_by_label("Bezeichnung").fill("Fachkraft 5 (Elternarbeit)")
    page.get_by_role("button", name="Speichern").click()
    expect(message(page)).to_contain_text("Die Stelle wurde geändert.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fachkraft 5 (Elternarbeit)")
    post = Post.objects.get(center__key=CENTER, label="Fachkraft 5 (Elternarbeit)")
    assert post.valid_to is None

    # End: the post is not refilled after next summer.
    last_day = date(timezone.localdate().year + 1, 7, 31)
    page.get_by_role("link", name="Stelle beenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stelle beenden: Fachkraft 5 (Elternarbeit)"
    )
    page.get_by_label("Letzter Tag der Stelle").fill(last_day.isoformat())
    shot(page, "staffing-correction-post-end")
    page.get_by_role("button", name="Stelle beenden").click()
    expect(message(page)).to_contain_text("Die Stelle wurde beendet.")
    expect(page.locator(".facts")).to_contain_text(last_day.strftime("%d.%m.%Y"))
    post.refresh_from_db()
    assert post.valid_to == last_day

    # Delete: a post entered by mistake (no assignments), created first.
    page.goto(f"/personal/{CENTER}/")
    page.get_by_role("link", name="Stelle anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stelle anlegen")
    page.get_by_label("Stellenart").select_option(label="Verwaltungsassistenz")
    page.get_by_label("Bezeichnung").fill("Verwaltungsassistenz 9")
    page.get_by_label("Stellenanteil").fill("0,5")
    page.get_by_label("Finanzierung").select_option(label="Land-Zuwendung (Nr. 6.2)")
    # Current (from the first of this month), so the staffing page lists it.
    page.get_by_label("gültig ab").fill(timezone.localdate().replace(day=1).isoformat())
    page.get_by_role("button", name="Speichern").click()
    expect(message(page)).to_contain_text("Die Stelle wurde angelegt.")
    assert Post.objects.filter(center__key=CENTER, label="Verwaltungsassistenz 9").exists()
    page.goto(f"/personal/{CENTER}/")
    page.get_by_role("link", name="Verwaltungsassistenz 9", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltungsassistenz 9")
    page.get_by_role("link", name="Stelle löschen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stelle löschen: Verwaltungsassistenz 9"
    )
    expect(page.get_by_role("alert")).to_have_count(0)  # no assignments: no refusal
    shot(page, "staffing-correction-post-delete")
    assert_accessible(page)
    page.get_by_role("button", name="Stelle endgültig löschen").click()
    expect(message(page)).to_contain_text("Die Stelle „Verwaltungsassistenz 9“ wurde gelöscht.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personal: ")
    assert not Post.objects.filter(center__key=CENTER, label="Verwaltungsassistenz 9").exists()
    expect(page.get_by_role("link", name="Verwaltungsassistenz 9")).to_have_count(0)

    # A post with assignments is not deleted: the page says why and offers no button.
    page.get_by_role("link", name="Fachkraft 1", exact=True).click()
    page.get_by_role("link", name="Stelle löschen").click()
    expect(page.get_by_role("alert")).to_contain_text("hat Besetzungen")
    expect(page.get_by_role("button", name="Stelle endgültig löschen")).to_have_count(0)

    # --- 5. export XLSX -------------------------------------------------------------------------
    page.goto(f"/personal/{CENTER}/")
    expect(page.get_by_role("link", name="Fachkraft 5 (Elternarbeit)")).to_be_visible()
    shot(page, "staffing-correction-center")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Export XLSX").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert workbook.sheetnames == ["Personalliste"]
    sheet = workbook["Personalliste"]
    header = [cell.value for cell in sheet[1]]
    assert "Stelle" in header
    assert header.index("Stelle") == header.index("Stellenart") + 1
    rows = [
        dict(zip(header, (cell.value for cell in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    assert rows
    assert all(row["KI-Schlüssel"] == CENTER for row in rows)
    share_cells = [row[header.index("Stellenanteil")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" for cell in share_cells)
    assert {Decimal(str(cell.value)) for cell in share_cells} >= {Decimal("1"), Decimal("0.6")}
    start_cells = [row[header.index("Beginn")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.is_date and isinstance(cell.value, datetime) for cell in start_cells)
    end_cells = [row[header.index("Ende")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.value is None or cell.is_date for cell in end_cells)
    assert {row["Stelle"] for row in rows} >= {"Fachkraft 1", "Lehrkraft 2"}
    assert not any(row["E-Mail"] in EMAILS for row in rows)  # the undone import
