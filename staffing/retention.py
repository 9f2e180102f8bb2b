"""Retention of staff data (DSGVO Art. 5 Abs. 1 Buchst. e; Datenschutzerklärung
"Speicherdauer"): people who left a centre more than ``STAFF_RETENTION_YEARS`` ago are
anonymised by the daily beat job ``staffing.anonymise_departed_staff``.

"Left" means: no Besetzung open-ended and none ending on or after the cut-off. A person
who never had a Besetzung counts as left when their record was last changed before the
cut-off (a person entered yesterday is not anonymised today).

Anonymised are the names, the e-mail address (a unique placeholder: it is the import's
key), Anstellungsträger, Schwerpunkt, the Nr. 3.4 value, the abordnende Schule and the
free texts of qualification exceptions — in the records *and* in their history rows.
Kept for the statistics: posts, shares, periods, Funktion and the qualification level.
The access log (``SensitiveDataAccess``) stays: it records who read what and now points
to an anonymous record.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from centers.workflow.models import TimelineEvent

from .models import (
    Assignment,
    QualificationException,
    RetentionKind,
    RetentionRun,
    StaffMember,
)

logger = logging.getLogger(__name__)

ANONYMISED = "Anonymisiert"


def years_before(day: date, years: int) -> date:
    """``day`` moved back ``years`` years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def staff_cutoff(today: date) -> date:
    return years_before(today, settings.STAFF_RETENTION_YEARS)


def departed_before(cutoff: date):
    """People not yet anonymised whose last Besetzung ended before ``cutoff``."""
    still_there = Assignment.objects.filter(member=OuterRef("pk")).filter(
        Q(end__isnull=True) | Q(end__gte=cutoff)
    )
    any_assignment = Assignment.objects.filter(member=OuterRef("pk"))
    changed_since = StaffMember.history.model.objects.filter(
        id=OuterRef("pk"), history_date__date__gte=cutoff
    )
    return (
        StaffMember.objects.filter(anonymised_on__isnull=True)
        .exclude(Exists(still_there))
        .exclude(~Exists(any_assignment) & Exists(changed_since))
    )


def placeholders(pk: int) -> dict[str, str]:
    return {
        "last_name": ANONYMISED,
        "first_name": f"Person {pk}",
        "email": f"anonymisiert-{pk}@anonymisiert.invalid",
        "employer": "",
        "qualification_subject": "",
    }


def _anonymise(member: StaffMember, today: date) -> None:
    for field, value in placeholders(member.pk).items():
        setattr(member, field, value)
    member.immigration_history = ""
    member.anonymised_on = today
    member.version += 1  # the row is locked: an edit begun before now gets a conflict
    member._change_reason = "Anonymisierung nach Ablauf der Aufbewahrungsfrist"
    member.save()
    # The history rows held the old names and addresses: scrubbed alike.
    StaffMember.history.filter(id=member.pk).update(**placeholders(member.pk))

    Assignment.objects.filter(member=member).update(seconding_school="", version=F("version") + 1)
    Assignment.history.filter(member_id=member.pk).update(seconding_school="")

    exceptions = QualificationException.objects.filter(member=member)
    exception_ids = list(exceptions.values_list("pk", flat=True))
    exceptions.update(reason=ANONYMISED, decision_note="", version=F("version") + 1)
    QualificationException.history.filter(id__in=exception_ids).update(
        reason=ANONYMISED, decision_note=""
    )
    TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(QualificationException),
        object_id__in=exception_ids,
    ).update(note="")


@transaction.atomic
def staff_anonymise_departed(*, today: date) -> RetentionRun:
    """Anonymise everyone who left before the cut-off; one log row per run (also when
    nobody was due, so the log shows the job ran)."""
    cutoff = staff_cutoff(today)
    members = list(departed_before(cutoff).select_for_update().order_by("pk"))
    for member in members:
        _anonymise(member, today)
    run = RetentionRun.objects.create(
        kind=RetentionKind.STAFF_ANONYMISED,
        run_on=today,
        cutoff=cutoff,
        count=len(members),
        details=[{"member": m.pk, "center": m.center_id} for m in members],
    )
    logger.info("Retention: %d people anonymised (left before %s).", len(members), cutoff)
    return run
