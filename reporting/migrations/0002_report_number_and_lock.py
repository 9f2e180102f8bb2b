"""The report's revision counter was called ``version``; it becomes ``number`` ("Fassung",
its values kept) and ``version`` is now the optimistic lock every workflow object carries
(``centers.workflow.models.Versioned``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centers", "0005_timeline_and_versioned_lock"),
        ("reporting", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="report", name="report_unique_version"),
        migrations.RenameField(model_name="report", old_name="version", new_name="number"),
        migrations.RenameField(model_name="historicalreport", old_name="version", new_name="number"),
        migrations.AddField(
            model_name="report",
            name="version",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="Bearbeitungsstand"
            ),
        ),
        migrations.AddField(
            model_name="historicalreport",
            name="version",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="Bearbeitungsstand"
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                fields=("kind", "center", "period_start", "number"),
                name="report_unique_number",
                nulls_distinct=False,
            ),
        ),
    ]
