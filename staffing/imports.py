"""The staffing-list import as state changes (DESIGN.md §6): checking and writing a
list in one transaction, the browser's import jobs with their stored preview, and
the bulk writes (COPY on PostgreSQL) with their history.

Parsing and the row-by-row comparison live in ``staffing.importing``; reading
the file's cells in ``staffing.spreadsheet``; the decree's rules in ``staffing.rules``.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from centers.models import Center

from . import importing, rules, spreadsheet
from .models import (
    Assignment,
    FundingSource,
    ImportJob,
    ImportRow,
    ImportStatus,
    Post,
    StaffMember,
)
from .services import default_post_settings

logger = logging.getLogger(__name__)

# --- the staffing-list import (DESIGN.md §6) ---------------------------------------------------------


def staffing_list_import(
    *,
    source: Iterable[list],
    user,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    on_row: Callable[[importing.RowResult], None] | None = None,
) -> spreadsheet.ImportResult:
    """Check a staffing list and, unless ``dry_run`` or any row has an error, write it in
    one transaction. Importing the same file twice writes nothing the second time.

    The file is streamed: rows are read, checked and written ``spreadsheet.CHUNK`` at a
    time, so memory does not grow with the file beyond a small record per person.
    A row with an error anywhere stops the writing and rolls back what was written:
    all or nothing. ``on_row`` sees every row once it is decided (held-back
    leadership rows last); ``progress`` gets the number of rows done so far.
    """
    result = spreadsheet.ImportResult()

    def decided(rows: list[importing.RowResult], writer: _ListWriter | None) -> None:
        for row in rows:
            result.add(row)
            if on_row is not None:
                on_row(row)
        if writer is not None and not result.has_errors:
            writer.write([r for r in rows if r.status != importing.ERROR])

    try:
        with transaction.atomic():
            checker = importing.Checker(user=user)
            writer = None if dry_run else _ListWriter(user=user, people=checker.people)
            for rows in spreadsheet.read_chunks(source, result):
                decided(checker.check(rows), writer)
                if progress is not None:
                    progress(result.total)
            decided(checker.finish(), writer)
            if dry_run:
                return result
            if result.has_errors:
                transaction.set_rollback(True)
                return result
            writer.close()
            result.written = True
            if result.counts[importing.NEW] >= ANALYZE_AFTER_ROWS:
                transaction.on_commit(_analyze_staffing_tables)
    except IntegrityError:
        # Someone else stored the same person (or assignment) while this import ran:
        # the whole import is rolled back and the user checks the file again.
        logger.warning("Import einer Personalliste: Konflikt beim Schreiben", exc_info=True)
        result.written = False
        result.file_errors.append(
            _(
                "Während des Imports wurden dieselben Personen an anderer Stelle gespeichert; "
                "es wurde nichts importiert. Bitte laden Sie die Datei erneut hoch und prüfen "
                "Sie die Vorschau."
            )
        )
    return result


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


def import_job_create(*, user, filename: str, content: bytes) -> ImportJob:
    # A rough row count for the progress bar (CSV); XLSX shows progress without a total.
    total = content.count(b"\n") if not content.startswith(b"PK") else 0
    job = ImportJob(user=user, filename=filename[:255], content=content, total=total)
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk, confirm=False))
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    """Run the checked import for real (again checked: the data may have changed since)."""
    if job.user_id != user.pk:
        raise PermissionDenied
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.QUEUED, processed=0
    )
    if not updated:
        raise ValidationError(_("Dieser Import wurde bereits ausgeführt oder wird gerade geprüft."))
    if job.result.get("has_errors"):
        raise ValidationError(_("Die Datei enthält Fehler; es wird nichts importiert."))
    transaction.on_commit(lambda: _enqueue(job.pk, confirm=True))
    job.refresh_from_db()
    return job


def _enqueue(job_id, *, confirm: bool) -> None:
    from .tasks import import_job_process

    import_job_process.delay(str(job_id), confirm)


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
    COLUMNS = ("job_id", "number", "status", "label", "errors", "changes")

    def __init__(self, job_id):
        self.job_id, self.batch = job_id, []

    def __call__(self, row: importing.RowResult | spreadsheet.ErrorRow) -> None:
        number, status, label, errors, changes = row.preview()
        self.batch.append(
            (self.job_id, number, status, label[:500], [list(e) for e in errors], list(changes))
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
                    ((*r[:4], json.dumps(r[4]), json.dumps(r[5])) for r in self.batch),
                )
        else:
            ImportRow.objects.bulk_create(
                ImportRow(**dict(zip(self.COLUMNS, r, strict=True))) for r in self.batch
            )
        self.batch = []


def import_job_process(*, job_id, confirm: bool) -> None:
    """The work behind the task: dry run (or import), outcome stored on the job.

    Idempotent: a redelivered task finds the job no longer queued and stops.
    The check stores the preview row by row; the confirmed import keeps that
    preview, unless it finds errors (the data changed since): then those are shown.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.IMPORTING if confirm else ImportStatus.CHECKING
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    key = _progress_key(job_id)
    preview = None if confirm else _PreviewRows(job_id)
    try:
        if preview:
            ImportRow.objects.filter(job_id=job_id).delete()
        result = staffing_list_import(
            source=spreadsheet.iter_file(bytes(job.content)),
            user=job.user,
            dry_run=not confirm,
            progress=lambda n: cache.set(key, n, timeout=3600),
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
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, finished_at=timezone.now()
        )
        raise
    finally:
        cache.delete(key)
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
        },
        finished_at=timezone.now(),
    )


# --- the writes of a confirmed import ---------------------------------------------------------------


class _NewAssignment(NamedTuple):
    """A new assignment, kept compactly until every change of the file is written."""

    number: int
    center: Center
    kind: str
    start: date
    end: date | None
    fte: int  # hundredths: small ints are shared, a Decimal per row is not
    role: str
    seconding_school: str
    member_id: int


class _ListWriter:
    """Writes checked rows: new and changed people and changed assignments a chunk
    at a time; new assignments at the end (``close``), on posts with room (new
    posts where none has). They wait because a change further down the file may
    raise a stored share of a post that a new assignment would otherwise fill."""

    def __init__(self, *, user, people: dict[str, importing.Person]):
        self.user, self.when, self.people = user, timezone.now(), people
        self.updated: set[str] = set()  # people whose changed columns are written
        self.new: list[_NewAssignment] = []

    def write(self, rows: list[importing.RowResult]) -> None:
        if rows:
            self._members(rows)
            self._changed_assignments([r for r in rows if r.status == importing.CHANGED])
            self.new.extend(
                _NewAssignment(
                    row.number,
                    (v := row.values)["center"],
                    v["kind"],
                    v["start"],
                    v["end"],
                    _hundredths(v["fte"]),
                    v["role"],
                    v["seconding_school"],
                    self.people[v["email"]].member_id,
                )
                for row in rows
                if row.status == importing.NEW
            )

    def close(self) -> None:
        """Place and write the new assignments, now that the stored ones are final."""
        posts = _PostAllocator(user=self.user, when=self.when)
        new, self.new = self.new, []
        for i in range(0, len(new), spreadsheet.CHUNK):
            batch = new[i : i + spreadsheet.CHUNK]
            chosen = posts.allocate(batch)
            _create_with_history(
                Assignment,
                [
                    Assignment(
                        member_id=a.member_id,
                        post=chosen[a.number],
                        fte=Decimal(a.fte) / 100,
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

    def _members(self, rows) -> None:
        new: dict[str, StaffMember] = {}
        changed: dict[str, importing.Person] = {}
        for row in rows:
            v = row.values
            person = self.people[v["email"]]
            if person.member_id is None and v["email"] not in new:
                new[v["email"]] = StaffMember(
                    center=v["center"],
                    email=v["email"],
                    last_name=v["last_name"],
                    first_name=v["first_name"],
                    qualification=v["qualification"],
                )
            elif person.changes and v["email"] not in self.updated:
                changed[v["email"]] = person
                self.updated.add(v["email"])
        if new:
            _create_with_history(StaffMember, list(new.values()), user=self.user, when=self.when)
            for email, member in new.items():
                self.people[email].member_id = member.pk
        if changed:
            self._update(
                StaffMember.objects.filter(email__in=list(changed)),
                importing.MEMBER_FIELDS,
                lambda member, f: getattr(changed[member.email], f),
            )

    def _changed_assignments(self, rows) -> None:
        by_pk = {
            r.values["stored"].pk: r
            for r in rows
            if any(
                getattr(r.values["stored"], f) != r.values[f] for f in importing.ASSIGNMENT_FIELDS
            )
        }
        if by_pk:
            self._update(
                Assignment.objects.filter(pk__in=list(by_pk)),
                importing.ASSIGNMENT_FIELDS,
                lambda assignment, f: by_pk[assignment.pk].values[f],
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


ALLOCATION_WINDOW = 64
ALLOCATION_KEEP = 4 * ALLOCATION_WINDOW


class _PostLoad:
    """What is taken of one post: every share, plus running figures for the
    open-ended ones, so that most checks per row end early. FTE in hundredths
    (integers): this runs for every candidate post of every new row."""

    __slots__ = ("post", "cap", "shares", "open_fte", "open_start", "closed")

    def __init__(self, post: Post):
        self.post, self.cap, self.shares = post, _hundredths(post.fte), []
        self.open_fte, self.open_start, self.closed = 0, None, 0

    def take(self, start, end, fte: int) -> None:
        self.shares.append((start, end, fte))
        if end is None:
            self.open_fte += fte
            self.open_start = start if self.open_start is None else max(self.open_start, start)
        else:
            self.closed += 1

    @property
    def full_for_good(self) -> bool:
        """Open-ended shares fill the post: it is never a candidate again."""
        return not self.closed and self.open_fte >= self.cap

    def has_room(self, start, end, fte: int) -> bool:
        post = self.post
        if not rules.within_post(start, end, post.valid_from, post.valid_to):
            return False
        # Quick reject: open-ended shares overlap the whole rest of time.
        if self.open_fte + fte > self.cap and (end is None or end >= self.open_start):
            return False
        taken = fte
        for s, e, f in self.shares:  # rules.overlaps, inlined
            if (e is None or start <= e) and (end is None or s <= end):
                taken += f
                if taken > self.cap:
                    return False
        return True


def _hundredths(fte: Decimal) -> int:
    return int(fte * 100)


class _PostAllocator:
    """Puts each new assignment on a post of its centre and kind that has room for it
    in its period; where none has, creates a post (size and funding from
    ``default_posts.csv``). A centre's posts are loaded when its first new row comes."""

    def __init__(self, *, user, when):
        self.user, self.when = user, when
        self.settings = default_post_settings()
        # (centre, kind) → candidate posts, oldest first. First fit looks at the newest
        # ALLOCATION_WINDOW; a full post leaves and an older one comes back into view.
        # A real centre has a dozen posts per kind; only a synthetic file with
        # thousands reaches ALLOCATION_KEEP, where the oldest are let go so that
        # time stays linear and memory flat.
        self.slots: dict[tuple[int, str], list[_PostLoad]] = defaultdict(list)
        self.loaded: set[int] = set()
        self.labels: dict[int, set[str]] = defaultdict(set)  # centre → its post labels

    def _load(self, center_ids: set[int]) -> None:
        center_ids = center_ids - self.loaded
        if not center_ids:
            return
        self.loaded |= center_ids
        by_id: dict[int, _PostLoad] = {}
        for post in Post.objects.filter(center_id__in=center_ids).order_by("valid_from", "pk"):
            by_id[post.pk] = _PostLoad(post)
            self.labels[post.center_id].add(post.label)
        for post_id, start, end, fte in Assignment.objects.filter(
            post__center_id__in=center_ids
        ).values_list("post_id", "start", "end", "fte"):
            by_id[post_id].take(start, end, _hundredths(fte))
        for load in by_id.values():
            if not load.full_for_good:
                self.slots[(load.post.center_id, load.post.kind)].append(load)

    def allocate(self, assignments: list[_NewAssignment]) -> dict[int, Post]:
        self._load({a.center.pk for a in assignments})
        chosen: dict[int, Post] = {}
        new_posts: list[Post] = []
        for a in assignments:
            candidates = self.slots[(a.center.pk, a.kind)]
            start, end, fte = a.start, a.end, a.fte
            target = next(
                (c for c in candidates[-ALLOCATION_WINDOW:] if c.has_room(start, end, fte)), None
            )
            if target is None:
                spec = self.settings.get(
                    a.kind, {"fte": Decimal(1), "funding_source": FundingSource.MUNICIPAL}
                )
                label = rules.post_label(a.kind, self.labels[a.center.pk])
                self.labels[a.center.pk].add(label)
                post = Post(
                    center=a.center,
                    label=label,
                    kind=a.kind,
                    fte=max(spec["fte"], Decimal(a.fte) / 100),
                    funding_source=spec["funding_source"],
                    valid_from=start,
                )
                new_posts.append(post)
                target = _PostLoad(post)
                candidates.append(target)
                if len(candidates) > ALLOCATION_KEEP:
                    del candidates[: len(candidates) - ALLOCATION_KEEP]
            target.take(start, end, fte)
            if target.full_for_good:
                candidates.remove(target)
            chosen[a.number] = target.post
        _create_with_history(Post, new_posts, user=self.user, when=self.when)
        return chosen
