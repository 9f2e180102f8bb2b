"""What is checked before an application moves on: the caps (blocking) and, as warnings,
the application window and where the financing plan and the staffing list disagree."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from centers.programmes import line_errors
from staffing.rules import fmt_date, fmt_fte
from staffing.selectors import funded_post_years


def plan_errors(application) -> list[str]:
    """Each line within its caps, and something applied for at all."""
    lines = list(application.lines.select_related("budget_line"))
    errors = [
        message
        for line in lines
        for message in line_errors(line.budget_line, posts=line.posts, amount=line.amount)
    ]
    if not any(line.amount for line in lines):
        errors.append(_("Im Finanzierungsplan ist noch kein Betrag eingetragen."))
    return errors


def staffing_differences(application, funded: dict[str, Decimal] | None = None) -> list[str]:
    """Personnel lines whose posts differ from the state-funded posts the staffing list
    holds for the budget year (within the line's maximum)."""
    year = application.programme_year.year
    if funded is None:
        funded = funded_post_years(application.center, year)
    messages = []
    for line in application.lines.select_related("budget_line"):
        budget_line = line.budget_line
        if not budget_line.per_post:
            continue
        listed = min(funded.get(budget_line.post_kind, Decimal("0")), budget_line.max_posts)
        if (line.posts or Decimal("0")) != listed:
            messages.append(
                _(
                    "„%(line)s“: beantragt sind %(applied)s Stellen (VZÄ), die Personalliste "
                    "hat für %(year)s %(listed)s Stellen (VZÄ) aus der Landeszuwendung."
                )
                % {
                    "line": budget_line.name,
                    "applied": fmt_fte(line.posts or 0),
                    "year": year,
                    "listed": fmt_fte(listed),
                }
            )
    return messages


def window_warnings(application, today=None) -> list[str]:
    today = today or timezone.localdate()
    programme_year = application.programme_year
    if programme_year.application_from and today < programme_year.application_from:
        return [
            _("Die Antragsfrist beginnt erst am %(date)s.")
            % {"date": fmt_date(programme_year.application_from)}
        ]
    if programme_year.application_until and today > programme_year.application_until:
        return [
            _(
                "Die Antragsfrist endete am %(date)s; die Bewilligungsbehörde entscheidet, ob "
                "sie den Antrag noch annimmt."
            )
            % {"date": fmt_date(programme_year.application_until)}
        ]
    return []


def submission_warnings(application) -> list[str]:
    warnings = window_warnings(application) + staffing_differences(application)
    if not application.documents.exists():
        warnings.append(_("Dem Antrag ist keine Anlage beigefügt."))
    return warnings


# --- Verwendungsnachweis ---------------------------------------------------------------------

DEVIATION_NEEDS_REASON = Decimal("0.20")


def proof_line_errors(line) -> list[str]:
    """The 20 % rule: a line whose actual spending differs from the approved amount by more
    than a fifth needs a reason; every line needs its actual amount."""
    name = line.budget_line.name
    if line.actual is None:
        return [_("„%(line)s“: Bitte tragen Sie die tatsächlichen Ausgaben ein.") % {"line": name}]
    if line.deviation > DEVIATION_NEEDS_REASON and not line.reason.strip():
        return [
            _(
                "„%(line)s“: Die Ausgaben weichen um %(percent)s %% vom bewilligten Betrag ab; "
                "bitte begründen Sie die Abweichung (ab 20 %%)."
            )
            % {"line": name, "percent": f"{line.deviation * 100:.0f}"}
        ]
    return []


def proof_errors(proof) -> list[str]:
    return [
        m for line in proof.lines.select_related("budget_line") for m in proof_line_errors(line)
    ]
