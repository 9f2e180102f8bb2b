"""Declared transitions and the one service that applies them (issue 11).

A workflow (``Workflow``) names its model, the state field, how to find the object's
centre, the event kinds of its timeline and its transitions. A transition
(``Transition``) declares source states → target state, the capability required,
the preconditions (blocking, German messages) and warnings (shown, not blocking),
the fields it stamps, the note it takes, the timeline entry and whom it tells.

``transition_apply`` is the only code that changes a workflow object's state:
scope → capability → lock → preconditions → change → ``full_clean`` → save (with
history) → timeline → mail on commit. ``transition_check`` gives the confirmation
page the same preconditions and warnings before the user decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import center_perms, has_center_perm
from ..locking import claim_version
from .models import TimelineEvent

# Stamps: a field set to the time of the transition or to the user who made it.
NOW = "now"
ACTOR = "actor"
TODAY = "today"

# A transition's note: none, optional (a remark) or required (a reason).
NO_NOTE, OPTIONAL_NOTE, REQUIRED_NOTE = "", "optional", "required"

Check = Callable[[Any], Iterable[str]]


@dataclass(frozen=True)
class Notify:
    """Whom a transition tells (``centers.notifications.notify_center``): users with
    ``capability`` on the centre, state roles only where named; never the actor."""

    capability: str | tuple[str, ...]
    subject: str  # with %(center)s; the centre's name follows a colon, so it needs no case
    template: str
    state_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transition:
    name: str  # "submit": the URL and the tests name it
    label: str  # the button and the page title: "Einreichen"
    sources: tuple[str, ...]
    target: str
    capability: str
    event: str  # the timeline's kind
    success: str  # the message after it happened
    question: str | Callable[[Any], str] = ""  # what the confirmation page asks
    preconditions: tuple[Check, ...] = ()
    warnings: tuple[Check, ...] = ()
    stamps: dict[str, str] = field(default_factory=dict)
    note: str = NO_NOTE
    note_label: str = ""
    note_field: str = ""  # the model field that keeps the note as well (return_reason)
    note_required_message: str = ""
    # Further changes in the same transaction; returns extra context for the mail.
    effect: Callable[..., dict] | None = None
    notify: Notify | None = None
    danger: bool = False

    def ask(self, obj) -> str:
        return self.question(obj) if callable(self.question) else str(self.question)


@dataclass(frozen=True)
class Workflow:
    name: str  # "concept", "plan", "report", "exception"
    model: type[models.Model]
    transitions: tuple[Transition, ...]
    events: type[models.TextChoices]  # the kinds its timeline shows, with their labels
    center_of: Callable[[Any], Any] = lambda obj: obj.center
    state_field: str = "status"
    # The object re-read inside the transaction, locked: its state may have moved on.
    related: tuple[str, ...] = ("center",)
    # Preconditions of every transition (e.g. "a former revision cannot change").
    guards: tuple[Check, ...] = ()
    # Where each transition's confirmation page is: a URL name with "{name}" and the
    # URL's arguments for an object.
    url_name: str = ""
    url_args: Callable[[Any], tuple] = lambda obj: (obj.pk,)

    def __post_init__(self):
        _REGISTRY[self.name] = self

    def get(self, name: str) -> Transition:
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise KeyError(f"{self.name} has no transition {name!r}")

    def state_label(self, obj) -> str:
        return str(getattr(obj, f"get_{self.state_field}_display")())

    def available(self, user, obj, perms: frozenset[str] | None = None) -> list[Transition]:
        """The transitions the user could start from the object's state (buttons)."""
        center = self.center_of(obj)
        if center is None:
            return []  # a state-wide object has no workflow of a centre
        perms = center_perms(user, center) if perms is None else perms
        state = getattr(obj, self.state_field)
        if any(list(guard(obj)) for guard in self.guards):
            return []
        return [t for t in self.transitions if state in t.sources and t.capability in perms]

    def links(self, user, obj, perms: frozenset[str] | None = None) -> list[dict]:
        """The buttons of the object's page: each available transition's label and the
        URL of its confirmation page."""
        from django.urls import reverse

        return [
            {
                "name": t.name,
                "label": t.label,
                "url": reverse(self.url_name.format(name=t.name), args=self.url_args(obj)),
                "danger": t.danger,
            }
            for t in self.available(user, obj, perms)
        ]


_REGISTRY: dict[str, Workflow] = {}


def workflows() -> list[Workflow]:
    return list(_REGISTRY.values())


def event_label(content_type_id: int, kind: str) -> str:
    for workflow in _REGISTRY.values():
        if ContentType.objects.get_for_model(workflow.model).pk == content_type_id:
            try:
                return str(workflow.events(kind).label)
            except ValueError:
                break
    return kind


@dataclass
class CheckResult:
    blockers: list[str]
    warnings: list[str]


def _blockers(workflow: Workflow, transition: Transition, obj) -> list[str]:
    state = getattr(obj, workflow.state_field)
    messages = [str(m) for guard in workflow.guards for m in guard(obj)]
    if not messages and state not in transition.sources:
        messages.append(
            _("„%(action)s“ ist im Status „%(status)s“ nicht möglich.")
            % {"action": transition.label, "status": workflow.state_label(obj)}
        )
    if not messages:
        messages.extend(str(m) for check in transition.preconditions for m in check(obj))
    return messages


def transition_check(workflow: Workflow, name: str, obj) -> CheckResult:
    """The preconditions that block and the warnings that do not, for the confirmation page."""
    transition = workflow.get(name)
    blockers = _blockers(workflow, transition, obj)
    warnings = [] if blockers else [str(m) for check in transition.warnings for m in check(obj)]
    return CheckResult(blockers, warnings)


def transition_apply(
    workflow: Workflow,
    name: str,
    *,
    obj,
    user,
    expected_version: int | None = None,
    note="",
    data: dict | None = None,
):
    """Apply transition ``name`` of ``workflow`` to ``obj`` as ``user``. Raises
    ``PermissionDenied`` without the capability, ``ConflictError`` when the object
    changed since ``expected_version`` was read, ``ValidationError`` (German) when a
    precondition blocks. Returns the object as saved.

    Forms pass the version they were rendered with; code that acts on an object it has
    just read (admin actions, demo data) leaves it out and the version of ``obj`` as read
    is the lock — a stale instance is a conflict either way.

    ``data`` is what the transition's own form collected beyond the note (a Bescheid's
    amounts); it reaches the transition's ``effect`` as keyword arguments."""
    transition = workflow.get(name)
    if expected_version is None:
        expected_version = obj.version
    note = (note or "").strip()
    with transaction.atomic():
        center = workflow.center_of(obj)
        if center is None or not has_center_perm(user, transition.capability, center):
            raise PermissionDenied(_("Dazu fehlt Ihnen die Berechtigung für dieses Zentrum."))
        obj = (
            type(obj)
            .objects.select_for_update(of=("self",))
            .select_related(*workflow.related)
            .get(pk=obj.pk)
        )
        claim_version(obj, expected_version)
        blockers = _blockers(workflow, transition, obj)
        if blockers:
            raise ValidationError(blockers, code="precondition")
        if transition.note == REQUIRED_NOTE and not note:
            message = transition.note_required_message or _("Bitte geben Sie eine Begründung an.")
            raise ValidationError({"note": [str(message)]}, code="required")
        setattr(obj, workflow.state_field, transition.target)
        now = timezone.now()
        for field_name, value in transition.stamps.items():
            setattr(
                obj,
                field_name,
                {NOW: now, ACTOR: user, TODAY: timezone.localdate()}[value],
            )
        if transition.note_field:
            setattr(obj, transition.note_field, note)
        context = (
            transition.effect(obj, user=user, note=note, **(data or {}))
            if transition.effect
            else {}
        )
        obj.full_clean()
        obj._history_user = user
        obj.save()
        record_event(obj, center=center, kind=transition.event, actor=user, note=note, at=now)
        if transition.notify is not None:
            from ..notifications import notify_center

            notice = transition.notify
            notify_center(
                center=center,
                capability=notice.capability,
                state_roles=notice.state_roles,
                actor=user,
                subject=notice.subject % {"center": center.name},
                template=notice.template,
                context={workflow.name: obj, "note": note, "reason": note, **(context or {})},
            )
    return obj


def record_event(obj, *, center, kind: str, actor, note: str = "", at=None) -> TimelineEvent:
    """A step on ``obj``'s timeline (transitions call it; so do steps outside them)."""
    event = timeline_entry(obj, center=center, kind=kind, actor=actor, note=note, at=at)
    event.save()
    return event


def timeline_entry(obj, *, center, kind: str, actor, note: str = "", at=None) -> TimelineEvent:
    """An unsaved step, for ``bulk_create`` (demo data)."""
    return TimelineEvent(
        center=center,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        kind=kind,
        actor=actor,
        note=note,
        at=at or timezone.now(),
    )


def timeline(obj):
    """``obj``'s timeline, oldest first, with the actors."""
    return TimelineEvent.objects.of(obj).select_related("actor")
