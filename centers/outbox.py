"""The transactional outbox (issue 15): every mail and every background task leaves
through a row written in the caller's transaction, so nothing is lost when the broker
(Redis) is away and no request fails after its commit.

- ``enqueue(task_name, **kwargs)`` writes an ``OutboxMessage`` inside the current
  transaction; once it commits, one attempt is made to hand the task to the broker.
  A broker error is logged and recorded on the row, never raised into the request.
- The periodic sweep (``centers.jobs.sweep``) hands over what is left, with back-off
  (``dispatch_due``). Delivered means handed to the broker; the tasks themselves are
  idempotent (reports and imports check their job's state), so a message handed over
  twice does no harm.
- In the embedded default (no broker, ``task_always_eager``) handing over is running
  the task in-process (on the background thread pool, or at once in tests); the row is
  marked sent first, so a failing task is the task's business, not a delivery error.

``on_delivery(task_name, callback)`` lets an app follow the hand-over of its messages
(the report page says when a request could not be queued yet).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MAIL_TASK = "centers.tasks.send_email"
FIRST_RETRY = datetime.timedelta(seconds=30)
MAX_BACKOFF = datetime.timedelta(hours=1)
DUE_BATCH = 500
# Broker errors while publishing: a few quick tries, so a request is never held for long.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}


class OutboxKind(models.TextChoices):
    MAIL = "mail", _("E-Mail")
    TASK = "task", _("Hintergrundaufgabe")


class OutboxMessage(models.Model):
    """A mail or task waiting to be handed to the broker (``sent_at`` empty) or handed over."""

    kind = models.CharField(_("Art"), max_length=10, choices=OutboxKind.choices)
    task = models.CharField(_("Aufgabe"), max_length=200)
    kwargs = models.JSONField(_("Parameter"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    next_attempt_at = models.DateTimeField(_("nächster Versuch am"), default=timezone.now)
    sent_at = models.DateTimeField(_("übergeben am"), null=True, blank=True)
    last_error = models.TextField(_("letzter Fehler"), blank=True)

    class Meta:
        app_label = "centers"
        verbose_name = _("Nachricht im Postausgang")
        verbose_name_plural = _("Postausgang")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True),
                name="outbox_pending_due",
            ),
            models.Index(fields=["sent_at"], name="outbox_sent_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.task} ({self.created_at:%d.%m.%Y %H:%M})"

    @property
    def pending(self) -> bool:
        return self.sent_at is None


_delivery_callbacks: dict[str, list[Callable[[dict, str | None], None]]] = {}


def on_delivery(task_name: str, callback: Callable[[dict, str | None], None]) -> None:
    """``callback(kwargs, error)`` after each hand-over attempt of ``task_name``'s messages:
    ``error`` is ``None`` when the broker took it, else a short description."""
    callbacks = _delivery_callbacks.setdefault(task_name, [])
    if callback not in callbacks:
        callbacks.append(callback)


def enqueue(task_name: str, **kwargs) -> OutboxMessage:
    """Write the task into the outbox in the current transaction; it is handed to the
    broker once the transaction commits (or by the sweep, if that fails)."""
    message = OutboxMessage.objects.create(
        kind=OutboxKind.MAIL if task_name == MAIL_TASK else OutboxKind.TASK,
        task=task_name,
        kwargs=kwargs,
    )
    transaction.on_commit(lambda pk=message.pk: dispatch(pk))
    return message


def send_mail(*, to: list[str], subject: str, body: str) -> OutboxMessage | None:
    """A mail through the outbox (sent by ``centers.tasks.send_email``)."""
    if not to:
        return None
    return enqueue(MAIL_TASK, to=list(to), subject=str(subject), body=body)


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before the next try after ``attempts`` failed ones: 30 s, 1 min, 2 min … 1 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _task(name: str):
    from kiportal.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()  # every app's tasks module (once, ~0.5 s)
    return app.tasks[name]


def dispatch(message_id: int) -> bool:
    """Hand one pending message to the broker. Never raises; ``True`` if handed over.

    The row is locked (``skip_locked``) while publishing, so two sweeps never hand the
    same message over twice."""
    from kiportal.celery import app

    eager = app.conf.task_always_eager
    error = None
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        now = timezone.now()
        message.attempts += 1
        try:
            task = _task(message.task)
            if not eager:
                task.apply_async(
                    kwargs=message.kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY
                )
        except Exception as exc:  # the broker's errors differ by transport
            error = f"{exc.__class__.__name__}: {exc}"[:2000]
            logger.warning(
                "Postausgang: %s (%s) nicht übergeben: %s", message.task, message.pk, error
            )
            message.last_error = error
            message.next_attempt_at = now + backoff(message.attempts)
            message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        else:
            message.sent_at = now
            message.last_error = ""
            message.save(update_fields=["attempts", "last_error", "sent_at"])
    for callback in _delivery_callbacks.get(message.task, ()):
        try:
            callback(message.kwargs, error)
        except Exception:
            logger.exception("Postausgang: Rückmeldung zu %s fehlgeschlagen", message.task)
    if error is None and eager:
        _run_in_process(task, message)
    return error is None


def _run_in_process(task, message: OutboxMessage) -> None:
    """The embedded default: the task runs here (on the background pool, or at once)."""
    try:
        task.apply_async(kwargs=message.kwargs)
    except Exception:  # the task has recorded its failure; the request has committed
        logger.exception("Aufgabe %s (Postausgang %s) fehlgeschlagen", message.task, message.pk)


def dispatch_due(*, now: datetime.datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Hand over the pending messages whose next try is due; returns how many went."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if dispatch(pk))


def pending_count() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


def delete_sent(*, older_than: datetime.timedelta, now: datetime.datetime | None = None) -> int:
    """Handed-over messages are kept a while (what went out when), then deleted."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _per_model = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
