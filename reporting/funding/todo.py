"""Tasks of the Landesförderung for the dashboards' to-do lists (``centers.todo``, collected
through ``reporting.todo``): an application window that closes while the centre has no
application, an application that came back, one that waits for the Träger, one that waits
for the Bewilligung."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from centers.access import Capability
from centers.models import Center, FundingDecision, MunicipalityKind
from centers.programmes import BudgetLine, ProgrammeYear
from centers.todo import (
    CENTER_FIELDS,
    Branches,
    Kind,
    Scope,
    Task,
    center_fields,
    fmt_date,
    local_date,
)

from .models import (
    ApplicationStatus,
    Drawdown,
    DrawdownStatus,
    FundingApplication,
    ProofOfUse,
    ProofStatus,
)


def _applications(centers, status) -> QuerySet[FundingApplication]:
    return FundingApplication.objects.filter(center__in=centers, status=status).select_related(
        "center", "programme_year__programme"
    )


def _values(application: FundingApplication) -> dict:
    return {
        "programme": application.programme_year.programme.name,
        "year": application.programme_year.year,
        "center": application.center.name,
    }


# What the tasks read of an application, of a decision and of what hangs on one (``Kind.only``).
_APPLICATION_FIELDS = (
    "submitted_at",
    "created_at",
    "programme_year__year",
    "programme_year__application_until",
    "programme_year__programme__name",
    *center_fields(),
)
_DECISION_FIELDS = ("year", "programme__name", "proof_due_on", *center_fields())
_ON_DECISION_FIELDS = ("decision__year", "decision__programme__name", *center_fields())
_PROOF_FIELDS = ("submitted_at", "created_at", *_ON_DECISION_FIELDS)


def _since_submitted(application: FundingApplication) -> datetime.date:
    return local_date(application.submitted_at or application.created_at)


def _open_years(scope: Scope) -> dict[int, tuple[ProgrammeYear, list[BudgetLine]]]:
    """Programme years whose application window is open or opens within the lead time,
    with their lines: one query, once per list (the rows and the tasks both ask)."""

    def read():
        today = scope.today
        ahead = today + datetime.timedelta(days=settings.TODO_FUNDING_APPLICATION_LEAD_DAYS)
        lines = BudgetLine.objects.filter(
            Q(programme_year__application_from__isnull=True)
            | Q(programme_year__application_from__lte=ahead),
            programme_year__application_until__gte=today,
            programme_year__year__gte=today.year,
        ).select_related("programme_year__programme")
        years: dict[int, tuple[ProgrammeYear, list[BudgetLine]]] = {}
        for line in lines:
            years.setdefault(line.programme_year_id, (line.programme_year, []))[1].append(line)
        return years

    return scope.remember("funding-open-years", read)


def _due_applications(centers: QuerySet[Center], scope: Scope) -> Branches:
    """Per open programme year, the centres that have lines in it (by their Träger's kind,
    ``BudgetLine.applies_to``) and no application yet: one queryset each, so the count's
    UNION counts each pair of centre and programme year."""
    branches = []
    for programme_year, lines in _open_years(scope).values():
        kinds = [k for k in MunicipalityKind.values if any(line.applies_to(k) for line in lines)]
        applied = FundingApplication.objects.filter(
            center=OuterRef("pk"), programme_year=programme_year
        )
        branches.append(
            centers.filter(sponsor__kind__in=kinds)
            .exclude(Exists(applied))
            .annotate(open_programme_year=Value(programme_year.pk))
            .order_by("name")
        )
    return Branches(branches)


def open_windows(centers: QuerySet[Center], scope: Scope) -> list[tuple[Center, ProgrammeYear]]:
    """The pairs of centre and programme year ``_due_applications`` finds (the reminders)."""
    years = _open_years(scope)
    return [
        (center, years[center.open_programme_year][0])
        for branch in _due_applications(centers, scope)
        for center in branch
    ]


def _application_due(center: Center, scope: Scope) -> Task:
    programme_year = _open_years(scope)[center.open_programme_year][0]
    return Task(
        kind="funding_application_due",
        title=_(
            "Förderantrag %(programme)s %(year)s für das Zentrum „%(center)s“ vorbereiten "
            "(Antragsfrist bis zum %(date)s)"
        )
        % {
            "programme": programme_year.programme.name,
            "year": programme_year.year,
            "center": center.name,
            "date": fmt_date(programme_year.application_until),
        },
        since=min(programme_year.application_from or scope.today, scope.today),
        url=reverse("funding:center", kwargs={"key": center.key}),
        center=center,
    )


def _returned(application: FundingApplication, scope: Scope) -> Task:
    return Task(
        kind="funding_application_returned",
        title=_(
            "Förderantrag %(programme)s %(year)s des Zentrums „%(center)s“ wurde zur "
            "Überarbeitung zurückgegeben"
        )
        % _values(application),
        since=_since_submitted(application),
        url=application.get_absolute_url(),
        center=application.center,
    )


def _drafts(centers, scope: Scope):
    return _applications(centers, ApplicationStatus.DRAFT).filter(lines__amount__gt=0).distinct()


def _to_submit(application: FundingApplication, scope: Scope) -> Task:
    values = _values(application)
    until = application.programme_year.application_until
    if until:
        title = _(
            "Förderantrag %(programme)s %(year)s des Zentrums „%(center)s“ ist vorbereitet und "
            "wartet darauf, dass Sie ihn stellen (Antragsfrist bis zum %(date)s)"
        ) % {**values, "date": fmt_date(until)}
    else:
        title = (
            _(
                "Förderantrag %(programme)s %(year)s des Zentrums „%(center)s“ ist vorbereitet "
                "und wartet darauf, dass Sie ihn stellen"
            )
            % values
        )
    return Task(
        kind="funding_application_to_submit",
        title=title,
        since=local_date(application.created_at),
        url=application.get_absolute_url(),
        center=application.center,
    )


def _to_decide(application: FundingApplication, scope: Scope) -> Task:
    return Task(
        kind="funding_application_to_decide",
        title=_(
            "Förderantrag %(programme)s %(year)s des Zentrums „%(center)s“ wartet auf Ihren "
            "Bescheid"
        )
        % _values(application),
        since=_since_submitted(application),
        url=application.get_absolute_url(),
        center=application.center,
    )


def _requested_drawdowns(centers, scope: Scope):
    return Drawdown.objects.filter(
        center__in=centers, status=DrawdownStatus.REQUESTED
    ).select_related("center", "decision__programme")


def _to_pay(drawdown: Drawdown, scope: Scope) -> Task:
    return Task(
        kind="funding_drawdown_to_pay",
        title=_(
            "Mittelabruf des Zentrums „%(center)s“ zum %(date)s (%(programme)s %(year)s) "
            "wartet auf die Auszahlung"
        )
        % {
            "center": drawdown.center.name,
            "date": fmt_date(drawdown.requested_for),
            "programme": drawdown.decision.programme.name,
            "year": drawdown.decision.year,
        },
        since=local_date(drawdown.requested_at),
        url=drawdown.get_absolute_url(),
        center=drawdown.center,
    )


def proofs_due(centers, scope: Scope) -> QuerySet[FundingDecision]:
    """Decisions in force whose programme year has a proof-of-use deadline within the lead
    time (or past) and no proof submitted or checked yet; the deadline as ``proof_due_on``."""
    ahead = scope.today + datetime.timedelta(days=settings.TODO_FUNDING_PROOF_LEAD_DAYS)
    deadline = ProgrammeYear.objects.filter(
        programme=OuterRef("programme"), year=OuterRef("year"), proof_due__isnull=False
    ).values("proof_due")[:1]
    done = ProofOfUse.objects.filter(
        decision__center=OuterRef("center"),
        decision__programme=OuterRef("programme"),
        decision__year=OuterRef("year"),
    ).exclude(status__in=ProofStatus.editable())
    return (
        FundingDecision.objects.in_force()
        .filter(center__in=centers)
        .annotate(proof_due_on=Subquery(deadline))
        .filter(proof_due_on__lte=ahead)
        .exclude(Exists(done))
        .select_related("center", "programme")
        .order_by("center__name")
    )


def _proof_due(decision: FundingDecision, scope: Scope) -> Task:
    values = {
        "programme": decision.programme.name,
        "year": decision.year,
        "center": decision.center.name,
        "date": fmt_date(decision.proof_due_on),
    }
    if decision.proof_due_on < scope.today:
        title = _(
            "Verwendungsnachweis %(programme)s %(year)s des Zentrums „%(center)s“ ist seit dem "
            "%(date)s überfällig"
        )
    else:
        title = _(
            "Verwendungsnachweis %(programme)s %(year)s des Zentrums „%(center)s“ ist bis zum "
            "%(date)s einzureichen"
        )
    lead = datetime.timedelta(days=settings.TODO_FUNDING_PROOF_LEAD_DAYS)
    return Task(
        kind="funding_proof_due",
        title=title % values,
        since=min(decision.proof_due_on - lead, scope.today),
        url=reverse("funding:center", kwargs={"key": decision.center.key}),
        center=decision.center,
    )


def _proofs_in(status):
    def rows(centers, scope: Scope):
        return ProofOfUse.objects.filter(center__in=centers, status=status).select_related(
            "center", "decision__programme"
        )

    return rows


def _proof_task(kind: str, title):
    """A task on one proof of use; ``title`` takes programme, year and centre."""

    def task(proof: ProofOfUse, scope: Scope) -> Task:
        return Task(
            kind=kind,
            title=title
            % {
                "programme": proof.decision.programme.name,
                "year": proof.decision.year,
                "center": proof.center.name,
            },
            since=local_date(proof.submitted_at or proof.created_at),
            url=proof.get_absolute_url(),
            center=proof.center,
        )

    return task


def _proofs_overdue(centers, scope: Scope) -> QuerySet[FundingDecision]:
    """For the Bewilligung: proofs of use past their deadline and not yet submitted."""
    return proofs_due(centers, scope).filter(proof_due_on__lt=scope.today)


def _proof_overdue(decision: FundingDecision, scope: Scope) -> Task:
    return Task(
        kind="funding_proof_overdue",
        title=_(
            "Verwendungsnachweis %(programme)s %(year)s des Zentrums „%(center)s“ ist seit dem "
            "%(date)s überfällig"
        )
        % {
            "programme": decision.programme.name,
            "year": decision.year,
            "center": decision.center.name,
            "date": fmt_date(decision.proof_due_on),
        },
        since=decision.proof_due_on,
        url=reverse("funding:center", kwargs={"key": decision.center.key}),
        center=decision.center,
    )


def _list_url(status=""):
    def url(scope):
        return reverse("funding:list") + (f"?status={status}" if status else "")

    return url


def _count_title(singular, plural):
    return lambda n, scope: ngettext(singular, plural, n) % {"count": n}


KINDS = [
    Kind(
        code="funding_application_due",
        capability=Capability.PREPARE_FUNDING,
        rows=_due_applications,
        only=(*CENTER_FIELDS, "open_programme_year"),
        task=_application_due,
        group_title=_count_title(
            "%(count)s Förderantrag ist vorzubereiten", "%(count)s Förderanträge sind vorzubereiten"
        ),
        group_url=_list_url(),
    ),
    Kind(
        code="funding_application_returned",
        capability=Capability.PREPARE_FUNDING,
        rows=lambda centers, scope: _applications(centers, ApplicationStatus.RETURNED),
        only=_APPLICATION_FIELDS,
        task=_returned,
        group_title=_count_title(
            "%(count)s Förderantrag wurde zurückgegeben",
            "%(count)s Förderanträge wurden zurückgegeben",
        ),
        group_url=_list_url(ApplicationStatus.RETURNED),
    ),
    Kind(
        code="funding_application_to_submit",
        capability=Capability.SUBMIT_FUNDING,
        rows=_drafts,
        only=_APPLICATION_FIELDS,
        task=_to_submit,
        group_title=_count_title(
            "%(count)s Förderantrag wartet darauf, dass Sie ihn stellen",
            "%(count)s Förderanträge warten darauf, dass Sie sie stellen",
        ),
        group_url=_list_url(ApplicationStatus.DRAFT),
    ),
    Kind(
        code="funding_application_to_decide",
        capability=Capability.MANAGE_FUNDING,
        rows=lambda centers, scope: _applications(centers, ApplicationStatus.SUBMITTED),
        only=_APPLICATION_FIELDS,
        task=_to_decide,
        group_title=_count_title(
            "%(count)s Förderantrag wartet auf Ihren Bescheid",
            "%(count)s Förderanträge warten auf Ihren Bescheid",
        ),
        group_url=_list_url(ApplicationStatus.SUBMITTED),
    ),
    Kind(
        code="funding_drawdown_to_pay",
        capability=Capability.MANAGE_FUNDING,
        rows=_requested_drawdowns,
        only=("requested_for", "requested_at", *_ON_DECISION_FIELDS),
        task=_to_pay,
        group_title=_count_title(
            "%(count)s Mittelabruf wartet auf die Auszahlung",
            "%(count)s Mittelabrufe warten auf die Auszahlung",
        ),
        group_url=_list_url(),
    ),
    Kind(
        code="funding_proof_due",
        capability=Capability.PREPARE_FUNDING,
        rows=proofs_due,
        only=_DECISION_FIELDS,
        task=_proof_due,
        group_title=_count_title(
            "%(count)s Verwendungsnachweis ist einzureichen",
            "%(count)s Verwendungsnachweise sind einzureichen",
        ),
        group_url=_list_url(),
    ),
    Kind(
        code="funding_proof_to_check",
        capability=Capability.MANAGE_FUNDING,
        rows=_proofs_in(ProofStatus.SUBMITTED),
        only=_PROOF_FIELDS,
        task=_proof_task(
            "funding_proof_to_check",
            _(
                "Verwendungsnachweis %(programme)s %(year)s des Zentrums „%(center)s“ wartet "
                "auf Ihre Prüfung"
            ),
        ),
        group_title=_count_title(
            "%(count)s Verwendungsnachweis wartet auf Ihre Prüfung",
            "%(count)s Verwendungsnachweise warten auf Ihre Prüfung",
        ),
        group_url=_list_url(),
    ),
    Kind(
        code="funding_proof_returned",
        capability=Capability.PREPARE_FUNDING,
        rows=_proofs_in(ProofStatus.RETURNED),
        only=_PROOF_FIELDS,
        task=_proof_task(
            "funding_proof_returned",
            _(
                "Verwendungsnachweis %(programme)s %(year)s des Zentrums „%(center)s“ kam mit "
                "Anmerkungen zurück"
            ),
        ),
        group_title=_count_title(
            "%(count)s Verwendungsnachweis kam mit Anmerkungen zurück",
            "%(count)s Verwendungsnachweise kamen mit Anmerkungen zurück",
        ),
        group_url=_list_url(),
    ),
    Kind(
        code="funding_proof_overdue",
        capability=Capability.MANAGE_FUNDING,
        rows=_proofs_overdue,
        only=_DECISION_FIELDS,
        task=_proof_overdue,
        group_title=_count_title(
            "%(count)s Verwendungsnachweis ist überfällig",
            "%(count)s Verwendungsnachweise sind überfällig",
        ),
        group_url=lambda scope: reverse("funding:overview"),
    ),
]
