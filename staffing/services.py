"""Every state change of the staffing app.

Keyword-only functions, one transaction each, ``full_clean`` plus the
multi-row rules of ``staffing.rules``, history through django-simple-history
(the bulk paths use its ``*_with_history`` helpers), optimistic locking via
``centers.locking``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from centers.access import has_center_perm
from centers.locking import claim_version
from centers.models import Center

from . import importing, rules
from .models import (
    Assignment,
    AssignmentRole,
    ExceptionStatus,
    FundingSource,
    ImportJob,
    ImportStatus,
    Post,
    PostKind,
    QualificationException,
    SensitiveDataAccess,
    StaffingQuota,
    StaffMember,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_QUOTAS_CSV = DATA_DIR / "default_quotas.csv"
DEFAULT_POSTS_CSV = DATA_DIR / "default_posts.csv"


# --- reference data (files, editable; never constants in logic) -------------------------------------


def default_quotas() -> dict[tuple[str, str], Decimal]:
    """(municipality kind, post kind) → FTE from ``data/default_quotas.csv``."""
    with DEFAULT_QUOTAS_CSV.open(encoding="utf-8") as fh:
        return {
            (row["traeger_art"], row["stellenart"]): Decimal(row["soll_vzae"])
            for row in csv.DictReader(fh)
        }


def default_post_settings() -> dict[str, dict]:
    """Post kind → size and funding source of a post the import creates."""
    with DEFAULT_POSTS_CSV.open(encoding="utf-8") as fh:
        return {
            row["stellenart"]: {
                "fte": Decimal(row["stellenanteil"]),
                "funding_source": row["finanzierung"],
            }
            for row in csv.DictReader(fh)
        }


@transaction.atomic
def quotas_materialize(*, centers: Iterable[Center] | None = None, valid_from: date) -> int:
    """Write the default quotas as rows the ministry can then edit (§3.7). Idempotent."""
    defaults = default_quotas()
    centers = list(Center.objects.select_related("sponsor") if centers is None else centers)
    existing = set(
        StaffingQuota.objects.filter(center__in=centers).values_list("center_id", "kind")
    )
    rows = []
    for center in centers:
        for kind in PostKind.values:
            fte = defaults.get((center.sponsor.kind, kind))
            if fte is not None and (center.pk, kind) not in existing:
                rows.append(StaffingQuota(center=center, kind=kind, fte=fte, valid_from=valid_from))
    bulk_create_with_history(rows, StaffingQuota)
    return len(rows)


# --- posts and assignments ---------------------------------------------------------------------------


def _check_leadership(assignment: Assignment) -> None:
    """§4.3 and one Leitung at a time, for one assignment against its centre."""
    if assignment.role not in (AssignmentRole.LEAD, AssignmentRole.DEPUTY):
        return
    center_id = assignment.post.center_id
    tenures = [
        rules.Tenure(pk, center_id, kind, role, start, end, member_id)
        for pk, kind, role, start, end, member_id in Assignment.objects.filter(
            post__center_id=center_id,
            role__in=[AssignmentRole.LEAD, AssignmentRole.DEPUTY],
        )
        .exclude(pk=assignment.pk)
        .values_list("pk", "post__kind", "role", "start", "end", "member_id")
    ]
    me = rules.Tenure(
        "self",
        center_id,
        assignment.post.kind,
        assignment.role,
        assignment.start,
        assignment.end,
        assignment.member_id,
    )
    for tenure, message in rules.leadership_errors([*tenures, me]):
        if tenure.ref == "self":
            raise ValidationError({"role": [message]})


def _require(user, perm: str, center: Center) -> None:
    if not has_center_perm(user, perm, center):
        raise PermissionDenied(_("Dazu fehlt Ihnen die Berechtigung für dieses Zentrum."))


@transaction.atomic
def post_save(*, post: Post, user, expected_version: int | None = None) -> Post:
    _require(user, "manage_staffing", post.center)
    post.full_clean()
    if post.pk and expected_version is not None:
        claim_version(post, expected_version)
    post.save()
    return post


@transaction.atomic
def assignment_create(
    *,
    user,
    member: StaffMember,
    post: Post,
    fte: Decimal,
    start: date,
    end: date | None = None,
    role: str = AssignmentRole.NONE,
    seconding_school: str = "",
) -> Assignment:
    _require(user, "manage_staffing", post.center)
    if member.center_id != post.center_id:
        raise ValidationError(
            {"member": [_("Die Person gehört zur Personalliste eines anderen Zentrums.")]}
        )
    assignment = Assignment(
        member=member,
        post=post,
        fte=fte,
        start=start,
        end=end,
        role=role,
        seconding_school=seconding_school,
    )
    assignment_validate(assignment)
    assignment.save()
    return assignment


def assignment_validate(assignment: Assignment) -> None:
    """Single-row rules (model clean) plus §4.3 and one Leitung at a time."""
    assignment.full_clean()
    if assignment.seconding_school and assignment.post.kind != PostKind.TEACHER:
        raise ValidationError(
            {"seconding_school": [_("Eine abordnende Schule gibt es nur bei Lehrkräften.")]}
        )
    _check_leadership(assignment)


@transaction.atomic
def assignment_change(
    *, assignment: Assignment, user, expected_version: int, **changes
) -> Assignment:
    """Change FTE, period, role or school; a concurrent change wins, this one gets a conflict."""
    _require(user, "manage_staffing", assignment.post.center)
    allowed = {"fte", "start", "end", "role", "seconding_school", "post"}
    for name, value in changes.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(assignment, name, value)
    if assignment.post.center_id != assignment.member.center_id:
        raise ValidationError({"post": [_("Die Stelle gehört zu einem anderen Zentrum.")]})
    assignment_validate(assignment)
    claim_version(assignment, expected_version)
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, user, end: date, expected_version: int) -> Assignment:
    _require(user, "manage_staffing", assignment.post.center)
    if assignment.end is not None and assignment.end < end:
        raise ValidationError(
            {
                "end": [
                    _("Die Besetzung ist bereits zum {end} beendet.").format(
                        end=rules.fmt_date(assignment.end)
                    )
                ]
            }
        )
    assignment.end = end
    assignment_validate(assignment)
    claim_version(assignment, expected_version)
    assignment.save()
    return assignment


@transaction.atomic
def member_save(
    *,
    member: StaffMember,
    user,
    expected_version: int | None = None,
    immigration_history: str | None = None,
) -> StaffMember:
    """Create or change a person; the §3.4 value only with the membership-based check."""
    from .selectors import may_see_sensitive

    _require(user, "manage_staffing", member.center)
    if immigration_history is not None and immigration_history != member.immigration_history:
        if not may_see_sensitive(user, member.center):
            raise PermissionDenied(
                _("Die Angabe zur Einwanderungsgeschichte darf nur die KI-Leitung ändern.")
            )
        member.immigration_history = immigration_history
        log_edit = True
    else:
        log_edit = False
    member.email = (member.email or "").strip().lower()
    member.full_clean()
    if member.pk and expected_version is not None:
        claim_version(member, expected_version)
    member.save()
    if log_edit:
        SensitiveDataAccess.objects.create(
            user=user, member=member, action=SensitiveDataAccess.Action.EDIT
        )
    return member


def sensitive_value_read(*, member: StaffMember, user) -> str:
    """Return a person's §3.4 value and log the read (who, whom, when)."""
    from .selectors import may_see_sensitive

    if not may_see_sensitive(user, member.center):
        raise PermissionDenied
    SensitiveDataAccess.objects.create(
        user=user, member=member, action=SensitiveDataAccess.Action.VIEW
    )
    return member.immigration_history


# --- qualification exceptions (§4.1, §4.2) -----------------------------------------------------------


@transaction.atomic
def exception_propose(
    *, member: StaffMember, kind: str, reason: str, user
) -> QualificationException:
    _require(user, "propose_exception", member.center)
    if QualificationException.objects.filter(
        member=member, kind=kind, status=ExceptionStatus.PROPOSED
    ).exists():
        raise ValidationError(_("Für diese Person liegt bereits ein offener Antrag vor."))
    exc = QualificationException(
        member=member,
        kind=kind,
        reason=reason,
        proposed_by=user,
        proposed_on=timezone.localdate(),
    )
    exc.full_clean()
    exc.save()
    return exc


@transaction.atomic
def exception_decide(
    *, exception: QualificationException, approve: bool, note: str, user, expected_version: int
) -> QualificationException:
    """The Anstellungsträger decides (§4.1 "Über Ausnahmen entscheidet der Anstellungsträger")."""
    _require(user, "decide_exception", exception.member.center)
    if exception.status != ExceptionStatus.PROPOSED:
        raise ValidationError(_("Über diesen Antrag wurde bereits entschieden."))
    if not note.strip():
        raise ValidationError({"decision_note": [_("Bitte begründen Sie die Entscheidung.")]})
    exception.status = ExceptionStatus.APPROVED if approve else ExceptionStatus.REJECTED
    exception.decision_note = note
    exception.decided_by = user
    exception.decided_on = timezone.localdate()
    exception.full_clean()
    claim_version(exception, expected_version)
    exception.save()
    return exception


# --- the staffing-list import (DESIGN.md §6) ---------------------------------------------------------


def staffing_list_import(
    *,
    source: Iterable[list],
    user,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> importing.ImportResult:
    """Check a staffing list and, unless ``dry_run`` or any row has an error, write it in
    one transaction. Importing the same file twice writes nothing the second time.

    Reading and parsing happen before the transaction, so ``progress`` (rows read so
    far) can be committed and shown while a large file is read.
    """
    result = importing.ImportResult()
    rows = importing.read_rows(source, result, progress)
    with transaction.atomic():
        plan = importing.dry_run(rows, result, user=user)
        if dry_run or result.has_errors:
            return result
        _write(plan, user=user)
        result.written = True
    return result


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


def import_job_process(*, job_id, confirm: bool) -> None:
    """The work behind the task: dry run (or import), result stored on the job.

    Idempotent: a redelivered task finds the job no longer queued and stops.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.IMPORTING if confirm else ImportStatus.CHECKING
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)

    def progress(n: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed=n)

    try:
        result = staffing_list_import(
            source=importing.iter_file(bytes(job.content)),
            user=job.user,
            dry_run=not confirm,
            progress=progress,
        )
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, finished_at=timezone.now()
        )
        raise
    status = ImportStatus.DONE if confirm and result.written else ImportStatus.CHECKED
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        processed=len(result.rows),
        total=len(result.rows),
        result={
            "counts": result.counts,
            "file_errors": result.file_errors,
            "has_errors": result.has_errors,
            "summary": result.summary(),
            "written": result.written,
            "rows": [r.as_dict() for r in result.rows],
        },
        finished_at=timezone.now(),
    )


def _write(plan: importing.Plan, *, user) -> None:
    today = timezone.now()
    new_members: dict[str, StaffMember] = {}
    changed_members: dict[str, StaffMember] = {}
    for row in plan.work:
        v = row.values
        member = v["member_obj"]
        if member is None:
            if v["email"] not in new_members:
                new_members[v["email"]] = StaffMember(
                    center=v["center"],
                    email=v["email"],
                    last_name=v["last_name"],
                    first_name=v["first_name"],
                    qualification=v["qualification"],
                )
        elif any(getattr(member, f) != v[f] for f in importing.MEMBER_FIELDS):
            for f in importing.MEMBER_FIELDS:
                setattr(member, f, v[f])
            member.version += 1
            changed_members[member.email] = member
    if new_members:
        _create_with_history(StaffMember, list(new_members.values()), user=user, when=today)
    if changed_members:
        bulk_update_with_history(
            list(changed_members.values()),
            StaffMember,
            [*importing.MEMBER_FIELDS, "version"],
            batch_size=1000,
            default_user=user,
            default_date=today,
        )

    changed: list[Assignment] = []
    new_rows = []
    for row in plan.work:
        v = row.values
        existing = v["assignment_obj"]
        if existing is None:
            new_rows.append(row)
        elif row.status == importing.CHANGED and any(
            getattr(existing, f) != v[f] for f in importing.ASSIGNMENT_FIELDS
        ):
            for f in importing.ASSIGNMENT_FIELDS:
                setattr(existing, f, v[f])
            existing.version += 1
            changed.append(existing)
    if changed:
        bulk_update_with_history(
            changed,
            Assignment,
            [*importing.ASSIGNMENT_FIELDS, "version"],
            batch_size=1000,
            default_user=user,
            default_date=today,
        )
    if new_rows:
        posts = _allocate_posts(new_rows, user=user, when=today)
        members = {**new_members, **{m.email: m for m in plan.members.values()}}
        created = [
            Assignment(
                member=members[row.values["email"]],
                post=posts[row.number],
                fte=row.values["fte"],
                start=row.values["start"],
                end=row.values["end"],
                role=row.values["role"],
                seconding_school=row.values["seconding_school"],
            )
            for row in new_rows
        ]
        _create_with_history(Assignment, created, user=user, when=today)


def _create_with_history(model, objs: list, *, user, when) -> None:
    """Insert ``objs`` with their "created" history rows, like simple_history's
    ``bulk_create_with_history``; on PostgreSQL through ``COPY`` (ids reserved from
    the sequence first), because per-value ORM preparation dominated the import."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, batch_size=1000, default_user=user, default_date=when)
        return
    for obj in objs:
        # The fields a save() would set or check; the objects are built from valid rows.
        if isinstance(obj, StaffMember):
            obj.email = obj.email.strip().lower()
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
    with cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


ALLOCATION_WINDOW = 64


class _PostLoad:
    """What is taken of one post: every share, plus running figures for the
    open-ended ones, so the checks per row stay O(1) where they can."""

    __slots__ = ("post", "shares", "open_fte", "open_start", "closed")

    def __init__(self, post: Post):
        self.post, self.shares = post, []
        self.open_fte, self.open_start, self.closed = Decimal(0), None, 0

    def take(self, start, end, fte) -> None:
        self.shares.append((start, end, fte))
        if end is None:
            self.open_fte += fte
            self.open_start = start if self.open_start is None else max(self.open_start, start)
        else:
            self.closed += 1

    @property
    def full_for_good(self) -> bool:
        """Open-ended shares fill the post: it is never a candidate again."""
        return not self.closed and self.open_fte >= self.post.fte

    def has_room(self, start, end, fte) -> bool:
        post = self.post
        if not rules.within_post(start, end, post.valid_from, post.valid_to):
            return False
        # Quick reject: open-ended shares overlap the whole rest of time.
        if self.open_fte + fte > post.fte and (end is None or end >= self.open_start):
            return False
        taken = sum((f for s, e, f in self.shares if rules.overlaps(s, e, start, end)), Decimal(0))
        return taken + fte <= post.fte


def _allocate_posts(rows, *, user, when) -> dict[int, Post]:
    """Put each new assignment on a post of its centre and kind that has room for it in
    its period; where none has, create a post (size and funding from ``default_posts.csv``)."""
    center_ids = {r.values["center"].pk for r in rows}
    slots: dict[tuple[int, str], list[_PostLoad]] = defaultdict(list)
    by_id: dict[int, _PostLoad] = {}
    for post in Post.objects.filter(center_id__in=center_ids).order_by("valid_from", "pk"):
        by_id[post.pk] = load = _PostLoad(post)
        slots[(post.center_id, post.kind)].append(load)
    for post_id, start, end, fte in Assignment.objects.filter(
        post__center_id__in=center_ids
    ).values_list("post_id", "start", "end", "fte"):
        by_id[post_id].take(start, end, fte)
    for slot, loads in slots.items():
        slots[slot] = [load for load in loads if not load.full_for_good]

    settings = default_post_settings()
    chosen: dict[int, Post] = {}
    new_posts: list[Post] = []
    for row in rows:
        v = row.values
        slot = (v["center"].pk, v["kind"])
        start, end, fte = v["start"], v["end"], v["fte"]
        # First fit among the newest candidates of the slot: a real centre has a
        # dozen posts per kind; the bound keeps a 100,000-row file linear.
        target = next(
            (load for load in slots[slot][-ALLOCATION_WINDOW:] if load.has_room(start, end, fte)),
            None,
        )
        if target is None:
            spec = settings.get(
                v["kind"], {"fte": Decimal(1), "funding_source": FundingSource.MUNICIPAL}
            )
            post = Post(
                center=v["center"],
                kind=v["kind"],
                fte=max(spec["fte"], fte),
                funding_source=spec["funding_source"],
                valid_from=start,
            )
            new_posts.append(post)
            target = _PostLoad(post)
            slots[slot].append(target)
        target.take(start, end, fte)
        if target.full_for_good:
            slots[slot].remove(target)
        chosen[row.number] = target.post
    if new_posts:
        _create_with_history(Post, new_posts, user=user, when=when)
    return chosen
