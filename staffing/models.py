"""Posts, people and who fills which post (DESIGN.md §3 staffing/, decree Nr. 3.2–3.4, Nr. 4.1–4.3, Nr. 6).

Single-row invariants live in ``clean()`` and call ``staffing.rules``; rules
that need several rows (one Leitung at a time, Nr. 4.3 leadership pair) are
checked by the services and the importer through the same module.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centers.collation import COLLATION
from centers.models import Center
from centers.text import TEXT, text_validators
from centers.workflow.models import TimelineEvent, Versioned

FTE_FIELD = {"max_digits": 4, "decimal_places": 2}


class PostKind(models.TextChoices):
    TEACHER = "teacher", _("Lehrkraft")
    SPECIALIST = "specialist", _("Fachkraft")
    ADMIN_ASSISTANT = "admin_assistant", _("Verwaltungsassistenz")


class FundingSource(models.TextChoices):
    # Nr. 6.1: teacher posts come from the school ministry's budget.
    STATE_SCHOOL = "state_school", _("Land (Schulhaushalt, Nr. 6.1)")
    # Nr. 6.2: Fachkräfte and Verwaltungsassistenz through the state grant.
    STATE_GRANT = "state_grant", _("Land-Zuwendung (Nr. 6.2)")
    MUNICIPAL = "municipal", _("kommunal")


class AssignmentRole(models.TextChoices):
    NONE = "", _("keine")
    LEAD = "lead", _("Leitung")
    DEPUTY = "deputy", _("stellv. Leitung")


class Qualification(models.TextChoices):
    """Degree level for Nr. 4.1 (Fachkräfte) and training for Nr. 4.2 (Verwaltungsassistenz)."""

    UNKNOWN = "", _("keine Angabe")
    MASTER = "master", _("Master / Diplom (Universität)")
    BACHELOR = "bachelor", _("Bachelor / Diplom (FH)")
    EQUIVALENT_DEGREE = "equivalent_degree", _("gleichwertige Qualifikation (Nr. 4.1)")
    TEACHING = "teaching", _("Lehramt")
    ADMIN_TRAINING = "admin_training", _("Verwaltungsfachangestellte/r")
    OFFICE_TRAINING = "office_training", _("Kauffrau/Kaufmann für Büromanagement")
    COMPARABLE_TRAINING = "comparable_training", _("vergleichbare Ausbildung (Nr. 4.2)")
    OTHER = "other", _("sonstige")


class ImmigrationHistory(models.TextChoices):
    """Nr. 3.4, self-declared and optional (Art. 9 DSGVO, DESIGN.md §7)."""

    UNDECLARED = "", _("keine Angabe")
    YES = "yes", _("ja")
    NO = "no", _("nein")


class Post(Versioned):
    """A Stelle of a centre: kind, FTE share, funding source, period."""

    center = models.ForeignKey(
        Center, verbose_name=_("Zentrum"), on_delete=models.PROTECT, related_name="posts"
    )
    kind = models.CharField(_("Stellenart"), max_length=20, choices=PostKind.choices)
    # Unique per centre: the staffing list's column "Stelle" names a post by it.
    label = models.CharField(
        _("Bezeichnung"),
        max_length=100,
        db_collation=COLLATION,
        help_text=_(
            "Eindeutig im Zentrum, z. B. „Lehrkraft 3“; so heißt die Stelle in der Personalliste."
        ),
    )
    fte = models.DecimalField(_("Stellenanteil"), **FTE_FIELD)
    funding_source = models.CharField(
        _("Finanzierung"), max_length=20, choices=FundingSource.choices
    )
    valid_from = models.DateField(_("gültig ab"))
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Stelle")
        verbose_name_plural = _("Stellen")
        ordering = ["center", "kind", "valid_from", "pk"]
        indexes = [models.Index(fields=["center", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "label"], name="staffing_post_label_unique_per_center"
            )
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("staffing:post", kwargs={"key": self.center.key, "pk": self.pk})

    def clean(self):
        from . import rules

        rules.raise_if(rules.post_errors(self))


# What a person's record says about them (form, admin, Art. 15 information, history).
PERSON_FIELDS = (
    "last_name",
    "first_name",
    "email",
    "employer",
    "qualification",
    "qualification_subject",
)


class StaffMember(Versioned):
    """A person on a centre's staffing list. E-mail is the import's natural key."""

    center = models.ForeignKey(
        Center,
        verbose_name=_("Zentrum"),
        on_delete=models.PROTECT,
        related_name="staff_members",
        help_text=_("Das Zentrum, dessen Personalliste die Person führt."),
    )
    last_name = models.CharField(_("Nachname"), max_length=100, db_collation=COLLATION)
    first_name = models.CharField(_("Vorname"), max_length=100, db_collation=COLLATION)
    # Stored lower-case: the import matches case-insensitively (DESIGN.md §6).
    email = models.EmailField(_("E-Mail"), max_length=254, unique=True)
    employer = models.CharField(_("Anstellungsträger"), max_length=150, blank=True)
    qualification = models.CharField(
        _("Qualifikation"), max_length=30, choices=Qualification.choices, blank=True
    )
    qualification_subject = models.CharField(
        _("Studien- bzw. Ausbildungsschwerpunkt"), max_length=200, blank=True
    )
    # Nr. 3.4 — only the centre's KI-Leitung sees and edits it per person; never in history,
    # exports or the admin (staffing.selectors.may_see_sensitive).
    immigration_history = models.CharField(
        _("Einwanderungsgeschichte (freiwillige Selbstauskunft)"),
        max_length=3,
        choices=ImmigrationHistory.choices,
        blank=True,
    )
    # Set by the retention job (staffing.retention): names, address and free texts are
    # placeholders from this day on, also in the history; posts and shares stay.
    anonymised_on = models.DateField(_("anonymisiert am"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["immigration_history"])

    class Meta:
        verbose_name = _("Mitarbeiter/in")
        verbose_name_plural = _("Mitarbeitende")
        ordering = ["last_name", "first_name", "pk"]

    def __str__(self):
        return f"{self.last_name}, {self.first_name}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("staffing:member", kwargs={"key": self.center.key, "pk": self.pk})


class Assignment(Versioned):
    """Besetzung / Abordnung: a person on a post for a period."""

    member = models.ForeignKey(
        StaffMember,
        verbose_name=_("Person"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    post = models.ForeignKey(
        Post, verbose_name=_("Stelle"), on_delete=models.PROTECT, related_name="assignments"
    )
    fte = models.DecimalField(_("Stellenanteil"), **FTE_FIELD)
    start = models.DateField(_("Beginn"))
    end = models.DateField(_("Ende"), null=True, blank=True)
    role = models.CharField(
        _("Funktion"), max_length=10, choices=AssignmentRole.choices, blank=True
    )
    seconding_school = models.CharField(_("Abordnende Schule"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Besetzung")
        verbose_name_plural = _("Besetzungen")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["post", "start"]), models.Index(fields=["member", "start"])]

    def __str__(self):
        return f"{self.member} – {self.post}"

    def get_absolute_url(self):
        return self.member.get_absolute_url()

    def clean(self):
        from . import rules

        rules.raise_if(rules.assignment_errors(self))


class StaffingQuota(models.Model):
    """Expected FTE per kind for a centre and period (Nr. 3.2, Nr. 3.3, changeable by the Land Nr. 3.7).

    Without a row the defaults in ``staffing/data/default_quotas.csv`` apply.
    """

    center = models.ForeignKey(
        Center, verbose_name=_("Zentrum"), on_delete=models.CASCADE, related_name="quotas"
    )
    kind = models.CharField(_("Stellenart"), max_length=20, choices=PostKind.choices)
    fte = models.DecimalField(_("Soll (VZÄ)"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("gültig ab"))
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)
    note = models.CharField(_("Anmerkung"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Stellensoll")
        verbose_name_plural = _("Stellensoll")
        ordering = ["center", "kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "kind", "valid_from"], name="staffing_quota_unique_start"
            )
        ]

    def __str__(self):
        # "0,50" as everywhere on the pages (the admin's titles and history named "0.50").
        fte = "–" if self.fte is None else formats.number_format(self.fte, 2, use_l10n=True)
        return f"{self.center} – {self.get_kind_display()}: {fte}"


class ExceptionStatus(models.TextChoices):
    PROPOSED = "proposed", _("beantragt")
    APPROVED = "approved", _("genehmigt")
    REJECTED = "rejected", _("abgelehnt")


class ExceptionEventKind(models.TextChoices):
    """The steps on an exception's timeline (``centers.workflow.TimelineEvent``)."""

    PROPOSED = "proposed", _("beantragt")
    APPROVED = "approved", _("genehmigt")
    REJECTED = "rejected", _("abgelehnt")


class QualificationException(Versioned):
    """Nr. 4.1/Nr. 4.2: the KI-Leitung proposes, the Anstellungsträger (Träger) decides."""

    member = models.ForeignKey(
        StaffMember,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="qualification_exceptions",
    )
    kind = models.CharField(_("für Stellenart"), max_length=20, choices=PostKind.choices)
    reason = models.TextField(_("Begründung"), max_length=TEXT, validators=text_validators(TEXT))
    status = models.CharField(
        _("Status"), max_length=10, choices=ExceptionStatus.choices, default="proposed"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beantragt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_on = models.DateField(_("beantragt am"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entschieden von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("entschieden am"), null=True, blank=True)
    decision_note = models.TextField(
        _("Begründung der Entscheidung"),
        blank=True,
        max_length=TEXT,
        validators=text_validators(TEXT),
    )

    history = HistoricalRecords()
    events = GenericRelation(TimelineEvent, related_query_name="qualification_exception")

    class Meta:
        verbose_name = _("Qualifikationsausnahme")
        verbose_name_plural = _("Qualifikationsausnahmen")
        ordering = ["-proposed_on", "pk"]

    def __str__(self):
        return f"{self.member} – {self.get_kind_display()} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse(
            "staffing:exception_decide", kwargs={"key": self.member.center.key, "pk": self.pk}
        )


class SensitiveDataAccess(models.Model):
    """Access log for Nr. 3.4 values: who read or changed whose value, when."""

    class Action(models.TextChoices):
        VIEW = "view", _("angesehen")
        EDIT = "edit", _("geändert")
        # Art. 15 DSGVO: everything stored about the person, delivered as a file.
        EXPORT = "export", _("Auskunft exportiert")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Benutzer/in"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        StaffMember,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="sensitive_accesses",
    )
    action = models.CharField(_("Vorgang"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Zugriff auf sensible Personaldaten")
        verbose_name_plural = _("Zugriffe auf sensible Personaldaten")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} → {self.member} ({self.get_action_display()})"


class RetentionKind(models.TextChoices):
    STAFF_ANONYMISED = "staff_anonymised", _("Personaldaten anonymisiert")
    DOCUMENTS_DELETED = "documents_deleted", _("Dokumente gelöscht")


class RetentionRun(models.Model):
    """The log of the retention jobs (DSGVO Art. 5 Abs. 1 Buchst. e): one row per run,
    with the day it ran for, the cut-off it applied, how many records it changed and
    which (ids and file labels, no personal data). Kept here because the staffing job
    came first; the document job (``reporting.funding.retention``) writes here too."""

    kind = models.CharField(_("Art"), max_length=30, choices=RetentionKind.choices)
    run_on = models.DateField(_("Stichtag"))
    cutoff = models.DateField(_("Frist abgelaufen vor"))
    count = models.PositiveIntegerField(_("Anzahl"))
    details = models.JSONField(_("Einzelheiten"), default=list, blank=True)
    at = models.DateTimeField(_("ausgeführt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Lauf der Löschfristen")
        verbose_name_plural = _("Läufe der Löschfristen")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.run_on:%d.%m.%Y}: {self.count}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("wartet")
    CHECKING = "checking", _("wird geprüft")
    CHECKED = "checked", _("geprüft")
    IMPORTING = "importing", _("wird importiert")
    DONE = "done", _("importiert")
    FAILED = "failed", _("fehlgeschlagen")
    UNDONE = "undone", _("rückgängig gemacht")


class ImportJob(models.Model):
    """An uploaded staffing list between upload, dry-run preview and confirmation.

    The file is kept in the database (no temporary files to clean up) and
    deleted with the job; only its uploader sees it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hochgeladen von"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    filename = models.CharField(_("Dateiname"), max_length=255)
    content = models.BinaryField(_("Inhalt"))
    status = models.CharField(
        _("Status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("Zeilen"), default=0)
    processed = models.PositiveIntegerField(_("gelesene Zeilen"), default=0)
    result = models.JSONField(_("Ergebnis"), default=dict, blank=True)
    # "Vollständige Liste": people of the centre missing from the file end on this day.
    end_missing_on = models.DateField(_("Fehlende Personen beenden zum"), null=True, blank=True)
    created_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)
    finished_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)
    # The history_date of every history row the confirmed import wrote: undo finds them by it.
    written_at = models.DateTimeField(_("importiert am"), null=True, blank=True)
    undone_at = models.DateTimeField(_("rückgängig gemacht am"), null=True, blank=True)
    # Crash recovery (centers.jobs): confirmed (the run imports, else it checks); when the
    # run was queued or last (re)started; how often it was taken over from a worker that
    # died; why it failed (shown on the page, which then offers a retry).
    confirmed = models.BooleanField(_("bestätigt"), default=False)
    heartbeat_at = models.DateTimeField(_("Lebenszeichen"), null=True, blank=True)
    takeovers = models.PositiveSmallIntegerField(_("Neustarts"), default=0)
    failure_reason = models.TextField(_("Grund des Fehlschlags"), blank=True)

    class Meta:
        verbose_name = _("Import einer Personalliste")
        verbose_name_plural = _("Importe von Personallisten")
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("staffing:import_job", kwargs={"pk": self.pk})


class ImportRowStatus(models.TextChoices):
    NEW = "new", _("neu")
    CHANGED = "changed", _("geändert")
    UNCHANGED = "unchanged", _("unverändert")
    ERROR = "error", _("Fehler")


class ImportRow(models.Model):
    """One row of an import's preview: stored as the check goes, so a file of any
    size is previewed page by page without being held in memory."""

    job = models.ForeignKey(
        ImportJob, verbose_name=_("Import"), on_delete=models.CASCADE, related_name="rows"
    )
    number = models.PositiveIntegerField(_("Zeile"))
    status = models.CharField(_("Ergebnis"), max_length=10, choices=ImportRowStatus.choices)
    label = models.CharField(_("Inhalt"), max_length=500, blank=True)
    errors = models.JSONField(_("Fehler"), default=list, blank=True)  # [[Spalte, Meldung]]
    changes = models.JSONField(_("Änderungen"), default=list, blank=True)  # [[Spalte, alt, neu]]
    warnings = models.JSONField(_("Hinweise"), default=list, blank=True)  # [Meldung]
    post_label = models.CharField(_("Stelle"), max_length=100, blank=True)
    new_post = models.BooleanField(_("neue Stelle"), default=False)

    class Meta:
        verbose_name = _("Zeile eines Imports")
        verbose_name_plural = _("Zeilen eines Imports")
        ordering = ["job", "number"]
        indexes = [models.Index(fields=["job", "status", "number"], name="importrow_job_status")]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="importrow_job_number_unique")
        ]

    def __str__(self):
        return f"{self.job} · {self.number}"
