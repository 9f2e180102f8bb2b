"""A centre's activity feed, "Was hat sich geändert" (DESIGN.md §7 "History", §5).

Two records of change meet in one list, newest first:

- the workflow timeline (``centers.workflow.TimelineEvent``): each step of a concept, a
  plan, a report or a qualification exception, with who, when and a note;
- django-simple-history's records of the centre's objects (posts, people, assignments,
  Schwerpunkte, Förderbescheide …): created, changed (which fields, old → new), deleted.

A workflow object's creation and each change of its state are on its timeline, in words;
its history adds only edits of its content, so the feed does not say everything twice.

Each area ("Personal", "Einsatzmanagement" …) is shown to those who hold the capability its
own pages ask for (``AREA_CAPABILITY``). Values a role may not see never reach the feed:
Nr. 3.4's self-declaration is not in the history at all (``StaffMember.history`` excludes
it), and a record whose only change is such a value — or only the lock's version — is left
out, so not even the fact of the change shows.

Queries do not grow with the data. The page is cut in SQL from one ``UNION ALL`` of every
source's (source, id, time) in the period, and counted by a second query; the quiet records
(no visible change; a transition's record shows none, as state and stamps are the
timeline's) are excluded there too, so pages hold 50 entries and the count is right. Then each source with rows on the page costs one query (a
history source: the page's records together with the records just before them, for
``diff_against``; the timeline: its events, plus one query per kind of subject).

The apps above ``centers`` (staffing, deployment, reporting) are named by their model labels
and resolved through the app registry: this module imports none of them, so dependencies
keep pointing one way (reporting → deployment → staffing → centers).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.lookups import IsNull
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import Capability
from .models import Center
from .workflow.models import TimelineEvent
from .workflow.transitions import event_label, workflows

PER_PAGE = 50
DEFAULT_DAYS = 90


class Area(models.TextChoices):
    """What the reader filters by."""

    CENTER = "center", gettext_lazy("Zentrum und Team")
    CONCEPT = "concept", gettext_lazy("Integrationskonzept")
    FUNDING = "funding", gettext_lazy("Förderung")
    STAFFING = "staffing", gettext_lazy("Personal")
    PLAN = "plan", gettext_lazy("Einsatzmanagement")
    REPORTS = "reports", gettext_lazy("Berichte")


# The capability that shows an area: the one its own pages ask for (the staffing pages
# view_staffing …). The Förderung's records carry amounts: only who sees money reads them
# (not the Schulaufsicht, issue 12).
AREA_CAPABILITY: dict[str, Capability] = {
    Area.CENTER: Capability.VIEW_CENTER,
    Area.CONCEPT: Capability.VIEW_CONCEPT,
    Area.FUNDING: Capability.VIEW_FUNDING,
    Area.STAFFING: Capability.VIEW_STAFFING,
    Area.PLAN: Capability.VIEW_PLAN,
    Area.REPORTS: Capability.VIEW_REPORTS,
}


def areas_for(perms: Iterable[str]) -> list[Area]:
    """The areas a user with these capabilities on the centre may read, in display order."""
    perms = set(perms)
    return [area for area in Area if AREA_CAPABILITY[area] in perms]


@dataclass(frozen=True)
class Change:
    """One changed field; ``old`` and ``new`` are empty for long texts ("geändert")."""

    field: str
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class ActivityEntry:
    """One line of the feed, ready to show: no lazy lookups left."""

    at: datetime.datetime
    area: Area
    text: str  # "Besetzung geändert: Müller, Anna – Fachkraft 2"
    actor: str  # who, or "System"
    changes: tuple[Change, ...] = ()
    note: str = ""
    url: str = ""  # where the object is shown, while it still exists

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.at)


# --- the sources ----------------------------------------------------------------------------


def _history_ids(model_label: str, **filters) -> QuerySet:
    """Ids of the objects that were ever recorded with these values (deleted ones too)."""
    return apps.get_model(model_label).history.filter(**filters).values("id")


def _plans_of(center: Center) -> QuerySet:
    return _history_ids("deployment.DeploymentPlan", center_id=center.pk)


def _person(member) -> str:
    return str(member) if member is not None else "–"


def _name(obj) -> str:
    return str(obj) if obj is not None else "–"


def _excerpt(text: str, length: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _years(obj) -> str:
    return f"{obj.period_start.year}–{obj.period_end.year}"


def _plan_label(plan) -> str:
    if plan.revision > 1:
        return _("%(period)s, Fassung %(number)s") % {
            "period": _years(plan),
            "number": plan.revision,
        }
    return _years(plan)


def _report_label(report) -> str:
    number = getattr(report, "number", 1)
    if number > 1:
        return _("%(period)s, Fassung %(number)s") % {"period": _years(report), "number": number}
    return _years(report)


def _center_url(name: str, field: str = "id") -> Callable[[Any, Center], str]:
    """A page of the centre that shows the object whose id is in ``field``."""
    return lambda obj, center: reverse(name, kwargs={"key": center.key, "pk": getattr(obj, field)})


def _url(name: str, field: str = "id") -> Callable[[Any, Center], str]:
    return lambda obj, center: reverse(name, kwargs={"pk": getattr(obj, field)})


@dataclass(frozen=True)
class Source:
    """One model whose history (and, for a workflow object, timeline) the feed reads.

    ``scope`` selects the centre's history records; ``label`` names the object (from a
    history record or, for a timeline, the object itself: both carry the same fields and
    the ``related`` objects); ``link`` is where it is shown, offered while the object
    ``link_to`` names — (model, field holding its id) — still exists (``None``: a page of
    the centre itself, always there). ``related`` foreign keys are also shown when they
    change; other foreign keys are not (naming them would cost a query per row).
    """

    key: str
    model_label: str
    area: Area
    label: Callable[[Any], str]
    link: Callable[[Any, Center], str]
    scope: Callable[[Center], Q] | None = None  # None: no history, only the timeline
    link_to: tuple[str, str] | None = None
    noun: str | None = None  # default: the model's verbose_name
    related: tuple[str, ...] = ()
    hidden: frozenset[str] = frozenset()
    timeline: bool = False
    # JSON list fields and the vocabulary (TextChoices) that names their codes.
    vocabularies: tuple[tuple[str, str], ...] = ()
    # Capabilities needed besides the area's (who works on which Schwerpunkt is staff data).
    also_requires: tuple[Capability, ...] = ()

    @cached_property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @cached_property
    def history_model(self) -> type[models.Model]:
        return self.model.history.model

    @property
    def noun_text(self) -> str:
        return str(self.noun or self.model._meta.verbose_name)

    @cached_property
    def workflow_fields(self) -> frozenset[str]:
        """What the timeline tells: the state and every field a transition stamps."""
        for workflow in workflows():
            if workflow.model is self.model:
                names = {workflow.state_field}
                for transition in workflow.transitions:
                    names.update(transition.stamps)
                    if transition.note_field:
                        names.add(transition.note_field)
                return frozenset(names)
        return frozenset({"status"}) if self.timeline else frozenset()

    @cached_property
    def fields(self) -> tuple[models.Field, ...]:
        """The fields a change is shown for (and compared on, to leave quiet records out)."""
        tracked = {f.name for f in self.history_model.tracked_fields if f.editable}
        related = {path.split("__")[0] for path in self.related}
        shown = []
        for f in self.model._meta.concrete_fields:
            if (
                f.name not in tracked
                or f.primary_key
                or f.name in self.hidden
                or f.name in self.workflow_fields
                or isinstance(f, models.FileField)
                or (f.is_relation and f.name not in related)
            ):
                continue
            shown.append(f)
        return tuple(shown)

    @cached_property
    def vocabulary(self) -> dict[str, dict[str, Any]]:
        """Code → label (lazy: translated when shown, in the reader's language)."""
        return {name: dict(import_string(path).choices) for name, path in self.vocabularies}


SOURCES: tuple[Source, ...] = (
    Source(
        key="center",
        model_label="centers.Center",
        area=Area.CENTER,
        noun=gettext_lazy("Stammdaten des Zentrums"),
        scope=lambda center: Q(id=center.pk),
        label=lambda _center: "",
        link=lambda obj, center: center.get_absolute_url(),
        hidden=frozenset({"key"}),
    ),
    Source(
        key="membership",
        model_label="centers.Membership",
        area=Area.CENTER,
        scope=lambda center: Q(center_id=center.pk),
        related=("user",),
        label=lambda m: (
            f"{m.user.get_full_name() or m.user.username} ({m.get_role_display()})"
            if m.user is not None
            else str(m.get_role_display())
        ),
        link=lambda obj, center: center.get_absolute_url(),
    ),
    Source(
        key="concept",
        model_label="centers.IntegrationConcept",
        area=Area.CONCEPT,
        timeline=True,
        scope=lambda center: Q(center_id=center.pk),
        label=lambda c: _("Fassung %(number)s") % {"number": c.number},
        link=_center_url("centers:concept_detail"),
        link_to=("centers.IntegrationConcept", "id"),
        # The upload is a step on the timeline (with the file's name).
        hidden=frozenset({"document_name", "document_size"}),
    ),
    Source(
        key="participation",
        model_label="centers.ConceptParticipation",
        area=Area.CONCEPT,
        scope=lambda center: Q(
            concept_id__in=_history_ids("centers.IntegrationConcept", center_id=center.pk)
        ),
        label=lambda p: (
            f"{p.get_partner_kind_display()}: {p.partner_name}"
            if p.partner_name
            else str(p.get_partner_kind_display())
        ),
        link=_center_url("centers:concept_detail", "concept_id"),
        link_to=("centers.IntegrationConcept", "concept_id"),
    ),
    Source(
        key="funding",
        model_label="centers.FundingDecision",
        area=Area.FUNDING,
        scope=lambda center: Q(center_id=center.pk),
        label=lambda f: str(f.year),
        link=lambda obj, center: reverse("centers:funding", kwargs={"key": center.key}),
    ),
    Source(
        key="agreement",
        model_label="centers.TargetAgreement",
        area=Area.FUNDING,
        scope=lambda center: Q(center_id=center.pk),
        label=lambda a: f"{a.valid_from:%d.%m.%Y}–{a.valid_until:%d.%m.%Y}",
        link=lambda obj, center: reverse("centers:funding", kwargs={"key": center.key}),
    ),
    Source(
        key="post",
        model_label="staffing.Post",
        area=Area.STAFFING,
        scope=lambda center: Q(center_id=center.pk),
        label=lambda p: p.label,
        link=_center_url("staffing:post"),
        link_to=("staffing.Post", "id"),
    ),
    Source(
        key="member",
        model_label="staffing.StaffMember",
        area=Area.STAFFING,
        scope=lambda center: Q(center_id=center.pk),
        label=lambda m: f"{m.last_name}, {m.first_name}",
        link=_center_url("staffing:member"),
        link_to=("staffing.StaffMember", "id"),
        # Nr. 3.4: never in the history (excluded_fields); named here as well, so that no
        # later change to the history's fields can bring it onto this page.
        hidden=frozenset({"immigration_history"}),
    ),
    Source(
        key="assignment",
        model_label="staffing.Assignment",
        area=Area.STAFFING,
        scope=lambda center: Q(post_id__in=_history_ids("staffing.Post", center_id=center.pk)),
        related=("member", "post"),
        label=lambda a: f"{_person(a.member)} – {_name(a.post)}",
        link=_center_url("staffing:member", "member_id"),
        link_to=("staffing.StaffMember", "member_id"),
    ),
    Source(
        key="exception",
        model_label="staffing.QualificationException",
        area=Area.STAFFING,
        timeline=True,
        scope=lambda center: Q(
            member_id__in=_history_ids("staffing.StaffMember", center_id=center.pk)
        ),
        related=("member",),
        label=lambda e: f"{_person(e.member)} ({e.get_kind_display()})",
        link=_center_url("staffing:member", "member_id"),
        link_to=("staffing.StaffMember", "member_id"),
        hidden=frozenset({"member", "proposed_by", "proposed_on"}),
    ),
    Source(
        key="quota",
        model_label="staffing.StaffingQuota",
        area=Area.STAFFING,
        scope=lambda center: Q(center_id=center.pk),
        label=lambda q: (
            _("%(kind)s ab %(date)s")
            % {"kind": q.get_kind_display(), "date": f"{q.valid_from:%d.%m.%Y}"}
        ),
        link=lambda obj, center: reverse("staffing:center", kwargs={"key": center.key}),
    ),
    Source(
        key="plan",
        model_label="deployment.DeploymentPlan",
        area=Area.PLAN,
        timeline=True,
        scope=lambda center: Q(center_id=center.pk),
        label=_plan_label,
        link=_url("deployment:plan_detail"),
        link_to=("deployment.DeploymentPlan", "id"),
        # A new revision is a step on the timeline ("neue Fassung begonnen").
        hidden=frozenset({"is_current", "revision"}),
    ),
    Source(
        key="focus",
        model_label="deployment.Focus",
        area=Area.PLAN,
        scope=lambda center: Q(plan_id__in=_plans_of(center)),
        label=lambda f: f.title,
        link=_url("deployment:focus_detail"),
        link_to=("deployment.Focus", "id"),
        hidden=frozenset({"position"}),
        vocabularies=(
            ("target_groups", "deployment.vocabularies.TargetGroup"),
            ("partners", "deployment.vocabularies.PartnerKind"),
            ("programmes", "deployment.vocabularies.Programme"),
        ),
    ),
    Source(
        key="allocation",
        model_label="deployment.FocusAllocation",
        area=Area.PLAN,
        also_requires=(Capability.VIEW_STAFFING,),
        scope=lambda center: Q(
            focus_id__in=_history_ids("deployment.Focus", plan_id__in=_plans_of(center))
        ),
        related=("assignment__member", "focus"),
        label=lambda a: (
            f"{_person(a.assignment.member if a.assignment else None)} – {_name(a.focus)}"
        ),
        link=_url("deployment:focus_detail", "focus_id"),
        link_to=("deployment.Focus", "focus_id"),
        hidden=frozenset({"assignment", "focus"}),
    ),
    Source(
        key="comment",
        model_label="deployment.ReviewComment",
        area=Area.PLAN,
        scope=lambda center: Q(plan_id__in=_plans_of(center)),
        label=lambda c: f"„{_excerpt(c.text)}“",
        link=_url("deployment:plan_detail", "plan_id"),
        link_to=("deployment.DeploymentPlan", "plan_id"),
        # Escalation and its resolution are steps on the plan's timeline.
        hidden=frozenset(
            {"author_kind", "escalated_at", "resolved_at", "resolution", "created_at"}
        ),
    ),
    Source(
        key="report",
        model_label="reporting.Report",
        area=Area.REPORTS,
        timeline=True,
        # The history of a report is job control (queue, attempts, checksums); its
        # timeline says what happened.
        scope=None,
        label=_report_label,
        link=_url("reporting:detail"),
    ),
)

_TIMELINE = "timeline"


def _visible_sources(perms: frozenset[str], areas: Iterable[str]) -> list[Source]:
    wanted = set(areas)
    return [s for s in SOURCES if s.area in wanted and all(p in perms for p in s.also_requires)]


# --- the page: one UNION ALL, cut and counted in SQL ----------------------------------------


def _previous(history, ref: Callable[[str], Any]) -> QuerySet:
    """The id of the record just before the one ``ref`` points to, of the same object."""
    return (
        history.objects.filter(id=ref("id"))
        .filter(
            Q(history_date__lt=ref("history_date"))
            | Q(history_date=ref("history_date"), history_id__lt=ref("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )


def _outer(name: str):
    return OuterRef(name)


def _outer_outer(name: str):
    return OuterRef(OuterRef(name))


def _unchanged(fields: Iterable[models.Field]) -> Q:
    """A record (inside the subquery) equal to the outer one in every shown field."""
    same = Q()
    for f in fields:
        name = f.attname
        equal = Q(**{name: OuterRef(name)})
        if f.null:
            equal |= Q(**{f"{name}__isnull": True}) & Q(IsNull(OuterRef(name), True))
        same &= equal
    return same


def _quiet(source: Source) -> Q:
    """Records the feed leaves out: a change that shows nothing — only the lock's version, a
    value no one sees here, or a workflow object's state and stamps (a transition: the
    timeline tells it) — and a workflow object's creation (on its timeline as well)."""
    history = source.history_model
    before = history.objects.filter(history_id=Subquery(_previous(history, _outer_outer)))
    quiet = Q(history_type="~") & Exists(before.filter(_unchanged(source.fields)))
    if source.timeline:
        quiet |= Q(history_type="+")
    return quiet


def _keys(center: Center, sources: list[Source], start, end) -> QuerySet | None:
    """(source, id, time) of every entry in the period, newest first — lazy."""
    parts = []
    timeline_models = [s.model for s in sources if s.timeline]
    if timeline_models:
        types = ContentType.objects.get_for_models(*timeline_models).values()
        events = TimelineEvent.objects.filter(center=center, content_type__in=list(types))
        parts.append(
            _period(events, "at", start, end).annotate(
                activity_source=Value(_TIMELINE, output_field=CharField()),
                activity_id=F("pk"),
                activity_at=F("at"),
            )
        )
    for source in sources:
        if source.scope is None:
            continue
        records = source.history_model.objects.filter(source.scope(center))
        parts.append(
            _period(records, "history_date", start, end)
            .exclude(_quiet(source))
            .annotate(
                activity_source=Value(source.key, output_field=CharField()),
                activity_id=F("history_id"),
                activity_at=F("history_date"),
            )
        )
    if not parts:
        return None
    parts = [p.order_by().values("activity_source", "activity_id", "activity_at") for p in parts]
    keys = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return keys.order_by("-activity_at", "activity_source", "-activity_id")


def _period(queryset: QuerySet, field: str, start, end) -> QuerySet:
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lt": end})
    return queryset


def _bounds(since: datetime.date | None, until: datetime.date | None):
    """Whole local days: from the start of ``since`` to the end of ``until``."""
    zone = timezone.get_current_timezone()

    def midnight(day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

    start = midnight(since) if since else None
    end = midnight(until + datetime.timedelta(days=1)) if until else None
    return start, end


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 90 days, today included."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=DEFAULT_DAYS), today


def center_activity(
    center: Center,
    *,
    perms: frozenset[str],
    since: datetime.date | None,
    until: datetime.date | None,
    areas: Iterable[str] = (),
    page: int | str | None = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of ``center``'s feed for a user with ``perms`` on it (``center_perms``).

    ``areas`` narrows the feed to some areas (empty: all the user may read); an area the
    user may not read is ignored. ``since``/``until`` are local days, both included;
    ``None`` leaves that end open. The page's ``object_list`` holds ``ActivityEntry``s.
    """
    readable = areas_for(perms)
    wanted = set(areas)
    chosen = [a for a in readable if a in wanted] if wanted else readable
    start, end = _bounds(since, until)
    keys = _keys(center, _visible_sources(perms, chosen), start, end)
    paginator = Paginator(keys if keys is not None else [], per_page)
    page_obj = paginator.get_page(page)
    page_obj.object_list = _entries(center, list(page_obj.object_list))
    return page_obj


# --- the entries: one query per source on the page -------------------------------------------


def _actor(user) -> str:
    if user is None:
        return _("System")
    return user.get_full_name() or user.username


def _entries(center: Center, keys: list[dict]) -> list[ActivityEntry]:
    ids: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        ids[key["activity_source"]].append(key["activity_id"])
    by_key = {s.key: s for s in SOURCES}
    found: dict[tuple[str, int], ActivityEntry] = {}
    for source_key, pks in ids.items():
        if source_key == _TIMELINE:
            entries = _timeline_entries(center, pks)
        else:
            entries = _history_entries(center, by_key[source_key], pks)
        found.update(((source_key, pk), entry) for pk, entry in entries.items())
    return [
        found[(k["activity_source"], k["activity_id"])]
        for k in keys
        if (k["activity_source"], k["activity_id"]) in found
    ]


def _timeline_entries(center: Center, pks: list[int]) -> dict[int, ActivityEntry]:
    sources = {s.model: s for s in SOURCES if s.timeline}
    subjects = [s.model.objects.select_related(*s.related) for s in sources.values()]
    events = (
        TimelineEvent.objects.filter(pk__in=pks)
        .select_related("actor")
        .prefetch_related(GenericPrefetch("subject", subjects))
    )
    entries = {}
    for event in events:
        source = sources[ContentType.objects.get_for_id(event.content_type_id).model_class()]
        subject = event.subject
        step = event_label(event.content_type_id, event.kind)
        if subject is not None:
            text = _("%(noun)s %(label)s: %(step)s") % {
                "noun": source.noun_text,
                "label": source.label(subject),
                "step": step,
            }
        else:
            text = _("%(noun)s: %(step)s") % {"noun": source.noun_text, "step": step}
        entries[event.pk] = ActivityEntry(
            at=event.at,
            area=source.area,
            text=text,
            actor=_actor(event.actor),
            note=event.note,
            url=source.link(subject, center) if subject is not None else "",
        )
    return entries


_ACTIONS = {
    "+": gettext_lazy("%(noun)s angelegt"),
    "~": gettext_lazy("%(noun)s geändert"),
    "-": gettext_lazy("%(noun)s gelöscht"),
}


def _history_entries(center: Center, source: Source, pks: list[int]) -> dict[int, ActivityEntry]:
    """The page's records of one source and, in the same query, the record just before
    each change (``diff_against`` compares the two)."""
    history = source.history_model
    before = (
        history.objects.filter(history_id__in=pks, history_type="~")
        .annotate(before=Subquery(_previous(history, _outer)))
        .values("before")
    )
    records = history.objects.filter(Q(history_id__in=pks) | Q(history_id__in=before))
    records = records.select_related("history_user", *source.related)
    if source.link_to:
        model_label, field_name = source.link_to
        target = apps.get_model(model_label)
        records = records.annotate(
            link_alive=Exists(target.objects.filter(pk=OuterRef(field_name)))
        )
    by_object = defaultdict(list)
    for record in records:
        by_object[record.id].append(record)
    wanted = set(pks)
    entries = {}
    for rows in by_object.values():
        rows.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in rows:
            if record.history_id in wanted:
                entries[record.history_id] = _history_entry(center, source, record, previous)
            previous = record
    return entries


def _history_entry(center: Center, source: Source, record, previous) -> ActivityEntry:
    action = _ACTIONS.get(record.history_type, _ACTIONS["~"]) % {"noun": source.noun_text}
    label = source.label(record)
    text = _("%(action)s: %(label)s") % {"action": action, "label": label} if label else action
    changes = ()
    if record.history_type == "~" and previous is not None:
        changes = _changes(source, record, previous)
    alive = getattr(record, "link_alive", True)
    return ActivityEntry(
        at=record.history_date,
        area=source.area,
        text=text,
        actor=_actor(record.history_user),
        changes=changes,
        url=source.link(record, center) if alive else "",
    )


def _changes(source: Source, record, previous) -> tuple[Change, ...]:
    names = [f.name for f in source.fields]
    delta = record.diff_against(previous, included_fields=names)
    changed = set(delta.changed_fields)
    result = []
    for f in source.fields:  # in the model's order, not the alphabet's
        if f.name not in changed:
            continue
        label = str(f.verbose_name)
        if isinstance(f, models.TextField) and not f.choices:
            result.append(Change(label))
        else:
            result.append(Change(label, _display(source, f, previous), _display(source, f, record)))
    return tuple(result)


def _display(source: Source, f: models.Field, record) -> str:
    if f.is_relation:
        return _name(getattr(record, f.name))
    value = getattr(record, f.attname)
    if value is None or value == "" or value == []:
        return "–"
    if f.name in source.vocabulary:  # in the vocabulary's order, as the pages list them
        names = source.vocabulary[f.name]
        chosen = set(value)
        known = [str(label) for code, label in names.items() if code in chosen]
        return ", ".join(known + sorted(str(code) for code in chosen - names.keys()))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, Decimal):
        return formats.number_format(
            value, decimal_pos=f.decimal_places, use_l10n=True, force_grouping=True
        )
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "d.m.Y H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d.m.Y")
    return _excerpt(str(value), 80)
