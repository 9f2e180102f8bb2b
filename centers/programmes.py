"""The state's funding programmes as reference data (issue 12): what a KI may apply for,
up to which amount, when — per budget year, so that a change for 2027 leaves 2025 as it
was decided. The ministry keeps them in the admin; ``centers.services.programme_year_copy``
starts a new year from the last one.

Facts that the guidelines leave to each year (drawdown dates, reductions) are data here,
never literals in code. Where a detail is not known, the field stays empty.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import numberformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .models import MunicipalityKind


class FundedPostKind(models.TextChoices):
    """The kinds of post a programme funds (the staffing list's Stellenarten that carry
    state money; Lehrkräfte are funded by the Land's teacher posts, not by a programme)."""

    SPECIALIST = "specialist", _("Fachkraft")
    ADMIN_ASSISTANT = "admin_assistant", _("Verwaltungsassistenz")


class Programme(models.Model):
    code = models.SlugField(_("Kürzel"), max_length=40, unique=True)
    name = models.CharField(_("Programm"), max_length=200)
    guideline = models.CharField(_("Richtlinie"), max_length=300)
    description = models.TextField(_("Beschreibung"), blank=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    required_for_operation = models.BooleanField(
        _("Voraussetzung für den Betrieb nach Nr. 1.4"),
        default=False,
        help_text=_(
            "Ohne einen Bescheid dieses Programms für das laufende Jahr ist ein Zentrum "
            "nach Nr. 1.4 nicht aktiv."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Förderprogramm")
        verbose_name_plural = _("Förderprogramme")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ProgrammeYear(models.Model):
    """One budget year of a programme: its dates and budget lines."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("Programm"), on_delete=models.PROTECT, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("Haushaltsjahr"))
    application_from = models.DateField(_("Antrag ab"), null=True, blank=True)
    application_until = models.DateField(_("Antrag bis"), null=True, blank=True)
    proof_due = models.DateField(_("Verwendungsnachweis bis"), null=True, blank=True)
    note = models.TextField(_("Hinweise"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Programmjahr")
        verbose_name_plural = _("Programmjahre")
        ordering = ["programme__position", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="programme_year_unique")
        ]

    def __str__(self):
        return f"{self.programme} {self.year}"

    def clean(self):
        if (
            self.application_from
            and self.application_until
            and self.application_until < self.application_from
        ):
            raise ValidationError(
                {"application_until": _("Das Ende der Antragsfrist liegt vor ihrem Beginn.")}
            )

    def lines_for(self, center) -> list[BudgetLine]:
        """The lines that apply to ``center`` (by its Träger's kind)."""
        return [line for line in self.lines.all() if line.applies_to(center.sponsor.kind)]


class DrawdownDate(models.Model):
    """A fixed date on which funds of the year may be requested (Mittelabruf)."""

    programme_year = models.ForeignKey(
        ProgrammeYear, on_delete=models.CASCADE, related_name="drawdowns"
    )
    on = models.DateField(_("Abruf zum"))
    covers = models.CharField(
        _("für"), max_length=200, blank=True, help_text=_("z. B. „Nr. 2.1/2.2 der Richtlinie“")
    )

    class Meta:
        verbose_name = _("Abruftermin")
        verbose_name_plural = _("Abruftermine")
        ordering = ["on"]

    def __str__(self):
        return f"{self.on:%d.%m.%Y} {self.covers}".strip()


class BudgetLine(models.Model):
    """A line of the financing plan with its cap: per funded post (up to a number of
    posts × a cap per post) or a flat sum; for all centres or one kind of Träger."""

    programme_year = models.ForeignKey(
        ProgrammeYear,
        verbose_name=_("Programmjahr"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    name = models.CharField(_("Position"), max_length=200)
    guideline_ref = models.CharField(_("Nr. der Richtlinie"), max_length=40, blank=True)
    post_kind = models.CharField(
        _("Stellenart"), max_length=20, choices=FundedPostKind.choices, blank=True
    )
    center_kind = models.CharField(
        _("nur für"),
        max_length=30,
        choices=[
            (MunicipalityKind.CITY.value, MunicipalityKind.CITY.label),
            (MunicipalityKind.DISTRICT.value, MunicipalityKind.DISTRICT.label),
        ],
        blank=True,
        help_text=_("leer: für alle Zentren; die Städteregion Aachen zählt als Kreis"),
    )
    max_posts = models.DecimalField(
        _("höchstens Stellen"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    cap_per_post = models.DecimalField(
        _("höchstens je Stelle (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    flat_cap = models.DecimalField(
        _("Pauschale höchstens (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("Haushaltsposition")
        verbose_name_plural = _("Haushaltspositionen")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        per_post = self.max_posts is not None or self.cap_per_post is not None
        if per_post and self.flat_cap is not None:
            raise ValidationError(
                _("Eine Position ist entweder je Stelle oder eine Pauschale, nicht beides.")
            )
        if per_post and (self.max_posts is None or self.cap_per_post is None):
            raise ValidationError(
                _("Je Stelle braucht die Höchstzahl der Stellen und den Höchstbetrag je Stelle.")
            )
        if not per_post and self.flat_cap is None:
            raise ValidationError(_("Bitte einen Höchstbetrag angeben."))
        if per_post and not self.post_kind:
            raise ValidationError({"post_kind": _("Bitte die geförderte Stellenart angeben.")})

    @property
    def per_post(self) -> bool:
        return self.flat_cap is None

    @property
    def cap(self) -> Decimal:
        """The most this line may be granted: posts × cap per post, or the flat sum."""
        if self.flat_cap is not None:
            return self.flat_cap
        return (self.max_posts * self.cap_per_post).quantize(Decimal("0.01"))

    def applies_to(self, center_kind: str) -> bool:
        """For all centres, or for the centre's kind of Träger (the StädteRegion as a Kreis)."""
        if not self.center_kind:
            return True
        if center_kind == MunicipalityKind.CITY_REGION:
            center_kind = MunicipalityKind.DISTRICT
        return center_kind == self.center_kind


def fmt_eur(value) -> str:
    """German money: 57.000,00 €."""
    number = numberformat.format(
        Decimal(value), ",", decimal_pos=2, grouping=3, thousand_sep=".", force_grouping=True
    )
    return f"{number} €"


def line_errors(line: BudgetLine, *, posts: Decimal | None, amount: Decimal) -> list[str]:
    """Where an amount (and, per post, the posts) on ``line`` exceed its caps: the one check
    of an application's financing plan and of a Bescheid's lines."""
    name = line.name
    if amount is not None and amount < 0:
        return [gettext("„%(line)s“: Der Betrag darf nicht negativ sein.") % {"line": name}]
    if not line.per_post:
        if amount > line.flat_cap:
            return [
                gettext("„%(line)s“: höchstens %(cap)s.")
                % {"line": name, "cap": fmt_eur(line.flat_cap)}
            ]
        return []
    if posts is None:
        return (
            [gettext("„%(line)s“: Bitte die Stellen (VZÄ) angeben.") % {"line": name}]
            if amount
            else []
        )
    if posts > line.max_posts:
        return [
            gettext("„%(line)s“: höchstens %(max)s Stellen (VZÄ).")
            % {"line": name, "max": f"{line.max_posts:.2f}".replace(".", ",")}
        ]
    most = (posts * line.cap_per_post).quantize(Decimal("0.01"))
    if amount > most:
        return [
            gettext("„%(line)s“: für %(posts)s Stellen (VZÄ) höchstens %(cap)s.")
            % {"line": name, "posts": f"{posts:.2f}".replace(".", ","), "cap": fmt_eur(most)}
        ]
    return []
