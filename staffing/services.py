"""Every state change of the staffing app.

Keyword-only functions, one transaction each, ``full_clean`` plus the
multi-row rules of ``staffing.rules``, history through django-simple-history
(the bulk paths use its ``*_with_history`` helpers), optimistic locking via
``centers.locking``.
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from centers.access import Capability, has_center_perm, require_center_perm
from centers.locking import claim_version
from centers.models import Center
from centers.workflow.transitions import record_event, transition_apply

from . import rules
from .models import (
    Assignment,
    AssignmentRole,
    ExceptionEventKind,
    ExceptionStatus,
    Post,
    PostKind,
    QualificationException,
    SensitiveDataAccess,
    StaffingQuota,
    StaffMember,
)
from .workflows import EXCEPTION

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
    """Write the default quotas as rows the ministry can then edit (Nr. 3.7). Idempotent."""
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


def _quota_overlap_message(other: StaffingQuota) -> str:
    return _(
        "Für dieses Zentrum und diese Stellenart gilt schon ein Soll vom %(start)s bis "
        "%(end)s; die Zeiträume dürfen sich nicht überschneiden."
    ) % {
        "start": formats.date_format(other.valid_from, "d.m.Y"),
        "end": formats.date_format(other.valid_to, "d.m.Y")
        if other.valid_to
        else _("auf Weiteres"),
    }


def _quota_plan(quota: StaffingQuota, *, lock: bool = True):
    """Where one quota goes into the centre's sequence for its kind (Nr. 3.7): the Soll in
    force before ``valid_from`` ends the day before; an open-ended quota ends the day
    before the next one starts; a new quota starting the same day as a stored one changes
    that one rather than doubling it. Returns (the row to save, the rows to end); raises
    ``ValidationError`` (German) when it cannot go in."""
    siblings = StaffingQuota.objects.filter(center_id=quota.center_id, kind=quota.kind)
    if lock:
        siblings = siblings.select_for_update()
    siblings = list(siblings.exclude(pk=quota.pk).order_by("valid_from"))
    same_day = next((q for q in siblings if q.valid_from == quota.valid_from), None)
    if same_day is not None and quota.pk is None:
        same_day.fte, same_day.note = quota.fte, quota.note
        if quota.valid_to is not None:
            same_day.valid_to = quota.valid_to
        quota, siblings = same_day, [q for q in siblings if q.pk != same_day.pk]
    if quota.valid_from is None:
        quota.full_clean()  # the form's own message
    later = [q for q in siblings if q.valid_from > quota.valid_from]
    if quota.valid_to is None and later:
        quota.valid_to = later[0].valid_from - timedelta(days=1)
    if quota.valid_to is not None and quota.valid_to < quota.valid_from:
        raise ValidationError({"valid_to": [_("Das Ende liegt vor dem Beginn.")]})
    quota.full_clean()
    to_end = []
    for other in siblings:
        if other.valid_from < quota.valid_from and (
            other.valid_to is None or other.valid_to >= quota.valid_from
        ):
            other.valid_to = quota.valid_from - timedelta(days=1)
            to_end.append(other)
        elif other.valid_from > quota.valid_from and quota.valid_to >= other.valid_from:
            raise ValidationError({"valid_to": [_quota_overlap_message(other)]})
    return quota, to_end


def _quota_write(quota: StaffingQuota, user) -> StaffingQuota:
    quota, to_end = _quota_plan(quota)
    for other in to_end:  # ends where the new Soll begins
        other._history_user = user
        other.save(update_fields=["valid_to"])
    quota._history_user = user
    quota.save()
    return quota


def quota_validate(quota: StaffingQuota) -> None:
    """The checks of ``quota_save`` without saving (the admin's form shows them)."""
    _quota_plan(copy.copy(quota), lock=False)


@transaction.atomic
def quota_save(*, quota: StaffingQuota, user=None) -> StaffingQuota:
    """Create or change one centre's Soll for one post kind (the admin's form and list)."""
    return _quota_write(quota, user)


@transaction.atomic
def quotas_set(
    *,
    centers: Iterable[Center],
    kind: str,
    fte: Decimal,
    valid_from: date,
    note: str = "",
    user=None,
) -> list[StaffingQuota]:
    """Nr. 3.7: the Land sets a new Soll for many centres from one date — one transaction;
    in each centre the Soll in force until then ends the day before. A centre where it
    cannot go in stops all of them, with the centre named in the message."""
    quotas, errors = [], []
    for center in centers:
        quota = StaffingQuota(center=center, kind=kind, fte=fte, valid_from=valid_from, note=note)
        try:
            quotas.append(_quota_write(quota, user))
        except ValidationError as exc:
            errors.extend(f"{center}: {message}" for message in exc.messages)
    if errors:
        raise ValidationError(errors)
    return quotas


# --- posts and assignments ---------------------------------------------------------------------------


def _check_leadership(assignment: Assignment) -> None:
    """Nr. 4.3 and one Leitung at a time, for one assignment against its centre."""
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


# --- capacity: a post never beyond its share, a person never above 1,00 VZÄ (DESIGN.md §6) -----


def _lock(model, pk) -> tuple | None:
    """Lock one row until the transaction ends (PostgreSQL; SQLite writes one at a time
    anyway) so that two concurrent saves cannot both take the last free share; returns
    the row's stored capacity-relevant values."""
    if pk is None:
        return None
    qs = model.objects.filter(pk=pk)
    if transaction.get_connection().in_atomic_block:
        qs = qs.select_for_update()
    fields = {
        Post: ("fte", "valid_from", "valid_to"),
        StaffMember: ("pk",),
        Assignment: ("post_id", "member_id", "fte", "start", "end"),
    }[model]
    return qs.values_list(*fields).first()


def _post_shares(post_id: int, *, exclude=None) -> list[rules.Share]:
    """The assignments of a post as shares, named by person ("Nachname, Vorname")."""
    rows = (
        Assignment.objects.filter(post_id=post_id)
        .exclude(pk=exclude)
        .values_list("pk", "start", "end", "fte", "member__last_name", "member__first_name")
    )
    return [
        rules.Share(pk, start, end, fte, f"{last}, {first}")
        for pk, start, end, fte, last, first in rows
    ]


def _member_shares(member_id: int, *, exclude=None) -> list[rules.Share]:
    """The assignments of a person as shares, named by post label."""
    rows = (
        Assignment.objects.filter(member_id=member_id)
        .exclude(pk=exclude)
        .values_list("pk", "start", "end", "fte", "post__label")
    )
    return [rules.Share(*row) for row in rows]


def _clipped(shares: Iterable[rules.Share], me: rules.Share) -> list[rules.Share]:
    """The other shares cut to ``me``'s period: only days on which this assignment is held
    count against it (an overfill elsewhere, e.g. in an old list, is not its error)."""
    clipped = [me]
    for s in shares:
        if rules.overlaps(s.start, s.end, me.start, me.end):
            start = max(s.start, me.start)
            ends = [e for e in (s.end, me.end) if e is not None]
            clipped.append(rules.Share(s.ref, start, min(ends) if ends else None, s.fte, s.holder))
    return clipped


def _frees_capacity(stored: tuple | None, assignment: Assignment) -> bool:
    """Ending earlier or lowering the share on the same post: never adds a claim, so it
    stays possible even where stored data is already overfilled."""
    if stored is None:
        return False
    post_id, member_id, fte, start, end = stored
    return (
        post_id == assignment.post_id
        and member_id == assignment.member_id
        and assignment.fte <= fte
        and assignment.start >= start
        and (end is None or (assignment.end is not None and assignment.end <= end))
    )


def _check_capacity(assignment: Assignment, *, field: str = "fte") -> None:
    """The post's share and the person's 1,00 VZÄ on every day of ``assignment``."""
    if not (assignment.post_id and assignment.member_id and assignment.start and assignment.fte):
        return
    # Lock order: post, person, then the assignment itself — the same in every writer.
    _lock(Post, assignment.post_id)
    _lock(StaffMember, assignment.member_id)
    if _frees_capacity(_lock(Assignment, assignment.pk), assignment):
        return
    post = assignment.post
    member = assignment.member
    me = rules.Share("self", assignment.start, assignment.end, assignment.fte, str(member))
    excess = rules.first_excess(
        _clipped(_post_shares(post.pk, exclude=assignment.pk), me), post.fte
    )
    if excess is not None:
        raise ValidationError({field: [rules.post_overfill_message(post.label, post.fte, excess)]})
    me = rules.Share("self", assignment.start, assignment.end, assignment.fte, post.label)
    excess = rules.first_excess(
        _clipped(_member_shares(member.pk, exclude=assignment.pk), me), rules.ONE
    )
    if excess is not None:
        raise ValidationError({field: [rules.person_overload_message(str(member), excess)]})


def _holders_list(shares: Iterable[rules.Share]) -> str:
    return ", ".join(
        f"{s.holder} ({rules.fmt_date(s.start)} – {rules.fmt_date(s.end)})" for s in shares
    )


def _check_post_holders(post: Post) -> None:
    """A post's share lowered or its period shortened must still hold its assignments."""
    stored = _lock(Post, post.pk)
    if stored is None:
        return
    old_fte, old_from, old_to = stored
    shrunk = post.valid_from > old_from or (
        post.valid_to is not None and (old_to is None or post.valid_to < old_to)
    )
    if post.fte >= old_fte and not shrunk:
        return
    shares = _post_shares(post.pk)
    if shrunk:
        outside = [
            s
            for s in shares
            if not rules.within_post(s.start, s.end, post.valid_from, post.valid_to)
        ]
        if outside:
            raise ValidationError(
                {
                    "valid_to" if post.valid_to != old_to else "valid_from": [
                        _(
                            "Die Stelle „{post}“ ({start} – {end}) hat Besetzungen außerhalb "
                            "dieses Zeitraums: {holders}. Beenden Sie diese Besetzungen "
                            "zuvor oder zum selben Tag."
                        ).format(
                            post=post.label,
                            start=rules.fmt_date(post.valid_from),
                            end=rules.fmt_date(post.valid_to),
                            holders=_holders_list(outside),
                        )
                    ]
                }
            )
    if post.fte < old_fte and (excess := rules.first_excess(shares, post.fte)) is not None:
        raise ValidationError({"fte": [rules.post_overfill_message(post.label, post.fte, excess)]})


def post_validate(post: Post) -> None:
    """Single-row rules plus "still holds its assignments"; the admin calls it too."""
    post.full_clean()
    _check_post_holders(post)


@transaction.atomic
def post_save(*, post: Post, user, expected_version: int | None = None) -> Post:
    require_center_perm(user, Capability.MANAGE_STAFFING, post.center)
    post_validate(post)
    if post.pk:  # an existing post: the lock is not optional
        claim_version(post, expected_version)
    post.save()
    return post


@transaction.atomic
def post_end(
    *, post: Post, user, end: date, expected_version: int, end_assignments: bool = False
) -> Post:
    """The post's last day. Assignments running beyond it are refused (named), or with
    ``end_assignments`` ended on the same day in this transaction."""
    require_center_perm(user, Capability.MANAGE_STAFFING, post.center)
    if post.valid_to is not None and post.valid_to < end:
        raise ValidationError(
            {
                "valid_to": [
                    _("Die Stelle ist bereits zum {end} beendet.").format(
                        end=rules.fmt_date(post.valid_to)
                    )
                ]
            }
        )
    if end_assignments:
        _lock(Post, post.pk)
        running = list(
            post.assignments.filter(Q(end__isnull=True) | Q(end__gt=end))
            .select_related("member")
            .order_by("start", "pk")
        )
        late = [a for a in running if a.start > end]
        if late:
            raise ValidationError(
                {
                    "valid_to": [
                        _(
                            "Diese Besetzungen beginnen erst nach dem {end} und können nicht "
                            "zu diesem Tag beendet werden: {holders}. Löschen Sie sie, wenn sie "
                            "irrtümlich erfasst wurden."
                        ).format(
                            end=rules.fmt_date(end),
                            holders=", ".join(
                                f"{a.member} ({rules.fmt_date(a.start)})" for a in late
                            ),
                        )
                    ]
                }
            )
        for a in running:
            a.end = end
            a.version += 1  # open forms of these assignments get a conflict
            a.full_clean()
            a.save()
    post.valid_to = end
    return post_save(post=post, user=user, expected_version=expected_version)


def post_delete_refusal(post: Post) -> str | None:
    """Why a post cannot be deleted, or None. Deleting is for posts entered by mistake."""
    holders = [str(a.member) for a in post.assignments.select_related("member")]
    if holders:
        return _(
            "Die Stelle „{post}“ hat Besetzungen ({holders}). Bitte erst die Besetzungen "
            "löschen oder die Stelle beenden."
        ).format(post=post.label, holders=", ".join(holders))
    return None


@transaction.atomic
def post_delete(*, post: Post, user, expected_version: int) -> None:
    """Delete a post entered by mistake; the history keeps a "gelöscht" record with the user."""
    require_center_perm(user, Capability.MANAGE_STAFFING, post.center)
    claim_version(post, expected_version)  # also locks the row until the end
    if (refusal := post_delete_refusal(post)) is not None:
        raise ValidationError(refusal)
    _delete(post, user, _("Die Stelle wird noch verwendet; beenden Sie sie stattdessen."))


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
    require_center_perm(user, Capability.MANAGE_STAFFING, post.center)
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


def assignment_validate(assignment: Assignment, *, moved: bool = False) -> None:
    """Single-row rules (model clean), Nr. 4.3, one Leitung at a time, and capacity: the post
    never beyond its share, the person never above 1,00 VZÄ. ``moved``: the assignment
    goes to another post (the error then belongs to the post field)."""
    assignment.full_clean()
    if assignment.seconding_school and assignment.post.kind != PostKind.TEACHER:
        raise ValidationError(
            {"seconding_school": [_("Eine abordnende Schule gibt es nur bei Lehrkräften.")]}
        )
    _check_leadership(assignment)
    _check_capacity(assignment, field="post" if moved else "fte")


@transaction.atomic
def assignment_change(
    *, assignment: Assignment, user, expected_version: int, **changes
) -> Assignment:
    """Change FTE, period, role or school; a concurrent change wins, this one gets a conflict."""
    require_center_perm(user, Capability.MANAGE_STAFFING, assignment.post.center)
    allowed = {"fte", "start", "end", "role", "seconding_school", "post"}
    old_post_id = assignment.post_id
    for name, value in changes.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(assignment, name, value)
    if assignment.post.center_id != assignment.member.center_id:
        raise ValidationError({"post": [_("Die Stelle gehört zu einem anderen Zentrum.")]})
    assignment_validate(assignment, moved=assignment.post_id != old_post_id)
    claim_version(assignment, expected_version)
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, user, end: date, expected_version: int) -> Assignment:
    require_center_perm(user, Capability.MANAGE_STAFFING, assignment.post.center)
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


def assignment_delete_refusal(assignment: Assignment) -> str | None:
    """Why an assignment cannot be deleted, or None: a plan (Einsatzmanagement) that
    allocates its time refers to it. Ending it keeps that plan and the history right.

    Reports (``reporting.Report``) keep only the rendered PDF/XLSX and their checksums,
    no reference to an assignment, so they cannot block a delete."""
    plans = sorted(
        {
            f"{rules.fmt_date(start)} – {rules.fmt_date(end)}"
            for start, end in assignment.focus_allocations.values_list(
                "focus__plan__period_start", "focus__plan__period_end"
            )
        }
    )
    if plans:
        return _(
            "Die Besetzung von {member} auf „{post}“ ist im Einsatzmanagement {plans} "
            "Schwerpunkten zugeordnet und kann daher nicht gelöscht werden; beenden Sie "
            "die Besetzung stattdessen."
        ).format(member=assignment.member, post=assignment.post.label, plans=", ".join(plans))
    return None


@transaction.atomic
def assignment_delete(*, assignment: Assignment, user, expected_version: int) -> None:
    """Delete an assignment entered by mistake (its vacancy and Soll comparison go with it);
    the history keeps a "gelöscht" record with the user."""
    require_center_perm(user, Capability.MANAGE_STAFFING, assignment.post.center)
    claim_version(assignment, expected_version)  # also locks the row until the end
    if (refusal := assignment_delete_refusal(assignment)) is not None:
        raise ValidationError(refusal)
    _delete(assignment, user, _("Die Besetzung wird noch verwendet; beenden Sie sie stattdessen."))


def _delete(instance, user, refusal: str) -> None:
    # The "-" history record carries who deleted (also outside a request).
    instance._history_user = user
    try:
        instance.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(refusal) from None


@transaction.atomic
def member_save(
    *,
    member: StaffMember,
    user,
    expected_version: int | None = None,
    immigration_history: str | None = None,
) -> StaffMember:
    """Create or change a person; the Nr. 3.4 value only with the membership-based check."""
    from .selectors import may_see_sensitive

    require_center_perm(user, Capability.MANAGE_STAFFING, member.center)
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
    _check_email_free(member, user)
    member.full_clean()
    if member.pk:  # an existing person: the lock is not optional
        claim_version(member, expected_version)
    member.save()
    if log_edit:
        SensitiveDataAccess.objects.create(
            user=user, member=member, action=SensitiveDataAccess.Action.EDIT
        )
    return member


def _check_email_free(member: StaffMember, user) -> None:
    """Refuses an address another person has, in words that tell only whoever may see
    that person's centre whose it is (``rules.email_taken_message``)."""
    other = (
        StaffMember.objects.filter(email=member.email)
        .exclude(pk=member.pk)
        .select_related("center")
        .first()
    )
    if other is None:
        return
    if has_center_perm(user, Capability.VIEW_STAFFING, other.center):
        message = rules.email_taken_message(str(other), other.center.name)
    else:
        message = rules.email_taken_message()
    raise ValidationError({"email": message})


def sensitive_value_read(*, member: StaffMember, user) -> str:
    """Return a person's Nr. 3.4 value and log the read (who, whom, when)."""
    from .selectors import may_see_sensitive

    if not may_see_sensitive(user, member.center):
        raise PermissionDenied
    SensitiveDataAccess.objects.create(
        user=user, member=member, action=SensitiveDataAccess.Action.VIEW
    )
    return member.immigration_history


# --- qualification exceptions (Nr. 4.1, Nr. 4.2) -----------------------------------------------------------


@transaction.atomic
def exception_propose(
    *, member: StaffMember, kind: str, reason: str, user
) -> QualificationException:
    require_center_perm(user, Capability.PROPOSE_EXCEPTION, member.center)
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
    exc._history_user = user
    exc.save()
    record_event(
        exc, center=member.center, kind=ExceptionEventKind.PROPOSED, actor=user, note=reason
    )
    return exc


def exception_decide(
    *, exception: QualificationException, approve: bool, note: str, user, expected_version: int
) -> QualificationException:
    """The Anstellungsträger decides (Nr. 4.1 "Über Ausnahmen entscheidet der
    Anstellungsträger"): the declared transition ``approve`` or ``reject``."""
    return transition_apply(
        EXCEPTION,
        "approve" if approve else "reject",
        obj=exception,
        user=user,
        expected_version=expected_version,
        note=note,
    )
