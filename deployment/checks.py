"""Checks before an Einsatzmanagement is sent on (Nr. 3.5, Nr. 3.6, Nr. 5).

The workflow's transitions call these: *warnings* are shown on the confirmation page and
do not stop the step (the plan is a plan, the staffing list may still change — see
``services.allocation_set``); *blockers* stop it with their German message. Each function
reads with a fixed number of queries, whatever the size of the plan.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from staffing.rules import fmt_date, fmt_fte

from .models import DeploymentPlan, Focus
from .selectors import AssignmentTime, allocation_overview


def plan_warnings(plan: DeploymentPlan) -> list[str]:
    """What the KI-Leitung (before submitting) and the Schulaufsicht (before agreeing)
    should see: staff time not or only partly on Schwerpunkte, staff time put on
    Schwerpunkte beyond the assignment's share (Nr. 3.6 steers "den Einsatz der … tätigen
    Personen"), and Schwerpunkte without a target value. Three queries, the allocation
    page's own (``selectors.allocation_overview``)."""
    overview = allocation_overview(plan)
    labels = _assignment_labels(overview.rows)
    warnings = [
        message
        for row in overview.rows
        if (message := _staff_time_warning(row, labels[row.assignment.pk])) is not None
    ]
    warnings += [
        _(
            "Für den Schwerpunkt „%(title)s“ ist kein Zielwert angegeben (Indikatoren je "
            "Zeile als „Indikator: Zielwert“)."
        )
        % {"title": focus.title}
        for focus in overview.foci
        if not focus.is_basic and not has_target_value(focus)
    ]
    return warnings


def has_target_value(focus: Focus) -> bool:
    """Nr. 3.6 makes "Zielvereinbarungen zu Aufgaben- und Angebotsschwerpunkten" the plan's
    subject: a Schwerpunkt needs at least one line "Indikator: Zielwert" with a value."""
    return any(target for _name, target in focus.indicator_rows())


def _staff_time_warning(row: AssignmentTime, who: str) -> str | None:
    share, allocated = row.assignment.fte, row.allocated
    if allocated > share:
        # The allocation form may refuse this today; older data need not respect it.
        return _(
            "%(who)s ist Schwerpunkten mit %(allocated)s VZÄ zugeordnet, die Besetzung "
            "umfasst aber nur %(fte)s VZÄ."
        ) % {"who": who, "allocated": fmt_fte(allocated), "fte": fmt_fte(share)}
    if not allocated:
        return _("%(who)s (%(fte)s VZÄ) ist keinem Schwerpunkt zugeordnet.") % {
            "who": who,
            "fte": fmt_fte(share),
        }
    if allocated < share:
        return _("%(who)s ist nur zu %(allocated)s von %(fte)s VZÄ Schwerpunkten zugeordnet.") % {
            "who": who,
            "allocated": fmt_fte(allocated),
            "fte": fmt_fte(share),
        }
    return None


def _assignment_labels(rows: list[AssignmentTime]) -> dict[int, str]:
    """The person's name as the portal shows it; with the post where a person holds more
    than one assignment in the period, and with the start where they hold one post twice."""
    per_member = Counter(row.assignment.member_id for row in rows)
    per_post = Counter((row.assignment.member_id, row.assignment.post_id) for row in rows)
    labels = {}
    for row in rows:
        a = row.assignment
        label = str(a.member)
        if per_member[a.member_id] > 1:
            label = str(a)  # "Müller, Anna – Fachkraft 2"
        if per_post[(a.member_id, a.post_id)] > 1:
            label = _("%(assignment)s ab %(start)s") % {
                "assignment": label,
                "start": fmt_date(a.start),
            }
        labels[a.pk] = label
    return labels


def verbund_copy_blockers(*, focus: Focus, target_plan: DeploymentPlan) -> list[str]:
    """Refuse taking over a Schwerpunkt (Nr. 5) that ``target_plan`` already holds: the
    focus itself, or a copy of it (``services.verbund_copy`` records ``copied_from``).
    One query at most."""
    if focus.plan_id == target_plan.pk:
        return [
            _("Der Schwerpunkt „%(title)s“ gehört bereits zu diesem Einsatzmanagement.")
            % {"title": focus.title}
        ]
    copy = (
        target_plan.foci.filter(copied_from=focus)
        .select_related("copied_from__plan__center")
        .order_by("position", "id")
        .first()
    )
    if copy is None:
        return []
    source = copy.copied_from
    values = {"title": source.title, "center": source.plan.center.name, "copy": copy.title}
    if copy.title == focus.title:
        return [
            _(
                "Der Schwerpunkt „%(title)s“ des Zentrums „%(center)s“ wurde bereits in "
                "dieses Einsatzmanagement übernommen."
            )
            % values
        ]
    return [
        _(
            "Der Schwerpunkt „%(title)s“ des Zentrums „%(center)s“ wurde bereits in "
            "dieses Einsatzmanagement übernommen (als „%(copy)s“)."
        )
        % values
    ]
