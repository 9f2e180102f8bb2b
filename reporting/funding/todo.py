"""Tasks of the Landesförderung for the dashboards' to-do lists (``centers.todo``, collected
through ``reporting.todo``): an application window that closes while the centre has no
application, an application that came back, one that waits for the Träger, one that waits
for the Bewilligung."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from centers.access import Capability
from centers.models import Center, FundingDecision
from centers.programmes import ProgrammeYear
from centers.todo import Kind, Scope, Task, fmt_date, local_date

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


def _since_submitted(application: FundingApplication) -> datetime.date:
    return local_date(application.submitted_at or application.created_at)


def _open_windows(centers: QuerySet[Center], scope: Scope) -> list[tuple[Center, ProgrammeYear]]:
    """Programme years whose application window is open or opens within the lead time, for
    each centre that has lines in them and no application yet."""
    today = scope.today
    ahead = today + datetime.timedelta(days=settings.TODO_FUNDING_APPLICATION_LEAD_DAYS)
    years = list(
        ProgrammeYear.objects.filter(application_until__gte=today, year__gte=today.year)
        .filter(Q(application_from__isnull=True) | Q(application_from__lte=ahead))
        .select_related("programme")
        .prefetch_related("lines")
    )
    if not years:
        return []
    taken = set(
        FundingApplication.objects.filter(center__in=centers, programme_year__in=years).values_list(
            "center_id", "programme_year_id"
        )
    )
    return [
        (center, programme_year)
        for center in centers.select_related("sponsor").order_by("name")
        for programme_year in years
        if (center.pk, programme_year.pk) not in taken and programme_year.lines_for(center)
    ]


def _application_due(row, scope: Scope) -> Task:
    center, programme_year = row
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


def _proofs_due(centers, scope: Scope) -> list:
    """Decisions in force whose programme year has a proof-of-use deadline within the lead
    time (or past) and no proof submitted or checked yet."""
    today = scope.today
    ahead = today + datetime.timedelta(days=settings.TODO_FUNDING_PROOF_LEAD_DAYS)
    years = {
        (py.programme_id, py.year): py
        for py in ProgrammeYear.objects.filter(proof_due__isnull=False, proof_due__lte=ahead)
    }
    if not years:
        return []
    done = set(
        ProofOfUse.objects.filter(center__in=centers)
        .exclude(status__in=ProofStatus.editable())
        .values_list("decision__center_id", "decision__programme_id", "decision__year")
    )
    decisions = (
        FundingDecision.objects.in_force()
        .filter(center__in=centers, year__in={year for _p, year in years})
        .select_related("center", "programme")
        .order_by("center__name")
    )
    return [
        (decision, years[(decision.programme_id, decision.year)])
        for decision in decisions
        if (decision.programme_id, decision.year) in years
        and (decision.center_id, decision.programme_id, decision.year) not in done
    ]


def _proof_due(row, scope: Scope) -> Task:
    decision, programme_year = row
    values = {
        "programme": decision.programme.name,
        "year": decision.year,
        "center": decision.center.name,
        "date": fmt_date(programme_year.proof_due),
    }
    if programme_year.proof_due < scope.today:
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
        since=min(programme_year.proof_due - lead, scope.today),
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


def _proofs_overdue(centers, scope: Scope) -> list:
    """For the Bewilligung: proofs of use past their deadline and not yet submitted."""
    return [row for row in _proofs_due(centers, scope) if row[1].proof_due < scope.today]


def _proof_overdue(row, scope: Scope) -> Task:
    decision, programme_year = row
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
            "date": fmt_date(programme_year.proof_due),
        },
        since=programme_year.proof_due,
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
        rows=_open_windows,
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
        rows=_proofs_due,
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
        task=_proof_overdue,
        group_title=_count_title(
            "%(count)s Verwendungsnachweis ist überfällig",
            "%(count)s Verwendungsnachweise sind überfällig",
        ),
        group_url=lambda scope: reverse("funding:overview"),
    ),
]
