"""Thin Celery wrappers; the work is in ``staffing.imports``."""

from celery import shared_task

from . import imports


@shared_task(acks_late=True)
def import_job_process(job_id: str, confirm: bool) -> None:
    # Idempotent: the service claims the job only while it is queued.
    imports.import_job_process(job_id=job_id, confirm=confirm)


@shared_task(name="staffing.delete_old_import_jobs", ignore_result=True)
def delete_old_import_jobs() -> int:
    return imports.import_jobs_delete_old()
