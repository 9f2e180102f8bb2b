"""The staffing list as a file: an export Excel can compute with and the import reads back
exactly, and a template to fill in (DESIGN.md §6)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from centers.models import Role
from staffing import exporting, spreadsheet
from staffing.models import Assignment, AssignmentRole, PostKind, Qualification

from .factories import AssignmentFactory, PostFactory, StaffMemberFactory

EXPORT_HEADER = [
    "KI-Schlüssel",
    "Nachname",
    "Vorname",
    "E-Mail",
    "Stellenart",
    "Stelle",
    "Stellenanteil",
    "Beginn",
    "Ende",
    "Funktion",
    "Abordnende Schule",
    "Qualifikation",
]


def _person(center, last, first, email, level="", subject=""):
    return StaffMemberFactory(
        center=center,
        last_name=last,
        first_name=first,
        email=email,
        qualification=level,
        qualification_subject=subject,
    )


@pytest.fixture
def lists(home_center, other_center):
    """Köln and Bonn as the demo data has them: labelled posts, a teacher post split in two
    halves, a Leitung and her deputy, an ended assignment, someone on two posts."""
    teachers = PostFactory(center=home_center, kind=PostKind.TEACHER, label="Lehrkraft 1")
    lead_post = PostFactory(center=home_center, label="Fachkraft 1")
    second = PostFactory(center=home_center, label="Fachkraft 2")
    assistant = PostFactory(
        center=home_center, kind=PostKind.ADMIN_ASSISTANT, label="Verwaltung", fte=Decimal("0.5")
    )
    koeln = [
        AssignmentFactory(
            post=teachers,
            member=_person(
                home_center, "Hoffmann", "Jonas", "j.hoffmann@stadt-koeln.example", "teaching"
            ),
            fte=Decimal("0.50"),
            start=date(2026, 8, 1),
            end=date(2028, 7, 31),
            seconding_school="Gesamtschule Köln-Holweide",
            role=AssignmentRole.DEPUTY,
        ),
        AssignmentFactory(
            post=teachers,
            member=_person(
                home_center,
                "Hoffmann",
                "Lea",
                "l.hoffmann@stadt-koeln.example",
                Qualification.TEACHING,
                "Sekundarstufe I",
            ),
            fte=Decimal("0.50"),
            start=date(2026, 8, 1),
            seconding_school="Gymnasium Köln-Deutz",
        ),
        AssignmentFactory(
            post=lead_post,
            member=_person(
                home_center,
                "Yıldız",
                "Elif",
                "e.yildiz@stadt-koeln.example",
                Qualification.MASTER,
                "Soziale Arbeit",
            ),
            start=date(2024, 2, 1),
            role=AssignmentRole.LEAD,
        ),
        # Ended: the person has left, the row stays in the list with its end.
        AssignmentFactory(
            post=second,
            member=_person(
                home_center,
                "Özdemir",
                "Can",
                "c.oezdemir@stadt-koeln.example",
                Qualification.OTHER,
                "Ethnologie",
            ),
            fte=Decimal("0.75"),
            start=date(2020, 1, 1),
            end=date(2024, 7, 31),
        ),
    ]
    # The same person on two posts: two rows.
    clerk = _person(
        home_center,
        "Becker",
        "Jana",
        "j.becker@stadt-koeln.example",
        Qualification.ADMIN_TRAINING,
    )
    koeln += [
        AssignmentFactory(post=assistant, member=clerk, fte=Decimal("0.5"), start=date(2025, 1, 1)),
        AssignmentFactory(post=second, member=clerk, fte=Decimal("0.25"), start=date(2025, 1, 1)),
    ]
    bonn = [
        AssignmentFactory(
            post=PostFactory(center=other_center, kind=PostKind.TEACHER, label="Lehrkraft 1"),
            member=_person(other_center, "Schmitz", "Anna", "a.schmitz@bonn.example", "teaching"),
            seconding_school="Beethoven-Gymnasium",
            start=date(2025, 8, 1),
            role=AssignmentRole.DEPUTY,
        ),
        AssignmentFactory(
            post=PostFactory(center=other_center, label="Fachkraft 1"),
            member=_person(
                other_center,
                "Adams",
                "Ben",
                "b.adams@bonn.example",
                Qualification.BACHELOR,
                "Erziehungswissenschaft",
            ),
            start=date(2025, 8, 1),
            role=AssignmentRole.LEAD,
        ),
    ]
    return {"koeln": koeln, "bonn": bonn}


def _stored(assignment: Assignment) -> dict:
    a = Assignment.objects.select_related("post__center", "member").get(pk=assignment.pk)
    return {
        "center_key": a.post.center.key,
        "last_name": a.member.last_name,
        "first_name": a.member.first_name,
        "email": a.member.email,
        "kind": a.post.kind,
        "post_label": a.post.label,
        "fte": a.fte,
        "start": a.start,
        "end": a.end,
        "role": a.role,
        "seconding_school": a.seconding_school,
        "qualification": a.member.qualification,
        "qualification_subject": a.member.qualification_subject,
    }


def _read_back(data: bytes) -> list[spreadsheet.RowResult]:
    result = spreadsheet.ImportResult()
    rows = [
        row
        for chunk in spreadsheet.read_chunks(spreadsheet.iter_file(data), result)
        for row in chunk
    ]
    assert not result.file_errors
    return rows


def _export(centers, fmt):
    return exporting.export_bytes(exporting.rows_for_centers(centers), fmt)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_reads_back_as_exactly_the_stored_values(lists, home_center, other_center, fmt):
    expected = [_stored(a) for a in lists["koeln"] + lists["bonn"]]
    # Whatever the user's language: the file is German, as the import reads it.
    with translation.override("en"):
        data = _export([home_center, other_center], fmt)
    rows = _read_back(data)
    assert [row.errors for row in rows] == [[]] * len(expected)

    def key(values):
        return (values["email"], values["start"])

    read = [{k: row.values.get(k) for k in expected[0]} for row in rows]
    assert sorted(read, key=key) == sorted(expected, key=key)
    # Ordered by the centre's key: Bonn (05314) before Köln (05315).
    assert [v["center_key"] for v in read] == ["05314"] * 2 + ["05315"] * 6


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_an_export_again_changes_nothing(lists, home_center, user_as, fmt):
    from staffing.imports import staffing_list_import

    data = _export([home_center], fmt)
    result = staffing_list_import(
        source=spreadsheet.iter_file(data),
        user=user_as(Role.CENTER_LEAD, home_center),
        dry_run=True,
    )
    assert not result.has_errors, (result.file_errors, result.error_rows)
    assert result.counts["new"] == 0 and result.counts["changed"] == 0
    assert result.counts["unchanged"] == len(lists["koeln"])


def test_csv_is_german_excel_with_the_post_column(lists, home_center):
    text = _export([home_center], "csv").decode("utf-8")
    assert text.startswith("\ufeff" + ";".join(EXPORT_HEADER) + "\r\n")
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[-1] == "" and len(lines) == 1 + len(lists["koeln"]) + 1
    # Ordered by name, then start, then as entered; shares and dates German; the ended
    # assignment keeps its end.
    assert lines[1:4] == [
        "05315;Becker;Jana;j.becker@stadt-koeln.example;Verwaltungsassistenz;Verwaltung;0,5;"
        "01.01.2025;;;;Verwaltungsfachangestellte/r",
        "05315;Becker;Jana;j.becker@stadt-koeln.example;Fachkraft;Fachkraft 2;0,25;"
        "01.01.2025;;;;Verwaltungsfachangestellte/r",
        "05315;Hoffmann;Jonas;j.hoffmann@stadt-koeln.example;Lehrkraft;Lehrkraft 1;0,5;"
        "01.08.2026;31.07.2028;stellv. Leitung;Gesamtschule Köln-Holweide;Lehramt",
    ]
    assert lines[4].startswith("05315;Hoffmann;Lea;")
    assert lines[4].endswith(";Gymnasium Köln-Deutz;Lehramt – Sekundarstufe I")
    assert (
        "05315;Özdemir;Can;c.oezdemir@stadt-koeln.example;Fachkraft;Fachkraft 2;0,75;"
        "01.01.2020;31.07.2024;;;sonstige – Ethnologie"
    ) in lines
    assert (
        "05315;Yıldız;Elif;e.yildiz@stadt-koeln.example;Fachkraft;Fachkraft 1;1;01.02.2024;;"
        "Leitung;;Master / Diplom (Universität) – Soziale Arbeit"
    ) in lines


def test_xlsx_cells_are_typed_so_excel_can_sum_the_fte(lists, home_center):
    book = load_workbook(io.BytesIO(_export([home_center], "xlsx")))
    assert book.sheetnames == ["Personalliste"]
    sheet = book["Personalliste"]
    assert [c.value for c in sheet[1]] == EXPORT_HEADER
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:L{1 + len(lists['koeln'])}"
    col = {header: i for i, header in enumerate(EXPORT_HEADER)}
    rows = list(sheet.iter_rows(min_row=2))
    fte = [row[col["Stellenanteil"]] for row in rows]
    assert all(c.data_type == "n" and c.number_format == "0.00" for c in fte)
    assert sum(Decimal(str(c.value)) for c in fte) == Decimal("3.50")
    for row in rows:
        assert row[col["Beginn"]].is_date and row[col["Beginn"]].number_format == "DD.MM.YYYY"
        key = row[col["KI-Schlüssel"]]
        assert key.data_type == "s" and key.value == "05315"
    ended = next(row for row in rows if row[col["Nachname"]].value == "Özdemir")
    assert ended[col["Ende"]].is_date and ended[col["Ende"]].value.date() == date(2024, 7, 31)
    assert ended[col["Qualifikation"]].value == "sonstige – Ethnologie"
    # Wide enough for the longest e-mail address, but bounded.
    widths = {h: sheet.column_dimensions[chr(ord("A") + i)].width for h, i in col.items()}
    assert widths["E-Mail"] >= len("c.oezdemir@stadt-koeln.example")
    assert all(8 <= w <= 60 for w in widths.values())


def test_formulas_are_escaped_text_in_both_formats(home_center):
    AssignmentFactory(
        post=PostFactory(center=home_center, kind=PostKind.TEACHER, label="=1+1"),
        member__last_name='=HYPERLINK("http://x.example")',
        member__first_name="@Eva",
        seconding_school="+Schule",
    )
    text = _export([home_center], "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@Eva" in text and "'+Schule" in text and "'=1+1" in text
    data = _export([home_center], "xlsx")
    sheet = load_workbook(io.BytesIO(data))["Personalliste"]
    cells = {c.value: c for c in sheet[2]}
    assert cells['\'=HYPERLINK("http://x.example")'].data_type == "s"
    assert cells["'=1+1"].data_type == "s"
    row = _read_back(data)[0]
    assert row.values["last_name"] == '=HYPERLINK("http://x.example")'
    assert row.values["seconding_school"] == "+Schule"


def test_qualification_is_one_cell_level_then_subject():
    assert (
        exporting.format_qualification(Qualification.MASTER, "Soziale Arbeit")
        == "Master / Diplom (Universität) – Soziale Arbeit"
    )
    assert exporting.format_qualification(Qualification.TEACHING, "") == "Lehramt"
    assert exporting.format_qualification("", "Soziale Arbeit") == "Soziale Arbeit"
    assert exporting.format_qualification(Qualification.OTHER, "Ethnologie") == (
        "sonstige – Ethnologie"
    )
    assert exporting.format_qualification("", "") == ""


def test_export_queries_do_not_grow_with_the_rows(home_center):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            for fmt in ("csv", "xlsx"):
                _export([home_center], fmt)
        return len(captured)

    AssignmentFactory(post=PostFactory(center=home_center))
    few = queries()
    for _i in range(10):
        AssignmentFactory(post=PostFactory(center=home_center))
    assert queries() == few


def test_admin_export_has_the_same_columns_and_values(lists, home_center):
    from staffing.resources import StaffingListResource

    dataset = StaffingListResource().export(exporting.rows_for_centers([home_center]))
    assert dataset.headers == EXPORT_HEADER
    csv_lines = _export([home_center], "csv").decode("utf-8-sig").split("\r\n")[1:-1]
    assert [";".join(row) for row in dataset] == csv_lines


# --- the template -------------------------------------------------------------------------------


def _template(client, fmt):
    return client.get(reverse("staffing:import_template") + f"?format={fmt}")


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("xlsx", "application/vnd.openxmlformats"), ("csv", "text/csv")],
)
def test_the_leitung_downloads_the_template(client, user_as, home_center, fmt, content_type):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    response = _template(client, fmt)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == (
        f'attachment; filename="personalliste-vorlage.{fmt}"'
    )


@pytest.mark.parametrize("role", [Role.CENTER_STAFF, Role.SPONSOR, Role.LASI])
def test_the_template_is_for_those_who_import(client, user_as, home_center, role):
    client.force_login(user_as(role, home_center))
    assert _template(client, "xlsx").status_code == 403


def test_an_unknown_template_format_is_404(client, user_as, home_center):
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    assert _template(client, "ods").status_code == 404


def test_the_xlsx_template_has_lists_explanations_and_an_example(client, user_as, other_center):
    client.force_login(user_as(Role.CENTER_LEAD, other_center))
    data = _template(client, "xlsx").content
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[:2] == ["Personalliste", "Erläuterungen"]
    assert all(book[name].sheet_state == "hidden" for name in book.sheetnames[2:])
    sheet = book["Personalliste"]
    assert [c.value for c in sheet[1]] == EXPORT_HEADER
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    example = dict(zip(EXPORT_HEADER, sheet[2], strict=True))
    # Her own centre, as text with its leading zero; share and date typed.
    assert example["KI-Schlüssel"].value == "05314" and example["KI-Schlüssel"].data_type == "s"
    assert example["Stellenanteil"].data_type == "n" and example["Stellenanteil"].value == 0.5
    assert example["Beginn"].is_date
    assert sheet.max_row == 2

    letter = {h: chr(ord("A") + i) for i, h in enumerate(EXPORT_HEADER)}
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert all(v.type == "list" for v in validations.values())
    kind = validations[f"{letter['Stellenart']}2:{letter['Stellenart']}1000"]
    assert kind.formula1 == '"Lehrkraft,Fachkraft,Verwaltungsassistenz"'
    role = validations[f"{letter['Funktion']}2:{letter['Funktion']}1000"]
    assert role.formula1 == '"Leitung,stellv. Leitung"' and role.allow_blank
    qualification = validations[f"{letter['Qualifikation']}2:{letter['Qualifikation']}1000"]
    sheet_name, cells = qualification.formula1.split("!")
    listed = [row[0].value for row in book[sheet_name][cells.replace("$", "")]]
    with translation.override("de"):
        assert listed == [str(label) for value, label in Qualification.choices if value]
    assert not qualification.showErrorMessage  # free text is allowed
    assert sheet.column_dimensions[letter["Stellenanteil"]].number_format == "0.00"
    assert sheet.column_dimensions[letter["Beginn"]].number_format == "DD.MM.YYYY"

    explained = {row[0]: row for row in book["Erläuterungen"].iter_rows(values_only=True)}
    assert explained["Spalte"] == ("Spalte", "Pflicht?", "Bedeutung", "Beispiele/erlaubte Werte")
    assert set(EXPORT_HEADER) <= set(explained)
    assert explained["Stelle"][1] == "nein" and explained["E-Mail"][1] == "ja"
    assert "Master Soziale Arbeit" in explained["Qualifikation"][2]
    text = " ".join(
        str(cell) for row in book["Erläuterungen"].iter_rows(values_only=True) for cell in row
    )
    assert "ignoriert" in text and "freiwillig" in explained["Stelle"][2]

    # The example row is a valid row of the import.
    rows = _read_back(data)
    assert len(rows) == 1 and rows[0].errors == []
    assert rows[0].values["email"] == "erika.mustermann@beispiel.example"


def test_the_ministry_template_is_for_koeln_and_csv_reads_back(db, client, user_as):
    client.force_login(user_as(Role.MINISTRY))
    data = _template(client, "csv").content
    text = data.decode("utf-8")
    assert text.startswith("\ufeff" + ";".join(EXPORT_HEADER) + "\r\n")
    (row,) = _read_back(data)
    assert row.errors == []
    assert row.values["center_key"] == "05315"
    assert row.values["fte"] == Decimal("0.50")
