"""Reads scoped to a user. Views start here, never from ``Model.objects``."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from .access import centers_for
from .models import Center, Membership, Role


def centers_visible_to(user) -> QuerySet[Center]:
    """The centre list: every centre the user may see, with what the table shows."""
    return (
        centers_for(user)
        .select_related("sponsor", "school_authority")
        .annotate(
            team_size=Count(
                "memberships",
                filter=Q(memberships__role__in=[Role.CENTER_LEAD, Role.CENTER_STAFF]),
            )
        )
        .order_by("name")
    )


def center_team(center: Center) -> QuerySet[Membership]:
    """People of a centre by role (Leitung first), one query."""
    return (
        Membership.objects.filter(center=center)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )


def school_authority_contacts(center: Center) -> QuerySet[Membership]:
    return Membership.objects.filter(
        role=Role.SCHOOL_AUTHORITY, school_authority_id=center.school_authority_id
    ).select_related("user")


def center_counts_by_region(centers: QuerySet[Center]) -> list[dict]:
    """Centres per Regierungsbezirk and status, for the state dashboard."""
    return list(
        centers.order_by()
        .values("sponsor__region")
        .annotate(
            total=Count("id"),
            active=Count("id", filter=Q(status="active")),
            founding=Count("id", filter=Q(status="founding")),
            dormant=Count("id", filter=Q(status="dormant")),
        )
        .order_by("sponsor__region")
    )


def memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("center", "school_authority")


def centers_with_team(centers: QuerySet[Center]) -> QuerySet[Center]:
    return centers.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user"))
    )
