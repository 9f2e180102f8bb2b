"""Thin Celery wrappers; the work is in ``staffing.imports`` and ``staffing.retention``."""

import os

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import imports, retention


def _test_pause() -> float:
    """Test hook: seconds to hold each chunk of a check or import (so the fault tests can
    SIGKILL the worker mid-import). 0 in normal operation."""
    return float(
        getattr(settings, "STAFFING_IMPORT_PAUSE", 0) or os.environ.get("STAFFING_IMPORT_PAUSE", 0)
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_job_process(job_id: str, confirm: bool = False) -> None:
    # Idempotent: the service claims the job only while it is queued (or orphaned).
    imports.import_job_process(job_id=job_id, confirm=confirm, pause=_test_pause())


@shared_task(name="staffing.delete_old_import_jobs", ignore_result=True)
def delete_old_import_jobs() -> int:
    return imports.import_jobs_delete_old()


@shared_task(name="staffing.anonymise_departed_staff", ignore_result=True)
def anonymise_departed_staff() -> int:
    # Idempotent: whoever is anonymised is not picked again.
    return retention.staff_anonymise_departed(today=timezone.localdate()).count
