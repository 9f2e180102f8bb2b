"""A centre's Förderantrag for a programme and budget year (issue 12).

The financing plan has one line per budget line of the programme year that applies to
the centre: personnel lines (posts × cap per post, prefilled from the staffing list) and
Sachausgaben lines. The KI-Leitung prepares it, the Träger (the legal applicant)
submits it, the Bewilligung returns it with a reason or decides: the decision is a
``centers.FundingDecision`` with an amount per line, which the application points to.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centers.models import private_storage
from centers.workflow.models import TimelineEvent, Versioned


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SUBMITTED = "submitted", _("gestellt")
    RETURNED = "returned", _("zur Überarbeitung zurückgegeben")
    DECIDED = "decided", _("beschieden")

    @classmethod
    def editable(cls):
        return (cls.DRAFT, cls.RETURNED)


class ApplicationEventKind(models.TextChoices):
    CREATED = "created", _("angelegt")
    DOCUMENT_UPLOADED = "document_uploaded", _("Anlage hochgeladen")
    SUBMITTED = "submitted", _("gestellt")
    RETURNED = "returned", _("zur Überarbeitung zurückgegeben")
    DECIDED = "decided", _("beschieden")
    # The retention job (reporting.funding.retention) deleted an attachment's file.
    DOCUMENT_DELETED = "document_deleted", _("Anlage gelöscht (Aufbewahrungsfrist)")


class FundingApplication(Versioned):
    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        related_name="funding_applications",
    )
    programme_year = models.ForeignKey(
        "centers.ProgrammeYear",
        verbose_name=_("Programm und Haushaltsjahr"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    explanation = models.TextField(
        _("Erläuterungen zum Finanzierungsplan"), blank=True, max_length=10000
    )
    return_reason = models.TextField(_("Grund der Rückgabe"), blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("gestellt am"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gestellt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("beschieden am"), null=True, blank=True)
    decision = models.OneToOneField(
        "centers.FundingDecision",
        verbose_name=_("Bescheid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )

    history = HistoricalRecords()
    events = GenericRelation(TimelineEvent, related_query_name="funding_application")

    class Meta:
        verbose_name = _("Förderantrag")
        verbose_name_plural = _("Förderanträge")
        ordering = ["-programme_year__year", "programme_year__programme__position", "center"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "programme_year"],
                name="funding_application_one_per_center_year",
                violation_error_message=_(
                    "Für dieses Programm und Haushaltsjahr hat das Zentrum schon einen Antrag."
                ),
            )
        ]

    def __str__(self):
        return _("Förderantrag %(programme)s %(year)s – %(center)s") % {
            "programme": self.programme_year.programme.name,
            "year": self.programme_year.year,
            "center": self.center.name,
        }

    def get_absolute_url(self):
        return reverse("funding:application", kwargs={"pk": self.pk})

    @property
    def editable(self) -> bool:
        return self.status in ApplicationStatus.editable()


class ApplicationLine(models.Model):
    """The amount applied for on one budget line (and, per post, the posts)."""

    application = models.ForeignKey(
        FundingApplication, on_delete=models.CASCADE, related_name="lines"
    )
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
        _("beantragt (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Position des Finanzierungsplans")
        verbose_name_plural = _("Finanzierungsplan")
        ordering = ["budget_line__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "budget_line"], name="funding_application_line_unique"
            )
        ]

    def __str__(self):
        return str(self.budget_line)


def application_document_path(instance, filename):
    from centers.models import _random_document_name

    return _random_document_name("foerderantraege")


class ApplicationDocument(models.Model):
    """An attachment of the application (a PDF, checked like concept documents)."""

    application = models.ForeignKey(
        FundingApplication, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("Bezeichnung"), max_length=200)
    file = models.FileField(
        _("Datei (PDF)"),
        storage=private_storage,
        upload_to=application_document_path,
        max_length=200,
    )
    file_name = models.CharField(_("Dateiname"), max_length=200)
    uploaded_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hochgeladen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Anlage")
        verbose_name_plural = _("Anlagen")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.title


# --- Mittelabruf ---------------------------------------------------------------------------


class DrawdownStatus(models.TextChoices):
    REQUESTED = "requested", _("angefordert")
    PAID = "paid", _("ausgezahlt")
    REJECTED = "rejected", _("abgelehnt")


class DrawdownEventKind(models.TextChoices):
    REQUESTED = "requested", _("angefordert")
    PAID = "paid", _("als ausgezahlt vermerkt")
    REJECTED = "rejected", _("abgelehnt")


class Drawdown(Versioned):
    """A Mittelabruf: funds requested against the Bescheid in force, on one of the
    programme year's drawdown dates; the Bewilligung marks it paid (or rejects it)."""

    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        related_name="drawdowns",
    )
    decision = models.ForeignKey(
        "centers.FundingDecision",
        verbose_name=_("Bescheid"),
        on_delete=models.PROTECT,
        related_name="drawdowns",
    )
    drawdown_date = models.ForeignKey(
        "centers.DrawdownDate",
        verbose_name=_("Abruftermin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_for = models.DateField(_("Abruf zum"))
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=DrawdownStatus.choices,
        default=DrawdownStatus.REQUESTED,
    )
    requested_at = models.DateTimeField(_("angefordert am"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angefordert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_on = models.DateField(_("ausgezahlt am"), null=True, blank=True)
    reject_reason = models.TextField(_("Grund der Ablehnung"), blank=True)

    history = HistoricalRecords()
    events = GenericRelation(TimelineEvent, related_query_name="drawdown")

    class Meta:
        verbose_name = _("Mittelabruf")
        verbose_name_plural = _("Mittelabrufe")
        ordering = ["-requested_for", "-pk"]

    def __str__(self):
        return _("Mittelabruf zum %(date)s – %(center)s") % {
            "date": self.requested_for.strftime("%d.%m.%Y"),
            "center": self.center.name,
        }

    def get_absolute_url(self):
        return reverse("funding:drawdown", kwargs={"pk": self.pk})

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0.00"))


class DrawdownLine(models.Model):
    drawdown = models.ForeignKey(Drawdown, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        "centers.BudgetLine",
        verbose_name=_("Haushaltsposition"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(
        _("angefordert (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    class Meta:
        verbose_name = _("Position des Mittelabrufs")
        verbose_name_plural = _("Positionen des Mittelabrufs")
        ordering = ["budget_line__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["drawdown", "budget_line"], name="funding_drawdown_line_unique"
            )
        ]

    def __str__(self):
        return str(self.budget_line)


# --- activity figures ------------------------------------------------------------------------


def _count(label):
    return models.PositiveIntegerField(label, default=0)


class ActivityFigures(Versioned):
    """What a centre did in a year, in numbers: entered by the KI-Leitung, used by the
    Sachbericht of the Verwendungsnachweis, the LaSI and the state overview (small cells
    suppressed there, as Nr. 3.4 does)."""

    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        related_name="activity_figures",
    )
    year = models.PositiveSmallIntegerField(_("Jahr"))
    # Seiteneinstieg: children and young people counselled and placed, by school level.
    counselled_primary = _count(_("beraten: Primarstufe"))
    counselled_secondary_1 = _count(_("beraten: Sekundarstufe I"))
    counselled_secondary_2 = _count(_("beraten: Sekundarstufe II"))
    counselled_other = _count(_("beraten: sonstige"))
    placed_primary = _count(_("zugewiesen: Primarstufe"))
    placed_secondary_1 = _count(_("zugewiesen: Sekundarstufe I"))
    placed_secondary_2 = _count(_("zugewiesen: Sekundarstufe II"))
    placed_other = _count(_("zugewiesen: sonstige"))
    # Laiensprachmittlerpool.
    mediation_assignments = _count(_("Einsätze"))
    mediation_languages = models.CharField(
        _("Sprachen"), max_length=500, blank=True, help_text=_("durch Komma getrennt")
    )
    mediation_schools = _count(_("Einsätze in Schulen"))
    mediation_daycare = _count(_("Einsätze in Kitas"))
    mediation_authorities = _count(_("Einsätze in Behörden und Beratungsstellen"))
    mediation_health = _count(_("Einsätze im Gesundheitswesen"))
    mediation_other = _count(_("Einsätze an anderen Orten"))
    # IfKuF (Griffbereit, griffbereitMINI, Rucksack KiTa).
    groups_griffbereit = _count(_("Gruppen Griffbereit"))
    groups_griffbereit_mini = _count(_("Gruppen griffbereitMINI"))
    groups_rucksack = _count(_("Gruppen Rucksack KiTa"))
    group_sessions = _count(_("Gruppentreffen"))
    group_participants = _count(_("Teilnehmende"))
    # Events and trainings.
    events = _count(_("Veranstaltungen"))
    trainings = _count(_("Fortbildungen"))
    event_participants = _count(_("Teilnehmende an Veranstaltungen und Fortbildungen"))
    note = models.TextField(_("Erläuterungen"), blank=True, max_length=5000)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Tätigkeitszahlen")
        verbose_name_plural = _("Tätigkeitszahlen")
        ordering = ["-year", "center"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "year"],
                name="activity_figures_one_per_center_year",
                violation_error_message=_("Für dieses Jahr gibt es die Zahlen schon."),
            )
        ]

    def __str__(self):
        return _("Tätigkeitszahlen %(year)s – %(center)s") % {
            "year": self.year,
            "center": self.center.name,
        }

    def clean(self):
        errors = {}
        for level in ("primary", "secondary_1", "secondary_2", "other"):
            if getattr(self, f"placed_{level}") > getattr(self, f"counselled_{level}"):
                errors[f"placed_{level}"] = _(
                    "Es können nicht mehr Kinder und Jugendliche zugewiesen als beraten sein."
                )
        places = (
            self.mediation_schools
            + self.mediation_daycare
            + self.mediation_authorities
            + self.mediation_health
            + self.mediation_other
        )
        if places > self.mediation_assignments:
            errors["mediation_assignments"] = _(
                "Die Einsätze nach Ort ergeben mehr als die Einsätze insgesamt."
            )
        if errors:
            raise ValidationError(errors)


# --- Verwendungsnachweis --------------------------------------------------------------------


class ProofStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SUBMITTED = "submitted", _("eingereicht")
    RETURNED = "returned", _("zur Überarbeitung zurückgegeben")
    ACCEPTED = "accepted", _("geprüft und anerkannt")
    RECLAIMED = "reclaimed", _("geprüft, Rückforderung")

    @classmethod
    def editable(cls):
        return (cls.DRAFT, cls.RETURNED)

    @classmethod
    def checked(cls):
        return (cls.ACCEPTED, cls.RECLAIMED)


class ProofEventKind(models.TextChoices):
    CREATED = "created", _("angelegt")
    SUBMITTED = "submitted", _("eingereicht")
    RETURNED = "returned", _("zur Überarbeitung zurückgegeben")
    ACCEPTED = "accepted", _("anerkannt")
    RECLAIMED = "reclaimed", _("Rückforderung festgesetzt")
    RENDERED = "rendered", _("PDF erstellt")


class DocumentStatus(models.TextChoices):
    NONE = "", _("noch nicht erstellt")
    QUEUED = "queued", _("in Warteschlange")
    RENDERING = "rendering", _("wird erstellt")
    READY = "ready", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")


class ProofOfUse(Versioned):
    """The Verwendungsnachweis of a centre for a programme and year: the Sachbericht (from
    the Einsatzmanagement and the activity figures, plus free text), the zahlenmäßiger
    Nachweis (approved vs actual per line; a deviation above 20 % needs a reason) and the
    Nachweis des geförderten Personals (from the staffing list), as a PDF rendered by the
    worker."""

    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        related_name="proofs_of_use",
    )
    decision = models.ForeignKey(
        "centers.FundingDecision",
        verbose_name=_("Bescheid"),
        on_delete=models.PROTECT,
        related_name="proofs_of_use",
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=ProofStatus.choices, default=ProofStatus.DRAFT
    )
    narrative = models.TextField(_("Sachbericht (eigener Text)"), blank=True, max_length=20000)
    return_reason = models.TextField(_("Anmerkungen der Bewilligungsbehörde"), blank=True)
    repayment = models.DecimalField(
        _("Rückforderung (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("eingereicht am"), null=True, blank=True)
    checked_at = models.DateTimeField(_("geprüft am"), null=True, blank=True)
    document_status = models.CharField(
        _("PDF"), max_length=20, choices=DocumentStatus.choices, blank=True, default=""
    )
    document = models.FileField(_("PDF-Datei"), max_length=255, blank=True)
    document_error = models.TextField(_("Fehler"), blank=True)
    document_requested_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(_("Erstellungsdauer (ms)"), null=True, blank=True)

    history = HistoricalRecords()
    events = GenericRelation(TimelineEvent, related_query_name="proof_of_use")

    class Meta:
        verbose_name = _("Verwendungsnachweis")
        verbose_name_plural = _("Verwendungsnachweise")
        ordering = ["-decision__year", "center"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "decision"],
                name="proof_of_use_one_per_decision",
                violation_error_message=_("Für diesen Bescheid gibt es schon einen Nachweis."),
            )
        ]

    def __str__(self):
        return _("Verwendungsnachweis %(programme)s %(year)s – %(center)s") % {
            "programme": self.decision.programme.name,
            "year": self.decision.year,
            "center": self.center.name,
        }

    def get_absolute_url(self):
        return reverse("funding:proof", kwargs={"pk": self.pk})

    @property
    def editable(self) -> bool:
        return self.status in ProofStatus.editable()


class ProofLine(models.Model):
    """Approved (from the decision) and actual expenditure on one budget line."""

    proof = models.ForeignKey(ProofOfUse, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        "centers.BudgetLine",
        verbose_name=_("Haushaltsposition"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved = models.DecimalField(_("bewilligt (EUR)"), max_digits=12, decimal_places=2)
    actual = models.DecimalField(
        _("tatsächlich ausgegeben (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    reason = models.TextField(_("Begründung der Abweichung"), blank=True, max_length=2000)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Position des zahlenmäßigen Nachweises")
        verbose_name_plural = _("zahlenmäßiger Nachweis")
        ordering = ["budget_line__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proof", "budget_line"], name="proof_line_unique")
        ]

    def __str__(self):
        return str(self.budget_line)

    @property
    def deviation(self) -> Decimal | None:
        """The share by which actual differs from approved (0.25 = 25 %)."""
        if self.actual is None:
            return None
        if not self.approved:
            return Decimal("1") if self.actual else Decimal("0")
        return abs(self.actual - self.approved) / self.approved

    @property
    def deviation_percent(self) -> int | None:
        return None if self.deviation is None else round(self.deviation * 100)
