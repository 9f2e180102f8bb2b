"""Förderanträge for tests: built directly (no permission checks), valid against the caps."""

from __future__ import annotations

import datetime
from decimal import Decimal

from centers.models import FundingDecision
from centers.programmes import ProgrammeYear
from centers.services import DecisionLine, decision_write
from reporting.funding.models import ApplicationLine, ApplicationStatus, FundingApplication


def basic_year(year: int = 2026) -> ProgrammeYear:
    return ProgrammeYear.objects.select_related("programme").get(
        programme__required_for_operation=True, year=year
    )


def make_application(
    center, *, status=ApplicationStatus.DRAFT, year: int = 2026, decided: bool | None = None
) -> FundingApplication:
    programme_year = basic_year(year)
    application = FundingApplication.objects.create(
        center=center, programme_year=programme_year, status=status
    )
    for budget_line in programme_year.lines_for(center):
        if budget_line.per_post:
            posts = budget_line.max_posts
            amount = budget_line.cap
        else:
            posts, amount = None, Decimal("20000.00")
        ApplicationLine.objects.create(
            application=application, budget_line=budget_line, posts=posts, amount=amount
        )
    if decided or (decided is None and status == ApplicationStatus.DECIDED):
        application.decision = make_decision(center, application)
        application.save(update_fields=["decision"])
    return application


def make_decision(center, application: FundingApplication) -> FundingDecision:
    programme_year = application.programme_year
    decision = FundingDecision(
        center=center,
        programme=programme_year.programme,
        year=programme_year.year,
        amount=Decimal("0"),
        funded_posts=Decimal("0"),
        file_number=f"36.03.04-{center.key}/{programme_year.year}",
        decided_on=datetime.date(programme_year.year, 1, 15),
    )
    lines = [
        DecisionLine(budget_line=line.budget_line, posts=line.posts, amount=line.amount)
        for line in application.lines.select_related("budget_line")
    ]
    return decision_write(decision, None, lines=lines, upload=None)


def make_drawdown(center, *, status="requested", amount=Decimal("1000.00")):
    """A Mittelabruf on this year's decided Grundförderung of ``center`` (first line)."""
    from reporting.funding.models import Drawdown, DrawdownLine

    decision = make_application(center, status=ApplicationStatus.DECIDED).decision
    drawdown = Drawdown.objects.create(
        center=center,
        decision=decision,
        requested_for=datetime.date(decision.year, 3, 1),
        status=status,
    )
    DrawdownLine.objects.create(
        drawdown=drawdown, budget_line=decision.lines.first().budget_line, amount=amount
    )
    return drawdown


def make_proof(center, *, status="draft", actual=True):
    """A Verwendungsnachweis on this year's decided Grundförderung of ``center``; with
    ``actual`` every line spent as approved (nothing to explain)."""
    from reporting.funding.models import ProofLine, ProofOfUse

    decision = make_application(center, status=ApplicationStatus.DECIDED).decision
    proof = ProofOfUse.objects.create(center=center, decision=decision, status=status)
    for line in decision.lines.select_related("budget_line"):
        ProofLine.objects.create(
            proof=proof,
            budget_line=line.budget_line,
            approved=line.amount,
            actual=line.amount if actual else None,
        )
    return proof
