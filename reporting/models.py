"""Reports to LaSI and the state-wide overview (DESIGN.md §3 reporting/, §5).

A ``Report`` row is created when a report is requested and then walks
``queued → rendering → ready | failed``; a ready centre report is submitted
by the KI-Leitung and acknowledged by LaSI. Every rendering is its own row
(``number`` counts per kind, centre and period), so old versions stay
downloadable.

The files live under ``MEDIA_ROOT/reports/`` with a random, non-guessable
name and are served only through an access-checked view.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centers.workflow.models import TimelineEvent, Versioned


class ReportKind(models.TextChoices):
    CENTER = "center", _("Bericht an die LaSI")
    STATE = "state", _("Landesweite Übersicht")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("in Warteschlange")
    RENDERING = "rendering", _("wird erstellt")
    READY = "ready", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")
    SUBMITTED = "submitted", _("an die LaSI übermittelt")
    ACKNOWLEDGED = "acknowledged", _("von der LaSI zur Kenntnis genommen")

    @classmethod
    def in_progress(cls):
        return (cls.QUEUED, cls.RENDERING)

    @classmethod
    def with_file(cls):
        return (cls.READY, cls.SUBMITTED, cls.ACKNOWLEDGED)


def new_file_token() -> str:
    """A random name part: file names must not be guessable (never a public URL)."""
    return secrets.token_urlsafe(24)


class ReportQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "center",
            "center__sponsor",
            "requested_by",
            "submitted_by",
            "acknowledged_by",
        )


class ReportEventKind(models.TextChoices):
    """The steps on a report's timeline (``centers.workflow.TimelineEvent``)."""

    REQUESTED = "requested", _("angefordert")
    READY = "ready", _("erstellt")
    FAILED = "failed", _("Erstellung fehlgeschlagen")
    RETRIED = "retried", _("erneut gestartet")
    SUBMITTED = "submitted", _("an die LaSI übermittelt")
    ACKNOWLEDGED = "acknowledged", _("von der LaSI zur Kenntnis genommen")


class Report(Versioned):
    kind = models.CharField(_("Art"), max_length=10, choices=ReportKind.choices)
    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    period_start = models.DateField(_("Zeitraum von"))
    period_end = models.DateField(_("Zeitraum bis"))
    number = models.PositiveIntegerField(_("Fassung"), default=1)
    status = models.CharField(
        _("Status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angefordert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leer, wenn der Bericht vom Zeitplan erzeugt wurde."),
    )
    requested_at = models.DateTimeField(_("angefordert am"), auto_now_add=True)

    # Queueing: the request row is kept even when the broker is unreachable.
    enqueued_at = models.DateTimeField(_("in Warteschlange gestellt am"), null=True, blank=True)
    queue_error = models.TextField(_("Fehler beim Einreihen"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    rendering_started_at = models.DateTimeField(_("Erstellung begonnen am"), null=True, blank=True)
    # Crash recovery (centers.jobs): when the rendering was last (re)started, and how
    # often the sweep or a redelivered task took it over from a worker that died.
    heartbeat_at = models.DateTimeField(_("Lebenszeichen"), null=True, blank=True)
    takeovers = models.PositiveSmallIntegerField(_("Neustarts"), default=0)

    # The stored file: the name is fixed before rendering starts, so a
    # redelivered task writes the same file again instead of a second one.
    file_token = models.CharField(
        max_length=64, default=new_file_token, editable=False, unique=True
    )
    file = models.FileField(_("PDF-Datei"), max_length=255, blank=True)
    file_size = models.PositiveIntegerField(_("Dateigröße (Bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("Seiten"), null=True, blank=True)
    xlsx_file = models.FileField(_("XLSX-Datei"), max_length=255, blank=True)
    xlsx_sha256 = models.CharField(_("SHA-256 (XLSX)"), max_length=64, blank=True)
    generated_at = models.DateTimeField(_("erstellt am"), null=True, blank=True)
    generated_by = models.CharField(
        _("erstellt von"), max_length=150, blank=True, help_text=_("Rechner und Prozess")
    )
    failure_reason = models.TextField(_("Grund des Fehlschlags"), blank=True)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("übermittelt von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("übermittelt am"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zur Kenntnis genommen von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("zur Kenntnis genommen am"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["file_token"])
    events = GenericRelation(TimelineEvent, related_query_name="report")

    class Meta:
        verbose_name = _("Bericht")
        verbose_name_plural = _("Berichte")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "center", "period_start", "number"],
                name="report_unique_number",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                name="report_center_matches_kind",
                condition=Q(kind="center", center__isnull=False)
                | Q(kind="state", center__isnull=True),
            ),
            models.CheckConstraint(
                name="report_period_in_order",
                condition=Q(period_end__gte=models.F("period_start")),
            ),
        ]
        indexes = [models.Index(fields=["status", "enqueued_at"])]

    def __str__(self):
        scope = self.center or _("Nordrhein-Westfalen")
        return f"{self.get_kind_display()} {scope} {self.period_label} (Fassung {self.number})"

    def get_absolute_url(self):
        return reverse("reporting:detail", kwargs={"pk": self.pk})

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%d.%m.%Y}–{self.period_end:%d.%m.%Y}"

    @property
    def in_progress(self) -> bool:
        return self.status in ReportStatus.in_progress()

    @property
    def has_file(self) -> bool:
        return self.status in ReportStatus.with_file() and bool(self.file)

    @property
    def failed_to_queue(self) -> bool:
        return self.status == ReportStatus.QUEUED and bool(self.queue_error)

    def relative_path(self, extension: str) -> str:
        """Where the file goes, relative to MEDIA_ROOT."""
        return f"reports/{self.requested_at:%Y}/{self.file_token}.{extension}"

    def download_name(self, extension: str = "pdf") -> str:
        scope = self.center.key if self.center_id else "NRW"
        return f"Bericht-{scope}-{self.period_start:%Y}-{self.period_end:%Y}-v{self.number}.{extension}"


class ReminderKind(models.TextChoices):
    PLAN_MISSING = "plan_missing", _("Einsatzmanagement für den kommenden Zeitraum fehlt")
    CONCEPT_EXPIRING = "concept_expiring", _("Gültigkeit des Integrationskonzepts läuft ab")
    REPORTS_GENERATED = "reports_generated", _("Bericht zum Ende des Planungszeitraums erzeugt")
    FUNDING_APPLICATION_DUE = "funding_application_due", _("Antragsfrist einer Förderung endet")
    FUNDING_PROOF_DUE = "funding_proof_due", _("Verwendungsnachweis ist einzureichen")


class Reminder(models.Model):
    """A reminder the schedule sent, once per centre, kind and due date.

    The daily beat job may run late or twice; this row makes it send each
    reminder exactly once and catch up on missed days.
    """

    kind = models.CharField(_("Art"), max_length=30, choices=ReminderKind.choices)
    center = models.ForeignKey(
        "centers.Center", verbose_name=_("Zentrum"), on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField(_("fällig am"))
    sent_at = models.DateTimeField(_("versandt am"), auto_now_add=True)
    recipients = models.TextField(_("Empfänger/innen"), blank=True)

    class Meta:
        verbose_name = _("Erinnerung")
        verbose_name_plural = _("Erinnerungen")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "center", "due_on"], name="reminder_once_per_due_date"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.center} ({self.due_on:%d.%m.%Y})"


from .funding.models import (  # noqa: E402, F401 - the funding package's models, of this app
    ActivityFigures,
    ApplicationDocument,
    ApplicationLine,
    Drawdown,
    DrawdownLine,
    FundingApplication,
    ProofLine,
    ProofOfUse,
)
