"""Forms of the execution documents: the RAK grid is read field by field (``m_<line>_<month>``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kampung.finance.services.execution import MONTHS, parse_month_amount


def rak_field(line_id: int, month: int) -> str:
    return f"m_{line_id}_{month}"


def rak_entries_from_post(data: Any, line_ids: list[int]) -> tuple[dict[int, list[Decimal]], dict[int, str]]:
    """Each line's 12 months from the posted grid, and per line the fields that are not numbers."""
    entries: dict[int, list[Decimal]] = {}
    errors: dict[int, str] = {}
    for line_id in line_ids:
        months: list[Decimal] = []
        bad: list[int] = []
        for month in range(1, MONTHS + 1):
            raw = data.get(rak_field(line_id, month), "")
            try:
                months.append(parse_month_amount(raw))
            except ValueError:
                months.append(Decimal("0"))
                bad.append(month)
        entries[line_id] = months
        if bad:
            errors[line_id] = "Isian bulan " + ", ".join(str(m) for m in bad) + " bukan angka."
    return entries, errors
