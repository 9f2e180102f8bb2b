"""Reading staffing lists as German Excel writes them (DESIGN.md §6) — the one place.

What django-import-export and tablib lack lives here and nowhere else:
encoding and delimiter detection, header matching, German value parsing,
formula-injection escaping, per-row permission and the bulk comparison that
classifies every row as new / changed / unchanged / error. Export goes
through ``staffing.resources.StaffingListResource`` (django-import-export,
tablib); the import's writes are in ``staffing.services.staffing_list_import``.

Rows are streamed: a file is decoded as it is read and handed on ``CHUNK`` rows
at a time (``read_chunks``); the ``Checker`` classifies each chunk with a fixed
number of queries and keeps across chunks only a small ``Person`` per e-mail
address and the few rows that give or take a Leitung; the writer keeps a small
tuple per new assignment until every change of the file is written. Memory grows
by about 1 KB per row, not by the rows, values and model objects of the whole
file (100,000 rows: 190 MB peak for the confirmed import, 95 MB for 10,000).
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from centers.access import centers_for
from centers.models import Center

from . import rules
from .models import (
    Assignment,
    AssignmentRole,
    ImportRowStatus,
    PostKind,
    Qualification,
    StaffMember,
)

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


# --- comparing with the database --------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


MEMBER_FIELDS = ("last_name", "first_name", "qualification")
ASSIGNMENT_FIELDS = ("fte", "end", "role", "seconding_school")
FIELD_HEADER = {
    "last_name": "Nachname",
    "first_name": "Vorname",
    "qualification": "Qualifikation",
    "fte": "Stellenanteil",
    "end": "Ende",
    "role": "Funktion",
    "seconding_school": "Abordnende Schule",
}
LEADERSHIP = (AssignmentRole.LEAD, AssignmentRole.DEPUTY)


@dataclass(slots=True)
class Person:
    """What the import keeps of one e-mail address across the whole file: the values
    of its first row (every later row must agree), the stored person, and the
    assignments the file gives it. Small, because a file may have 100,000 rows:
    the first assignment is kept inline, further ones in a dict made only for them."""

    number: int
    center_key: str
    last_name: str
    first_name: str
    qualification: str
    member_id: int | None = None  # stored before the import, or written by it
    stored_center_id: int | None = None
    changes: tuple = ()  # headers of the person's columns the file changes
    kind: str | None = None  # (Stellenart, Beginn) of the first assignment …
    start: date | None = None
    start_number: int = 0  # … and its row
    more: dict | None = None  # (Stellenart, Beginn) → row, for further assignments

    def claim(self, kind: str, start: date, number: int) -> int | None:
        """Records row ``number``'s assignment; returns the row that already has it."""
        if self.kind is None:
            self.kind, self.start, self.start_number = kind, start, number
            return None
        if (self.kind, self.start) == (kind, start):
            return self.start_number
        if self.more is None:
            self.more = {}
        first = self.more.get((kind, start))
        if first is None:
            self.more[(kind, start)] = number
        return first


@dataclass(slots=True, frozen=True)
class StoredAssignment:
    pk: int
    fte: Decimal
    end: date | None
    role: str
    seconding_school: str
    post_valid_from: date
    post_valid_to: date | None


class Checker:
    """The dry run, chunk by chunk: classifies each row as new / changed / unchanged /
    error with a constant number of queries per chunk.

    Across chunks it keeps only a ``Person`` per e-mail address (for "same person,
    same values", duplicates and the writes) and the few rows the §4.3 rules decide
    at the end: rows that give or take a Leitung / stellv. Leitung. ``check`` returns
    the rows it has decided; ``finish`` the held-back ones.
    """

    def __init__(self, *, user):
        self.centers = {c.key: c for c in Center.objects.all()}
        self.allowed = set(centers_for(user, "import_staffing").values_list("pk", flat=True))
        self.people: dict[str, Person] = {}
        self.held: list[RowResult] = []

    # -- one chunk --

    def check(self, rows: list[RowResult]) -> list[RowResult]:
        stored_members = self._stored_members(rows)
        for row in rows:
            self._check_row(row, stored_members)
        stored = self._stored_assignments(rows)
        decided = []
        for row in rows:
            if row.status != ERROR and self._classify(row, stored):
                self.held.append(row)
            else:
                decided.append(row)
        return decided

    def _stored_members(self, rows) -> dict[str, tuple]:
        people = self.people
        emails = {e for r in rows if (e := r.values.get("email")) and e not in people}
        found = {}
        for chunk in _chunks(sorted(emails)):
            for pk, email, center_id, *names in StaffMember.objects.filter(
                email__in=chunk
            ).values_list("pk", "email", "center_id", *MEMBER_FIELDS):
                found[email] = (pk, center_id, *names)
        return found

    def _stored_assignments(self, rows) -> dict[tuple, StoredAssignment]:
        member_ids = {
            person.member_id
            for r in rows
            if r.status != ERROR
            and (person := self.people[r.values["email"]]).stored_center_id is not None
        }
        found = {}
        for chunk in _chunks(sorted(member_ids)):
            for member_id, center_id, kind, start, *rest in Assignment.objects.filter(
                member_id__in=chunk
            ).values_list(
                "member_id",
                "post__center_id",
                "post__kind",
                "start",
                "pk",
                *ASSIGNMENT_FIELDS,
                "post__valid_from",
                "post__valid_to",
            ):
                found[(member_id, center_id, kind, start)] = StoredAssignment(*rest)
        return found

    def _check_row(self, row: RowResult, stored_members: dict[str, tuple]) -> None:
        v = row.values
        center = self.centers.get(v["center_key"]) if v["center_key"] else None
        if v["center_key"] and center is None:
            row.error("center", _("Unbekannter KI-Schlüssel „{key}“.").format(key=v["center_key"]))
        elif center is not None and center.pk not in self.allowed:
            row.error(
                "center",
                _("Sie dürfen die Personalliste von „{center}“ nicht ändern.").format(
                    center=center.name
                ),
            )
        v["center"] = center
        email = v.get("email")
        if not email:
            row.status = ERROR
            return
        person = self.people.get(email)
        if person is None:
            person = self.people[email] = Person(
                row.number,
                sys.intern(v["center_key"]),
                v["last_name"],
                v["first_name"],
                v["qualification"],
            )
            if (stored := stored_members.get(email)) is not None:
                person.member_id, person.stored_center_id = stored[0], stored[1]
                person.changes = tuple(
                    FIELD_HEADER[f]
                    for f, value in zip(MEMBER_FIELDS, stored[2:], strict=True)
                    if value != v[f]
                )
        else:
            for name in MEMBER_FIELDS:
                if getattr(person, name) != v.get(name):
                    row.error(
                        name,
                        _("Weicht von Zeile {n} für dieselbe Person ab.").format(n=person.number),
                    )
            if person.center_key != v["center_key"]:
                row.error(
                    "center",
                    _("Dieselbe Person steht in Zeile {n} bei einem anderen Zentrum.").format(
                        n=person.number
                    ),
                )
        if (
            person.stored_center_id is not None
            and center is not None
            and person.stored_center_id != center.pk
        ):
            row.error(
                "email",
                _(
                    "Diese E-Mail-Adresse gehört zu einer Person eines anderen Zentrums; "
                    "eine Person wird nur von einem Zentrum geführt."
                ),
            )
        if row.status == ERROR or center is None or not v.get("kind") or not v.get("start"):
            row.status = ERROR
            return
        if (first := person.claim(v["kind"], v["start"], row.number)) is not None:
            row.error(
                "start",
                _(
                    "Doppelte Zeile: dieselbe Person, Stellenart und derselbe Beginn stehen "
                    "schon in Zeile {n}."
                ).format(n=first),
            )

    def _classify(self, row: RowResult, stored: dict[tuple, StoredAssignment]) -> bool:
        """Sets the row's status; True when the leadership rules decide it at the end."""
        v = row.values
        person = self.people[v["email"]]
        existing = (
            stored.get((person.member_id, v["center"].pk, v["kind"], v["start"]))
            if person.stored_center_id is not None
            else None
        )
        v["stored"] = existing
        changes = list(person.changes)
        if existing is not None:
            changes += [FIELD_HEADER[f] for f in ASSIGNMENT_FIELDS if getattr(existing, f) != v[f]]
            msg = rules.within_post_error(
                v["start"], v["end"], existing.post_valid_from, existing.post_valid_to
            )
            if msg is not None:
                row.error("end", msg)
                return False
            row.status = CHANGED if changes else UNCHANGED
        else:
            row.status = NEW
        row.changes = changes
        return v["role"] in LEADERSHIP or (existing is not None and existing.role in LEADERSHIP)

    # -- the end of the file --

    def finish(self) -> list[RowResult]:
        """§4.3 and one Leitung at a time, over the stored assignments as the file
        leaves them; decides the held-back rows."""
        held, self.held = self.held, []
        if not held:
            return held
        tenures: dict[tuple, rules.Tenure] = {}
        center_ids = {r.values["center"].pk for r in held}
        stored = Assignment.objects.filter(
            post__center_id__in=center_ids, role__in=LEADERSHIP
        ).values_list(
            "pk", "post__center_id", "post__kind", "role", "start", "end", "member__email"
        )
        for pk, center_id, kind, role, start, end, email in stored:
            tenures[(email, center_id, kind, start)] = rules.Tenure(
                ("db", pk), center_id, kind, role, start, end, email
            )
        by_number = {}
        for row in held:
            v = row.values
            by_number[row.number] = row
            tenures[(v["email"], v["center"].pk, v["kind"], v["start"])] = rules.Tenure(
                ("row", row.number),
                v["center"].pk,
                v["kind"],
                v["role"],
                v["start"],
                v["end"],
                v["email"],
            )
        reported = set()
        for tenure, message in rules.leadership_errors(tenures.values()):
            if tenure.ref[0] == "row" and (tenure.ref, message) not in reported:
                reported.add((tenure.ref, message))
                by_number[tenure.ref[1]].error("role", message)
        held.sort(key=lambda r: r.number)
        return held


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
