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
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from centers.fields import parse_german_date, parse_share

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
# The post's label: optional, after the eleven columns (rows without it go to a post
# of their Stellenart with room, DESIGN.md §6).
POST_LABEL_HEADER = "Stelle"
HEADER_OF = dict([*COLUMNS, ("post_label", POST_LABEL_HEADER)])
REQUIRED = ("center", "last_name", "first_name", "email", "kind", "fte", "start")
OPTIONAL = ("end", "role", "seconding_school", "qualification", "post_label")
MAX_LENGTH = {
    "center": 8,
    "last_name": 100,
    "first_name": 100,
    "email": 254,
    "seconding_school": 200,
    "post_label": 100,
}
MAX_QUALIFICATION_SUBJECT = 200
MAX_FILE_BYTES = 20 * 1024 * 1024
# The header is looked for in this many rows: above it may stand a title block.
HEADER_SEARCH_ROWS = 10

# A row's outcome; the preview stores it as ``ImportRow.status``.
NEW, CHANGED, UNCHANGED, ERROR = (str(s) for s in ImportRowStatus)


class FileError(Exception):
    """The file as a whole cannot be read (empty, binary, no header, missing column)."""


def normalize_header(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().casefold()


# Headers as people write them. Compared without case, spaces, hyphens, dots, slashes
# and colons, so "E-Mail", "Email" and "e-mail:" are one header; a trailing
# parenthesis ("Stellenanteil (VZÄ)", "Beginn (TT.MM.JJJJ)") is tried without it.
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "center": (
        "KI-Schlüssel",
        "KI-Schluessel",
        "Kreisschlüssel",
        "Kreisschluessel",
        "Schlüssel",
    ),
    "last_name": ("Nachname", "Name", "Familienname"),
    "first_name": ("Vorname", "Rufname"),
    "email": ("E-Mail", "E-Mail-Adresse", "Mail", "Mailadresse", "Dienstliche E-Mail"),
    "kind": ("Stellenart", "Art der Stelle", "Stellentyp"),
    "fte": (
        "Stellenanteil",
        "Anteil",
        "VZÄ",
        "VZAE",
        "Stellenanteil (VZÄ)",
        "Stellenanteil in VZÄ",
        "Stellenumfang",
        "Vollzeitäquivalent",
    ),
    "start": ("Beginn", "Start", "Startdatum", "Von", "Beginn der Tätigkeit", "Eintritt"),
    "end": ("Ende", "Bis", "Enddatum", "Befristet bis", "Befristung bis", "Befristung"),
    "role": ("Funktion", "Leitungsfunktion", "Rolle"),
    "seconding_school": ("Abordnende Schule", "Stammschule"),
    "qualification": (
        "Qualifikation",
        "Qualifikation/Abschluss",
        "Abschluss",
        "Berufsabschluss",
        "Studienabschluss",
    ),
    "post_label": (POST_LABEL_HEADER, "Stellenbezeichnung", "Stellennummer", "Stellen-Nr."),
}
_HEADER_NOISE = re.compile(r"[\s\-_./:*]+")
_HEADER_PARENTHESIS = re.compile(r"\(.*\)$")


def _header_key(value) -> str:
    return _HEADER_NOISE.sub("", normalize_header(value))


_HEADER_LOOKUP = {
    _header_key(alias): name for name, aliases in _HEADER_ALIASES.items() for alias in aliases
}


def header_name(cell) -> str | None:
    """The column a header cell names ("center", "fte", …), or None for another column."""
    key = _header_key(cell)
    if not key:
        return None
    if (name := _HEADER_LOOKUP.get(key)) is None and key.endswith(")"):
        name = _HEADER_LOOKUP.get(_HEADER_PARENTHESIS.sub("", key))
    return name


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

# A list repeats its values (the same dates, shares, kinds row after row): each parser
# reads a distinct cell value once. Results are immutable (Decimal, date, str); a bad
# value raises again each time, in the language active then. ``typed``: 1, 1.0 and
# True are different cells.
_per_distinct_value = functools.lru_cache(maxsize=4096, typed=True)


@_per_distinct_value
def parse_fte(value) -> Decimal:
    """``0,5`` / ``0.5`` / ``50 %`` / ``1`` (and numeric XLSX cells) → Decimal in (0, 1].

    Text is read by the portal's share parser (``centers.fields.parse_share``), the same
    as in every form."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        number = Decimal(str(round(float(value), 6)))
        if not number.is_finite():
            raise ValueError(_("„{value}“ ist kein Stellenanteil.").format(value=value))
        if number != number.quantize(Decimal("0.01")):
            raise ValueError(
                _("Der Stellenanteil „{value}“ hat mehr als zwei Nachkommastellen.").format(
                    value=value
                )
            )
        number = number.quantize(Decimal("0.01"))
    else:
        number = parse_share(str(value))
    if (msg := rules.fte_error(number)) is not None:
        raise ValueError(msg)
    return number


@_per_distinct_value
def parse_date(value) -> date:
    """``31.07.2027``, ``31.07.27`` or ``2027-07-31`` (and date cells of XLSX).

    Text is read by the portal's date parser (``centers.fields.parse_german_date``):
    two-digit years as Excel reads them, 00–69 → 20xx, 70–99 → 19xx."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.endswith((" 00:00:00", "T00:00:00")):
        text = text[: -len(" 00:00:00")]
    return parse_german_date(text)


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
_KINDS = _choice_lookup(PostKind.choices, _KIND_ALIASES)
_ROLES = _choice_lookup(AssignmentRole.choices, _ROLE_ALIASES)


def _parse_choice(table, value, message: Callable[[], str]) -> str:
    key = normalize_header(value)
    if key in table:
        return table[key]
    # The German message is built only for a bad cell: gettext per row is measurable.
    raise ValueError(message().format(value=value))


@_per_distinct_value
def parse_kind(value) -> str:
    return _parse_choice(
        _KINDS,
        value,
        lambda: _(
            "Unbekannte Stellenart „{value}“; erlaubt: Lehrkraft, Fachkraft, Verwaltungsassistenz."
        ),
    )


@_per_distinct_value
def parse_role(value) -> str:
    return _parse_choice(
        _ROLES,
        value,
        lambda: _("Unbekannte Funktion „{value}“; erlaubt: Leitung, stellv. Leitung, leer."),
    )


# --- qualifications in free text (Nr. 4.1/Nr. 4.2) -------------------------------------------------

# The level as people write it, found at the start or as a word anywhere. At the same
# position the first alternative wins, so the longer phrases come first.
_Q = Qualification
_LEVEL_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"staatsexamen\s+(?:für\s+(?:das\s+)?)?lehramt", _Q.TEACHING),
    (r"lehramt(?:s(?:studium|befähigung))?", _Q.TEACHING),
    (r"lehrer(?:\s*/\s*-?\s*in|\*in|:in|in)?", _Q.TEACHING),
    (r"diplom\s*\(\s*fh\s*\)|diplom[\s-]*fh|fh[\s-]*diplom", _Q.BACHELOR),
    (r"diplom\s*\(\s*uni(?:versität|v\.|\.)?\s*\)|universitätsdiplom", _Q.MASTER),
    (r"diplom|dipl\.", _Q.MASTER),  # "(FH)" elsewhere in the text makes it a bachelor
    (r"master(?:\s+of\s+(?:arts|science|education))?|m\.\s?a\.|m\.\s?sc\.", _Q.MASTER),
    (r"magister(?:in)?", _Q.MASTER),
    (r"staatsexamen", _Q.MASTER),
    (r"bachelor(?:\s+of\s+(?:arts|science))?|b\.\s?a\.|b\.\s?sc\.", _Q.BACHELOR),
    (r"verwaltungsfachangestellte(?:\s*/\s*-?\s*r|\(r\)|r)?", _Q.ADMIN_TRAINING),
    (
        r"kauf(?:frau|mann)(?:\s*/\s*-?\s*(?:kauf)?(?:frau|mann))?\s+für\s+büromanagement",
        _Q.OFFICE_TRAINING,
    ),
    (r"vergleichbare\s+ausbildung(?:\s*\((?:§|nr\.)\s*4\.2\))?", _Q.COMPARABLE_TRAINING),
    (r"gleichwertige\s+qualifikation(?:\s*\((?:§|nr\.)\s*4\.1\))?", _Q.EQUIVALENT_DEGREE),
)
_PLAIN_DIPLOMA = 5  # index of "diplom|dipl." above
_LEVEL_RE = re.compile(
    "|".join(
        rf"(?P<l{i}>(?<!\w)(?:{pattern})(?!\w))" for i, (pattern, _lv) in enumerate(_LEVEL_PATTERNS)
    ),
    re.IGNORECASE,
)
_FH_RE = re.compile(r"\(\s*fh\s*\)|(?<!\w)fh(?!\w)", re.IGNORECASE)
_UNI_RE = re.compile(r"\(\s*uni(?:versität|v\.|\.)?\s*\)", re.IGNORECASE)
_EMPTY_PARENS = re.compile(r"\(\s*\)")
_EDGE_SEPARATORS = " \t–—-,:;/|"
_LEADING_CONNECTOR = re.compile(
    r"^(?:in|im\s+fach|für|fach(?:richtung)?|studiengang|schwerpunkt)(?!\w)[\s:]*",
    re.IGNORECASE,
)


def _tidy_subject(text: str) -> str:
    text = " ".join(_EMPTY_PARENS.sub(" ", text).split()).strip(_EDGE_SEPARATORS)
    return _LEADING_CONNECTOR.sub("", text).strip(_EDGE_SEPARATORS)


@functools.cache
def _canonical_labels() -> tuple[re.Pattern, dict[str, str]]:
    """The choices' German labels at the text's start: what the export writes (always in
    German), read back before any free-text guessing."""
    from django.utils import translation

    with translation.override("de"):
        labels = {str(label).casefold(): value for value, label in Qualification.choices}
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    pattern = re.compile(rf"^(?:{alternatives})(?=$|[\s–—\-,:;])", re.IGNORECASE)
    return pattern, labels


@functools.lru_cache(maxsize=4096)
def _parse_qualification(text: str) -> tuple[str, str, bool]:
    if not text:
        return "", "", True
    pattern, labels = _canonical_labels()
    if m := pattern.match(text):
        # The export's own format: the subject comes back exactly, connectors and all.
        subject = text[m.end() :].strip(_EDGE_SEPARATORS)
        return labels[m.group().casefold()], subject, True
    m = _LEVEL_RE.search(text)
    if m is None:
        return str(Qualification.OTHER), text, False
    index = int(m.lastgroup[1:])
    level = _LEVEL_PATTERNS[index][1]
    rest = f"{text[: m.start()]} {text[m.end() :]}"
    if index == _PLAIN_DIPLOMA and (fh := _FH_RE.search(rest)):
        level = Qualification.BACHELOR
        rest = rest[: fh.start()] + " " + rest[fh.end() :]
    elif level == Qualification.MASTER:
        rest = _UNI_RE.sub(" ", rest)
    subject = _tidy_subject(rest)
    # "Master/Diplom (Uni) Pädagogik": a second word for the same level is no subject.
    while (again := _LEVEL_RE.match(subject)) and _LEVEL_PATTERNS[int(again.lastgroup[1:])][
        1
    ] == level:
        subject = _tidy_subject(_UNI_RE.sub(" ", subject[again.end() :]))
    return str(level), subject, True


@_per_distinct_value
def parse_qualification(value) -> tuple[str, str, bool]:
    """Free text → (level of ``Qualification``, subject, recognised).

    "Master Soziale Arbeit" → ("master", "Soziale Arbeit", True); text without a level
    people use is kept whole as the subject of "sonstige" (recognised False) — never an
    error: whether an exception under Nr. 4.1/Nr. 4.2 is needed is decided elsewhere."""
    text = "" if value is None else " ".join(str(value).split())
    return _parse_qualification(text)


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
# The addresses of a list share a few domains: each is checked once.
_email_validator.validate_domain_part = functools.lru_cache(maxsize=1024)(
    _email_validator.validate_domain_part
)


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


def sniff_delimiter(lines: str | Iterable[str]) -> str:
    """``;`` or ``,``: whichever splits a line (the header, below a title block perhaps)
    into more known columns."""
    lines = [lines] if isinstance(lines, str) else list(lines)

    def score(delim):
        best = (0, 0)
        for line in lines:
            try:
                cells = next(csv.reader([line], delimiter=delim), [])
            except csv.Error:
                continue
            known = sum(1 for c in cells if header_name(c) is not None)
            best = max(best, (known, len(cells)))
        return best

    return max((";", ","), key=score)


# Excel's first line naming the delimiter; Excel neither shows nor counts it as a row.
_SEP_LINE = re.compile(r'^"?sep=(.)"?[;,\t ]*$', re.IGNORECASE)


def iter_csv(data: bytes) -> Iterator[list]:
    """Rows of a CSV file, decoded as they are read."""
    encoding = detect_encoding(data)
    head = data[:65536].decode(encoding, errors="ignore").splitlines()
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    if head and (sep := _SEP_LINE.match(head[0])):
        delimiter = sep.group(1)
        text.readline()
    else:
        lines = [line for line in head[: HEADER_SEARCH_ROWS + 1] if line.strip()]
        delimiter = sniff_delimiter(lines or [""])
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
    changes: list | tuple = ()  # ["Stellenanteil: 0,50 → 1,00"]; none: no list made per row
    warnings: list[str] = field(default_factory=list)  # German messages; never block the import

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
    # Header texts of the columns the import does not read ("Nr.", "Bemerkung").
    extra_columns: list[str] = field(default_factory=list)
    _error_rows: list[ErrorRow] = field(default_factory=list)
    # Filled by the service (staffing.imports): people of the file's centres missing
    # from it, how many posts the import creates, and on a confirmed import the
    # moment its history rows carry (undo finds them by it).
    missing: list[dict] = field(default_factory=list)
    new_posts: int = 0
    written: bool = False
    written_at: datetime | None = None

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
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    text = value if isinstance(value, str) else str(value)
    return unescape_cell(text.strip())


_PARSERS: dict[str, Callable] = {
    "email": parse_email,
    "kind": parse_kind,
    "fte": parse_fte,
    "start": parse_date,
    "end": parse_date,
    "role": parse_role,
}
# Columns whose typed XLSX cells (numbers, dates) go to their parser as they are.
_TYPED = frozenset(("fte", "start", "end"))


def _center_key(text: str) -> str:
    """A Kreisschlüssel the spreadsheet stored as a number lost its leading zero."""
    return text.zfill(5) if len(text) < 5 and text.isdigit() else text


# The twelve columns in the order ``_quick_row`` unpacks them.
_FIELDS = (
    *("center", "last_name", "first_name", "email", "kind", "fte", "start"),
    *("end", "role", "seconding_school", "qualification", "post_label"),
)


def _picker(positions: dict[str, int]) -> Callable[[list], tuple]:
    """The twelve cells of a row (with an empty cell appended: an absent optional
    column reads it), in ``_FIELDS`` order; IndexError for a row shorter than the
    header."""
    return itemgetter(*(positions.get(name, -1) for name in _FIELDS))


def _quick_row(number: int, cells: list, pick) -> RowResult | None:
    """The common row the short way: text cells, none beginning with an apostrophe,
    every required one filled, none longer than 100 characters (the centre's key 8),
    every value valid. Anything else is None, and ``_parse_row`` reads the row (with
    the messages); both give the same ``RowResult`` for a row read here."""
    try:
        texts = [cell.strip() for cell in pick([*cells, ""])]
    except (AttributeError, IndexError):  # a typed cell (XLSX), or a short row
        return None
    center, last, first, email, kind, fte, start, end, role, school, qualification, label = texts
    if not (center and last and first and email and kind and fte and start):
        return None
    # Texts are stripped: an apostrophe that begins a cell begins the text or a line.
    joined = "\n".join(texts)
    if joined[:1] == "'" or "\n'" in joined or len(center) > 8 or max(map(len, texts)) > 100:
        return None
    try:
        kind = parse_kind(kind)
        values = {
            "center_key": _center_key(center),
            "last_name": last,
            "first_name": first,
            "seconding_school": school,
            "post_label": label,
            "email": parse_email(email),
            "kind": kind,
            "fte": parse_fte(fte),
            "start": parse_date(start),
            "end": parse_date(end) if end else None,
            "role": parse_role(role) if role else "",
        }
    except (ValueError, ArithmeticError):
        return None
    if (school and kind != PostKind.TEACHER) or (
        values["end"] is not None and values["end"] < values["start"]
    ):
        return None
    row = RowResult(number, NEW, values)
    _parse_qualification_cell(row, qualification)
    return row


def _parse_row(number: int, cells: list, positions: dict[str, int]) -> RowResult:
    """Any row, with a message for each bad cell (``_quick_row`` reads most rows)."""
    row = RowResult(number=number)
    raw: dict[str, object] = {}
    width = len(cells)
    for name, pos in positions.items():
        value = cells[pos] if pos < width else ""
        if type(value) is str:
            value = value.strip()
            if value[:1] == "'":
                value = unescape_cell(value)
        elif value is None:
            value = ""
        elif name not in _TYPED or isinstance(value, bool):
            value = _cell_text(value)
        raw[name] = value
    values = row.values
    for name in REQUIRED:
        if raw.get(name) in ("", None):
            row.error(name, _("Pflichtfeld ist leer."))
    for name, limit in MAX_LENGTH.items():
        text = raw.get(name)
        if isinstance(text, str) and len(text) > limit:
            row.error(name, _("Zu lang: höchstens {n} Zeichen.").format(n=limit))
            raw[name] = ""
    values["center_key"] = _center_key(raw.get("center") or "")
    values["last_name"] = raw.get("last_name") or ""
    values["first_name"] = raw.get("first_name") or ""
    values["seconding_school"] = raw.get("seconding_school") or ""
    values["post_label"] = raw.get("post_label") or ""
    for name, parse in _PARSERS.items():
        value = raw.get(name)
        if value in ("", None):
            values[name] = "" if name == "role" else None
            continue
        try:
            values[name] = parse(value)
        except (ValueError, ArithmeticError, InvalidOperation) as exc:
            row.error(name, str(exc) or _("Ungültiger Wert."))
            values[name] = None
    _parse_qualification_cell(row, raw.get("qualification") or "")
    if (msg := rules.period_error(values.get("start"), values.get("end"))) is not None:
        row.error("end", msg)
    if values.get("seconding_school") and values.get("kind") and values["kind"] != PostKind.TEACHER:
        row.error("seconding_school", _("Eine abordnende Schule gibt es nur bei Lehrkräften."))
    return row


def _parse_qualification_cell(row: RowResult, text: str) -> None:
    level, subject, recognised = parse_qualification(text)
    if len(subject) > MAX_QUALIFICATION_SUBJECT:
        row.error(
            "qualification",
            _("Zu lang: höchstens {n} Zeichen.").format(n=MAX_QUALIFICATION_SUBJECT),
        )
        subject = ""
    elif not recognised:
        row.warnings.append(
            _(
                "Qualifikation „{text}“ nicht erkannt: gespeichert als „{other}“; "
                "bitte Nr. 4.1/Nr. 4.2 prüfen."
            ).format(text=text, other=Qualification.OTHER.label)
        )
    row.values["qualification"] = level
    row.values["qualification_subject"] = subject


def _is_blank(cells) -> bool:
    first = cells[0] if cells else None
    if type(first) is str and first and not first[0].isspace():
        return False  # at a glance: the first cell has text (a data row has its key there)
    return not any(str(c).strip() for c in cells if c is not None)


def _match_header(cells: list) -> tuple[dict[str, int], list[str]]:
    """(column → position, header texts of the other columns) of a candidate header row."""
    positions: dict[str, int] = {}
    extra: list[str] = []
    for pos, cell in enumerate(cells):
        name = header_name(cell)
        if name is not None and name not in positions:
            positions[name] = pos
        elif text := " ".join(str(cell if cell is not None else "").split()):
            extra.append(text)
    return positions, extra


def _find_header(iterator: Iterator[list]) -> tuple[int, dict[str, int], list[str]]:
    """The header among the first ``HEADER_SEARCH_ROWS`` rows: the first with every
    required column. Returns its row number, the positions and the other columns."""
    best: tuple[int, int, list[str]] | None = None  # (found, number, missing)
    number = 0
    for number, cells in enumerate(iterator, start=1):
        if not _is_blank(cells):
            positions, extra = _match_header(cells)
            missing = [HEADER_OF[name] for name in REQUIRED if name not in positions]
            if not missing:
                return number, positions, extra
            found = len(REQUIRED) - len(missing)
            if best is None or found > best[0]:
                best = (found, number, missing)
        if number >= HEADER_SEARCH_ROWS:
            break
    expected = {
        "rows": HEADER_SEARCH_ROWS,
        "required": "; ".join(HEADER_OF[name] for name in REQUIRED),
        "optional": "; ".join(HEADER_OF[name] for name in OPTIONAL),
    }
    if best is None and number < HEADER_SEARCH_ROWS:
        raise FileError(_("Die Datei ist leer."))
    if best is None:
        raise FileError(
            _(
                "Keine Kopfzeile gefunden: Die ersten {rows} Zeilen sind leer. Erwartet werden "
                "die Spalten {required}, dazu wahlweise {optional}."
            ).format(**expected)
        )
    _found, row_number, missing = best
    raise FileError(
        _(
            "Keine Kopfzeile in den ersten {rows} Zeilen gefunden. Es fehlen Spalten: "
            "{missing} (in Zeile {number}). Erwartet werden die Spalten {required}, "
            "dazu wahlweise {optional}."
        ).format(missing=", ".join(missing), number=row_number, **expected)
    )


CHUNK = 900  # rows checked and written together; stays under SQLite's parameter limit


def read_chunks(source: Iterable[list], result: ImportResult) -> Iterator[list[RowResult]]:
    """Header matching, then the parsed data rows, ``CHUNK`` at a time. File-level
    problems (also one found half-way through) go to ``result.file_errors``.

    Rows are numbered as the spreadsheet shows them: a title block above the header
    counts, Excel's ``sep=`` line does not (``iter_csv`` drops it)."""
    iterator = iter(source)
    try:
        header_number, positions, result.extra_columns = _find_header(iterator)
        chunk = CHUNK
        pick = _picker(positions)
        rows: list[RowResult] = []
        seen_any = False
        for number, cells in enumerate(iterator, start=header_number + 1):
            if _is_blank(cells):
                continue
            rows.append(_quick_row(number, cells, pick) or _parse_row(number, cells, positions))
            if len(rows) >= chunk:
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

    The first non-empty row becomes the Dataset's headers: above the real header may
    stand a title block, which ``read_chunks`` skips. Rows are padded to the widest.
    Raises ``FileError`` with a German message for a file that cannot be read.
    """
    import tablib

    rows = iter_file(data)
    header = next(rows, None)
    while header is not None and _is_blank(header):
        header = next(rows, None)
    if header is None:
        raise FileError(_("Die Datei ist leer."))
    body = [list(cells) for cells in rows]
    width = max([len(header), *(len(cells) for cells in body)])
    dataset = tablib.Dataset(headers=[str(h) for h in header] + [""] * (width - len(header)))
    for cells in body:
        dataset.append(cells + [""] * (width - len(cells)))
    return dataset
