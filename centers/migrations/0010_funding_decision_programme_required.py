import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("centers", "0009_funding_decisions_grundfoerderung")]

    operations = [
        migrations.AlterField(
            model_name="fundingdecision",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="decisions",
                to="centers.programme",
                verbose_name="Programm",
            ),
        ),
        migrations.AddConstraint(
            model_name="fundingdecision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("replaces__isnull", True)),
                fields=("center", "programme", "year"),
                name="funding_one_first_decision",
            ),
        ),
    ]
