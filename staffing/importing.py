"""Comparing a staffing list with the database, and planning what the import writes
(DESIGN.md §6) — the one place.

``staffing.spreadsheet`` turns the file into parsed rows; the ``Checker`` here
decides each row, chunk by chunk, with a fixed number of queries per ``LOOKUP_CHUNKS``
chunks:

- A row's person is found by e-mail. Its assignment is the person's stored
  assignment of the same Stellenart whose period overlaps the row's (preferring the
  same Beginn, then the post the row names): a different Beginn, Ende, Anteil,
  Funktion, Schule or Stelle makes the row "geändert", never a second assignment.
- Rows that leave everything as stored are decided at once ("unverändert"). New and
  changed rows, and rows that give or take a Leitung, are held back until the end of
  the file (``finish``): only then is the centre's staffing as the file leaves it
  known. ``finish`` places new rows on posts (the post the row names in ``Stelle``;
  else the first post of that kind with room; a post is created only when none has
  room: "neue Stelle", numbered like the centre's others, as large as the row), and
  checks the invariants on that final state — on no day is a post filled beyond its
  share, on no day does a person work more than 1,00 VZÄ — and Nr. 4.3. A row that
  breaks one is an error naming the post or person, the day and the holders. Rows
  get the decree's warnings they would cause (Nr. 3.2 split, Soll exceeded,
  Nr. 4.1/4.2 qualification).
- "Vollständige Liste": people of the file's centres who are not in the file are
  listed; with ``end_missing_on`` their assignments end on that day.

What the import is to write is collected as a ``Plan``; ``staffing.imports`` writes it.
Memory: a ``Person`` per e-mail address and the held rows (new and changed ones).
"""

from __future__ import annotations

import functools
import itertools
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter

from django.db import connection
from django.db.models import Field, Lookup
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.access import Capability, centers_for
from centers.models import Center

from . import rules, spreadsheet
from .models import Assignment, AssignmentRole, FundingSource, Post, PostKind, StaffMember
from .spreadsheet import CHANGED, ERROR, NEW, UNCHANGED, RowResult

_NUMBER = attrgetter("number")
MEMBER_FIELDS = ("last_name", "first_name", "qualification", "qualification_subject")
ASSIGNMENT_FIELDS = ("start", "end", "fte", "role", "seconding_school")
FIELD_HEADER = {
    "last_name": "Nachname",
    "first_name": "Vorname",
    "qualification": "Qualifikation",
    "qualification_subject": "Qualifikation",
    "start": "Beginn",
    "fte": "Stellenanteil",
    "end": "Ende",
    "role": "Funktion",
    "seconding_school": "Abordnende Schule",
    "post": "Stelle",
}
LEADERSHIP = (AssignmentRole.LEAD, AssignmentRole.DEPUTY)


@Field.register_lookup
class _AnyOf(Lookup):
    """``email__any_of=[…]``: ``= ANY(…)`` with the list as one parameter on PostgreSQL
    (a 900-value ``IN`` costs more to build and send than to run), ``IN`` on SQLite.
    Texts go as one newline-joined string that the server splits: adapting 900
    strings as an array costs the client more than the query (e-mail addresses
    cannot contain a line break; a list that has one goes as an array)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            if all(type(v) is str and v and "\n" not in v for v in values):
                return f"{lhs} = ANY(string_to_array(%s, chr(10)))", [
                    *lhs_params,
                    "\n".join(values),
                ]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def _chunks(items: list, size: int | None = None):
    size = size or spreadsheet.CHUNK
    for i in range(0, len(items), size):
        yield items[i : i + size]


# Chunks whose stored people and assignments are looked up together: on PostgreSQL a
# lookup has no parameter limit (``any_of`` sends one parameter), so one round trip for
# eight chunks instead of one each; elsewhere ``_lookups`` splits it for the limit.
LOOKUP_CHUNKS = 8


def _lookups(items: list) -> Iterator[list]:
    """``items`` in pieces for an ``any_of`` lookup: at once on PostgreSQL, ``CHUNK`` at
    a time elsewhere (SQLite's parameter limit)."""
    if connection.vendor != "postgresql":
        yield from _chunks(items)
    elif items:
        yield items


def _show(field_name: str, value) -> str:
    """A value as the preview shows it: "0,50", "01.08.2024", "stellv. Leitung", "–"."""
    if value in (None, ""):
        return "–"
    if field_name == "fte":
        return rules.fmt_fte(value)
    if isinstance(value, date):
        return rules.fmt_date(value)
    if field_name == "role":
        return str(AssignmentRole(value).label)
    return str(value)


def change_text(field_name: str, old, new) -> str:
    """ "Stellenanteil: 0,50 → 1,00" """
    return f"{FIELD_HEADER[field_name]}: {_show(field_name, old)} → {_show(field_name, new)}"


@dataclass(slots=True)
class Person:
    """What the import keeps of one e-mail address across the whole file: the values
    of its first row (every later row must agree), the stored person, and the
    (Stellenart, Beginn) of its rows, for duplicates."""

    number: int
    center_key: str
    last_name: str
    first_name: str
    qualification: str
    qualification_subject: str
    member_id: int | None = None  # stored before the import, or written by it
    stored_center_id: int | None = None
    changes: tuple = ()  # "Nachname: Alt → Neu" for the person's columns the file changes
    # (Stellenart, Beginn) of the person's first row, inline (most people have one row),
    # and of further rows in a dict made only for them: (Stellenart, Beginn) → row.
    kind: str | None = None
    start: date | None = None
    start_number: int = 0
    more: dict | None = None

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    __str__ = name.fget  # a share's holder on a post: the name, made only for a message

    def claim(self, kind: str, start: date, number: int) -> int:
        """Records row ``number``'s (Stellenart, Beginn); returns the first row with it."""
        if self.kind is None:
            self.kind, self.start, self.start_number = kind, start, number
            return number
        if self.kind == kind and self.start == start:
            return self.start_number
        if self.more is None:
            self.more = {}
        return self.more.setdefault((kind, start), number)


@dataclass(slots=True, frozen=True)
class StoredAssignment:
    pk: int
    kind: str
    post_id: int
    post_label: str
    start: date
    end: date | None
    fte: Decimal
    role: str
    seconding_school: str


# --- the plan: what a confirmed import writes ----------------------------------------------------


@dataclass(slots=True)
class NewAssignment:
    number: int
    email: str
    post: PlannedPost  # stored, or one of ``Plan.new_posts``
    fte: Decimal
    start: date
    end: date | None
    role: str
    seconding_school: str


@dataclass
class Plan:
    new_posts: list[PlannedPost] = field(default_factory=list)
    new_assignments: list[NewAssignment] = field(default_factory=list)
    # assignment pk → {field: value}; a moved one has "post_id": the PlannedPost
    changed: dict[int, dict] = field(default_factory=dict)
    ended: dict[int, date] = field(default_factory=dict)  # full list: pk → last day
    # People of the file's centres who are not in the file (shown, ended on request).
    missing: list[dict] = field(default_factory=list)


# --- the centre as the file leaves it ------------------------------------------------------------


class PlannedPost:
    """A post as the plan sees it: a stored one (``pk``) or one the import creates.
    Plain attributes, not a model instance: a large file plans thousands of them;
    ``staffing.imports`` makes ``Post`` objects of the new ones when it writes."""

    __slots__ = ("pk", "center", "kind", "label", "fte", "funding_source", "valid_from", "valid_to")

    def __init__(self, pk, center, kind, label, fte, funding_source, valid_from, valid_to):
        self.pk, self.center, self.kind, self.label = pk, center, kind, label
        self.fte, self.funding_source = fte, funding_source
        self.valid_from, self.valid_to = valid_from, valid_to

    def get_kind_display(self) -> str:
        return str(PostKind(self.kind).label)


_ZERO = Decimal(0)
_NEVER = date.max  # an open end, for comparing without a None check
_FIRST_DAY = date.min  # before any share: no block, no open-ended share yet


class _Slot:
    """A post and every share on it in the final state. ``shares`` maps a reference
    (assignment pk, or ``-n`` for row n of the file) to a ``rules.Share``."""

    __slots__ = (
        "post",
        "shares",
        "exact",
        "open_fte",
        "open_start",
        "closed",
        "blocks",
        "block_start",
        "block_end",
    )

    def __init__(self, post: PlannedPost):
        self.post, self.shares, self.exact = post, {}, False
        # Running figures: the open-ended shares' sum and the latest of their starts
        # (from then on they are all held at once), the other shares' count.
        self.open_fte, self.open_start, self.closed = _ZERO, _FIRST_DAY, 0
        # Shares that fill the post alone ("blocks"): a row overlapping one cannot fit,
        # which first fit sees at a glance. The earliest start and the latest end (or
        # NEVER) among them; their periods only when there are several (most posts
        # have none or one).
        self.block_start, self.block_end = _NEVER, _FIRST_DAY
        self.blocks: list[tuple[date, date]] | None = None

    def add(self, share: rules.Share) -> None:
        self.shares[share.ref] = share
        end = share.end
        if end is None:
            # The first open share's own Decimal, not a new one (a large file has thousands).
            self.open_fte = share.fte if self.open_fte is _ZERO else self.open_fte + share.fte
            if share.start > self.open_start:
                self.open_start = share.start
            end = _NEVER
        else:
            self.closed += 1
        if share.fte >= self.post.fte:
            self._block(share.start, end)

    def _block(self, start: date, end: date) -> None:
        if self.block_end is not _FIRST_DAY:  # a second block: keep the periods
            if self.blocks is None:
                self.blocks = [(self.block_start, self.block_end)]
            self.blocks.append((start, end))
        if start < self.block_start:
            self.block_start = start
        if end > self.block_end:
            self.block_end = end

    def discard(self, ref) -> None:
        share = self.shares.pop(ref)
        if share.end is None:
            self.open_fte -= share.fte
            self.open_start = max(
                (s.start for s in self.shares.values() if s.end is None), default=_FIRST_DAY
            )
        else:
            self.closed -= 1
        if share.fte >= self.post.fte:
            self.block_start, self.block_end, self.blocks = _NEVER, _FIRST_DAY, None
            for s in self.shares.values():
                if s.fte >= self.post.fte:
                    self._block(s.start, s.end or _NEVER)

    def blocked(self, start: date, stop: date) -> bool:
        """A share that fills the post alone overlaps ``start``–``stop`` (NEVER: open)."""
        if start > self.block_end or stop < self.block_start:
            return False
        if self.blocks is None or stop is _NEVER:
            return True  # the one block, or the one ending last, overlaps
        return any(start <= end and begin <= stop for begin, end in self.blocks)

    def has_room(self, ref, start: date, end: date | None, fte: Decimal) -> bool:
        post = self.post
        if not rules.within_post(start, end, post.valid_from, post.valid_to):
            return False
        cap = post.fte
        if self.open_fte + fte > cap and (end is None or max(start, self.open_start) <= end):
            return False  # quick: on that day the open-ended shares and this one are held
        overlapping = []
        total = fte
        for s in self.shares.values():
            if (s.end is None or start <= s.end) and (end is None or s.start <= end):
                if s.fte + fte > cap:
                    return False  # quick: this share alone leaves no room
                overlapping.append(s)
                total += s.fte
        if total <= cap:
            return True  # quick: even all overlapping shares at once fit
        share = rules.Share(ref, start, end, fte)
        return rules.first_excess([*overlapping, share], cap, within=share) is None

    @property
    def full_for_good(self) -> bool:
        """Open-ended shares fill the post: no new row will fit on it again."""
        return not self.closed and self.open_fte >= self.post.fte


# First fit looks at the newest ALLOCATION_WINDOW posts with room of a centre and kind;
# a full post leaves and an older one comes back into view. A real centre has a dozen
# posts per kind; only synthetic files with thousands reach ALLOCATION_KEEP, where the
# oldest are let go so that time stays linear.
ALLOCATION_WINDOW = 64
ALLOCATION_KEEP = 4 * ALLOCATION_WINDOW


class _CentreState:
    """One centre's posts and assignments as the file leaves them."""

    def __init__(self, center: Center):
        self.center = center
        self.slots: dict[int | str, _Slot] = {}  # post pk (or label of a new post) → slot
        self.by_label: dict[str, _Slot] = {}
        self.by_kind: dict[str, list[_Slot]] = defaultdict(list)
        self.candidates: dict[str, list[_Slot]] = defaultdict(list)  # first fit, oldest first
        self.person: dict[str, dict] = defaultdict(dict)  # e-mail → ref → Share (on its post)
        self.leaders: dict[object, rules.Tenure] = {}  # ref → Tenure (role set)
        self.where: dict[object, _Slot] = {}  # ref → its slot
        self.numbers: dict[str, int] = {}  # kind → next number of a created post's label
        self.bases: dict[str, str] = {}  # kind → "Lehrkraft"

    def add_post(self, post: PlannedPost, *, candidate: bool = True) -> _Slot:
        """``candidate``: the post enters first fit (not one full for good at once)."""
        slot = _Slot(post)
        self.slots[post.pk or post.label] = slot
        self.by_label[post.label] = slot
        self.by_kind[post.kind].append(slot)
        if candidate:
            candidates = self.candidates[post.kind]
            candidates.append(slot)
            if len(candidates) > ALLOCATION_KEEP:
                del candidates[: len(candidates) - ALLOCATION_KEEP]
        return slot

    def next_label(self, kind: str) -> str:
        """ "Lehrkraft 3" after "Lehrkraft 2": the numbering is found once per kind."""
        number = self.numbers.get(kind)
        if number is None:
            base, first = rules.post_label(kind, self.by_label).rsplit(" ", 1)
            self.bases[kind], number = base, int(first)
        label = f"{self.bases[kind]} {number}"
        while label in self.by_label:
            number += 1
            label = f"{self.bases[kind]} {number}"
        self.numbers[kind] = number + 1
        return label

    def first_fit(self, kind: str, ref, start: date, end: date | None, fte) -> _Slot | None:
        stop = end or _NEVER
        for slot in self.candidates[kind][-ALLOCATION_WINDOW:]:
            # The cheap refusals inline (``_Slot.blocked`` in short): a file of thousands
            # of rows asks this often.
            if (
                start <= slot.block_end
                and stop >= slot.block_start
                and (stop is _NEVER or slot.blocks is None or slot.blocked(start, stop))
            ):
                continue
            post = slot.post
            if start < post.valid_from or post.fte < fte:
                continue  # begins before the post (most created posts), or too small
            if slot.has_room(ref, start, end, fte):
                return slot
        return None

    def taken(self, slot: _Slot) -> None:
        """After a share was put on ``slot``: a post full for good leaves first fit, a
        post whose share went down (or ended) comes back."""
        candidates = self.candidates[slot.post.kind]
        newest = bool(candidates) and candidates[-1] is slot  # a post just created: common
        if slot.full_for_good:
            if newest:
                candidates.pop()
            elif slot in candidates:
                candidates.remove(slot)
        elif not newest and slot not in candidates[-ALLOCATION_WINDOW:]:
            if slot in candidates:
                candidates.remove(slot)
            candidates.append(slot)

    def put(self, ref, slot: _Slot, email: str, share: rules.Share, role: str) -> None:
        """``share`` names its holder (a person's name, or the ``Person`` whose ``str``
        it is); the person's side names the post when a message needs it."""
        if ref in self.where:  # a stored assignment or a row placed before: move it
            self.remove(ref, email)
        slot.add(share)
        self.person[email][ref] = share
        self.where[ref] = slot
        if role in LEADERSHIP:
            self.leaders[ref] = rules.Tenure(
                ref, self.center.id, slot.post.kind, role, share.start, share.end, email
            )

    def remove(self, ref, email: str) -> None:
        if (slot := self.where.pop(ref, None)) is not None:
            slot.discard(ref)
        self.person[email].pop(ref, None)
        self.leaders.pop(ref, None)


# --- the checker ---------------------------------------------------------------------------------


class Checker:
    """The dry run, chunk by chunk (see the module docstring). ``check`` returns the
    rows it has decided; ``finish`` the held-back ones, and fills ``plan``."""

    def __init__(self, *, user, end_missing_on: date | None = None):
        self.centers = {c.key: c for c in Center.objects.select_related("sponsor")}
        self.centers_by_pk = {c.pk: c for c in self.centers.values()}
        self.allowed = set(
            centers_for(user, Capability.IMPORT_STAFFING).values_list("pk", flat=True)
        )
        self.user = user
        self.visible: set[int] | None = None  # centres whose staffing the user may see
        self.email_taken: dict[str, str] = {}  # e-mail of another centre's person → message
        self.people: dict[str, Person] = {}
        self.held: list[RowResult] = []
        self.claimed: set[int] = set()  # stored assignments matched by a row
        self.file_centers: set[int] = set()
        self.end_missing_on = end_missing_on
        self.plan = Plan()
        self.today = timezone.localdate()
        self.funding: dict[str, str] | None = None  # kind → funding of created posts

    # -- one chunk --

    def check_chunks(
        self, chunks: Iterable[list[RowResult]]
    ) -> Iterator[tuple[list[RowResult], list[RowResult]]]:
        """Each chunk with the rows decided in it (new and changed ones wait for
        ``finish``). The stored people and assignments of ``LOOKUP_CHUNKS`` chunks are
        read together: nothing is written before ``finish``, so they stay as read."""
        chunks = iter(chunks)
        while group := list(itertools.islice(chunks, LOOKUP_CHUNKS)):
            stored_members = self._stored_members([row for rows in group for row in rows])
            stored = self._stored_assignments(stored_members, group)
            for rows in group:
                people = [self._check_row(row, stored_members) for row in rows]  # None: error
                decided, held = [], self.held
                for row, person in zip(rows, people, strict=True):
                    if person is not None and self._classify(row, person, stored):
                        held.append(row)
                    else:
                        decided.append(row)
                yield rows, decided

    def _stored_members(self, rows: list[RowResult]) -> dict[str, tuple]:
        people = self.people
        emails = {e for r in rows if (e := r.values["email"]) and e not in people}
        found = {}
        for chunk in _lookups(list(emails)):
            for pk, email, center_id, *values in StaffMember.objects.filter(
                email__any_of=chunk
            ).values_list("pk", "email", "center_id", *MEMBER_FIELDS):
                found[email] = (pk, center_id, *values)
        return found

    def _stored_assignments(
        self, stored_members: dict[str, tuple], group: list[list[RowResult]]
    ) -> dict[int, list[StoredAssignment]]:
        """The stored assignments of the group's people who are stored already (found
        now, or met in an earlier group)."""
        member_ids = {stored[0] for stored in stored_members.values()}
        people = self.people
        for rows in group:
            for row in rows:
                person = people.get(row.values["email"])
                if person is not None and person.stored_center_id is not None:
                    member_ids.add(person.member_id)
        found: dict[int, list[StoredAssignment]] = defaultdict(list)
        for chunk in _lookups(sorted(member_ids)):
            for member_id, *values in (
                Assignment.objects.filter(member_id__in=chunk)
                .order_by("start", "pk")
                .values_list(
                    "member_id",
                    "pk",
                    "post__kind",
                    "post_id",
                    "post__label",
                    "start",
                    "end",
                    "fte",
                    "role",
                    "seconding_school",
                )
            ):
                found[member_id].append(StoredAssignment(*values))
        return found

    def _check_row(self, row: RowResult, stored_members: dict[str, tuple]) -> Person | None:
        """The row's centre and person; returns the person, or None when the row has an
        error (its person is kept all the same: later rows are compared with it)."""
        v = row.values
        key = v["center_key"]
        center = self.centers.get(key) if key else None
        center_id = None
        if center is not None:
            center_id = center.id
            if center_id in self.allowed:
                self.file_centers.add(center_id)
            else:
                row.error(
                    "center",
                    _("Sie dürfen die Personalliste von „{center}“ nicht ändern.").format(
                        center=center.name
                    ),
                )
        elif key:
            row.error("center", _("Unbekannter KI-Schlüssel „{key}“.").format(key=key))
        v["center"] = center
        email = v["email"]
        if not email:
            row.status = ERROR
            return None
        person = self.people.get(email)
        if person is None:
            person = self.people[email] = Person(
                row.number,
                sys.intern(key),
                v["last_name"],
                v["first_name"],
                v["qualification"],
                v["qualification_subject"],
            )
            if (stored := stored_members.get(email)) is not None:
                person.member_id, person.stored_center_id = stored[0], stored[1]
                if center_id is not None and stored[1] == center_id:
                    person.changes = tuple(
                        change_text(f, old, v[f])
                        for f, old in zip(MEMBER_FIELDS, stored[2:], strict=True)
                        if old != v[f]
                    )
                else:
                    self.email_taken[email] = self._email_taken(stored)
        else:
            # Level and subject come from one cell: one message under "Qualifikation".
            for name, differs in (
                ("last_name", person.last_name != v["last_name"]),
                ("first_name", person.first_name != v["first_name"]),
                (
                    "qualification",
                    person.qualification != v["qualification"]
                    or person.qualification_subject != v["qualification_subject"],
                ),
            ):
                if differs:
                    row.error(
                        name,
                        _("Weicht von Zeile {n} für dieselbe Person ab.").format(n=person.number),
                    )
            if person.center_key != key:
                row.error(
                    "center",
                    _("Dieselbe Person steht in Zeile {n} bei einem anderen Zentrum.").format(
                        n=person.number
                    ),
                )
        stored_center_id = person.stored_center_id
        if stored_center_id is not None and center_id is not None and stored_center_id != center_id:
            # No message is kept when the person's first row named her own centre: this row
            # already has the error that it names another one; the address gets the words
            # that tell nothing.
            row.error("email", self.email_taken.get(email) or rules.email_taken_message())
        if row.status == ERROR or center is None or not v["kind"] or not v["start"]:
            row.status = ERROR
            return None
        first = person.claim(v["kind"], v["start"], row.number)
        if first != row.number:
            row.error(
                "start",
                _(
                    "Doppelte Zeile: dieselbe Person, Stellenart und derselbe Beginn stehen "
                    "schon in Zeile {n}."
                ).format(n=first),
            )
            return None
        return person

    def _email_taken(self, stored: tuple) -> str:
        """The message for an address another centre's person has: whose it is only for
        a user who may see that centre's staffing list (no e-mail oracle, issue 15)."""
        if self.visible is None:  # asked once, and only when an address is taken
            self.visible = set(
                centers_for(self.user, Capability.VIEW_STAFFING).values_list("pk", flat=True)
            )
        _pk, center_id, last_name, first_name, *_rest = stored
        if center_id not in self.visible:
            return rules.email_taken_message()
        return rules.email_taken_message(
            f"{last_name}, {first_name}", self.centers_by_pk[center_id].name
        )

    def _match(self, row: RowResult, candidates: list[StoredAssignment]):
        """The person's stored assignment this row describes: same Stellenart, periods
        overlapping; the same Beginn first, then the post the row names."""
        v = row.values
        found = [
            s
            for s in candidates
            if s.kind == v["kind"]
            and s.pk not in self.claimed
            and rules.overlaps(s.start, s.end, v["start"], v["end"])
        ]
        if not found:
            return None
        label = v.get("post_label")
        found.sort(key=lambda s: (s.start != v["start"], bool(label) and s.post_label != label))
        self.claimed.add(found[0].pk)
        return found[0]

    def _classify(
        self, row: RowResult, person: Person, stored: dict[int, list[StoredAssignment]]
    ) -> bool:
        """Sets the row's status; True when the row waits for ``finish``."""
        v = row.values
        existing = (
            self._match(row, stored.get(person.member_id, []))
            if person.stored_center_id is not None
            else None
        )
        v["stored"] = existing
        if existing is None:
            row.status = NEW
            if person.changes:
                row.changes = list(person.changes)
            return True
        changes = list(person.changes)
        changes += [
            change_text(f, getattr(existing, f), v[f])
            for f in ASSIGNMENT_FIELDS
            if getattr(existing, f) != v[f]
        ]
        label = v.get("post_label")
        if label and label != existing.post_label:
            changes.append(change_text("post", existing.post_label, label))
        row.changes = changes
        v["landing"] = existing.post_label
        row.status = CHANGED if changes else UNCHANGED
        return row.status == CHANGED or v["role"] in LEADERSHIP or existing.role in LEADERSHIP

    # -- the end of the file --

    def finish(self, *, plan: bool = True) -> list[RowResult]:
        """Places the held rows, checks the invariants and Nr. 4.3 on the staffing as the
        file leaves it, adds the warnings and, with ``plan``, fills ``plan`` (a dry run
        writes nothing and needs no plan; ``plan.new_posts`` and ``plan.missing`` are
        filled either way)."""
        held, self.held = self.held, []
        held.sort(key=_NUMBER)  # in file order already; cheap to make sure
        # A centre whose rows change nothing stays as stored: its unchanged Leitung rows
        # cannot cause a conflict that is not stored already.
        center_ids = {r.values["center"].id for r in held if r.status != UNCHANGED}
        states = self._load(center_ids)
        # An assignment is always on a post: when the centres loaded are all of the
        # file's and none has a post yet (a first import), there is none to read.
        first_import = center_ids == self.file_centers and not any(
            state.slots for state in states.values()
        )
        assignments = [] if first_import else self._assignments()
        self._put_stored(states, assignments)
        self._missing(states, assignments)
        by_ref: dict[object, RowResult] = {}
        # Stored assignments take their final shape first: a share lowered further down
        # the file makes room for a new row above it. A new row's reference is -n.
        stored_first = [r for r in held if r.values["stored"] is not None]
        if stored_first:
            stored_first += [r for r in held if r.values["stored"] is None]
        for row in stored_first or held:
            v = row.values
            state = states.get(v["center"].id)
            if state is None:
                continue
            stored = v["stored"]
            ref = stored.pk if stored is not None else -row.number
            by_ref[ref] = row
            self._place(row, ref, state)
        for state in states.values():
            self._check_posts(state, by_ref)
            self._check_people(state, by_ref)
            self._check_leadership(state, by_ref)
        self._warn(held, states)
        if plan:
            self._plan(held)
        return held

    def _assignments(self) -> list[tuple]:
        """Every stored assignment of the file's centres, in one query for ``_load`` and
        ``_missing`` (the centres with changes are among the file's): by the holder's
        name, then Beginn."""
        if not self.file_centers:
            return []
        return list(
            Assignment.objects.filter(post__center_id__in=sorted(self.file_centers))
            .order_by("member__last_name", "member__first_name", "start", "pk")
            .values_list(
                "pk",
                "post_id",
                "post__center_id",
                "start",
                "end",
                "fte",
                "role",
                "member__email",
                "member__last_name",
                "member__first_name",
                "post__label",
            )
        )

    def _load(self, center_ids: set[int]) -> dict[int, _CentreState]:
        """The centres' states with their stored posts (oldest first)."""
        centers = {pk: self.centers_by_pk[pk] for pk in center_ids}
        states = {pk: _CentreState(c) for pk, c in centers.items()}
        posts = (
            Post.objects.filter(center_id__in=list(centers))
            .order_by("valid_from", "pk")
            .values_list(
                "pk",
                "center_id",
                "kind",
                "label",
                "fte",
                "funding_source",
                "valid_from",
                "valid_to",
            )
        )
        for pk, center_id, *values in posts:
            states[center_id].add_post(PlannedPost(pk, centers[center_id], *values))
        return states

    def _put_stored(self, states: dict[int, _CentreState], assignments: list[tuple]) -> None:
        """The stored assignments onto the loaded centres' posts."""
        for pk, post_id, center_id, start, end, fte, role, email, last, first, _l in assignments:
            state = states.get(center_id)
            if state is None:
                continue
            state.put(
                pk,
                state.slots[post_id],
                email,
                rules.Share(pk, start, end, fte, f"{last}, {first}"),
                role,
            )
        for state in states.values():
            for slot in list(state.slots.values()):
                state.taken(slot)

    def _missing(self, states: dict[int, _CentreState], assignments: list[tuple]) -> None:
        """People of the file's centres with a current assignment who are not in the file;
        with ``end_missing_on`` their assignments end that day (also in ``states``, so
        that the checks see a Leitung who leaves as gone)."""
        if not self.file_centers:
            return
        day = self.end_missing_on or self.today
        missing: dict[str, dict] = {}
        for pk, _post, center_id, start, end, _fte, _role, email, last, first, label in assignments:
            if email in self.people or (end is not None and end <= day):
                continue  # in the file, or over by that day
            entry = missing.setdefault(
                email,
                {
                    "name": f"{last}, {first}",
                    "email": email,
                    "center": self.centers_by_pk[center_id].name,
                    "posts": [],
                },
            )
            entry["posts"].append(label)
            if self.end_missing_on is None or start > day:
                continue  # an assignment that begins after that day is left as it is
            self.plan.ended[pk] = day
            state = states.get(center_id)
            if state is not None and pk in state.where:
                slot = state.where[pk]
                old = slot.shares[pk]
                role = state.leaders[pk].role if pk in state.leaders else ""
                state.put(pk, slot, email, old._replace(end=day), role)
                state.taken(slot)
        for entry in missing.values():
            entry["posts"] = ", ".join(entry["posts"])
        self.plan.missing = list(missing.values())

    def _place(self, row: RowResult, ref, state: _CentreState) -> None:
        v = row.values
        start, end, fte = v["start"], v["end"], v["fte"]
        stored: StoredAssignment | None = v["stored"]
        label = v.get("post_label") or ""
        fresh = False  # a post created for this row by first fit
        if label:
            slot = state.by_label.get(label)
            if slot is not None and slot.post.kind != v["kind"]:
                row.error(
                    "post_label",
                    _(
                        "Die Stelle „{post}“ ist eine Stelle für {kind}, nicht für {row_kind}."
                    ).format(
                        post=label,
                        kind=slot.post.get_kind_display(),
                        row_kind=PostKind(v["kind"]).label,
                    ),
                )
                return
            if slot is None:
                slot = self._new_post(state, v, label=label)
                v["new_post"] = True
            slot.exact = True
        elif stored is not None:
            slot = state.slots[stored.post_id]
            slot.exact = True
        else:
            slot = state.first_fit(v["kind"], ref, start, end, fte)
            if slot is None:
                # A post made for the row, as large as its share, from its Beginn on: the
                # row fits, and an open-ended row fills it for good, so that it never
                # enters first fit (``taken`` has nothing to do).
                slot = self._new_post(state, v, candidate=end is not None)
                v["new_post"] = fresh = True
        post = slot.post
        if not fresh and not rules.within_post(start, end, post.valid_from, post.valid_to):
            row.error("end", rules.within_post_error(start, end, post.valid_from, post.valid_to))
        v["landing"] = post.label
        v["slot"] = slot
        # The holder is the Person: its name is made only for a message.
        email = v["email"]
        state.put(
            ref, slot, email, rules.Share(ref, start, end, fte, self.people[email]), v["role"]
        )
        if not fresh:
            state.taken(slot)

    def _new_post(
        self, state: _CentreState, v: dict, *, label: str = "", candidate: bool = True
    ) -> _Slot:
        if self.funding is None:
            defaults = _post_defaults()
            self.funding = {
                kind: defaults.get(kind, {}).get("funding_source", FundingSource.MUNICIPAL)
                for kind in PostKind.values
            }
        kind = v["kind"]
        post = PlannedPost(
            None,
            state.center,
            kind,
            label or state.next_label(kind),
            v["fte"],
            self.funding[kind],
            v["start"],
            None,
        )
        self.plan.new_posts.append(post)
        return state.add_post(post, candidate=candidate)

    def _check_posts(self, state: _CentreState, by_ref) -> None:
        """Posts a row lands on by name or keeps: the exact check (first fit is safe by
        construction). A post created for named rows grows to what they need, up to 1,00."""
        for slot in state.slots.values():
            if not slot.exact:
                continue
            if slot.post.pk is None:
                need = sum((s.fte for s in slot.shares.values()), Decimal(0))
                slot.post.fte = min(max(need, slot.post.fte), rules.ONE)
            for ref, share in slot.shares.items():
                row = by_ref.get(ref)
                if row is None or row.status == ERROR:
                    continue
                excess = rules.first_excess(slot.shares.values(), slot.post.fte, within=share)
                if excess is not None and any(s.ref == ref for s in excess.shares):
                    row.error(
                        "fte",
                        rules.post_overfill_message(slot.post.label, slot.post.fte, excess),
                    )

    def _check_people(self, state: _CentreState, by_ref) -> None:
        for email, shares in state.person.items():
            # One share is at most 1,00 (a row's share is checked when read; a stored one
            # without a row is not this import's to report).
            if len(shares) < 2 or sum(s.fte for s in shares.values()) <= rules.ONE:
                continue  # even all at once: at most 1,00
            # The person's side of each share names its post.
            where = state.where
            shares = {
                ref: share._replace(holder=where[ref].post.label) for ref, share in shares.items()
            }
            mine = [ref for ref in shares if ref in by_ref]
            for ref in mine:
                row = by_ref[ref]
                if row.status == ERROR:
                    continue
                excess = rules.first_excess(shares.values(), rules.ONE, within=shares[ref])
                if excess is not None:
                    row.error("fte", rules.person_overload_message(self.people[email].name, excess))

    def _check_leadership(self, state: _CentreState, by_ref) -> None:
        reported = set()
        for tenure, message in rules.leadership_errors(state.leaders.values()):
            row = by_ref.get(tenure.ref)
            if row is not None and (tenure.ref, message) not in reported:
                reported.add((tenure.ref, message))
                row.error("role", message)

    def _warn(self, held: list[RowResult], states: dict[int, _CentreState]) -> None:
        """The decree's warnings a row would cause; they never block the import."""
        from .selectors import approved_exceptions, quotas_for

        rows = [r for r in held if r.status != ERROR and r.status != UNCHANGED]
        if not rows:
            return
        centers = [states[pk].center for pk in {r.values["center"].id for r in rows}]
        # Read when the first row needs them: a list whose people are qualified and that
        # creates no post asks neither.
        quotas = functools.cache(lambda: quotas_for(centers, self.today))
        exceptions = functools.cache(lambda: approved_exceptions([c.pk for c in centers]))
        soll: dict[tuple[int, str], str | None] = {}  # the warning, the same for each row
        # Translated once per run, not per row.
        kind_labels = {kind: str(label) for kind, label in PostKind.choices}
        qualified = rules.QUALIFIED
        texts = {
            "split": _(
                "Nr. 3.2: Die Stelle „{post}“ wird auf {n} Anteile ({shares}) verteilt; "
                "empfohlen sind zwei gleiche Anteile."
            ),
            "soll": _(
                "Neue Stelle: Die Stellen der Stellenart „{kind}“ kommen damit auf {total} VZÄ, "
                "das Soll sind {quota} VZÄ."
            ),
            "qualification": _(
                "{para}: {person} hat keine Qualifikation nach {para} für {kind} "
                "und keine genehmigte Ausnahme."
            ),
        }
        people = self.people
        for row in rows:
            v = row.values
            slot, kind = v["slot"], v["kind"]
            if len(slot.shares) > 1:  # the row's share alone is no split
                start = v["start"]
                shares = sorted(
                    s.fte
                    for s in slot.shares.values()
                    if s.start <= start and (s.end is None or s.end >= start)
                )
                if len(shares) > 2 or (len(shares) == 2 and shares[0] != shares[1]):
                    row.warnings.append(
                        texts["split"].format(
                            post=slot.post.label,
                            n=len(shares),
                            shares=" + ".join(map(rules.fmt_fte, shares)),
                        )
                    )
            if v.get("new_post"):
                key = (v["center"].id, kind)
                if key not in soll:  # the same for every row of the centre and kind
                    soll[key] = self._soll_warning(
                        states[key[0]], kind, quotas, texts["soll"], kind_labels
                    )
                if soll[key] is not None:
                    row.warnings.append(soll[key])
            accepted = qualified.get(kind)
            if accepted is not None:
                person = people[v["email"]]
                if (
                    person.qualification not in accepted
                    and (person.member_id, kind) not in exceptions()
                ):
                    row.warnings.append(
                        texts["qualification"].format(
                            para="Nr. 4.1" if kind == PostKind.SPECIALIST else "Nr. 4.2",
                            person=person.name,
                            kind=kind_labels[kind],
                        )
                    )

    def _soll_warning(self, state: _CentreState, kind: str, quotas, text, kind_labels):
        """A new post beyond the Soll: the kind's posts from today on against the quota."""
        quota = quotas().get(state.center.id, {}).get(kind)
        if quota is None:
            return None
        today = self.today
        total = sum(
            (
                s.post.fte
                for s in state.by_kind[kind]
                if s.post.valid_to is None or s.post.valid_to >= today
            ),
            Decimal(0),
        )
        if total <= quota:
            return None
        return text.format(
            kind=kind_labels[kind], total=rules.fmt_fte(total), quota=rules.fmt_fte(quota)
        )

    def _plan(self, held: list[RowResult]) -> None:
        plan = self.plan
        for row in held:
            if row.status not in (NEW, CHANGED):
                continue
            v = row.values
            post = v["slot"].post
            stored: StoredAssignment | None = v["stored"]
            if stored is None:
                plan.new_assignments.append(
                    NewAssignment(
                        row.number,
                        v["email"],
                        post,
                        v["fte"],
                        v["start"],
                        v["end"],
                        v["role"],
                        v["seconding_school"],
                    )
                )
                continue
            values = {f: v[f] for f in ASSIGNMENT_FIELDS if getattr(stored, f) != v[f]}
            if post.pk != stored.post_id:
                values["post_id"] = post
            if values:
                plan.changed[stored.pk] = values


def _post_defaults() -> dict[str, dict]:
    from .services import default_post_settings

    return default_post_settings()
