"""Tasks from the staffing list for the dashboards' to-do lists (``centers.todo``):
qualification exceptions to decide and decided (Nr. 4.1, Nr. 4.2), vacant teacher posts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from centers.access import Capability
from centers.models import Center
from centers.todo import Kind, Scope, Task, center_fields

from . import rules
from .models import ExceptionStatus, Post, PostKind, QualificationException
from .selectors import posts_with_assignments


def _exceptions(centers: QuerySet[Center]) -> QuerySet[QualificationException]:
    return QualificationException.objects.filter(member__center__in=centers).select_related(
        "member", "member__center"
    )


def _values(exception: QualificationException) -> dict:
    member = exception.member
    return {
        "person": f"{member.first_name} {member.last_name}",
        "kind": exception.get_kind_display(),
        "center": member.center.name,
    }


# What the tasks read of an exception and its person (``Kind.only``).
_EXCEPTION_FIELDS = (
    "kind",
    "member__first_name",
    "member__last_name",
    *center_fields("member__center"),
)


def _to_decide(exception: QualificationException, scope: Scope) -> Task:
    center = exception.member.center
    return Task(
        kind="exception_to_decide",
        title=_(
            "Antrag auf Qualifikationsausnahme für %(person)s (%(kind)s) im Zentrum „%(center)s“ "
            "wartet auf Ihre Entscheidung"
        )
        % _values(exception),
        since=exception.proposed_on,
        url=reverse("staffing:exception_decide", kwargs={"key": center.key, "pk": exception.pk}),
        center=center,
    )


def _decided_rows(centers, scope: Scope):
    since = scope.today - datetime.timedelta(days=settings.TODO_DECIDED_EXCEPTION_DAYS)
    return _exceptions(centers).filter(
        status__in=(ExceptionStatus.APPROVED, ExceptionStatus.REJECTED), decided_on__gte=since
    )


def _decided(exception: QualificationException, scope: Scope) -> Task:
    center = exception.member.center
    if exception.status == ExceptionStatus.APPROVED:
        title = _(
            "Der Träger hat die Qualifikationsausnahme für %(person)s (%(kind)s) im Zentrum "
            "„%(center)s“ genehmigt"
        )
    else:
        title = _(
            "Der Träger hat die Qualifikationsausnahme für %(person)s (%(kind)s) im Zentrum "
            "„%(center)s“ abgelehnt"
        )
    return Task(
        kind="exception_decided",
        title=title % _values(exception),
        since=exception.decided_on,
        url=reverse("staffing:member", kwargs={"key": center.key, "pk": exception.member_id}),
        center=center,
    )


@dataclass
class TeacherVacancies:
    """The vacant teacher posts of one centre on a day (``staffing.rules.post_state``)."""

    center: Center
    count: int = 0
    open_fte: Decimal = rules.ZERO
    since: datetime.date | None = None


def _vacancy_rows(centers, scope: Scope) -> list[TeacherVacancies]:
    """Teacher posts are the Schulaufsicht's part of a centre (Nr. 3.2, Nr. 3.5): two queries."""
    today = scope.today
    posts = posts_with_assignments(
        Post.objects.filter(center__in=centers, kind=PostKind.TEACHER).select_related("center")
    )
    vacant = defaultdict(list)
    for post in posts:
        if rules.is_post_active(post, today):
            state = rules.post_state(post, post.assignment_list, today)
            if state.vacant_since is not None:
                vacant[post.center_id].append(state)
    return [
        TeacherVacancies(
            center=states[0].post.center,
            count=len(states),
            open_fte=sum((state.open_fte for state in states), rules.ZERO),
            since=min(state.vacant_since for state in states),
        )
        for states in vacant.values()
    ]


def _vacancies(row: TeacherVacancies, scope: Scope) -> Task:
    return Task(
        kind="teacher_posts_vacant",
        title=ngettext(
            "Im Zentrum „%(center)s“ ist %(count)s Lehrkräftestelle unbesetzt (%(fte)s VZÄ offen)",
            "Im Zentrum „%(center)s“ sind %(count)s Lehrkräftestellen unbesetzt "
            "(%(fte)s VZÄ offen)",
            row.count,
        )
        % {"center": row.center.name, "count": row.count, "fte": rules.fmt_fte(row.open_fte)},
        since=row.since,
        url=reverse("staffing:teacher_posts"),
        center=row.center,
    )


KINDS = [
    Kind(
        code="exception_to_decide",
        capability=Capability.DECIDE_EXCEPTION,
        rows=lambda centers, scope: _exceptions(centers).filter(status=ExceptionStatus.PROPOSED),
        only=("proposed_on", *_EXCEPTION_FIELDS),
        task=_to_decide,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Antrag auf Qualifikationsausnahme wartet auf Ihre Entscheidung",
                "%(count)s Anträge auf Qualifikationsausnahmen warten auf Ihre Entscheidung",
                n,
            )
            % {"count": n}
        ),
        group_url=lambda scope: reverse("staffing:home"),
    ),
    Kind(
        code="exception_decided",
        capability=Capability.PROPOSE_EXCEPTION,
        # Who decides (the Träger, the ministry) is told nothing about its own decision.
        unless=Capability.DECIDE_EXCEPTION,
        rows=_decided_rows,
        only=("status", "decided_on", *_EXCEPTION_FIELDS),
        task=_decided,
        group_title=lambda n, scope: (
            ngettext(
                "Über %(count)s Antrag auf Qualifikationsausnahme wurde entschieden",
                "Über %(count)s Anträge auf Qualifikationsausnahmen wurde entschieden",
                n,
            )
            % {"count": n}
        ),
        group_url=lambda scope: reverse("staffing:home"),
    ),
    Kind(
        # The Schulaufsicht reviews the plans *and the teacher posts* of its district
        # (DESIGN.md §1); review_plan is the capability that stands for that remit.
        code="teacher_posts_vacant",
        capability=Capability.REVIEW_PLAN,
        rows=_vacancy_rows,
        task=_vacancies,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Zentrum hat unbesetzte Lehrkräftestellen",
                "%(count)s Zentren haben unbesetzte Lehrkräftestellen",
                n,
            )
            % {"count": n}
        ),
        group_url=lambda scope: reverse("staffing:teacher_posts"),
    ),
]
