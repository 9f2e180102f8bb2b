"""A confirmed import survives a SIGKILLed worker (issue 15, finding 4), with a real
Celery worker on Redis and PostgreSQL: killed mid-import, the import's transaction
is rolled back with the worker's session; the job is taken over — at once by the
redelivered task when only the pool process died, by the sweep when the whole worker
died — and imports the list from the beginning, exactly once.

Uses the reporting tests' worker (``tests/reporting/test_worker.py``): the same
skip-or-fail rule without Redis and PostgreSQL, its own queue and Redis database.
Each chunk of 900 rows is held for a second (``STAFFING_IMPORT_PAUSE``), so the
kill lands mid-import.
"""

from __future__ import annotations

import datetime
import time

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.utils import timezone

from centers import jobs
from centers.models import Role
from staffing import imports
from staffing.models import Assignment, ImportJob, ImportStatus
from tests import factories
from tests.reporting.test_worker import (  # noqa: F401 - fixtures
    _broker_url,
    real_stack,
    worker_factory,
)

ROWS = 2_000  # three chunks
TIMEOUT = 120


def _list() -> bytes:
    lines = ["KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart;Stellenanteil;Beginn"]
    lines += [
        f"05315;Person-{n};Mara;p{n}@ki.example;Fachkraft;0,5;01.08.2025" for n in range(ROWS)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _wait(job: ImportJob, statuses, worker, until=lambda job: True) -> ImportJob:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses and until(job):
            return job
        time.sleep(0.05)
    pytest.fail(f"Import blieb im Status {job.status!r}:\n{worker.log()}", pytrace=False)


@pytest.fixture
def confirmed(worker_factory):  # noqa: F811
    """A checked list of 2,000 new people, confirmed; the worker is importing it."""
    worker = worker_factory().start(STAFFING_IMPORT_PAUSE=1)
    worker_cache = RedisCache(
        _broker_url(), {"KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", "")}
    )
    lead = factories.user_with_role(Role.CENTER_LEAD, factories.center("05315"))
    job = imports.import_job_create(user=lead, filename="liste.csv", content=_list())
    job = _wait(job, {ImportStatus.CHECKED, ImportStatus.FAILED}, worker)
    assert job.status == ImportStatus.CHECKED and not job.result["has_errors"], job.result
    imports.import_job_confirm(job=job, user=lead)

    def progress(job):
        return worker_cache.get(imports._progress_key(job.pk), 0)

    # Mid-import: the first chunk is checked, the transaction is open.
    job = _wait(job, {ImportStatus.IMPORTING}, worker, until=lambda job: progress(job) > 0)
    assert Assignment.objects.count() == 0
    return worker, lead, job


def _page(lead, job) -> str:
    client = Client()
    client.force_login(lead)
    return client.get(job.get_absolute_url()).content.decode()


def test_pool_process_killed_mid_import_the_redelivered_task_imports_once(confirmed):
    worker, lead, job = confirmed

    worker.kill_pool_child()

    job = _wait(job, {ImportStatus.DONE, ImportStatus.FAILED}, worker)
    assert job.status == ImportStatus.DONE, worker.log()
    assert job.takeovers == 1
    assert Assignment.objects.count() == ROWS
    assert job.written_at is not None
    assert "Import abgeschlossen" in _page(lead, job)


def test_whole_worker_killed_mid_import_the_sweep_restarts_it_and_the_page_says_so(confirmed):
    first, lead, job = confirmed

    first.kill()
    second = first.start(STAFFING_IMPORT_PAUSE=1)
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING  # Redis would redeliver only after 2 h
    assert Assignment.objects.count() == 0  # the killed import's transaction is gone

    # The heartbeat is fresh: not yet. A few minutes later the sweep takes it over.
    assert jobs.sweep()["imports"] == 0
    later = timezone.now() + jobs.heartbeat_timeout() + datetime.timedelta(seconds=1)
    assert jobs.sweep(now=later)["imports"] == 1

    job = _wait(job, {ImportStatus.IMPORTING, ImportStatus.DONE}, second)
    assert job.takeovers == 1
    if job.status == ImportStatus.IMPORTING:
        assert "von vorn neu gestartet" in _page(lead, job)
    job = _wait(job, {ImportStatus.DONE, ImportStatus.FAILED}, second)
    assert job.status == ImportStatus.DONE, second.log()
    assert Assignment.objects.count() == ROWS
    # A new confirmation is not needed, and a late duplicate changes nothing.
    imports.import_job_process(job_id=job.pk, confirm=True)
    job.refresh_from_db()
    assert (job.status, job.takeovers) == (ImportStatus.DONE, 1)
    assert Assignment.objects.count() == ROWS
