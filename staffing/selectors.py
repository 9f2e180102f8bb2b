"""Staffing reads scoped to a user. Query counts do not grow with the data:
posts, assignments and people come in a fixed number of bulk queries, and the
rules of ``staffing.rules`` run over them in Python."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from centers import union_rows
from centers.access import Capability, centers_for, has_center_perm
from centers.models import Center

from . import rules, services
from .models import (
    Assignment,
    ExceptionStatus,
    FundingSource,
    ImmigrationHistory,
    ImportRow,
    ImportRowStatus,
    Post,
    PostKind,
    QualificationException,
    StaffingQuota,
    StaffMember,
)

SENSITIVE_PERM = Capability.VIEW_SENSITIVE_STAFF_DATA
# Cells of the Nr. 3.4 aggregate below this count are suppressed (DESIGN.md §7).
SMALL_CELL = 5
KIND_ORDER = {kind: n for n, kind in enumerate(PostKind.values)}


def may_see_sensitive(user, center: Center) -> bool:
    """Nr. 3.4: only the centre's own KI-Leitung, through her membership on *this* centre.

    State roles and superusers hold every capability globally, but must see
    only aggregates: ``membership_only`` counts centre memberships alone.
    """
    return has_center_perm(user, SENSITIVE_PERM, center, membership_only=True)


# --- building blocks -------------------------------------------------------------------------


def posts_with_assignments(posts: QuerySet[Post]) -> QuerySet[Post]:
    """``posts``, each with its assignments (and their people) as the list
    ``post.assignment_list``: two queries. A plain list, not a prefetched queryset: Django
    builds a queryset per post for those, which cost more than the rows themselves on the
    state pages (about 9,000 posts at ``seed_demo --scale 10``)."""
    return posts.prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("member").order_by("start", "pk"),
            to_attr="assignment_list",
        )
    )


def quotas_for(centers: list[Center], today: date) -> dict[int, dict[str, Decimal]]:
    """centre → kind → expected FTE today: the ministry's rows, else the defaults (one query)."""
    defaults = services.default_quotas()
    result = {
        c.pk: {
            kind: defaults[(c.sponsor.kind, kind)]
            for kind in PostKind.values
            if (c.sponsor.kind, kind) in defaults
        }
        for c in centers
    }
    rows = (
        StaffingQuota.objects.filter(center__in=[c.pk for c in centers], valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("valid_from")
        .values_list("center_id", "kind", "fte")
    )
    for center_id, kind, fte in rows:
        result[center_id][kind] = fte  # later valid_from wins
    return result


def approved_exceptions(center_ids) -> set[tuple[int, str]]:
    return set(
        QualificationException.objects.filter(
            member__center_id__in=center_ids, status=ExceptionStatus.APPROVED
        ).values_list("member_id", "kind")
    )


def filled_within_share(state: rules.PostState) -> Decimal:
    """What a post adds to "besetzt": its holders' shares, but never more than the post's
    own share. The Soll table, the dashboards and the PDF reports all count this way, so
    "besetzt" + "offen" = "Stellen"; a post filled beyond its share is a stored violation
    (``staffing.checks``) with its own warning, not extra staff."""
    return min(state.filled, state.post.fte)


@dataclass
class KindSum:
    kind: str
    label: str
    posts: Decimal = rules.ZERO
    filled: Decimal = rules.ZERO
    quota: Decimal | None = None

    @property
    def differs(self) -> bool:
        return self.quota is not None and self.posts != self.quota


@dataclass
class CenterStaffing:
    center: Center
    posts: list = field(default_factory=list)  # PostState
    sums: list[KindSum] = field(default_factory=list)
    warnings: list[rules.StaffingWarning] = field(default_factory=list)

    @property
    def vacancies(self):
        return [s for s in self.posts if s.vacant_since is not None]

    def sum_for(self, kind: str) -> KindSum:
        return next(s for s in self.sums if s.kind == kind)

    @property
    def teacher(self):
        return self.sum_for(PostKind.TEACHER)

    @property
    def specialist(self):
        return self.sum_for(PostKind.SPECIALIST)

    @property
    def admin_assistant(self):
        return self.sum_for(PostKind.ADMIN_ASSISTANT)


def staffing_of(
    centers: list[Center],
    *,
    today: date | None = None,
    approved: set[tuple[int, str]] | None = None,
) -> list[CenterStaffing]:
    """Posts, sums per kind against quota and warnings for many centres: four queries
    (three with ``approved``, the centres' ``approved_exceptions`` read already)."""
    today = today or timezone.localdate()
    ids = [c.pk for c in centers]
    posts_by_center: dict[int, list[Post]] = defaultdict(list)
    for post in posts_with_assignments(Post.objects.filter(center_id__in=ids)):
        posts_by_center[post.center_id].append(post)
    quotas = quotas_for(centers, today)
    exceptions = approved if approved is not None else approved_exceptions(ids)
    result = []
    for center in centers:
        posts = posts_by_center.get(center.pk, [])
        staffing = CenterStaffing(center=center)
        sums = {k: KindSum(k, str(PostKind(k).label)) for k in PostKind.values}
        for kind, fte in quotas.get(center.pk, {}).items():
            sums[kind].quota = fte
        for post in posts:
            state = rules.post_state(post, post.assignment_list, today)
            if rules.is_post_active(post, today):
                staffing.posts.append(state)
                sums[post.kind].posts += post.fte
                sums[post.kind].filled += filled_within_share(state)
        staffing.posts.sort(
            key=lambda st: (KIND_ORDER[st.post.kind], st.post.valid_from, st.post.pk)
        )
        staffing.sums = list(sums.values())
        staffing.warnings = rules.center_warnings(
            center_id=center.pk,
            posts=posts,
            quotas=quotas.get(center.pk, {}),
            approved_exceptions=exceptions,
            today=today,
        )
        result.append(staffing)
    return result


def center_staffing(
    center: Center, *, today: date | None = None, approved: set[tuple[int, str]] | None = None
) -> CenterStaffing:
    return staffing_of([center], today=today, approved=approved)[0]


# --- pages ---------------------------------------------------------------------------------------


def posts_visible_to(user, perm: str = Capability.VIEW_STAFFING) -> QuerySet[Post]:
    return Post.objects.filter(center__in=centers_for(user, perm)).select_related("center")


def members_visible_to(user, perm: str = Capability.VIEW_STAFFING) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(center__in=centers_for(user, perm)).select_related("center")


def assignments_visible_to(user, perm: str = Capability.VIEW_STAFFING) -> QuerySet[Assignment]:
    return Assignment.objects.filter(post__center__in=centers_for(user, perm)).select_related(
        "post", "post__center", "member"
    )


def post_detail(post: Post) -> dict:
    assignments = list(post.assignments.select_related("member").order_by("-start", "-pk"))
    return {
        "post": post,
        "state": rules.post_state(post, assignments, timezone.localdate()),
        "assignments": assignments,
        "history": list(post.history.select_related("history_user").order_by("-history_date")[:50]),
        "assignment_history": list(
            Assignment.history.filter(post_id=post.pk)
            .select_related("history_user", "member")
            .order_by("-history_date")[:50]
        ),
    }


def member_detail(member: StaffMember) -> dict:
    assignments = list(member.assignments.select_related("post").order_by("-start", "-pk"))
    return {
        "member": member,
        "assignments": assignments,
        "exceptions": list(
            member.qualification_exceptions.select_related("proposed_by", "decided_by")
        ),
        "history": list(
            member.history.select_related("history_user").order_by("-history_date")[:50]
        ),
        "assignment_history": list(
            Assignment.history.filter(member_id=member.pk)
            .select_related("history_user", "post")
            .order_by("-history_date")[:50]
        ),
    }


def center_members(center: Center) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(center=center).order_by("last_name", "first_name")


def center_exceptions(
    center: Center,
) -> tuple[set[tuple[int, str]], list[QualificationException]]:
    """The centre's approved exceptions (as ``approved_exceptions``) and the proposed ones
    waiting for a decision, in one query, for its staffing page."""
    rows = list(
        QualificationException.objects.filter(
            member__center=center, status__in=(ExceptionStatus.APPROVED, ExceptionStatus.PROPOSED)
        ).select_related("member", "proposed_by")
    )
    approved = {(e.member_id, e.kind) for e in rows if e.status == ExceptionStatus.APPROVED}
    return approved, [e for e in rows if e.status == ExceptionStatus.PROPOSED]


def teacher_posts_for(user) -> list[CenterStaffing]:
    """Schulaufsicht: teacher posts of the centres of its district (and whoever may see them)."""
    centers = list(
        centers_for(user, Capability.VIEW_TEACHER_POSTS).select_related("sponsor").order_by("name")
    )
    ids = [c.pk for c in centers]
    today = timezone.localdate()
    posts_by_center: dict[int, list] = defaultdict(list)
    teacher_posts = posts_with_assignments(
        Post.objects.filter(center_id__in=ids, kind=PostKind.TEACHER)
    )
    for post in teacher_posts:
        if rules.is_post_active(post, today):
            posts_by_center[post.center_id].append(
                rules.post_state(post, post.assignment_list, today)
            )
    quotas = quotas_for(centers, today)
    rows = []
    for c in centers:
        states = posts_by_center.get(c.pk, [])
        s = CenterStaffing(center=c, posts=states)
        s.sums = [
            KindSum(
                PostKind.TEACHER,
                str(PostKind.TEACHER.label),
                posts=sum((st.post.fte for st in states), rules.ZERO),
                filled=sum(map(filled_within_share, states), rules.ZERO),
                quota=quotas.get(c.pk, {}).get(PostKind.TEACHER),
            )
        ]
        rows.append(s)
    return rows


def immigration_aggregate(*, today: date | None = None) -> list[dict]:
    """Nr. 3.4 state-wide: people currently assigned, per kind, by self-declaration; counts
    below ``SMALL_CELL`` are suppressed (shown as "< 5"). One query."""
    today = today or timezone.localdate()
    counts: dict[tuple[str, str], set] = defaultdict(set)
    rows = (
        Assignment.objects.filter(start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .values_list("post__kind", "member__immigration_history", "member_id")
    )
    for kind, value, member_id in rows:
        counts[(kind, value)].add(member_id)
    table = []
    for kind in PostKind.values:
        cells = []
        for value in ImmigrationHistory.values:
            n = len(counts.get((kind, value), ()))
            cells.append({"count": n if n >= SMALL_CELL or n == 0 else None})
        table.append({"kind": PostKind(kind).label, "cells": cells})
    return table


def import_preview_rows(job, *, errors_only: bool = False):
    """The preview of an import job, in file order (paginated by the caller)."""
    rows = ImportRow.objects.filter(job=job).order_by("number")
    return rows.filter(status=ImportRowStatus.ERROR) if errors_only else rows


# What a deleted entry shows (``staffing/_history.html``), and who deleted it.
_DELETED_BY = ("history_date", "history_type", "history_change_reason")
_USER_FIELDS = ("history_user__username", "history_user__first_name", "history_user__last_name")
DELETIONS_SHOWN = 50


def center_deletions(center: Center) -> list:
    """Posts and assignments of the centre deleted as entered by mistake (or taken back with
    an import), newest first, with who and when (DESIGN.md §7 "deletes are rare and
    recorded"): the last ``DELETIONS_SHOWN``, both kinds in one query (``centers.union_rows``)."""
    sources = [
        (
            Post.history.filter(center_id=center.pk, history_type="-"),
            (*_DELETED_BY, *_USER_FIELDS, "label", "fte", "valid_from", "valid_to"),
            _("Stelle gelöscht"),
        ),
        (
            Assignment.history.filter(member__center_id=center.pk, history_type="-"),
            (
                *_DELETED_BY,
                *_USER_FIELDS,
                "fte",
                "start",
                "end",
                "role",
                "post__label",
                "member__last_name",
                "member__first_name",
            ),
            _("Besetzung gelöscht"),
        ),
    ]
    first, *rest = [
        rows.order_by()
        .annotate(source=Value(n), packed=union_rows.pack(rows, only))
        .values_list("source", "pk", "history_date", "packed")
        for n, (rows, only, _action) in enumerate(sources)
    ]
    newest = first.union(*rest, all=True).order_by("-history_date")[:DELETIONS_SHOWN]
    deletions = []
    for n, pk, _at, packed in newest:
        rows, _only, action = sources[n]
        record = union_rows.unpack(rows, pk, packed)
        record.action = action  # the list holds both kinds: "Stelle gelöscht" …
        deletions.append(record)
    return deletions


# --- Landesförderung (issue 12) ----------------------------------------------------------------


def funded_post_years(center: Center, year: int) -> dict[str, Decimal]:
    """The posts of ``center`` funded by the state grant (Nr. 6.2) in ``year``, per kind, in
    full-time-equivalent years: each post's share times the part of the year it exists
    (a 1,00 post from 1 July counts 0,50). What an application's personnel lines are
    checked against. One query."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    days_in_year = (last - first).days + 1
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0"))
    posts = Post.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=first),
        center=center,
        funding_source=FundingSource.STATE_GRANT,
        valid_from__lte=last,
    ).values_list("kind", "fte", "valid_from", "valid_to")
    for kind, fte, valid_from, valid_to in posts:
        start, end = max(valid_from, first), min(valid_to or last, last)
        totals[kind] += fte * Decimal((end - start).days + 1) / Decimal(days_in_year)
    return {kind: value.quantize(Decimal("0.01")) for kind, value in totals.items()}
