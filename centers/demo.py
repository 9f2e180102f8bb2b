"""Demo data for centres and people (``manage.py seed_demo``).

Deterministic (a random generator seeded per centre) and idempotent (every
row is found by its natural key first). Fictitious people get no usable
password; the named demo accounts share ``settings.DEMO_PASSWORD``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from . import services
from .models import Center, CenterStatus, Membership, MunicipalityKind, Role, SchoolAuthority

FIRST_NAMES = [
    "Anna",
    "Ayşe",
    "Benedikt",
    "Claudia",
    "Daniel",
    "Derya",
    "Elena",
    "Emre",
    "Fatma",
    "Frank",
    "Gabriele",
    "Hakan",
    "Ines",
    "Jan",
    "Julia",
    "Katharina",
    "Kemal",
    "Laura",
    "Leon",
    "Magdalena",
    "Marco",
    "Maria",
    "Markus",
    "Mehmet",
    "Miriam",
    "Natalia",
    "Nils",
    "Olga",
    "Paul",
    "Petra",
    "Rania",
    "Sabine",
    "Sebastian",
    "Selin",
    "Stefan",
    "Tanja",
    "Thomas",
    "Ursula",
    "Viktor",
    "Yusuf",
]
LAST_NAMES = [
    "Arslan",
    "Bauer",
    "Becker",
    "Brandt",
    "Çelik",
    "Demir",
    "Fischer",
    "Friedrich",
    "Hartmann",
    "Hoffmann",
    "Jansen",
    "Kaya",
    "Keller",
    "Klein",
    "Koch",
    "Krüger",
    "Lange",
    "Lehmann",
    "Meyer",
    "Möller",
    "Müller",
    "Neumann",
    "Nowak",
    "Öztürk",
    "Peters",
    "Richter",
    "Schäfer",
    "Schmidt",
    "Schneider",
    "Schulz",
    "Schwarz",
    "Sommer",
    "Wagner",
    "Weber",
    "Wolf",
    "Yılmaz",
    "Zimmermann",
]
STAFF_FUNCTIONS = [
    "Bildungskoordination Schule",
    "Seiteneinstieg und Beratung",
    "Elementarbereich",
    "Übergang Schule–Beruf",
    "Laiensprachmittlerpool",
    "Ehrenamtskoordination",
    "Verwaltungsassistenz",
    "Antirassismusarbeit",
]

# Named demo accounts (README): centre key → short name.
DEMO_CENTERS = {"05315": "koeln", "05314": "bonn", "05158": "mettmann"}
STATE_ACCOUNTS = [
    ("lasi", Role.LASI, "Lena", "Albers"),
    ("bewilligung", Role.FUNDING, "Bernd", "Voss"),
]

User = get_user_model()


@dataclass
class _Accounts:
    password_hash: str

    def named(self, username, first, last, email, **extra) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": email, **extra},
        )
        if created or not user.has_usable_password():
            user.password = self.password_hash
            user.save(update_fields=["password"])
        return user

    @staticmethod
    def fictitious(username, first, last, email) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": email}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _email(first: str, last: str, domain: str) -> str:
    return f"{slugify(first)}.{slugify(last)}@{domain}"


def _center_details(center: Center, rng: random.Random) -> None:
    sponsor = center.sponsor
    town = sponsor.name.removeprefix("Kreis ").removeprefix("StädteRegion ")
    building = "Kreishaus" if sponsor.kind == MunicipalityKind.DISTRICT else "Stadthaus"
    changed = False
    defaults = {
        "street": f"{building}, {rng.choice(['Hauptstraße', 'Rathausplatz', 'Am Markt'])} {rng.randint(1, 40)}",
        "postal_code": f"{rng.randint(32000, 59999):05d}",
        "city": town,
        "email": f"ki@{slugify(town)}.example",
        "phone": f"0{rng.randint(200, 299)} {rng.randint(100000, 999999)}",
        "founded_on": f"{rng.choice([2013, 2013, 2014, 2015])}-{rng.randint(1, 12):02d}-01",
        "status": CenterStatus.FOUNDING if rng.random() < 0.04 else CenterStatus.ACTIVE,
    }
    for field, value in defaults.items():
        if not getattr(center, field):
            setattr(center, field, value)
            changed = True
    if changed:
        services.center_save(center=center)


def seed(*, scale: int = 1, stdout=None) -> dict[str, int]:
    accounts = _Accounts(password_hash=make_password(settings.DEMO_PASSWORD))

    ministry = accounts.named(
        "ministerium",
        "Miriam",
        "Steiner",
        "ministerium@mkjfgfi.example",
        is_staff=True,
        is_superuser=True,
    )
    services.membership_grant(user=ministry, role=Role.MINISTRY, function="Referat Integration")
    for username, role, first, last in STATE_ACCOUNTS:
        user = accounts.named(username, first, last, f"{username}@bezreg-arnsberg.example")
        services.membership_grant(user=user, role=role)

    authorities = {a.pk: a for a in SchoolAuthority.objects.all()}
    for authority in authorities.values():
        rng = random.Random(f"sa-{authority.key}")
        first, last = _person(rng)
        if not authority.contact_name:
            authority.contact_name = f"{first} {last}"
            authority.contact_email = _email(first, last, f"schulamt-{authority.key}.example")
            authority.contact_phone = f"0{rng.randint(200, 299)} {rng.randint(100000, 999999)}"
            authority.full_clean()
            authority.save()

    centers = list(Center.objects.select_related("sponsor", "school_authority").order_by("key"))
    demo_sa_users = {}
    for center in centers:
        rng = random.Random(f"center-{center.key}")
        _center_details(center, rng)
        domain = f"ki-{center.key}.example"
        short = DEMO_CENTERS.get(center.key)

        first, last = _person(rng)
        if short:
            lead = accounts.named(f"ki-{short}-leitung", first, last, _email(first, last, domain))
        else:
            lead = accounts.fictitious(
                f"ki-{center.key}-leitung", first, last, _email(first, last, domain)
            )
        services.membership_grant(
            user=lead, role=Role.CENTER_LEAD, center=center, function="Leitung"
        )

        if short:
            first, last = _person(rng)
            staff = accounts.named(f"ki-{short}", first, last, _email(first, last, domain))
            services.membership_grant(
                user=staff, role=Role.CENTER_STAFF, center=center, function=STAFF_FUNCTIONS[0]
            )
            first, last = _person(rng)
            sponsor = accounts.named(
                f"traeger-{short}",
                first,
                last,
                _email(first, last, f"traeger-{center.key}.example"),
            )
            services.membership_grant(
                user=sponsor, role=Role.SPONSOR, center=center, function="Dezernat Integration"
            )
            first, last = _person(rng)
            demo_sa_users[center.school_authority_id] = accounts.named(
                f"schulamt-{short}",
                first,
                last,
                _email(first, last, f"schulamt-{center.school_authority.key}.example"),
            )
        _fictitious_staff(center, rng, scale, accounts, domain)

    for authority_id, authority in authorities.items():
        user = demo_sa_users.get(authority_id)
        if user is None:
            rng = random.Random(f"sa-user-{authority.key}")
            first, last = _person(rng)
            user = accounts.fictitious(
                f"schulamt-{authority.key}",
                first,
                last,
                _email(first, last, f"schulamt-{authority.key}.example"),
            )
        services.membership_grant(
            user=user,
            role=Role.SCHOOL_AUTHORITY,
            school_authority=authority,
            function="Integration durch Bildung",
        )
    concepts = seed_concepts()
    return {
        "centers": len(centers),
        "memberships": Membership.objects.count(),
        "concepts": concepts,
    }


def _fictitious_staff(center, rng, scale, accounts, domain) -> None:
    """Three Mitarbeitende and one Träger contact per centre, times ``scale``."""
    for n in range(3 * scale):
        first, last = _person(rng)
        user = accounts.fictitious(
            f"ki-{center.key}-m{n + 1:02d}", first, last, _email(first, last, domain)
        )
        services.membership_grant(
            user=user,
            role=Role.CENTER_STAFF,
            center=center,
            function=STAFF_FUNCTIONS[n % len(STAFF_FUNCTIONS)],
        )
    if center.key not in DEMO_CENTERS:
        first, last = _person(rng)
        user = accounts.fictitious(
            f"traeger-{center.key}",
            first,
            last,
            _email(first, last, f"traeger-{center.key}.example"),
        )
        services.membership_grant(
            user=user, role=Role.SPONSOR, center=center, function="Dezernat Integration"
        )


# --- Integrationskonzepte and Landesförderung (issue 3) ------------------------------------

# The demo centres get states that give each demo user something to do, on whatever day
# seed_demo runs (every date is counted back from ``today``):
# Köln is active (Nr. 1.4): its approved concept is current and this year's funding is
#   decided, but the concept ends within the months the to-do list looks ahead, so
#   ki-koeln-leitung prepares the Fortschreibung;
# Bonn: a Fortschreibung was returned with a reason (ki-bonn-leitung fixes it);
# Mettmann (a Kreis): a Fortschreibung is submitted (bewilligung decides).
# Other centres are spread over every state, inactive ones included (no concept, an outdated
# one, no Förderbescheid for the year).
KOELN = "05315"
DEMO_CONCEPT_SCENARIOS = {KOELN: "expiring", "05314": "returned", "05158": "submitted"}
SCENARIOS = [
    (0.50, "approved"),
    (0.58, "outdated"),
    (0.72, "submitted"),
    (0.78, "first_submitted"),
    (0.84, "returned"),
    (0.92, "draft"),
    (1.00, "missing"),
]
OTHER_PARTNERS = [
    "Kommunales Bildungsbüro",
    "Jobcenter",
    "Kreishandwerkerschaft",
    "Volkshochschule",
    "Migrantenselbstorganisationen",
]
WELFARE = [
    "Arbeitsgemeinschaft der Wohlfahrtsverbände",
    "AWO, Caritas, Diakonie, DRK und Paritätischer",
    "Caritasverband und Diakonisches Werk",
]
FREE_YOUTH = ["Arbeitsgemeinschaft nach § 78 SGB VIII", "Jugendring", "Freie Träger im JHA"]


def _scenario(center, rng) -> str:
    if center.key in DEMO_CONCEPT_SCENARIOS:
        return DEMO_CONCEPT_SCENARIOS[center.key]
    roll = rng.random()
    return next(name for limit, name in SCENARIOS if roll < limit)


def _days_ago(today, days):
    from datetime import timedelta

    return today - timedelta(days=days)


def _at(day, hour=10):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _concept(center, number, *, title, status, resolved, lead, predecessor=None, rng, today):
    from django.core.files.base import ContentFile

    from .documents import sample_pdf
    from .models import IntegrationConcept
    from .services import default_resolution_body, requires_municipalities_agreement

    concept = IntegrationConcept(
        center=center,
        number=number,
        predecessor=predecessor,
        title=title,
        summary=(
            "Handlungsfelder: Bildung entlang der Bildungskette, Seiteneinstieg, "
            "Sprachbildung, Antirassismusarbeit und Ehrenamt."
        ),
        status=status,
    )
    if resolved:
        concept.resolution_body = default_resolution_body(center)
        concept.resolution_date = resolved
        concept.resolution_reference = f"Vorlage {resolved.year}/{rng.randint(100, 999)}"
        if requires_municipalities_agreement(center):
            concept.municipalities_agreed_on = _days_ago(resolved, rng.randint(20, 60))
            concept.municipalities_note = (
                "Abgestimmt in der Konferenz der Bürgermeisterinnen und Bürgermeister."
            )
        pdf = sample_pdf([title, f"Fassung {number}", center.name])
        concept.document_name = f"Integrationskonzept_{center.key}_Fassung_{number}.pdf"
        concept.document_size = len(pdf)
        concept.document.save("konzept.pdf", ContentFile(pdf), save=False)
    concept._history_user = lead
    concept.save()
    return concept


def _participations(concept, center, rng, start, *, leave_out=0):
    from simple_history.utils import bulk_create_with_history

    from .models import ConceptParticipation, PartnerKind

    town = center.sponsor.name.removeprefix("Kreis ").removeprefix("StädteRegion ")
    names = {
        PartnerKind.SCHOOL_AUTHORITY: center.school_authority.name,
        PartnerKind.SCHOOL_ADMINISTRATION: f"Schulverwaltungsamt {town}",
        PartnerKind.PUBLIC_YOUTH_WELFARE: f"Jugendamt {town}",
        PartnerKind.FREE_YOUTH_WELFARE: rng.choice(FREE_YOUTH),
        PartnerKind.WELFARE_ASSOCIATIONS: rng.choice(WELFARE),
        PartnerKind.COUNCIL_BODIES: "Integrationsrat"
        if center.sponsor.kind != MunicipalityKind.DISTRICT
        else "Integrationsausschuss des Kreistags",
        PartnerKind.OTHER: rng.choice(OTHER_PARTNERS),
    }
    kinds = list(PartnerKind.required())
    if leave_out:
        kinds = kinds[:-leave_out]
    if rng.random() < 0.7:
        kinds.append(PartnerKind.OTHER)
    rows = [
        ConceptParticipation(
            concept=concept,
            partner_kind=kind,
            partner_name=names[kind],
            involved_on=_days_ago(start, rng.randint(0, 90)),
            note=rng.choice(["Auftaktworkshop", "Stellungnahme eingegangen", "Arbeitsgruppe", ""]),
        )
        for kind in kinds
    ]
    bulk_create_with_history(rows, ConceptParticipation)


def _events(concept, rows):
    from .workflow.models import TimelineEvent
    from .workflow.transitions import timeline_entry

    TimelineEvent.objects.bulk_create(
        [
            timeline_entry(concept, center=concept.center, kind=k, at=at, actor=by, note=note)
            for k, at, by, note in rows
        ]
    )


def _approved(center, number, *, resolved, lead, funder, rng, today, predecessor=None, status=None):
    from .models import ConceptEventKind, ConceptStatus

    title = f"Integrationskonzept {center.sponsor.name}" + (
        f" – Fortschreibung {resolved.year}" if predecessor else ""
    )
    concept = _concept(
        center,
        number,
        title=title,
        status=status or ConceptStatus.APPROVED,
        resolved=resolved,
        lead=lead,
        predecessor=predecessor,
        rng=rng,
        today=today,
    )
    submitted = _days_ago(resolved, -14)
    decided = _days_ago(submitted, -rng.randint(20, 60))
    concept.submitted_at = _at(submitted)
    concept.decided_at = _at(decided)
    concept.decided_by = funder
    concept.save(update_fields=["submitted_at", "decided_at", "decided_by"])
    _participations(concept, center, rng, _days_ago(resolved, 120))
    _events(
        concept,
        [
            (ConceptEventKind.CREATED, _at(_days_ago(resolved, 200)), lead, ""),
            (ConceptEventKind.RESOLUTION_RECORDED, _at(resolved, 16), lead, ""),
            (ConceptEventKind.DOCUMENT_UPLOADED, _at(resolved, 17), lead, concept.document_name),
            (ConceptEventKind.SUBMITTED, _at(submitted), lead, ""),
            (ConceptEventKind.APPROVED, _at(decided), funder, ""),
        ],
    )
    return concept


def _open_concept(center, number, state, *, predecessor, lead, funder, rng, today):
    """A Fortschreibung (or first concept) in draft, submitted or returned."""
    from .models import ConceptEventKind, ConceptStatus

    created = _days_ago(today, rng.randint(40, 120))
    if state == "draft":
        resolved = None if rng.random() < 0.5 else _days_ago(today, rng.randint(10, 30))
        status = ConceptStatus.DRAFT
    else:
        resolved = _days_ago(today, rng.randint(25, 35))
        status = ConceptStatus.SUBMITTED if state == "submitted" else ConceptStatus.RETURNED
    title = f"Integrationskonzept {center.sponsor.name}" + (
        f" – Fortschreibung {today.year}" if predecessor else ""
    )
    concept = _concept(
        center,
        number,
        title=title,
        status=status,
        resolved=resolved,
        lead=lead,
        predecessor=predecessor,
        rng=rng,
        today=today,
    )
    events = [(ConceptEventKind.CREATED, _at(created), lead, "")]
    if state == "draft":
        _participations(concept, center, rng, created, leave_out=rng.randint(1, 3))
        if resolved:
            events.append((ConceptEventKind.RESOLUTION_RECORDED, _at(resolved), lead, ""))
            events.append(
                (ConceptEventKind.DOCUMENT_UPLOADED, _at(resolved, 11), lead, concept.document_name)
            )
    else:
        _participations(concept, center, rng, created)
        submitted = _days_ago(today, rng.randint(3, 20))
        concept.submitted_at = _at(submitted)
        events += [
            (ConceptEventKind.RESOLUTION_RECORDED, _at(resolved), lead, ""),
            (ConceptEventKind.DOCUMENT_UPLOADED, _at(resolved, 11), lead, concept.document_name),
            (ConceptEventKind.SUBMITTED, _at(submitted), lead, ""),
        ]
        if state == "returned":
            concept.return_reason = (
                "Die Beteiligung der Träger der freien Jugendhilfe ist nur als Vermerk "
                "dokumentiert. Bitte ergänzen Sie das Protokoll der Arbeitsgemeinschaft "
                "nach § 78 SGB VIII und laden Sie das Konzept mit Anlage erneut hoch."
            )
            concept.decided_at = _at(_days_ago(submitted, -2))
            concept.decided_by = funder
            events.append(
                (ConceptEventKind.RETURNED, concept.decided_at, funder, concept.return_reason)
            )
        concept.save(update_fields=["submitted_at", "return_reason", "decided_at", "decided_by"])
    _events(concept, events)
    return concept


def ensure_programme_years(years, user) -> None:
    """Every programme has the demo's budget years: a missing year starts from the nearest
    one the ministry keeps (``programme_year_copy``), so the demo works on any day."""
    from .programmes import Programme
    from .services import programme_year_write_copy

    for programme in Programme.objects.prefetch_related("years"):
        kept = {py.year: py for py in programme.years.all()}
        for year in years:
            if kept and year not in kept:
                nearest = kept[min(kept, key=lambda y: (abs(y - year), -y))]
                kept[year] = programme_year_write_copy(programme_year=nearest, year=year, user=user)


def _funding(center, year, rng, funder, today):
    """The Grundförderung's Bescheid of ``year``: each line of the programme year at its
    cap (in a few Kreise the Laiensprachmittlerpool reduced, as in 2025)."""
    from datetime import date
    from decimal import Decimal

    from .models import DecisionKind, FundingDecision
    from .programmes import ProgrammeYear
    from .services import DecisionLine, decision_write

    existing = FundingDecision.objects.filter(
        center=center, year=year, programme__required_for_operation=True
    ).first()
    if existing is not None:
        return existing
    programme_year = (
        ProgrammeYear.objects.filter(programme__required_for_operation=True, year=year)
        .select_related("programme")
        .first()
    )
    if programme_year is None:
        return None
    lines = []
    for line in programme_year.lines_for(center):
        if line.per_post:
            lines.append(DecisionLine(budget_line=line, posts=line.max_posts, amount=line.cap))
        else:
            reduced = rng.random() < 0.2
            amount = (line.cap * Decimal("0.6")).quantize(Decimal("1")) if reduced else line.cap
            lines.append(DecisionLine(budget_line=line, amount=amount))
    decided = (
        date(year, 1, rng.randint(10, 28))
        if year < today.year
        else min(date(year, 1, rng.randint(10, 28)), today)
    )
    decision = FundingDecision(
        center=center,
        programme=programme_year.programme,
        year=year,
        kind=DecisionKind.GRANT,
        amount=Decimal("0.00"),
        funded_posts=Decimal("0.00"),
        file_number=f"36.03.04-{center.key}/{year}",
        decided_on=decided,
    )
    return decision_write(decision, funder, lines=lines, upload=None)


def _expiring_resolution(today):
    """A resolution date whose concept is current today (Nr. 1.4) and ends within the months
    the KI-Leitung's to-do list looks ahead (two thirds of them)."""
    from .dates import add_months, add_years

    months = max(1, settings.TODO_CONCEPT_EXPIRY_MONTHS_CENTER * 2 // 3)
    return add_years(add_months(today, months), -settings.CONCEPT_VALIDITY_YEARS)


def seed_concepts(*, today=None) -> dict[str, int]:
    """Concepts in every state and funding decisions for the 54 centres (idempotent:
    a centre that has any concept keeps it)."""
    from django.utils import timezone

    from .models import IntegrationConcept, TargetAgreement

    today = today or timezone.localdate()
    funder = User.objects.filter(username="bewilligung").first()
    leads = {
        m.center_id: m.user
        for m in Membership.objects.filter(role=Role.CENTER_LEAD).select_related("user")
    }
    seeded = set(IntegrationConcept.objects.values_list("center_id", flat=True).distinct())
    ensure_programme_years(range(today.year - 1, today.year + 2), funder)
    centers = Center.objects.select_related("sponsor", "school_authority").order_by("key")
    counts: dict[str, int] = {}
    for center in centers:
        rng = random.Random(f"concept-{center.key}")
        scenario = _scenario(center, rng)
        counts[scenario] = counts.get(scenario, 0) + 1
        lead = leads.get(center.pk)
        if center.pk not in seeded and scenario != "missing":
            if scenario == "first_submitted":
                _open_concept(
                    center,
                    1,
                    "submitted",
                    predecessor=None,
                    lead=lead,
                    funder=funder,
                    rng=rng,
                    today=today,
                )
            elif scenario == "draft" and rng.random() < 0.4:
                _open_concept(
                    center,
                    1,
                    "draft",
                    predecessor=None,
                    lead=lead,
                    funder=funder,
                    rng=rng,
                    today=today,
                )
            else:
                if scenario == "expiring":
                    resolved = _expiring_resolution(today)
                else:
                    outdated = scenario == "outdated"
                    years_ago = rng.randint(6, 7) if outdated else rng.randint(1, 3)
                    resolved = _days_ago(today, 365 * years_ago + rng.randint(0, 150))
                approved = _approved(
                    center,
                    1,
                    resolved=resolved,
                    lead=lead,
                    funder=funder,
                    rng=rng,
                    today=today,
                )
                if scenario in ("submitted", "returned", "draft"):
                    _open_concept(
                        center,
                        2,
                        scenario,
                        predecessor=approved,
                        lead=lead,
                        funder=funder,
                        rng=rng,
                        today=today,
                    )
        # Funding: last year for all that have a concept; this year for most. An own
        # generator, so a second run (concepts skipped) decides the same way.
        rng = random.Random(f"funding-{center.key}")
        no_funding_now = scenario == "missing" or (center.key != KOELN and rng.random() < 0.1)
        if scenario != "missing":
            _funding(center, today.year - 1, rng, funder, today)
        if not no_funding_now:
            _funding(center, today.year, rng, funder, today)
        if rng.random() < 0.15 and not TargetAgreement.objects.filter(center=center).exists():
            from datetime import date

            agreement = TargetAgreement(
                center=center,
                valid_from=date(today.year, 1, 1),
                valid_until=date(today.year + 1, 12, 31),
                concluded_on=min(date(today.year, 2, rng.randint(1, 28)), today),
                text=(
                    "Schwerpunkte: Seiteneinstieg in Schulen, durchgängige Sprachbildung "
                    "im Elementarbereich, Ehrenamtskoordination."
                ),
            )
            agreement._history_user = funder
            agreement.save()
    return counts
