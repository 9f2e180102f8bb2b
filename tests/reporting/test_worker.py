"""The real parts: a Celery worker process on Redis and PostgreSQL (issue 6).

Needs ``REDIS_URL`` and a PostgreSQL ``DATABASE_URL`` (CI sets both). Without
them (a fresh clone on SQLite) these tests are skipped with the reason; with
``CI`` set they fail instead, because CI must run them.

The worker is ``celery -A kiportal worker --concurrency 1`` in a subprocess,
pointed at the *test* database, a Redis database of its own and a queue named
for this run, so parallel runs never collide.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from centers import jobs, outbox
from centers.models import Center, Role
from deployment.periods import current_period
from reporting import services
from reporting.models import Report, ReportStatus
from reporting.rendering import sha256_of
from tests import factories

from . import celery_utils
from .conftest import FOCI, make_concept, make_plan, make_staff

REDIS_URL = os.environ.get("REDIS_URL", "")
# A Redis database of the tests' own (not the app's), override with REPORTING_TEST_REDIS_DB.
TEST_REDIS_DB = os.environ.get("REPORTING_TEST_REDIS_DB", "14")
READY_TIMEOUT = 60
RENDER_TIMEOUT = 90
BASE_DIR = Path(settings.BASE_DIR)


def _missing_stack() -> str:
    if not REDIS_URL:
        return "REDIS_URL ist nicht gesetzt"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL zeigt nicht auf PostgreSQL"
    return ""


@pytest.fixture
def real_stack():
    reason = _missing_stack()
    if reason:
        message = f"Echter Celery-Worker braucht Redis und PostgreSQL: {reason}."
        if os.environ.get("CI"):
            pytest.fail(f"CI muss die Worker-Tests ausführen. {message}", pytrace=False)
        pytest.skip(message)


def _broker_url() -> str:
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") >= 3 else REDIS_URL.rstrip("/")
    return f"{base}/{TEST_REDIS_DB}"


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class Worker:
    """One ``celery worker`` process group; always terminated by the fixture."""

    def __init__(self, queue: str, log_dir: Path, **env):
        self.queue = queue
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reporting.worker_settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": _broker_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "REPORTING_TEST_QUEUE": queue,
            "CONN_MAX_AGE": "0",
            **{k: str(v) for k, v in env.items()},
        }
        self.process: subprocess.Popen | None = None
        self.generation = 0

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"worker-{self.generation}.log"

    def start(self, **env) -> Worker:
        self.generation += 1
        self.env.update({k: str(v) for k, v in env.items()})
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kiportal",
                "worker",
                "--concurrency",
                "1",
                "-l",
                "info",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{self.generation}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool child dies with it
        )
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Worker beendet sich beim Start:\n{self.log()}", pytrace=False)
            if b" ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"Worker nicht bereit nach {READY_TIMEOUT}s:\n{self.log()}", pytrace=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def pool_child(self) -> int:
        """The pid of the prefork pool's process (``--concurrency 1``: one)."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                return int(entry.name)
        pytest.fail(f"Kein Pool-Prozess gefunden:\n{self.log()}", pytrace=False)

    def kill_pool_child(self) -> None:
        """SIGKILL only the process running the task; the worker stays and gets it again."""
        os.kill(self.pool_child(), signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the main process and its pool child at once."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def worker_factory(real_stack, transactional_db, tmp_path):
    """Start workers on a queue of this test; producer and worker share broker and queue."""
    # The transactional database is flushed after each such test: the reference data
    # (loaded once per session for the other tests) is loaded again here.
    if Center.objects.count() < 54:
        call_command("load_reference_data", verbosity=0)
    queue = f"reporting-test-{uuid.uuid4().hex[:10]}"
    workers: list[Worker] = []

    def make(**env) -> Worker:
        worker = Worker(queue, tmp_path, **env)
        workers.append(worker)
        return worker

    with celery_utils.broker(_broker_url(), queue=queue) as app:
        try:
            yield make
        finally:
            for worker in workers:
                worker.stop()
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)


def _wait_for(report: Report, statuses, worker: Worker, timeout=RENDER_TIMEOUT) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        time.sleep(0.2)
    pytest.fail(
        f"Bericht blieb im Status {report.status!r} (erwartet {statuses}):\n{worker.log()}",
        pytrace=False,
    )


def _request_koeln():
    center = factories.center("05315")
    make_plan(center)
    make_staff(center)
    make_concept(center)
    lead = factories.user_with_role(Role.CENTER_LEAD, center)
    period = current_period()
    return services.report_request(
        center=center, period_start=period.start, period_end=period.end, user=lead
    )


def _report_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_worker_renders_the_requested_report_with_checksum_and_schwerpunkte(worker_factory):
    worker = worker_factory().start()
    report = _request_koeln()

    report = _wait_for(report, {ReportStatus.READY, ReportStatus.FAILED}, worker)
    assert report.status == ReportStatus.READY, report.failure_reason
    path = Path(settings.MEDIA_ROOT) / report.file.name
    assert sha256_of(path) == report.sha256
    assert report.generated_by and str(worker.process.pid) not in ("", None)
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages)
    for title, _field, _stage in FOCI:
        assert title in " ".join(text.split()), title
    assert "Seite 1 von" in text
    assert "succeeded" in worker.log()


def test_worker_killed_mid_render_is_redone_once_with_one_file(worker_factory):
    # Rendering holds for 30 s after the temporary file is written; Redis hands
    # the unacknowledged task to the next worker 3 s after it was taken.
    first = worker_factory(REPORTING_TEST_VISIBILITY_TIMEOUT=3).start(REPORTING_RENDER_PAUSE=30)
    report = _request_koeln()
    _wait_for(report, {ReportStatus.RENDERING}, first)
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(".part") for p in _report_files()):
        assert time.monotonic() < deadline, first.log()
        time.sleep(0.1)

    first.kill()
    report.refresh_from_db()
    assert report.status == ReportStatus.RENDERING
    assert [p for p in _report_files() if p.suffix == ".pdf"] == []  # only the half temp file

    second = first.start(REPORTING_RENDER_PAUSE=0)
    report = _wait_for(report, {ReportStatus.READY, ReportStatus.FAILED}, second)
    assert report.status == ReportStatus.READY, report.failure_reason
    assert report.attempts == 2
    files = _report_files()
    assert files == [Path(settings.MEDIA_ROOT) / report.file.name]  # one file, no temp left
    assert sha256_of(files[0]) == report.sha256
    assert Report.objects.count() == 1
    # A late duplicate of the task changes nothing.
    services.enqueue(report_id=report.pk)
    time.sleep(2)
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.READY, 2)
    assert _report_files() == files


def test_redis_unreachable_request_is_kept_and_rendered_when_redis_is_back(worker_factory):
    worker = worker_factory().start()
    with celery_utils.broker("redis://127.0.0.1:1/0"):
        report = _request_koeln()
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.failed_to_queue

    # Redis is back: the periodic sweep hands the kept message over.
    later = timezone.now() + outbox.backoff(1) + datetime.timedelta(seconds=1)
    assert jobs.sweep(now=later)["outbox"] == 1
    report = _wait_for(report, {ReportStatus.READY, ReportStatus.FAILED}, worker)
    assert report.status == ReportStatus.READY, report.failure_reason
    assert report.queue_error == ""


def _wait_for_part_file(worker: Worker) -> None:
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(".part") for p in _report_files()):
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.1)


def test_pool_process_killed_mid_render_the_redelivered_task_takes_over_at_once(
    worker_factory,
):
    # Issue 15: the worker's main process puts the task back (reject_on_worker_lost);
    # the report is still "rendering", and the new pool process takes it over.
    worker = worker_factory().start(REPORTING_RENDER_PAUSE=4)
    report = _request_koeln()
    _wait_for(report, {ReportStatus.RENDERING}, worker)
    _wait_for_part_file(worker)

    worker.kill_pool_child()

    report = _wait_for(report, {ReportStatus.READY, ReportStatus.FAILED}, worker)
    assert report.status == ReportStatus.READY, report.failure_reason
    assert (report.attempts, report.takeovers) == (2, 1)
    files = _report_files()
    assert files == [Path(settings.MEDIA_ROOT) / report.file.name]
    assert "WorkerLostError" in worker.log() or "exited with" in worker.log()


def test_whole_worker_killed_mid_render_the_sweep_takes_over_and_a_new_worker_renders(
    worker_factory,
):
    # Issue 15: with the whole worker gone, Redis would hand the task out again only
    # after the visibility timeout (2 h here). The sweep does not wait for that.
    first = worker_factory().start(REPORTING_RENDER_PAUSE=30)
    report = _request_koeln()
    _wait_for(report, {ReportStatus.RENDERING}, first)
    _wait_for_part_file(first)
    first.kill()
    second = first.start(REPORTING_RENDER_PAUSE=0)
    time.sleep(1)
    report.refresh_from_db()
    assert report.status == ReportStatus.RENDERING  # nothing happens by itself

    # Not yet: the heartbeat is fresh.
    assert jobs.sweep()["reports"] == 0
    later = timezone.now() + jobs.heartbeat_timeout() + datetime.timedelta(seconds=1)
    assert jobs.sweep(now=later)["reports"] == 1
    report.refresh_from_db()
    assert report.takeovers == 1

    report = _wait_for(report, {ReportStatus.READY, ReportStatus.FAILED}, second)
    assert report.status == ReportStatus.READY, report.failure_reason
    assert (report.attempts, report.takeovers) == (2, 1)
    assert _report_files() == [Path(settings.MEDIA_ROOT) / report.file.name]
