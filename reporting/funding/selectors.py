"""Scoped reads of Förderanträge: whoever sees a centre's money (``VIEW_FUNDING``) — its
KI-Leitung and Träger, the Bewilligung, the ministry; never the Schulaufsicht."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from centers.access import Capability, scoped
from centers.models import Center, FundingDecision
from centers.programmes import BudgetLine, ProgrammeYear
from centers.workflow.transitions import timeline
from staffing.selectors import funded_post_years

from .checks import staffing_differences, window_warnings
from .models import FundingApplication


def applications_visible_to(user) -> QuerySet[FundingApplication]:
    return scoped(FundingApplication.objects.all(), user, Capability.VIEW_FUNDING).select_related(
        "center", "programme_year__programme", "decision"
    )


def _in_scope(model, user, perm: str, pk: int, *related: str):
    """One object of a centre, if ``user`` holds ``perm`` on its centre; 404 otherwise (ids
    leak nothing)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        scoped(model.objects.all(), user, perm).select_related(*related), pk=pk
    )


def application_in_scope(user, perm: str, pk: int) -> FundingApplication:
    return _in_scope(
        FundingApplication,
        user,
        perm,
        pk,
        "center__sponsor",
        "programme_year__programme",
        "decision",
    )


def decision_in_scope(user, perm: str, pk: int) -> FundingDecision:
    return _in_scope(
        FundingDecision, user, perm, pk, "center__sponsor", "programme", "replaces", "replaced_by"
    )


@dataclass
class LineView:
    budget_line: BudgetLine
    cap: Decimal
    posts: Decimal | None
    amount: Decimal
    listed_posts: Decimal | None  # from the staffing list, per-post lines only
    granted: Decimal | None  # the Bescheid's amount, once decided
    granted_posts: Decimal | None


def application_detail(application: FundingApplication) -> dict:
    """Everything the application's page shows, in a fixed number of queries."""
    lines = list(application.lines.select_related("budget_line"))
    funded = funded_post_years(application.center, application.programme_year.year)
    granted = {}
    if application.decision_id:
        granted = {line.budget_line_id: line for line in application.decision.lines.all()}
    rows = []
    for line in lines:
        budget_line = line.budget_line
        decided = granted.get(budget_line.pk)
        rows.append(
            LineView(
                budget_line=budget_line,
                cap=budget_line.cap,
                posts=line.posts,
                amount=line.amount,
                listed_posts=(
                    min(funded.get(budget_line.post_kind, Decimal("0")), budget_line.max_posts)
                    if budget_line.per_post
                    else None
                ),
                granted=decided.amount if decided else None,
                granted_posts=decided.posts if decided else None,
            )
        )
    return {
        "rows": rows,
        "total": sum((line.amount for line in lines), Decimal("0.00")),
        "granted_total": application.decision.amount if application.decision_id else None,
        "differences": staffing_differences(application, funded) if application.editable else [],
        "window": window_warnings(application) if application.editable else [],
        "documents": list(application.documents.select_related("uploaded_by")),
        "timeline": timeline(application),
    }


def open_programme_years(center: Center, today=None) -> list[ProgrammeYear]:
    """Budget years a centre can still apply for (this year and the next), that have budget
    lines for it and no application of the centre yet."""
    today = today or timezone.localdate()
    taken = set(center.funding_applications.values_list("programme_year_id", flat=True))
    years = (
        ProgrammeYear.objects.filter(year__in=(today.year, today.year + 1))
        .select_related("programme")
        .prefetch_related("lines")
        .order_by("-year", "programme__position")
    )
    return [py for py in years if py.pk not in taken and py.lines_for(center)]


# --- Mittelabruf: the ledger ----------------------------------------------------------------


@dataclass
class LedgerRow:
    budget_line: BudgetLine
    approved: Decimal
    requested: Decimal  # open and paid requests
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        """What can still be requested."""
        return self.approved - self.requested


@dataclass
class Ledger:
    decision: FundingDecision  # the decision in force
    rows: list[LedgerRow]

    @property
    def approved(self) -> Decimal:
        return sum((r.approved for r in self.rows), Decimal("0.00"))

    @property
    def requested(self) -> Decimal:
        return sum((r.requested for r in self.rows), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return sum((r.paid for r in self.rows), Decimal("0.00"))

    @property
    def remaining(self) -> Decimal:
        return self.approved - self.requested


def ledgers_of(center: Center) -> list[Ledger]:
    """Per decision in force of the centre (programme and year, with lines): approved,
    requested, paid and remaining per line. Requests made against a decision an
    Änderungsbescheid replaced count for the one in force. Three queries."""
    from django.db.models import Sum

    from centers.models import FundingDecisionLine

    from .models import DrawdownLine, DrawdownStatus

    decisions = list(
        center.funding_decisions.in_force()
        .select_related("programme")
        .order_by("-year", "programme__position")
    )
    lines = FundingDecisionLine.objects.filter(decision__in=decisions).select_related("budget_line")
    by_decision: dict[int, list] = {}
    for line in lines:
        by_decision.setdefault(line.decision_id, []).append(line)
    sums = (
        DrawdownLine.objects.filter(drawdown__center=center)
        .exclude(drawdown__status=DrawdownStatus.REJECTED)
        .values("budget_line_id", "drawdown__status")
        .annotate(total=Sum("amount"))
    )
    requested: dict[int, Decimal] = {}
    paid: dict[int, Decimal] = {}
    for row in sums:
        key = row["budget_line_id"]
        requested[key] = requested.get(key, Decimal("0")) + row["total"]
        if row["drawdown__status"] == DrawdownStatus.PAID:
            paid[key] = paid.get(key, Decimal("0")) + row["total"]
    ledgers = []
    for decision in decisions:
        decision_lines = sorted(
            by_decision.get(decision.pk, []), key=lambda line: line.budget_line.position
        )
        if not decision_lines:
            continue
        ledgers.append(
            Ledger(
                decision=decision,
                rows=[
                    LedgerRow(
                        budget_line=line.budget_line,
                        approved=line.amount,
                        requested=requested.get(line.budget_line_id, Decimal("0.00")),
                        paid=paid.get(line.budget_line_id, Decimal("0.00")),
                    )
                    for line in decision_lines
                ],
            )
        )
    return ledgers


def ledger_of(decision: FundingDecision) -> Ledger | None:
    return next(
        (ledger for ledger in ledgers_of(decision.center) if ledger.decision.pk == decision.pk),
        None,
    )


def drawdown_in_scope(user, perm: str, pk: int):
    from .models import Drawdown

    return _in_scope(
        Drawdown, user, perm, pk, "center", "decision__programme", "drawdown_date", "requested_by"
    )


def drawdowns_of(center: Center):
    from django.db.models import Sum

    from .models import Drawdown

    return (
        Drawdown.objects.filter(center=center)
        .select_related("decision__programme")
        .annotate(total=Sum("lines__amount"))
        .order_by("-requested_for", "-pk")
    )


def proof_in_scope(user, perm: str, pk: int):
    from .models import ProofOfUse

    return _in_scope(ProofOfUse, user, perm, pk, "center__sponsor", "decision__programme")


def proofs_of(center: Center):
    from .models import ProofOfUse

    return ProofOfUse.objects.filter(center=center).select_related("decision__programme")
