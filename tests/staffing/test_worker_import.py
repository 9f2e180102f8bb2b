"""A large staffing list through a real Celery worker on Redis and PostgreSQL:
progress is visible while the confirmed import's transaction is still open, and
nothing of the import is visible until it commits.

Uses the reporting tests' worker (``tests/reporting/test_worker.py``): the same
skip-or-fail rule without Redis and PostgreSQL, its own queue and Redis database.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from centers.models import Center, Role
from staffing import imports
from staffing.models import Assignment, ImportJob, ImportStatus
from tests import factories
from tests.reporting.test_worker import (  # noqa: F401 - fixtures
    _broker_url,
    real_stack,
    worker_factory,
)

ROWS = 20_000
TIMEOUT = 180


def _big_list(keys: list[str]) -> bytes:
    lines = [
        "KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart;Stellenanteil;Beginn;Ende;Funktion;"
        "Abordnende Schule;Qualifikation"
    ]
    for n in range(ROWS):
        lines.append(
            f"{keys[n % len(keys)]};Person-{n};Mara;p{n}@ki.example;Fachkraft;0,5;"
            f"01.08.2025;;;;Master"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _wait(job: ImportJob, statuses, worker, seen: list[tuple[str, int]], progress) -> ImportJob:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        # Counted first: a later progress below the total means the count was taken
        # before the import's transaction could commit.
        count = Assignment.objects.count()
        job.refresh_from_db()
        seen.append((job.status, progress(job), count))
        if job.status in statuses:
            return job
        time.sleep(0.02)
    pytest.fail(f"Import blieb im Status {job.status!r}:\n{worker.log()}", pytrace=False)


def test_a_large_import_shows_progress_while_its_transaction_is_open(worker_factory):  # noqa: F811
    worker = worker_factory().start()
    # The worker's cache is the Redis database it was given; read progress there.
    worker_cache = RedisCache(
        _broker_url(), {"KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", "")}
    )

    def progress(job):
        return worker_cache.get(imports._progress_key(job.pk), job.processed)

    lead = factories.user_with_role(Role.MINISTRY)
    keys = list(Center.objects.order_by("key").values_list("key", flat=True))
    job = imports.import_job_create(user=lead, filename="gross.csv", content=_big_list(keys))
    # Outside a transaction (transactional_db) the upload's on_commit enqueues at once.

    seen: list = []
    job = _wait(job, {ImportStatus.CHECKED, ImportStatus.FAILED}, worker, seen, progress)
    assert job.status == ImportStatus.CHECKED and not job.result["has_errors"], job.result
    assert job.rows.count() == ROWS

    seen.clear()
    imports.import_job_confirm(job=job, user=lead)
    job = _wait(job, {ImportStatus.DONE, ImportStatus.FAILED}, worker, seen, progress)
    assert job.status == ImportStatus.DONE, worker.log()

    running = [(n, count) for status, n, count in seen if status == ImportStatus.IMPORTING]
    partial = [(n, count) for n, count in running if 0 < n < ROWS]
    assert partial, f"kein Zwischenstand gesehen: {running[:5]} … {running[-5:]}"
    assert [n for n, _c in partial] == sorted(n for n, _c in partial)
    # The chunks already written were invisible to everyone else until the commit.
    assert {count for _n, count in partial} == {0}
    assert Assignment.objects.count() == ROWS
