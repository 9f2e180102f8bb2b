"""The to-do list ("Aufgaben") that leads every dashboard, and its count in the navigation
(DESIGN.md §5a, issue 11).

Nothing is kept by hand: a task is a row in a workflow state that waits for someone (a
submitted plan, a returned concept, a proposed exception …) or a due date that has passed
(a plan for the period, a report, a concept's validity, the year's Förderbescheid). Each
*kind* of task names one capability; its rows are read from the centres where the user holds
that capability (``centers.access.centers_for``), never from role names. The Ministerium holds
every capability everywhere and so sees every kind across NRW.

Each app may have a ``todo`` module with a list ``KINDS`` (like the ``demo`` modules that
``seed_demo`` collects): the kinds of plans live in ``deployment.todo``, of reports in
``reporting.todo``, and so on, so dependencies keep pointing one way
(reporting → deployment → staffing → centers) while this module only collects them.

Queries do not grow with the data: one ``UNION ALL`` counts the rows of every kind the user
holds the capability for (a kind she does not hold costs nothing) — that is the navigation's
count — and the list reads the rows of all of them in one ``UNION ALL`` too, each row with the
fields its task needs (``Kind.only``, ``centers.union_rows``), plus the few kinds computed in
Python. No loop over centres or kinds runs a query.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from . import dataversion, union_rows
from .access import Capability, capabilities_anywhere, grants_of, has_state_perm
from .dates import add_months, add_years
from .models import (
    Center,
    ConceptStatus,
    FundingDecision,
    IntegrationConcept,
)

# The apps whose ``todo`` module is collected, in dependency order (as ``seed_demo``).
PROJECT_APPS = ("centers", "staffing", "deployment", "reporting")

# A kind with more rows than this becomes one entry with the count and the rows inside
# (the Bewilligung does not need 54 lines "kein Förderbescheid").
GROUP_ABOVE = 5


@dataclass
class Task:
    """One entry of the list: what waits, since when, and where the action happens."""

    kind: str
    title: str
    since: datetime.date
    url: str
    center: Center | None = None
    items: list[Task] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Days it has been waiting (0 = since today)."""
        return max((timezone.localdate() - self.since).days, 0)


@dataclass(frozen=True)
class Kind:
    """A kind of task.

    ``rows(centers, scope)`` answers the rows waiting in ``centers`` — the centres where the
    user holds ``capability`` — as a queryset (counted in SQL), as ``Branches`` (several
    querysets, e.g. one per open programme year) or, for what only Python computes, a
    list. It filters completely: ``task(row, scope)`` turns each row into a
    ``Task`` and drops none, so the count and the list always agree.

    ``only`` names, for rows answered in SQL, the fields ``task`` reads (as for
    ``QuerySet.only``: paths such as ``center__name``, or the queryset's annotations): the
    list reads them for every kind in one query (``centers.union_rows``).

    ``unless`` is the acting side's capability for kinds that tell the centre what another
    body has to do (a conflict at the Schulaufsicht, a missing Förderbescheid): where the user
    holds it too, the acting side's kind is shown instead of both.
    """

    code: str
    capability: str
    rows: Callable[[QuerySet[Center], Scope], QuerySet | list]
    task: Callable[[Any, Scope], Task]
    group_title: Callable[[int, Scope], str]
    group_url: Callable[[Scope], str]
    unless: str | None = None
    only: tuple[str, ...] = ()


class Branches(tuple):
    """The rows of one kind as several querysets, each its own branch of the count's
    ``UNION ALL`` (a kind whose rows are pairs, such as a centre and a programme year)."""


class Scope:
    """The user and the day a list is made for; capabilities are looked up once, and what
    several kinds read alike is read once (``remember``)."""

    def __init__(self, user, today: datetime.date | None = None):
        self.user = user
        self.today = today or timezone.localdate()
        self._remembered: dict[str, Any] = {}

    def remember(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._remembered:
            self._remembered[key] = compute()
        return self._remembered[key]

    @cached_property
    def capabilities(self) -> frozenset[str]:
        """Every capability the user holds on at least one centre (one query at most)."""
        return capabilities_anywhere(self.user)

    def concerns(self, kind: Kind) -> bool:
        """Whether the kind has centres to be read from at all (decided from the grants,
        without a query: a kind the user holds nowhere, or only where the acting side's
        capability replaces it, costs nothing)."""
        if kind.capability not in self.capabilities:
            return False
        # Held everywhere, the acting side's capability replaces this kind altogether.
        if kind.unless and has_state_perm(self.user, kind.unless):
            return False
        ids, acting = self._center_ids(kind)
        return ids is None or bool(ids - acting)

    def centers(self, kind: Kind) -> QuerySet[Center]:
        ids, acting = self._center_ids(kind)
        if ids is None:
            return Center.objects.exclude(pk__in=sorted(acting)) if acting else Center.objects.all()
        return Center.objects.filter(pk__in=sorted(ids - acting))

    def _center_ids(self, kind: Kind) -> tuple[frozenset[int] | None, frozenset[int]]:
        """(centres holding the kind's capability, ``None`` for every centre; centres where
        the acting side's capability replaces it)."""
        grants = grants_of(self.user)
        acting: frozenset[int] | None = frozenset()
        if kind.unless and kind.unless in self.capabilities:
            acting = grants.center_ids(kind.unless)
        if acting is None:  # held everywhere: nothing is left for this kind
            return frozenset(), frozenset()
        return grants.center_ids(kind.capability), acting


@cache
def kinds() -> tuple[Kind, ...]:
    found: list[Kind] = []
    for label in PROJECT_APPS:
        module_name = f"{label}.todo"
        if find_spec(module_name) is not None:
            found.extend(import_module(module_name).KINDS)
    return tuple(found)


def _grouped(kind: Kind, tasks: list[Task], scope: Scope) -> Task:
    tasks.sort(key=lambda t: (t.since, t.title))
    return Task(
        kind=kind.code,
        title=kind.group_title(len(tasks), scope),
        since=tasks[0].since,
        url=kind.group_url(scope),
        items=tasks,
    )


def _kinds_of(scope: Scope) -> tuple[list[tuple[Kind, QuerySet]], list[tuple[Kind, list]]]:
    """Every kind that concerns the user: the kinds answered in SQL with their querysets (a
    kind of ``Branches`` once per branch), the kinds only Python computes with their rows."""
    sql_kinds: list[tuple[Kind, QuerySet]] = []
    python_kinds: list[tuple[Kind, list]] = []
    for kind in kinds():
        if not scope.concerns(kind):
            continue
        rows = kind.rows(scope.centers(kind), scope)
        if isinstance(rows, QuerySet):
            sql_kinds.append((kind, rows))
        elif isinstance(rows, Branches):
            sql_kinds.extend((kind, branch) for branch in rows)
        else:
            python_kinds.append((kind, list(rows)))
    return sql_kinds, python_kinds


def _union(sql_kinds: list[tuple[Kind, QuerySet]], *, packed: bool) -> list[tuple]:
    """One ``UNION ALL`` over the kinds answered in SQL: (kind, pk) per waiting row, and
    with ``packed`` the fields the kind's task reads (``centers.union_rows``)."""
    if not sql_kinds:
        return []
    branches = []
    for kind, rows in sql_kinds:
        branch = rows.order_by().annotate(todo_kind=Value(kind.code, output_field=CharField()))
        if packed:
            branch = branch.annotate(todo_row=union_rows.pack(rows, kind.only))
            branches.append(branch.values_list("todo_kind", "pk", "todo_row"))
        else:
            branches.append(branch.values_list("todo_kind", "pk"))
    first, *rest = branches
    return list(first.union(*rest, all=True))


def tasks_for(user, *, today: datetime.date | None = None) -> list[Task]:
    """What waits for ``user``, longest waiting first.

    The rows of every kind answered in SQL come in one query, each with the fields its task
    reads (``Kind.only``); the kinds computed in Python add what they need. Queries do not
    grow with the data or with the number of kinds that have tasks."""
    scope = Scope(user, today)
    sql_kinds, python_kinds = _kinds_of(scope)
    by_code = {kind.code: (kind, rows) for kind, rows in sql_kinds}
    rows_of: dict[Kind, list] = {}
    for code, pk, packed in _union(sql_kinds, packed=True):
        kind, rows = by_code[code]
        rows_of.setdefault(kind, []).append(union_rows.unpack(rows, pk, packed))
    for kind, rows in python_kinds:
        if rows:
            rows_of[kind] = rows
    result: list[Task] = []
    for kind, rows in rows_of.items():
        tasks = [kind.task(row, scope) for row in rows]
        result.extend([_grouped(kind, tasks, scope)] if len(tasks) > GROUP_ABOVE else tasks)
    result.sort(key=lambda t: (t.since, t.title))
    return result


def count_for(user, *, today: datetime.date | None = None) -> int:
    """The number of entries ``tasks_for`` lists, in one query over every kind answered in
    SQL (plus what the kinds computed in Python need)."""
    sql_kinds, python_kinds = _kinds_of(Scope(user, today))
    counts: Counter[str] = Counter(code for code, _pk in _union(sql_kinds, packed=False))
    for kind, rows in python_kinds:
        counts[kind.code] += len(rows)
    return sum(1 if n > GROUP_ABOVE else n for n in counts.values())


def tasks_for_request(request) -> list[Task]:
    """The list for the request's user: made once per change of the data and day
    (``centers.dataversion``) and once per request at most (dashboard and navigation)."""
    if not hasattr(request, "_todo_tasks"):
        user = request.user
        key = f"todo:{user.pk}:{timezone.localdate()}:{get_language()}"
        request._todo_tasks = dataversion.cached(key, lambda: tasks_for(user))
    return request._todo_tasks


def count_for_request(request) -> int:
    """The navigation's count: from the list when the page made one, else counted (cached
    like the list)."""
    if hasattr(request, "_todo_tasks"):
        return len(request._todo_tasks)
    if not hasattr(request, "_todo_count"):
        user = request.user
        key = f"todo-count:{user.pk}:{timezone.localdate()}"
        request._todo_count = dataversion.cached(key, lambda: count_for(user))
    return request._todo_count


# --- helpers for the kinds ------------------------------------------------------------------


def local_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def fmt_date(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


# --- Integrationskonzept and Förderbescheid (Nr. 1.4) ------------------------------------------


def _concept_url(concept: IntegrationConcept) -> str:
    return reverse("centers:concept_detail", kwargs={"key": concept.center.key, "pk": concept.pk})


def _concepts(centers: QuerySet[Center], status: str) -> QuerySet[IntegrationConcept]:
    return IntegrationConcept.objects.filter(center__in=centers, status=status).select_related(
        "center"
    )


def _returned_concept(concept: IntegrationConcept, scope: Scope) -> Task:
    return Task(
        kind="concept_returned",
        title=_(
            "Integrationskonzept (Fassung %(number)s) des Zentrums „%(center)s“ wurde "
            "zurückgegeben und wartet auf Ihre Überarbeitung"
        )
        % {"number": concept.number, "center": concept.center.name},
        since=local_date(concept.decided_at or concept.created_at),
        url=_concept_url(concept),
        center=concept.center,
    )


def _submitted_concept(concept: IntegrationConcept, scope: Scope) -> Task:
    return Task(
        kind="concept_to_review",
        title=_(
            "Integrationskonzept (Fassung %(number)s) des Zentrums „%(center)s“ wartet auf "
            "Ihre Prüfung"
        )
        % {"number": concept.number, "center": concept.center.name},
        since=local_date(concept.submitted_at or concept.created_at),
        url=_concept_url(concept),
        center=concept.center,
    )


def _expiry_cutoff(scope: Scope, months: int) -> datetime.date:
    """Approved concepts resolved on or before this day end their validity within ``months``."""
    return add_years(add_months(scope.today, months), -settings.CONCEPT_VALIDITY_YEARS)


def _expiring_concepts(months_setting: str):
    def rows(centers, scope):
        months = getattr(settings, months_setting)
        submitted = IntegrationConcept.objects.filter(
            center=OuterRef("center"), status=ConceptStatus.SUBMITTED
        )
        # A Fortschreibung already at the Bewilligung is its own task.
        return (
            _concepts(centers, ConceptStatus.APPROVED)
            .filter(
                resolution_date__isnull=False,
                resolution_date__lte=_expiry_cutoff(scope, months),
            )
            .exclude(Exists(submitted))
        )

    return rows


def _expiry(
    concept: IntegrationConcept, months: int, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """(valid until, waiting since): listed ``months`` before the end; once expired, the
    task waits since the day the concept stopped being current."""
    valid_until = add_years(concept.resolution_date, settings.CONCEPT_VALIDITY_YEARS)
    listed_from = add_months(valid_until, -months)
    return valid_until, valid_until if valid_until < today else listed_from


def _expiring_for_center(concept: IntegrationConcept, scope: Scope) -> Task:
    valid_until, listed_from = _expiry(
        concept, settings.TODO_CONCEPT_EXPIRY_MONTHS_CENTER, scope.today
    )
    values = {"center": concept.center.name, "date": fmt_date(valid_until)}
    if valid_until < scope.today:
        title = _(
            "Das Integrationskonzept des Zentrums „%(center)s“ ist seit dem %(date)s nicht mehr "
            "aktuell – die Fortschreibung ist fällig"
        )
    else:
        title = _(
            "Das Integrationskonzept des Zentrums „%(center)s“ ist nur noch bis zum %(date)s "
            "aktuell – bitte die Fortschreibung vorbereiten"
        )
    return Task(
        kind="concept_expiring",
        title=title % values,
        since=listed_from,
        url=reverse("centers:concept_list", kwargs={"key": concept.center.key}),
        center=concept.center,
    )


def _expiring_for_funding(concept: IntegrationConcept, scope: Scope) -> Task:
    valid_until, listed_from = _expiry(
        concept, settings.TODO_CONCEPT_EXPIRY_MONTHS_FUNDING, scope.today
    )
    values = {"center": concept.center.name, "date": fmt_date(valid_until)}
    if valid_until < scope.today:
        title = _("Das Integrationskonzept des Zentrums „%(center)s“ ist am %(date)s abgelaufen")
    else:
        title = _("Das Integrationskonzept des Zentrums „%(center)s“ läuft am %(date)s ab")
    return Task(
        kind="concept_expiring_funding",
        title=title % values,
        since=listed_from,
        url=_concept_url(concept),
        center=concept.center,
    )


def _unfunded(centers, scope):
    funded = FundingDecision.objects.for_operation().filter(
        center=OuterRef("pk"), year=scope.today.year
    )
    return centers.exclude(Exists(funded)).order_by("name")


def _unfunded_task(url_name: str, code: str):
    def task(center: Center, scope: Scope) -> Task:
        return Task(
            kind=code,
            title=_("Für das Zentrum „%(center)s“ liegt noch kein Förderbescheid für %(year)s vor")
            % {"center": center.name, "year": scope.today.year},
            since=datetime.date(scope.today.year, 1, 1),
            url=reverse(url_name, kwargs={"key": center.key}),
            center=center,
        )

    return task


def _unfunded_group(n: int, scope: Scope) -> str:
    return ngettext(
        "%(count)s Zentrum hat noch keinen Förderbescheid für %(year)s",
        "%(count)s Zentren haben noch keinen Förderbescheid für %(year)s",
        n,
    ) % {"count": n, "year": scope.today.year}


# What the tasks read of a centre (``Kind.only``): its name for the title, its key for the link.
CENTER_FIELDS = ("name", "key")


def center_fields(path: str = "center") -> tuple[str, ...]:
    """``CENTER_FIELDS`` of the centre behind ``path`` (a row's relation to it)."""
    return tuple(f"{path}__{name}" for name in CENTER_FIELDS)


def _review_queue(scope: Scope) -> str:
    return reverse("centers:concept_review_queue")


def _center_list(scope: Scope) -> str:
    return reverse("centers:list")


KINDS = [
    Kind(
        code="concept_returned",
        capability=Capability.EDIT_CONCEPT,
        rows=lambda centers, scope: _concepts(centers, ConceptStatus.RETURNED),
        only=("number", "decided_at", "created_at", *center_fields()),
        task=_returned_concept,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s zurückgegebenes Integrationskonzept wartet auf Ihre Überarbeitung",
                "%(count)s zurückgegebene Integrationskonzepte warten auf Ihre Überarbeitung",
                n,
            )
            % {"count": n}
        ),
        group_url=_center_list,
    ),
    Kind(
        code="concept_to_review",
        capability=Capability.REVIEW_CONCEPT,
        rows=lambda centers, scope: _concepts(centers, ConceptStatus.SUBMITTED),
        only=("number", "submitted_at", "created_at", *center_fields()),
        task=_submitted_concept,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s eingereichtes Integrationskonzept wartet auf Ihre Prüfung",
                "%(count)s eingereichte Integrationskonzepte warten auf Ihre Prüfung",
                n,
            )
            % {"count": n}
        ),
        group_url=_review_queue,
    ),
    Kind(
        code="concept_expiring",
        capability=Capability.EDIT_CONCEPT,
        unless=Capability.REVIEW_CONCEPT,
        rows=_expiring_concepts("TODO_CONCEPT_EXPIRY_MONTHS_CENTER"),
        only=("resolution_date", *center_fields()),
        task=_expiring_for_center,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Integrationskonzept muss fortgeschrieben werden",
                "%(count)s Integrationskonzepte müssen fortgeschrieben werden",
                n,
            )
            % {"count": n}
        ),
        group_url=_center_list,
    ),
    Kind(
        code="concept_expiring_funding",
        capability=Capability.REVIEW_CONCEPT,
        rows=_expiring_concepts("TODO_CONCEPT_EXPIRY_MONTHS_FUNDING"),
        only=("resolution_date", *center_fields()),
        task=_expiring_for_funding,
        group_title=lambda n, scope: (
            ngettext(
                "%(count)s Integrationskonzept ist abgelaufen oder läuft innerhalb von %(months)s "
                "Monaten ab",
                "%(count)s Integrationskonzepte sind abgelaufen oder laufen innerhalb von %(months)s "
                "Monaten ab",
                n,
            )
            % {"count": n, "months": settings.TODO_CONCEPT_EXPIRY_MONTHS_FUNDING}
        ),
        group_url=_review_queue,
    ),
    Kind(
        code="funding_missing",
        capability=Capability.EDIT_CONCEPT,
        unless=Capability.MANAGE_FUNDING,
        rows=_unfunded,
        only=CENTER_FIELDS,
        task=_unfunded_task("centers:funding", "funding_missing"),
        group_title=_unfunded_group,
        group_url=_center_list,
    ),
    Kind(
        code="funding_to_decide",
        capability=Capability.MANAGE_FUNDING,
        rows=_unfunded,
        only=CENTER_FIELDS,
        task=_unfunded_task("centers:funding_decision_create", "funding_to_decide"),
        group_title=_unfunded_group,
        group_url=lambda scope: reverse("centers:list") + "?operating=inactive",
    ),
]
