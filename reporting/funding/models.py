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
