"""Reports in a given state, with a real file under MEDIA_ROOT where they have one."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from deployment.periods import current_period
from reporting.models import Report, ReportKind, ReportStatus

PDF_BYTES = b"%PDF-1.7\n% KI-Portal Testdatei\n%%EOF\n"


def report(center=None, *, status=ReportStatus.READY, kind=None, period=None, number=1, **extra):
    period = period or current_period()
    kind = kind or (ReportKind.CENTER if center is not None else ReportKind.STATE)
    obj = Report.objects.create(
        kind=kind,
        center=center,
        period_start=period.start,
        period_end=period.end,
        status=status,
        number=number,
        **extra,
    )
    if status in ReportStatus.with_file():
        _attach(obj, "pdf", PDF_BYTES)
        if kind == ReportKind.STATE:
            _attach(obj, "xlsx", b"PK\x03\x04 test")
        obj.generated_at = timezone.now()
        obj.page_count = 1
        obj.save()
    return obj


def _attach(obj: Report, extension: str, data: bytes) -> None:
    relative = obj.relative_path(extension)
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if extension == "pdf":
        obj.file.name = relative
        obj.file_size = len(data)
        obj.sha256 = hashlib.sha256(data).hexdigest()
    else:
        obj.xlsx_file.name = relative
        obj.xlsx_sha256 = hashlib.sha256(data).hexdigest()


def period_of(day: datetime.date):
    return current_period(day)
