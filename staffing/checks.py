"""Violations already stored: the capacity rules checked over the database, not over a change.

Every writer now refuses a post filled beyond its share (``Post.fte``) and a person above
1,00 VZÄ on any day. Data written before — by older imports, the admin, or a database
restored from a backup — may still break them; the migrations leave such rows alone, and
``manage.py check_staffing`` and the ministry's state staffing page list them here, so an
operator can repair them. The same pure helpers as the writers' checks decide
(``staffing.rules``: ``Share``, ``first_excess`` and the messages), over one bulk query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from centers.models import Center

from . import rules
from .models import Assignment, Post, StaffMember

# The order in which a centre's violations are listed.
KINDS = ("post", "person", "period")


@dataclass(frozen=True)
class Violation:
    """One stored violation: ``kind`` is "post" (filled beyond its share), "person" (above
    1,00 VZÄ) or "period" (an assignment outside its post's period)."""

    kind: str
    center: Center
    obj: Post | StaffMember | Assignment
    day: date  # the first day it holds
    total: Decimal  # the FTE on that day
    holders: str  # who or what makes up the total, "Name (0,50), …"
    message: str

    @property
    def url(self) -> str:
        return self.obj.get_absolute_url()


def stored_violations(*, center_ids: Iterable[int] | None = None) -> list[Violation]:
    """Overfilled posts and overloaded people (and assignments outside their post's
    period) of the given centres, or of all; one query, whatever the amount of data.

    A post counts for its own centre, a person for the centre whose list carries them —
    with all their assignments, in whichever centre the post lies."""
    ids = None if center_ids is None else set(center_ids)
    assignments = Assignment.objects.select_related("post__center", "member__center").order_by(
        "start", "pk"
    )
    if ids is not None:
        assignments = assignments.filter(Q(post__center_id__in=ids) | Q(member__center_id__in=ids))
    by_post: dict[int, list[Assignment]] = defaultdict(list)
    by_member: dict[int, list[Assignment]] = defaultdict(list)
    found: list[Violation] = []
    for a in assignments:
        post, member = a.post, a.member
        if ids is None or post.center_id in ids:
            by_post[post.pk].append(a)
            if not rules.within_post(a.start, a.end, post.valid_from, post.valid_to):
                found.append(_period_violation(a))
        if ids is None or member.center_id in ids:
            by_member[member.pk].append(a)
    for held in by_post.values():
        post = held[0].post
        shares = [rules.Share(a.pk, a.start, a.end, a.fte, str(a.member)) for a in held]
        if (excess := rules.first_excess(shares, post.fte)) is not None:
            found.append(
                Violation(
                    "post",
                    post.center,
                    post,
                    excess.day,
                    excess.total,
                    excess.holders(),
                    rules.post_overfill_message(str(post), post.fte, excess, stored=True),
                )
            )
    for held in by_member.values():
        member = held[0].member
        shares = [rules.Share(a.pk, a.start, a.end, a.fte, _post_name(a)) for a in held]
        if (excess := rules.first_excess(shares, rules.ONE)) is not None:
            found.append(
                Violation(
                    "person",
                    member.center,
                    member,
                    excess.day,
                    excess.total,
                    excess.holders(),
                    rules.person_overload_message(str(member), excess, stored=True),
                )
            )
    found.sort(key=lambda v: (v.center.key, KINDS.index(v.kind), v.day, str(v.obj)))
    return found


def _post_name(assignment: Assignment) -> str:
    """A post as a person's list names it: its label, and its centre when that is another
    one (labels are unique only within a centre)."""
    post = assignment.post
    if post.center_id == assignment.member.center_id:
        return str(post)
    return f"{post} – {post.center.name}"


def _period_violation(a: Assignment) -> Violation:
    post = a.post
    message = _("{member} auf Stelle „{post}“: {problem}").format(
        member=a.member,
        post=post,
        problem=rules.within_post_error(a.start, a.end, post.valid_from, post.valid_to),
    )
    return Violation(
        "period", post.center, a, a.start, a.fte, f"{a.member} ({rules.fmt_fte(a.fte)})", message
    )
