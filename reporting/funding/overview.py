"""The state funding overview (issue 12): per budget year and programme, what the centres
applied for, what is approved, requested, paid, proven and repaid — per centre, per
Regierungsbezirk and for NRW. For the Bewilligung and the ministry.

Every sum is an SQL aggregate: one query for all centres (a correlated subquery per
column), whatever the number of centres, lines, drawdowns or proofs. The Regierungsbezirke
and NRW add up the centres' rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from centers.models import Center, FundingDecision, Region
from centers.programmes import Programme, ProgrammeYear
from reporting import charts

from .models import (
    ApplicationLine,
    ApplicationStatus,
    DrawdownLine,
    DrawdownStatus,
    ProofLine,
    ProofOfUse,
    ProofStatus,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)

# The columns in the order the page and the file show them: attribute and German label.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("applied", _lazy("beantragt")),
    ("approved", _lazy("bewilligt")),
    ("requested", _lazy("abgerufen")),
    ("paid", _lazy("ausgezahlt")),
    ("proven", _lazy("nachgewiesen")),
    ("repaid", _lazy("zurückgefordert")),
)


@dataclass
class Figures:
    """The money of one centre, Regierungsbezirk or NRW in one year (and programme)."""

    applied: Decimal = ZERO  # application lines of applications no longer drafts
    approved: Decimal = ZERO  # decisions in force (an Änderungsbescheid replaces, a Widerruf ends)
    requested: Decimal = ZERO  # drawdowns open or paid (rejected ones give the money back)
    paid: Decimal = ZERO  # drawdowns paid
    proven: Decimal = ZERO  # actual spending on proofs of use checked by the Bewilligung
    repaid: Decimal = ZERO  # repayments set on reclaimed proofs of use

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def values(self) -> list[Decimal]:
        return [getattr(self, name) for name, _label in COLUMNS]


@dataclass
class CenterRow:
    center: Center
    figures: Figures

    @property
    def name(self) -> str:
        return self.center.name

    @property
    def key(self) -> str:
        return self.center.key

    @property
    def region(self) -> str:
        return self.center.sponsor.region

    @property
    def region_label(self) -> str:
        return str(Region(self.region).label) if self.region in Region.values else self.region


@dataclass
class RegionRow:
    region: str
    label: str
    centers: int = 0
    figures: Figures = field(default_factory=Figures)


@dataclass
class Overview:
    year: int
    programme: Programme | None
    centers: list[CenterRow]
    regions: list[RegionRow]
    total: Figures


def _per_center(queryset: QuerySet, center_path: str, amount: str) -> Coalesce:
    """Sum of ``amount`` over ``queryset`` for the outer centre, 0 where there is none."""
    total = (
        queryset.filter(**{center_path: OuterRef("pk")})
        .order_by()
        .values(center_path)
        .annotate(total=Sum(amount))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _filtered(queryset: QuerySet, year_path: str, programme_path: str, year, programme):
    queryset = queryset.filter(**{year_path: year})
    if programme is not None:
        queryset = queryset.filter(**{programme_path: programme})
    return queryset


def centers_with_figures(year: int, programme: Programme | None = None) -> QuerySet[Center]:
    """Every centre with its six sums as annotations (one query)."""
    applications = _filtered(
        ApplicationLine.objects.exclude(application__status=ApplicationStatus.DRAFT),
        "application__programme_year__year",
        "application__programme_year__programme",
        year,
        programme,
    )
    decisions = _filtered(FundingDecision.objects.in_force(), "year", "programme", year, programme)
    # Requests against a decision an Änderungsbescheid replaced count for the year all the
    # same: every decision of the chain has the centre's programme and year.
    drawdowns = _filtered(
        DrawdownLine.objects.exclude(drawdown__status=DrawdownStatus.REJECTED),
        "drawdown__decision__year",
        "drawdown__decision__programme",
        year,
        programme,
    )
    paid = drawdowns.filter(drawdown__status=DrawdownStatus.PAID)
    proof_lines = _filtered(
        ProofLine.objects.filter(proof__status__in=ProofStatus.checked()),
        "proof__decision__year",
        "proof__decision__programme",
        year,
        programme,
    )
    reclaimed = _filtered(
        ProofOfUse.objects.filter(status=ProofStatus.RECLAIMED),
        "decision__year",
        "decision__programme",
        year,
        programme,
    )
    return (
        Center.objects.select_related("sponsor")
        .annotate(
            applied=_per_center(applications, "application__center", "amount"),
            approved=_per_center(decisions, "center", "amount"),
            requested=_per_center(drawdowns, "drawdown__center", "amount"),
            paid=_per_center(paid, "drawdown__center", "amount"),
            proven=_per_center(proof_lines, "proof__center", "actual"),
            repaid=_per_center(reclaimed, "center", "repayment"),
        )
        .order_by("name", "key")
    )


def funding_overview(year: int, programme: Programme | None = None) -> Overview:
    """Per centre, per Regierungsbezirk (in the order of ``Region``) and for NRW: applied,
    approved, requested, paid, proven and repaid in ``year`` for ``programme`` (all
    programmes when None). One query."""
    rows = [
        CenterRow(
            center=center,
            figures=Figures(**{name: getattr(center, name) for name, _label in COLUMNS}),
        )
        for center in centers_with_figures(year, programme)
    ]
    regions = {value: RegionRow(region=value, label=str(label)) for value, label in Region.choices}
    total = Figures()
    for row in rows:
        region = regions.setdefault(row.region, RegionRow(region=row.region, label=row.region))
        region.centers += 1
        region.figures.add(row.figures)
        total.add(row.figures)
    return Overview(
        year=year,
        programme=programme,
        centers=rows,
        regions=list(regions.values()),
        total=total,
    )


def overview_years() -> list[int]:
    """The budget years that have a programme year, the newest first."""
    return list(ProgrammeYear.objects.order_by("-year").values_list("year", flat=True).distinct())


def default_year(years: list[int], today) -> int:
    """This year if a programme has it; else the latest year before it; else the first."""
    if not years or today.year in years:
        return today.year
    earlier = [y for y in years if y <= today.year]
    return max(earlier) if earlier else min(years)


def overview_chart(overview: Overview) -> charts.BarChart:
    """Approved, paid and proven per Regierungsbezirk in thousand euros (the table beside
    it has every column to the cent)."""
    wanted = (
        ("approved", _("bewilligt")),
        ("paid", _("ausgezahlt")),
        ("proven", _("nachgewiesen")),
    )
    thousand = Decimal(1000)
    return charts.BarChart(
        title=_("Bewilligt, ausgezahlt und nachgewiesen je Regierungsbezirk"),
        description=_(
            "Summe der geltenden Bescheide, der ausgezahlten Mittelabrufe und der anerkannten "
            "Ausgaben der geprüften Verwendungsnachweise je Regierungsbezirk in Tausend Euro."
        ),
        categories=[r.label for r in overview.regions],
        series=[
            charts.Series(label, [getattr(r.figures, name) / thousand for r in overview.regions])
            for name, label in wanted
        ],
        decimals=0,
        unit=_(" Tsd. €"),
        label_width=110,
        bar_height=12,
    )


# --- XLSX -----------------------------------------------------------------------------------

EURO_FORMAT = '#,##0.00\\ "€"'  # a German Excel shows 57.000,00 €


def overview_sheets(overview: Overview) -> list[tuple]:
    """The overview as sheets for ``reporting.rendering.workbook_bytes``: the centres and
    the Regierungsbezirke with NRW; amounts as numbers in euro format. Call it with German
    active (the file is German)."""
    money = [f"{label} (EUR)" for _name, label in COLUMNS]
    centre_header = [_("KI-Schlüssel"), _("Zentrum"), _("Regierungsbezirk"), *money]
    centre_rows = [[r.key, r.name, r.region_label, *r.figures.values()] for r in overview.centers]
    region_header = [_("Regierungsbezirk"), _("Zentren"), *money]
    region_rows = [[r.label, r.centers, *r.figures.values()] for r in overview.regions]
    region_rows.append([_("Nordrhein-Westfalen"), len(overview.centers), *overview.total.values()])
    return [
        (
            _("Zentren"),
            centre_header,
            centre_rows,
            dict.fromkeys(range(3, 3 + len(COLUMNS)), EURO_FORMAT),
        ),
        (
            _("Regierungsbezirke"),
            region_header,
            region_rows,
            dict.fromkeys(range(2, 2 + len(COLUMNS)), EURO_FORMAT),
        ),
    ]
