"""Requesting, versioning, submitting and acknowledging reports (DESIGN.md §5)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from centers import jobs, outbox
from centers.models import Role
from deployment.periods import current_period
from reporting import services
from reporting.models import Report, ReportStatus
from reporting.rendering import sha256_of

from . import celery_utils, factories

pytestmark = pytest.mark.django_db


def _request(center, user, captured):
    period = current_period()
    with captured(execute=True):
        report = services.report_request(
            center=center, period_start=period.start, period_end=period.end, user=user
        )
    report.refresh_from_db()
    return report


def test_leitung_requests_the_report_and_gets_a_ready_pdf_with_its_checksum(
    home_center, role_users, koeln_data, django_capture_on_commit_callbacks
):
    report = _request(home_center, role_users[Role.CENTER_LEAD], django_capture_on_commit_callbacks)

    assert report.status == ReportStatus.READY
    path = Path(settings.MEDIA_ROOT) / report.file.name
    assert path.read_bytes().startswith(b"%PDF")
    assert report.sha256 == sha256_of(path)
    assert report.page_count >= 5
    assert report.requested_by == role_users[Role.CENTER_LEAD]
    # The file name is a random token (≥ 192 bits), not the centre or the id.
    assert path.stem == report.file_token and len(report.file_token) >= 32


def test_requesting_twice_while_queued_gives_one_report(home_center, role_users):
    period = current_period()
    lead = role_users[Role.CENTER_LEAD]
    first = services.report_request(
        center=home_center, period_start=period.start, period_end=period.end, user=lead
    )
    second = services.report_request(
        center=home_center, period_start=period.start, period_end=period.end, user=lead
    )
    assert first.pk == second.pk
    assert Report.objects.count() == 1


def test_a_new_rendering_is_a_new_version_and_the_old_one_stays(
    home_center, role_users, koeln_data, django_capture_on_commit_callbacks
):
    lead = role_users[Role.CENTER_LEAD]
    first = _request(home_center, lead, django_capture_on_commit_callbacks)
    second = _request(home_center, lead, django_capture_on_commit_callbacks)
    assert (first.number, second.number) == (1, 2)
    assert first.file.name != second.file.name
    assert (Path(settings.MEDIA_ROOT) / first.file.name).exists()
    assert (Path(settings.MEDIA_ROOT) / second.file.name).exists()


@pytest.mark.parametrize(
    "role", [Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY, Role.LASI, Role.FUNDING]
)
def test_only_the_leitung_requests_a_centre_report(home_center, role_users, role):
    period = current_period()
    with pytest.raises(PermissionDenied):
        services.report_request(
            center=home_center,
            period_start=period.start,
            period_end=period.end,
            user=role_users[role],
        )
    assert not Report.objects.exists()


def test_leitung_submits_and_lasi_acknowledges_with_mails(
    home_center, role_users, django_capture_on_commit_callbacks
):
    report = factories.report(home_center, status=ReportStatus.READY)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=report, user=role_users[Role.CENTER_LEAD])
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == role_users[Role.CENTER_LEAD]
    assert role_users[Role.LASI].email in mail.outbox[-1].to
    assert "übermittelt" in mail.outbox[-1].subject

    with django_capture_on_commit_callbacks(execute=True):
        services.report_acknowledge(report=report, user=role_users[Role.LASI])
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert report.acknowledged_by == role_users[Role.LASI]
    assert role_users[Role.CENTER_LEAD].email in mail.outbox[-1].to
    # Every transition is in the history.
    assert [h.status for h in report.history.order_by("history_date")][-2:] == [
        "submitted",
        "acknowledged",
    ]


@pytest.mark.parametrize(
    "status", [ReportStatus.QUEUED, ReportStatus.FAILED, ReportStatus.SUBMITTED]
)
def test_only_a_ready_report_is_submitted(home_center, role_users, status):
    report = factories.report(home_center, status=status)
    with pytest.raises(
        ValidationError, match="„An die LaSI übermitteln“ ist im Status „.*“ nicht möglich"
    ):
        services.report_submit(report=report, user=role_users[Role.CENTER_LEAD])
    report.refresh_from_db()
    assert report.status == status


def test_staff_cannot_submit_and_the_leitung_cannot_acknowledge(home_center, role_users):
    report = factories.report(home_center, status=ReportStatus.READY)
    with pytest.raises(PermissionDenied):
        services.report_submit(report=report, user=role_users[Role.CENTER_STAFF])
    report = factories.report(home_center, status=ReportStatus.SUBMITTED, number=2)
    with pytest.raises(PermissionDenied):
        services.report_acknowledge(report=report, user=role_users[Role.CENTER_LEAD])


def test_only_a_submitted_report_is_acknowledged(home_center, role_users):
    report = factories.report(home_center, status=ReportStatus.READY)
    with pytest.raises(
        ValidationError, match="„Zur Kenntnis nehmen“ ist im Status „fertig“ nicht möglich"
    ):
        services.report_acknowledge(report=report, user=role_users[Role.LASI])


def test_retry_is_only_for_failed_reports(
    home_center, role_users, koeln_data, django_capture_on_commit_callbacks
):
    lead = role_users[Role.CENTER_LEAD]
    ready = factories.report(home_center, status=ReportStatus.READY)
    with pytest.raises(ValidationError):
        services.report_retry(report=ready, user=lead)
    failed = factories.report(
        home_center, status=ReportStatus.FAILED, number=2, failure_reason="Test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(report=failed, user=lead)
    failed.refresh_from_db()
    assert failed.status == ReportStatus.READY
    assert failed.failure_reason == ""


CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down():
    """The producer points at a closed port, as if Redis were unreachable."""
    with celery_utils.broker(CLOSED_PORT) as app:
        yield app


def test_redis_unreachable_keeps_the_request_as_failed_to_queue_and_a_retry_renders_it(
    home_center, role_users, koeln_data, broker_down, django_capture_on_commit_callbacks, client
):
    lead = role_users[Role.CENTER_LEAD]
    report = _request(home_center, lead, django_capture_on_commit_callbacks)

    assert report.status == ReportStatus.QUEUED
    assert report.failed_to_queue
    assert "Warteschlange" in report.queue_error
    assert "OperationalError" in report.queue_error  # connection refused, not a setup error
    client.force_login(lead)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "konnte nicht in die Warteschlange gestellt werden" in page
    assert "Erneut versuchen" in page

    # The broker is back (here: in-process), the retry renders it — once.
    broker_down.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(report=report, user=lead)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY, report.queue_error
    assert Report.objects.count() == 1


def test_the_sweep_queues_a_request_that_never_reached_the_broker(
    home_center, role_users, koeln_data, broker_down, django_capture_on_commit_callbacks
):
    report = _request(home_center, role_users[Role.CENTER_LEAD], django_capture_on_commit_callbacks)
    assert report.failed_to_queue
    broker_down.conf.task_always_eager = True
    # The back-off has not run out yet: the sweep waits.
    assert jobs.sweep()["outbox"] == 0
    later = timezone.now() + outbox.FIRST_RETRY
    assert jobs.sweep(now=later)["outbox"] == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert jobs.sweep(now=later)["outbox"] == 0
