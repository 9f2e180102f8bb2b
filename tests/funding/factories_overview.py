"""Money of a centre for the state funding overview, built directly (no permission checks,
no workflow): an application with given line amounts, a decision (and an Änderungsbescheid
or Widerruf replacing it), drawdowns and proofs of use in any status."""

from __future__ import annotations

import datetime
from decimal import Decimal

from centers.models import DecisionKind, FundingDecision
from centers.programmes import Programme, ProgrammeYear
from reporting.funding.models import (
    ApplicationLine,
    ApplicationStatus,
    Drawdown,
    DrawdownLine,
    DrawdownStatus,
    FundingApplication,
    ProofLine,
    ProofOfUse,
    ProofStatus,
)


def programme_year(year: int = 2026, code: str | None = None) -> ProgrammeYear:
    """The Grundförderung's budget year, or the programme ``code``'s."""
    years = ProgrammeYear.objects.select_related("programme")
    if code is None:
        return years.get(programme__required_for_operation=True, year=year)
    return years.get(programme__code=code, year=year)


def other_programme() -> Programme:
    """A programme besides the Grundförderung that has budget lines (KOMM-AN NRW)."""
    return (
        Programme.objects.filter(required_for_operation=False, years__lines__isnull=False)
        .distinct()
        .order_by("position")
        .first()
    )


def apply(center, amounts, *, status=ApplicationStatus.SUBMITTED, py=None) -> FundingApplication:
    """An application of ``center`` with ``amounts`` on its first budget lines."""
    py = py or programme_year()
    application = FundingApplication.objects.create(center=center, programme_year=py, status=status)
    for budget_line, amount in zip(py.lines_for(center), amounts, strict=False):
        ApplicationLine.objects.create(
            application=application, budget_line=budget_line, amount=Decimal(amount)
        )
    return application


def decide(
    center, amount, *, py=None, replaces: FundingDecision | None = None, kind=None
) -> FundingDecision:
    """A Bescheid of ``amount`` (its sum only); with ``replaces`` an Änderungsbescheid (or
    the ``kind`` given, e.g. a Widerruf) on it."""
    py = py or programme_year()
    kind = kind or (DecisionKind.AMENDMENT if replaces else DecisionKind.GRANT)
    number = FundingDecision.objects.filter(center=center).count() + 1
    return FundingDecision.objects.create(
        center=center,
        programme=py.programme,
        year=py.year,
        kind=kind,
        replaces=replaces,
        amount=Decimal(amount),
        funded_posts=Decimal("0"),
        file_number=f"36.03.04-{center.key}/{py.year}-{number}",
        decided_on=datetime.date(py.year, 1, 15),
    )


def _lines(decision: FundingDecision):
    py = ProgrammeYear.objects.get(programme=decision.programme, year=decision.year)
    return py.lines_for(decision.center)


def draw(decision: FundingDecision, amount, *, status=DrawdownStatus.REQUESTED) -> Drawdown:
    """A Mittelabruf of ``amount`` on the decision's first budget line."""
    drawdown = Drawdown.objects.create(
        center=decision.center,
        decision=decision,
        requested_for=datetime.date(decision.year, 3, 1),
        status=status,
        paid_on=datetime.date(decision.year, 3, 15) if status == DrawdownStatus.PAID else None,
    )
    DrawdownLine.objects.create(
        drawdown=drawdown, budget_line=_lines(decision)[0], amount=Decimal(amount)
    )
    return drawdown


def prove(
    decision: FundingDecision, actuals, *, status=ProofStatus.ACCEPTED, repayment="0"
) -> ProofOfUse:
    """A Verwendungsnachweis with ``actuals`` spent on the decision's first budget lines
    (``None``: not yet entered)."""
    proof = ProofOfUse.objects.create(
        center=decision.center, decision=decision, status=status, repayment=Decimal(repayment)
    )
    for budget_line, actual in zip(_lines(decision), actuals, strict=False):
        ProofLine.objects.create(
            proof=proof,
            budget_line=budget_line,
            approved=Decimal("0"),
            actual=None if actual is None else Decimal(actual),
        )
    return proof
