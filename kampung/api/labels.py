"""Printed names of the coded population attributes (national code lists)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CODES_FILE = Path(__file__).resolve().parent.parent / "population" / "data" / "kode_data_kependudukan.csv"


@cache
def _labels() -> dict[tuple[str, int], str]:
    labels: dict[tuple[str, int], str] = {}
    with CODES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["id"].isdigit():
                name = row["nama"].strip()
                labels[(row["daftar"], int(row["id"]))] = name if len(name) <= 4 else name.capitalize()
    return labels


def code_label(code_list: str, value: int | None) -> str:
    """``code_label("agama_id", 1)`` -> ``"Islam"``; an unknown code gives its number."""
    if value is None:
        return ""
    return _labels().get((code_list, int(value)), str(value))
