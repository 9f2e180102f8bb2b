"""The one place that knows which role may do what (DESIGN.md §4).

- ``ROLE_PERMISSIONS`` maps each role to the capabilities (permissions on
  ``Center``) it carries.
- Centre roles and the Schulaufsicht get their capabilities *per centre*
  through one guardian group per centre and role (``ki:<key>:<role>``); the
  state roles get them globally through one group per role
  (``land:<role>``). Rows grow with centres × roles, never with data.
- ``centers_for(user, perm)`` is the scoped queryset every view and selector
  starts from; ``scoped(queryset, user, perm)`` narrows any queryset of
  objects that hang off a centre.
- ``CenterPermissionMixin`` resolves a centre (or an object through its
  centre) for a view and answers 404 for anything outside the user's scope.

Nothing outside this module tests group names or roles for permissions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from . import dataversion
from .models import (
    Center,
    CenterGroupObjectPermission,
    CenterUserObjectPermission,
    Membership,
    Role,
)


class Capability(StrEnum):
    """What a user may do on a centre (DESIGN.md §4): the codenames of the permissions on
    ``Center`` (its ``Meta.permissions`` plus Django's ``view_center``). Views, services
    and templates name these, never roles or strings."""

    VIEW_CENTER = "view_center"
    VIEW_STAFFING = "view_staffing"
    VIEW_TEACHER_POSTS = "view_teacher_posts"
    MANAGE_STAFFING = "manage_staffing"
    VIEW_SENSITIVE_STAFF_DATA = "view_sensitive_staff_data"
    IMPORT_STAFFING = "import_staffing"
    EXPORT_STAFFING = "export_staffing"
    PROPOSE_EXCEPTION = "propose_exception"
    DECIDE_EXCEPTION = "decide_exception"
    VIEW_CONCEPT = "view_concept"
    EDIT_CONCEPT = "edit_concept"
    REVIEW_CONCEPT = "review_concept"
    MANAGE_FUNDING = "manage_funding"
    VIEW_FUNDING = "view_funding"
    PREPARE_FUNDING = "prepare_funding"
    SUBMIT_FUNDING = "submit_funding"
    VIEW_PLAN = "view_plan"
    EDIT_PLAN_DRAFT = "edit_plan_draft"
    SUBMIT_PLAN = "submit_plan"
    REVIEW_PLAN = "review_plan"
    COMMENT_PLAN = "comment_plan"
    ACKNOWLEDGE_PLAN = "acknowledge_plan"
    USE_VERBUND = "use_verbund"
    VIEW_REPORTS = "view_reports"
    REQUEST_REPORT = "request_report"
    ACKNOWLEDGE_REPORT = "acknowledge_report"
    VIEW_STATE_OVERVIEW = "view_state_overview"


VIEW_CENTER = Capability.VIEW_CENTER

_KI_READ = {
    Capability.VIEW_CENTER,
    Capability.VIEW_STAFFING,
    Capability.VIEW_TEACHER_POSTS,
    Capability.VIEW_CONCEPT,
    Capability.VIEW_PLAN,
    Capability.VIEW_REPORTS,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CENTER_LEAD: frozenset(
        _KI_READ
        | {
            Capability.MANAGE_STAFFING,
            Capability.VIEW_FUNDING,
            Capability.PREPARE_FUNDING,
            Capability.VIEW_SENSITIVE_STAFF_DATA,
            Capability.IMPORT_STAFFING,
            Capability.EXPORT_STAFFING,
            Capability.PROPOSE_EXCEPTION,
            Capability.EDIT_CONCEPT,
            Capability.EDIT_PLAN_DRAFT,
            Capability.SUBMIT_PLAN,
            Capability.REQUEST_REPORT,
            Capability.USE_VERBUND,
        }
    ),
    Role.CENTER_STAFF: frozenset(_KI_READ | {Capability.EDIT_PLAN_DRAFT, Capability.USE_VERBUND}),
    # The Träger is the legal applicant for the state's funding (issue 12).
    Role.SPONSOR: frozenset(
        _KI_READ | {Capability.DECIDE_EXCEPTION, Capability.VIEW_FUNDING, Capability.SUBMIT_FUNDING}
    ),
    Role.SCHOOL_AUTHORITY: frozenset(
        {
            Capability.VIEW_CENTER,
            Capability.VIEW_TEACHER_POSTS,
            Capability.VIEW_CONCEPT,
            Capability.VIEW_PLAN,
            Capability.REVIEW_PLAN,
            Capability.VIEW_REPORTS,
        }
    ),
    Role.LASI: frozenset(
        _KI_READ
        | {
            Capability.EXPORT_STAFFING,
            Capability.COMMENT_PLAN,
            Capability.ACKNOWLEDGE_PLAN,
            Capability.ACKNOWLEDGE_REPORT,
            Capability.USE_VERBUND,
            Capability.VIEW_STATE_OVERVIEW,
        }
    ),
    Role.FUNDING: frozenset(
        {
            Capability.VIEW_CENTER,
            Capability.VIEW_CONCEPT,
            Capability.REVIEW_CONCEPT,
            Capability.MANAGE_FUNDING,
            Capability.VIEW_FUNDING,
            Capability.VIEW_REPORTS,
            Capability.VIEW_STATE_OVERVIEW,
        }
    ),
    Role.MINISTRY: frozenset(
        {VIEW_CENTER} | {codename for codename, _label in Center._meta.permissions}
    ),
}

# Roles whose capabilities hold for every centre.
GLOBAL_ROLES = frozenset(Role.state_roles())
# Roles granted per centre (the Schulaufsicht via the centres of its district).
CENTER_SCOPED_ROLES = (Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY)

_GROUP_PREFIXES = ("ki:", "land:")


def center_group_name(center: Center, role: str) -> str:
    return f"ki:{center.key}:{role}"


def state_group_name(role: str) -> str:
    return f"land:{role}"


def _center_permissions() -> dict[str, Permission]:
    ctype = ContentType.objects.get_for_model(Center)
    return {p.codename: p for p in Permission.objects.filter(content_type=ctype)}


def ensure_groups(centers: Iterable[Center] | None = None) -> None:
    """Create the per-centre and state groups with their permissions (idempotent).

    Bulk operations only: the whole of NRW takes a handful of queries.
    """
    perms = _center_permissions()
    centers = list(Center.objects.all() if centers is None else centers)

    for role in GLOBAL_ROLES:
        group, _created = Group.objects.get_or_create(name=state_group_name(role))
        group.permissions.set([perms[c] for c in ROLE_PERMISSIONS[role]])

    wanted = {center_group_name(c, r) for c in centers for r in CENTER_SCOPED_ROLES}
    existing = set(Group.objects.filter(name__in=wanted).values_list("name", flat=True))
    Group.objects.bulk_create([Group(name=n) for n in sorted(wanted - existing)])
    groups = {g.name: g for g in Group.objects.filter(name__in=wanted)}

    rows = [
        CenterGroupObjectPermission(
            group=groups[center_group_name(center, role)],
            permission=perms[codename],
            content_object=center,
        )
        for center in centers
        for role in CENTER_SCOPED_ROLES
        for codename in ROLE_PERMISSIONS[role]
    ]
    # Remove capabilities a role no longer has, then add the missing ones.
    for role in CENTER_SCOPED_ROLES:
        CenterGroupObjectPermission.objects.filter(
            group__name__in=[center_group_name(c, role) for c in centers]
        ).exclude(permission__codename__in=ROLE_PERMISSIONS[role]).delete()
    CenterGroupObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)


def _wanted_group_names(user) -> set[str]:
    names: set[str] = set()
    memberships = Membership.objects.filter(user=user).select_related("center")
    for m in memberships:
        if m.role in GLOBAL_ROLES:
            names.add(state_group_name(m.role))
        elif m.role == Role.SCHOOL_AUTHORITY:
            names.update(
                center_group_name(c, Role.SCHOOL_AUTHORITY)
                for c in Center.objects.filter(school_authority_id=m.school_authority_id).only(
                    "key"
                )
            )
        else:
            names.add(center_group_name(m.center, m.role))
    return names


def sync_user_groups(user) -> None:
    """Make the user's managed groups match their memberships.

    Called by the membership services inside their transaction, so a grant
    or revocation and its permissions change together.
    """
    wanted = _wanted_group_names(user)
    current = {g.name: g for g in user.groups.all() if g.name.startswith(_GROUP_PREFIXES)}
    stale = [g for name, g in current.items() if name not in wanted]
    if stale:
        user.groups.remove(*stale)
    missing = wanted - current.keys()
    if missing:
        user.groups.add(*Group.objects.filter(name__in=missing))
    # Django and this module remember permissions on the user object.
    forget_grants(user)


# --- reading: scoped querysets ------------------------------------------------


@dataclass(frozen=True)
class Grants:
    """What one user holds, read once per request: the capabilities held for every centre
    (state roles; superusers hold all) and, per centre id, those granted through the centre's
    groups. Every check below answers from it without another query."""

    superuser: bool
    everywhere: frozenset[str]
    by_center: Mapping[int, frozenset[str]]

    def holds_everywhere(self, perm: str) -> bool:
        return self.superuser or perm in self.everywhere

    def center_ids(self, perm: str, *, membership_only: bool = False) -> frozenset[int] | None:
        """Ids of the centres on which ``perm`` is held; ``None`` for every centre."""
        if not membership_only and self.holds_everywhere(perm):
            return None
        return frozenset(pk for pk, held in self.by_center.items() if perm in held)

    def on_center(self, center_id: int) -> frozenset[str]:
        if self.superuser:
            return ROLE_PERMISSIONS[Role.MINISTRY]
        return self.everywhere | self.by_center.get(center_id, frozenset())

    def anywhere(self) -> frozenset[str]:
        if self.superuser:
            return ROLE_PERMISSIONS[Role.MINISTRY]
        return self.everywhere.union(*self.by_center.values())


NO_GRANTS = Grants(superuser=False, everywhere=frozenset(), by_center={})
SUPERUSER_GRANTS = Grants(superuser=True, everywhere=frozenset(), by_center={})


def _read_grants(user) -> Grants:
    """One query: the user's permissions on ``Center`` through groups and directly, global
    (no centre) and per centre (guardian's object permission tables)."""
    ctype = ContentType.objects.get_for_model(Center)
    # Typed: PostgreSQL cannot match an untyped NULL with the centre ids of the other branches.
    no_center = Cast(Value(None), output_field=BigIntegerField())
    global_perms = Permission.objects.filter(content_type=ctype).order_by()
    rows = (
        global_perms.filter(group__user=user)
        .annotate(center_id=no_center)
        .values_list("center_id", "codename")
        .union(
            global_perms.filter(user=user)
            .annotate(center_id=no_center)
            .values_list("center_id", "codename"),
            CenterGroupObjectPermission.objects.filter(group__user=user)
            .order_by()
            .values_list("content_object_id", "permission__codename"),
            CenterUserObjectPermission.objects.filter(user=user)
            .order_by()
            .values_list("content_object_id", "permission__codename"),
            all=True,
        )
    )
    everywhere: set[str] = set()
    by_center: dict[int, set[str]] = {}
    for center_id, codename in rows:
        if center_id is None:
            everywhere.add(codename)
        else:
            by_center.setdefault(center_id, set()).add(codename)
    return Grants(
        superuser=False,
        everywhere=frozenset(everywhere),
        by_center={pk: frozenset(held) for pk, held in by_center.items()},
    )


def grants_of(user) -> Grants:
    """The user's ``Grants``: read once per change of the data (``centers.dataversion``; a
    membership or a group is data too) and remembered on the user object, so a request asks
    the cache at most once however many checks its page makes. Inactive and anonymous users
    hold nothing (as Django's ModelBackend)."""
    if not user.is_authenticated or not user.is_active:
        return NO_GRANTS
    if user.is_superuser:
        return SUPERUSER_GRANTS
    version = dataversion.current()
    remembered = user.__dict__.get("_grants")
    if remembered is not None and version is not None and remembered[0] == version:
        return remembered[1]
    grants = dataversion.cached(f"grants:{user.pk}", lambda: _read_grants(user))
    user.__dict__["_grants"] = (version, grants)
    return grants


def forget_grants(user) -> None:
    """After a change of the user's memberships or groups inside a request."""
    for attr in ("_grants", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


def _narrow(queryset: QuerySet, field: str, ids: frozenset[int] | None) -> QuerySet:
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": sorted(ids)}) if ids else queryset.none()


def centers_for(
    user, perm: str = VIEW_CENTER, *, membership_only: bool = False
) -> QuerySet[Center]:
    """Centres on which ``user`` holds capability ``perm`` (a lazy queryset, no loop).

    ``membership_only`` counts only what a centre membership grants — neither
    global (state) permissions nor superuser status. For per-person sensitive
    data (Nr. 3.4), which only the centre's own Leitung may see (DESIGN.md §7).
    """
    grants = grants_of(user)
    if not user.is_authenticated:
        return Center.objects.none()
    return _narrow(
        Center.objects.all(), "pk", grants.center_ids(perm, membership_only=membership_only)
    )


def scoped(queryset: QuerySet, user, perm: str, center_field: str = "center") -> QuerySet:
    """Narrow a queryset of centre-owned objects to the centres ``user`` may ``perm``."""
    if not user.is_authenticated:
        return queryset.none()
    return _narrow(queryset, center_field, grants_of(user).center_ids(perm))


def capabilities_anywhere(user) -> frozenset[str]:
    """Every capability ``user`` holds on at least one centre: global (state roles,
    superusers) or through a centre's group (the navigation and the to-do list ask)."""
    return grants_of(user).anywhere()


def has_center_perm(user, perm: str, center: Center, *, membership_only: bool = False) -> bool:
    """Whether ``user`` holds ``perm`` on ``center``, from the grants (no query).
    ``membership_only`` as for ``centers_for``."""
    if center is None:
        return False
    if membership_only:
        return center.pk in (grants_of(user).center_ids(perm, membership_only=True) or ())
    return perm in center_perms(user, center)


def holds_anywhere(user, perm: str) -> bool:
    """Whether ``user`` holds ``perm`` on at least one centre, from the grants (no query)."""
    return perm in capabilities_anywhere(user)


NO_PERMISSION_MESSAGE = _("Dazu fehlt Ihnen die Berechtigung für dieses Zentrum.")


def require_center_perm(user, perm: str, center: Center, message=None) -> None:
    """The one permission guard of the services: ``PermissionDenied`` (403) with a German
    message unless ``user`` holds ``perm`` on ``center``."""
    if center is None or not has_center_perm(user, perm, center):
        raise PermissionDenied(message or NO_PERMISSION_MESSAGE)


def require_state_perm(user, perm: str, message=None) -> None:
    """The guard for state-wide changes (reference data): 403 unless held for every centre."""
    if not has_state_perm(user, perm):
        raise PermissionDenied(message or _("Dazu fehlt Ihnen die Berechtigung."))


def has_state_perm(user, perm: str) -> bool:
    """A capability held for every centre (state roles, superusers)."""
    return grants_of(user).holds_everywhere(perm)


def center_perms(user, center: Center) -> frozenset[str]:
    """All capabilities ``user`` holds on ``center`` — for templates to show buttons."""
    return grants_of(user).on_center(center.pk)


class Capabilities:
    """The capabilities a user holds on one centre, as templates read them:
    ``{% if caps.manage_staffing %}``. A name that is no ``Capability`` is an error in
    Python and empty in a template (tests/centers/test_capabilities.py checks every
    template's names)."""

    __slots__ = ("held",)

    def __init__(self, held: frozenset[str]):
        self.held = held

    def __getattr__(self, name: str) -> bool:
        try:
            return Capability(name) in self.held
        except ValueError:
            raise AttributeError(name) from None

    def __contains__(self, capability) -> bool:
        return capability in self.held

    def __iter__(self):
        return iter(self.held)


def capabilities_for(user, obj) -> Capabilities:
    """What ``user`` may do on ``obj``: a centre, or anything with a ``center`` (a plan, a
    concept, a report) or a ``member.center`` (a qualification exception). One query."""
    center = obj
    if not isinstance(obj, Center):
        center = getattr(obj, "center", None)
        if center is None and hasattr(obj, "member"):
            center = obj.member.center
    return Capabilities(center_perms(user, center) if center is not None else frozenset())


def user_roles(user) -> list[Membership]:
    """The user's memberships, for the navigation and the dashboard."""
    return list(Membership.objects.filter(user=user).select_related("center", "school_authority"))


# --- views ----------------------------------------------------------------------


class CenterPermissionMixin:
    """Resolve the view's centre through the user's scope; 404 outside it.

    ``permission_required`` names the capability on the centre. Views that
    show an object hanging off a centre call ``get_scoped_object``.
    """

    permission_required: str = VIEW_CENTER
    center_url_kwarg = "key"

    def get_center(self) -> Center:
        if not hasattr(self, "_center"):
            self._center = require_center(
                self.request.user, self.permission_required, self.kwargs[self.center_url_kwarg]
            )
        return self._center

    def get_scoped_object(self, queryset: QuerySet, perm: str | None = None, **lookup):
        return get_object_or_404(
            scoped(queryset, self.request.user, perm or self.permission_required), **lookup
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        center = self.get_center()
        context.setdefault("center", center)
        context.setdefault("caps", capabilities_for(self.request.user, center))
        return context


class StatePermissionMixin:
    """For state-wide pages: the capability must be held globally."""

    permission_required: str = Capability.VIEW_STATE_OVERVIEW

    def dispatch(self, request, *args, **kwargs):
        if not has_state_perm(request.user, self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def require_center(user, perm: str, key: str) -> Center:
    """The centre named in a URL if ``user`` holds ``perm`` on it; 404 otherwise."""
    return get_object_or_404(
        centers_for(user, perm).select_related("sponsor", "school_authority"), key=key
    )


def users_with_perm(perm: str, center: Center) -> QuerySet:
    """Active users holding ``perm`` on ``center`` (per centre or globally) —
    the people a notification goes to. One query."""
    from django.contrib.auth import get_user_model

    ctype = ContentType.objects.get_for_model(Center)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(
                groups__centergroupobjectpermission__content_object=center,
                groups__centergroupobjectpermission__permission__codename=perm,
            )
            | Q(groups__permissions__codename=perm, groups__permissions__content_type=ctype)
        )
        .distinct()
    )
