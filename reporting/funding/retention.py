"""Retention of uploaded documents (DSGVO Art. 5 Abs. 1 Buchst. e; Datenschutzerklärung
"Speicherdauer"): the daily beat job ``reporting.delete_expired_documents`` deletes the
files whose matter closed more than ``DOCUMENT_RETENTION_YEARS`` full calendar years ago.

When a matter closes:

- a Förderbescheid (Bescheid, Änderung, Widerruf): at the end of its Förderjahr;
- an attachment of a Förderantrag: at the end of the application's Haushaltsjahr;
- a Zielvereinbarung: at the end of the year it ran until;
- an Integrationskonzept: at the end of the year a Fortschreibung replaced it
  (``superseded``); the concept in force, drafts and submitted versions are kept.

With ``DOCUMENT_RETENTION_YEARS = 10`` a Bescheid for 2015 is deleted on the first run in
2026. The record stays, with its file name, so the page says which file was deleted and
when: each deletion is a ``TimelineEvent`` (``document_deleted``, the file name as note)
on the record, and the run is logged as a ``staffing.RetentionRun``. Files leave the
storage only after the commit.

Generated PDFs (LaSI reports, Verwendungsnachweise) are no uploads and not touched here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F

from centers.models import (
    ConceptStatus,
    FundingDecision,
    IntegrationConcept,
    TargetAgreement,
    private_storage,
)
from centers.workflow.models import TimelineEvent
from staffing.models import RetentionKind, RetentionRun

from .models import ApplicationDocument

logger = logging.getLogger(__name__)

DOCUMENT_DELETED = "document_deleted"


def last_expired_year(today: date) -> int:
    """The latest year whose matters are past retention on ``today``."""
    return today.year - settings.DOCUMENT_RETENTION_YEARS - 1


def _expired(today: date) -> list[tuple[object, str, str]]:
    """(record, name of its file field, the file's label) for every file past retention."""
    year = last_expired_year(today)
    found: list = []
    found += FundingDecision.objects.filter(year__lte=year).exclude(document="")
    found += TargetAgreement.objects.filter(valid_until__year__lte=year).exclude(document="")
    found += IntegrationConcept.objects.filter(
        status=ConceptStatus.SUPERSEDED, successor__decided_at__year__lte=year
    ).exclude(document="")
    found += (
        ApplicationDocument.objects.filter(application__programme_year__year__lte=year)
        .exclude(file="")
        .annotate(center_id=F("application__center_id"))
    )
    return [_file_of(record) for record in found]


@transaction.atomic
def documents_delete_expired(*, today: date) -> RetentionRun:
    """Delete every uploaded file past retention, mark its record, log the run."""
    expired = _expired(today)
    names = []
    details = []
    events = []
    now_types = {}
    for record, field, label in expired:
        model = type(record)
        names.append(getattr(record, field).name)
        model.objects.filter(pk=record.pk).update(**{field: ""})
        content_type = now_types.setdefault(model, ContentType.objects.get_for_model(model))
        events.append(
            TimelineEvent(
                center_id=record.center_id,
                content_type=content_type,
                object_id=record.pk,
                kind=DOCUMENT_DELETED,
                note=label,
            )
        )
        details.append({"model": model._meta.label, "pk": record.pk, "center": record.center_id})
    TimelineEvent.objects.bulk_create(events)
    run = RetentionRun.objects.create(
        kind=RetentionKind.DOCUMENTS_DELETED,
        run_on=today,
        cutoff=date(last_expired_year(today) + 1, 1, 1),
        count=len(expired),
        details=details,
    )
    transaction.on_commit(lambda: _delete_files(names))
    logger.info(
        "Retention: %d documents deleted (matters closed before %s).", len(expired), run.cutoff
    )
    return run


def _delete_files(names: Iterable[str]) -> None:
    storage = private_storage()
    for name in names:
        storage.delete(name)


# Each kind of record with a file: (its file field, the field that keeps the file's name
# after the file is gone).
FILE_FIELDS = {
    FundingDecision: ("document", "document_name"),
    TargetAgreement: ("document", "document_name"),
    IntegrationConcept: ("document", "document_name"),
    ApplicationDocument: ("file", "file_name"),
}


def _file_of(record) -> tuple[object, str, str]:
    """(record, name of its file field, the file's label)."""
    field, name = FILE_FIELDS[type(record)]
    return record, field, getattr(record, name)


def _lost_its_file(record) -> bool:
    field, name = FILE_FIELDS[type(record)]
    return not getattr(record, field) and bool(getattr(record, name))


def deletions(records: Iterable) -> dict[int, TimelineEvent]:
    """pk → the retention deletion of each record's file (for pages and lists): one query,
    and none while every record still has its file."""
    records = [r for r in records if _lost_its_file(r)]
    if not records:
        return {}
    events = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(records[0])),
        object_id__in=[r.pk for r in records],
        kind=DOCUMENT_DELETED,
    )
    return {e.object_id: e for e in events}
