"""A report whose worker died is taken over (issue 15, finding 4), with a frozen clock:
the sweep restarts a rendering whose heartbeat is older than JOB_HEARTBEAT_TIMEOUT,
the page says so, and after JOB_MAX_TAKEOVERS it fails with a message and a working
"Erneut versuchen". The real-worker SIGKILL tests are in ``test_worker.py``."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from centers import jobs
from centers.models import OutboxMessage, Role
from reporting import services
from reporting.models import ReportStatus

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stuck(home_center, role_users, koeln_data):
    """A report left 'wird erstellt' by a worker that was killed a while ago."""
    started = timezone.now() - datetime.timedelta(minutes=10)
    return factories.report(
        home_center,
        status=ReportStatus.RENDERING,
        requested_by=role_users[Role.CENTER_LEAD],
        attempts=1,
        rendering_started_at=started,
        heartbeat_at=started,
    )


def _page(client, user, report) -> str:
    client.force_login(user)
    return client.get(report.get_absolute_url()).content.decode()


def test_a_rendering_with_a_fresh_heartbeat_is_left_alone(stuck, settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 15 * 60  # ten minutes is not stale yet
    assert jobs.sweep()["reports"] == 0
    stuck.refresh_from_db()
    assert (stuck.status, stuck.takeovers) == (ReportStatus.RENDERING, 0)


def test_the_sweep_takes_over_a_stale_rendering_the_page_says_so_and_it_is_rendered(
    stuck, role_users, client, django_capture_on_commit_callbacks
):
    lead = role_users[Role.CENTER_LEAD]
    assert "neu gestartet" not in _page(client, lead, stuck)

    with django_capture_on_commit_callbacks(execute=False):
        assert services.reports_sweep() == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.takeovers) == (ReportStatus.QUEUED, 1)
    assert OutboxMessage.objects.filter(task=services.RENDER_TASK, sent_at=None).count() == 1
    page = _page(client, lead, stuck)
    assert (
        "Die Erstellung wurde unterbrochen, weil der Hintergrunddienst beendet wurde, "
        "und neu gestartet." in page
    )

    # The beat sweep hands the message over (here: in-process) and the report is rendered.
    assert jobs.sweep()["outbox"] == 1
    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.READY, stuck.failure_reason
    assert (stuck.attempts, stuck.takeovers) == (2, 1)
    assert "neu gestartet" not in _page(client, lead, stuck)


def test_after_too_many_takeovers_it_fails_with_a_message_and_the_retry_renders_it(
    stuck, role_users, client, settings, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_TAKEOVERS = 2
    lead = role_users[Role.CENTER_LEAD]
    now = timezone.now()
    for n in (1, 2):
        with django_capture_on_commit_callbacks(execute=False):
            assert services.reports_sweep(now=now) == 1
        stuck.refresh_from_db()
        assert (stuck.status, stuck.takeovers) == (ReportStatus.QUEUED, n)
        # The worker took it again and died again, minutes later.
        stuck.status = ReportStatus.RENDERING
        stuck.save(update_fields=["status"])
        now += datetime.timedelta(minutes=5)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_sweep(now=now) == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.takeovers) == (ReportStatus.FAILED, 3)
    message = (
        "Die Erstellung wurde 3-mal unterbrochen, weil der Hintergrunddienst beendet wurde, "
        "und deshalb abgebrochen. Bitte versuchen Sie es erneut."
    )
    assert stuck.failure_reason == message
    assert [m.to for m in mail.outbox] == [[lead.email]]  # "konnte nicht erstellt werden"
    page = _page(client, lead, stuck)
    assert message in page and "Erneut versuchen" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:retry", args=[stuck.pk]))
    assert response.status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.READY, stuck.failure_reason
    assert stuck.takeovers == 0


def test_a_redelivered_task_takes_an_orphaned_rendering_over_at_once(stuck):
    # The broker's answer to a killed pool process: the same task again, right away.
    report = services.report_render(report_id=stuck.pk)
    assert report is not None and report.status == ReportStatus.READY
    stuck.refresh_from_db()
    assert (stuck.attempts, stuck.takeovers) == (2, 1)
