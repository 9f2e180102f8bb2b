"""Reading staffing lists as German Excel writes them (DESIGN.md §6) — the one place.

What django-import-export and tablib lack lives here and nowhere else:
encoding and delimiter detection, header matching, German value parsing,
formula-injection escaping, per-row permission and the bulk comparison that
classifies every row as new / changed / unchanged / error. Export goes
through ``staffing.resources.StaffingListResource`` (django-import-export,
tablib); the import's writes are in ``staffing.services.staffing_list_import``.

Rows are streamed: a file is decoded as it is read and handed on ``CHUNK`` rows
at a time (``read_chunks``); the ``Checker`` classifies each chunk with a fixed
number of queries and keeps across chunks only a small ``Person`` per e-mail
address and the few rows that give or take a Leitung; the writer keeps a small
tuple per new assignment until every change of the file is written. Memory grows
by about 1 KB per row, not by the rows, values and model objects of the whole
file (100,000 rows: 190 MB peak for the confirmed import, 95 MB for 10,000).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from centers.access import centers_for
from centers.models import Center

from . import rules
from .models import (
    Assignment,
    AssignmentRole,
    StaffMember,
)
from .spreadsheet import CHANGED, CHUNK, ERROR, NEW, UNCHANGED, RowResult

# --- comparing with the database --------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


MEMBER_FIELDS = ("last_name", "first_name", "qualification")
ASSIGNMENT_FIELDS = ("fte", "end", "role", "seconding_school")
FIELD_HEADER = {
    "last_name": "Nachname",
    "first_name": "Vorname",
    "qualification": "Qualifikation",
    "fte": "Stellenanteil",
    "end": "Ende",
    "role": "Funktion",
    "seconding_school": "Abordnende Schule",
}
LEADERSHIP = (AssignmentRole.LEAD, AssignmentRole.DEPUTY)


@dataclass(slots=True)
class Person:
    """What the import keeps of one e-mail address across the whole file: the values
    of its first row (every later row must agree), the stored person, and the
    assignments the file gives it. Small, because a file may have 100,000 rows:
    the first assignment is kept inline, further ones in a dict made only for them."""

    number: int
    center_key: str
    last_name: str
    first_name: str
    qualification: str
    member_id: int | None = None  # stored before the import, or written by it
    stored_center_id: int | None = None
    changes: tuple = ()  # headers of the person's columns the file changes
    kind: str | None = None  # (Stellenart, Beginn) of the first assignment …
    start: date | None = None
    start_number: int = 0  # … and its row
    more: dict | None = None  # (Stellenart, Beginn) → row, for further assignments

    def claim(self, kind: str, start: date, number: int) -> int | None:
        """Records row ``number``'s assignment; returns the row that already has it."""
        if self.kind is None:
            self.kind, self.start, self.start_number = kind, start, number
            return None
        if (self.kind, self.start) == (kind, start):
            return self.start_number
        if self.more is None:
            self.more = {}
        first = self.more.get((kind, start))
        if first is None:
            self.more[(kind, start)] = number
        return first


@dataclass(slots=True, frozen=True)
class StoredAssignment:
    pk: int
    fte: Decimal
    end: date | None
    role: str
    seconding_school: str
    post_valid_from: date
    post_valid_to: date | None


class Checker:
    """The dry run, chunk by chunk: classifies each row as new / changed / unchanged /
    error with a constant number of queries per chunk.

    Across chunks it keeps only a ``Person`` per e-mail address (for "same person,
    same values", duplicates and the writes) and the few rows the §4.3 rules decide
    at the end: rows that give or take a Leitung / stellv. Leitung. ``check`` returns
    the rows it has decided; ``finish`` the held-back ones.
    """

    def __init__(self, *, user):
        self.centers = {c.key: c for c in Center.objects.all()}
        self.allowed = set(centers_for(user, "import_staffing").values_list("pk", flat=True))
        self.people: dict[str, Person] = {}
        self.held: list[RowResult] = []

    # -- one chunk --

    def check(self, rows: list[RowResult]) -> list[RowResult]:
        stored_members = self._stored_members(rows)
        for row in rows:
            self._check_row(row, stored_members)
        stored = self._stored_assignments(rows)
        decided = []
        for row in rows:
            if row.status != ERROR and self._classify(row, stored):
                self.held.append(row)
            else:
                decided.append(row)
        return decided

    def _stored_members(self, rows) -> dict[str, tuple]:
        people = self.people
        emails = {e for r in rows if (e := r.values.get("email")) and e not in people}
        found = {}
        for chunk in _chunks(sorted(emails)):
            for pk, email, center_id, *names in StaffMember.objects.filter(
                email__in=chunk
            ).values_list("pk", "email", "center_id", *MEMBER_FIELDS):
                found[email] = (pk, center_id, *names)
        return found

    def _stored_assignments(self, rows) -> dict[tuple, StoredAssignment]:
        member_ids = {
            person.member_id
            for r in rows
            if r.status != ERROR
            and (person := self.people[r.values["email"]]).stored_center_id is not None
        }
        found = {}
        for chunk in _chunks(sorted(member_ids)):
            for member_id, center_id, kind, start, *rest in Assignment.objects.filter(
                member_id__in=chunk
            ).values_list(
                "member_id",
                "post__center_id",
                "post__kind",
                "start",
                "pk",
                *ASSIGNMENT_FIELDS,
                "post__valid_from",
                "post__valid_to",
            ):
                found[(member_id, center_id, kind, start)] = StoredAssignment(*rest)
        return found

    def _check_row(self, row: RowResult, stored_members: dict[str, tuple]) -> None:
        v = row.values
        center = self.centers.get(v["center_key"]) if v["center_key"] else None
        if v["center_key"] and center is None:
            row.error("center", _("Unbekannter KI-Schlüssel „{key}“.").format(key=v["center_key"]))
        elif center is not None and center.pk not in self.allowed:
            row.error(
                "center",
                _("Sie dürfen die Personalliste von „{center}“ nicht ändern.").format(
                    center=center.name
                ),
            )
        v["center"] = center
        email = v.get("email")
        if not email:
            row.status = ERROR
            return
        person = self.people.get(email)
        if person is None:
            person = self.people[email] = Person(
                row.number,
                sys.intern(v["center_key"]),
                v["last_name"],
                v["first_name"],
                v["qualification"],
            )
            if (stored := stored_members.get(email)) is not None:
                person.member_id, person.stored_center_id = stored[0], stored[1]
                person.changes = tuple(
                    FIELD_HEADER[f]
                    for f, value in zip(MEMBER_FIELDS, stored[2:], strict=True)
                    if value != v[f]
                )
        else:
            for name in MEMBER_FIELDS:
                if getattr(person, name) != v.get(name):
                    row.error(
                        name,
                        _("Weicht von Zeile {n} für dieselbe Person ab.").format(n=person.number),
                    )
            if person.center_key != v["center_key"]:
                row.error(
                    "center",
                    _("Dieselbe Person steht in Zeile {n} bei einem anderen Zentrum.").format(
                        n=person.number
                    ),
                )
        if (
            person.stored_center_id is not None
            and center is not None
            and person.stored_center_id != center.pk
        ):
            row.error(
                "email",
                _(
                    "Diese E-Mail-Adresse gehört zu einer Person eines anderen Zentrums; "
                    "eine Person wird nur von einem Zentrum geführt."
                ),
            )
        if row.status == ERROR or center is None or not v.get("kind") or not v.get("start"):
            row.status = ERROR
            return
        if (first := person.claim(v["kind"], v["start"], row.number)) is not None:
            row.error(
                "start",
                _(
                    "Doppelte Zeile: dieselbe Person, Stellenart und derselbe Beginn stehen "
                    "schon in Zeile {n}."
                ).format(n=first),
            )

    def _classify(self, row: RowResult, stored: dict[tuple, StoredAssignment]) -> bool:
        """Sets the row's status; True when the leadership rules decide it at the end."""
        v = row.values
        person = self.people[v["email"]]
        existing = (
            stored.get((person.member_id, v["center"].pk, v["kind"], v["start"]))
            if person.stored_center_id is not None
            else None
        )
        v["stored"] = existing
        changes = list(person.changes)
        if existing is not None:
            changes += [FIELD_HEADER[f] for f in ASSIGNMENT_FIELDS if getattr(existing, f) != v[f]]
            msg = rules.within_post_error(
                v["start"], v["end"], existing.post_valid_from, existing.post_valid_to
            )
            if msg is not None:
                row.error("end", msg)
                return False
            row.status = CHANGED if changes else UNCHANGED
        else:
            row.status = NEW
        row.changes = changes
        return v["role"] in LEADERSHIP or (existing is not None and existing.role in LEADERSHIP)

    # -- the end of the file --

    def finish(self) -> list[RowResult]:
        """§4.3 and one Leitung at a time, over the stored assignments as the file
        leaves them; decides the held-back rows."""
        held, self.held = self.held, []
        if not held:
            return held
        tenures: dict[tuple, rules.Tenure] = {}
        center_ids = {r.values["center"].pk for r in held}
        stored = Assignment.objects.filter(
            post__center_id__in=center_ids, role__in=LEADERSHIP
        ).values_list(
            "pk", "post__center_id", "post__kind", "role", "start", "end", "member__email"
        )
        for pk, center_id, kind, role, start, end, email in stored:
            tenures[(email, center_id, kind, start)] = rules.Tenure(
                ("db", pk), center_id, kind, role, start, end, email
            )
        by_number = {}
        for row in held:
            v = row.values
            by_number[row.number] = row
            tenures[(v["email"], v["center"].pk, v["kind"], v["start"])] = rules.Tenure(
                ("row", row.number),
                v["center"].pk,
                v["kind"],
                v["role"],
                v["start"],
                v["end"],
                v["email"],
            )
        reported = set()
        for tenure, message in rules.leadership_errors(tenures.values()):
            if tenure.ref[0] == "row" and (tenure.ref, message) not in reported:
                reported.add((tenure.ref, message))
                by_number[tenure.ref[1]].error("role", message)
        held.sort(key=lambda r: r.number)
        return held


