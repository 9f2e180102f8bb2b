"""Demo staffing for all 54 centres (``manage.py seed_demo``).

Deterministic (one random generator per centre), idempotent (a centre that
already has posts is left alone; people are found by e-mail), fast (bulk
inserts with history). ``scale`` multiplies posts and people per centre.

Some centres show the decree's warnings on purpose — Köln always: a vacant
Fachkraft post, a teacher post split into unequal shares (0,6 + 0,4, since this
school half-year 0,6 + 0,2), a Fachkraft without the Nr. 4.1 qualification.

The demo accounts' to-do lists are never empty, whatever day seed_demo runs: in
Köln, Bonn and Mettmann the KI-Leitung has proposed a qualification exception
that waits for the Träger (Nr. 4.1), and in Köln and Bonn the second teacher on
the split post works half her share since this school half-year, so the
Schulaufsicht has an open teacher share (Nr. 3.2, Nr. 3.5). Those dates count
back from today.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from centers.demo import FIRST_NAMES, LAST_NAMES
from centers.models import Center, Membership, Role

from . import services
from .models import (
    Assignment,
    AssignmentRole,
    ExceptionEventKind,
    ExceptionStatus,
    ImmigrationHistory,
    Post,
    PostKind,
    Qualification,
    QualificationException,
    StaffMember,
)

POSTS_FROM = date(2020, 8, 1)
ASSIGNED_FROM = date(2024, 8, 1)
VACANT_FROM = date(2025, 7, 1)  # the Fachkraft who left ended on 30.06.2025
ALWAYS_WARN = {"05315"}  # Köln: every kind of warning, for the demo walk-through
# The demo accounts' centres (centers.demo.DEMO_CENTERS): an exception waits for the Träger.
EXCEPTION_PROPOSED = {"05315", "05314", "05158"}
PROPOSED_DAYS_AGO = 12
# Köln and Bonn: a teacher share halved at the start of this school half-year.
TEACHER_SHARE_HALVED = {"05315", "05314"}
SCHOOL_KINDS = ["Gesamtschule", "Grundschule", "Realschule", "Gymnasium", "Hauptschule"]
SPECIALIST_QUALIFICATIONS = [Qualification.MASTER, Qualification.BACHELOR, Qualification.MASTER]
SUBJECTS = ["Soziale Arbeit", "Erziehungswissenschaft", "Sozialwissenschaften", "Islamwissenschaft"]
FTE = {1: Decimal("1.00"), 0.5: Decimal("0.50"), 0.6: Decimal("0.60"), 0.4: Decimal("0.40")}


class _Centre:
    """Collects one centre's rows before the bulk inserts."""

    def __init__(self, center, rng, lead_user, scale, warn, today):
        self.center, self.rng, self.lead_user, self.scale, self.warn = (
            center,
            rng,
            lead_user,
            scale,
            warn,
        )
        self.today = today
        self.posts: list[Post] = []
        self.members: list[StaffMember] = []
        self.assignments: list[tuple] = []  # (member, post, fte, start, end, role, school)
        self.exceptions: list[StaffMember] = []
        self.proposals: list[StaffMember] = []
        self.town = center.sponsor.name.removeprefix("Kreis ").removeprefix("StädteRegion ")

    def post(self, kind, fte, funding, n):
        # Labels are data, unique per centre and German whatever language seed_demo runs in.
        with translation.override("de"):
            label = f"{PostKind(kind).label} {n}"
        post = Post(
            center=self.center,
            kind=kind,
            fte=fte,
            funding_source=funding,
            valid_from=POSTS_FROM,
            label=label,
        )
        self.posts.append(post)
        return post

    def person(self, qualification, *, user=None, subject=""):
        rng = self.rng
        if user is not None and user.email:
            first, last, email = user.first_name, user.last_name, user.email
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = (
                f"{slugify(first)}.{slugify(last)}.{len(self.members) + 1}"
                f"@ki-{self.center.key}.example"
            )
        member = StaffMember(
            center=self.center,
            first_name=first,
            last_name=last,
            email=email.lower(),
            employer=self.center.sponsor.name,
            qualification=qualification,
            qualification_subject=subject,
            immigration_history=rng.choice(
                [ImmigrationHistory.YES, ImmigrationHistory.NO, ImmigrationHistory.UNDECLARED]
            ),
        )
        self.members.append(member)
        return member

    def assign(self, member, post, fte, *, role="", school="", start=ASSIGNED_FROM, end=None):
        self.assignments.append((member, post, fte, start, end, role, school))

    def school(self):
        return f"{self.rng.choice(SCHOOL_KINDS)} {self.town}-{self.rng.choice(['Nord', 'Süd', 'Mitte', 'West', 'Ost'])}"


def _half_year_start(today: date) -> date:
    """The first day of the school half-year ``today`` is in (1 February, 1 August)."""
    if (today.month, today.day) >= (8, 1):
        return date(today.year, 8, 1)
    if (today.month, today.day) >= (2, 1):
        return date(today.year, 2, 1)
    return date(today.year - 1, 8, 1)


def _split_teacher_post(c: _Centre, post, shares) -> None:
    halve_from = _half_year_start(c.today)
    for n, share in enumerate(shares):
        member, school = c.person(Qualification.TEACHING), c.school()
        if n == 1 and c.center.key in TEACHER_SHARE_HALVED and halve_from > ASSIGNED_FROM:
            # The school takes half of her hours back: the post is open by that much.
            c.assign(member, post, share, school=school, end=halve_from - timedelta(days=1))
            c.assign(member, post, share / 2, school=school, start=halve_from)
        else:
            c.assign(member, post, share, school=school)


def _build(c: _Centre, quotas: dict[str, Decimal]) -> None:
    rng, warn = c.rng, c.warn
    lead_is_specialist = rng.random() < 0.6
    n_teacher = int(quotas.get(PostKind.TEACHER, Decimal(2))) * c.scale
    n_specialist = int(quotas.get(PostKind.SPECIALIST, Decimal(5))) * c.scale
    deputy_done = False

    for i in range(n_teacher):
        post = c.post(PostKind.TEACHER, FTE[1], "state_school", i + 1)
        if i == 1 or (i > 1 and rng.random() < 0.3):
            shares = (FTE[0.6], FTE[0.4]) if (warn and i == 1) else (FTE[0.5], FTE[0.5])
            _split_teacher_post(c, post, shares)
        else:
            role = ""
            if i == 0:
                role = AssignmentRole.DEPUTY if lead_is_specialist else AssignmentRole.LEAD
            member = (
                c.person(Qualification.TEACHING, user=c.lead_user)
                if role == AssignmentRole.LEAD
                else c.person(Qualification.TEACHING)
            )
            c.assign(member, post, FTE[1], role=role, school=c.school())
            deputy_done = deputy_done or role == AssignmentRole.DEPUTY

    for i in range(n_specialist):
        post = c.post(PostKind.SPECIALIST, FTE[1], "state_grant", i + 1)
        if i == n_specialist - 1 and warn:
            # Left on 30.06.2025; the post is vacant since 01.07.2025.
            leaver = c.person(rng.choice(SPECIALIST_QUALIFICATIONS), subject=rng.choice(SUBJECTS))
            c.assign(leaver, post, FTE[1], start=date(2021, 1, 1), end=date(2025, 6, 30))
            continue
        qualification = rng.choice(SPECIALIST_QUALIFICATIONS)
        # i == 1 in a warning centre: no Nr. 4.1 qualification and no exception (a warning);
        # sometimes i == 2: no degree either, but the Träger approved an exception.
        with_exception = i == 2 and rng.random() < 0.3
        # In the demo accounts' centres that person's exception is proposed, not yet decided.
        proposed = i == 2 and c.center.key in EXCEPTION_PROPOSED
        with_exception = with_exception and not proposed
        if (i == 1 and warn) or with_exception or proposed:
            qualification = Qualification.OTHER
        role = ""
        if i == 0:
            role = AssignmentRole.LEAD if lead_is_specialist else AssignmentRole.DEPUTY
        user = c.lead_user if role == AssignmentRole.LEAD else None
        member = c.person(qualification, user=user, subject=rng.choice(SUBJECTS))
        if with_exception:
            c.exceptions.append(member)
        if proposed:
            c.proposals.append(member)
        c.assign(member, post, FTE[1], role=role)

    for i in range(c.scale):
        post = c.post(PostKind.ADMIN_ASSISTANT, FTE[0.5], "state_grant", i + 1)
        c.assign(c.person(Qualification.ADMIN_TRAINING), post, FTE[0.5])


def seed(*, scale: int = 1, stdout=None) -> dict[str, int]:
    centers = list(Center.objects.select_related("sponsor").order_by("key"))
    seeded = set(Post.objects.values_list("center_id", flat=True).distinct())
    todo = [c for c in centers if c.pk not in seeded]
    services.quotas_materialize(centers=centers, valid_from=POSTS_FROM)
    leads, sponsors = {}, {}
    for m in (
        Membership.objects.filter(role__in=[Role.CENTER_LEAD, Role.SPONSOR], center__isnull=False)
        .select_related("user")
        .order_by("pk")
    ):
        (leads if m.role == Role.CENTER_LEAD else sponsors).setdefault(m.center_id, m.user)
    existing_emails = set(StaffMember.objects.values_list("email", flat=True))
    from .selectors import quotas_for

    today = timezone.localdate()
    quotas = quotas_for(todo, today)
    builds = []
    for center in todo:
        rng = random.Random(f"staffing-{center.key}")
        warn = center.key in ALWAYS_WARN or rng.random() < 0.25
        lead = leads.get(center.pk)
        if lead is not None and lead.email.lower() in existing_emails:
            lead = None
        c = _Centre(center, rng, lead, scale, warn, today)
        _build(c, quotas.get(center.pk, {}))
        builds.append(c)

    posts = [p for c in builds for p in c.posts]
    members = [m for c in builds for m in c.members if m.email not in existing_emails]
    bulk_create_with_history(posts, Post, batch_size=1000)
    bulk_create_with_history(members, StaffMember, batch_size=1000)
    by_email = {m.email: m for m in members}
    assignments = [
        Assignment(
            member=by_email[member.email],
            post=post,
            fte=fte,
            start=start,
            end=end,
            role=role,
            seconding_school=school,
        )
        for c in builds
        for member, post, fte, start, end, role, school in c.assignments
        if member.email in by_email
    ]
    bulk_create_with_history(assignments, Assignment, batch_size=1000)
    exceptions = []
    for c in builds:
        for member in c.exceptions:
            sponsor = sponsors.get(c.center.pk)
            if member.email not in by_email or c.lead_user is None or sponsor is None:
                continue
            exceptions.append(
                QualificationException(
                    member=by_email[member.email],
                    kind=PostKind.SPECIALIST,
                    reason="Langjährige Berufserfahrung in der kommunalen Integrationsarbeit (Nr. 4.1).",
                    status=ExceptionStatus.APPROVED,
                    proposed_by=c.lead_user,
                    proposed_on=date(2024, 6, 3),
                    decided_by=sponsor,
                    decided_on=date(2024, 6, 20),
                    decision_note="Gleichwertige Erfahrung nachgewiesen.",
                )
            )
    exceptions += _proposals(builds, by_email, today)
    bulk_create_with_history(exceptions, QualificationException)
    _exception_timelines([c.center for c in builds])
    return {
        "centers": len(todo),
        "posts": len(posts),
        "people": len(members),
        "assignments": len(assignments),
    }


def _exception_timelines(centers) -> None:
    """The demo exceptions' timelines: proposed, and decided where they are."""
    from centers.workflow.models import TimelineEvent
    from centers.workflow.transitions import timeline_entry

    def noon(day):
        return timezone.make_aware(datetime.combine(day, time(12)))

    decided = {ExceptionStatus.APPROVED: ExceptionEventKind.APPROVED}
    decided[ExceptionStatus.REJECTED] = ExceptionEventKind.REJECTED
    events = []
    for e in QualificationException.objects.filter(member__center__in=centers).select_related(
        "member__center", "proposed_by", "decided_by"
    ):
        center = e.member.center
        events.append(
            timeline_entry(
                e,
                center=center,
                kind=ExceptionEventKind.PROPOSED,
                actor=e.proposed_by,
                note=e.reason,
                at=noon(e.proposed_on),
            )
        )
        if e.status in decided and e.decided_on:
            events.append(
                timeline_entry(
                    e,
                    center=center,
                    kind=decided[e.status],
                    actor=e.decided_by,
                    note=e.decision_note,
                    at=noon(e.decided_on),
                )
            )
    TimelineEvent.objects.bulk_create(events)


def _proposals(builds, by_email, today) -> list[QualificationException]:
    """Exceptions the KI-Leitung proposed a few days ago; the Träger has yet to decide."""
    return [
        QualificationException(
            member=by_email[member.email],
            kind=PostKind.SPECIALIST,
            reason=(
                "Staatlich anerkannte Erziehungsfachkraft mit langjähriger Erfahrung in der "
                "Beratung neu zugewanderter Familien; ein berufsbegleitendes Studium der "
                "Sozialen Arbeit hat begonnen (Nr. 4.1)."
            ),
            status=ExceptionStatus.PROPOSED,
            proposed_by=c.lead_user,
            proposed_on=today - timedelta(days=PROPOSED_DAYS_AGO),
        )
        for c in builds
        for member in c.proposals
        if member.email in by_email and c.lead_user is not None
    ]
