"""Reads scoped to a user. Views start here, never from ``Model.objects``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import Capability, centers_for, scoped
from .collation import collate
from .dates import add_years
from .models import (
    Center,
    ConceptParticipation,
    ConceptStatus,
    FundingDecision,
    IntegrationConcept,
    Membership,
    PartnerKind,
    Role,
    TargetAgreement,
)


def centers_visible_to(user, *, with_operating_status: bool = False) -> QuerySet[Center]:
    """The centre list: every centre the user may see, with what the table shows."""
    centers = centers_for(user)
    if with_operating_status:
        centers = centers_with_operating_status(centers, timezone.localdate())
    return (
        centers.select_related("sponsor", "school_authority")
        .annotate(
            team_size=Count(
                "memberships",
                filter=Q(memberships__role__in=[Role.CENTER_LEAD, Role.CENTER_STAFF]),
            )
        )
        .order_by("name")
    )


def _authority_contact(center: Center) -> Q:
    return Q(role=Role.SCHOOL_AUTHORITY, school_authority_id=center.school_authority_id)


# People in German order of their names (``collate``), ties stable.
_BY_NAME = (collate("user__last_name"), collate("user__first_name"), "pk")


def school_authority_contacts(center: Center) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(_authority_contact(center))
        .select_related("user")
        .order_by(*_BY_NAME)
    )


def center_people(center: Center) -> tuple[list[Membership], list[Membership]]:
    """The centre's team by role (Leitung first) and its Schulaufsicht contacts
    (``school_authority_contacts``), in one query for the pages that show both (the
    contacts share one role, so ordering by role first keeps their order)."""
    team, contacts = Q(center=center), _authority_contact(center)
    rows = list(
        Membership.objects.filter(team | contacts)
        .annotate(
            in_team=ExpressionWrapper(team, output_field=BooleanField()),
            is_contact=ExpressionWrapper(contacts, output_field=BooleanField()),
        )
        .select_related("user")
        .order_by("role", *_BY_NAME)
    )
    return [m for m in rows if m.in_team], [m for m in rows if m.is_contact]


def center_counts_by_region(user) -> list[dict]:
    """Centres per Regierungsbezirk and status, for the state dashboard.

    Aggregates over the bare scoped queryset: no join may multiply a centre.
    """
    return list(
        centers_for(user)
        .order_by()
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


# --- Integrationskonzept and Landesförderung ----------------------------------------------


@dataclass(frozen=True)
class OperatingStatus:
    """Whether a centre meets Nr. 1.4 (approved current concept + this year's funding)."""

    active: bool
    missing: tuple[str, ...]
    concept_resolution_date: date | None
    concept_valid_until: date | None
    year: int


def centers_with_operating_status(centers: QuerySet[Center], today: date) -> QuerySet[Center]:
    """Annotate what ``center_operating_status`` needs: two subqueries, no query per row."""
    approved = IntegrationConcept.objects.filter(
        center=OuterRef("pk"), status=ConceptStatus.APPROVED
    )
    return centers.annotate(
        has_approved_concept=Exists(approved),
        approved_resolution_date=Subquery(approved.values("resolution_date")[:1]),
        funded_this_year=Exists(
            FundingDecision.objects.for_operation().filter(center=OuterRef("pk"), year=today.year)
        ),
    )


def operating_active_q(today: date) -> Q:
    """The Nr. 1.4 rule of ``center_operating_status`` as a filter on annotated centres."""
    cutoff = add_years(today, -settings.CONCEPT_VALIDITY_YEARS)
    return Q(has_approved_concept=True, funded_this_year=True) & (
        Q(approved_resolution_date__isnull=True) | Q(approved_resolution_date__gte=cutoff)
    )


def center_operating_status(center: Center, today: date | None = None) -> OperatingStatus:
    """The one place that says whether a centre is active and, if not, what is missing.

    Uses the annotations of ``centers_with_operating_status`` when the centre
    carries them, one query otherwise.
    """
    today = today or timezone.localdate()
    if not hasattr(center, "funded_this_year"):
        values = (
            centers_with_operating_status(Center.objects.filter(pk=center.pk), today)
            .values("has_approved_concept", "approved_resolution_date", "funded_this_year")
            .get()
        )
        has_concept = values["has_approved_concept"]
        resolution_date = values["approved_resolution_date"]
        funded = values["funded_this_year"]
    else:
        has_concept = center.has_approved_concept
        resolution_date = center.approved_resolution_date
        funded = center.funded_this_year

    years = settings.CONCEPT_VALIDITY_YEARS
    missing: list[str] = []
    valid_until = None
    if not has_concept:
        missing.append(_("ein bewilligtes Integrationskonzept"))
    elif resolution_date is not None:
        valid_until = add_years(resolution_date, years)
        if today > valid_until:
            missing.append(
                _(
                    "eine Fortschreibung des Integrationskonzepts (der Beschluss vom %(date)s "
                    "ist älter als %(years)s Jahre)"
                )
                % {"date": resolution_date.strftime("%d.%m.%Y"), "years": years}
            )
    if not funded:
        missing.append(_("ein Förderbescheid für %(year)s") % {"year": today.year})
    return OperatingStatus(
        active=not missing,
        missing=tuple(missing),
        concept_resolution_date=resolution_date,
        concept_valid_until=valid_until,
        year=today.year,
    )


def operating_overview(centers: QuerySet[Center], today: date | None = None) -> dict:
    """Per Regierungsbezirk: how many centres meet Nr. 1.4, and which do not (state dashboard)."""
    today = today or timezone.localdate()
    rows = centers_with_operating_status(
        centers.select_related("sponsor").order_by("sponsor__region", "name"), today
    )
    regions: dict[str, dict] = {}
    inactive = []
    for center in rows:
        status = center_operating_status(center, today)
        region = regions.setdefault(
            center.sponsor.region,
            {"region": center.sponsor.get_region_display(), "total": 0, "active": 0},
        )
        region["total"] += 1
        if status.active:
            region["active"] += 1
        else:
            inactive.append((center, status))
    return {
        "regions": list(regions.values()),
        "inactive": inactive,
        "active": sum(r["active"] for r in regions.values()),
        "total": sum(r["total"] for r in regions.values()),
        "year": today.year,
    }


def concepts_of_center(center: Center) -> QuerySet[IntegrationConcept]:
    return center.concepts.select_related("decided_by", "predecessor").order_by("-number")


def concept_of_center(center: Center, pk: int) -> IntegrationConcept:
    """One concept of an already scoped centre; 404 for any other id."""
    return get_object_or_404(
        IntegrationConcept.objects.select_related(
            "center__sponsor", "center__school_authority", "predecessor", "decided_by"
        ),
        center=center,
        pk=pk,
    )


def concept_participations(concept: IntegrationConcept) -> list[ConceptParticipation]:
    return list(concept.participations.all())


def concepts_for_review(user) -> QuerySet[IntegrationConcept]:
    """The Bewilligung's queue across NRW (filtered by ``ConceptReviewFilter``)."""
    return scoped(
        IntegrationConcept.objects.select_related("center__sponsor", "predecessor"),
        user,
        Capability.REVIEW_CONCEPT,
    ).order_by("submitted_at", "center__name")


def funding_decisions_of(center: Center) -> QuerySet[FundingDecision]:
    return center.funding_decisions.select_related("programme", "replaced_by").order_by(
        "-year", "programme__position", "decided_on", "pk"
    )


def target_agreements_of(center: Center) -> QuerySet[TargetAgreement]:
    return center.target_agreements.order_by("-valid_from")


def concept_summary(center: Center) -> dict:
    """For the centre page: the approved version, the one in progress, this year's funding."""
    concepts = list(center.concepts.order_by("-number"))
    year = timezone.localdate().year
    return {
        "approved": next((c for c in concepts if c.status == ConceptStatus.APPROVED), None),
        "open": next((c for c in concepts if c.status in ConceptStatus.open()), None),
        "count": len(concepts),
        "funding": center.funding_decisions.for_operation().filter(year=year).first(),
        "year": year,
    }


# --- history: who, when, what changed -------------------------------------------------------

# Bookkeeping fields the reader does not need; the file's own name stands for the document.
_HIDDEN_HISTORY_FIELDS = {"version", "document", "document_size", "decided_by", "id"}


@dataclass
class HistoryEntry:
    at: datetime
    user: object
    subject: str
    action: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _history_value(model_field, value) -> str:
    if value in (None, ""):
        return "–"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def history_entries(records, subject) -> list[HistoryEntry]:
    """Turn simple-history rows (oldest first) into readable entries; no queries."""
    actions = {"+": _("angelegt"), "~": _("geändert"), "-": _("gelöscht")}
    previous: dict = {}
    entries = []
    for record in records:
        model = record.instance_type
        before = previous.get(record.id)
        changes = []
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=_HIDDEN_HISTORY_FIELDS)
            for change in delta.changes:
                model_field = model._meta.get_field(change.field)
                changes.append(
                    (
                        str(model_field.verbose_name),
                        _history_value(model_field, change.old),
                        _history_value(model_field, change.new),
                    )
                )
        previous[record.id] = record
        if record.history_type == "~" and before is not None and not changes:
            continue  # only bookkeeping changed (the lock's version)
        entries.append(
            HistoryEntry(
                at=record.history_date,
                user=record.history_user,
                subject=subject(record),
                action=actions.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    return entries


def concept_history(concept: IntegrationConcept) -> list[HistoryEntry]:
    """The concept's and its participations' history, newest first (two queries)."""
    concept_rows = concept.history.select_related("history_user").order_by(
        "history_date", "history_id"
    )
    participation_rows = (
        ConceptParticipation.history.filter(concept_id=concept.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    kinds = dict(PartnerKind.choices)
    entries = history_entries(concept_rows, lambda r: _("Konzept"))
    entries += history_entries(
        participation_rows,
        lambda r: (
            _("Beteiligung: %(partner)s") % {"partner": kinds.get(r.partner_kind, r.partner_kind)}
        ),
    )
    return sorted(entries, key=lambda e: e.at, reverse=True)


def record_history(queryset, subject) -> list[HistoryEntry]:
    """History of funding decisions or target agreements of a centre, newest first."""
    rows = queryset.select_related("history_user").order_by("history_date", "history_id")
    return sorted(history_entries(rows, subject), key=lambda e: e.at, reverse=True)


def with_operating_status_rows(centers) -> list[tuple[Center, OperatingStatus]]:
    """(centre, Nr. 1.4 status) pairs for a table; the centres carry the annotations."""
    today = timezone.localdate()
    return [(center, center_operating_status(center, today)) for center in centers]


# --- funding programmes (issue 12) ----------------------------------------------------------


def programme_years(year: int):
    """Every programme's facts for ``year``: lines and drawdown dates (three queries)."""
    from django.db.models import Prefetch

    from .programmes import BudgetLine, ProgrammeYear

    return (
        ProgrammeYear.objects.filter(year=year)
        .select_related("programme")
        .prefetch_related(
            Prefetch("lines", queryset=BudgetLine.objects.order_by("position", "pk")),
            "drawdowns",
        )
        .order_by("programme__position", "programme__name")
    )


def programme_budget_years() -> list[int]:
    from .programmes import ProgrammeYear

    return sorted(set(ProgrammeYear.objects.values_list("year", flat=True)), reverse=True)
