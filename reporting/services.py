"""State changes of reports (DESIGN.md §5: ``queued → rendering → ready | failed``;
``ready → submitted → acknowledged``).

Each service takes keyword arguments only, runs in one transaction, checks the
capability on the centre (``centers.access``), validates with ``full_clean`` and
leaves a history row. The rendering task goes through the outbox
(``centers.outbox``) in the request's transaction and is handed to the broker
once it commits; if the broker is unreachable the row stays ``queued`` with
``queue_error`` set, is shown as "konnte nicht eingereiht werden" with a retry
button, and the periodic sweep hands the message over once the broker is back.
A rendering whose worker died is taken over by the sweep (``centers.jobs``).
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from centers import jobs, outbox
from centers.access import Capability, has_center_perm, has_state_perm, require_center_perm
from centers.models import Center
from centers.notifications import notify_user
from centers.workflow.transitions import record_event, transition_apply

from .models import Report, ReportEventKind, ReportKind, ReportStatus
from .workflows import REPORT

logger = logging.getLogger(__name__)

# A queued report whose task was published this long ago and still has not
# started is enqueued again by the sweep (a lost message never loses the row).
STALE_QUEUED_AFTER = datetime.timedelta(minutes=30)
RENDER_TASK = "reporting.render_report"


# --- requesting -----------------------------------------------------------------


def _next_number(*, kind: str, center: Center | None, period_start: datetime.date) -> int:
    current = (
        Report.objects.select_for_update()
        .filter(kind=kind, center=center, period_start=period_start)
        .aggregate(v=Max("number"))["v"]
    )
    return (current or 0) + 1


def _running(*, kind: str, center: Center | None, period_start, period_end) -> Report | None:
    return (
        Report.objects.select_for_update()
        .filter(
            kind=kind,
            center=center,
            period_start=period_start,
            period_end=period_end,
            status__in=ReportStatus.in_progress(),
        )
        .first()
    )


def _request(
    *, kind: str, center: Center | None, period_start, period_end, user
) -> tuple[Report, bool]:
    """The in-progress report for this kind, centre and period, or a new version.

    Requested twice at once (double click, two people, three tabs): one report. The
    requests of one series queue behind the lock on its latest report and then find the
    first one's; the very first report of a series has no row to lock, so two requests
    may both insert number 1 — the constraint ``report_unique_number`` refuses the
    second, which then returns the first one's report instead of an error."""
    if period_start is None or period_end is None or period_end < period_start:
        raise ValidationError(_("Bitte geben Sie einen gültigen Berichtszeitraum an."))
    series = {"kind": kind, "center": center, "period_start": period_start}
    Report.objects.select_for_update().filter(**series).order_by("-number").first()
    for _attempt in range(3):
        running = _running(period_end=period_end, **series)
        if running is not None:
            # Requested twice (double click, two people): one report, one file.
            return running, False
        report = Report(
            period_end=period_end,
            number=_next_number(**series),
            requested_by=user,
            **series,
        )
        report._history_user = user
        try:
            with transaction.atomic():
                # full_clean checks the number too (the only check where the database
                # cannot hold the constraint); against a request that has not committed
                # yet only the database's constraint helps: the IntegrityError.
                report.full_clean()
                report.save()
                _event(report, ReportEventKind.REQUESTED, user)
                enqueue(report_id=report.pk)
        except (IntegrityError, ValidationError):
            if not Report.objects.filter(number=report.number, **series).exists():
                raise
            logger.info("Bericht %s/%s/%s: gleichzeitig angefordert", kind, center, period_start)
            continue
        return report, True
    raise ValidationError(
        _("Der Bericht wird gerade von anderer Seite angefordert. Bitte versuchen Sie es erneut.")
    )


@transaction.atomic
def report_request(
    *, center: Center, period_start: datetime.date, period_end: datetime.date, user
) -> Report:
    """The KI-Leitung requests the centre report to LaSI for a plan period."""
    if user is not None:
        require_center_perm(
            user,
            Capability.REQUEST_REPORT,
            center,
            _("Sie dürfen für dieses Zentrum keinen Bericht anfordern."),
        )
    report, _created = _request(
        kind=ReportKind.CENTER,
        center=center,
        period_start=period_start,
        period_end=period_end,
        user=user,
    )
    return report


@transaction.atomic
def state_overview_request(*, period_start, period_end, user) -> Report:
    """LaSI or the ministry request the state-wide overview (PDF and XLSX)."""
    if not may_request_state_overview(user):
        raise PermissionDenied(_("Sie dürfen die landesweite Übersicht nicht anfordern."))
    report, _created = _request(
        kind=ReportKind.STATE,
        center=None,
        period_start=period_start,
        period_end=period_end,
        user=user,
    )
    return report


def may_request_state_overview(user) -> bool:
    """The overview holds every centre's plan status: LaSI and the ministry
    (state-wide ``view_plan``), not the funding authority."""
    return has_state_perm(user, Capability.VIEW_STATE_OVERVIEW) and has_state_perm(
        user, Capability.VIEW_PLAN
    )


def _may_request(user, report: Report) -> bool:
    if report.kind == ReportKind.STATE:
        return may_request_state_overview(user)
    return has_center_perm(user, Capability.REQUEST_REPORT, report.center)


@transaction.atomic
def report_retry(*, report: Report, user) -> Report:
    """Start a failed report, or one that could not be queued, again."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not _may_request(user, report):
        raise PermissionDenied(_("Sie dürfen diesen Bericht nicht erneut anfordern."))
    if not (report.status == ReportStatus.FAILED or report.failed_to_queue):
        raise ValidationError(
            _("Nur ein fehlgeschlagener Bericht kann erneut gestartet werden (Status: %(status)s).")
            % {"status": report.get_status_display()}
        )
    report.status = ReportStatus.QUEUED
    report.failure_reason = ""
    report.queue_error = ""
    report.enqueued_at = None
    report.takeovers = 0
    report.heartbeat_at = timezone.now()
    report._change_reason = "retry"
    report.full_clean()
    report._history_user = user
    report.save()
    _event(report, ReportEventKind.RETRIED, user)
    enqueue(report_id=report.pk)
    return report


def enqueue(*, report_id: int) -> None:
    """Write the rendering task into the outbox, in the caller's transaction.

    It is handed to the broker once that commits (so the worker always finds the
    row), or by the sweep if the broker is away; never raises into the request.
    """
    outbox.enqueue(RENDER_TASK, report_id=report_id)


def enqueue_delivered(kwargs: dict, error: str | None) -> None:
    """The outbox's word on a rendering task: the page says whether it is queued."""
    queued = Report.objects.filter(pk=kwargs.get("report_id"), status=ReportStatus.QUEUED)
    if error is None:
        queued.update(enqueued_at=timezone.now(), queue_error="")
        return
    queued.update(
        queue_error=_("Die Aufgabe konnte nicht in die Warteschlange gestellt werden: %(error)s")
        % {"error": error.split(":", 1)[0]},
        enqueued_at=None,
    )


def reports_sweep(
    *, now: datetime.datetime | None = None, stale_before: datetime.datetime | None = None
) -> int:
    """Part of ``centers.jobs.sweep``: send queued reports again whose message was lost
    in the broker, and take over renderings whose worker died. Returns how many.

    Messages that never reached the broker are the outbox's business. Safe to run at
    any time: the task renders only a report in the expected state, so a report that
    is in the queue twice is still rendered once.
    """
    now = now or timezone.now()
    stale_before = stale_before or now - jobs.heartbeat_timeout()
    lost = list(
        Report.objects.filter(
            status=ReportStatus.QUEUED, enqueued_at__lt=now - STALE_QUEUED_AFTER
        ).values_list("pk", flat=True)
    )
    for pk in lost:
        with transaction.atomic():
            if Report.objects.filter(pk=pk, status=ReportStatus.QUEUED).update(enqueued_at=None):
                enqueue(report_id=pk)
    stale = list(
        Report.objects.filter(status=ReportStatus.RENDERING)
        .filter(
            Q(heartbeat_at__lt=stale_before)
            | Q(heartbeat_at__isnull=True, rendering_started_at__lt=stale_before)
        )
        .values_list("pk", flat=True)
    )
    taken = sum(1 for pk in stale if _take_over_stale(pk, stale_before=stale_before))
    return len(lost) + taken


def _take_over_stale(report_id: int, *, stale_before: datetime.datetime) -> bool:
    with transaction.atomic():
        # A live rendering holds the row's lock: skipped, however old its heartbeat.
        report = (
            Report.objects.select_for_update(skip_locked=True)
            .filter(pk=report_id, status=ReportStatus.RENDERING)
            .first()
        )
        if report is None:
            return False
        beat = report.heartbeat_at or report.rendering_started_at
        if beat is not None and beat >= stale_before:
            return False
        if _take_over(report):
            report.status = ReportStatus.QUEUED
            report.enqueued_at = None
            report.save(update_fields=["status", "enqueued_at", "takeovers", "heartbeat_at"])
            enqueue(report_id=report.pk)
    logger.warning("Bericht %s: Erstellung übernommen (Neustart %s)", report_id, report.takeovers)
    return True


def _take_over(report: Report) -> bool:
    """A rendering whose worker died (the caller holds the row's lock): count the
    takeover; ``False`` if that was one too many and the report has failed."""
    report.takeovers += 1
    report.heartbeat_at = timezone.now()
    if report.takeovers <= jobs.max_takeovers():
        return True
    report.save(update_fields=["takeovers", "heartbeat_at"])
    with override("de"):
        reason = _(
            "Die Erstellung wurde %(n)s-mal unterbrochen, weil der Hintergrunddienst "
            "beendet wurde, und deshalb abgebrochen. Bitte versuchen Sie es erneut."
        ) % {"n": report.takeovers}
    _fail_locked(report, reason)
    return False


# --- after rendering -----------------------------------------------------------------


def report_submit(*, report: Report, user, expected_version: int | None = None) -> Report:
    """The KI-Leitung submits a ready centre report to the LaSI (Nr. 3.6)."""
    return transition_apply(
        REPORT, "submit", obj=report, user=user, expected_version=expected_version
    )


def report_acknowledge(*, report: Report, user, expected_version: int | None = None) -> Report:
    """The LaSI acknowledges a submitted centre report."""
    return transition_apply(
        REPORT, "acknowledge", obj=report, user=user, expected_version=expected_version
    )


def _event(report: Report, kind: str, user=None) -> None:
    record_event(report, center=report.center, kind=kind, actor=user)


# --- rendering (called by the Celery task) -----------------------------------------


class TransientRenderError(Exception):
    """A failure worth another try (database gone away, disk briefly full)."""


def _claim_for_rendering(report_id: int) -> bool:
    """Short transaction: mark the report ``rendering`` so the progress page shows it.

    ``rendering`` is accepted as well: that is a redelivered task whose worker
    died mid-render (a live rendering holds the lock until it is done, so a
    duplicate waits here and then finds the report ready). It counts as a takeover.
    """
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status not in ReportStatus.in_progress():
            return False
        if report.status == ReportStatus.RENDERING and not _take_over(report):
            return False
        report.status = ReportStatus.RENDERING
        report.attempts += 1
        report.rendering_started_at = report.heartbeat_at = timezone.now()
        report.queue_error = ""
        report.save(
            update_fields=[
                "status",
                "attempts",
                "rendering_started_at",
                "heartbeat_at",
                "takeovers",
                "queue_error",
            ]
        )
    return True


def report_render(*, report_id: int, pause: float = 0.0) -> Report | None:
    """Render the report's files and mark it ``ready``; idempotent.

    - Only a report in ``queued``/``rendering`` is rendered; a ready, failed,
      submitted or acknowledged one is left alone (a redelivered task is a no-op).
    - The rendering runs while holding the row lock (``select_for_update``):
      a second copy of the task waits and then finds the report ready.
    - Each file is written to a temporary file beside its final, pre-assigned
      name and moved into place with ``os.replace``; stale temporary files of
      a killed worker are removed first. A crash therefore never leaves a half
      file, and a redelivery never a second one.

    ``pause`` (seconds, tests only) holds the rendering after the temporary
    file is written, so a test can kill the worker mid-render.
    """
    from . import rendering

    if not _claim_for_rendering(report_id):
        return None
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("center", "center__sponsor", "center__school_authority")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.status != ReportStatus.RENDERING:
            return None
        result = rendering.render_files(report, pause=pause)
        report.file.name = result.pdf.name
        report.file_size = result.pdf.size
        report.sha256 = result.pdf.sha256
        report.page_count = result.page_count
        if result.xlsx is not None:
            report.xlsx_file.name = result.xlsx.name
            report.xlsx_sha256 = result.xlsx.sha256
        report.generated_at = timezone.now()
        report.generated_by = rendering.worker_label()
        report.status = ReportStatus.READY
        report.failure_reason = ""
        report.full_clean()
        report.save()
        _event(report, ReportEventKind.READY)
    return report


@transaction.atomic
def report_fail(*, report_id: int, reason: str) -> None:
    """Record why rendering failed; the page offers a retry."""
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None or report.status not in ReportStatus.in_progress():
        return
    _fail_locked(report, reason)


def _fail_locked(report: Report, reason: str) -> None:
    report.status = ReportStatus.FAILED
    report.failure_reason = reason[:2000]
    report.save(update_fields=["status", "failure_reason"])
    _event(report, ReportEventKind.FAILED)
    if report.requested_by_id:
        notify_user(
            user=report.requested_by,
            subject=_("Bericht konnte nicht erstellt werden"),
            template="reporting/email/report_failed.txt",
            context={"report": report},
        )
