"""Einsatzmanagement (Nr. 3.6): the two-year plan of a centre, its Schwerpunkte,
the review by the Schulaufsicht (Nr. 3.5) and LaSI, and the Verbund (Nr. 5).

State changes go through ``deployment.services``; nothing here sends mail
or checks roles.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centers.models import Center
from centers.text import LONG, NOTE, TEXT, text_validators
from centers.workflow.models import TimelineEvent, Versioned

from .periods import Period
from .vocabularies import BasicComponent, Field, PartnerKind, Programme, Stage, TargetGroup


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SUBMITTED = "submitted", _("bei der Schulaufsicht")
    RETURNED = "returned", _("zur Überarbeitung zurückgegeben")
    AGREED = "agreed", _("im Benehmen mit der Schulaufsicht")
    REPORTED = "reported", _("an die LaSI gemeldet")
    ACKNOWLEDGED = "acknowledged", _("von der LaSI zur Kenntnis genommen")

    @classmethod
    def editable(cls):
        return (cls.DRAFT, cls.RETURNED)

    @classmethod
    def agreed_or_later(cls):
        return (cls.AGREED, cls.REPORTED, cls.ACKNOWLEDGED)


class DeploymentPlan(Versioned):
    """One plan per centre and period; a change after agreement is a new
    revision that goes through agreement again (only one revision is current)."""

    center = models.ForeignKey(
        Center,
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        related_name="deployment_plans",
    )
    period_start = models.DateField(_("Zeitraum von"))
    period_end = models.DateField(_("Zeitraum bis"))
    revision = models.PositiveSmallIntegerField(_("Fassung"), default=1)
    is_current = models.BooleanField(_("aktuelle Fassung"), default=True)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("Vorgänger"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    summary = models.TextField(
        _("Strategische Planung"),
        blank=True,
        max_length=LONG,
        validators=text_validators(LONG),
        help_text=_("Ausgangslage und strategische Ziele für den Zeitraum (Nr. 3.6)."),
    )
    partners_agreed_on = models.DateField(
        _("im Benehmen mit den örtlichen Partnern festgelegt am"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("eingereicht am"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("Benehmen hergestellt am"), null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Benehmen hergestellt durch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("an die LaSI gemeldet am"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("zur Kenntnis genommen am"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    history = HistoricalRecords()
    events = GenericRelation(TimelineEvent, related_query_name="plan")

    class Meta:
        verbose_name = _("Einsatzmanagement")
        verbose_name_plural = _("Einsatzmanagements")
        ordering = ["-period_start", "center__name", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "period_start", "revision"], name="plan_unique_revision"
            ),
            models.UniqueConstraint(
                fields=["center", "period_start"],
                condition=Q(is_current=True),
                name="plan_one_current_per_period",
            ),
        ]

    def __str__(self):
        return _("Einsatzmanagement %(center)s %(period)s (Fassung %(rev)s)") % {
            "center": self.center.name,
            "period": self.period.label,
            "rev": self.revision,
        }

    def get_absolute_url(self):
        return reverse("deployment:plan_detail", kwargs={"pk": self.pk})

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end)

    @property
    def is_editable(self) -> bool:
        return self.is_current and self.status in PlanStatus.editable()

    def clean(self):
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            raise ValidationError({"period_end": _("Das Ende muss nach dem Beginn liegen.")})


class Focus(Versioned):
    """A Schwerpunkt of the plan (Nr. 3.6) — what, for whom, with whom, measured how."""

    plan = models.ForeignKey(
        DeploymentPlan,
        verbose_name=_("Einsatzmanagement"),
        on_delete=models.CASCADE,
        related_name="foci",
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    basic_component = models.CharField(
        _("Grundförderung"),
        max_length=30,
        choices=BasicComponent.choices,
        blank=True,
        default="",
        help_text=_("Bestandteil der Grundförderung nach Nr. 1.3.3; kann nicht entfernt werden."),
    )
    title = models.CharField(_("Titel"), max_length=200)
    field = models.CharField(_("Handlungsfeld"), max_length=30, choices=Field.choices)
    stage = models.CharField(_("Bildungskette"), max_length=20, choices=Stage.choices)
    target_groups = models.JSONField(_("Zielgruppen"), default=list, blank=True)
    goal = models.TextField(_("Ziel"), max_length=NOTE, validators=text_validators(NOTE))
    measures = models.TextField(
        _("Maßnahmen"),
        blank=True,
        max_length=TEXT,
        validators=text_validators(TEXT),
    )
    indicators = models.TextField(
        _("Indikatoren und Zielwerte"),
        blank=True,
        max_length=NOTE,
        validators=text_validators(NOTE),
        help_text=_(
            "Ein Indikator je Zeile, Zielwert nach einem Doppelpunkt, z. B. "
            "„Beratene Familien: 120“."
        ),
    )
    partners = models.JSONField(_("Kooperationspartner"), default=list, blank=True)
    other_partners = models.CharField(_("weitere Partner"), max_length=300, blank=True)
    programmes = models.JSONField(_("Programme"), default=list, blank=True)
    shared = models.BooleanField(
        _("im Verbund teilen"),
        default=False,
        help_text=_(
            "Andere Zentren können diesen Schwerpunkt lesen und übernehmen (Nr. 5); "
            "Personal und Stellenanteile bleiben verborgen."
        ),
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("übernommen aus"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Schwerpunkt")
        verbose_name_plural = _("Schwerpunkte")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "basic_component"],
                condition=~Q(basic_component=""),
                name="focus_one_basic_component_each",
            ),
        ]
        indexes = [models.Index(fields=["shared", "field"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deployment:focus_detail", kwargs={"pk": self.pk})

    @property
    def is_basic(self) -> bool:
        return bool(self.basic_component)

    def clean(self):
        errors = {}
        for name, vocabulary in (
            ("target_groups", TargetGroup),
            ("partners", PartnerKind),
            ("programmes", Programme),
        ):
            value = getattr(self, name)
            if not isinstance(value, list) or not set(value) <= set(vocabulary.values):
                errors[name] = _("Unbekannter Eintrag in der Auswahl.")
        if errors:
            raise ValidationError(errors)

    # Display helpers for templates (labels in the vocabulary's order).
    def target_group_labels(self):
        from .vocabularies import labels

        return labels(TargetGroup, self.target_groups)

    def partner_labels(self):
        from .vocabularies import labels

        return labels(PartnerKind, self.partners)

    def programme_labels(self):
        from .vocabularies import labels

        return labels(Programme, self.programmes)

    def indicator_rows(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.indicators.splitlines():
            line = line.strip().lstrip("-•").strip()
            if not line:
                continue
            name, _sep, target = line.partition(":")
            rows.append((name.strip(), target.strip()))
        return rows


class PlanEventKind(models.TextChoices):
    """The kinds of step on a plan's timeline (``centers.workflow.TimelineEvent``)."""

    CREATED = "created", _("angelegt")
    SUBMITTED = "submitted", _("bei der Schulaufsicht eingereicht")
    RETURNED = "returned", _("zur Überarbeitung zurückgegeben")
    AGREED = "agreed", _("Benehmen hergestellt")
    REPORTED = "reported", _("an die LaSI gemeldet")
    ACKNOWLEDGED = "acknowledged", _("von der LaSI zur Kenntnis genommen")
    NEW_VERSION = "new_version", _("neue Fassung begonnen")
    ESCALATED = "escalated", _("Konflikt an die Schulaufsicht gegeben")
    RESOLVED = "resolved", _("Konflikt geklärt")


class ReviewComment(models.Model):
    """A comment on a plan or one Schwerpunkt; replies hang off the first
    comment of a thread. The KI-Leitung may escalate a thread to the
    Schulaufsicht as a conflict (Nr. 3.5), open until the Schulaufsicht resolves it."""

    class AuthorKind(models.TextChoices):
        CENTER = "center", _("Kommunales Integrationszentrum")
        SCHOOL_AUTHORITY = "school_authority", _("Schulaufsicht")
        LASI = "lasi", _("LaSI")
        MINISTRY = "ministry", _("Ministerium")

    plan = models.ForeignKey(
        DeploymentPlan,
        verbose_name=_("Einsatzmanagement"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    focus = models.ForeignKey(
        Focus,
        verbose_name=_("Schwerpunkt"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Antwort auf"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verfasst von"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    author_kind = models.CharField(_("als"), max_length=20, choices=AuthorKind.choices)
    text = models.TextField(_("Kommentar"), max_length=TEXT, validators=text_validators(TEXT))
    created_at = models.DateTimeField(_("am"), default=timezone.now)
    escalated_at = models.DateTimeField(_("als Konflikt eskaliert am"), null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("eskaliert durch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("geklärt am"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geklärt durch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.TextField(
        _("Klärung"),
        blank=True,
        max_length=TEXT,
        validators=text_validators(TEXT),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kommentar")
        verbose_name_plural = _("Kommentare")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]

    @property
    def is_open_conflict(self) -> bool:
        return self.escalated_at is not None and self.resolved_at is None


class FocusAllocation(models.Model):
    """Staff time on a Schwerpunkt: a share of one assignment's FTE (Nr. 3.6
    "Der Einsatz der … tätigen Personen"). Shared views never show these."""

    focus = models.ForeignKey(
        Focus, verbose_name=_("Schwerpunkt"), on_delete=models.CASCADE, related_name="allocations"
    )
    assignment = models.ForeignKey(
        "staffing.Assignment",
        verbose_name=_("Besetzung"),
        on_delete=models.CASCADE,
        related_name="focus_allocations",
    )
    fte = models.DecimalField(_("Stellenanteil (VZÄ)"), max_digits=4, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Personaleinsatz")
        verbose_name_plural = _("Personaleinsatz")
        ordering = ["focus", "assignment"]
        constraints = [
            models.UniqueConstraint(
                fields=["focus", "assignment"], name="allocation_one_per_focus_and_assignment"
            ),
            models.CheckConstraint(condition=Q(fte__gt=0), name="allocation_fte_positive"),
        ]

    def __str__(self):
        return f"{self.assignment} → {self.focus}: {self.fte}"

    def clean(self):
        if self.fte is not None and (self.fte <= 0 or self.fte > 1):
            raise ValidationError(
                {"fte": _("Der Anteil muss größer als 0 und höchstens 1,00 VZÄ sein.")}
            )
