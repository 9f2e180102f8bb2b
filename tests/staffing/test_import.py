"""The staffing-list import (DESIGN.md §6): tolerant of how Excel writes, strict about content."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from centers.models import Role
from staffing import imports, spreadsheet
from staffing.models import Assignment, AssignmentRole, Post, PostKind, StaffMember

HEADER = (
    "KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart;Stellenanteil;Beginn;Ende;Funktion;"
    "Abordnende Schule;Qualifikation"
)
ROWS = [
    "05315;Öztürk;Ayşe;a.oeztuerk@stadt-koeln.example;Lehrkraft;0,5;01.08.2025;;Leitung;"
    "Gesamtschule Köln-Mülheim;Lehramt",
    "05315;Becker;Jörg;J.Becker@Stadt-Koeln.example;Fachkraft;100 %;2025-08-01;31.07.2027;"
    "stellv. Leitung;;Master",
    "05315;Weiß;Maria;m.weiss@stadt-koeln.example;Verwaltungsassistenz;0.5;01.08.2025;;;;"
    "Verwaltungsfachangestellte/r",
]


def csv_bytes(rows=ROWS, *, header=HEADER, sep=";", encoding="utf-8", eol="\n"):
    """Rows written as ``;``-lines; re-written with ``sep`` the way Excel quotes them."""
    if sep == ";":
        return (eol.join([header, *rows]) + eol).encode(encoding)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=eol)
    for line in csv.reader([header, *rows], delimiter=";"):
        writer.writerow(line)
    return buf.getvalue().encode(encoding)


def run(data, user, *, dry_run=False):
    """The service, with the rows it decided (in file order) as ``result.rows``."""
    rows = []
    result = imports.staffing_list_import(
        source=spreadsheet.iter_file(data), user=user, dry_run=dry_run, on_row=rows.append
    )
    result.rows = sorted(rows, key=lambda r: r.number)
    return result


@pytest.fixture
def lead(home_center, user_as):
    return user_as(Role.CENTER_LEAD, home_center)


def errors_of(result):
    return [(r.number, col, msg) for r in result.error_rows for col, msg in r.errors]


def test_a_valid_list_is_imported_with_people_posts_and_assignments(lead):
    result = run(csv_bytes(), lead)
    assert not result.has_errors, errors_of(result)
    assert result.counts == {"new": 3, "changed": 0, "unchanged": 0, "error": 0}
    assert result.written
    becker = StaffMember.objects.get(email="j.becker@stadt-koeln.example")
    a = becker.assignments.get()
    assert (a.fte, a.end, a.role) == (Decimal("1.00"), date(2027, 7, 31), AssignmentRole.DEPUTY)
    assert a.post.kind == PostKind.SPECIALIST
    teacher = Assignment.objects.get(member__last_name="Öztürk")
    assert teacher.fte == Decimal("0.50")
    assert teacher.seconding_school == "Gesamtschule Köln-Mülheim"
    assert teacher.history.count() == 1


def test_importing_the_same_file_twice_changes_nothing(lead):
    run(csv_bytes(), lead)
    counts = (Post.objects.count(), Assignment.objects.count(), Assignment.history.count())
    again = run(csv_bytes(), lead)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "error": 0}
    assert (Post.objects.count(), Assignment.objects.count(), Assignment.history.count()) == counts


def test_a_changed_row_is_shown_as_changed_with_the_column(lead):
    run(csv_bytes(), lead)
    rows = [ROWS[0], ROWS[1].replace(";31.07.2027;", ";31.07.2028;"), ROWS[2]]
    result = run(csv_bytes(rows), lead, dry_run=True)
    changed = [r for r in result.rows if r.status == "changed"]
    assert [(r.number, r.changes) for r in changed] == [(3, ["Ende: 31.07.2027 → 31.07.2028"])]
    assert Assignment.objects.get(member__last_name="Becker").end == date(2027, 7, 31)
    run(csv_bytes(rows), lead)
    assert Assignment.objects.get(member__last_name="Becker").end == date(2028, 7, 31)


def test_two_half_time_teachers_share_a_full_post(lead, home_center):
    Post.objects.create(
        center=home_center,
        label="Lehrkraft 1",
        kind=PostKind.TEACHER,
        fte=1,
        funding_source="state_school",
        valid_from=date(2020, 8, 1),
    )
    rows = [
        "05315;A;Anna;anna@x.example;Lehrkraft;0,5;01.08.2025;;;;Lehramt",
        "05315;B;Bernd;bernd@x.example;Lehrkraft;0,5;01.08.2025;;;;Lehramt",
    ]
    assert run(csv_bytes(rows), lead).written
    assert Post.objects.filter(kind=PostKind.TEACHER).count() == 1


@pytest.mark.parametrize(
    ("encoding", "sep", "eol"),
    [
        ("utf-8", ";", "\n"),
        ("utf-8-sig", ";", "\r\n"),
        ("cp1252", ";", "\r\n"),
        ("utf-8", ",", "\n"),
        ("cp1252", ",", "\r\n"),
    ],
)
def test_csv_as_german_excel_writes_it(lead, encoding, sep, eol):
    rows = [r.replace("Ayşe", "Ayse") for r in ROWS]  # ş is not in Windows-1252
    result = run(csv_bytes(rows, sep=sep, encoding=encoding, eol=eol), lead, dry_run=True)
    assert result.counts["new"] == 3, errors_of(result) + result.file_errors
    assert result.rows[0].values["last_name"] == "Öztürk"


def test_quoted_fields_and_headers_in_any_case_with_spaces(lead):
    header = (
        '" ki-schlüssel ";NACHNAME;Vorname ;e-mail;Stellenart;STELLENANTEIL;Beginn;Ende;'
        "Funktion;Abordnende Schule;Qualifikation"
    )
    rows = ['05315;"Müller; geb. Schmidt";Eva;eva@x.example;Fachkraft;"0,5";01.08.2025;;;;Master']
    result = run(csv_bytes(rows, header=header), lead, dry_run=True)
    assert result.counts["new"] == 1, errors_of(result) + result.file_errors
    assert result.rows[0].values["last_name"] == "Müller; geb. Schmidt"


def test_xlsx_with_date_and_number_cells(lead):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(spreadsheet.HEADERS)
    ws.append(
        [
            "05315",
            "Kaya",
            "Emre",
            "emre@x.example",
            "Fachkraft",
            0.5,
            date(2025, 8, 1),
            None,
            None,
            None,
            "Bachelor",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    result = run(buf.getvalue(), lead)
    assert result.counts["new"] == 1, errors_of(result) + result.file_errors
    assert Assignment.objects.get().start == date(2025, 8, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "leer"),
        (HEADER.encode() + b"\n", "nur die Kopfzeile"),
        (b"KI-Schl\xc3\xbcssel;Nachname\n05315;X\n", "Es fehlen Spalten"),
        (bytes(range(256)) * 20, "Binärdaten"),
        (b"PK\x03\x04garbage-not-a-zip", "XLSX"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_error(lead, data, message):
    result = run(data, lead)
    assert result.has_errors and not result.written
    assert message in " ".join(result.file_errors)
    assert StaffMember.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("99999;A;B;a@x.example;Fachkraft;1;01.08.2025;;;;Master", "KI-Schlüssel", "Unbekannt"),
        ("05315;A;B;a@x.example;Hausmeister;1;01.08.2025;;;;Master", "Stellenart", "Hausmeister"),
        (
            "05315;A;B;a@x.example;Fachkraft;1,5;01.08.2025;;;;Master",
            "Stellenanteil",
            "höchstens 1",
        ),
        (
            "05315;A;B;a@x.example;Fachkraft;-0,5;01.08.2025;;;;Master",
            "Stellenanteil",
            "Stellenanteil",
        ),
        ("05315;A;B;a@x.example;Fachkraft;abc;01.08.2025;;;;Master", "Stellenanteil", "„abc“"),
        ("05315;A;B;a@x.example;Fachkraft;1;31.02.2025;;;;Master", "Beginn", "gibt es nicht"),
        (
            "05315;A;B;a@x.example;Fachkraft;1;01.08.2025;31.07.2025;;;Master",
            "Ende",
            "vor dem Beginn",
        ),
        ("05315;A;B;kein-at-zeichen;Fachkraft;1;01.08.2025;;;;Master", "E-Mail", "keine gültige"),
        (
            "05315;" + "X" * 101 + ";B;a@x.example;Fachkraft;1;01.08.2025;;;;Master",
            "Nachname",
            "Zu lang",
        ),
        ("05315;A;B;a@x.example;Fachkraft;1;01.08.2025;;Chef;;Master", "Funktion", "Chef"),
        ("05315;;B;a@x.example;Fachkraft;1;01.08.2025;;;;Master", "Nachname", "Pflichtfeld"),
        (
            "05315;A;B;a@x.example;Fachkraft;1;01.08.2025;;;GS Nord;Master",
            "Abordnende Schule",
            "Lehrkräften",
        ),
    ],
)
def test_a_bad_cell_is_an_error_with_column_and_german_message(lead, row, column, message):
    good = "05315;Gut;Gerd;gerd@x.example;Fachkraft;1;01.08.2025;;;;Master"
    result = run(csv_bytes([good, row]), lead)
    assert not result.written
    errors = errors_of(result)
    assert any(n == 3 and col == column and message in msg for n, col, msg in errors), errors
    # Nothing is written while any row has an error — not even the good row.
    assert StaffMember.objects.count() == 0


def test_duplicate_rows_in_one_file(lead):
    row = "05315;A;B;a@x.example;Fachkraft;1;01.08.2025;;;;Master"
    result = run(csv_bytes([row, row.replace("a@x", "A@X")]), lead)
    assert [(n, col) for n, col, _m in errors_of(result)] == [(3, "Beginn")]
    assert "Zeile 2" in errors_of(result)[0][2]


@pytest.mark.parametrize(
    "qualification", ["Bachelor Soziale Arbeit", "Master Pädagogik", "Bachelor Pädagogik"]
)
def test_a_person_whose_rows_disagree_on_the_qualification_has_one_error_under_qualifikation(
    lead, qualification
):
    first = "05315;A;B;a@x.example;Fachkraft;0,5;01.08.2025;;;;Master Soziale Arbeit"
    second = f"05315;A;B;a@x.example;Lehrkraft;0,5;01.08.2025;;;;{qualification}"
    result = run(csv_bytes([first, second]), lead)
    assert errors_of(result) == [(3, "Qualifikation", "Weicht von Zeile 2 für dieselbe Person ab.")]


def test_a_row_naming_a_post_of_another_kind_has_its_error_under_stelle(lead, home_center):
    Post.objects.create(
        center=home_center,
        kind=PostKind.TEACHER,
        label="Lehrkraft 1",
        fte=1,
        valid_from=date(2020, 1, 1),
    )
    row = "05315;A;B;a@x.example;Fachkraft;1;01.08.2025;;;;Master;Lehrkraft 1"
    result = run(csv_bytes([row], header=HEADER + ";Stelle"), lead)
    [(number, column, message)] = errors_of(result)
    assert (number, column) == (2, "Stelle")
    assert message == "Die Stelle „Lehrkraft 1“ ist eine Stelle für Lehrkraft, nicht für Fachkraft."


def test_the_file_breaking_the_leadership_rule_is_an_error(lead):
    rows = [
        "05315;A;Anna;anna@x.example;Lehrkraft;1;01.08.2025;;Leitung;;Lehramt",
        "05315;B;Bernd;bernd@x.example;Lehrkraft;1;01.08.2025;;stellv. Leitung;;Lehramt",
    ]
    result = run(csv_bytes(rows), lead)
    assert not result.written
    errors = errors_of(result)
    assert {n for n, col, _m in errors if col == "Funktion"} == {2, 3}
    assert "Nr. 4.3" in errors[0][2]


def test_two_leads_at_the_same_time_is_an_error(lead):
    rows = [
        "05315;A;Anna;anna@x.example;Lehrkraft;1;01.08.2025;;Leitung;;Lehramt",
        "05315;B;Bernd;bernd@x.example;Fachkraft;1;01.01.2026;;Leitung;;Master",
    ]
    result = run(csv_bytes(rows), lead)
    assert any("nur eine Leitung" in m for _n, _c, m in errors_of(result))


def test_a_row_for_a_centre_the_user_may_not_change_is_an_error(lead):
    rows = ["05314;A;B;a@x.example;Fachkraft;1;01.08.2025;;;;Master"]  # Bonn
    result = run(csv_bytes(rows), lead)
    assert errors_of(result)[0][:2] == (2, "KI-Schlüssel")
    assert "nicht ändern" in errors_of(result)[0][2]


def test_the_ministry_imports_for_any_centre(db, user_as):
    ministry = user_as(Role.MINISTRY)
    rows = ["05314;A;B;a@x.example;Fachkraft;1;01.08.2025;;;;Master"]
    assert run(csv_bytes(rows), ministry).written


def test_staff_of_other_roles_may_not_import(home_center, user_as):
    for role in (Role.CENTER_STAFF, Role.SPONSOR, Role.LASI):
        result = run(csv_bytes(), user_as(role, home_center))
        assert not result.written and result.counts["error"] == 3


def test_export_escapes_formulas_and_re_imports_unchanged(lead, home_center):
    rows = [
        '05315;=HYPERLINK("x");@Eva;eva@x.example;Lehrkraft;1;01.08.2025;;;+Schule;Lehramt',
        *ROWS,
    ]
    assert run(csv_bytes(rows), lead).written
    from staffing import exporting

    data = exporting.export_bytes(exporting.rows_for_centers([home_center]), "csv")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@Eva" in text and "'+Schule" in text
    again = run(data, lead)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 4, "error": 0}, errors_of(again)
    xlsx = exporting.export_bytes(exporting.rows_for_centers([home_center]), "xlsx")
    assert run(xlsx, lead).counts["unchanged"] == 4
