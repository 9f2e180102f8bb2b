"""Decisions recorded before issue 12 become the Grundförderung's Bescheide (a data step of
its own: PostgreSQL refuses to alter a table with pending updates in the same transaction)."""

from decimal import Decimal

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
    # ½ Verwaltungsassistenz at up to 22.500 € is 45.000 € per full post (0007 seeded the
    # half post's sum as the cap per post).
    BudgetLine = apps.get_model("centers", "BudgetLine")
    BudgetLine.objects.filter(
        programme_year__programme=basic,
        post_kind="admin_assistant",
        max_posts=Decimal("0.5"),
        cap_per_post=Decimal("22500"),
    ).update(cap_per_post=Decimal("45000"))
    FundingDecision.objects.filter(programme__isnull=True).update(programme=basic)
    HistoricalFundingDecision.objects.filter(programme__isnull=True).update(programme=basic)


class Migration(migrations.Migration):
    dependencies = [("centers", "0008_funding_decisions_per_programme")]

    operations = [migrations.RunPython(attach_to_basic_funding, migrations.RunPython.noop)]
