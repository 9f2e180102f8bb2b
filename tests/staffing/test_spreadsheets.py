"""Staffing lists as people really send them (DESIGN.md §6): reading them (spreadsheet.py)
and importing them. The files are in ``fixtures/`` (``make_fixtures.py`` writes them)."""

import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from centers.models import Role
from staffing import exporting, imports, spreadsheet
from staffing.models import Post, Qualification, StaffMember

FIXTURES = Path(__file__).parent / "fixtures"

# What every list says about its people, written out here rather than taken from
# make_fixtures.py: a list read wrongly must not be compared with itself.
PEOPLE = {
    "a.oeztuerk@stadt-koeln.example": {
        "last_name": "Öztürk",
        "first_name": "Ayla",
        "kind": "teacher",
        "fte": Decimal("0.50"),
        "start": date(2025, 8, 1),
        "end": None,
        "role": "lead",
        "seconding_school": "Gesamtschule Köln-Mülheim",
        "qualification": "teaching",
        "qualification_subject": "Sek I",
        "post_label": "Lehrkraft 1",
    },
    "j.becker@stadt-koeln.example": {
        "last_name": "Becker",
        "first_name": "Jörg",
        "kind": "specialist",
        "fte": Decimal("1.00"),
        "start": date(2025, 8, 1),
        "end": date(2027, 7, 31),
        "role": "deputy",
        "seconding_school": "",
        "qualification": "master",
        "qualification_subject": "Soziale Arbeit",
        "post_label": "Fachkraft 1",
    },
    "m.weiss@stadt-koeln.example": {
        "last_name": "Weiß",
        "first_name": "Maria",
        "kind": "admin_assistant",
        "fte": Decimal("0.50"),
        "start": date(2025, 8, 1),
        "end": None,
        "role": "",
        "seconding_school": "",
        "qualification": "office_training",
        "qualification_subject": "",
        "post_label": "Verwaltungsassistenz 1",
    },
    "l.schmitz@stadt-koeln.example": {
        "last_name": "Schmitz",
        "first_name": "Lukas",
        "kind": "specialist",
        "fte": Decimal("0.75"),
        "start": date(2025, 9, 1),
        "end": None,
        "role": "",
        "seconding_school": "",
        "qualification": "bachelor",
        "qualification_subject": "Sozialpädagogik",
        "post_label": "Fachkraft 2",
    },
    "e.celik@stadt-koeln.example": {
        "last_name": "Çelik",
        "first_name": "Elif",
        "kind": "teacher",
        "fte": Decimal("0.50"),
        "start": date(2025, 8, 1),
        "end": date(2026, 7, 31),
        "role": "",
        "seconding_school": "Realschule Köln-Kalk",
        "qualification": "teaching",
        "qualification_subject": "HRSGe",
        "post_label": "Lehrkraft 2",
    },
    "a.krueger@stadt-koeln.example": {
        "last_name": "Krüger",
        "first_name": "Anna",
        "kind": "specialist",
        "fte": Decimal("0.50"),
        "start": date(2025, 10, 1),
        "end": None,
        "role": "",
        "seconding_school": "",
        "qualification": "bachelor",
        "qualification_subject": "Verwaltung",
        "post_label": "Fachkraft 3",
    },
}
EMAILS = list(PEOPLE)

# file, row number of the first person as the spreadsheet shows it, people,
# whether it names the posts, the columns the import does not read
FIXTURE_FILES = [
    ("plain.csv", 2, 6, False, []),
    ("excel_sep.csv", 2, 5, False, []),
    ("title_block.csv", 5, 4, False, []),
    ("extra_columns.csv", 2, 6, True, ["Nr.", "Bemerkung"]),
    ("number_key.xlsx", 2, 6, False, []),
    ("free_text_qualifications.csv", 2, 6, False, []),
    ("libreoffice.xlsx", 5, 5, False, ["Bemerkung"]),
]
FIXTURE_NAMES = [name for name, *_rest in FIXTURE_FILES]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def read(data: bytes):
    """(rows, result) of reading a file: what the import's comparison gets."""
    result = spreadsheet.ImportResult()
    rows = [
        row
        for chunk in spreadsheet.read_chunks(spreadsheet.iter_file(data), result)
        for row in chunk
    ]
    return rows, result


def read_cells(cells: list[list]):
    result = spreadsheet.ImportResult()
    rows = [row for chunk in spreadsheet.read_chunks(cells, result) for row in chunk]
    return rows, result


HEADER = spreadsheet.HEADERS
BECKER = ["05315", "Becker", "Jörg", "j.becker@stadt-koeln.example", "Fachkraft", "1", "01.08.2025"]


# --- the seven lists, read ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "first", "count", "named_posts", "extra"), FIXTURE_FILES)
def test_each_real_world_list_is_read_without_errors(name, first, count, named_posts, extra):
    rows, result = read(fixture_bytes(name))

    assert result.file_errors == []
    assert [(r.number, r.errors, r.warnings) for r in rows] == [
        (number, [], []) for number in range(first, first + count)
    ]
    assert [r.values["email"] for r in rows] == EMAILS[:count]
    for row in rows:
        expected = dict(PEOPLE[row.values["email"]], center_key="05315")
        if not named_posts:
            expected["post_label"] = ""
        assert {key: row.values[key] for key in expected} == expected, row.number
    assert result.extra_columns == extra


def test_the_fixtures_are_what_their_names_say():
    """The lists must keep what makes them hard, or the test above proves nothing."""
    plain = fixture_bytes("plain.csv")
    assert plain.startswith(b"\xef\xbb\xbfKI-Schl\xc3\xbcssel;")

    excel = fixture_bytes("excel_sep.csv")
    assert excel.startswith(b"sep=;\r\n")
    with pytest.raises(UnicodeDecodeError):
        excel.decode("utf-8")
    assert "Weiß".encode("cp1252") in excel

    title = fixture_bytes("title_block.csv").decode("utf-8-sig").splitlines()
    assert title[0].startswith("Personalliste KI Köln") and title[1].startswith("Stand:")
    assert title[2].strip(";") == "" and title[3].startswith("Kreisschlüssel;")
    assert ";01.08.25;" in title[4]

    extra = fixture_bytes("extra_columns.csv").decode("utf-8").splitlines()
    assert extra[0].startswith("Nr.,") and extra[0].endswith(",Stelle,Bemerkung")

    sheet = openpyxl.load_workbook(FIXTURES / "number_key.xlsx").active
    assert sheet["A2"].value == 5315
    assert isinstance(sheet["F2"].value, float) and isinstance(sheet["G2"].value, datetime)

    free = fixture_bytes("free_text_qualifications.csv").decode("utf-8")
    for text in (
        "Master Soziale Arbeit",
        "Lehramt Sek I",
        "Lehramt HRSGe",
        "Diplom (FH) Verwaltung",
        "Bachelor Sozialpädagogik",
        "Kauffrau für Büromanagement",
    ):
        assert f";{text}\r\n" in free

    with zipfile.ZipFile(FIXTURES / "libreoffice.xlsx") as archive:
        assert b"LibreOffice" in archive.read("docProps/app.xml")
    sheet = openpyxl.load_workbook(FIXTURES / "libreoffice.xlsx").active
    assert sheet["A1"].value == "Personalliste KI Köln" and sheet["A5"].value == 5315
    assert isinstance(sheet["G5"].value, datetime)
    assert sheet["F5"].value == 0.5 and "%" not in sheet["F5"].number_format
    assert sheet["F9"].value == 0.5 and "%" in sheet["F9"].number_format
    assert sheet["L4"].value == "Bemerkung"


# --- finding the header ---------------------------------------------------------------------------


def test_the_header_is_found_below_a_title_block_and_rows_keep_their_numbers():
    cells = [
        ["Personalliste KI Köln"],
        ["Stand: 01.09.2025"],
        [],
        ["Kreisschlüssel", "Name", "Vorname", "Email", "Stellenart", "Anteil", "Beginn"],
        BECKER,
        [],
        BECKER[:3] + ["x@stadt-koeln.example"] + BECKER[4:],
    ]
    rows, result = read_cells(cells)
    assert result.file_errors == []
    assert [r.number for r in rows] == [5, 7]


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("KI-Schlüssel", "center"),
        ("Kreisschlüssel", "center"),
        ("  ki-schlüssel ", "center"),
        ("Email", "email"),
        ("E-Mail-Adresse", "email"),
        ("e-mail", "email"),
        ("Anteil", "fte"),
        ("VZÄ", "fte"),
        ("Stellenanteil (VZÄ)", "fte"),
        ("Qualifikation/Abschluss", "qualification"),
        ("Qualifikation / Abschluss", "qualification"),
        ("Stelle", "post_label"),
        ("Nr.", None),
        ("Bemerkung", None),
        ("", None),
    ],
)
def test_headers_are_recognised_as_people_write_them(header, column):
    assert spreadsheet.header_name(header) == column


def test_without_a_header_in_the_first_ten_rows_the_file_error_names_what_is_missing():
    cells = [[f"Zeile {i}"] for i in range(1, 11)] + [HEADER, BECKER]
    rows, result = read_cells(cells)
    assert rows == []
    [message] = result.file_errors
    assert "Keine Kopfzeile in den ersten 10 Zeilen gefunden" in message
    assert "KI-Schlüssel; Nachname; Vorname; E-Mail; Stellenart; Stellenanteil; Beginn" in message


def test_the_file_error_names_the_missing_columns_of_the_best_candidate_row():
    cells = [["Personalliste"], ["KI-Schlüssel", "Nachname", "Vorname", "Stellenart", "Beginn"]]
    rows, result = read_cells(cells + [BECKER])
    [message] = result.file_errors
    assert "Es fehlen Spalten: E-Mail, Stellenanteil (in Zeile 2)" in message


def test_ten_empty_rows_are_no_header_and_no_empty_file():
    rows, result = read_cells([[""] * 3] * 10 + [HEADER, BECKER])
    assert rows == []
    assert result.file_errors[0].startswith(
        "Keine Kopfzeile gefunden: Die ersten 10 Zeilen sind leer."
    )


def test_optional_columns_may_be_missing():
    header = [
        "KI-Schlüssel",
        "Nachname",
        "Vorname",
        "E-Mail",
        "Stellenart",
        "Stellenanteil",
        "Beginn",
    ]
    [row], result = read_cells([header, BECKER])
    assert result.file_errors == [] and row.errors == [] and row.warnings == []
    values = row.values
    assert (values["end"], values["role"], values["seconding_school"]) == (None, "", "")
    assert (values["qualification"], values["qualification_subject"], values["post_label"]) == (
        "",
        "",
        "",
    )
    assert result.extra_columns == []


def test_a_required_column_that_is_missing_is_a_file_error():
    header = ["KI-Schlüssel", "Nachname", "Vorname", "E-Mail", "Stellenart", "Beginn"]
    rows, result = read_cells([header, BECKER[:5] + BECKER[6:]])
    assert rows == []
    assert "Es fehlen Spalten: Stellenanteil (in Zeile 1)" in result.file_errors[0]


def test_excel_sep_line_sets_the_delimiter_and_is_not_counted_as_a_row():
    lines = ["sep=,", ",".join(HEADER), ",".join(BECKER[:5] + ['"0,5"', "01.08.2025"])]
    [row], result = read(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    assert result.file_errors == [] and row.errors == []
    assert (row.number, row.values["fte"], row.values["last_name"]) == (
        2,
        Decimal("0.50"),
        "Becker",
    )


def test_a_csv_with_a_title_block_is_split_at_the_header_s_delimiter():
    lines = [
        "Personalliste KI Köln",
        "Stand: 01.09.2025",
        "",
        ",".join(HEADER),
        ",".join(BECKER),
    ]
    [row], result = read(("\n".join(lines) + "\n").encode("utf-8"))
    assert result.file_errors == []
    assert (row.number, row.values["email"]) == (5, "j.becker@stadt-koeln.example")


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [5315, 5315.0, "5315", "05315", " 5315 "])
def test_a_kreisschluessel_stored_as_a_number_gets_its_leading_zero_back(key):
    [row], _result = read_cells([HEADER, [key, *BECKER[1:]]])
    assert row.values["center_key"] == "05315"


def test_typed_cells_are_read_as_their_values():
    header = [*HEADER, "Stelle"]
    cells = [5315.0, "Becker", "Jörg", "j.becker@stadt-koeln.example", "Fachkraft", 0.5]
    cells += [datetime(2025, 8, 1), date(2027, 7, 31), "", "", "Master", 3.0]
    [row], _result = read_cells([header, cells])
    assert row.errors == []
    values = row.values
    assert (values["center_key"], values["fte"]) == ("05315", Decimal("0.50"))
    assert (values["start"], values["end"]) == (date(2025, 8, 1), date(2027, 7, 31))
    assert values["post_label"] == "3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01.08.25", date(2025, 8, 1)),
        ("1.8.25", date(2025, 8, 1)),
        ("31.12.69", date(2069, 12, 31)),
        ("01.01.70", date(1970, 1, 1)),
        ("01.08.2025", date(2025, 8, 1)),
        ("2025-08-01", date(2025, 8, 1)),
    ],
)
def test_dates_with_two_or_four_digit_years(text, expected):
    assert spreadsheet.parse_date(text) == expected


def test_a_date_that_does_not_exist_is_an_error():
    with pytest.raises(ValueError, match="diesen Tag gibt es nicht"):
        spreadsheet.parse_date("31.02.25")


def test_a_post_label_longer_than_100_characters_is_an_error():
    [row], _result = read_cells([[*HEADER, "Stelle"], [*BECKER, "", "", "", "", "x" * 101]])
    assert ("Stelle", "Zu lang: höchstens 100 Zeichen.") in row.errors


# --- qualifications in free text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level", "subject"),
    [
        ("Master Soziale Arbeit", "master", "Soziale Arbeit"),
        ("Lehramt Sek I", "teaching", "Sek I"),
        ("Lehramt HRSGe", "teaching", "HRSGe"),
        ("Diplom (FH) Verwaltung", "bachelor", "Verwaltung"),
        ("Bachelor Sozialpädagogik", "bachelor", "Sozialpädagogik"),
        ("Kauffrau für Büromanagement", "office_training", ""),
        ("Kaufmann für Büromanagement", "office_training", ""),
        ("Kauffrau/Kaufmann für Büromanagement", "office_training", ""),
        ("master", "master", ""),
        ("Magister Germanistik", "master", "Germanistik"),
        ("Diplom Pädagogik", "master", "Pädagogik"),
        ("Diplom (Universität) – Pädagogik", "master", "Pädagogik"),
        ("Diplom (Uni) Pädagogik", "master", "Pädagogik"),
        ("Staatsexamen Rechtswissenschaft", "master", "Rechtswissenschaft"),
        ("Diplom FH Sozialwesen", "bachelor", "Sozialwesen"),
        ("FH-Diplom Sozialarbeit", "bachelor", "Sozialarbeit"),
        ("Diplom-Sozialpädagogin (FH)", "bachelor", "Sozialpädagogin"),
        ("Staatsexamen Lehramt Sek II", "teaching", "Sek II"),
        ("Lehrer/in", "teaching", ""),
        ("Lehrerin Grundschule", "teaching", "Grundschule"),
        ("Verwaltungsfachangestellte/r", "admin_training", ""),
        ("Verwaltungsfachangestellter", "admin_training", ""),
        ("vergleichbare Ausbildung", "comparable_training", ""),
        (
            "gleichwertige Qualifikation: Politikwissenschaft",
            "equivalent_degree",
            "Politikwissenschaft",
        ),
        ("Soziale Arbeit (Master)", "master", "Soziale Arbeit"),
        ("Sozialpädagogik, Bachelor", "bachelor", "Sozialpädagogik"),
        ("  MASTER   Soziale  Arbeit ", "master", "Soziale Arbeit"),
        ("", "", ""),
    ],
)
def test_the_level_is_recognised_and_the_rest_is_the_subject(text, level, subject):
    assert spreadsheet.parse_qualification(text) == (level, subject, True)


@pytest.mark.parametrize("text", ["Erzieherin", "Heilerziehungspfleger", "Masterand?", "—"])
def test_text_without_a_level_is_other_and_kept_whole(text):
    assert spreadsheet.parse_qualification(text) == ("other", text, False)


def test_an_unrecognised_qualification_is_stored_as_other_with_a_warning_never_an_error():
    [row], _result = read_cells([HEADER, [*BECKER, "", "", "", "Erzieherin"]])
    assert row.errors == [] and row.status == spreadsheet.NEW
    assert (row.values["qualification"], row.values["qualification_subject"]) == (
        "other",
        "Erzieherin",
    )
    assert row.warnings == [
        "Qualifikation „Erzieherin“ nicht erkannt: gespeichert als „sonstige“; "
        "bitte Nr. 4.1/Nr. 4.2 prüfen."
    ]


def test_a_qualification_subject_longer_than_200_characters_is_an_error():
    [row], _result = read_cells([HEADER, [*BECKER, "", "", "", "Master " + "x" * 201]])
    assert ("Qualifikation", "Zu lang: höchstens 200 Zeichen.") in row.errors


@pytest.mark.parametrize("level", [value for value in Qualification.values if value])
@pytest.mark.parametrize("subject", ["", "Soziale Arbeit", "Lehramt Sek I", "in Vollzeit - Köln"])
def test_the_export_s_qualification_reads_back_exactly(level, subject):
    cell = exporting.format_qualification(level, subject)
    assert spreadsheet.parse_qualification(cell) == (level, subject, True), cell


def test_an_empty_qualification_exports_and_reads_back_as_empty():
    assert spreadsheet.parse_qualification(exporting.format_qualification("", "")) == ("", "", True)


# --- the admin's path (django-import-export hands a tablib Dataset over) ----------------------------


@pytest.mark.parametrize("name", ["title_block.csv", "extra_columns.csv", "libreoffice.xlsx"])
def test_the_admin_reads_the_same_rows_as_the_portal(name):
    data = fixture_bytes(name)
    rows, result = read(data)
    via_admin, admin_result = read_cells(spreadsheet.iter_dataset(spreadsheet.to_dataset(data)))
    assert admin_result.file_errors == []
    assert [r.values for r in via_admin] == [r.values for r in rows]


# --- importing them -------------------------------------------------------------------------------


@pytest.fixture
def lead(home_center, user_as):
    return user_as(Role.CENTER_LEAD, home_center)


def import_file(data: bytes, user):
    return imports.staffing_list_import(
        source=spreadsheet.iter_file(data), user=user, dry_run=False
    )


def errors_of(result):
    return result.file_errors + [
        (r.number, column, message) for r in result.error_rows for column, message in r.errors
    ]


@pytest.mark.parametrize(("name", "first", "count", "named_posts", "extra"), FIXTURE_FILES)
def test_each_real_world_list_imports_and_a_second_import_changes_nothing(
    lead, name, first, count, named_posts, extra
):
    data = fixture_bytes(name)
    result = import_file(data, lead)
    assert errors_of(result) == []
    assert result.counts == {"new": count, "changed": 0, "unchanged": 0, "error": 0}
    becker = StaffMember.objects.get(email="j.becker@stadt-koeln.example")
    assert (becker.qualification, becker.qualification_subject) == ("master", "Soziale Arbeit")
    if named_posts:
        assert Post.objects.get(label="Fachkraft 3").assignments.get().member.last_name == "Krüger"

    again = import_file(data, lead)
    assert errors_of(again) == []
    assert again.counts == {"new": 0, "changed": 0, "unchanged": count, "error": 0}


def test_an_unrecognised_qualification_imports_as_other(lead):
    lines = [";".join(HEADER), ";".join([*BECKER[:4], "Verwaltungsassistenz", "0,5", BECKER[6]])]
    lines[1] += ";;;;Erzieherin"
    result = import_file(("\n".join(lines) + "\n").encode(), lead)
    assert errors_of(result) == []
    becker = StaffMember.objects.get(email="j.becker@stadt-koeln.example")
    assert (becker.qualification, becker.qualification_subject) == ("other", "Erzieherin")


def test_reading_keeps_to_chunks(monkeypatch):
    monkeypatch.setattr(spreadsheet, "CHUNK", 2)
    result = spreadsheet.ImportResult()
    chunks = list(
        spreadsheet.read_chunks(spreadsheet.iter_file(fixture_bytes("plain.csv")), result)
    )
    assert [len(c) for c in chunks] == [2, 2, 2]
    assert [r.number for c in chunks for r in c] == [2, 3, 4, 5, 6, 7]
