"""Demo Förderanträge in every state, relative to today (``seed_demo`` through
``reporting.demo``). Idempotent: a centre's application for a programme year is made once.

- Köln: this year's Grundförderung beschieden (its application behind the Bescheid the
  centres' demo recorded); next year's is left for the demo user to prepare.
- Bonn: next year's gestellt, waiting for the Bewilligung.
- Mettmann: next year's zur Überarbeitung zurückgegeben, with the reason.
- A few other centres: next year's Entwurf or gestellt.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from centers.models import Center, FundingDecision
from centers.programmes import DrawdownDate, ProgrammeYear
from centers.workflow.transitions import record_event, transition_apply

from . import services
from .demo_activity import seed_activity
from .models import (
    ActivityFigures,
    ApplicationEventKind,
    ApplicationLine,
    ApplicationStatus,
    Drawdown,
    FundingApplication,
    ProofOfUse,
)
from .workflows import APPLICATION, DRAWDOWN, PROOF

User = get_user_model()


def _user(username):
    return User.objects.filter(username=username).first()


def _users(center, short=None):
    name = short or center.key
    return _user(f"ki-{name}-leitung"), _user(f"traeger-{name}")


def _basic_year(year):
    return (
        ProgrammeYear.objects.filter(programme__required_for_operation=True, year=year)
        .select_related("programme")
        .first()
    )


def _new(center, programme_year, lead, sponsor, *, status, funder=None):
    if programme_year is None or lead is None or sponsor is None:
        return None
    existing = FundingApplication.objects.filter(
        center=center, programme_year=programme_year
    ).first()
    if existing is not None:
        return existing
    application = services.application_create(
        center=center, programme_year=programme_year, user=lead
    )
    lines = list(application.lines.select_related("budget_line"))
    pool = [line for line in lines if not line.budget_line.per_post]
    application = services.application_plan_save(
        application=application,
        user=lead,
        expected_version=application.version,
        explanation="Sachausgaben für den Laiensprachmittlerpool: Honorare, Fahrtkosten, "
        "Qualifizierung der Sprachmittlerinnen und Sprachmittler.",
        lines=[
            services.PlanLine(
                line_id=line.pk,
                posts=line.posts,
                amount=(
                    min(line.budget_line.cap, line.budget_line.cap * 9 // 10)
                    if line in pool
                    else line.amount
                ),
            )
            for line in lines
        ],
    )
    if status == ApplicationStatus.DRAFT:
        return application
    application = transition_apply(APPLICATION, "submit", obj=application, user=sponsor)
    if status == ApplicationStatus.RETURNED and funder is not None:
        application = transition_apply(
            APPLICATION,
            "return",
            obj=application,
            user=funder,
            note="Bitte erläutern Sie die Sachausgaben des Laiensprachmittlerpools genauer "
            "(Zahl der Einsätze, Honorarsätze).",
        )
    return application


def _behind_decision(center, programme_year, lead, sponsor):
    """This year's application that led to the Bescheid the centres' demo recorded."""
    decision = FundingDecision.objects.filter(
        center=center, programme=programme_year.programme, year=programme_year.year
    ).first()
    if decision is None or hasattr(decision, "application"):
        return None
    application = FundingApplication.objects.create(
        center=center,
        programme_year=programme_year,
        status=ApplicationStatus.DECIDED,
        submitted_by=sponsor,
        decision=decision,
    )
    ApplicationLine.objects.bulk_create(
        ApplicationLine(
            application=application,
            budget_line=line.budget_line,
            posts=line.posts,
            amount=line.amount,
        )
        for line in decision.lines.select_related("budget_line")
    )
    for kind, actor in (
        (ApplicationEventKind.CREATED, lead),
        (ApplicationEventKind.SUBMITTED, sponsor),
        (ApplicationEventKind.DECIDED, _user("bewilligung")),
    ):
        record_event(application, center=center, kind=kind, actor=actor)
    return application


def _demo_drawdown_dates(programme_year):
    """Two drawdown dates for a demo year that has none (the real ones the Bezirksregierung
    sets each year): the personnel lines in February, the Sachausgaben in April."""
    if programme_year is None or programme_year.drawdowns.exists():
        return
    year = programme_year.year
    DrawdownDate.objects.bulk_create(
        [
            DrawdownDate(
                programme_year=programme_year,
                on=datetime.date(year, 2, 15),
                covers="Nr. 2.1/2.2 der Richtlinie",
            ),
            DrawdownDate(
                programme_year=programme_year,
                on=datetime.date(year, 4, 15),
                covers="Nr. 2.3 der Richtlinie",
            ),
        ]
    )


def _drawdowns(center, programme_year, lead, funder, today):
    """Köln's first drawdown of the year paid, the second requested (waiting for the
    Bewilligung), once each date has come."""
    decision = (
        FundingDecision.objects.in_force()
        .filter(center=center, programme=programme_year.programme, year=programme_year.year)
        .first()
    )
    if decision is None or lead is None or Drawdown.objects.filter(decision=decision).exists():
        return
    lines = list(decision.lines.select_related("budget_line"))
    for n, drawdown_date in enumerate(programme_year.drawdowns.order_by("on")):
        if drawdown_date.on > today:
            break
        personnel = n == 0
        drawdown = services.drawdown_request(
            decision=decision,
            user=lead,
            requested_for=None,
            drawdown_date=drawdown_date,
            lines=[
                services.PlanLine(
                    line_id=line.budget_line_id,
                    amount=(line.amount / 2).quantize(services.CENTS),
                )
                for line in lines
                if line.budget_line.per_post == personnel
            ],
        )
        if personnel and funder is not None:
            transition_apply(DRAWDOWN, "pay", obj=drawdown, user=funder)


def _demo_proof_due(programme_year):
    """A proof-of-use deadline for a demo year that has none: 30 June of the following year
    (six months after the funding period, as the ANBest-G usually ask)."""
    if programme_year is not None and programme_year.proof_due is None:
        programme_year.proof_due = datetime.date(programme_year.year + 1, 6, 30)
        programme_year.save(update_fields=["proof_due"])


def _proof(center, programme_year, lead, funder, *, outcome: str):
    """Last year's Verwendungsnachweis: spent as approved, the pool a quarter less (with the
    reason); then as far as ``outcome`` says: draft, submitted, returned, accepted,
    reclaimed."""
    if programme_year is None or lead is None:
        return None
    decision = (
        FundingDecision.objects.in_force()
        .filter(center=center, programme=programme_year.programme, year=programme_year.year)
        .first()
    )
    if decision is None or ProofOfUse.objects.filter(center=center, decision=decision).exists():
        return None
    proof = services.proof_create(decision=decision, user=lead)
    lines = []
    for line in proof.lines.select_related("budget_line"):
        if line.budget_line.per_post:
            lines.append(services.ActualLine(line_id=line.pk, actual=line.approved))
        else:
            lines.append(
                services.ActualLine(
                    line_id=line.pk,
                    actual=(line.approved * 3 / 4).quantize(services.CENTS),
                    reason="Weniger Einsätze im ersten Quartal, weil zwei Sprachmittlerinnen "
                    "ausgeschieden sind; neue wurden ab April geschult.",
                )
            )
    proof = services.proof_save(
        proof=proof,
        user=lead,
        expected_version=proof.version,
        narrative="Im Mittelpunkt standen die Beratung neu zugewanderter Kinder und "
        "Jugendlicher beim Seiteneinstieg und der Ausbau des Laiensprachmittlerpools.",
        lines=lines,
    )
    if outcome == "draft":
        return proof
    proof = transition_apply(PROOF, "submit", obj=proof, user=lead)
    if funder is None or outcome == "submitted":
        return proof
    if outcome == "accepted":
        return transition_apply(PROOF, "accept", obj=proof, user=funder)
    if outcome == "returned":
        return transition_apply(
            PROOF,
            "return",
            obj=proof,
            user=funder,
            note="Bitte legen Sie die Belege der Honorare des Laiensprachmittlerpools bei.",
        )
    return services.proof_reclaim(
        proof=proof,
        user=funder,
        expected_version=proof.version,
        repayment=Decimal("2500.00"),
        note="Fahrtkosten außerhalb des Kreisgebiets sind nicht zuwendungsfähig.",
    )


def _rejected_drawdown(center, programme_year, lead, funder):
    """A request the Bewilligung rejected (the amount can be requested again)."""
    decision = (
        FundingDecision.objects.in_force()
        .filter(center=center, programme=programme_year.programme, year=programme_year.year)
        .first()
    )
    if decision is None or lead is None or funder is None:
        return
    if Drawdown.objects.filter(decision=decision).exists():
        return
    pool = decision.lines.filter(budget_line__flat_cap__isnull=False).first()
    if pool is None:
        return
    drawdown = services.drawdown_request(
        decision=decision,
        user=lead,
        requested_for=None,
        drawdown_date=programme_year.drawdowns.order_by("-on").first(),
        lines=[services.PlanLine(line_id=pool.budget_line_id, amount=pool.amount)],
    )
    transition_apply(
        DRAWDOWN,
        "reject",
        obj=drawdown,
        user=funder,
        note="Der Abruf überschreitet den Bedarf bis zum nächsten Abruftermin.",
    )


def _amended(center, programme_year, funder):
    """This year's Bescheid changed by an Änderungsbescheid (the pool reduced); the first
    one stays readable."""
    from centers.models import DecisionKind
    from centers.services import DecisionLine, funding_decision_change

    decision = (
        FundingDecision.objects.in_force()
        .filter(center=center, programme=programme_year.programme, year=programme_year.year)
        .first()
    )
    if decision is None or funder is None or decision.kind != DecisionKind.GRANT:
        return
    funding_decision_change(
        decision=decision,
        user=funder,
        kind=DecisionKind.AMENDMENT,
        expected_version=decision.version,
        lines=[
            DecisionLine(
                budget_line=line.budget_line,
                posts=line.posts,
                amount=line.amount if line.budget_line.per_post else line.amount * 3 // 5,
            )
            for line in decision.lines.select_related("budget_line")
        ],
        file_number=f"{decision.file_number}-Ä1",
        decided_on=max(
            decision.decided_on, min(datetime.date(decision.year, 6, 1), timezone.localdate())
        ),
        note="Laiensprachmittlerpool auf Antrag des Trägers gekürzt.",
    )


def seed() -> dict[str, int]:
    seed_activity()  # before the proofs, whose Sachbericht reads the figures
    today = timezone.localdate()
    funder = _user("bewilligung")
    this_year, next_year = _basic_year(today.year), _basic_year(today.year + 1)
    last_year = _basic_year(today.year - 1)
    _demo_drawdown_dates(this_year)
    _demo_drawdown_dates(next_year)
    _demo_proof_due(last_year)
    _demo_proof_due(this_year)
    centers = {c.key: c for c in Center.objects.select_related("sponsor")}
    koeln, bonn, mettmann = (centers.get(k) for k in ("05315", "05314", "05158"))
    if koeln and this_year:
        lead, sponsor = _users(koeln, "koeln")
        _behind_decision(koeln, this_year, lead, sponsor)
        _drawdowns(koeln, this_year, lead, funder, today)
        _proof(koeln, last_year, lead, funder, outcome="accepted")
    if bonn:
        _new(bonn, next_year, *_users(bonn, "bonn"), status=ApplicationStatus.SUBMITTED)
        _proof(bonn, last_year, _users(bonn, "bonn")[0], funder, outcome="submitted")
        if this_year:
            _rejected_drawdown(bonn, this_year, _users(bonn, "bonn")[0], funder)
    if mettmann:
        _new(
            mettmann,
            next_year,
            *_users(mettmann, "mettmann"),
            status=ApplicationStatus.RETURNED,
            funder=funder,
        )
        _proof(mettmann, last_year, _users(mettmann, "mettmann")[0], funder, outcome="returned")
    others = [c for k, c in sorted(centers.items()) if k not in ("05315", "05314", "05158")]
    for n, center in enumerate(others[:6]):
        status = ApplicationStatus.SUBMITTED if n % 2 else ApplicationStatus.DRAFT
        _new(center, next_year, *_users(center), status=status)
    for center, outcome in zip(others[6:8], ("reclaimed", "draft"), strict=False):
        _proof(center, last_year, _users(center)[0], funder, outcome=outcome)
    if this_year and len(others) > 8:
        _amended(others[8], this_year, funder)
    return {
        "activity_figures": ActivityFigures.objects.count(),
        "funding_applications": FundingApplication.objects.count(),
        "drawdowns": Drawdown.objects.count(),
        "proofs_of_use": ProofOfUse.objects.count(),
    }
