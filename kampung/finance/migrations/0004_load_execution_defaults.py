"""Load the default tax rates and Dana Desa tranche rules (both dated tables the regency edits)."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from kampung.finance.loader import execution_defaults_load

    execution_defaults_load(models=(apps.get_model("finance", "TaxRate"), apps.get_model("finance", "TrancheRule")))


class Migration(migrations.Migration):
    dependencies = [("finance", "0003_execution")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
