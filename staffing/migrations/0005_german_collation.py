"""Names of people and posts in German alphabetical order (centers.collation)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("centers", "0004_german_collation"),
        ("staffing", "0004_post_labels_import_undo"),
    ]

    operations = [
        migrations.AlterField(
            model_name="post",
            name="label",
            field=models.CharField(
                db_collation="kiportal_de",
                help_text="Eindeutig im Zentrum, z. B. „Lehrkraft 3“; so heißt die Stelle in der Personalliste.",
                max_length=100,
                verbose_name="Bezeichnung",
            ),
        ),
        migrations.AlterField(
            model_name="staffmember",
            name="first_name",
            field=models.CharField(db_collation="kiportal_de", max_length=100, verbose_name="Vorname"),
        ),
        migrations.AlterField(
            model_name="staffmember",
            name="last_name",
            field=models.CharField(db_collation="kiportal_de", max_length=100, verbose_name="Nachname"),
        ),
    ]
