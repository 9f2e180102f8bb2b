"""Demo Tätigkeitszahlen (``seed_activity``): every centre has figures for last year, Köln
also for this year so far. Deterministic (one random generator per centre and year),
idempotent (a centre's year is made once), bulk inserts with history. A few counts are
rare on purpose (counselled "sonstige", griffbereitMINI, pool assignments in health
care), so that the state sums show hidden small cells."""

from __future__ import annotations

import random

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from centers.models import Center

from .activity import LEVELS
from .models import ActivityFigures

KOELN = "05315"
LANGUAGES = [
    "Arabisch",
    "Türkisch",
    "Ukrainisch",
    "Russisch",
    "Farsi",
    "Dari",
    "Kurdisch (Kurmandschi)",
    "Tigrinya",
    "Rumänisch",
    "Bulgarisch",
    "Polnisch",
    "Albanisch",
    "Somali",
    "Paschtu",
    "Serbisch",
    "Französisch",
]
# (school level, counselled range, placed share range)
LEVEL_SIZES = {
    "primary": ((30, 220), (0.75, 0.95)),
    "secondary_1": ((50, 380), (0.7, 0.92)),
    "secondary_2": ((8, 110), (0.55, 0.85)),
}


def _rare(rng: random.Random, chance: float, high: int) -> int:
    return rng.randint(1, high) if rng.random() < chance else 0


def _figures(center: Center, year: int, share: float) -> ActivityFigures:
    """A plausible year of a centre; ``share``: the part of the year gone by."""
    rng = random.Random(f"activity-{center.key}-{year}")

    def scaled(n: int) -> int:
        return round(n * share)

    values = {}
    for code, _label in LEVELS:
        if code == "other":
            counselled = _rare(rng, 0.15, 2)
            placed = rng.randint(0, counselled)
        else:
            (low, high), (p_low, p_high) = LEVEL_SIZES[code]
            counselled = scaled(rng.randint(low, high))
            placed = round(counselled * rng.uniform(p_low, p_high))
        values[f"counselled_{code}"] = counselled
        values[f"placed_{code}"] = placed
    assignments = scaled(rng.randint(60, 900))
    schools = round(assignments * rng.uniform(0.3, 0.45))
    daycare = round(assignments * rng.uniform(0.1, 0.2))
    authorities = round(assignments * rng.uniform(0.15, 0.25))
    health = _rare(rng, 0.3, 3)
    other = round(assignments * rng.uniform(0.0, 0.1))
    values.update(
        mediation_assignments=max(assignments, schools + daycare + authorities + health + other),
        mediation_schools=schools,
        mediation_daycare=daycare,
        mediation_authorities=authorities,
        mediation_health=health,
        mediation_other=other,
        mediation_languages=", ".join(rng.sample(LANGUAGES, rng.randint(3, 9))),
    )
    griffbereit = rng.randint(0, 8)
    mini = _rare(rng, 0.2, 1)
    rucksack = rng.randint(0, 10)
    groups = griffbereit + mini + rucksack
    values.update(
        groups_griffbereit=griffbereit,
        groups_griffbereit_mini=mini,
        groups_rucksack=rucksack,
        group_sessions=scaled(groups * rng.randint(20, 32)),
        group_participants=groups * rng.randint(6, 12),
    )
    events = scaled(rng.randint(2, 20))
    trainings = scaled(rng.randint(1, 12))
    values.update(
        events=events,
        trainings=trainings,
        event_participants=(events + trainings) * rng.randint(12, 35),
    )
    note = ""
    if center.key == KOELN and share < 1:
        note = "Stand des laufenden Jahres; die Zahlen werden zum Jahresende ergänzt."
    return ActivityFigures(center=center, year=year, note=note, **values)


def seed_activity(today=None) -> int:
    """Figures for every centre for last year and for Köln this year; returns how many
    were made (0 on a second run)."""
    today = today or timezone.localdate()
    last, this = today.year - 1, today.year
    existing = set(
        ActivityFigures.objects.filter(year__in=(last, this)).values_list("center__key", "year")
    )
    share = (today.timetuple().tm_yday) / 365
    rows = []
    for center in Center.objects.order_by("key"):
        if (center.key, last) not in existing:
            rows.append(_figures(center, last, 1.0))
        if center.key == KOELN and (center.key, this) not in existing:
            rows.append(_figures(center, this, min(share, 1.0)))
    for row in rows:
        row.full_clean()
    bulk_create_with_history(rows, ActivityFigures, batch_size=500)
    return len(rows)
