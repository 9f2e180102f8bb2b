"""What the Verwendungsnachweis says, drawn from what the portal holds: the Sachbericht
from the Einsatzmanagement (each Schwerpunkt of the year with its goal and measures) and
the activity figures, the zahlenmäßiger Nachweis, and the Nachweis des geförderten
Personals from the staffing list. One function for the page and the PDF."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from deployment.models import DeploymentPlan
from staffing.models import Assignment, FundingSource

from .activity import figure_tables
from .models import ActivityFigures, ProofOfUse


@dataclass
class PersonnelRow:
    name: str
    post: str
    kind: str
    start: datetime.date
    end: datetime.date
    fte: Decimal


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def foci_of_year(center, year: int) -> list:
    """The Schwerpunkte of the current plan revisions whose period overlaps the year."""
    first, last = year_bounds(year)
    plans = DeploymentPlan.objects.filter(
        center=center, is_current=True, period_start__lte=last, period_end__gte=first
    ).prefetch_related("foci")
    return [focus for plan in plans for focus in plan.foci.all()]


def funded_personnel(center, year: int) -> list[PersonnelRow]:
    """Who worked on a state-funded post in the year: person, post, period (within the
    year) and share."""
    first, last = year_bounds(year)
    assignments = (
        Assignment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=first),
            post__center=center,
            post__funding_source=FundingSource.STATE_GRANT,
            start__lte=last,
        )
        .select_related("post", "member")
        .order_by("member__last_name", "member__first_name", "start")
    )
    return [
        PersonnelRow(
            name=f"{a.member.last_name}, {a.member.first_name}",
            post=a.post.label,
            kind=a.post.get_kind_display(),
            start=max(a.start, first),
            end=min(a.end or last, last),
            fte=a.fte,
        )
        for a in assignments
    ]


def proof_content(proof: ProofOfUse) -> dict:
    center, year = proof.center, proof.decision.year
    lines = list(proof.lines.select_related("budget_line"))
    return {
        "proof": proof,
        "center": center,
        "year": year,
        "foci": foci_of_year(center, year),
        "figure_tables": figure_tables(
            ActivityFigures.objects.filter(center=center, year=year).first()
        ),
        "lines": lines,
        "approved_total": sum((line.approved for line in lines), Decimal("0.00")),
        "actual_total": sum((line.actual or Decimal("0") for line in lines), Decimal("0.00")),
        "personnel": funded_personnel(center, year),
    }
