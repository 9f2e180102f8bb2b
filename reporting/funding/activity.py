"""Tätigkeitszahlen (issue 12): what a centre did in a year, in numbers — Seiteneinstieg
counselling, the Laiensprachmittlerpool, the IfKuF groups, events and trainings.

Who: the KI-Leitung enters them (``PREPARE_FUNDING``); whoever reads the centre's reports
reads them (``VIEW_REPORTS``: its KI, the Träger, the district's Schulaufsicht, the LaSI,
the Bewilligung, the ministry) — they feed the Sachbericht and the LaSI report and are
counts, not money. The state-wide sums per Regierungsbezirk (``state_activity_sums``) are
for the state roles (``VIEW_STATE_OVERVIEW``) and hide small cells as Nr. 3.4 does
(``staffing.selectors.SMALL_CELL``), so the page can be passed on.

Services change, selectors read; ``figure_tables`` is the one presentation of a centre's
year (the centre page, and the Sachbericht of the Verwendungsnachweis).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from centers.access import Capability, require_center_perm
from centers.locking import ConflictError, claim_version
from centers.models import Center, Region
from staffing.selectors import SMALL_CELL

from .models import ActivityFigures, ProofOfUse, ProofStatus

# The first year of the Kommunale Integrationszentren (Teilhabe- und Integrationsgesetz 2012),
# as for the Förderbescheide.
FIRST_YEAR = 2012

LEVELS = (
    ("primary", _lazy("Primarstufe")),
    ("secondary_1", _lazy("Sekundarstufe I")),
    ("secondary_2", _lazy("Sekundarstufe II")),
    ("other", _lazy("sonstige")),
)
COUNSELLED = tuple(f"counselled_{code}" for code, _label in LEVELS)
PLACED = tuple(f"placed_{code}" for code, _label in LEVELS)
MEDIATION_PLACES = (
    "mediation_schools",
    "mediation_daycare",
    "mediation_authorities",
    "mediation_health",
    "mediation_other",
)
GROUP_KINDS = ("groups_griffbereit", "groups_griffbereit_mini", "groups_rucksack")
EVENT_FIELDS = ("events", "trainings", "event_participants")
COUNT_FIELDS = (
    *COUNSELLED,
    *PLACED,
    "mediation_assignments",
    *MEDIATION_PLACES,
    *GROUP_KINDS,
    "group_sessions",
    "group_participants",
    *EVENT_FIELDS,
)
EDITABLE_FIELDS = (*COUNT_FIELDS, "mediation_languages", "note")


def activity_years(today=None) -> range:
    """The years figures can be entered for: from 2012 to next year."""
    today = today or timezone.localdate()
    return range(FIRST_YEAR, today.year + 2)


def split_languages(text: str) -> list[str]:
    """The languages of a comma (or semicolon, or line) separated text, each once (the
    first spelling wins), spaces tidied."""
    seen: dict[str, str] = {}
    for part in re.split(r"[,;\n]", text or ""):
        name = " ".join(part.split())
        if name:
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def activity_figures_save(
    *, center: Center, year: int, user, expected_version: int | None = None, **fields
) -> ActivityFigures:
    """Enter or correct a centre's figures for a year: the KI-Leitung, one row per centre
    and year. Correcting needs the version the form showed (``claim_version``); entering
    the first time needs none, and finds a row someone else entered meanwhile a conflict.
    The model's rules (no more placed than counselled, places within the assignments)
    hold or nothing changes."""
    require_center_perm(
        user,
        Capability.PREPARE_FUNDING,
        center,
        _("Tätigkeitszahlen erfasst die KI-Leitung des Zentrums."),
    )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"activity_figures_save() got unknown fields: {sorted(unknown)}")
    years = activity_years()
    if year not in years:
        raise ValidationError(
            _("Tätigkeitszahlen werden für die Jahre %(first)s bis %(last)s erfasst.")
            % {"first": years[0], "last": years[-1]}
        )
    if (
        ProofOfUse.objects.filter(center=center, decision__year=year)
        .exclude(status__in=ProofStatus.editable())
        .exists()
    ):
        raise ValidationError(
            _(
                "Die Tätigkeitszahlen %(year)s stehen in einem eingereichten "
                "Verwendungsnachweis und können nicht mehr geändert werden."
            )
            % {"year": year}
        )
    figures = ActivityFigures.objects.select_for_update().filter(center=center, year=year).first()
    if figures is None:
        if expected_version is not None:
            raise ConflictError()
        figures = ActivityFigures(center=center, year=year)
    else:
        if expected_version is None:  # entered by someone else since the form was shown
            raise ConflictError()
        claim_version(figures, expected_version)
    if "mediation_languages" in fields:
        fields["mediation_languages"] = ", ".join(split_languages(fields["mediation_languages"]))
    for name, value in fields.items():
        setattr(figures, name, value)
    figures.full_clean()
    figures._history_user = user
    try:
        with transaction.atomic():
            figures.save()
    except IntegrityError as exc:  # two first entries at once: the constraint decides
        raise ConflictError() from exc
    return figures


# --- selectors ------------------------------------------------------------------------------


def figures_of(center: Center) -> list[ActivityFigures]:
    """The centre's figures, newest year first. One query."""
    return list(ActivityFigures.objects.filter(center=center).order_by("-year"))


def figures_for(center: Center, year: int) -> ActivityFigures | None:
    return ActivityFigures.objects.filter(center=center, year=year).first()


def open_years(center: Center, entered: list[int], today=None) -> list[int]:
    """This year and the two before, where the centre has no figures yet (newest first)."""
    today = today or timezone.localdate()
    return [y for y in range(today.year, today.year - 3, -1) if y not in entered]


def _label(name: str) -> str:
    return str(ActivityFigures._meta.get_field(name).verbose_name)


def figure_tables(figures: ActivityFigures | None) -> list[dict]:
    """A centre's year as four small tables (``caption``, ``header``, ``rows``; the first
    cell of a row is its header): the centre page and the Sachbericht show the same."""
    if figures is None:
        return []
    level_rows = []
    for code, label in LEVELS:
        counselled = getattr(figures, f"counselled_{code}")
        placed = getattr(figures, f"placed_{code}")
        level_rows.append((str(label), counselled, placed, counselled - placed))
    counselled = sum(getattr(figures, name) for name in COUNSELLED)
    placed = sum(getattr(figures, name) for name in PLACED)
    level_rows.append((_("insgesamt"), counselled, placed, counselled - placed))

    places = [(_label(name), getattr(figures, name)) for name in MEDIATION_PLACES]
    unspecified = figures.mediation_assignments - sum(n for _l, n in places)
    languages = split_languages(figures.mediation_languages)
    mediation_caption = _("Laiensprachmittlerpool: Einsätze nach Ort")
    if languages:
        mediation_caption += " – " + _("Sprachen: %(languages)s") % {
            "languages": ", ".join(languages)
        }
    groups = [(_label(name), getattr(figures, name)) for name in GROUP_KINDS]
    return [
        {
            "caption": _("Seiteneinstieg: Kinder und Jugendliche beraten und zugewiesen"),
            "header": [_("Schulstufe"), _("beraten"), _("zugewiesen"), _("noch nicht zugewiesen")],
            "rows": level_rows,
        },
        {
            "caption": mediation_caption,
            "header": [_("Ort"), _("Einsätze")],
            "rows": [
                *places,
                (_("ohne Angabe des Ortes"), unspecified),
                (_("Einsätze insgesamt"), figures.mediation_assignments),
            ],
        },
        {
            "caption": _("Elternbildung (IfKuF): Gruppen, Treffen, Teilnehmende"),
            "header": [_("Angabe"), _("Anzahl")],
            "rows": [
                *groups,
                (_("Gruppen insgesamt"), sum(n for _l, n in groups)),
                (_label("group_sessions"), figures.group_sessions),
                (_label("group_participants"), figures.group_participants),
            ],
        },
        {
            "caption": _("Veranstaltungen und Fortbildungen"),
            "header": [_("Angabe"), _("Anzahl")],
            "rows": [(_label(name), getattr(figures, name)) for name in EVENT_FIELDS],
        },
    ]


# --- state-wide sums with small cells hidden --------------------------------------------------
#
# The table: rows (what is counted) × columns (the five Regierungsbezirke, then NRW). Every
# row's NRW cell is the sum of its regions; within a column, totals are sums of their parts
# ("beraten insgesamt" of the levels; "beraten" = "zugewiesen" + "noch nicht zugewiesen";
# the assignments of the pool = its places + those without a place; the IfKuF groups).
#
# What is hidden (``protect``):
# 1. every cell from 1 to SMALL_CELL - 1 (0 is shown, as Nr. 3.4 does);
# 2. in every sum the table shows, never exactly one hidden cell; and where the sum's total
#    is shown, the hidden parts together (what a reader can compute: the total minus the
#    parts shown) are at least SMALL_CELL - 1 + (k - 1) for k hidden parts — so even
#    assuming every other hidden part is 1, none can be narrowed below "1 to 4";
# 3. finally, no hidden cell may follow exactly from *all* the sums together (checked by
#    Gaussian elimination over the hidden cells; this also catches chains through several
#    rows and columns). Where one would, one more cell of a sum it is in is hidden.
# Further cells: non-zero before zero, then the one that leaves the fewest sums with a lone
# hidden cell (hidden cells pair up across rows and columns), parts before totals, smallest.
# All hidden cells look the same on the page, so a reader cannot tell the small ones from
# those hidden to protect them. Not covered: ranges that several sums together with "counts
# are never negative" allow (rule 2 guards ranges within each single sum; rule 3 guards the
# exact value against all sums together).

NRW = "NRW"


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: object  # lazy text
    formula: dict  # model field -> coefficient
    total: bool = False


def _table_specs() -> list[tuple[str, object, list[tuple[object, list[RowSpec]]]]]:
    """(key, caption, sections of (title, rows))."""
    counselled = [
        *(RowSpec(f"counselled_{c}", label, {f"counselled_{c}": 1}) for c, label in LEVELS),
        RowSpec("counselled_total", _lazy("insgesamt"), dict.fromkeys(COUNSELLED, 1), True),
    ]
    placed = [
        *(RowSpec(f"placed_{c}", label, {f"placed_{c}": 1}) for c, label in LEVELS),
        RowSpec("placed_total", _lazy("insgesamt"), dict.fromkeys(PLACED, 1), True),
    ]
    waiting = [
        *(
            RowSpec(f"open_{c}", label, {f"counselled_{c}": 1, f"placed_{c}": -1})
            for c, label in LEVELS
        ),
        RowSpec(
            "open_total",
            _lazy("insgesamt"),
            {**dict.fromkeys(COUNSELLED, 1), **dict.fromkeys(PLACED, -1)},
            True,
        ),
    ]
    mediation = [
        *(
            RowSpec(name, ActivityFigures._meta.get_field(name).verbose_name, {name: 1})
            for name in MEDIATION_PLACES
        ),
        RowSpec(
            "mediation_unspecified",
            _lazy("Einsätze ohne Angabe des Ortes"),
            {"mediation_assignments": 1, **dict.fromkeys(MEDIATION_PLACES, -1)},
        ),
        RowSpec(
            "mediation_assignments",
            _lazy("Einsätze insgesamt"),
            {"mediation_assignments": 1},
            True,
        ),
    ]
    groups = [
        *(
            RowSpec(name, ActivityFigures._meta.get_field(name).verbose_name, {name: 1})
            for name in GROUP_KINDS
        ),
        RowSpec("groups_total", _lazy("Gruppen insgesamt"), dict.fromkeys(GROUP_KINDS, 1), True),
        RowSpec(
            "group_sessions",
            ActivityFigures._meta.get_field("group_sessions").verbose_name,
            {"group_sessions": 1},
        ),
        RowSpec(
            "group_participants",
            ActivityFigures._meta.get_field("group_participants").verbose_name,
            {"group_participants": 1},
        ),
    ]
    events = [
        RowSpec(name, ActivityFigures._meta.get_field(name).verbose_name, {name: 1})
        for name in EVENT_FIELDS
    ]
    return [
        (
            "seiteneinstieg",
            _lazy("Seiteneinstieg: Kinder und Jugendliche"),
            [
                (_lazy("beraten"), counselled),
                (_lazy("zugewiesen"), placed),
                (_lazy("noch nicht zugewiesen"), waiting),
            ],
        ),
        ("mediation", _lazy("Laiensprachmittlerpool"), [("", mediation)]),
        ("ifkuf", _lazy("Elternbildung (IfKuF)"), [("", groups)]),
        ("events", _lazy("Veranstaltungen und Fortbildungen"), [("", events)]),
    ]


def _column_sums() -> list[tuple[str, tuple[str, ...]]]:
    """The sums within a column: (total row, part rows)."""
    levels = [code for code, _label in LEVELS]
    sums = [
        ("counselled_total", tuple(f"counselled_{c}" for c in levels)),
        ("placed_total", tuple(f"placed_{c}" for c in levels)),
        ("open_total", tuple(f"open_{c}" for c in levels)),
        *((f"counselled_{c}", (f"placed_{c}", f"open_{c}")) for c in [*levels, "total"]),
        ("mediation_assignments", (*MEDIATION_PLACES, "mediation_unspecified")),
        ("groups_total", GROUP_KINDS),
    ]
    return sums


Cell = tuple[str, int]  # (row key, column index)


def table_sums(row_keys: list[str], columns: int) -> list[tuple[Cell, tuple[Cell, ...]]]:
    """Every sum the state table shows, as (total cell, part cells); the last column is
    the sum of the others."""
    last = columns - 1
    sums = [((key, last), tuple((key, c) for c in range(last))) for key in row_keys]
    for total, parts in _column_sums():
        for c in range(columns):
            sums.append(((total, c), tuple((p, c) for p in parts)))
    return sums


def _order(cell: Cell, rank: dict[str, int]) -> tuple[int, int]:
    return (rank.get(cell[0], 0), cell[1])


def _short(total: Cell, parts: tuple[Cell, ...], hidden: set[Cell], values: dict) -> bool:
    """Whether a sum leaves a hidden cell too exposed (rule 2)."""
    cells = (total, *parts)
    hid = [c for c in cells if c in hidden]
    if not hid:
        return False
    if len(hid) == 1:
        return True
    if total in hidden:
        return False
    k = len(hid)
    return sum(values[c] for c in hid) - (k - 1) < SMALL_CELL - 1


def _pick(candidates, avoid: set[Cell], values: dict, lone_after) -> Cell | None:
    """The next cell to hide: a non-zero one first, then the one that leaves the fewest
    sums with a lone hidden cell (so hidden cells pair up across rows and columns), a part
    before a total (``avoid``), the smallest."""
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (values[c] == 0, lone_after(c), c in avoid, values[c]),
    )


def _determined(hidden: set[Cell], sums, rank) -> list[Cell]:
    """Hidden cells whose value follows exactly from the shown cells and the sums (rule 3):
    reduced row echelon form of the sums over the hidden cells; a cell is determined when
    its pivot row has no other entry."""
    cells = sorted(hidden, key=lambda c: _order(c, rank))
    index = {cell: i for i, cell in enumerate(cells)}
    pivots: dict[int, dict[int, Fraction]] = {}
    for total, parts in sums:
        row: dict[int, Fraction] = {}
        for cell, coef in ((total, 1), *((p, -1) for p in parts)):
            if cell in index:
                i = index[cell]
                row[i] = row.get(i, Fraction(0)) + coef
        row = {i: v for i, v in row.items() if v}
        for col, prow in pivots.items():
            factor = row.get(col)
            if factor:
                for i, v in prow.items():
                    row[i] = row.get(i, Fraction(0)) - factor * v
                row = {i: v for i, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        lead = row[col]
        row = {i: v / lead for i, v in row.items()}
        for other in pivots.values():
            factor = other.get(col)
            if factor:
                for i, v in row.items():
                    other[i] = other.get(i, Fraction(0)) - factor * v
                for i in [i for i, v in other.items() if not v]:
                    del other[i]
        pivots[col] = row
    return [cells[col] for col, row in pivots.items() if len(row) == 1]


def protect(values: dict[Cell, int], sums, *, rank: dict[str, int] | None = None) -> set[Cell]:
    """The cells to hide (rules 1–3 above). ``values``: every cell of the table; ``sums``:
    (total cell, part cells) for every sum the table shows."""
    rank = rank or {}
    totals = {total for total, _parts in sums}
    hidden = {cell for cell, n in values.items() if 0 < n < SMALL_CELL}
    containing: dict[Cell, list] = {}
    for total, parts in sums:
        for cell in (total, *parts):
            containing.setdefault(cell, []).append((total, parts))

    def lone_after(cell: Cell) -> int:
        """How many sums of ``cell`` would then have it as their only hidden cell."""
        return sum(
            not any(c in hidden for c in (total, *parts))
            for total, parts in containing.get(cell, ())
        )

    def ordered(cells):
        return sorted(cells, key=lambda c: _order(c, rank))

    while True:
        changed = True
        while changed:
            changed = False
            for total, parts in sums:
                if _short(total, parts, hidden, values):
                    candidates = ordered(c for c in (*parts, total) if c not in hidden)
                    cell = _pick(candidates, {total}, values, lone_after)
                    if cell is not None:
                        hidden.add(cell)
                        changed = True
        exposed = _determined(hidden, sums, rank)
        if not exposed:
            return hidden
        cell = exposed[0]
        candidates = ordered(
            {
                c
                for total, parts in containing.get(cell, ())
                for c in (total, *parts)
                if c not in hidden
            }
        )
        choice = _pick(candidates, totals, values, lone_after)
        if choice is None:  # cannot happen with sums of two or more parts; never loop forever
            return hidden
        hidden.add(choice)


@dataclass
class SumRow:
    label: str
    values: list[int | None]  # None: not shown
    total: bool = False


@dataclass
class SumSection:
    title: str
    rows: list[SumRow]


@dataclass
class SumTable:
    key: str
    caption: str
    sections: list[SumSection]


@dataclass
class StateSums:
    year: int
    columns: list[str]  # the Regierungsbezirke, then NRW
    centers: list[int]  # centres with figures for the year, per column
    tables: list[SumTable]
    languages: list[tuple[str, int]]  # language, number of centres naming it
    hidden: int = 0

    @property
    def has_data(self) -> bool:
        return bool(self.centers and self.centers[-1])


def state_activity_sums(year: int) -> StateSums:
    """The year's figures summed per Regierungsbezirk (the Träger's) and for NRW, small
    cells hidden (see above). Two queries, whatever the number of centres: the sums per
    region in SQL, and the pool's languages."""
    regions = list(Region)
    prefix = "sum_"
    aggregated = (
        ActivityFigures.objects.filter(year=year)
        .values("center__sponsor__region")
        .annotate(centers=Count("pk"), **{prefix + name: Sum(name) for name in COUNT_FIELDS})
        .order_by()
    )
    by_region = {row["center__sponsor__region"]: row for row in aggregated}
    columns = len(regions) + 1

    def base(field_name: str, column: int) -> int:
        if column == columns - 1:
            return sum(base(field_name, c) for c in range(columns - 1))
        row = by_region.get(regions[column].value)
        return (row[prefix + field_name] or 0) if row else 0

    specs = _table_specs()
    row_specs = [spec for _k, _c, sections in specs for _t, rows in sections for spec in rows]
    rank = {spec.key: i for i, spec in enumerate(row_specs)}
    values: dict[Cell, int] = {}
    for spec in row_specs:
        for c in range(columns):
            values[(spec.key, c)] = sum(coef * base(name, c) for name, coef in spec.formula.items())
    hidden = protect(values, table_sums([s.key for s in row_specs], columns), rank=rank)

    tables = [
        SumTable(
            key=key,
            caption=str(caption),
            sections=[
                SumSection(
                    title=str(title),
                    rows=[
                        SumRow(
                            label=str(spec.label),
                            values=[
                                None if (spec.key, c) in hidden else values[(spec.key, c)]
                                for c in range(columns)
                            ],
                            total=spec.total,
                        )
                        for spec in rows
                    ],
                )
                for title, rows in sections
            ],
        )
        for key, caption, sections in specs
    ]
    centers = [by_region[r.value]["centers"] if r.value in by_region else 0 for r in regions]
    return StateSums(
        year=year,
        columns=[str(r.label) for r in regions] + [NRW],
        centers=[*centers, sum(centers)],
        tables=tables,
        languages=_languages(year),
        hidden=len(hidden),
    )


def _languages(year: int) -> list[tuple[str, int]]:
    """The languages the centres' pools name, with how many centres name each (centres,
    not people: nothing to hide). One query."""
    counts: dict[str, list] = {}
    texts = (
        ActivityFigures.objects.filter(year=year)
        .exclude(mediation_languages="")
        .values_list("mediation_languages", flat=True)
    )
    for text in texts:
        for name in split_languages(text):
            entry = counts.setdefault(name.casefold(), [name, 0])
            entry[1] += 1
    return sorted(((name, n) for name, n in counts.values()), key=lambda e: (-e[1], e[0]))


def state_years(today=None) -> list[int]:
    """Years with figures anywhere, newest first (and last year, the one reported on).
    One query."""
    today = today or timezone.localdate()
    years = set(ActivityFigures.objects.order_by().values_list("year", flat=True).distinct())
    years.add(today.year - 1)
    return sorted(years, reverse=True)
