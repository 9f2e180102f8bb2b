"""The staffing-list import as state changes (DESIGN.md §6): checking and writing a
list in one transaction, the browser's import jobs with their stored preview, and
the bulk writes (COPY on PostgreSQL) with their history.

Parsing and the row-by-row comparison live in ``staffing.importing``; reading
the file's cells in ``staffing.spreadsheet``; the decree's rules in ``staffing.rules``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from centers import jobs, outbox

from . import importing, spreadsheet
from .models import (
    Assignment,
    ImportJob,
    ImportRow,
    ImportStatus,
    Post,
    StaffMember,
)

logger = logging.getLogger(__name__)

# --- the staffing-list import (DESIGN.md §6) ---------------------------------------------------------


def staffing_list_import(
    *,
    source: Iterable[list],
    user,
    dry_run: bool,
    end_missing_on: date | None = None,
    progress: Callable[[int], None] | None = None,
    on_row: Callable[[importing.RowResult], None] | None = None,
) -> spreadsheet.ImportResult:
    """Check a staffing list and, unless ``dry_run`` or any row has an error, write it in
    one transaction: all or nothing. Importing the same file twice writes nothing the
    second time. With ``end_missing_on`` ("Vollständige Liste") the assignments of the
    centres' people who are missing from the file end on that day.

    The file is streamed (``spreadsheet.CHUNK`` rows at a time, the stored people looked
    up for ``importing.LOOKUP_CHUNKS`` chunks at once); rows that change
    nothing are decided at once, new and changed ones at the end of the file, when
    the centres' staffing as the file leaves it is known (``importing.Checker``).
    ``on_row`` sees every row once it is decided; ``progress`` gets the number of
    rows checked so far.
    """
    result = spreadsheet.ImportResult()

    def decided(rows: list[importing.RowResult]) -> None:
        for row in rows:
            result.add(row)
            if on_row is not None:
                on_row(row)

    try:
        with _without_gc_pauses(), transaction.atomic():
            checker = importing.Checker(user=user, end_missing_on=end_missing_on)
            checked = 0
            for rows, done in checker.check_chunks(spreadsheet.read_chunks(source, result)):
                checked += len(rows)
                decided(done)
                if progress is not None:
                    progress(checked)
            if result.file_errors:
                return result
            decided(checker.finish(plan=not dry_run))
            result.missing = checker.plan.missing
            result.new_posts = len(checker.plan.new_posts)
            if dry_run or result.has_errors:
                return result
            result.written_at = _PlanWriter(user=user, checker=checker).write()
            result.written = True
            if result.counts[importing.NEW] >= ANALYZE_AFTER_ROWS:
                transaction.on_commit(_analyze_staffing_tables)
    except IntegrityError:
        # Someone else stored the same person (or assignment) while this import ran:
        # the whole import is rolled back and the user checks the file again.
        logger.warning("Import einer Personalliste: Konflikt beim Schreiben", exc_info=True)
        result.written = False
        result.written_at = None
        result.file_errors.append(
            _(
                "Während des Imports wurden dieselben Personen an anderer Stelle gespeichert; "
                "es wurde nichts importiert. Bitte laden Sie die Datei erneut hoch und prüfen "
                "Sie die Vorschau."
            )
        )
    return result


@contextlib.contextmanager
def _without_gc_pauses():
    """The check builds a few objects per row and frees none of them until the end, so
    the cyclic garbage collector only scans a growing heap (a third of a 10,000-row dry
    run's time). Reference counting still frees everything; the collector is switched
    back on afterwards (by whoever switched it off, when two imports overlap)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# PostgreSQL's advice after a bulk load ("Populating a Database: run ANALYZE
# afterwards"): the planner's statistics still describe the tables before the
# import until autovacuum gets to them, and the next import's lookups suffer.
ANALYZE_AFTER_ROWS = 10_000


def _analyze_staffing_tables() -> None:
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    tables = ", ".join(qn(m._meta.db_table) for m in (StaffMember, Post, Assignment))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# --- the import in the browser: a job with a preview ------------------------------------------------


@transaction.atomic
def import_job_create(
    *, user, filename: str, content: bytes, end_missing_on: date | None = None
) -> ImportJob:
    """An uploaded list waits for its check. ``end_missing_on``: "Vollständige Liste" —
    the confirmed import ends the assignments of people missing from it on that day."""
    # A rough row count for the progress bar (CSV); XLSX shows progress without a total.
    total = content.count(b"\n") if not content.startswith(b"PK") else 0
    job = ImportJob(
        user=user,
        filename=filename[:255],
        content=content,
        total=total,
        end_missing_on=end_missing_on,
        heartbeat_at=timezone.now(),
    )
    job.save()
    _enqueue(job)
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    """Run the checked import for real (again checked: the data may have changed since)."""
    if job.user_id != user.pk:
        raise PermissionDenied
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.QUEUED,
        processed=0,
        confirmed=True,
        heartbeat_at=timezone.now(),
        takeovers=0,
    )
    if not updated:
        raise ValidationError(_("Dieser Import wurde bereits ausgeführt oder wird gerade geprüft."))
    if job.result.get("has_errors"):
        raise ValidationError(_("Die Datei enthält Fehler; es wird nichts importiert."))
    job.refresh_from_db()
    _enqueue(job)
    return job


@transaction.atomic
def import_job_retry(*, job: ImportJob, user) -> ImportJob:
    """Start a failed check or import again (e.g. one the sweep gave up on after its
    worker died more than ``JOB_MAX_TAKEOVERS`` times), from the beginning."""
    if job.user_id != user.pk:
        raise PermissionDenied
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
        status=ImportStatus.QUEUED,
        processed=0,
        heartbeat_at=timezone.now(),
        takeovers=0,
        failure_reason="",
        finished_at=None,
    )
    if not updated:
        raise ValidationError(_("Nur ein fehlgeschlagener Import kann erneut gestartet werden."))
    job.refresh_from_db()
    _enqueue(job)
    return job


UNDO_MODELS = (Assignment, Post, StaffMember)  # deleted in this order (PROTECT)
UNDO_REASON = "Import rückgängig gemacht"  # history_change_reason of the undo's rows


@transaction.atomic
def import_job_undo(*, job: ImportJob, user) -> dict[str, int]:
    """Take a confirmed import back, all or nothing: what it created is deleted, what it
    changed gets its values from before. Refused when anything it wrote has been
    changed since, or when something else (a plan's staff-time allocation) now refers
    to what it created. The history keeps the import and its undo (both by their user).

    The import's history rows are found by their moment (``job.written_at``)."""
    if job.user_id != user.pk:
        raise PermissionDenied
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.DONE or job.written_at is None:
        raise ValidationError(
            _("Nur ein abgeschlossener Import kann rückgängig gemacht werden.")
            if job.status != ImportStatus.UNDONE
            else _("Dieser Import wurde bereits rückgängig gemacht.")
        )
    when, now = job.written_at, timezone.now()
    counts = {}
    plans = []
    for model in UNDO_MODELS:
        history = model.history.model
        rows = list(history.objects.filter(history_date=when, history_user_id=user.pk))
        ids = [r.id for r in rows]
        later = set()
        for chunk in importing._chunks(ids):
            later |= set(
                history.objects.filter(id__in=chunk, history_date__gt=when).values_list(
                    "id", flat=True
                )
            )
        if later:
            names = ", ".join(
                str(obj) for obj in model.objects.filter(pk__in=sorted(later)[:5])
            ) or ", ".join(str(pk) for pk in sorted(later)[:5])
            raise ValidationError(
                _(
                    "Der Import kann nicht rückgängig gemacht werden: {n} seiner Einträge "
                    "({kind}) wurden seitdem geändert, z. B. {names}. Bitte korrigieren Sie "
                    "diese von Hand."
                ).format(n=len(later), kind=model._meta.verbose_name_plural, names=names)
            )
        plans.append((model, rows))
    # Changed objects get their values from before the import back.
    for model, rows in plans:
        changed = {r.id: r for r in rows if r.history_type == "~"}
        if not changed:
            continue
        before: dict[int, object] = {}
        history = model.history.model
        for chunk in importing._chunks(list(changed)):
            for record in history.objects.filter(id__in=chunk, history_date__lt=when).order_by(
                "history_date", "history_id"
            ):
                before[record.id] = record
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and f.attname != "version"
        ]
        objs = list(model.objects.filter(pk__in=list(changed)))
        for obj in objs:
            old = before[obj.pk]
            for f in fields:
                setattr(obj, f, getattr(old, f))
            obj.version += 1
        bulk_update_with_history(
            objs,
            model,
            [*fields, "version"],
            batch_size=1000,
            default_user=user,
            default_date=now,
            default_change_reason=UNDO_REASON,
        )
        counts[f"{model._meta.model_name}_restored"] = len(objs)
    # Created objects are deleted (assignments first: posts and people are protected).
    for model, rows in plans:
        created = [r.id for r in rows if r.history_type == "+"]
        if not created:
            continue
        try:
            with transaction.atomic():
                for chunk in importing._chunks(created):
                    # simple_history records each deletion ("-") with the request's user;
                    # the reason tells it from a deletion by hand.
                    model.objects.filter(pk__in=chunk).delete()
                    model.history.filter(
                        id__in=chunk, history_type="-", history_date__gte=now
                    ).update(history_change_reason=UNDO_REASON)
        except ProtectedError as exc:
            names = ", ".join(sorted({str(o) for o in list(exc.protected_objects)[:3]}))
            raise ValidationError(
                _(
                    "Der Import kann nicht rückgängig gemacht werden: Auf seine Einträge "
                    "verweist inzwischen anderes ({names}). Beenden Sie die Besetzungen "
                    "stattdessen."
                ).format(names=names)
            ) from None
        counts[f"{model._meta.model_name}_deleted"] = len(created)
    job.status = ImportStatus.UNDONE
    job.undone_at = now
    job.save(update_fields=["status", "undone_at"])
    return counts


IMPORT_TASK = "staffing.tasks.import_job_process"
# A queued job whose message was sent this long ago and has not started lost its
# message in the broker: the sweep sends it again (harmless twice: the claim decides).
STALE_QUEUED_AFTER = timedelta(minutes=30)


def _enqueue(job: ImportJob) -> None:
    """The job's task, through the outbox in the caller's transaction (centers.outbox)."""
    outbox.enqueue(IMPORT_TASK, job_id=str(job.pk), confirm=job.confirmed)


def _take_over(job: ImportJob, now) -> bool:
    """A run whose worker died (the caller holds the job's lock): count the takeover;
    ``False`` if that was one too many and the job has failed."""
    job.takeovers += 1
    job.heartbeat_at = now
    if job.takeovers <= jobs.max_takeovers():
        return True
    job.status = ImportStatus.FAILED
    job.finished_at = now
    with override("de"):
        job.failure_reason = _(
            "Die Verarbeitung wurde %(n)s-mal unterbrochen, weil der Hintergrunddienst "
            "beendet wurde, und deshalb abgebrochen. Es wurde nichts importiert. Bitte "
            "versuchen Sie es erneut."
        ) % {"n": job.takeovers}
    job.save(update_fields=["takeovers", "heartbeat_at", "status", "finished_at", "failure_reason"])
    logger.warning("Import %s: nach %s Neustarts aufgegeben", job.pk, job.takeovers)
    return False


def import_jobs_sweep(*, now=None, stale_before=None) -> int:
    """Part of ``centers.jobs.sweep``: send queued jobs again whose message was lost, and
    take over checks and imports whose worker died (their transaction was rolled back
    with the worker's session; they restart from the beginning). Returns how many."""
    now = now or timezone.now()
    stale_before = stale_before or now - jobs.heartbeat_timeout()
    count = 0
    for pk in ImportJob.objects.filter(
        status=ImportStatus.QUEUED, heartbeat_at__lt=now - STALE_QUEUED_AFTER
    ).values_list("pk", flat=True):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status=ImportStatus.QUEUED
            )
            job = job.only("pk", "confirmed").first()
            if job is not None:
                ImportJob.objects.filter(pk=pk).update(heartbeat_at=now)
                _enqueue(job)
                count += 1
    stale = ImportJob.objects.filter(status__in=RUNNING).filter(
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True)
    )
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            # A live run holds its job's lock: skipped, however old its heartbeat.
            job = (
                ImportJob.objects.select_for_update(skip_locked=True)
                .defer("content", "result")
                .filter(pk=pk, status__in=RUNNING)
                .first()
            )
            if job is None or (job.heartbeat_at and job.heartbeat_at >= stale_before):
                continue
            if _take_over(job, now):
                job.status = ImportStatus.QUEUED
                job.save(update_fields=["status", "takeovers", "heartbeat_at"])
                _enqueue(job)
                logger.warning("Import %s: übernommen (Neustart %s)", job.pk, job.takeovers)
            count += 1
    return count


def _progress_key(job_id) -> str:
    return f"staffing:import-progress:{job_id}"


def import_job_progress(job: ImportJob) -> int:
    """Rows done of a running job. A confirmed import runs in one transaction that no
    one else sees until it commits, so its progress goes through the cache."""
    return cache.get(_progress_key(job.pk), job.processed)


def import_jobs_delete_old(*, now=None) -> int:
    """Delete uploads (file and preview) older than ``IMPORT_JOB_RETENTION_DAYS``;
    what they imported stays. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_JOB_RETENTION_DAYS)
    with transaction.atomic():
        _total, per_model = ImportJob.objects.filter(created_at__lt=cutoff).delete()
    return per_model.get(ImportJob._meta.label, 0)


class _PreviewRows:
    """Stores a check's rows as ``ImportRow``, a batch at a time (on PostgreSQL
    through ``COPY``: the preview of a large file is as many rows as the file)."""

    BATCH = 1000
    COLUMNS = (
        "job_id",
        "number",
        "status",
        "label",
        "errors",
        "changes",
        "warnings",
        "post_label",
        "new_post",
    )
    JSON = frozenset({"errors", "changes", "warnings"})

    def __init__(self, job_id):
        self.job_id, self.batch = job_id, []

    def __call__(self, row: importing.RowResult | spreadsheet.ErrorRow) -> None:
        number, status, label, errors, changes = row.preview()
        if isinstance(row, importing.RowResult):
            warnings, landing, new_post = (
                list(row.warnings),
                row.values.get("landing") or "",
                bool(row.values.get("new_post")),
            )
        else:
            warnings, landing, new_post = [], "", False
        self.batch.append(
            (
                self.job_id,
                number,
                status,
                label[:500],
                [list(e) for e in errors],
                list(changes),
                warnings,
                landing[:100],
                new_post,
            )
        )
        if len(self.batch) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                _copy(
                    cursor,
                    ImportRow._meta.db_table,
                    list(self.COLUMNS),
                    (
                        tuple(
                            json.dumps(value) if column in self.JSON else value
                            for column, value in zip(self.COLUMNS, r, strict=True)
                        )
                        for r in self.batch
                    ),
                )
        else:
            ImportRow.objects.bulk_create(
                ImportRow(**dict(zip(self.COLUMNS, r, strict=True))) for r in self.batch
            )
        self.batch = []


MISSING_SHOWN = 500  # people "nicht in der Liste" kept on the job for the preview


RUNNING = (ImportStatus.CHECKING, ImportStatus.IMPORTING)


def _claim(job_id, *, confirm: bool) -> ImportJob | None:
    """Short transaction: mark the job as running so the page shows it, or ``None``.

    A job still marked as running whose lock nobody holds was left by a worker that
    died: a redelivered task (the broker's answer to a killed pool process) takes it
    over at once. A live run holds the lock, so a duplicate task skips it."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .defer("content", "result")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return None  # deleted, or a live run holds it
        if job.status in RUNNING:
            fresh = job.heartbeat_at and job.heartbeat_at >= now - jobs.heartbeat_timeout()
            if fresh and not connection.features.has_select_for_update_skip_locked:
                return None  # no row locks to tell a live run (SQLite): the sweep decides
            if not _take_over(job, now):
                return None
        elif job.status != ImportStatus.QUEUED:
            return None
        job.confirmed = job.confirmed or confirm  # a message from before ``confirmed``
        job.status = ImportStatus.IMPORTING if job.confirmed else ImportStatus.CHECKING
        job.heartbeat_at = now
        job.processed = 0
        job.save(update_fields=["confirmed", "status", "heartbeat_at", "processed", "takeovers"])
    return job


def import_job_process(*, job_id, confirm: bool = False, pause: float = 0.0) -> None:
    """The work behind the task: dry run (or import), outcome stored on the job.

    Idempotent: a redelivered task finds the job no longer queued and stops, unless
    its run died (then it starts again from the beginning; see ``_claim``). The run
    holds the job's lock in one transaction with everything it writes — the preview
    rows, the import, the outcome — so a worker that dies leaves nothing half-done.
    The check stores the preview row by row; the confirmed import keeps that
    preview, unless it finds errors (the data changed since): then those are shown.

    ``pause`` (seconds, tests only) holds each chunk, so a test can kill the worker.
    """
    claimed = _claim(job_id, confirm=confirm)
    if claimed is None:
        return
    confirm, run = claimed.confirmed, {"status": claimed.status, "takeovers": claimed.takeovers}
    key = _progress_key(job_id)

    def progress(n: int) -> None:
        cache.set(key, n, timeout=3600)
        if pause:
            time.sleep(pause)

    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(of=("self",))
                .select_related("user")
                .filter(pk=job_id, **run)
                .first()
            )
            if job is None:
                return  # taken over in the moment between the claim and here
            preview = None if confirm else _PreviewRows(job_id)
            if preview:
                ImportRow.objects.filter(job_id=job_id).delete()
            result = staffing_list_import(
                source=spreadsheet.iter_file(bytes(job.content)),
                user=job.user,
                dry_run=not confirm,
                end_missing_on=job.end_missing_on,
                progress=progress,
                on_row=preview,
            )
            if preview:
                preview.flush()
            elif result.has_errors:
                ImportRow.objects.filter(job_id=job_id).delete()
                rows = _PreviewRows(job_id)
                for row in result.error_rows:
                    rows(row)
                rows.flush()
            status = ImportStatus.DONE if confirm and result.written else ImportStatus.CHECKED
            ImportJob.objects.filter(pk=job_id).update(
                status=status,
                processed=result.total,
                total=result.total,
                result={
                    "counts": result.counts,
                    "file_errors": result.file_errors,
                    "has_errors": result.has_errors,
                    "summary": result.summary(),
                    "written": result.written,
                    "missing": result.missing[:MISSING_SHOWN],
                    "missing_count": len(result.missing),
                    "new_posts": result.new_posts,
                    "extra_columns": result.extra_columns,
                },
                written_at=result.written_at,
                finished_at=timezone.now(),
            )
    except Exception as exc:
        with override("de"):
            reason = _("Fehler bei der Verarbeitung: %(error)s") % {"error": exc.__class__.__name__}
        ImportJob.objects.filter(pk=job_id, **run).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), failure_reason=reason
        )
        raise
    finally:
        cache.delete(key)


# --- the writes of a confirmed import ---------------------------------------------------------------


class _PlanWriter:
    """Writes what the checker planned, in bulk and with history: people, new posts,
    changed and ended assignments, new assignments. Every history row carries the same
    moment (``when``): the import's mark, by which it can be undone."""

    def __init__(self, *, user, checker: importing.Checker):
        self.user, self.checker, self.plan = user, checker, checker.plan
        self.when = timezone.now()

    def write(self):
        self._members()
        posts = {
            id(planned): Post(
                center=planned.center,
                kind=planned.kind,
                label=planned.label,
                fte=planned.fte,
                funding_source=planned.funding_source,
                valid_from=planned.valid_from,
                valid_to=planned.valid_to,
            )
            for planned in self.plan.new_posts
        }
        _create_with_history(Post, list(posts.values()), user=self.user, when=self.when)

        def post_id(planned: importing.PlannedPost) -> int:
            return planned.pk if planned.pk is not None else posts[id(planned)].pk

        changes = {
            pk: {f: (post_id(value) if f == "post_id" else value) for f, value in values.items()}
            for pk, values in self.plan.changed.items()
        }
        for pk, day in self.plan.ended.items():
            changes.setdefault(pk, {})["end"] = day
        if changes:
            fields = sorted({f for values in changes.values() for f in values})
            self._update(
                Assignment.objects.filter(pk__in=list(changes)),
                fields,
                lambda a, f: changes[a.pk].get(f, getattr(a, f)),
            )
        people = self.checker.people
        for batch in importing._chunks(self.plan.new_assignments):
            _create_with_history(
                Assignment,
                [
                    Assignment(
                        member_id=people[a.email].member_id,
                        post_id=post_id(a.post),
                        fte=a.fte,
                        start=a.start,
                        end=a.end,
                        role=a.role,
                        seconding_school=a.seconding_school,
                    )
                    for a in batch
                ],
                user=self.user,
                when=self.when,
            )
        return self.when

    def _members(self) -> None:
        new, changed = [], {}
        for email, person in self.checker.people.items():
            if person.member_id is None:
                center = self.checker.centers[person.center_key]
                new.append(
                    StaffMember(
                        center=center,
                        email=email,
                        last_name=person.last_name,
                        first_name=person.first_name,
                        qualification=person.qualification,
                        qualification_subject=person.qualification_subject,
                    )
                )
            elif person.changes:
                changed[email] = person
        _create_with_history(StaffMember, new, user=self.user, when=self.when)
        for member in new:
            self.checker.people[member.email].member_id = member.pk
        if changed:
            self._update(
                StaffMember.objects.filter(email__in=list(changed)),
                importing.MEMBER_FIELDS,
                lambda member, f: getattr(changed[member.email], f),
            )

    def _update(self, queryset, fields, value) -> None:
        """Set ``fields`` of the stored objects to ``value(obj, field)``, count up the
        version (optimistic locking: open forms notice) and record the history."""
        objs = list(queryset)
        for obj in objs:
            for f in fields:
                setattr(obj, f, value(obj, f))
            obj.version += 1
        bulk_update_with_history(
            objs,
            queryset.model,
            [*fields, "version"],
            batch_size=1000,
            default_user=self.user,
            default_date=self.when,
        )


def _create_with_history(model, objs: list, *, user, when) -> None:
    """Insert ``objs`` with their "created" history rows, like simple_history's
    ``bulk_create_with_history``; on PostgreSQL through ``COPY`` (ids reserved from
    the sequence first), because per-value ORM preparation dominated the import."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, batch_size=1000, default_user=user, default_date=when)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    history = model.history.model
    history_fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    extra = {
        "history_date": when,
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": user.pk if user is not None else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
        _copy(
            cursor,
            model._meta.db_table,
            ["id", *[f.column for f in fields]],
            ((obj.pk, *[getattr(obj, f.attname) for f in fields]) for obj in objs),
        )
        _copy(
            cursor,
            history._meta.db_table,
            [f.column for f in history_fields],
            (
                tuple(
                    extra[f.attname] if f.attname in extra else getattr(obj, f.attname)
                    for f in history_fields
                )
                for obj in objs
            ),
        )


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    # Raw psycopg: wrapped so that a violated constraint is Django's IntegrityError.
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
