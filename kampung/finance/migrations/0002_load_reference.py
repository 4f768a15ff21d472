"""Load the national finance reference data (accounts, activity codes, sources of funds)
and the default Dana Desa earmark rules."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from kampung.finance.defaults import EARMARK_DEFAULTS
    from kampung.finance.loader import reference_load

    reference_load(
        models=(
            apps.get_model("finance", "Account"),
            apps.get_model("finance", "ActivityCode"),
            apps.get_model("finance", "FundSource"),
        )
    )
    rule = apps.get_model("finance", "EarmarkRule")
    for year, label, kind, percent, prefixes, basis in EARMARK_DEFAULTS:
        rule.objects.get_or_create(
            year=year, label=label,
            defaults={"kind": kind, "percent": percent, "activity_prefixes": prefixes, "basis": basis},
        )


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
