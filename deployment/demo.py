"""Demo Einsatzmanagements (``manage.py seed_demo``).

Every centre gets an acknowledged plan for the previous period and — except a
few that are "missing" for LaSI's overview — a plan for the current period in
a state that gives each demo role something to do:

- Köln: draft (ki-koeln-leitung drafts and submits; the browser walk starts here);
- Bonn: revision 1 agreed, revision 2 a draft (a change after agreement);
- Mettmann: returned by the Schulaufsicht (ki-mettmann revises), and the KI-Leitung
  has escalated the disputed comment: an open conflict for schulamt-mettmann (Nr. 3.5);
- others: spread over every state; several reported plans wait for LaSI.

Every date counts from the period's start, or — in the first months of a period —
back from today, so that no step of a timeline lies in the future.

Deterministic (random generator seeded per centre), idempotent (a centre
with a plan for a period is left alone) and bulk: a few dozen queries.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from centers.models import Center, Membership, Role
from centers.workflow.models import TimelineEvent
from centers.workflow.transitions import timeline_entry
from staffing.models import Assignment

from .models import DeploymentPlan, Focus, FocusAllocation, PlanEventKind, PlanStatus, ReviewComment
from .periods import current_period
from .services import BASIC_FOCI
from .vocabularies import Field, PartnerKind, Programme, Stage, TargetGroup

F, S, T, P, PR = Field, Stage, TargetGroup, PartnerKind, Programme

# Realistic Schwerpunkte along the Bildungskette (Nr. 1.3.1) and the Handlungsfelder (Nr. 1.3.2).
FOCUS_LIBRARY = [
    {
        "title": "Seiteneinstieg: Erstberatung und Schulplatzvermittlung",
        "field": F.EDUCATION,
        "stage": S.SCHOOL,
        "target_groups": [T.CHILDREN_FAMILIES, T.LATERAL_ENTRY, T.SCHOOLS],
        "goal": "Neu zugewanderte Kinder und Jugendliche erhalten innerhalb von sechs Wochen "
        "nach der Anmeldung einen passenden Schulplatz.",
        "measures": "Erstberatung der Familien, Potenzialeinschätzung, Zuweisung in Abstimmung "
        "mit dem Schulamt, Übergabegespräche mit den aufnehmenden Schulen.",
        "indicators": "Beratene Familien pro Jahr: 400\nDurchschnittliche Wartezeit (Wochen): 6",
        "partners": [P.SCHOOL_AUTHORITY, P.SCHOOL_ADMINISTRATION],
        "programmes": [],
    },
    {
        "title": "Sprachbildung in Kitas mit Griffbereit und Rucksack KiTa",
        "field": F.EARLY_LANGUAGE,
        "stage": S.ELEMENTARY,
        "target_groups": [T.DAYCARE, T.CHILDREN_FAMILIES],
        "goal": "Eltern stärken die Mehrsprachigkeit ihrer Kinder; Kitas arbeiten mit "
        "Elternbegleiterinnen zusammen.",
        "measures": "Aufbau von Griffbereit- und Rucksack-Gruppen, Qualifizierung der "
        "Elternbegleiterinnen, Netzwerktreffen der Kita-Träger.",
        "indicators": "Rucksack-Gruppen: 12\nErreichte Familien: 150",
        "partners": [P.EARLY_EDUCATION, P.PUBLIC_YOUTH_WELFARE],
        "programmes": [PR.GRIFFBEREIT, PR.RUCKSACK_KITA],
    },
    {
        "title": "Zugang zu Sprachbildung für Kinder ohne Kita-Platz",
        "field": F.EARLY_LANGUAGE,
        "stage": S.EARLY,
        "target_groups": [T.CHILDREN_FAMILIES, T.YOUTH_WELFARE],
        "goal": "Kinder von drei bis sechs Jahren ohne Kindertagesbetreuung erreichen "
        "Angebote der durchgängigen Sprachbildung (Nr. 1.3.2).",
        "measures": "Brückenangebote in Unterkünften und Familienzentren, Lotsen in die Kita.",
        "indicators": "Kinder in Brückenangeboten: 80\nÜbergänge in eine Kita: 40",
        "partners": [P.EARLY_EDUCATION, P.FREE_YOUTH_WELFARE],
        "programmes": [PR.IFKUF],
    },
    {
        "title": "Übergang Schule–Beruf für neu Zugewanderte",
        "field": F.EMPLOYMENT,
        "stage": S.TRANSITION,
        "target_groups": [T.CHILDREN_FAMILIES, T.SCHOOLS],
        "goal": "Junge Neuzugewanderte kennen ihre Wege in Ausbildung, Studium und Beruf.",
        "measures": "Berufsorientierung in internationalen Förderklassen, Elternabende mit der "
        "Kommunalen Koordinierung, Patenschaften mit Betrieben.",
        "indicators": "Teilnehmende an Orientierungsangeboten: 200\nVermittelte Praktika: 60",
        "partners": [P.TRANSITION_COORDINATION, P.JOB_CENTRE, P.EDUCATION_OFFICE],
        "programmes": [PR.KIM],
    },
    {
        "title": "Interkulturelle Öffnung der Schulen",
        "field": F.EDUCATION,
        "stage": S.SCHOOL,
        "target_groups": [T.SCHOOLS],
        "goal": "Schulen gestalten Vielfalt bewusst und beziehen Eltern mit "
        "Einwanderungsgeschichte ein.",
        "measures": "Fortbildungen für Lehrkräfte, Beratung von Schulleitungen, Rucksack Schule.",
        "indicators": "Fortbildungen: 10\nBeteiligte Schulen: 15",
        "partners": [P.SCHOOL_AUTHORITY, P.EDUCATION_OFFICE],
        "programmes": [PR.RUCKSACK_SCHOOL],
    },
    {
        "title": "Schule ohne Rassismus – Schule mit Courage",
        "field": F.ANTI_RACISM,
        "stage": S.SCHOOL,
        "target_groups": [T.SCHOOLS, T.CHILDREN_FAMILIES],
        "goal": "Mehr Schulen treten dem Netzwerk bei und verankern Antirassismusarbeit.",
        "measures": "Begleitung der Courage-Schulen, Projekttage, Regionalkoordination.",
        "indicators": "Courage-Schulen: 20\nProjekttage: 12",
        "partners": [P.SCHOOL_AUTHORITY, P.MIGRANT_ORGANISATIONS],
        "programmes": [PR.SCHOOL_WITHOUT_RACISM],
    },
    {
        "title": "Kommunale Konfliktbearbeitung im Quartier",
        "field": F.CONFLICT,
        "stage": S.ACROSS,
        "target_groups": [T.MUNICIPAL_OFFICES, T.ORGANISATIONS],
        "goal": "Konflikte im Zusammenleben werden früh erkannt und gemeinsam bearbeitet.",
        "measures": "Runder Tisch im Quartier, Moderation, Schulung von Mediatorinnen.",
        "indicators": "Moderierte Konflikte: 15\nGeschulte Mediatorinnen: 12",
        "partners": [P.WELFARE_ASSOCIATIONS, P.INTEGRATION_COUNCIL],
        "programmes": [],
    },
    {
        "title": "Politische Partizipation und Integrationsrat",
        "field": F.PARTICIPATION,
        "stage": S.ACROSS,
        "target_groups": [T.MUNICIPAL_INSTITUTIONS, T.ORGANISATIONS],
        "goal": "Menschen mit Einwanderungsgeschichte beteiligen sich an kommunalen "
        "Entscheidungen.",
        "measures": "Begleitung des Integrationsrats, Informationsabende zur Wahl.",
        "indicators": "Informationsabende: 6",
        "partners": [P.INTEGRATION_COUNCIL, P.MIGRANT_ORGANISATIONS],
        "programmes": [],
    },
    {
        "title": "Außerschulische Bildung: Sport und Kultur für alle",
        "field": F.SPORT,
        "stage": S.YOUTH_WORK,
        "target_groups": [T.CHILDREN_FAMILIES, T.YOUTH_WELFARE, T.ORGANISATIONS],
        "goal": "Kinder und Jugendliche mit Einwanderungsgeschichte nutzen Vereins- und "
        "Kulturangebote.",
        "measures": "Kooperation mit Sportvereinen und Musikschule, Lotsen in Angebote.",
        "indicators": "Vermittelte Kinder: 120\nKooperierende Vereine: 10",
        "partners": [P.FREE_YOUTH_WELFARE, P.OTHER],
        "programmes": [],
    },
    {
        "title": "Gesundheitslotsen für Neuzugewanderte",
        "field": F.HEALTH,
        "stage": S.ACROSS,
        "target_groups": [T.CHILDREN_FAMILIES, T.MUNICIPAL_OFFICES],
        "goal": "Neuzugewanderte Familien finden Zugang zu Vorsorge und Gesundheitsdiensten.",
        "measures": "Ausbildung von Gesundheitslotsen, mehrsprachige Informationen.",
        "indicators": "Lotsen im Einsatz: 15",
        "partners": [P.WELFARE_ASSOCIATIONS],
        "programmes": [],
    },
    {
        "title": "Kultursensible Pflege älterer Menschen",
        "field": F.ELDERLY_CARE,
        "stage": S.ACROSS,
        "target_groups": [T.ORGANISATIONS, T.MUNICIPAL_INSTITUTIONS],
        "goal": "Pflegeeinrichtungen öffnen sich für ältere Menschen mit Einwanderungsgeschichte.",
        "measures": "Fachtag, Beratung der Pflegedienste, Seniorennetzwerk.",
        "indicators": "Beratene Einrichtungen: 8",
        "partners": [P.WELFARE_ASSOCIATIONS],
        "programmes": [],
    },
    {
        "title": "Familienbildung mit KOMM-AN und IfKuF",
        "field": F.REFUGEES,
        "stage": S.EARLY,
        "target_groups": [T.CHILDREN_FAMILIES, T.VOLUNTEERS],
        "goal": "Geflüchtete Familien werden in ihrer Erziehungs- und Bildungsrolle gestärkt.",
        "measures": "Elterncafés, Familienbildungskurse, Verweisberatung.",
        "indicators": "Elterncafés pro Monat: 4\nErreichte Familien: 90",
        "partners": [P.FREE_YOUTH_WELFARE, P.WELFARE_ASSOCIATIONS],
        "programmes": [PR.IFKUF],
    },
]

# The state each non-demo centre's current plan is in (index by a stable hash).
STATE_CYCLE = [
    PlanStatus.DRAFT,
    PlanStatus.SUBMITTED,
    PlanStatus.AGREED,
    PlanStatus.REPORTED,
    PlanStatus.ACKNOWLEDGED,
    PlanStatus.REPORTED,
    PlanStatus.SUBMITTED,
    PlanStatus.RETURNED,
    PlanStatus.ACKNOWLEDGED,
    PlanStatus.DRAFT,
]
MISSING = {
    "05113",
    "05566",
    "05962",
    "05770",
}  # Essen, Steinfurt, Märkischer Kreis, Minden-Lübbecke
KOELN, BONN, METTMANN = "05315", "05314", "05158"

STEPS = {
    PlanStatus.DRAFT: [],
    PlanStatus.SUBMITTED: [PlanEventKind.SUBMITTED],
    PlanStatus.RETURNED: [PlanEventKind.SUBMITTED, PlanEventKind.RETURNED],
    PlanStatus.AGREED: [PlanEventKind.SUBMITTED, PlanEventKind.AGREED],
    PlanStatus.REPORTED: [
        PlanEventKind.SUBMITTED,
        PlanEventKind.AGREED,
        PlanEventKind.REPORTED,
    ],
    PlanStatus.ACKNOWLEDGED: [
        PlanEventKind.SUBMITTED,
        PlanEventKind.AGREED,
        PlanEventKind.REPORTED,
        PlanEventKind.ACKNOWLEDGED,
    ],
}


def _status_for(center: Center) -> PlanStatus | None:
    if center.key in MISSING:
        return None
    if center.key == KOELN:
        return PlanStatus.DRAFT
    if center.key == BONN:
        return PlanStatus.AGREED
    if center.key == METTMANN:
        return PlanStatus.RETURNED
    return STATE_CYCLE[int(center.key) % len(STATE_CYCLE)]


# The last step of a plan's timeline (acknowledged by LaSI) comes this many days after the
# start it counts from.
LAST_STEP_DAYS = 100


def _anchor(period_start: datetime.date) -> datetime.date:
    """The day a plan's timeline counts from: the period's start, unless the period began
    so recently that later steps would lie in the future — then the steps come before the
    start (a plan is due before its period begins)."""
    latest = timezone.localdate() - datetime.timedelta(days=LAST_STEP_DAYS + 10)
    return min(period_start, latest)


def _when(period_start: datetime.date, days: int) -> datetime.datetime:
    day = _anchor(period_start) + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def seed(*, scale: int = 1, stdout=None) -> dict[str, int]:
    period = current_period()
    previous = period.previous()
    centers = list(Center.objects.select_related("sponsor").order_by("key"))
    have = set(
        DeploymentPlan.objects.filter(period_start__in=[period.start, previous.start]).values_list(
            "center_id", "period_start"
        )
    )
    leads = {
        m.center_id: m.user
        for m in Membership.objects.filter(role=Role.CENTER_LEAD).select_related("user")
    }
    authorities = {
        m.school_authority_id: m.user
        for m in Membership.objects.filter(role=Role.SCHOOL_AUTHORITY).select_related("user")
    }
    lasi = get_user_model().objects.filter(username="lasi").first()

    plans: list[DeploymentPlan] = []
    wanted: list[tuple[DeploymentPlan, PlanStatus, random.Random]] = []
    for center in centers:
        for p, status in ((previous, PlanStatus.ACKNOWLEDGED), (period, _status_for(center))):
            if status is None or (center.pk, p.start) in have:
                continue
            rng = random.Random(f"plan-{center.key}-{p.start}")
            plan = DeploymentPlan(
                center=center,
                period_start=p.start,
                period_end=p.end,
                status=status,
                is_current=not (center.key == BONN and p is period),
                summary=(
                    f"Das Zentrum „{center.name}“ setzt im Zeitraum {p.label} auf die Bildungskette von "
                    "der frühen Förderung bis zum Übergang in den Beruf und stärkt die "
                    "Zusammenarbeit mit dem Schulamt und den Trägern der Jugendhilfe."
                ),
                partners_agreed_on=_anchor(p.start) - datetime.timedelta(days=rng.randint(20, 60)),
            )
            steps = STEPS[status]
            if steps:
                plan.submitted_at = _when(p.start, 30)
            if PlanEventKind.AGREED in steps:
                plan.agreed_at = _when(p.start, 60)
                plan.agreed_by = authorities.get(center.school_authority_id)
            if PlanEventKind.REPORTED in steps:
                plan.reported_at = _when(p.start, 75)
            if PlanEventKind.ACKNOWLEDGED in steps:
                plan.acknowledged_at = _when(p.start, 100)
            plans.append(plan)
            wanted.append((plan, status, rng))
    if not plans:
        return {"plans": 0}
    bulk_create_with_history(plans, DeploymentPlan, batch_size=500)
    # bulk_create_with_history does not return pks on every backend: read them back.
    by_key = {
        (p.center_id, p.period_start, p.revision): p
        for p in DeploymentPlan.objects.filter(
            period_start__in=[period.start, previous.start], revision=1
        )
    }
    wanted = [(by_key[(p.center_id, p.period_start, 1)], s, r) for p, s, r in wanted]

    foci: list[Focus] = []
    for plan, status, rng in wanted:
        for n, (component, content) in enumerate(BASIC_FOCI.items()):
            foci.append(Focus(plan=plan, basic_component=component, position=n, **content))
        chosen = rng.sample(FOCUS_LIBRARY, k=min(len(FOCUS_LIBRARY), 3 + rng.randint(0, 1)))
        for n, content in enumerate(chosen * scale):
            shared = rng.random() < 0.1 or plan.center.key in (KOELN, METTMANN) and n == 0
            focus = Focus(plan=plan, position=10 + n, shared=shared, **content)
            if (
                status in PlanStatus.editable()
                and plan.period_start == period.start
                and n == len(chosen) - 1
            ):
                # A plan in the works (Köln's draft, Mettmann's returned plan): the last
                # Schwerpunkt's indicators are named, their target values still to be agreed
                # — the team's to-do, and what Mettmann's Schulaufsicht asked for.
                _without_targets(focus)
            foci.append(focus)
    bulk_create_with_history(foci, Focus, batch_size=500)

    # Bonn: revision 1 agreed above; revision 2 is a draft (a change after agreement).
    bonn_new = _bonn_revision(period, leads)

    plan_ids = [p.pk for p, _s, _r in wanted] + ([bonn_new.pk] if bonn_new else [])
    _allocate(plan_ids)

    events: list[TimelineEvent] = []
    comments: list[ReviewComment] = []
    for plan, status, _rng in wanted:
        lead = leads.get(plan.center_id)
        authority = authorities.get(plan.center.school_authority_id)
        actors = {
            PlanEventKind.SUBMITTED: lead,
            PlanEventKind.RETURNED: authority,
            PlanEventKind.AGREED: authority,
            PlanEventKind.REPORTED: lead,
            PlanEventKind.ACKNOWLEDGED: lasi,
        }
        days = {
            PlanEventKind.SUBMITTED: 30,
            PlanEventKind.RETURNED: 45,
            PlanEventKind.AGREED: 60,
            PlanEventKind.REPORTED: 75,
            PlanEventKind.ACKNOWLEDGED: 100,
        }
        start = plan.period_start
        events.append(
            timeline_entry(
                plan,
                center=plan.center,
                kind=PlanEventKind.CREATED,
                actor=lead,
                at=_when(start, -90),
            )
        )
        for action in STEPS[status]:
            events.append(
                timeline_entry(
                    plan,
                    center=plan.center,
                    kind=action,
                    actor=actors[action],
                    at=_when(start, days[action]),
                )
            )
        if plan.period_start != period.start:
            continue
        # Mettmann: the KI-Leitung disputes the comment the plan was returned for (Nr. 3.5).
        conflict = plan.center.key == METTMANN
        if status == PlanStatus.RETURNED and not conflict:
            comments.append(
                ReviewComment(
                    plan=plan,
                    author=authority,
                    author_kind=ReviewComment.AuthorKind.SCHOOL_AUTHORITY,
                    created_at=_when(plan.period_start, 44),
                    text="Bitte ergänzen Sie Zielwerte für den Seiteneinstieg und stimmen Sie "
                    "den Einsatz der Lehrkräfte mit den Schulen ab.",
                )
            )
        if status == PlanStatus.SUBMITTED or conflict:
            comments.append(
                ReviewComment(
                    plan=plan,
                    author=authority,
                    author_kind=ReviewComment.AuthorKind.SCHOOL_AUTHORITY,
                    created_at=_when(plan.period_start, 40),
                    text="Der Anteil der Lehrkräfte an außerschulischen Schwerpunkten "
                    "erscheint uns zu hoch. Bitte erläutern.",
                    escalated_at=_when(plan.period_start, 50) if conflict else None,
                    escalated_by=lead if conflict else None,
                )
            )
    TimelineEvent.objects.bulk_create(events, batch_size=1000)
    bulk_create_with_history(comments, ReviewComment, batch_size=500)
    return {"plans": len(plans) + (1 if bonn_new else 0), "foci": len(foci)}


def _without_targets(focus: Focus) -> None:
    focus.indicators = "\n".join(name for name, _target in focus.indicator_rows())


def _bonn_revision(period, leads) -> DeploymentPlan | None:
    from .services import _copy_focus

    agreed = (
        DeploymentPlan.objects.filter(center__key=BONN, period_start=period.start, revision=1)
        .select_related("center")
        .first()
    )
    if agreed is None or agreed.successors.exists():
        return None
    new = DeploymentPlan.objects.create(
        center=agreed.center,
        period_start=agreed.period_start,
        period_end=agreed.period_end,
        revision=2,
        predecessor=agreed,
        summary=agreed.summary,
        partners_agreed_on=agreed.partners_agreed_on,
    )
    for focus in agreed.foci.all():
        _copy_focus(focus, new)
    # The change after agreement: Bonn's new Schwerpunkt has no target values yet.
    last = new.foci.filter(basic_component="").order_by("-position").first()
    if last is not None:
        _without_targets(last)
        last.save()
    lead = leads.get(agreed.center_id)
    TimelineEvent.objects.bulk_create(
        [
            timeline_entry(
                agreed, center=agreed.center, kind=PlanEventKind.NEW_VERSION, actor=lead
            ),
            timeline_entry(
                new,
                center=new.center,
                kind=PlanEventKind.NEW_VERSION,
                actor=lead,
                note="auf Grundlage von Fassung 1",
            ),
        ]
    )
    return new


def _allocate(plan_ids: list[int]) -> None:
    """Spread each assignment's FTE over one to three Schwerpunkte in quarter
    steps, when the staffing demo has assignments. Köln stays open: its
    KI-Leitung allocates in the demo walk."""
    plans = {
        p.pk: p for p in DeploymentPlan.objects.filter(pk__in=plan_ids).exclude(center__key=KOELN)
    }
    foci_by_plan: dict[int, list[Focus]] = defaultdict(list)
    for focus in Focus.objects.filter(plan_id__in=list(plans)).order_by("position", "id"):
        foci_by_plan[focus.plan_id].append(focus)
    by_center: dict[int, list[Assignment]] = defaultdict(list)
    for a in (
        Assignment.objects.filter(post__center_id__in={p.center_id for p in plans.values()})
        .select_related("post")
        .order_by("pk")
    ):
        by_center[a.post.center_id].append(a)
    rows = []
    for plan in plans.values():
        foci = foci_by_plan[plan.pk]
        rng = random.Random(f"alloc-{plan.center_id}-{plan.period_start}-{plan.revision}")
        for a in by_center[plan.center_id]:
            if a.start > plan.period_end or (a.end and a.end < plan.period_start) or not foci:
                continue
            quarters = int(a.fte * 4)
            remainder = a.fte - Decimal(quarters) / 4
            chosen = rng.sample(foci, min(len(foci), max(1, min(3, quarters))))
            shares = [0] * len(chosen)
            for i in range(quarters):
                shares[i % len(chosen)] += 1
            for n, (focus, q) in enumerate(zip(chosen, shares, strict=True)):
                fte = Decimal(q) / 4 + (remainder if n == 0 else Decimal(0))
                if fte > 0:
                    rows.append(FocusAllocation(focus=focus, assignment=a, fte=fte))
    FocusAllocation.objects.bulk_create(rows, batch_size=1000)
