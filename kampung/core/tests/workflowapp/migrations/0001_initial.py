import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("regions", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Paper",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(default="draf", max_length=20)),
                ("amount", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                (
                    "village",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="regions.region"),
                ),
            ],
        ),
    ]
