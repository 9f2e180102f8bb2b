"""What goes into a report: plain data for the PDF templates and the XLSX.

Built from the other apps' models and selectors with bulk queries (a fixed
number per report, whatever the number of posts or Schwerpunkte). No
sensitive personal data (Nr. 3.4, DESIGN.md §7): the centre report names only
the leadership pair; the state overview shows Nr. 3.4 representation only as a
state-wide aggregate with small cells suppressed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Center, Region
from centers.selectors import (
    center_operating_status,
    centers_with_operating_status,
    school_authority_contacts,
)
from centers.workflow.transitions import timeline
from deployment import selectors as deployment_selectors
from deployment.models import PlanStatus
from deployment.periods import Period
from staffing import selectors as staffing_selectors
from staffing.models import ImmigrationHistory, PostKind

from . import charts, sources
from .models import Report

ZERO = Decimal("0")


def _reference_day(period: Period) -> datetime.date:
    """Figures are taken on the last day of the period, or today while it runs."""
    return min(timezone.localdate(), period.end)


def _fte_chart(title: str, figures: sources.StaffingFigures) -> charts.BarChart:
    kinds = list(figures.kinds.values())
    return charts.BarChart(
        title=title,
        description=_("Stellenanteile (VZÄ) je Stellenart; roter Strich: Soll."),
        categories=[k.label for k in kinds],
        series=[
            charts.Series(_("Stellen"), [k.fte for k in kinds]),
            charts.Series(_("besetzt"), [k.filled for k in kinds], colour=charts.PALETTE[2]),
        ],
        targets=[[k.quota, None] for k in kinds],
        unit=" VZÄ",
        meta={"target_label": _("Soll")},
    )


def center_fte_chart(figures: sources.StaffingFigures) -> charts.BarChart:
    return _fte_chart(_("Stellenanteile je Stellenart"), figures)


def _activity(center: Center, years) -> list[tuple[int, list[dict]]]:
    """The activity figures the KI entered for the years of the period (issue 12)."""
    from .funding.activity import figure_tables
    from .funding.models import ActivityFigures

    figures = ActivityFigures.objects.filter(center=center, year__in=list(years)).order_by("year")
    return [(f.year, figure_tables(f)) for f in figures]


def center_report(report: Report) -> dict:
    center: Center = report.center
    period = Period(report.period_start, report.period_end)
    day = _reference_day(period)
    ids = [center.pk]

    concept = sources.approved_concepts(ids).get(center.pk)
    operating = sources.operating_status_by_center(ids, day)[center.pk]
    open_concept = sources.open_concepts(ids).get(center.pk)
    years = range(period.start.year, period.end.year + 1)
    funding = sources.funding_by_center(ids, years).get(center.pk, {})
    staffing = sources.staffing_by_center([center], day, with_people=True)[center.pk]

    plan = sources.plans_by_center(ids, period).get(center.pk)
    foci, comments, events, time = [], [], [], {}
    if plan is not None:
        foci = list(deployment_selectors.plan_foci(plan))
        time = deployment_selectors.focus_time_totals(plan)
        comments = deployment_selectors.plan_comments(plan)
        events = list(timeline(plan))
    focus_rows = [
        {
            "focus": f,
            "fte": time[f.pk].total if f.pk in time else ZERO,
            "teacher_fte": time[f.pk].teacher if f.pk in time else ZERO,
        }
        for f in foci
    ]
    by_field: dict[str, Decimal] = {}
    for row in focus_rows:
        label = row["focus"].get_field_display()
        by_field[label] = by_field.get(label, ZERO) + row["fte"]

    contacts = list(school_authority_contacts(center))
    lead = next((p for p in staffing.leadership if p.role_label == _("Leitung")), None)

    missing = []
    if concept is None:
        missing.append(_("Es ist kein bewilligtes Integrationskonzept erfasst."))
    if not funding:
        missing.append(_("Für den Zeitraum ist kein Förderbescheid erfasst."))
    if plan is None:
        missing.append(_("Für den Zeitraum ist kein Einsatzmanagement erfasst."))

    return {
        "center": center,
        "sponsor": center.sponsor,
        "authority": center.school_authority,
        "authority_contacts": contacts,
        "period": period,
        "reference_day": day,
        "concept": concept,
        "concept_valid_until": operating.concept_valid_until,
        "operating": operating,
        "open_concept": open_concept,
        "funding": [funding[y] for y in years if y in funding],
        "activity": _activity(center, years),
        "funding_years": list(years),
        "staffing": staffing,
        "kinds": list(staffing.kinds.values()),
        "lead": lead,
        "plan": plan,
        "focus_rows": focus_rows,
        "comments": comments,
        "events": events,
        "missing": missing,
        "fte_chart": _fte_chart(_("Stellenanteile je Stellenart"), staffing).svg(),
        "field_chart": charts.BarChart(
            title=_("Eingesetzte Stellenanteile je Handlungsfeld"),
            description=_("Summe der den Schwerpunkten zugeordneten VZÄ je Handlungsfeld."),
            categories=list(by_field),
            series=[charts.Series(_("VZÄ"), list(by_field.values()))],
            unit=" VZÄ",
            label_width=230,
        ).svg()
        if by_field
        else "",
        "field_rows": list(by_field.items()),
        "title": _("Bericht an die LaSI – %(center)s – %(period)s")
        % {"center": center.name, "period": period.label},
        "subject": _(
            "Örtliches Einsatzmanagement nach Nr. 3.6 RdErl. „Kommunale Integrationszentren“"
        ),
    }


# --- the state-wide overview -------------------------------------------------------------


def all_centers(day: datetime.date) -> list[Center]:
    """Every centre, with what its Nr. 1.4 status on ``day`` needs (one query)."""
    return list(
        centers_with_operating_status(
            Center.objects.select_related("sponsor", "school_authority"), day
        ).order_by("name")
    )


def representation_aggregate(day: datetime.date) -> dict:
    """Nr. 3.4 across NRW: people per kind by self-declaration, small cells suppressed
    (staffing's rule, one place)."""
    return {
        "labels": [str(label) for label in ImmigrationHistory.labels],
        "rows": staffing_selectors.immigration_aggregate(today=day),
        "small_cell": staffing_selectors.SMALL_CELL,
    }


def state_figures(centers: list[Center], period: Period, day: datetime.date, *, posts=None) -> dict:
    """Everything state-wide pages need; a fixed number of queries. ``centers`` from
    ``all_centers(day)`` (their Nr. 1.4 status is read with them), ``posts`` from
    ``sources.posts_of`` when the caller has them already."""
    ids = [c.pk for c in centers]
    staffing = sources.staffing_by_center(centers, day, posts=posts)
    plans = sources.plans_by_center(ids, period)
    operating = {c.pk: center_operating_status(c, day) for c in centers}
    funding = sources.funding_by_center(ids, [day.year])
    rows = []
    for c in centers:
        fig = staffing[c.pk]
        plan = plans.get(c.pk)
        rows.append(
            {
                "center": c,
                "region": c.sponsor.region,
                "plan": plan,
                "plan_status": plan.get_status_display() if plan else _("fehlt"),
                "plan_status_code": plan.status if plan else "missing",
                "operating": operating[c.pk],
                "concept_valid_until": operating[c.pk].concept_valid_until,
                "funding": funding.get(c.pk, {}).get(day.year),
                "kinds": fig.kinds,
                "open_fte": fig.total_open,
                "vacancies": len(fig.vacancies),
            }
        )
    regions = []
    for region in Region:
        region_rows = [r for r in rows if r["region"] == region.value]
        kinds = {}
        for kind in PostKind:
            kinds[kind.value] = {
                "label": str(kind.label),
                "fte": sum((r["kinds"][kind.value].fte for r in region_rows), ZERO),
                "quota": sum((r["kinds"][kind.value].quota or ZERO for r in region_rows), ZERO),
                "open": sum((r["kinds"][kind.value].open for r in region_rows), ZERO),
            }
        regions.append({"region": str(region.label), "centers": len(region_rows), "kinds": kinds})
    status_counts = Counter(r["plan_status_code"] for r in rows)
    plan_status = [
        {"code": s.value, "label": str(s.label), "count": status_counts.get(s.value, 0)}
        for s in PlanStatus
    ] + [{"code": "missing", "label": _("fehlt"), "count": status_counts.get("missing", 0)}]
    fields = sources.field_distribution(ids, period)
    return {
        "rows": rows,
        "regions": regions,
        "plan_status": plan_status,
        "fields": fields,
        "period": period,
        "reference_day": day,
    }


def region_fte_chart(regions: list[dict]) -> charts.BarChart:
    categories, fte, quota = [], [], []
    for r in regions:
        for kind in r["kinds"].values():
            categories.append(f"{r['region']} – {kind['label']}")
            fte.append(kind["fte"])
            quota.append([kind["quota"]])
    return charts.BarChart(
        title=_("Stellenanteile je Stellenart und Regierungsbezirk"),
        description=_("VZÄ der Stellen je Regierungsbezirk und Stellenart; roter Strich: Soll."),
        categories=categories,
        series=[charts.Series(_("Stellen (VZÄ)"), fte)],
        targets=quota,
        unit=" VZÄ",
        label_width=260,
        bar_height=12,
        decimals=1,
        meta={"target_label": _("Soll")},
    )


def plan_status_chart(plan_status: list[dict]) -> charts.BarChart:
    return charts.BarChart(
        title=_("Einsatzmanagement: Status der Zentren"),
        description=_("Anzahl der Zentren je Status des Einsatzmanagements im Zeitraum."),
        categories=[s["label"] for s in plan_status],
        series=[charts.Series(_("Zentren"), [s["count"] for s in plan_status])],
        decimals=0,
        label_width=260,
    )


def field_chart(fields: list[dict]) -> charts.BarChart:
    return charts.BarChart(
        title=_("Handlungsfelder in Nordrhein-Westfalen"),
        description=_("Anzahl der Schwerpunkte je Handlungsfeld (Nr. 1.3.2) in allen Zentren."),
        categories=[f["label"] for f in fields],
        series=[charts.Series(_("Schwerpunkte"), [f["foci"] for f in fields])],
        decimals=0,
        label_width=300,
    )


def state_overview(report: Report) -> dict:
    period = Period(report.period_start, report.period_end)
    day = _reference_day(period)
    figures = state_figures(all_centers(day), period, day)
    return {
        **figures,
        "representation": representation_aggregate(day),
        "region_chart": region_fte_chart(figures["regions"]).svg(),
        "status_chart": plan_status_chart(figures["plan_status"]).svg(),
        "field_chart": field_chart(figures["fields"]).svg(),
        "kind_labels": [str(k.label) for k in PostKind],
        "title": _("Landesweite Übersicht der Kommunalen Integrationszentren – %(period)s")
        % {"period": period.label},
        "subject": _("Einsatzmanagement, Stellen und Handlungsfelder aller 54 Zentren"),
    }


def state_overview_sheets(report: Report) -> list[tuple[str, list, list]]:
    """The XLSX: one sheet per topic, numbers as numbers."""
    period = Period(report.period_start, report.period_end)
    day = _reference_day(period)
    figures = state_figures(all_centers(day), period, day)
    kinds = list(PostKind)
    centre_header = [
        _("KI-Schlüssel"),
        _("Zentrum"),
        _("Regierungsbezirk"),
        _("Einsatzmanagement"),
        _("Integrationskonzept gültig bis"),
    ]
    for k in kinds:
        centre_header += [f"{k.label} – {_('Stellen (VZÄ)')}", f"{k.label} – {_('Soll (VZÄ)')}"]
    centre_header += [_("offene VZÄ"), _("unbesetzte Stellen")]
    centre_rows = []
    for r in figures["rows"]:
        row = [
            r["center"].key,
            r["center"].name,
            r["region"],
            str(r["plan_status"]),
            r["concept_valid_until"],
        ]
        for k in kinds:
            fig = r["kinds"][k.value]
            row += [float(fig.fte), float(fig.quota) if fig.quota is not None else None]
        row += [float(r["open_fte"]), r["vacancies"]]
        centre_rows.append(row)
    region_rows = [
        [
            r["region"],
            r["centers"],
            kind["label"],
            float(kind["fte"]),
            float(kind["quota"]),
            float(kind["open"]),
        ]
        for r in figures["regions"]
        for kind in r["kinds"].values()
    ]
    field_rows = [[f["label"], f["foci"], f["centers"], float(f["fte"])] for f in figures["fields"]]
    rep = representation_aggregate(day)
    rep_rows = [
        [str(row["kind"])]
        + [
            c["count"] if c["count"] is not None else _("< %(n)s") % {"n": rep["small_cell"]}
            for c in row["cells"]
        ]
        for row in rep["rows"]
    ]
    return [
        (_("Zentren"), centre_header, centre_rows),
        (
            _("Regierungsbezirke"),
            [
                _("Regierungsbezirk"),
                _("Zentren"),
                _("Stellenart"),
                _("Stellen (VZÄ)"),
                _("Soll (VZÄ)"),
                _("offene VZÄ"),
            ],
            region_rows,
        ),
        (
            _("Handlungsfelder"),
            [_("Handlungsfeld"), _("Schwerpunkte"), _("Zentren"), _("VZÄ")],
            field_rows,
        ),
        (_("Vertretung Nr. 3.4"), [_("Stellenart"), *rep["labels"]], rep_rows),
    ]
