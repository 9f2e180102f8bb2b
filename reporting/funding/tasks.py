"""Celery tasks of the funding package: the Verwendungsnachweis's PDF (thin; the work is in
``services.proof_render``). Redelivery-safe as the report's task: acks late, rejected on a
lost worker, and a proof already rendered is left alone. And the daily deletion of uploaded
documents past retention (``retention.documents_delete_expired``)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import retention, services

logger = logging.getLogger(__name__)
MAX_RETRIES = 4


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    name="reporting.render_proof_of_use",
)
def render_proof_of_use(self, proof_id: int) -> str:
    try:
        proof = services.proof_render(proof_id=proof_id)
    except (OperationalError, InterfaceError, OSError) as exc:
        if self.request.retries >= MAX_RETRIES:
            with override("de"):
                services.proof_document_fail(
                    proof_id=proof_id, reason=_("Nach mehreren Versuchen abgebrochen: %s") % exc
                )
            return "failed"
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    except SoftTimeLimitExceeded:
        with override("de"):
            services.proof_document_fail(
                proof_id=proof_id, reason=_("Die Erstellung hat das Zeitlimit überschritten.")
            )
        return "failed"
    except Exception as exc:
        logger.exception("Verwendungsnachweis %s: Erstellung fehlgeschlagen", proof_id)
        with override("de"):
            services.proof_document_fail(
                proof_id=proof_id,
                reason=_("Fehler bei der Erstellung: %(error)s")
                % {"error": f"{exc.__class__.__name__}: {exc}"},
            )
        return "failed"
    return "rendered" if proof is not None else "skipped"


@shared_task(name="reporting.delete_expired_documents", ignore_result=True)
def delete_expired_documents() -> int:
    # Idempotent: a deleted file is not found again (its field is empty).
    return retention.documents_delete_expired(today=timezone.localdate()).count
