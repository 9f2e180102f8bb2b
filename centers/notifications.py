"""German e-mail notifications, sent by a Celery task after the transaction commits."""

from collections.abc import Iterable

from django.db import transaction
from django.template.loader import render_to_string


def notify(*, recipients: Iterable[str], subject: str, template: str, context: dict) -> None:
    """Render the mail now (inside the service), send it once the change is committed.

    ``template`` is a plain-text template; the body is rendered with the data
    as it is in this transaction, so the mail tells what the change did.
    """
    from .tasks import send_email

    to = sorted({r for r in recipients if r})
    if not to:
        return
    body = render_to_string(template, context)
    transaction.on_commit(lambda: send_email.delay(to=to, subject=str(subject), body=body))
