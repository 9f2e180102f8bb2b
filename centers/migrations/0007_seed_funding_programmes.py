"""The public facts of issue 12 as the programmes' first years. The ministry edits them
in the admin; nothing in code reads these amounts or dates as literals.

Sources: Richtlinien für die Förderung Kommunaler Integrationszentren (BASS 11-02
Nr. 10), the application window for 2026 (17.04.–31.10.2025), KOMM-AN NRW Programmteil I,
IfKuF (Griffbereit, griffbereitMINI, Rucksack KiTa), KIM. Unknown details (drawdown
dates, KOMM-AN's population bands) stay empty or are named in the notes."""

import datetime
from decimal import Decimal

from django.db import migrations

FACHKRAFT, VERWALTUNG = "specialist", "admin_assistant"
CITY, DISTRICT = "kreisfreie Stadt", "Kreis"

PROGRAMMES = [
    {
        "code": "grundfoerderung",
        "name": "Grundförderung Kommunale Integrationszentren",
        "guideline": "Richtlinien für die Förderung Kommunaler Integrationszentren "
        "(BASS 11-02 Nr. 10)",
        "description": "Gekappte Vollfinanzierung der Stellen und des "
        "Laiensprachmittlerpools; Voraussetzung für den Betrieb eines Zentrums (Nr. 1.4).",
        "years": {
            2025: {
                "note": "2025 wurde der Laiensprachmittlerpool in mindestens einem Kreis auf "
                "30.000 € gekürzt; eine Kürzung steht im Bescheid des Zentrums."
            },
            2026: {
                "application_from": datetime.date(2025, 4, 17),
                "application_until": datetime.date(2025, 10, 31),
                "note": "Zwei getrennte Mittelabrufe: Nr. 2.1/2.2 und Nr. 2.3 der Richtlinie; "
                "die Termine setzt die Bezirksregierung Arnsberg.",
            },
        },
        "lines": [
            ("Fachkraftstellen", "Nr. 2.1", FACHKRAFT, CITY, "5", "57000", None),
            ("Fachkraftstellen", "Nr. 2.1", FACHKRAFT, DISTRICT, "6", "57000", None),
            ("Verwaltungsassistenz", "Nr. 2.2", VERWALTUNG, "", "0.5", "22500", None),
            ("Laiensprachmittlerpool (Sachausgaben)", "Nr. 2.3", "", "", None, None, "50000"),
        ],
    },
    {
        "code": "komm-an",
        "name": "KOMM-AN NRW (Programmteil I)",
        "guideline": "Förderrichtlinie KOMM-AN NRW",
        "description": "Fachkraftstellen und Maßnahmen zur Stärkung des Ehrenamts in der "
        "Flüchtlingshilfe.",
        "years": {
            2025: {"note": "Maßnahmen 10.000 / 15.000 / 20.000 € nach Einwohnerzahl; die "
                   "Staffel des Zentrums steht im Bescheid."},  # fmt: skip
            2026: {"note": "Maßnahmen 10.000 / 15.000 / 20.000 € nach Einwohnerzahl; die "
                   "Staffel des Zentrums steht im Bescheid."},  # fmt: skip
        },
        "lines": [
            ("Fachkraftstellen (1, 1,5 oder 2)", "", FACHKRAFT, "", "2", "57000", None),
            ("Maßnahmen (nach Einwohnerzahl)", "", "", "", None, None, "20000"),
        ],
    },
    {
        "code": "ifkuf",
        "name": "Integration durch frühkindliche und familiäre Bildung (IfKuF)",
        "guideline": "Förderung von Griffbereit, griffbereitMINI und Rucksack KiTa",
        "description": "Kooperationsvereinbarung mit dem Träger der Angebote erforderlich.",
        "years": {
            2025: {"application_until": datetime.date(2025, 1, 31)},
            2026: {"application_until": datetime.date(2026, 1, 31)},
        },
        "lines": [
            ("Griffbereit, griffbereitMINI, Rucksack KiTa", "", "", "", None, None, "33300"),
        ],
    },
    {
        "code": "kim",
        "name": "Kommunales Integrationsmanagement (KIM)",
        "guideline": "Förderrichtlinie Kommunales Integrationsmanagement",
        "description": "Baustein 1 auf Antrag bis zum 30. Oktober des Vorjahres; Bausteine "
        "2 und 3 als feste Beträge ohne Antrag.",
        "years": {
            2025: {"application_until": datetime.date(2024, 10, 30)},
            2026: {"application_until": datetime.date(2025, 10, 30)},
        },
        "lines": [],
    },
]


def seed(apps, schema_editor):
    Programme = apps.get_model("centers", "Programme")
    ProgrammeYear = apps.get_model("centers", "ProgrammeYear")
    BudgetLine = apps.get_model("centers", "BudgetLine")
    for position, spec in enumerate(PROGRAMMES):
        programme, _created = Programme.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "guideline": spec["guideline"],
                "description": spec["description"],
                "position": position,
            },
        )
        for year, dates in spec["years"].items():
            programme_year, created = ProgrammeYear.objects.get_or_create(
                programme=programme, year=year, defaults=dates
            )
            if not created:
                continue
            for n, (name, ref, post_kind, center_kind, posts, per_post, flat) in enumerate(
                spec["lines"]
            ):
                BudgetLine.objects.create(
                    programme_year=programme_year,
                    position=n,
                    name=name,
                    guideline_ref=ref,
                    post_kind=post_kind,
                    center_kind=center_kind,
                    max_posts=Decimal(posts) if posts else None,
                    cap_per_post=Decimal(per_post) if per_post else None,
                    flat_cap=Decimal(flat) if flat else None,
                )


class Migration(migrations.Migration):
    dependencies = [("centers", "0006_funding_programmes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
