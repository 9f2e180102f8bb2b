"""Nothing is lost when the broker is away (issue 15, finding 3): mails and tasks leave
through the outbox, written in the request's transaction; a broker error after the
commit is recorded there, never turned into an error page, and the sweep hands the
message over later, with back-off."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from centers import jobs, outbox
from centers.models import OutboxMessage, Role
from deployment.models import PlanStatus, ReviewComment
from staffing import imports
from staffing.models import ImportJob, ImportStatus
from tests.deployment import factories as plan_factories
from tests.reporting import celery_utils

pytestmark = pytest.mark.django_db
CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down():
    """The producer points at a closed port, as if Redis were unreachable."""
    with celery_utils.broker(CLOSED_PORT) as app:
        yield app


def _later(attempts: int = 1) -> datetime.datetime:
    return timezone.now() + outbox.backoff(attempts) + datetime.timedelta(seconds=1)


def test_a_comment_posted_while_redis_is_down_is_saved_reported_as_saved_and_mailed_later(
    home_center, role_users, client, broker_down, django_capture_on_commit_callbacks
):
    plan = plan_factories.make_plan(home_center, status=PlanStatus.SUBMITTED)
    schulamt, lead = role_users[Role.SCHOOL_AUTHORITY], role_users[Role.CENTER_LEAD]
    client.force_login(schulamt)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("deployment:comment_add", args=[plan.pk]),
            {"text": "Bitte die Schulen nennen."},
            follow=True,
        )

    assert callbacks, "the mail leaves after the commit"
    assert response.status_code == 200
    assert "Ihr Kommentar wurde gespeichert." in response.content.decode()
    assert ReviewComment.objects.filter(plan=plan, text="Bitte die Schulen nennen.").exists()
    message = OutboxMessage.objects.get(kind="mail")
    assert message.sent_at is None and message.attempts == 1
    assert "OperationalError" in message.last_error
    assert lead.email in message.kwargs["to"]
    assert mail.outbox == []

    # Redis is back (here: in-process); the sweep waits for the back-off, then sends it.
    broker_down.conf.task_always_eager = True
    assert jobs.sweep()["outbox"] == 0
    assert jobs.sweep(now=_later())["outbox"] == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.last_error == ""
    assert [m.to for m in mail.outbox] == [message.kwargs["to"]]
    assert "Bitte die Schulen nennen." in mail.outbox[0].body
    assert jobs.sweep(now=_later())["outbox"] == 0  # sent once


def test_an_upload_while_redis_is_down_is_checked_once_redis_is_back(
    role_users, client, broker_down, django_capture_on_commit_callbacks
):
    lead = role_users[Role.CENTER_LEAD]
    client.force_login(lead)
    content = (
        "KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart;Stellenanteil;Beginn\r\n"
        "05315;Neu;Nora;nora.neu@ki.example;Fachkraft;0,5;01.08.2025\r\n"
    ).encode("cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staffing:import"),
            {"file": SimpleUploadedFile("liste.csv", content, content_type="text/csv")},
        )
    job = ImportJob.objects.get(user=lead)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == ImportStatus.QUEUED
    assert OutboxMessage.objects.get(task=imports.IMPORT_TASK).sent_at is None

    broker_down.conf.task_always_eager = True
    assert jobs.sweep(now=_later())["outbox"] == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED, job.result


def test_the_back_off_doubles_up_to_an_hour_and_the_message_is_never_dropped(
    home_center, role_users, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.send_mail(to=["a@ki.example"], subject="Betreff", body="Text")
    waits = []
    for attempts in range(1, 10):
        message.refresh_from_db()
        assert message.attempts == attempts and message.sent_at is None
        waits.append(message.next_attempt_at - timezone.now())
        assert outbox.dispatch_due(now=message.next_attempt_at - datetime.timedelta(seconds=1)) == 0
        assert outbox.dispatch_due(now=message.next_attempt_at) == 0  # tried: still down
    # 30 s, doubling, at most an hour (to ten seconds: the attempts themselves take time).
    assert [round(w.total_seconds(), -1) for w in waits] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    broker_down.conf.task_always_eager = True
    assert outbox.dispatch_due(now=_later(10)) == 1
    assert [m.subject for m in mail.outbox] == ["Betreff"]


def test_handed_over_messages_are_deleted_after_a_week(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.send_mail(to=["a@ki.example"], subject="Betreff", body="Text")
    assert OutboxMessage.objects.get().sent_at is not None
    jobs.sweep(now=timezone.now() + datetime.timedelta(days=6))
    assert OutboxMessage.objects.count() == 1
    jobs.sweep(now=timezone.now() + datetime.timedelta(days=8))
    assert OutboxMessage.objects.count() == 0


def test_mails_of_a_rolled_back_transaction_never_leave(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                outbox.send_mail(to=["a@ki.example"], subject="Betreff", body="Text")
                raise RuntimeError("Fehler im Dienst")
        except RuntimeError:
            pass
    assert OutboxMessage.objects.count() == 0
    assert jobs.sweep()["outbox"] == 0
    assert mail.outbox == []
