"""The staffing list as a file: export (CSV for German Excel, XLSX with typed cells) and
the import template (DESIGN.md §6).

An export is the import's format plus the column ``Stelle``, so that export → import
changes nothing. The whole file is German, whatever the user's language: the import
reads German labels. CSV is ``;``-separated UTF-8 with BOM and CRLF (German Excel opens
it directly); XLSX is written with openpyxl, row by row from the queryset: shares are
numbers, dates are dates, so that Excel can sum the VZÄ and sort by Beginn.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Max, QuerySet
from django.db.models.functions import Length
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import spreadsheet
from .models import Assignment, AssignmentRole, PostKind, Qualification
from .spreadsheet import escape_cell, format_date, format_fte

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHEET_TITLE = "Personalliste"
POST_LABEL_HEADER = "Stelle"
# Between a qualification's level and its subject: "Master / Diplom (Universität) – Soziale
# Arbeit". The import splits the cell there (another module, same format).
QUALIFICATION_SEPARATOR = " – "


def _with_post_label(columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The import's columns with ``Stelle`` right after ``Stellenart`` (unless the import
    already lists it)."""
    if any(header == POST_LABEL_HEADER for _name, header in columns):
        return list(columns)
    after_kind = [name for name, _h in columns].index("kind") + 1
    return [*columns[:after_kind], ("post_label", POST_LABEL_HEADER), *columns[after_kind:]]


COLUMNS: list[tuple[str, str]] = _with_post_label(spreadsheet.COLUMNS)
NAMES = [name for name, _header in COLUMNS]
HEADERS = [header for _name, header in COLUMNS]
HEADER_OF = dict(COLUMNS)

# --- German labels ------------------------------------------------------------------------------


@functools.cache
def german_labels(choices_class) -> dict[str, str]:
    """``{value: German label}`` of a TextChoices, once per process (not per row)."""
    with translation.override("de"):
        return {value: str(label) for value, label in choices_class.choices}


def format_qualification(level: str, subject: str) -> str:
    """One cell: the level's German label, `` – `` and the subject; either part alone if the
    other is empty ("sonstige – …" for the level "other")."""
    label = german_labels(Qualification)[level] if level else ""
    return QUALIFICATION_SEPARATOR.join(part for part in (label, subject.strip()) if part)


# --- one row of the list ------------------------------------------------------------------------

# Each column's value, typed: str, Decimal (shares), date or None (no end).
_VALUES: dict[str, Callable[[Assignment], object]] = {
    "center": lambda a: a.post.center.key,
    "last_name": lambda a: a.member.last_name,
    "first_name": lambda a: a.member.first_name,
    "email": lambda a: a.member.email,
    "kind": lambda a: german_labels(PostKind)[a.post.kind],
    "post_label": lambda a: a.post.label,
    "fte": lambda a: a.fte,
    "start": lambda a: a.start,
    "end": lambda a: a.end,
    "role": lambda a: german_labels(AssignmentRole)[a.role] if a.role else "",
    "seconding_school": lambda a: a.seconding_school,
    "qualification": lambda a: format_qualification(
        a.member.qualification, a.member.qualification_subject
    ),
}


def column_value(assignment: Assignment, name: str):
    return _VALUES[name](assignment)


def row_values(assignment: Assignment) -> list:
    return [_VALUES[name](assignment) for name in NAMES]


def text_cell(value) -> str:
    """A value as CSV text, exactly what the import reads back; formulas escaped."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_fte(value)
    if isinstance(value, date):
        return format_date(value)
    return escape_cell(str(value))


def staffing_list() -> QuerySet[Assignment]:
    """Every assignment in the export's order: centre, name, start (German collation of the
    names comes from the database)."""
    return Assignment.objects.select_related("post__center", "member").order_by(
        "post__center__key", "member__last_name", "member__first_name", "start", "pk"
    )


def rows_for_centers(centers) -> QuerySet[Assignment]:
    return staffing_list().filter(post__center__in=centers)


# --- CSV ----------------------------------------------------------------------------------------


def _csv_bytes(rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    # Excel in a German locale opens ;-separated UTF-8 with BOM directly.
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for values in rows:
        writer.writerow([text_cell(v) for v in values])
    return buffer.getvalue().encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------------

FTE_FORMAT = "0.00"  # a German Excel shows 0,50
DATE_FORMAT = "DD.MM.YYYY"
TEXT_FORMAT = "@"
MIN_WIDTH, MAX_WIDTH = 8, 60
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_FORMATS = {"fte": FTE_FORMAT, "start": DATE_FORMAT, "end": DATE_FORMAT, "center": TEXT_FORMAT}
# Widths of columns whose content has a known length (the rest is measured).
_FIXED_LENGTH = {"center": 5, "fte": 4, "start": 10, "end": 10}


def _letter(name: str) -> str:
    return get_column_letter(NAMES.index(name) + 1)


def _xlsx_value(value):
    if isinstance(value, str):
        # openpyxl refuses control characters; they have no place in a cell anyway.
        return ILLEGAL_CHARACTERS_RE.sub("", escape_cell(value))
    return value


def _cell(sheet, name: str, value, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula
        if name == "center":
            cell.number_format = TEXT_FORMAT
    elif name in _FORMATS:
        cell.number_format = _FORMATS[name]
    if bold:
        cell.font = _BOLD
    return cell


def _width(name: str, length: int) -> float:
    return max(MIN_WIDTH, min(MAX_WIDTH, max(length, len(HEADER_OF[name])) + 2))


def _widths(queryset: QuerySet[Assignment]) -> dict[str, float]:
    """Column widths from the longest value of each column: one aggregate query, so that
    the rows themselves can be streamed (a streamed sheet needs its widths first)."""
    measured = queryset.order_by().aggregate(
        last_name=Max(Length("member__last_name")),
        first_name=Max(Length("member__first_name")),
        email=Max(Length("member__email")),
        post_label=Max(Length("post__label")),
        seconding_school=Max(Length("seconding_school")),
        qualification_subject=Max(Length("member__qualification_subject")),
    )
    lengths = {name: measured.get(name) or 0 for name in NAMES}
    lengths.update(_FIXED_LENGTH)
    lengths["kind"] = max(len(label) for label in german_labels(PostKind).values())
    lengths["role"] = max(len(label) for label in german_labels(AssignmentRole).values())
    lengths["qualification"] = (
        max(len(label) for label in german_labels(Qualification).values())
        + len(QUALIFICATION_SEPARATOR)
        + (measured["qualification_subject"] or 0)
    )
    return {name: _width(name, lengths[name]) for name in NAMES}


def _xlsx_bytes(queryset: QuerySet[Assignment]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    for name, width in _widths(queryset).items():
        sheet.column_dimensions[_letter(name)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, name, header, bold=True) for name, header in COLUMNS])
    count = 0
    for assignment in queryset.iterator(chunk_size=2000):
        sheet.append([_cell(sheet, name, _VALUES[name](assignment)) for name in NAMES])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(NAMES))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_bytes(queryset: QuerySet[Assignment], fmt: str) -> bytes:
    """The staffing list as ``fmt`` (``csv`` or ``xlsx``); rows are read as a stream."""
    if fmt == "xlsx":
        return _xlsx_bytes(queryset)
    return _csv_bytes(row_values(a) for a in queryset.iterator(chunk_size=2000))


# --- the import template ------------------------------------------------------------------------

TEMPLATE_CENTER = "05315"
TEMPLATE_LAST_ROW = 1000  # validations and formats reach this far
LISTS_SHEET = "Listen"
EXPLANATION_SHEET = "Erläuterungen"


def _school_year_start(today: date) -> date:
    return date(today.year if today.month >= 8 else today.year - 1, 8, 1)


def example_row(center_key: str) -> list:
    """A fictitious person, typed like an exported row."""
    example = {
        "center": center_key,
        "last_name": "Mustermann",
        "first_name": "Erika",
        "email": "erika.mustermann@beispiel.example",
        "kind": german_labels(PostKind)[PostKind.SPECIALIST],
        "post_label": "",
        "fte": Decimal("0.50"),
        "start": _school_year_start(timezone.localdate()),
        "end": None,
        "role": "",
        "seconding_school": "",
        "qualification": format_qualification(Qualification.MASTER, "Soziale Arbeit"),
    }
    return [example[name] for name in NAMES]


def _choices(choices_class) -> list[str]:
    return [label for value, label in german_labels(choices_class).items() if value]


def _explanations() -> list[tuple[str, str, str, str]]:
    """(Spalte, Pflicht?, Bedeutung, Beispiele/erlaubte Werte) per column. Plain German,
    not gettext: the file's columns and values are German in every language."""
    qualifications = "; ".join(_choices(Qualification))
    rows = {
        "center": (
            "ja",
            "Kreisschlüssel des Trägers des Kommunalen Integrationszentrums (5 Ziffern, mit "
            "führender Null). Eine KI-Leitung importiert nur Zeilen ihres eigenen Zentrums.",
            "05315 (Köln), 05314 (Bonn)",
        ),
        "last_name": ("ja", "Nachname der Person.", "Mustermann"),
        "first_name": ("ja", "Vorname der Person.", "Erika"),
        "email": (
            "ja",
            "Dienstliche E-Mail-Adresse. An ihr erkennt der Import die Person wieder; "
            "jede Person hat genau eine Adresse.",
            "erika.mustermann@beispiel.example",
        ),
        "kind": (
            "ja",
            "Art der Stelle, auf der die Person arbeitet.",
            ", ".join(_choices(PostKind)),
        ),
        "post_label": (
            "nein",
            "Bezeichnung der Stelle, wie sie im Portal heißt (eindeutig im Zentrum). Die "
            "Spalte ist freiwillig: Ist sie leer oder fehlt sie, setzt der Import die Person "
            "auf eine Stelle dieser Stellenart mit freiem Anteil; eine neue Stelle legt er "
            "nur sichtbar an („neue Stelle“ in der Vorschau).",
            "Fachkraft 1, Lehrkraft 2",
        ),
        "fte": (
            "ja",
            "Anteil einer Vollzeitstelle (VZÄ) dieser Besetzung: größer als 0, höchstens 1, "
            "höchstens zwei Nachkommastellen.",
            "1; 0,5; 0.5; 50 %",
        ),
        "start": ("ja", "Erster Tag der Besetzung.", "01.08.2025 oder 2025-08-01"),
        "end": (
            "nein",
            "Letzter Tag der Besetzung; leer, wenn kein Ende feststeht.",
            "31.07.2027 oder 2027-07-31",
        ),
        "role": (
            "nein",
            "Leitung oder stellvertretende Leitung des Zentrums; Leitung und Stellvertretung "
            "kommen aus verschiedenen Berufsgruppen (Nr. 4.3). Sonst leer.",
            ", ".join(_choices(AssignmentRole)) + " oder leer",
        ),
        "seconding_school": (
            "nein",
            "Nur bei Lehrkräften: die Schule, von der die Lehrkraft abgeordnet ist.",
            "Gesamtschule Köln-Holweide",
        ),
        "qualification": (
            "nein",
            "Berufs- oder Studienabschluss (Nr. 4.1, Nr. 4.2), auf Wunsch mit dem Studien- "
            f"bzw. Ausbildungsschwerpunkt nach „{QUALIFICATION_SEPARATOR.strip()}“. Freitext "
            "ist erlaubt, z. B. „Master Soziale Arbeit“: Der Import erkennt den Abschluss, "
            "der Rest wird der Schwerpunkt; was er nicht erkennt, wird „sonstige“ mit einem "
            "Hinweis.",
            f"{qualifications}; z. B. „"
            + format_qualification(Qualification.MASTER, "Soziale Arbeit")
            + "“",
        ),
    }
    return [(header, *rows[name]) for name, header in COLUMNS]


TEMPLATE_NOTES = (
    "Die Kopfzeile muss erhalten bleiben; die Reihenfolge der Spalten ist beliebig.",
    "Weitere Spalten (z. B. „Nr.“ oder „Bemerkung“) werden beim Import ignoriert.",
    "Eine Zeile je Besetzung: Wer auf zwei Stellen arbeitet, steht in zwei Zeilen.",
    "Die Beispielzeile (Erika Mustermann) vor dem Import löschen.",
)


def _template_validations(sheet, lists_sheet) -> None:
    last = TEMPLATE_LAST_ROW

    def validate(name: str, formula: str, **options) -> None:
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, **options)
        validation.add(f"{_letter(name)}2:{_letter(name)}{last}")
        sheet.add_data_validation(validation)

    kinds = _choices(PostKind)
    validate(
        "kind",
        '"' + ",".join(kinds) + '"',
        showErrorMessage=True,
        errorTitle="Stellenart",
        error="Bitte eine Stellenart aus der Liste wählen: " + ", ".join(kinds) + ".",
    )
    roles = _choices(AssignmentRole)
    validate(
        "role",
        '"' + ",".join(roles) + '"',
        showErrorMessage=True,
        errorTitle="Funktion",
        error="Bitte " + " oder ".join(roles) + " wählen oder die Zelle leer lassen.",
    )
    # The qualification labels together exceed what Excel allows in a list formula
    # (255 characters): they stand on a hidden sheet. Free text stays allowed.
    qualifications = _choices(Qualification)
    for row, label in enumerate(qualifications, start=1):
        lists_sheet.cell(row=row, column=1, value=label).data_type = "s"
    validate(
        "qualification",
        f"{LISTS_SHEET}!$A$1:$A${len(qualifications)}",
        showErrorMessage=False,
        showInputMessage=True,
        promptTitle="Qualifikation",
        prompt="Aus der Liste wählen oder frei eingeben, z. B. „Master Soziale Arbeit“.",
    )


def _header_row(sheet, headers: list[str], widths: list[float]) -> None:
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.data_type = "s"
        cell.font = _BOLD
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def template_xlsx(center_key: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    example = example_row(center_key)
    _header_row(
        sheet,
        HEADERS,
        [
            _width(name, max(len(text_cell(value)), 14))
            for name, value in zip(NAMES, example, strict=True)
        ],
    )
    for column, (name, value) in enumerate(zip(NAMES, example, strict=True), start=1):
        if value in ("", None):
            continue
        cell = sheet.cell(row=2, column=column, value=_xlsx_value(value))
        if isinstance(value, str):
            cell.data_type = "s"
        if name in _FORMATS:
            cell.number_format = _FORMATS[name]
    # New rows typed in by hand get the same formats (and the key stays text: 05315).
    for name, number_format in _FORMATS.items():
        sheet.column_dimensions[_letter(name)].number_format = number_format

    lists_sheet = workbook.create_sheet(LISTS_SHEET)
    lists_sheet.sheet_state = "hidden"
    _template_validations(sheet, lists_sheet)

    explanations = workbook.create_sheet(EXPLANATION_SHEET, index=1)
    _header_row(
        explanations,
        ["Spalte", "Pflicht?", "Bedeutung", "Beispiele/erlaubte Werte"],
        [20, 9, 80, 60],
    )
    for row in _explanations():
        explanations.append(row)
    explanations.append([])
    for note in TEMPLATE_NOTES:
        explanations.append(["Hinweis", "", note])
    for row in explanations.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(center_key: str) -> bytes:
    return _csv_bytes([example_row(center_key)])


def template_bytes(center_key: str, fmt: str) -> bytes:
    return template_xlsx(center_key) if fmt == "xlsx" else template_csv(center_key)
