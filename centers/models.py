"""Centres, their Träger and Schulämter, and who belongs where (DESIGN.md §3, §4).

The reference data (Kreise, kreisfreie Städte, the 54 centres) is loaded from
``centers/data/*.csv`` by ``manage.py load_reference_data``; nothing here
retypes it.
"""

import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from .collation import COLLATION, collate
from .workflow.models import TimelineEvent, Versioned  # noqa: F401 - registered with this app


class Region(models.TextChoices):
    """Regierungsbezirke of Nordrhein-Westfalen."""

    DUESSELDORF = "Düsseldorf", _("Düsseldorf")
    KOELN = "Köln", _("Köln")
    MUENSTER = "Münster", _("Münster")
    DETMOLD = "Detmold", _("Detmold")
    ARNSBERG = "Arnsberg", _("Arnsberg")


class MunicipalityKind(models.TextChoices):
    CITY = "kreisfreie Stadt", _("kreisfreie Stadt")
    DISTRICT = "Kreis", _("Kreis")
    CITY_REGION = "Städteregion", _("Städteregion")
    MEMBER_MUNICIPALITY = "kreisangehörige Gemeinde", _("kreisangehörige Gemeinde")


class MunicipalityQuerySet(models.QuerySet):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Municipality(models.Model):
    """A Gebietskörperschaft; the Träger of a centre (Nr. 4.4)."""

    key = models.CharField(
        _("Kreisschlüssel"),
        max_length=8,
        unique=True,
        help_text=_("Amtlicher Kreisschlüssel (5 Stellen) bzw. Gemeindeschlüssel (8 Stellen)."),
    )
    name = models.CharField(_("Name"), max_length=120, db_collation=COLLATION)
    kind = models.CharField(_("Art"), max_length=30, choices=MunicipalityKind.choices)
    region = models.CharField(_("Regierungsbezirk"), max_length=20, choices=Region.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("gehört zu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    member_count = models.PositiveSmallIntegerField(
        _("Anzahl kreisangehöriger Gemeinden"), default=0
    )

    objects = MunicipalityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Gebietskörperschaft")
        verbose_name_plural = _("Gebietskörperschaften")
        ordering = ["key"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.key,)


class SchoolAuthority(models.Model):
    """Untere Schulaufsicht / Schulamt (Nr. 3.5)."""

    key = models.CharField(
        _("Schlüssel"),
        max_length=8,
        unique=True,
        help_text=_("Kreisschlüssel des Kreises bzw. der kreisfreien Stadt des Schulamts."),
    )
    name = models.CharField(_("Name"), max_length=150, db_collation=COLLATION)
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("zuständig für"),
        related_name="school_authorities",
        blank=True,
    )
    contact_name = models.CharField(
        _("Ansprechperson „Integration durch Bildung“"), max_length=150, blank=True
    )
    contact_email = models.EmailField(_("E-Mail der Ansprechperson"), blank=True)
    contact_phone = models.CharField(_("Telefon der Ansprechperson"), max_length=40, blank=True)

    history = HistoricalRecords(m2m_fields=[municipalities])

    class Meta:
        verbose_name = _("Schulamt")
        verbose_name_plural = _("Schulämter")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CenterStatus(models.TextChoices):
    FOUNDING = "founding", _("in Gründung")
    ACTIVE = "active", _("eingerichtet")
    DORMANT = "dormant", _("ruhend")


class Center(models.Model):
    """A Kommunales Integrationszentrum. Every permission is granted on it (DESIGN.md §4)."""

    key = models.CharField(
        _("KI-Schlüssel"),
        max_length=8,
        unique=True,
        help_text=_("Kreisschlüssel des Trägers; für die Stadt Aachen der Gemeindeschlüssel."),
    )
    name = models.CharField(_("Name"), max_length=150, db_collation=COLLATION)
    sponsor = models.ForeignKey(
        Municipality, verbose_name=_("Träger"), on_delete=models.PROTECT, related_name="centers"
    )
    school_authority = models.ForeignKey(
        SchoolAuthority,
        verbose_name=_("Schulamt"),
        on_delete=models.PROTECT,
        related_name="centers",
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=CenterStatus.choices, default=CenterStatus.ACTIVE
    )
    founded_on = models.DateField(_("gegründet am"), null=True, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=150, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    website = models.URLField(_("Website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kommunales Integrationszentrum")
        verbose_name_plural = _("Kommunale Integrationszentren")
        ordering = ["name"]
        # The capabilities of DESIGN.md §4 (with Django's own view_center). They are granted per centre
        # through one group per centre and role (centers.access), or
        # globally to the state roles. Views ask for these, never for roles.
        permissions = [
            ("view_staffing", _("Personalliste ansehen")),
            ("view_teacher_posts", _("Lehrkräftestellen ansehen")),
            ("manage_staffing", _("Personalliste bearbeiten")),
            ("view_sensitive_staff_data", _("Sensible Personaldaten ansehen und bearbeiten")),
            ("import_staffing", _("Personalliste importieren")),
            ("export_staffing", _("Personalliste exportieren")),
            ("propose_exception", _("Qualifikationsausnahme vorschlagen")),
            ("decide_exception", _("Über Qualifikationsausnahme entscheiden")),
            ("view_concept", _("Integrationskonzept ansehen")),
            ("edit_concept", _("Integrationskonzept bearbeiten und einreichen")),
            ("review_concept", _("Integrationskonzept prüfen und bewilligen")),
            ("manage_funding", _("Förderung und Zielvereinbarung erfassen")),
            ("view_funding", _("Förderprogramme und Beträge ansehen")),
            ("prepare_funding", _("Förderantrag vorbereiten")),
            ("submit_funding", _("Förderantrag stellen (Träger)")),
            ("view_plan", _("Einsatzmanagement ansehen")),
            ("edit_plan_draft", _("Einsatzmanagement-Entwurf bearbeiten")),
            ("submit_plan", _("Einsatzmanagement einreichen und melden")),
            ("review_plan", _("Einsatzmanagement prüfen (Schulaufsicht)")),
            ("comment_plan", _("Einsatzmanagement kommentieren (LaSI)")),
            ("acknowledge_plan", _("Einsatzmanagement zur Kenntnis nehmen (LaSI)")),
            ("use_verbund", _("Verbund-Schwerpunkte lesen")),
            ("view_reports", _("Berichte ansehen")),
            ("request_report", _("Bericht anfordern und einreichen")),
            ("acknowledge_report", _("Bericht zur Kenntnis nehmen (LaSI)")),
            ("view_state_overview", _("Landesweite Übersichten ansehen")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centers:detail", kwargs={"key": self.key})

    @property
    def region(self):
        return self.sponsor.region


class CenterUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign key: one indexed join instead of a generic one."""

    content_object = models.ForeignKey(Center, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("Benutzerberechtigung am Zentrum")
        verbose_name_plural = _("Benutzerberechtigungen an Zentren")


class CenterGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Center, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("Gruppenberechtigung am Zentrum")
        verbose_name_plural = _("Gruppenberechtigungen an Zentren")


class Role(models.TextChoices):
    """The roles of DESIGN.md §1. What each may do lives in ``centers.access``."""

    CENTER_LEAD = "center_lead", _("KI-Leitung")
    CENTER_STAFF = "center_staff", _("KI-Mitarbeitende")
    SPONSOR = "sponsor", _("Träger")
    SCHOOL_AUTHORITY = "school_authority", _("Schulaufsicht")
    LASI = "lasi", _("LaSI")
    FUNDING = "funding", _("Bewilligung")
    MINISTRY = "ministry", _("Ministerium")

    @classmethod
    def center_roles(cls):
        return (cls.CENTER_LEAD, cls.CENTER_STAFF, cls.SPONSOR)

    @classmethod
    def state_roles(cls):
        return (cls.LASI, cls.FUNDING, cls.MINISTRY)


class Membership(models.Model):
    """Who belongs where in which role.

    Centre roles name a centre, the Schulaufsicht names a Schulamt, state
    roles name neither. Create and end memberships through
    ``centers.services``: they keep the guardian groups in step.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Benutzer/in"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)
    center = models.ForeignKey(
        Center,
        verbose_name=_("Zentrum"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    school_authority = models.ForeignKey(
        SchoolAuthority,
        verbose_name=_("Schulamt"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    function = models.CharField(_("Funktion / Zuständigkeit"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        ordering = ["role", collate("user__last_name"), collate("user__first_name")]
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(
                        role__in=["center_lead", "center_staff", "sponsor"],
                        center__isnull=False,
                        school_authority__isnull=True,
                    )
                    | Q(
                        role="school_authority", center__isnull=True, school_authority__isnull=False
                    )
                    | Q(
                        role__in=["lasi", "funding", "ministry"],
                        center__isnull=True,
                        school_authority__isnull=True,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "center"],
                condition=Q(center__isnull=False),
                name="membership_unique_center_role",
            ),
            models.UniqueConstraint(
                fields=["user", "school_authority"],
                condition=Q(school_authority__isnull=False),
                name="membership_unique_school_authority",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(center__isnull=True, school_authority__isnull=True),
                name="membership_unique_state_role",
            ),
        ]

    def __str__(self):
        scope = self.center or self.school_authority
        label = self.get_role_display()
        return f"{self.user} – {label} ({scope})" if scope else f"{self.user} – {label}"

    def clean(self):
        errors = {}
        if self.role in Role.center_roles():
            if not self.center_id:
                errors["center"] = _("Für diese Rolle muss ein Zentrum angegeben werden.")
            if self.school_authority_id:
                errors["school_authority"] = _("Für diese Rolle kein Schulamt angeben.")
        elif self.role == Role.SCHOOL_AUTHORITY:
            if not self.school_authority_id:
                errors["school_authority"] = _(
                    "Für die Schulaufsicht muss ein Schulamt angegeben werden."
                )
            if self.center_id:
                errors["center"] = _("Für die Schulaufsicht kein Zentrum angeben.")
        elif self.role in Role.state_roles():
            if self.center_id:
                errors["center"] = _("Landesrollen gelten für alle Zentren; kein Zentrum angeben.")
            if self.school_authority_id:
                errors["school_authority"] = _(
                    "Landesrollen gelten für alle Zentren; kein Schulamt angeben."
                )
        if errors:
            raise ValidationError(errors)


# --- Integrationskonzept and Landesförderung (decree Nr. 1.4, Nr. 6; DESIGN.md §3, §5) ----------


class PrivateStorage(FileSystemStorage):
    """Documents under ``MEDIA_ROOT/private``: never behind a public URL.

    The location is read from the settings on use (and re-read when tests
    change ``MEDIA_ROOT``); files are served only by views that check access.
    """

    def __init__(self):
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name):
        raise NotImplementedError("Private Dokumente haben keine öffentliche URL.")


_private_storage = PrivateStorage()


def private_storage():
    return _private_storage


def _random_document_name(prefix: str) -> str:
    # A non-guessable name; the original file name is kept only as a label.
    return f"{prefix}/{uuid.uuid4().hex}.pdf"


def concept_document_path(instance, filename):
    return _random_document_name("konzepte")


def agreement_document_path(instance, filename):
    return _random_document_name("zielvereinbarungen")


class ConceptStatus(models.TextChoices):
    """Workflow of DESIGN.md §5. ``returned`` is a draft that carries the reason;
    ``superseded`` is an approved version replaced by an approved Fortschreibung."""

    DRAFT = "draft", _("Entwurf")
    SUBMITTED = "submitted", _("eingereicht")
    RETURNED = "returned", _("zurückgegeben")
    APPROVED = "approved", _("bewilligt")
    SUPERSEDED = "superseded", _("abgelöst")

    @classmethod
    def editable(cls):
        return (cls.DRAFT, cls.RETURNED)

    @classmethod
    def open(cls):
        return (cls.DRAFT, cls.SUBMITTED, cls.RETURNED)


class ResolutionBody(models.TextChoices):
    CITY_COUNCIL = "city_council", _("Rat der Stadt")
    DISTRICT_COUNCIL = "district_council", _("Kreistag")
    CITY_REGION_COUNCIL = "city_region_council", _("Städteregionstag")


class IntegrationConcept(Versioned):
    """One version of a centre's Integrationskonzept (Nr. 1.4).

    A Fortschreibung is a new row with ``predecessor`` set; it supersedes the
    approved version only when it is approved itself.
    """

    center = models.ForeignKey(
        Center, verbose_name=_("Zentrum"), on_delete=models.PROTECT, related_name="concepts"
    )
    number = models.PositiveSmallIntegerField(_("Fassung"))
    predecessor = models.OneToOneField(
        "self",
        verbose_name=_("fortgeschriebene Fassung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
    )
    title = models.CharField(_("Titel"), max_length=200)
    summary = models.TextField(_("Kurzbeschreibung"), blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=ConceptStatus.choices, default=ConceptStatus.DRAFT
    )
    resolution_body = models.CharField(
        _("beschließendes Gremium"), max_length=30, choices=ResolutionBody.choices, blank=True
    )
    resolution_date = models.DateField(_("Beschluss vom"), null=True, blank=True)
    resolution_reference = models.CharField(_("Drucksache / Vorlage"), max_length=100, blank=True)
    municipalities_agreed_on = models.DateField(
        _("Abstimmung mit den kreisangehörigen Gemeinden am"),
        null=True,
        blank=True,
        help_text=_("Nur für Kreise und die Städteregion (Nr. 1.4)."),
    )
    municipalities_note = models.TextField(
        _("Abstimmung mit den kreisangehörigen Gemeinden – Vermerk"), blank=True
    )
    document = models.FileField(
        _("Dokument (PDF)"),
        storage=private_storage,
        upload_to=concept_document_path,
        blank=True,
        max_length=200,
    )
    document_name = models.CharField(_("Dateiname"), max_length=200, blank=True)
    document_size = models.PositiveIntegerField(_("Dateigröße (Bytes)"), null=True, blank=True)
    return_reason = models.TextField(_("Grund der Rückgabe"), blank=True)
    submitted_at = models.DateTimeField(_("eingereicht am"), null=True, blank=True)
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entschieden von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    history = HistoricalRecords()
    events = GenericRelation(TimelineEvent, related_query_name="concept")

    class Meta:
        verbose_name = _("Integrationskonzept")
        verbose_name_plural = _("Integrationskonzepte")
        ordering = ["center__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="concept_unique_number"),
            models.UniqueConstraint(
                fields=["center"],
                condition=Q(status="approved"),
                name="concept_one_approved_per_center",
            ),
            models.UniqueConstraint(
                fields=["center"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="concept_one_open_per_center",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({_('Fassung')} {self.number})"

    def get_absolute_url(self):
        return reverse("centers:concept_detail", kwargs={"key": self.center.key, "pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in ConceptStatus.editable()

    @property
    def is_adopted(self) -> bool:
        """DESIGN.md §5 'adopted': the council's resolution is recorded."""
        return bool(self.resolution_body and self.resolution_date)

    def clean(self):
        errors = {}
        if self.predecessor_id and self.predecessor.center_id != self.center_id:
            errors["predecessor"] = _("Die Vorfassung muss zum selben Zentrum gehören.")
        today = timezone.localdate()
        if self.resolution_date and self.resolution_date > today:
            errors["resolution_date"] = _("Der Beschluss darf nicht in der Zukunft liegen.")
        if self.municipalities_agreed_on and self.municipalities_agreed_on > today:
            errors["municipalities_agreed_on"] = _(
                "Die Abstimmung darf nicht in der Zukunft liegen."
            )
        if errors:
            raise ValidationError(errors)


class PartnerKind(models.TextChoices):
    """The partners Nr. 1.4 asks to involve from the beginning."""

    SCHOOL_AUTHORITY = "school_authority", _("Schulaufsicht")
    SCHOOL_ADMINISTRATION = "school_administration", _("örtliche Schulverwaltung")
    PUBLIC_YOUTH_WELFARE = "public_youth_welfare", _("Träger der öffentlichen Jugendhilfe")
    FREE_YOUTH_WELFARE = "free_youth_welfare", _("Träger der freien Jugendhilfe")
    WELFARE_ASSOCIATIONS = "welfare_associations", _("Wohlfahrtsverbände")
    COUNCIL_BODIES = "council_bodies", _("Mitwirkungsgremien nach § 27 GO (Integrationsrat)")
    OTHER = "other", _("weitere örtliche Partner")

    @classmethod
    def required(cls):
        # "weitere örtliche Partner" only "je nach Arbeitsschwerpunkten" (Nr. 1.4).
        return [k for k in cls if k != cls.OTHER]


class ConceptParticipation(Versioned):
    """Which partner was involved in a concept, when (Nr. 1.4)."""

    concept = models.ForeignKey(
        IntegrationConcept,
        verbose_name=_("Integrationskonzept"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    partner_kind = models.CharField(_("Partner"), max_length=30, choices=PartnerKind.choices)
    partner_name = models.CharField(
        _("Bezeichnung"),
        max_length=200,
        blank=True,
        help_text=_("z. B. „Schulamt für die Stadt Köln“ oder „AWO Kreisverband“."),
    )
    involved_on = models.DateField(_("beteiligt am"))
    note = models.TextField(_("Vermerk"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Beteiligung")
        verbose_name_plural = _("Beteiligungen")
        ordering = ["concept", "partner_kind", "involved_on", "pk"]

    def __str__(self):
        label = self.get_partner_kind_display()
        return f"{label}: {self.partner_name}" if self.partner_name else str(label)

    def clean(self):
        if self.involved_on and self.involved_on > timezone.localdate():
            raise ValidationError(
                {"involved_on": _("Das Datum der Beteiligung darf nicht in der Zukunft liegen.")}
            )


class ConceptEventKind(models.TextChoices):
    CREATED = "created", _("angelegt")
    RESOLUTION_RECORDED = "resolution_recorded", _("Beschluss erfasst")
    DOCUMENT_UPLOADED = "document_uploaded", _("Dokument hochgeladen")
    SUBMITTED = "submitted", _("eingereicht")
    RETURNED = "returned", _("zurückgegeben")
    APPROVED = "approved", _("bewilligt")
    SUPERSEDED = "superseded", _("durch Fortschreibung abgelöst")
    # The retention job (reporting.funding.retention) deleted the PDF; the note names it.
    DOCUMENT_DELETED = "document_deleted", _("Dokument gelöscht (Aufbewahrungsfrist)")


class DecisionKind(models.TextChoices):
    """A Bescheid, or a later letter that changes it. Each is a decision of its own; the
    one it replaces stays readable (issue 12)."""

    GRANT = "grant", _("Bescheid")
    AMENDMENT = "amendment", _("Änderungsbescheid")
    REVOCATION = "revocation", _("Widerruf")


class FundingDecisionQuerySet(models.QuerySet):
    def in_force(self) -> "FundingDecisionQuerySet":
        """Decisions no later decision replaced, without revocations: what a centre has."""
        return self.filter(replaced_by__isnull=True).exclude(kind=DecisionKind.REVOCATION)

    def for_operation(self) -> "FundingDecisionQuerySet":
        """In force and of a programme on which a centre's operation depends (Nr. 1.4)."""
        return self.in_force().filter(programme__required_for_operation=True)


def decision_document_path(instance, filename):
    return _random_document_name("bescheide")


class FundingDecision(Versioned):
    """A decision of the Bewilligung on a centre's funding for a programme and year
    (Nr. 1.4, Nr. 6.2): a Bescheid, an Änderungsbescheid or a Widerruf. A later decision
    ``replaces`` the earlier one, which stays as it was; the one nobody replaced is in
    force. ``amount`` is the sum of the lines where the decision has lines (decisions
    recorded before issue 12 have only the sum)."""

    center = models.ForeignKey(
        Center,
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        related_name="funding_decisions",
    )
    programme = models.ForeignKey(
        "centers.Programme",
        verbose_name=_("Programm"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    year = models.PositiveSmallIntegerField(
        _("Förderjahr"), validators=[MinValueValidator(2012), MaxValueValidator(2100)]
    )
    kind = models.CharField(
        _("Art"), max_length=20, choices=DecisionKind.choices, default=DecisionKind.GRANT
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("ändert"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    amount = models.DecimalField(
        _("Betrag (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    file_number = models.CharField(_("Aktenzeichen"), max_length=60)
    decided_on = models.DateField(_("Bescheid vom"))
    funded_posts = models.DecimalField(
        _("geförderte Stellen (VZÄ)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    conditions = models.TextField(_("Nebenbestimmungen"), blank=True, max_length=20000)
    note = models.TextField(_("Vermerk"), blank=True)
    document = models.FileField(
        _("Bescheid (PDF)"),
        storage=private_storage,
        upload_to=decision_document_path,
        blank=True,
        max_length=200,
    )
    document_name = models.CharField(_("Dateiname"), max_length=200, blank=True)

    objects = FundingDecisionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Förderbescheid")
        verbose_name_plural = _("Förderbescheide")
        ordering = ["center__name", "-year", "decided_on", "pk"]
        constraints = [
            # One first Bescheid per centre, programme and year; later ones replace it.
            models.UniqueConstraint(
                fields=["center", "programme", "year"],
                condition=Q(replaces__isnull=True),
                name="funding_one_first_decision",
                violation_error_message=_(
                    "Für dieses Programm und Jahr gibt es schon einen Bescheid. Eine Änderung "
                    "ist ein Änderungsbescheid zu diesem Bescheid."
                ),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.programme} {self.year} – {self.center}"

    def clean(self):
        errors = {}
        if self.kind == DecisionKind.GRANT and self.replaces_id:
            errors["kind"] = _(
                "Ein Bescheid, der einen früheren ändert, ist ein Änderungsbescheid."
            )
        if self.kind != DecisionKind.GRANT and not self.replaces_id:
            errors["kind"] = _(
                "Ein Änderungsbescheid oder Widerruf bezieht sich auf einen Bescheid."
            )
        if self.kind == DecisionKind.REVOCATION and self.amount:
            errors["amount"] = _("Nach einem Widerruf bleibt kein Betrag bewilligt.")
        if errors:
            raise ValidationError(errors)

    @property
    def in_force(self) -> bool:
        return self.kind != DecisionKind.REVOCATION and not hasattr(self, "replaced_by")


class FundingDecisionLine(models.Model):
    """The amount a decision grants on one budget line of its programme year."""

    decision = models.ForeignKey(FundingDecision, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        "centers.BudgetLine",
        verbose_name=_("Haushaltsposition"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    posts = models.DecimalField(
        _("Stellen (VZÄ)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    amount = models.DecimalField(
        _("bewilligt (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    class Meta:
        verbose_name = _("Position des Bescheids")
        verbose_name_plural = _("Positionen des Bescheids")
        ordering = ["budget_line__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "budget_line"], name="funding_decision_line_unique"
            )
        ]

    def __str__(self):
        return str(self.budget_line)


class TargetAgreement(Versioned):
    """A Zielvereinbarung between the Land and the Träger (Nr. 1.4), where one is made."""

    center = models.ForeignKey(
        Center,
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        related_name="target_agreements",
    )
    valid_from = models.DateField(_("gültig ab"))
    valid_until = models.DateField(_("gültig bis"))
    concluded_on = models.DateField(_("abgeschlossen am"), null=True, blank=True)
    text = models.TextField(_("Inhalt"), blank=True)
    document = models.FileField(
        _("Dokument (PDF)"),
        storage=private_storage,
        upload_to=agreement_document_path,
        blank=True,
        max_length=200,
    )
    document_name = models.CharField(_("Dateiname"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Zielvereinbarung")
        verbose_name_plural = _("Zielvereinbarungen")
        ordering = ["center__name", "-valid_from"]

    def __str__(self):
        return f"{self.center} – {self.valid_from:%d.%m.%Y}–{self.valid_until:%d.%m.%Y}"

    def clean(self):
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("Das Ende darf nicht vor dem Beginn liegen.")
        if not self.text.strip() and not self.document:
            errors["text"] = _("Bitte den Inhalt eintragen oder ein Dokument hochladen.")
        if errors:
            raise ValidationError(errors)


from .legal import AccessibilityFeedback, LegalPage  # noqa: E402, F401
from .outbox import OutboxMessage  # noqa: E402, F401
from .programmes import BudgetLine, DrawdownDate, Programme, ProgrammeYear  # noqa: E402, F401
