"""The decree's staffing rules, each in one place (Nr. 3.2–3.4, Nr. 4.1–4.3).

Errors stop a change (forms, services, the importer and the admin call the
same functions); warnings are shown on the staffing pages, because the decree
says "in der Regel" and "empfohlen". The functions work on plain values or
light ``Tenure`` records so that the importer can check rows of a file that
are not in the database yet, and the pages can check all 54 centres from a
few bulk queries.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import AssignmentRole, PostKind, Qualification

ZERO = Decimal("0")
ONE = Decimal("1")

# Nr. 4.3: Leitung by a teacher or a Fachkraft, the deputy from "the other" of the two.
PROFESSION = {PostKind.TEACHER: "teacher", PostKind.SPECIALIST: "specialist"}

# Nr. 4.1: Hochschulstudium (Diplom FH, Bachelor, Master) or an equivalent qualification.
# Nr. 4.2: Verwaltungsfachangestellte, Kauffrau/-mann für Büromanagement or comparable;
# a degree that satisfies Nr. 4.1 is at least comparable.
QUALIFIED = {
    PostKind.SPECIALIST: frozenset(
        {Qualification.MASTER, Qualification.BACHELOR, Qualification.EQUIVALENT_DEGREE}
    ),
    PostKind.ADMIN_ASSISTANT: frozenset(
        {
            Qualification.ADMIN_TRAINING,
            Qualification.OFFICE_TRAINING,
            Qualification.COMPARABLE_TRAINING,
            Qualification.MASTER,
            Qualification.BACHELOR,
            Qualification.EQUIVALENT_DEGREE,
        }
    ),
}


def fmt_fte(value) -> str:
    """German decimal comma, two places: 0,50."""
    return f"{Decimal(value):.2f}".replace(".", ",")


def fmt_date(value: date | None) -> str:
    return date_format(value, "d.m.Y") if value else _("offen")


@functools.cache
def _german_kind_label(kind: str) -> str:
    with translation.override("de"):
        return str(PostKind(kind).label)


def post_label(kind: str, taken: Iterable[str]) -> str:
    """The next label in a centre's numbering for a post of ``kind``: "Lehrkraft 3" after
    "Lehrkraft 2". Labels are data and always German, whatever the user's language."""
    base = _german_kind_label(kind)
    pattern = re.compile(rf"^{re.escape(base)} (\d+)$")
    numbers = [int(m.group(1)) for label in taken if (m := pattern.match(label))]
    return f"{base} {max(numbers, default=0) + 1}"


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- single values ----------------------------------------------------------------------------


def fte_error(fte) -> str | None:
    """FTE must lie in (0, 1]."""
    if fte is None or fte <= ZERO or fte > ONE:
        return _("Der Stellenanteil muss größer als 0 und höchstens 1 sein (z. B. 0,5 oder 1).")
    return None


def period_error(start: date | None, end: date | None) -> str | None:
    if start and end and end < start:
        return _("Das Ende ({end}) liegt vor dem Beginn ({start}).").format(
            end=fmt_date(end), start=fmt_date(start)
        )
    return None


def within_post(start: date, end: date | None, post_from: date, post_to: date | None) -> bool:
    """An assignment must lie inside its post's period."""
    return start >= post_from and (
        post_to is None or (end is not None and end <= post_to and start <= post_to)
    )


def within_post_error(
    start: date | None, end: date | None, post_from: date, post_to: date | None
) -> str | None:
    if start is None:
        return None
    if not within_post(start, end, post_from, post_to):
        return _(
            "Die Besetzung ({start} – {end}) liegt außerhalb des Zeitraums der Stelle "
            "({post_from} – {post_to})."
        ).format(
            start=fmt_date(start),
            end=fmt_date(end),
            post_from=fmt_date(post_from),
            post_to=fmt_date(post_to),
        )
    return None


def post_errors(post) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if (msg := fte_error(post.fte)) is not None:
        errors["fte"] = [msg]
    if (msg := period_error(post.valid_from, post.valid_to)) is not None:
        errors["valid_to"] = [msg]
    return errors


def assignment_errors(assignment) -> dict[str, list[str]]:
    """The single-row rules of an assignment (FTE, period, post period)."""
    errors: dict[str, list[str]] = {}
    if (msg := fte_error(assignment.fte)) is not None:
        errors["fte"] = [msg]
    if (msg := period_error(assignment.start, assignment.end)) is not None:
        errors["end"] = [msg]
    elif assignment.post_id and assignment.start:
        post = assignment.post
        msg = within_post_error(assignment.start, assignment.end, post.valid_from, post.valid_to)
        if msg is not None:
            errors["start"] = [msg]
    return errors


# --- several rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenure:
    """What the multi-row rules need of an assignment, stored or from a file row."""

    ref: object  # assignment pk or ("row", n)
    center_id: int
    kind: str
    role: str
    start: date
    end: date | None
    member: object = None
    fte: Decimal = ONE


def overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def leadership_errors(tenures: Iterable[Tenure]) -> list[tuple[Tenure, str]]:
    """Nr. 4.3 and "one Leitung at a time", for all tenures given (grouped per centre).

    Returns (tenure, message) for every tenure involved in a conflict; callers
    keep the ones they are changing.
    """
    leads: dict[int, list[Tenure]] = defaultdict(list)
    deputies: dict[int, list[Tenure]] = defaultdict(list)
    found: list[tuple[Tenure, str]] = []
    for t in tenures:
        if t.role == AssignmentRole.LEAD:
            leads[t.center_id].append(t)
        elif t.role == AssignmentRole.DEPUTY:
            deputies[t.center_id].append(t)
        if t.role in (AssignmentRole.LEAD, AssignmentRole.DEPUTY) and t.kind not in PROFESSION:
            found.append(
                (
                    t,
                    _(
                        "Leitung und stellvertretende Leitung werden von einer Lehrkraft oder "
                        "einer Fachkraft wahrgenommen (Nr. 4.3), nicht von der Verwaltungsassistenz."
                    ),
                )
            )
    for center_id, center_leads in leads.items():
        for i, a in enumerate(center_leads):
            for b in center_leads[i + 1 :]:
                if a.ref != b.ref and overlaps(a.start, a.end, b.start, b.end):
                    msg = _("Zur gleichen Zeit darf es nur eine Leitung geben.")
                    found.append((a, msg))
                    found.append((b, msg))
        for lead in center_leads:
            for deputy in deputies.get(center_id, []):
                if (
                    lead.ref != deputy.ref
                    and lead.kind in PROFESSION
                    and PROFESSION.get(lead.kind) == PROFESSION.get(deputy.kind)
                    and overlaps(lead.start, lead.end, deputy.start, deputy.end)
                ):
                    msg = _(
                        "Leitung und stellvertretende Leitung kommen aus demselben Bereich "
                        "({kind}); die Stellvertretung ist mit einer Person aus dem jeweils "
                        "anderen Bereich zu besetzen (Nr. 4.3)."
                    ).format(kind=PostKind(lead.kind).label)
                    found.append((lead, msg))
                    found.append((deputy, msg))
    return found


def max_concurrent_fte(tenures: Iterable[Tenure], today: date) -> Decimal:
    """The highest total FTE one person holds at any time from today on."""
    relevant = [t for t in tenures if t.end is None or t.end >= today]
    best = ZERO
    for t in relevant:
        point = max(t.start, today)
        total = sum(
            (u.fte for u in relevant if u.start <= point and (u.end is None or u.end >= point)),
            ZERO,
        )
        best = max(best, total)
    return best


# --- capacity: a post never beyond its share, a person never above 1,00 VZÄ ---------------------


class Share(NamedTuple):
    """One assignment's claim on a post or a person's time, as the capacity rules see it.

    ``holder`` names the other side for messages (by its ``str``: the import passes its
    person record, whose name is made only for a message): the person on a post, or the
    post of a person. A tuple, not a frozen dataclass: an import of thousands of rows
    makes one per row, and a tuple is made several times faster."""

    ref: object  # assignment pk, or -n for row n of a file
    start: date
    end: date | None
    fte: Decimal
    holder: object = ""


@dataclass(frozen=True)
class Excess:
    """The first day on which shares add up to more than allowed."""

    day: date
    total: Decimal
    shares: tuple[Share, ...]  # the shares held on that day

    def holders(self) -> str:
        return ", ".join(f"{s.holder} ({fmt_fte(s.fte)})" for s in self.shares)


def first_excess(
    shares: Iterable[Share], cap: Decimal, *, within: Share | None = None
) -> Excess | None:
    """The earliest day on which ``shares`` together exceed ``cap``, or None; with
    ``within``, only days inside that share's period count (the days it is to blame for).

    The total only rises on a start day, so the start days are the days to look at."""
    shares = list(shares)
    days = {s.start for s in shares}
    if within is not None:
        days = {max(d, within.start) for d in days if (within.end is None or d <= within.end)}
    for day in sorted(days):
        active = tuple(s for s in shares if s.start <= day and (s.end is None or s.end >= day))
        total = sum((s.fte for s in active), ZERO)
        if total > cap:
            return Excess(day, total, active)
    return None


def post_overfill_message(
    post_label: str, post_fte: Decimal, excess: Excess, *, stored: bool = False
) -> str:
    """For a change that is refused ("wäre"), or with ``stored`` for data already saved."""
    template = (
        _(
            "Die Stelle „{post}“ ({fte} VZÄ) ist am {day} zu {total} VZÄ besetzt: {holders}. "
            "Eine Stelle kann nicht über ihren Stellenanteil hinaus besetzt werden."
        )
        if stored
        else _(
            "Die Stelle „{post}“ ({fte} VZÄ) wäre am {day} zu {total} VZÄ besetzt: {holders}. "
            "Eine Stelle kann nicht über ihren Stellenanteil hinaus besetzt werden."
        )
    )
    return template.format(
        post=post_label,
        fte=fmt_fte(post_fte),
        day=fmt_date(excess.day),
        total=fmt_fte(excess.total),
        holders=excess.holders(),
    )


def person_overload_message(person: str, excess: Excess, *, stored: bool = False) -> str:
    template = (
        _(
            "{person} ist am {day} zu {total} VZÄ eingesetzt ({holders}); "
            "eine Person arbeitet höchstens 1,00 VZÄ."
        )
        if stored
        else _(
            "{person} wäre am {day} zu {total} VZÄ eingesetzt ({holders}); "
            "eine Person arbeitet höchstens 1,00 VZÄ."
        )
    )
    return template.format(
        person=person,
        day=fmt_date(excess.day),
        total=fmt_fte(excess.total),
        holders=excess.holders(),
    )


def email_taken_message(holder: str | None = None, center: str | None = None) -> str:
    """An address another person already has (one person, one centre: DESIGN.md §6).
    Only whoever may see that person's centre is told whose it is (``holder`` and
    ``center``); anyone else learns nothing about another centre's people (issue 15)."""
    if holder is None:
        return _(
            "Diese E-Mail-Adresse kann hier nicht verwendet werden. Bitte prüfen Sie die Adresse."
        )
    return _(
        "Diese E-Mail-Adresse gehört schon zu {person} ({center}); eine Person wird nur von "
        "einem Zentrum geführt."
    ).format(person=holder, center=center)


# --- warnings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffingWarning:
    code: str
    message: str
    center_id: int
    post_id: int | None = None
    member_id: int | None = None
    since: date | None = None


@dataclass
class PostState:
    """A post's situation on a given day, computed from its prefetched assignments."""

    post: object
    active: list = field(default_factory=list)
    filled: Decimal = ZERO
    vacant_since: date | None = None

    @property
    def open_fte(self) -> Decimal:
        return max(self.post.fte - self.filled, ZERO)


def post_state(post, assignments, today: date) -> PostState:
    active = [a for a in assignments if a.start <= today and (a.end is None or a.end >= today)]
    state = PostState(post=post, active=active, filled=sum((a.fte for a in active), ZERO))
    if state.filled < post.fte and post.valid_from <= today:
        ended = [a.end for a in assignments if a.end is not None and a.end < today]
        since = post.valid_from
        if ended:
            since = max(since, max(ended) + timedelta(days=1))
        state.vacant_since = since
    return state


def is_post_active(post, today: date) -> bool:
    return post.valid_from <= today and (post.valid_to is None or post.valid_to >= today)


def center_warnings(
    *,
    center_id: int,
    posts: Iterable,
    quotas: dict[str, Decimal],
    approved_exceptions: set[tuple[int, str]],
    today: date,
) -> list[StaffingWarning]:
    """All warnings for one centre. ``posts`` carry their assignments with ``member``
    (``staffing.selectors.posts_with_assignments``); no query is made here."""
    warnings: list[StaffingWarning] = []
    post_fte: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_member: dict[int, list[Tenure]] = defaultdict(list)
    members: dict[int, object] = {}
    for post in posts:
        assignments = post.assignment_list
        for a in assignments:
            members[a.member_id] = a.member
            by_member[a.member_id].append(
                Tenure(a.pk, center_id, post.kind, a.role, a.start, a.end, a.member_id, a.fte)
            )
        if not is_post_active(post, today):
            continue
        post_fte[post.kind] += post.fte
        state = post_state(post, assignments, today)
        name = str(post)
        if state.filled == ZERO:
            warnings.append(
                StaffingWarning(
                    "vacancy",
                    _("Stelle „{post}“ ist unbesetzt seit {since}.").format(
                        post=name, since=fmt_date(state.vacant_since)
                    ),
                    center_id,
                    post_id=post.pk,
                    since=state.vacant_since,
                )
            )
        elif state.vacant_since is not None:
            warnings.append(
                StaffingWarning(
                    "vacancy",
                    _(
                        "Stelle „{post}“ ist nur zu {filled} von {fte} VZÄ besetzt "
                        "(offen seit {since})."
                    ).format(
                        post=name,
                        filled=fmt_fte(state.filled),
                        fte=fmt_fte(post.fte),
                        since=fmt_date(state.vacant_since),
                    ),
                    center_id,
                    post_id=post.pk,
                    since=state.vacant_since,
                )
            )
        if state.filled > post.fte:
            # Stored before the capacity rule became an error (staffing.checks lists it):
            # more than the post holds is no split of it.
            warnings.append(
                StaffingWarning(
                    "overfill",
                    _(
                        "Stelle „{post}“ ist zu {filled} von {fte} VZÄ besetzt — mehr als ihr "
                        "Stellenanteil."
                    ).format(post=name, filled=fmt_fte(state.filled), fte=fmt_fte(post.fte)),
                    center_id,
                    post_id=post.pk,
                )
            )
        elif _unequal_split(state.active):
            shares = sorted(a.fte for a in state.active)
            warnings.append(
                StaffingWarning(
                    "split",
                    _(
                        "Stelle „{post}“ ist auf {n} Anteile ({shares}) verteilt; empfohlen "
                        "ist eine Besetzung zu zwei gleichen Anteilen (Nr. 3.2, Nr. 3.3)."
                    ).format(post=name, n=len(shares), shares=" + ".join(map(fmt_fte, shares))),
                    center_id,
                    post_id=post.pk,
                )
            )
        accepted = QUALIFIED.get(post.kind)
        if accepted is not None:
            for a in state.active:
                member = a.member
                if (
                    member.qualification not in accepted
                    and (member.pk, post.kind) not in approved_exceptions
                ):
                    warnings.append(
                        StaffingWarning(
                            "qualification",
                            _(
                                "{member} ({kind}) hat keine Qualifikation nach {para} "
                                "und keine genehmigte Ausnahme."
                            ).format(
                                member=member,
                                kind=PostKind(post.kind).label,
                                para="Nr. 4.1" if post.kind == PostKind.SPECIALIST else "Nr. 4.2",
                            ),
                            center_id,
                            post_id=post.pk,
                            member_id=member.pk,
                        )
                    )
    teacher_quota = quotas.get(PostKind.TEACHER)
    teacher_fte = post_fte[PostKind.TEACHER]
    if teacher_quota is not None and teacher_fte != teacher_quota:
        warnings.append(
            StaffingWarning(
                "quota",
                _("Lehrkräftestellen: {fte} VZÄ, Soll {quota} VZÄ (Nr. 3.2).").format(
                    fte=fmt_fte(teacher_fte), quota=fmt_fte(teacher_quota)
                ),
                center_id,
            )
        )
    for member_id, tenures in by_member.items():
        total = max_concurrent_fte(tenures, today)
        if total > ONE:
            warnings.append(
                StaffingWarning(
                    "overallocation",
                    _("{member} ist zu {total} VZÄ eingesetzt (mehr als 100 %).").format(
                        member=members[member_id], total=fmt_fte(total)
                    ),
                    center_id,
                    member_id=member_id,
                )
            )
    for tenure, message in _dedupe(leadership_errors(t for ts in by_member.values() for t in ts)):
        warnings.append(StaffingWarning("leadership", message, center_id, member_id=tenure.member))
    return warnings


def _unequal_split(active) -> bool:
    """Nr. 3.2/Nr. 3.3: a post held part-time is best split into two equal shares."""
    shares = sorted(a.fte for a in active)
    return len(shares) > 2 or (len(shares) == 2 and shares[0] != shares[1])


def _dedupe(pairs):
    seen = set()
    for tenure, message in pairs:
        if (tenure.member, message) not in seen:
            seen.add((tenure.member, message))
            yield tenure, message
