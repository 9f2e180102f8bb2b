"""Every state change of the staffing app.

Keyword-only functions, one transaction each, ``full_clean`` plus the
multi-row rules of ``staffing.rules``, history through django-simple-history
(the bulk paths use its ``*_with_history`` helpers), optimistic locking via
``centers.locking``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from centers.access import has_center_perm
from centers.locking import claim_version
from centers.models import Center

from . import rules
from .models import (
    Assignment,
    AssignmentRole,
    ExceptionStatus,
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
