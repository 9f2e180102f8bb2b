"""German alphabetical order for names (centers.collation).

PostgreSQL gets the collation ``kiportal_de`` from ICU's ``de-DE`` (deterministic, so
equality and unique constraints stay exact); SQLite gets it from ``CentersConfig.ready``
on every connection, so there is nothing to create there.
"""

import django.db.models.functions.comparison
from django.db import migrations, models


def create_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE COLLATION IF NOT EXISTS kiportal_de (provider = icu, locale = 'de-DE')"
        )


def drop_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS kiportal_de")


class Migration(migrations.Migration):

    dependencies = [
        ("centers", "0003_center_status_label"),
    ]

    operations = [
        migrations.RunPython(create_collation, drop_collation, elidable=False),
        migrations.AlterModelOptions(
            name="membership",
            options={
                "ordering": [
                    "role",
                    django.db.models.functions.comparison.Collate(
                        models.F("user__last_name"), "kiportal_de"
                    ),
                    django.db.models.functions.comparison.Collate(
                        models.F("user__first_name"), "kiportal_de"
                    ),
                ],
                "verbose_name": "Mitgliedschaft",
                "verbose_name_plural": "Mitgliedschaften",
            },
        ),
        migrations.AlterField(
            model_name="center",
            name="name",
            field=models.CharField(db_collation="kiportal_de", max_length=150, verbose_name="Name"),
        ),
        migrations.AlterField(
            model_name="municipality",
            name="name",
            field=models.CharField(db_collation="kiportal_de", max_length=120, verbose_name="Name"),
        ),
        migrations.AlterField(
            model_name="schoolauthority",
            name="name",
            field=models.CharField(db_collation="kiportal_de", max_length=150, verbose_name="Name"),
        ),
    ]
