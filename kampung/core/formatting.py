"""Indonesian formats for money and dates: "Rp 1.250.000", "14 Februari 2018"."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _group(digits: str) -> str:
    parts: list[str] = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return ".".join(parts)


def rupiah(value: Decimal | int | float | str | None, *, cents: bool = False) -> str:
    """Format an amount the Indonesian way: ``Rp 1.250.000`` or ``-Rp 5.000``.

    Thousands are grouped with a dot and decimals (only with ``cents=True``) follow a comma.
    """
    if value is None or value == "":
        return "-"
    amount = Decimal(str(value))
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if cents:
        quantized = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        whole, _, frac = f"{quantized:f}".partition(".")
        return f"{sign}Rp {_group(whole)},{frac}"
    whole = f"{amount.quantize(Decimal('1'), rounding=ROUND_HALF_UP):f}"
    return f"{sign}Rp {_group(whole)}"


def number_id(value: Decimal | int | float | None) -> str:
    """Group a number with dots: 1.700.000."""
    if value is None:
        return "-"
    amount = Decimal(str(value))
    sign = "-" if amount < 0 else ""
    whole = f"{abs(amount).quantize(Decimal('1'), rounding=ROUND_HALF_UP):f}"
    return f"{sign}{_group(whole)}"


def tanggal(value: dt.date | dt.datetime | None, *, with_day: bool = False) -> str:
    """``14 Februari 2018`` (``Rabu, 14 Februari 2018`` with the day name)."""
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        value = value.date()
    text = f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}"
    if with_day:
        return f"{DAYS_ID[value.weekday()]}, {text}"
    return text


def tanggal_waktu(value: dt.datetime | None) -> str:
    """``14 Februari 2018 09.30`` (Indonesian writes times with a dot)."""
    if value is None:
        return "-"
    return f"{tanggal(value)} {value:%H}.{value:%M}"


def bulan_romawi(month: int) -> str:
    return ROMAN_MONTHS[month - 1]
