"""Centres, their Träger and Schulämter, and who belongs where (DESIGN.md §3, §4).

The reference data (Kreise, kreisfreie Städte, the 54 centres) is loaded from
``centers/data/*.csv`` by ``manage.py load_reference_data``; nothing here
retypes it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords


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
    """A Gebietskörperschaft; the Träger of a centre (§4.4)."""

    key = models.CharField(
        _("Kreisschlüssel"),
        max_length=8,
        unique=True,
        help_text=_("Amtlicher Kreisschlüssel (5 Stellen) bzw. Gemeindeschlüssel (8 Stellen)."),
    )
    name = models.CharField(_("Name"), max_length=120)
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
    """Untere Schulaufsicht / Schulamt (§3.5)."""

    key = models.CharField(
        _("Schlüssel"),
        max_length=8,
        unique=True,
        help_text=_("Kreisschlüssel des Kreises bzw. der kreisfreien Stadt des Schulamts."),
    )
    name = models.CharField(_("Name"), max_length=150)
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
    ACTIVE = "active", _("aktiv")
    DORMANT = "dormant", _("ruhend")


class Center(models.Model):
    """A Kommunales Integrationszentrum. Every permission is granted on it (DESIGN.md §4)."""

    key = models.CharField(
        _("KI-Schlüssel"),
        max_length=8,
        unique=True,
        help_text=_("Kreisschlüssel des Trägers; für die Stadt Aachen der Gemeindeschlüssel."),
    )
    name = models.CharField(_("Name"), max_length=150)
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
        ordering = ["role", "user__last_name"]
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
