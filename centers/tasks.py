"""Celery tasks of the base app: the outbox's mails and the one periodic sweep."""

from celery import shared_task
from django.core.mail import send_mail


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: list[str], subject: str, body: str) -> None:
    send_mail(subject=subject, message=body, from_email=None, recipient_list=to)


@shared_task(name="centers.sweep_jobs", ignore_result=True)
def sweep_jobs() -> dict[str, int]:
    """Outbox messages the broker has not taken yet, and jobs whose worker died."""
    from . import jobs

    return jobs.sweep()
