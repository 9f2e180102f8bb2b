"""The one notification policy of the workflows (issue 11; DESIGN.md §5a).

Every workflow mail goes through ``notify_center``:

- recipients are the active users holding ``capability`` on the centre — through
  a membership of the centre (KI-Leitung, Mitarbeitende, Träger) or, for the
  Schulaufsicht, of the centre's Schulamt district;
- state roles (LaSI, Bewilligung, Ministerium) hold their capabilities for every
  centre; they are written to only where the transition concerns them, i.e.
  when ``state_roles`` names them. Superusers count as the Ministerium;
- the actor never gets a mail about what they did themselves;
- users without an e-mail address are skipped.

The body is rendered inside the service's transaction (so it tells what the
change did) and written to the outbox in that transaction (``centers.outbox``): the
Celery task ``centers.tasks.send_email`` gets it once the transaction commits, or
later from the sweep if the broker is away — a mail is never lost and never turns a
saved change into an error. Links in mails are absolute (``settings.SITE_URL``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string

from . import access, outbox
from .models import Center, Role


def absolute_url(path_or_obj) -> str:
    """``SITE_URL`` joined with a path (``"/zentren/05315/"``) or an object's
    ``get_absolute_url()``; an already absolute URL is returned unchanged."""
    get_url = getattr(path_or_obj, "get_absolute_url", None)
    path = get_url() if callable(get_url) else str(path_or_obj)
    if "://" in path:
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def _capabilities(capability: str | Iterable[str]) -> tuple[str, ...]:
    return (capability,) if isinstance(capability, str) else tuple(capability)


def recipients_for(
    *,
    center: Center,
    capability: str | Iterable[str],
    actor=None,
    state_roles: Iterable[str] = (),
) -> list[str]:
    """The addresses a mail about ``center`` goes to under the policy (one query).

    ``capability`` may name several capabilities: a user holding any of them
    is a recipient.
    """
    capabilities = _capabilities(capability)
    state_roles = set(state_roles)
    unknown = state_roles - set(Role.state_roles())
    if unknown:
        raise ValueError(f"not state roles: {sorted(unknown)}")
    concerned = [
        role
        for role in sorted(state_roles)
        if access.ROLE_PERMISSIONS[role].intersection(capabilities)
    ]
    held = Q(
        groups__centergroupobjectpermission__content_object=center,
        groups__centergroupobjectpermission__permission__codename__in=capabilities,
    )
    if concerned:
        held |= Q(groups__name__in=[access.state_group_name(role) for role in concerned])
    if Role.MINISTRY in concerned:
        held |= Q(is_superuser=True)  # a superuser is the ministry, membership or not
    users = get_user_model().objects.filter(held, is_active=True).exclude(email="")
    if Role.MINISTRY not in concerned:
        users = users.exclude(is_superuser=True)
    if actor is not None and actor.pk is not None:
        users = users.exclude(pk=actor.pk)
    return sorted(set(users.values_list("email", flat=True)))


def notify_center(
    *,
    center: Center,
    capability: str | Iterable[str],
    actor,
    subject,
    template: str,
    context: dict,
    state_roles: Iterable[str] = (),
) -> list[str]:
    """Mail the people ``center``'s transition concerns; returns their addresses.

    ``actor`` is the user who made the change (``None`` for scheduled jobs);
    ``template`` is a plain-text template that gets ``center`` and ``actor``
    besides ``context``.
    """
    to = recipients_for(center=center, capability=capability, actor=actor, state_roles=state_roles)
    context = {"center": center, "actor": actor, **context}
    _send(to=to, subject=subject, template=template, context=context)
    return to


def notify_user(*, user, subject, template: str, context: dict) -> list[str]:
    """Mail one person about their own request (e.g. a report they asked for failed)."""
    to = [user.email] if user is not None and user.is_active and user.email else []
    _send(to=to, subject=subject, template=template, context=context)
    return to


def _send(*, to: list[str], subject, template: str, context: dict) -> None:
    if not to:
        return
    outbox.send_mail(to=to, subject=str(subject), body=render_to_string(template, context))
