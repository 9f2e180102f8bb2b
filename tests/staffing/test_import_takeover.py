"""An import whose worker died is taken over (issue 15, finding 4), with a frozen clock:
the sweep restarts a check or import whose heartbeat is older than
JOB_HEARTBEAT_TIMEOUT from the beginning, the page says so, a redelivered task takes
an orphaned job over at once, and after JOB_MAX_TAKEOVERS the job fails with a message
and "Erneut versuchen" works. The real-worker SIGKILL tests are in ``test_worker_crash.py``."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from centers import jobs
from centers.models import OutboxMessage, Role
from staffing import imports
from staffing.models import Assignment, ImportJob, ImportStatus
from tests import factories

pytestmark = pytest.mark.django_db

LIST = (
    "KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart;Stellenanteil;Beginn\r\n"
    "05315;Neu;Nora;nora.neu@ki.example;Fachkraft;0,5;01.08.2025\r\n"
    "05315;Alt;Otto;otto.alt@ki.example;Lehrkraft;1,0;01.08.2025\r\n"
).encode("cp1252")
LONG_AGO = datetime.timedelta(minutes=10)


@pytest.fixture
def lead(home_center):
    return factories.user_with_role(Role.CENTER_LEAD, home_center)


def _checked_job(lead, django_capture_on_commit_callbacks) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_job_create(user=lead, filename="liste.csv", content=LIST)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED, job.result
    return job


def _killed_while(job: ImportJob, status: str, *, confirmed: bool) -> ImportJob:
    """As a worker SIGKILLed mid-run leaves it: still running, its transaction gone."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, confirmed=confirmed, heartbeat_at=timezone.now() - LONG_AGO, processed=0
    )
    job.refresh_from_db()
    return job


def _page(client, lead, job) -> str:
    client.force_login(lead)
    return client.get(job.get_absolute_url()).content.decode()


def test_a_running_import_with_a_fresh_heartbeat_is_left_alone(
    lead, settings, django_capture_on_commit_callbacks
):
    job = _killed_while(
        _checked_job(lead, django_capture_on_commit_callbacks),
        ImportStatus.IMPORTING,
        confirmed=True,
    )
    settings.JOB_HEARTBEAT_TIMEOUT = 15 * 60
    assert jobs.sweep()["imports"] == 0
    job.refresh_from_db()
    assert (job.status, job.takeovers) == (ImportStatus.IMPORTING, 0)


def test_an_import_left_by_a_dead_worker_is_restarted_and_imports_once(
    lead, client, django_capture_on_commit_callbacks
):
    job = _killed_while(
        _checked_job(lead, django_capture_on_commit_callbacks),
        ImportStatus.IMPORTING,
        confirmed=True,
    )
    before = Assignment.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        assert imports.import_jobs_sweep() == 1
    job.refresh_from_db()
    assert (job.status, job.takeovers) == (ImportStatus.QUEUED, 1)
    assert OutboxMessage.objects.filter(task=imports.IMPORT_TASK, sent_at=None).count() == 1
    page = _page(client, lead, job)
    assert (
        "Die Verarbeitung wurde unterbrochen, weil der Hintergrunddienst beendet wurde, "
        "und von vorn neu gestartet." in page
    )

    assert jobs.sweep()["outbox"] == 1  # handed over (here: run in-process)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.result
    assert Assignment.objects.count() == before + 2
    assert job.written_at is not None  # so it can still be undone


def test_a_check_left_by_a_dead_worker_is_checked_again(lead, django_capture_on_commit_callbacks):
    job = _killed_while(
        _checked_job(lead, django_capture_on_commit_callbacks),
        ImportStatus.CHECKING,
        confirmed=False,
    )
    assert jobs.sweep()["imports"] == 1
    job.refresh_from_db()
    assert (job.status, job.takeovers) == (ImportStatus.CHECKED, 1)
    assert job.rows.count() == 2  # the preview once, not twice
    assert Assignment.objects.filter(member__email="nora.neu@ki.example").count() == 0


def test_a_redelivered_task_takes_an_orphaned_import_over(lead, django_capture_on_commit_callbacks):
    job = _killed_while(
        _checked_job(lead, django_capture_on_commit_callbacks),
        ImportStatus.IMPORTING,
        confirmed=True,
    )
    imports.import_job_process(job_id=job.pk, confirm=True)
    job.refresh_from_db()
    assert (job.status, job.takeovers) == (ImportStatus.DONE, 1)
    # A late duplicate changes nothing.
    imports.import_job_process(job_id=job.pk, confirm=True)
    job.refresh_from_db()
    assert (job.status, job.takeovers) == (ImportStatus.DONE, 1)


def test_after_too_many_takeovers_the_import_fails_and_erneut_versuchen_imports_it(
    lead, client, settings, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_TAKEOVERS = 1
    job = _checked_job(lead, django_capture_on_commit_callbacks)
    now = timezone.now()
    for _takeover in range(2):
        _killed_while(job, ImportStatus.IMPORTING, confirmed=True)
        with django_capture_on_commit_callbacks(execute=False):
            assert imports.import_jobs_sweep(now=now) == 1
        now += datetime.timedelta(minutes=5)
    job.refresh_from_db()
    assert (job.status, job.takeovers) == (ImportStatus.FAILED, 2)
    message = (
        "Die Verarbeitung wurde 2-mal unterbrochen, weil der Hintergrunddienst beendet "
        "wurde, und deshalb abgebrochen. Es wurde nichts importiert. Bitte versuchen Sie "
        "es erneut."
    )
    assert job.failure_reason == message
    page = _page(client, lead, job)
    assert message in page and "Erneut versuchen" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staffing:import_retry", args=[job.pk]), follow=True)
    assert "Der Import wurde erneut gestartet." in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.takeovers, job.failure_reason) == (ImportStatus.DONE, 0, "")


def test_only_a_failed_import_is_retried(lead, client, django_capture_on_commit_callbacks):
    job = _checked_job(lead, django_capture_on_commit_callbacks)
    client.force_login(lead)
    response = client.post(reverse("staffing:import_retry", args=[job.pk]), follow=True)
    assert "Nur ein fehlgeschlagener Import kann erneut gestartet werden." in (
        response.content.decode()
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED


def test_a_queued_job_whose_message_was_lost_is_sent_again(
    lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.import_job_create(user=lead, filename="liste.csv", content=LIST)
    OutboxMessage.objects.update(sent_at=timezone.now())  # handed over, then lost in Redis
    assert imports.import_jobs_sweep() == 0
    later = timezone.now() + imports.STALE_QUEUED_AFTER + datetime.timedelta(minutes=1)
    counts = jobs.sweep(now=later)
    assert (counts["imports"], counts["outbox"]) == (1, 1)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
