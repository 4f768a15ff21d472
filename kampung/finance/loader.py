"""Load the finance reference data (account codes, activity codes, sources of funds) from the
CSV files in ``kampung/finance/data/``. Idempotent: existing national rows are updated, new
ones added, nothing deleted (budgets point at the codes)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

# Sources whose revenue is a transfer with a ceiling set by the regency (or the centre).
TRANSFER_SOURCES = frozenset({"DDS", "ADD", "PBH", "PBK", "PBP"})


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reference_load(*, models: tuple[Any, Any, Any] | None = None) -> dict[str, int]:
    """Load accounts, activity codes and sources; ``models`` lets a migration pass its own."""
    if models is None:
        from kampung.finance.models import Account, ActivityCode, FundSource

        models = (Account, ActivityCode, FundSource)
    account_model, activity_model, source_model = models
    counts = {"rekening": 0, "kegiatan": 0, "sumber": 0}
    for row in read_csv("kode_rekening.csv"):
        account_model.objects.update_or_create(
            code=row["kode"],
            regency=None,
            defaults={
                "level": int(row["level"]),
                "name": row["nama"],
                "lampiran_name": row["nama_lampiran"],
                "parent_code": row["parent"],
                "is_local_range": bool(row["rentang_lokal"]),
                "source": row["sumber"][:200],
            },
        )
        counts["rekening"] += 1
    for row in read_csv("bidang_kegiatan.csv"):
        activity_model.objects.update_or_create(
            code=row["kode"],
            regency=None,
            defaults={
                "level": row["level"],
                "name": row["nama"],
                "short_name": row["nama_opensid"],
                "parent_code": row["parent"],
                "is_local_range": bool(row["rentang_lokal"]),
                "note": row["catatan"][:255],
                "source": row["sumber"][:200],
            },
        )
        counts["kegiatan"] += 1
    for order, row in enumerate(read_csv("sumber_dana.csv"), start=1):
        source_model.objects.update_or_create(
            code=row["kode"],
            defaults={
                "name": row["nama"],
                "variants": row["nama_varian"],
                "revenue_account": row["kode_rekening_pendapatan"],
                "is_transfer": row["kode"] in TRANSFER_SOURCES,
                "order": order,
            },
        )
        counts["sumber"] += 1
    return counts


def execution_defaults_load(*, models: tuple[Any, Any] | None = None) -> dict[str, int]:
    """Load the default dated tax rates and Dana Desa tranche rules (rows already there are
    kept); ``models`` (TaxRate, TrancheRule) lets a migration pass its own."""
    from kampung.finance.defaults import TAX_RATE_DEFAULTS, TRANCHE_DEFAULTS

    if models is None:
        from kampung.finance.models import TaxRate, TrancheRule

        models = (TaxRate, TrancheRule)
    rate_model, rule_model = models
    rates = rules = 0
    for (
        code,
        name,
        kind,
        pct,
        pct_no_npwp,
        threshold,
        map_code,
        start,
        end,
        basis,
        notes,
    ) in TAX_RATE_DEFAULTS:
        _, made = rate_model.objects.get_or_create(
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
        rates += made
    for (
        year,
        part,
        tranche,
        pct,
        earliest,
        latest,
        apbdes,
        report,
        absorption,
        output,
        basis,
    ) in TRANCHE_DEFAULTS:
        _, made = rule_model.objects.get_or_create(
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
        rules += made
    return {"tax_rates": rates, "tranche_rules": rules}
