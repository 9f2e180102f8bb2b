"""Decisions recorded before issue 12 become the Grundförderung's Bescheide (a data step of
its own: PostgreSQL refuses to alter a table with pending updates in the same transaction)."""

from django.db import migrations


def attach_to_basic_funding(apps, schema_editor):
    """Decisions recorded before issue 12 were the Grundförderung's Bescheide: they stay
    what the Nr. 1.4 status reads."""
    Programme = apps.get_model("centers", "Programme")
    FundingDecision = apps.get_model("centers", "FundingDecision")
    HistoricalFundingDecision = apps.get_model("centers", "HistoricalFundingDecision")
    basic, _created = Programme.objects.get_or_create(
        code="grundfoerderung",
        defaults={
            "name": "Grundförderung Kommunale Integrationszentren",
            "guideline": "Richtlinien für die Förderung Kommunaler Integrationszentren "
            "(BASS 11-02 Nr. 10)",
        },
    )
    Programme.objects.filter(pk=basic.pk).update(required_for_operation=True)
    FundingDecision.objects.filter(programme__isnull=True).update(programme=basic)
    HistoricalFundingDecision.objects.filter(programme__isnull=True).update(programme=basic)


class Migration(migrations.Migration):
    dependencies = [("centers", "0008_funding_decisions_per_programme")]

    operations = [migrations.RunPython(attach_to_basic_funding, migrations.RunPython.noop)]
