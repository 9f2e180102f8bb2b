"""State changes of centres, memberships and reference data.

Each function is one transaction, takes keyword arguments only, validates
with ``full_clean`` and leaves a history row (django-simple-history).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from . import access
from .access import Capability, require_center_perm, require_state_perm
from .dates import add_months
from .documents import display_name, validate_pdf
from .locking import claim_version
from .models import (
    Center,
    ConceptEventKind,
    ConceptParticipation,
    ConceptStatus,
    DecisionKind,
    FundingDecision,
    FundingDecisionLine,
    IntegrationConcept,
    Membership,
    Municipality,
    MunicipalityKind,
    PartnerKind,
    ResolutionBody,
    Role,
    SchoolAuthority,
    TargetAgreement,
    private_storage,
)
from .notifications import notify_center
from .programmes import BudgetLine, DrawdownDate, Programme, ProgrammeYear, line_errors
from .workflow.transitions import record_event, transition_apply
from .workflows import CONCEPT

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
    # "für den Märkischen Kreis": an adjective before "Kreis" takes the accusative.
    name = re.sub(r"(\w)er Kreis\b", r"\1en Kreis", municipality.name)
    return f"Schulamt für den {name}"


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


# --- Integrationskonzept and Landesförderung (decree Nr. 1.4, Nr. 6; DESIGN.md §5) --------------

# What each service accepts, in the order its form shows it (the forms read these).
CONCEPT_FIELDS = (
    "title",
    "summary",
    "resolution_body",
    "resolution_date",
    "resolution_reference",
    "municipalities_agreed_on",
    "municipalities_note",
)
PARTICIPATION_FIELDS = ("partner_kind", "partner_name", "involved_on", "note")
FUNDING_FIELDS = (
    "programme",
    "year",
    "amount",
    "file_number",
    "decided_on",
    "funded_posts",
    "conditions",
    "note",
)
# What a later decision (Änderungsbescheid, Widerruf) states anew.
DECISION_CHANGE_FIELDS = (
    "amount",
    "file_number",
    "decided_on",
    "funded_posts",
    "conditions",
    "note",
)
AGREEMENT_FIELDS = ("valid_from", "valid_until", "concluded_on", "text")


def _require_concept_editor(user, concept: IntegrationConcept) -> None:
    require_center_perm(
        user,
        Capability.EDIT_CONCEPT,
        concept.center,
        _("Sie dürfen dieses Konzept nicht bearbeiten."),
    )


def _set_fields(instance, fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields).difference(allowed)
    if unknown:
        raise TypeError(f"Unbekannte Felder: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)


def _save(instance, user) -> None:
    """Validate and save, with ``user`` in the history row (also outside requests)."""
    instance.full_clean()
    instance._history_user = user
    instance.save()


def _claim(instance, expected_version: int | None) -> None:
    """Optimistic lock: the form's version, or the one just read for buttons."""
    claim_version(instance, instance.version if expected_version is None else expected_version)


def _lock_concept(concept: IntegrationConcept) -> IntegrationConcept:
    """Re-read the concept inside the transaction: its status may have moved on."""
    return (
        IntegrationConcept.objects.select_for_update(of=("self",))
        .select_related("center__sponsor", "predecessor")
        .get(pk=concept.pk)
    )


def _event(concept: IntegrationConcept, kind: str, user, note: str = "") -> None:
    record_event(concept, center=concept.center, kind=kind, actor=user, note=note)


def _require_editable(concept: IntegrationConcept) -> None:
    if not concept.is_editable:
        raise ValidationError(
            _(
                "Das Konzept ist %(status)s und kann nicht mehr geändert werden. "
                "Für Änderungen legen Sie eine Fortschreibung an."
            )
            % {"status": concept.get_status_display()},
            code="not_editable",
        )


def requires_municipalities_agreement(center: Center) -> bool:
    """Nr. 1.4: a Kreis (or the StädteRegion) adopts the concept in agreement with
    its kreisangehörige Gemeinden."""
    return center.sponsor.kind in (MunicipalityKind.DISTRICT, MunicipalityKind.CITY_REGION)


def default_resolution_body(center: Center) -> str:
    return {
        MunicipalityKind.DISTRICT: ResolutionBody.DISTRICT_COUNCIL,
        MunicipalityKind.CITY_REGION: ResolutionBody.CITY_REGION_COUNCIL,
    }.get(center.sponsor.kind, ResolutionBody.CITY_COUNCIL)


def concept_missing_for_submission(concept: IntegrationConcept, participations=None) -> list[str]:
    """What Nr. 1.4 still needs before the concept may be submitted, in German.

    ``participations`` may be passed when the caller already holds them.
    """
    missing: list[str] = []
    if not concept.resolution_body:
        missing.append(_("das beschließende Gremium (Rat der Stadt bzw. Kreistag)"))
    if not concept.resolution_date:
        missing.append(_("das Datum des Beschlusses"))
    if requires_municipalities_agreement(concept.center) and not concept.municipalities_agreed_on:
        missing.append(_("die Abstimmung mit den kreisangehörigen Gemeinden"))
    if not concept.document:
        missing.append(_("das Konzept als PDF-Dokument"))
    if participations is None:
        participations = concept.participations.all()
    present = {p.partner_kind for p in participations}
    for kind in PartnerKind.required():
        if kind not in present:
            missing.append(_("die Beteiligung: %(partner)s") % {"partner": kind.label})
    return missing


@transaction.atomic
def concept_create(*, center: Center, user, **fields) -> IntegrationConcept:
    """A new draft; if the centre has an approved concept, a Fortschreibung of it."""
    require_center_perm(
        user,
        Capability.EDIT_CONCEPT,
        center,
        _("Sie dürfen für dieses Zentrum kein Konzept anlegen."),
    )
    # One version in progress per centre: lock the centre's row while numbering.
    Center.objects.select_for_update().filter(pk=center.pk).first()
    open_concept = center.concepts.filter(status__in=ConceptStatus.open()).first()
    if open_concept is not None:
        raise ValidationError(
            _(
                "Für dieses Zentrum ist bereits die Fassung %(number)s in Bearbeitung "
                "(%(status)s). Bitte bearbeiten Sie diese."
            )
            % {"number": open_concept.number, "status": open_concept.get_status_display()},
            code="open_exists",
        )
    last_number = center.concepts.aggregate(n=Max("number"))["n"] or 0
    concept = IntegrationConcept(
        center=center,
        number=last_number + 1,
        predecessor=center.concepts.filter(status=ConceptStatus.APPROVED).first(),
    )
    _set_fields(concept, fields, CONCEPT_FIELDS)
    _save(concept, user)
    note = (
        _("Fortschreibung der Fassung %(number)s") % {"number": concept.predecessor.number}
        if concept.predecessor
        else ""
    )
    _event(concept, ConceptEventKind.CREATED, user, note)
    if concept.is_adopted:
        _event(concept, ConceptEventKind.RESOLUTION_RECORDED, user)
    return concept


@transaction.atomic
def concept_update(
    *, concept: IntegrationConcept, user, expected_version: int, **fields
) -> IntegrationConcept:
    """Change a draft. The second of two concurrent saves gets a conflict."""
    _require_concept_editor(user, concept)
    concept = _lock_concept(concept)
    _require_editable(concept)
    was_adopted = concept.is_adopted
    _claim(concept, expected_version)
    _set_fields(concept, fields, CONCEPT_FIELDS)
    _save(concept, user)
    if concept.is_adopted and not was_adopted:
        _event(
            concept,
            ConceptEventKind.RESOLUTION_RECORDED,
            user,
            f"{concept.get_resolution_body_display()}, {concept.resolution_date:%d.%m.%Y}",
        )
    return concept


@transaction.atomic
def concept_upload_document(
    *, concept: IntegrationConcept, user, upload, expected_version: int | None = None
) -> IntegrationConcept:
    """Store the concept's PDF under a random name in the private storage."""
    _require_concept_editor(user, concept)
    validate_pdf(upload)
    concept = _lock_concept(concept)
    _require_editable(concept)
    _claim(concept, expected_version)
    old_name = concept.document.name
    concept.document_name = display_name(upload.name)
    concept.document_size = upload.size
    concept.document.save("konzept.pdf", upload, save=False)
    try:
        _save(concept, user)
    except Exception:
        # Nothing is recorded, so the new file must not stay behind.
        private_storage().delete(concept.document.name)
        raise
    _event(concept, ConceptEventKind.DOCUMENT_UPLOADED, user, concept.document_name)
    if old_name:
        transaction.on_commit(lambda: private_storage().delete(old_name))
    return concept


def _participation_concept(participation_or_concept) -> IntegrationConcept:
    return getattr(participation_or_concept, "concept", participation_or_concept)


@transaction.atomic
def participation_add(*, concept: IntegrationConcept, user, **fields) -> ConceptParticipation:
    _require_concept_editor(user, concept)
    concept = _lock_concept(concept)
    _require_editable(concept)
    participation = ConceptParticipation(concept=concept)
    _set_fields(participation, fields, PARTICIPATION_FIELDS)
    _save(participation, user)
    return participation


@transaction.atomic
def participation_update(
    *, participation: ConceptParticipation, user, expected_version: int, **fields
) -> ConceptParticipation:
    concept = participation.concept
    _require_concept_editor(user, concept)
    _require_editable(_lock_concept(concept))
    _claim(participation, expected_version)
    _set_fields(participation, fields, PARTICIPATION_FIELDS)
    _save(participation, user)
    return participation


@transaction.atomic
def participation_delete(
    *, participation: ConceptParticipation, user, expected_version: int | None = None
) -> None:
    concept = participation.concept
    _require_concept_editor(user, concept)
    _require_editable(_lock_concept(concept))
    _claim(participation, expected_version)
    participation._history_user = user
    participation.delete()


def concept_submit(
    *, concept: IntegrationConcept, user, expected_version: int | None = None
) -> IntegrationConcept:
    """Draft (or returned) → submitted, once Nr. 1.4 is complete; tells the Bewilligung."""
    return transition_apply(
        CONCEPT, "submit", obj=concept, user=user, expected_version=expected_version
    )


def concept_return(
    *, concept: IntegrationConcept, user, reason: str, expected_version: int | None = None
) -> IntegrationConcept:
    """Submitted → returned (a draft again), with the reason the KI-Leitung reads."""
    return transition_apply(
        CONCEPT, "return", obj=concept, user=user, expected_version=expected_version, note=reason
    )


def concept_approve(
    *, concept: IntegrationConcept, user, expected_version: int | None = None
) -> IntegrationConcept:
    """Submitted → approved; an approved earlier version is superseded and stays readable."""
    return transition_apply(
        CONCEPT, "approve", obj=concept, user=user, expected_version=expected_version
    )


@transaction.atomic
def funding_decision_save(
    *,
    center: Center,
    user,
    decision: FundingDecision | None = None,
    expected_version: int | None = None,
    **fields,
) -> FundingDecision:
    """Record a Bescheid decided outside the portal's applications (Nr. 6.2), or correct a
    record (a typo in the file number); a change of the decision itself is an
    Änderungsbescheid (``funding_decision_change``). Tells the KI-Leitung."""
    require_center_perm(
        user,
        Capability.MANAGE_FUNDING,
        center,
        _("Nur die Bewilligungsbehörde erfasst Förderbescheide."),
    )
    created = decision is None
    if created:
        decision = FundingDecision(
            center=center, programme=Programme.objects.filter(required_for_operation=True).first()
        )
    else:
        claim_version(decision, expected_version)  # an edit: the form's version, required
    _set_fields(decision, fields, FUNDING_FIELDS)
    _save(decision, user)
    notify_center(
        center=center,
        capability=Capability.EDIT_CONCEPT,
        actor=user,
        subject=_("Förderbescheid %(year)s erfasst: %(center)s")
        % {"year": decision.year, "center": center},
        template="centers/email/funding_recorded.txt",
        context={"decision": decision, "created": created},
    )
    return decision


@dataclass(frozen=True)
class DecisionLine:
    """What a decision grants on one budget line."""

    budget_line: BudgetLine
    amount: Decimal
    posts: Decimal | None = None


def _attach_document(decision: FundingDecision, upload) -> None:
    validate_pdf(upload)
    decision.document_name = display_name(upload.name)
    decision.document.save("bescheid.pdf", upload, save=False)


def decision_write(decision: FundingDecision, user, *, lines, upload) -> FundingDecision:
    """Check the lines against the caps, total them, save the decision with its lines: the
    validated write under the services below (which check who acts) and the demo data."""
    errors = [
        m
        for line in lines
        for m in line_errors(line.budget_line, posts=line.posts, amount=line.amount)
    ]
    if errors:
        raise ValidationError(errors)
    if lines:
        decision.amount = sum((line.amount for line in lines), Decimal("0.00"))
        decision.funded_posts = sum(
            (line.posts or Decimal("0") for line in lines if line.budget_line.per_post),
            Decimal("0.00"),
        )
    if upload is not None:
        _attach_document(decision, upload)
    try:
        _save(decision, user)
    except Exception:
        if upload is not None:
            private_storage().delete(decision.document.name)
        raise
    FundingDecisionLine.objects.bulk_create(
        FundingDecisionLine(
            decision=decision, budget_line=line.budget_line, posts=line.posts, amount=line.amount
        )
        for line in lines
    )
    return decision


@transaction.atomic
def funding_decision_grant(
    *,
    center: Center,
    programme_year: ProgrammeYear,
    user,
    lines: list[DecisionLine],
    file_number: str,
    decided_on,
    conditions: str = "",
    note: str = "",
    upload=None,
) -> FundingDecision:
    """The Bescheid on a centre's application (``reporting.funding`` calls it when the
    Bewilligung decides): an amount per line within the caps, file number, date,
    conditions and the letter as PDF. One per centre, programme and year."""
    require_center_perm(
        user,
        Capability.MANAGE_FUNDING,
        center,
        _("Nur die Bewilligungsbehörde erlässt Förderbescheide."),
    )
    foreign = [line for line in lines if line.budget_line.programme_year_id != programme_year.pk]
    if foreign:
        raise ValidationError(_("Eine Position gehört nicht zu diesem Programmjahr."))
    decision = FundingDecision(
        center=center,
        programme=programme_year.programme,
        year=programme_year.year,
        kind=DecisionKind.GRANT,
        amount=Decimal("0.00"),
        funded_posts=Decimal("0.00"),
        file_number=file_number,
        decided_on=decided_on,
        conditions=conditions,
        note=note,
    )
    return decision_write(decision, user, lines=lines, upload=upload)


@transaction.atomic
def funding_decision_change(
    *,
    decision: FundingDecision,
    user,
    kind: str,
    expected_version: int | None,
    lines: list[DecisionLine] | None = None,
    upload=None,
    **fields,
) -> FundingDecision:
    """An Änderungsbescheid or a Widerruf: a new decision that replaces ``decision``, which
    stays readable as it was. A Widerruf leaves nothing granted."""
    center = decision.center
    require_center_perm(
        user,
        Capability.MANAGE_FUNDING,
        center,
        _("Nur die Bewilligungsbehörde erlässt Förderbescheide."),
    )
    if kind not in (DecisionKind.AMENDMENT, DecisionKind.REVOCATION):
        raise ValidationError(_("Bitte Änderungsbescheid oder Widerruf wählen."))
    decision = FundingDecision.objects.select_for_update(of=("self",)).get(pk=decision.pk)
    claim_version(decision, expected_version)
    if not decision.in_force:
        raise ValidationError(
            _("Dieser Bescheid ist nicht mehr in Kraft; bitte ändern Sie den geltenden.")
        )
    new = FundingDecision(
        center=center,
        programme_id=decision.programme_id,
        year=decision.year,
        kind=kind,
        replaces=decision,
        funded_posts=decision.funded_posts,
    )
    _set_fields(new, fields, DECISION_CHANGE_FIELDS)
    if kind == DecisionKind.REVOCATION:
        new.amount = Decimal("0.00")
        new.funded_posts = Decimal("0.00")
        lines = [
            DecisionLine(budget_line=line.budget_line, amount=Decimal("0.00"), posts=None)
            for line in decision.lines.select_related("budget_line")
        ]
    new = decision_write(new, user, lines=lines or [], upload=upload)
    notify_center(
        center=center,
        capability=(Capability.VIEW_FUNDING,),
        actor=user,
        subject=_("%(kind)s zur Förderung %(year)s: %(center)s")
        % {"kind": new.get_kind_display(), "year": new.year, "center": center},
        template="centers/email/funding_changed.txt",
        context={"decision": new, "previous": decision},
    )
    return new


@transaction.atomic
def target_agreement_save(
    *,
    center: Center,
    user,
    agreement: TargetAgreement | None = None,
    expected_version: int | None = None,
    upload=None,
    **fields,
) -> TargetAgreement:
    """Record or correct a Zielvereinbarung (Nr. 1.4), optionally with its PDF."""
    require_center_perm(
        user,
        Capability.MANAGE_FUNDING,
        center,
        _("Nur die Bewilligungsbehörde erfasst Zielvereinbarungen."),
    )
    if upload is not None:
        validate_pdf(upload)
    created = agreement is None
    if created:
        agreement = TargetAgreement(center=center)
    else:
        claim_version(agreement, expected_version)  # an edit: the form's version, required
    _set_fields(agreement, fields, AGREEMENT_FIELDS)
    old_name = agreement.document.name
    if upload is not None:
        agreement.document_name = display_name(upload.name)
        agreement.document.save("zielvereinbarung.pdf", upload, save=False)
    try:
        _save(agreement, user)
    except Exception:
        if upload is not None:
            private_storage().delete(agreement.document.name)
        raise
    if upload is not None and old_name:
        transaction.on_commit(lambda: private_storage().delete(old_name))
    notify_center(
        center=center,
        capability=Capability.EDIT_CONCEPT,
        actor=user,
        subject=_("Zielvereinbarung erfasst: %(center)s") % {"center": center},
        template="centers/email/target_agreement_recorded.txt",
        context={"agreement": agreement, "created": created},
    )
    return agreement


@transaction.atomic
def record_admin_save(*, instance, user):
    """The ministry's edits in the Django admin: validated, versioned, in the history."""
    if getattr(instance, "pk", None) and hasattr(instance, "version"):
        _claim(instance, instance.version)
    _save(instance, user)
    return instance


# --- funding programmes (issue 12) --------------------------------------------------------


@transaction.atomic
def programme_year_copy(*, programme_year: ProgrammeYear, year: int, user) -> ProgrammeYear:
    """Start ``year`` of a programme from an earlier year: its lines and caps, with the dates
    moved by the difference in years. The earlier year stays exactly as it was."""
    require_state_perm(user, Capability.MANAGE_FUNDING)
    return programme_year_write_copy(programme_year=programme_year, year=year, user=user)


def programme_year_write_copy(*, programme_year: ProgrammeYear, year: int, user) -> ProgrammeYear:
    """The validated copy under ``programme_year_copy`` (which checks who acts) and the
    demo data."""
    programme = programme_year.programme
    if ProgrammeYear.objects.filter(programme=programme, year=year).exists():
        raise ValidationError(
            _("Für %(programme)s gibt es das Haushaltsjahr %(year)s schon.")
            % {"programme": programme.name, "year": year}
        )
    shift = year - programme_year.year

    def moved(day):
        return None if day is None else add_months(day, 12 * shift)

    new = ProgrammeYear(
        programme=programme,
        year=year,
        application_from=moved(programme_year.application_from),
        application_until=moved(programme_year.application_until),
        proof_due=moved(programme_year.proof_due),
        note=programme_year.note,
    )
    new.full_clean()
    new._history_user = user
    new.save()
    for line in programme_year.lines.all():
        line.pk = None
        line.programme_year = new
        line.full_clean()
        line.save()
    for drawdown in programme_year.drawdowns.all():
        DrawdownDate.objects.create(
            programme_year=new, on=moved(drawdown.on), covers=drawdown.covers
        )
    return new
