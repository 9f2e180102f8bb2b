"""Schulämter loaded before issue 14 read "Schulamt für den Märkischer Kreis": the
adjective before "Kreis" takes the accusative ("für den Märkischen Kreis"), as the
reference data load now writes it. Only names still in the old generated form change."""

import re

from django.db import migrations

OLD = re.compile(r"^(Schulamt für den .*\w)er Kreis$")


def decline(apps, schema_editor):
    SchoolAuthority = apps.get_model("centers", "SchoolAuthority")
    for authority in SchoolAuthority.objects.filter(name__startswith="Schulamt für den "):
        if match := OLD.match(authority.name):
            authority.name = f"{match.group(1)}en Kreis"
            authority.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("centers", "0013_decree_numbers_wording"),
    ]

    operations = [
        migrations.RunPython(decline, migrations.RunPython.noop),
    ]
