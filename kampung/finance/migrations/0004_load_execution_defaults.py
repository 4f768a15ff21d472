"""Load the default tax rates and Dana Desa tranche rules (both dated tables the regency edits)."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from kampung.finance.defaults import TAX_RATE_DEFAULTS, TRANCHE_DEFAULTS

    rate = apps.get_model("finance", "TaxRate")
    for code, name, kind, pct, pct_no_npwp, threshold, map_code, start, end, basis, notes in TAX_RATE_DEFAULTS:
        rate.objects.get_or_create(
            code=code,
            regency=None,
            valid_from=start,
            defaults={
                "name": name,
                "kind": kind,
                "rate": pct,
                "rate_without_npwp": pct_no_npwp,
                "threshold": threshold,
                "deposit_code": map_code,
                "valid_to": end,
                "basis": basis,
                "notes": notes,
            },
        )
    rule = apps.get_model("finance", "TrancheRule")
    for year, part, tranche, pct, earliest, latest, apbdes, report, absorption, output, basis in TRANCHE_DEFAULTS:
        rule.objects.get_or_create(
            year=year,
            part=part,
            tranche=tranche,
            defaults={
                "percent": pct,
                "earliest_month": earliest,
                "latest_month": latest,
                "requires_apbdes": apbdes,
                "requires_previous_year_report": report,
                "min_absorption": absorption,
                "min_output": output,
                "basis": basis,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("finance", "0003_execution")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
