"""Celery tasks of the reporting app: thin wrappers around ``services`` and ``schedule``.

``render_report`` is safe to redeliver: ``acks_late`` with
``reject_on_worker_lost`` puts a task whose worker died back on the queue,
and ``services.report_render`` renders only a report in the expected state,
under a row lock, with an atomic file move.
"""

from __future__ import annotations

import logging
import os

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import services

logger = logging.getLogger(__name__)

# Errors that may go away by themselves: the database restarting, a full disk.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, services.TransientRenderError, OSError)
MAX_RETRIES = 4


def _test_pause() -> float:
    """Test hook: seconds to hold a rendering after the temporary file is written
    (so the fault test can SIGKILL the worker mid-render). 0 in normal operation."""
    return float(
        getattr(settings, "REPORTING_RENDER_PAUSE", 0)
        or os.environ.get("REPORTING_RENDER_PAUSE", 0)
    )


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    name="reporting.render_report",
)
def render_report(self, report_id: int) -> str:
    try:
        report = services.report_render(report_id=report_id, pause=_test_pause())
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            with override("de"):
                services.report_fail(
                    report_id=report_id,
                    reason=_("Nach %(n)s Versuchen abgebrochen: %(error)s")
                    % {"n": self.request.retries + 1, "error": exc},
                )
            return "failed"
        # Back-off: 10 s, 20 s, 40 s, 80 s.
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    except SoftTimeLimitExceeded:
        with override("de"):
            services.report_fail(
                report_id=report_id,
                reason=_("Die Erstellung hat das Zeitlimit überschritten."),
            )
        return "failed"
    except Exception as exc:
        logger.exception("Bericht %s: Erstellung fehlgeschlagen", report_id)
        with override("de"):
            services.report_fail(
                report_id=report_id,
                reason=_("Fehler bei der Erstellung: %(error)s")
                % {"error": f"{exc.__class__.__name__}: {exc}"},
            )
        return "failed"
    return "rendered" if report is not None else "skipped"


@shared_task(name="reporting.generate_period_reports", ignore_result=True)
def generate_period_reports() -> int:
    from . import periodic

    return periodic.generate_period_reports()


@shared_task(name="reporting.send_reminders", ignore_result=True)
def send_reminders() -> int:
    from . import periodic

    return periodic.send_reminders()


from .funding.tasks import render_proof_of_use  # noqa: E402, F401 - registers the task
