"""State changes of centres, memberships and reference data.

Each function is one transaction, takes keyword arguments only, validates
with ``full_clean`` and leaves a history row (django-simple-history).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from . import access
from .models import Center, Membership, Municipality, MunicipalityKind, Role, SchoolAuthority

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "nrw_gebietskoerperschaften.csv"
CENTERS_CSV = DATA_DIR / "nrw_kommunale_integrationszentren.csv"


@transaction.atomic
def membership_grant(
    *,
    user,
    role: str,
    center: Center | None = None,
    school_authority: SchoolAuthority | None = None,
    function: str = "",
) -> Membership:
    """Give ``user`` a role; the guardian groups follow in the same transaction."""
    membership = Membership.objects.filter(
        user=user, role=role, center=center, school_authority=school_authority
    ).first() or Membership(user=user, role=role, center=center, school_authority=school_authority)
    if function:
        membership.function = function
    membership.full_clean()
    membership.save()
    access.sync_user_groups(user)
    return membership


@transaction.atomic
def membership_save(*, membership: Membership) -> Membership:
    """Create or change a membership (admin form) and resync the user's groups."""
    previous_user_id = None
    if membership.pk:
        previous_user_id = (
            Membership.objects.filter(pk=membership.pk).values_list("user_id", flat=True).first()
        )
    membership.full_clean()
    membership.save()
    access.sync_user_groups(membership.user)
    if previous_user_id and previous_user_id != membership.user_id:
        from django.contrib.auth import get_user_model

        access.sync_user_groups(get_user_model().objects.get(pk=previous_user_id))
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    user = membership.user
    membership.delete()
    access.sync_user_groups(user)


@transaction.atomic
def center_save(*, center: Center) -> Center:
    """Create or change a centre; its groups and its Schulaufsicht follow."""
    previous_authority_id = None
    if center.pk:
        previous_authority_id = (
            Center.objects.filter(pk=center.pk)
            .values_list("school_authority_id", flat=True)
            .first()
        )
    center.full_clean()
    center.save()
    access.ensure_groups([center])
    if previous_authority_id != center.school_authority_id:
        _resync_school_authority_members({previous_authority_id, center.school_authority_id})
    return center


def _resync_school_authority_members(authority_ids) -> None:
    memberships = Membership.objects.filter(
        role=Role.SCHOOL_AUTHORITY, school_authority_id__in=[i for i in authority_ids if i]
    ).select_related("user")
    for user in {m.user for m in memberships}:
        access.sync_user_groups(user)


# --- reference data ---------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceDataResult:
    municipalities: int
    school_authorities: int
    centers: int


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _school_authority_name(municipality: Municipality) -> str:
    if municipality.kind == MunicipalityKind.CITY:
        return f"Schulamt für die Stadt {municipality.name}"
    if municipality.kind == MunicipalityKind.CITY_REGION:
        return f"Schulamt für die {municipality.name}"
    return f"Schulamt für den {municipality.name}"


@transaction.atomic
def reference_data_load() -> ReferenceDataResult:
    """Load the NRW reference data from ``centers/data`` (idempotent).

    - 53 Kreise, kreisfreie Städte and the StädteRegion as ``Municipality``;
    - every centre whose Träger is not among them (the Stadt Aachen) gets its
      Träger as a kreisangehörige Gemeinde of the Kreis its key starts with;
    - one ``SchoolAuthority`` per Kreis / kreisfreie Stadt, covering the
      Kreis and its member municipalities that run a centre;
    - the 54 centres, each with the Schulamt of its Träger (or the Träger's
      parent), and the permission groups for each.
    Existing rows keep edits made in the admin to fields the files don't hold.
    """
    by_key: dict[str, Municipality] = {}
    for row in _read_csv(MUNICIPALITIES_CSV):
        municipality, _ = Municipality.objects.update_or_create(
            key=row["kreisschluessel"],
            defaults={
                "name": row["name"],
                "kind": row["art"],
                "region": row["regierungsbezirk"],
                "member_count": int(row["gemeinden"]),
                "parent": None,
            },
        )
        by_key[municipality.key] = municipality

    center_rows = _read_csv(CENTERS_CSV)
    for row in center_rows:
        key = row["traeger_schluessel"]
        if key in by_key:
            continue
        parent = by_key[key[:5]]
        municipality, _ = Municipality.objects.update_or_create(
            key=key,
            defaults={
                "name": row["traeger"],
                "kind": MunicipalityKind.MEMBER_MUNICIPALITY,
                "region": parent.region,
                "parent": parent,
            },
        )
        by_key[key] = municipality

    authorities: dict[str, SchoolAuthority] = {}
    for municipality in by_key.values():
        if municipality.parent_id:
            continue
        authority, _ = SchoolAuthority.objects.get_or_create(
            key=municipality.key, defaults={"name": _school_authority_name(municipality)}
        )
        authorities[municipality.key] = authority
    for municipality in by_key.values():
        root = municipality.parent or municipality
        authorities[root.key].municipalities.add(municipality)

    centers = []
    for row in center_rows:
        sponsor = by_key[row["traeger_schluessel"]]
        authority = authorities[(sponsor.parent or sponsor).key]
        center = Center.objects.filter(key=row["ki_schluessel"]).first()
        if center is None:
            center = Center(key=row["ki_schluessel"])
        center.name = row["name"]
        center.sponsor = sponsor
        if center.school_authority_id is None:
            center.school_authority = authority
        if (
            center._state.adding
            or Center.objects.filter(pk=center.pk)
            .exclude(name=center.name, sponsor=sponsor)
            .exists()
        ):
            center.full_clean()
            center.save()
        centers.append(center)
    access.ensure_groups(centers)
    return ReferenceDataResult(
        municipalities=len(by_key), school_authorities=len(authorities), centers=len(centers)
    )
