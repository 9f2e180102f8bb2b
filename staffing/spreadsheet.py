"""From a spreadsheet's bytes to parsed rows — no database (DESIGN.md §6).

Reads staffing lists as people really send them: CSV from German Excel (UTF-8
with or without BOM, Windows-1252, ``;`` or ``,``) and XLSX from Excel or
LibreOffice Calc with typed cells; finds the header; parses German values.
``read_chunks`` hands ``RowResult``s on ``CHUNK`` at a time; comparing them with
the database is ``staffing.importing``'s work.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import rules
from .models import AssignmentRole, ImportRowStatus, PostKind, Qualification

# --- the column format (DESIGN.md §6) -------------------------------------------------------------

COLUMNS: list[tuple[str, str]] = [
    ("center", "KI-Schlüssel"),
    ("last_name", "Nachname"),
    ("first_name", "Vorname"),
    ("email", "E-Mail"),
    ("kind", "Stellenart"),
    ("fte", "Stellenanteil"),
    ("start", "Beginn"),
    ("end", "Ende"),
    ("role", "Funktion"),
    ("seconding_school", "Abordnende Schule"),
    ("qualification", "Qualifikation"),
]
HEADERS = [header for _name, header in COLUMNS]
HEADER_OF = dict(COLUMNS)
REQUIRED = ("center", "last_name", "first_name", "email", "kind", "fte", "start")
MAX_LENGTH = {
    "center": 8,
    "last_name": 100,
    "first_name": 100,
    "email": 254,
    "seconding_school": 200,
}
MAX_FILE_BYTES = 20 * 1024 * 1024

# A row's outcome; the preview stores it as ``ImportRow.status``.
NEW, CHANGED, UNCHANGED, ERROR = (str(s) for s in ImportRowStatus)


class FileError(Exception):
    """The file as a whole cannot be read (empty, binary, no header, missing column)."""


def normalize_header(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().casefold()


_HEADER_LOOKUP = {normalize_header(h): name for name, h in COLUMNS}


# --- formula injection ------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@")


def escape_cell(value):
    """Exports prefix cells a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The import undoes ``escape_cell``, so an export re-imports unchanged."""
    if value.startswith("'") and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


# --- German values ----------------------------------------------------------------------------------

_PERCENT = re.compile(r"^([0-9]+(?:[.,][0-9]+)?)\s*%$")
_NUMBER = re.compile(r"^[0-9]+(?:[.,][0-9]+)?$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_fte(value) -> Decimal:
    """``0,5`` / ``0.5`` / ``50 %`` / ``1`` (and numeric XLSX cells) → Decimal in (0, 1]."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        number = Decimal(str(round(float(value), 6)))
    else:
        text = str(value).strip()
        if m := _PERCENT.match(text):
            number = Decimal(m.group(1).replace(",", ".")) / 100
        elif _NUMBER.match(text.lstrip("-")):
            number = Decimal(text.replace(",", "."))
        else:
            raise ValueError(
                _("„{value}“ ist kein Stellenanteil; erwartet z. B. 0,5, 0.5, 50 % oder 1.").format(
                    value=text
                )
            )
    if not number.is_finite():
        raise ValueError(_("„{value}“ ist kein Stellenanteil.").format(value=value))
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(
            _("Der Stellenanteil „{value}“ hat mehr als zwei Nachkommastellen.").format(value=value)
        )
    number = number.quantize(Decimal("0.01"))
    if (msg := rules.fte_error(number)) is not None:
        raise ValueError(msg)
    return number


def parse_date(value) -> date:
    """``31.07.2027`` or ``2027-07-31`` (and date cells of XLSX)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.endswith(" 00:00:00"):
        text = text[: -len(" 00:00:00")]
    m = _GERMAN_DATE.match(text)
    parts = (m.group(3), m.group(2), m.group(1)) if m else None
    if parts is None and (m := _ISO_DATE.match(text)):
        parts = (m.group(1), m.group(2), m.group(3))
    if parts is None:
        raise ValueError(
            _("„{value}“ ist kein Datum; erwartet TT.MM.JJJJ oder JJJJ-MM-TT.").format(value=text)
        )
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError(
            _("„{value}“ ist kein gültiges Datum (diesen Tag gibt es nicht).").format(value=text)
        ) from None


def _choice_lookup(choices, aliases: dict[str, str]) -> dict[str, str]:
    table = {normalize_header(label): value for value, label in choices}
    table.update({normalize_header(value): value for value, _label in choices if value})
    table.update({normalize_header(k): v for k, v in aliases.items()})
    return table


_KIND_ALIASES = {
    "Lehrkräfte": PostKind.TEACHER,
    "Lehrkraft (abgeordnet)": PostKind.TEACHER,
    "Fachkräfte": PostKind.SPECIALIST,
    "Verwaltungsassistenzkraft": PostKind.ADMIN_ASSISTANT,
    "Assistenzkraft": PostKind.ADMIN_ASSISTANT,
}
_ROLE_ALIASES = {
    "-": AssignmentRole.NONE,
    "keine": AssignmentRole.NONE,
    "stellvertretende Leitung": AssignmentRole.DEPUTY,
    "stellv Leitung": AssignmentRole.DEPUTY,
    "stv. Leitung": AssignmentRole.DEPUTY,
    "Stellvertretung": AssignmentRole.DEPUTY,
}
_QUALIFICATION_ALIASES = {
    "Master": Qualification.MASTER,
    "Diplom": Qualification.MASTER,
    "Magister": Qualification.MASTER,
    "Bachelor": Qualification.BACHELOR,
    "Diplom (FH)": Qualification.BACHELOR,
    "Staatsexamen": Qualification.TEACHING,
    "Verwaltungsfachangestellter": Qualification.ADMIN_TRAINING,
    "Verwaltungsfachangestellte": Qualification.ADMIN_TRAINING,
    "Kauffrau für Büromanagement": Qualification.OFFICE_TRAINING,
    "Kaufmann für Büromanagement": Qualification.OFFICE_TRAINING,
}
_KINDS = _choice_lookup(PostKind.choices, _KIND_ALIASES)
_ROLES = _choice_lookup(AssignmentRole.choices, _ROLE_ALIASES)
_QUALIFICATIONS = _choice_lookup(Qualification.choices, _QUALIFICATION_ALIASES)


def _parse_choice(table, value, message: Callable[[], str]) -> str:
    key = normalize_header(value)
    if key in table:
        return table[key]
    # The German message is built only for a bad cell: gettext per row is measurable.
    raise ValueError(message().format(value=value))


def parse_kind(value) -> str:
    return _parse_choice(
        _KINDS,
        value,
        lambda: _(
            "Unbekannte Stellenart „{value}“; erlaubt: Lehrkraft, Fachkraft, Verwaltungsassistenz."
        ),
    )


def parse_role(value) -> str:
    return _parse_choice(
        _ROLES,
        value,
        lambda: _("Unbekannte Funktion „{value}“; erlaubt: Leitung, stellv. Leitung, leer."),
    )


def parse_qualification(value) -> str:
    return _parse_choice(
        _QUALIFICATIONS,
        value,
        lambda: _("Unbekannte Qualifikation „{value}“; erlaubt: {allowed}.").replace(
            "{allowed}", ", ".join(str(label) for v, label in Qualification.choices if v)
        ),
    )


class _EmailValidator(EmailValidator):
    """Django's rules, with its lazily compiled patterns compiled once: the lazy
    wrappers cost more than the matching when every row of a large file is checked."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(
        EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags
    )
    literal_regex = re.compile(
        EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags
    )


_email_validator = _EmailValidator()


def parse_email(value) -> str:
    text = str(value).strip()
    try:
        _email_validator(text)
    except ValidationError:
        raise ValueError(
            _("„{value}“ ist keine gültige E-Mail-Adresse.").format(value=text)
        ) from None
    return text.lower()


def format_fte(value: Decimal) -> str:
    """For exports: ``1``, ``0,5``, ``0,75`` — what the import reads back."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


# --- reading the file -------------------------------------------------------------------------------

_XLSX_MAGIC = b"PK\x03\x04"


def detect_encoding(data: bytes) -> str:
    """UTF-8 with or without BOM, else Windows-1252 (what German Excel writes).

    Checked piecewise, so that a large file is not held twice as text."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for i in range(0, len(data), 1 << 20):
                piece = data[i : i + (1 << 20)]
                # No text file has NUL bytes; a database would refuse them later.
                if b"\x00" in piece:
                    raise FileError(_("Die Datei ist keine CSV- oder XLSX-Datei (Binärdaten)."))
                decoder.decode(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileError(
        _("Die Datei ist weder UTF-8 noch Windows-1252 kodiert und kann nicht gelesen werden.")
    )


def sniff_delimiter(first_line: str) -> str:
    """``;`` or ``,``: whichever splits the header into more known columns."""

    def score(delim):
        try:
            cells = next(csv.reader([first_line], delimiter=delim), [])
        except csv.Error:
            return (0, 0)
        return sum(1 for c in cells if normalize_header(c) in _HEADER_LOOKUP), len(cells)

    return max((";", ","), key=score)


def iter_csv(data: bytes) -> Iterator[list]:
    """Rows of a CSV file, decoded as they are read."""
    encoding = detect_encoding(data)
    head = data[:65536].decode(encoding, errors="ignore").splitlines()
    delimiter = sniff_delimiter(next((line for line in head if line.strip()), ""))
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    try:
        yield from csv.reader(text, delimiter=delimiter)
    except csv.Error as exc:
        raise FileError(_("Die CSV-Datei ist fehlerhaft: {error}").format(error=exc)) from None


def iter_xlsx(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - see below: untrusted zip/XML
        raise FileError(_("Die XLSX-Datei kann nicht gelesen werden.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            # An XLSX file is a zip of XML written by anyone: whatever breaks while
            # reading it is bad input, reported as such, never a server error.
            except Exception as exc:  # noqa: BLE001
                raise FileError(_("Die XLSX-Datei ist beschädigt.")) from exc
            yield ["" if v is None else v for v in row]
    finally:
        workbook.close()


def iter_dataset(dataset) -> Iterator[list]:
    """A tablib Dataset (django-import-export's admin hands one over)."""
    yield list(dataset.headers or [])
    for row in dataset:
        yield ["" if v is None else v for v in row]


def iter_file(data: bytes) -> Iterator[list]:
    """Rows of a CSV or XLSX file; problems surface as ``FileError`` while iterating."""
    if not data or not data.strip():
        raise FileError(_("Die Datei ist leer."))
    if len(data) > MAX_FILE_BYTES:
        raise FileError(
            _("Die Datei ist zu groß (höchstens {mb} MB).").format(mb=MAX_FILE_BYTES // 2**20)
        )
    if data.startswith(_XLSX_MAGIC):
        yield from iter_xlsx(data)
    else:
        yield from iter_csv(data)


# --- rows ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _kind_label(kind: str, language: str) -> str:
    """The Stellenart's label in ``language``: once per language, not per row."""
    return str(PostKind(kind).label)


@dataclass(slots=True)
class RowResult:
    number: int  # 1 = header; data rows start at 2, as Excel counts
    status: str = NEW
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # [(header, message)]
    changes: list = field(default_factory=list)  # [header]

    def error(self, name: str, message: str) -> None:
        self.errors.append((HEADER_OF.get(name, name), str(message)))
        self.status = ERROR

    def label(self) -> str:
        v = self.values
        name = ", ".join(x for x in (v.get("last_name"), v.get("first_name")) if x)
        kind = _kind_label(v["kind"], get_language()) if v.get("kind") else ""
        bits = [v.get("center_key", ""), name, kind]
        return " · ".join(str(b) for b in bits if b)

    def preview(self) -> tuple:
        """(number, status, label, errors, changes): what the preview shows of the row."""
        return self.number, self.status, self.label(), self.errors, self.changes


@dataclass(slots=True, frozen=True)
class ErrorRow:
    """What is kept of a row with an error until the end of a run: its number, label
    and messages, not its values (a file may consist of 100,000 such rows)."""

    number: int
    label: str
    errors: tuple

    status = ERROR
    changes = ()

    def preview(self) -> tuple:
        return self.number, self.status, self.label, self.errors, self.changes


@dataclass
class ImportResult:
    """Counts and errors of one run. Rows are not kept (a file may have 100,000):
    whoever needs each row passes ``on_row`` to the service; rows with errors are
    kept for the messages."""

    counts: dict[str, int] = field(
        default_factory=lambda: {NEW: 0, CHANGED: 0, UNCHANGED: 0, ERROR: 0}
    )
    file_errors: list[str] = field(default_factory=list)
    _error_rows: list[ErrorRow] = field(default_factory=list)
    # Filled by the service on a confirmed import.
    written: bool = False

    def add(self, row: RowResult) -> None:
        self.counts[row.status] += 1
        if row.status == ERROR:
            self._error_rows.append(ErrorRow(row.number, row.label(), tuple(row.errors)))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or bool(self.counts[ERROR])

    @property
    def error_rows(self) -> list[ErrorRow]:
        return sorted(self._error_rows, key=lambda r: r.number)

    def summary(self) -> str:
        c = self.counts
        return (
            f"neu: {c[NEW]}, geändert: {c[CHANGED]}, unverändert: {c[UNCHANGED]}, "
            f"Fehler: {c[ERROR] + (1 if self.file_errors else 0)}"
        )


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    return unescape_cell(text.strip())


_PARSERS: dict[str, Callable] = {
    "email": parse_email,
    "kind": parse_kind,
    "fte": parse_fte,
    "start": parse_date,
    "end": parse_date,
    "role": parse_role,
    "qualification": parse_qualification,
}


def _parse_row(number: int, cells: list, positions: dict[str, int]) -> RowResult:
    row = RowResult(number=number)
    raw: dict[str, object] = {}
    for name, pos in positions.items():
        value = cells[pos] if pos < len(cells) else ""
        raw[name] = value if isinstance(value, date | int | float) else _cell_text(value)
    values = row.values
    for name in REQUIRED:
        if raw.get(name) in ("", None):
            row.error(name, _("Pflichtfeld ist leer."))
    for name, limit in MAX_LENGTH.items():
        text = raw.get(name)
        if isinstance(text, str) and len(text) > limit:
            row.error(name, _("Zu lang: höchstens {n} Zeichen.").format(n=limit))
            raw[name] = ""
    values["center_key"] = str(raw.get("center") or "")
    values["last_name"] = str(raw.get("last_name") or "")
    values["first_name"] = str(raw.get("first_name") or "")
    values["seconding_school"] = str(raw.get("seconding_school") or "")
    for name, parse in _PARSERS.items():
        value = raw.get(name)
        if value in ("", None):
            values[name] = "" if name in ("role", "qualification") else None
            continue
        try:
            values[name] = parse(value)
        except (ValueError, ArithmeticError, InvalidOperation) as exc:
            row.error(name, str(exc) or _("Ungültiger Wert."))
            values[name] = None
    if (msg := rules.period_error(values.get("start"), values.get("end"))) is not None:
        row.error("end", msg)
    if values.get("seconding_school") and values.get("kind") and values["kind"] != PostKind.TEACHER:
        row.error("seconding_school", _("Eine abordnende Schule gibt es nur bei Lehrkräften."))
    return row


CHUNK = 900  # rows checked and written together; stays under SQLite's parameter limit


def read_chunks(source: Iterable[list], result: ImportResult) -> Iterator[list[RowResult]]:
    """Header matching, then the parsed data rows, ``CHUNK`` at a time. File-level
    problems (also one found half-way through) go to ``result.file_errors``."""
    iterator = iter(source)
    try:
        header = next(iterator, None)
        while header is not None and not any(str(c).strip() for c in header):
            header = next(iterator, None)
        if header is None:
            raise FileError(_("Die Datei ist leer."))
        positions: dict[str, int] = {}
        for pos, cell in enumerate(header):
            name = _HEADER_LOOKUP.get(normalize_header(cell))
            if name and name not in positions:
                positions[name] = pos
        missing = [HEADER_OF[name] for name, _h in COLUMNS if name not in positions]
        if missing:
            raise FileError(
                _("Es fehlen Spalten: {missing}. Erwartet wird die Kopfzeile: {headers}.").format(
                    missing=", ".join(missing), headers="; ".join(HEADERS)
                )
            )
        rows: list[RowResult] = []
        seen_any = False
        for number, cells in enumerate(iterator, start=2):
            if not any(str(c).strip() for c in cells if c is not None):
                continue
            rows.append(_parse_row(number, cells, positions))
            if len(rows) == CHUNK:
                seen_any = True
                yield rows
                rows = []
        if rows:
            yield rows
        elif not seen_any:
            raise FileError(_("Die Datei enthält nur die Kopfzeile und keine Datenzeilen."))
    except FileError as exc:
        result.file_errors.append(str(exc))



def to_dataset(data: bytes):
    """A tablib Dataset of the file's cells, for django-import-export's admin import.

    Raises ``FileError`` with a German message for a file that cannot be read.
    """
    import tablib

    rows = iter_file(data)
    header = next(rows, None)
    while header is not None and not any(str(c).strip() for c in header):
        header = next(rows, None)
    if header is None:
        raise FileError(_("Die Datei ist leer."))
    width = len(header)
    dataset = tablib.Dataset(headers=[str(h) for h in header])
    for cells in rows:
        cells = list(cells)[:width]
        dataset.append(cells + [""] * (width - len(cells)))
    return dataset
