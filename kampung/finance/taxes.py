"""Taxes the village treasurer withholds (PPh) or collects (PPN, regional taxes) at payment.

Rates come from the dated :class:`~kampung.finance.models.TaxRate` table: the row valid on the
payment date, the regency's own row preferred over the national one for the same code. The
rate without NPWP applies when the payee has no NPWP (and the row has one); no tax is due on
a base at or below the row's threshold (e.g. PPh 22 only on purchases above Rp2.000.000).
Amounts are rounded down to whole rupiah (fractions of a rupiah are never withheld).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q

from kampung.core.errors import KampungError
from kampung.finance.models import TaxRate

ZERO = Decimal("0")
RUPIAH = Decimal("1")
HUNDRED = Decimal("100")
_NPWP_DIGITS = re.compile(r"^\d{15,16}$")


@dataclass(frozen=True)
class TaxAmount:
    code: str
    name: str
    base: Decimal
    rate: Decimal  # percent actually applied (0 when below the threshold)
    amount: Decimal
    below_threshold: bool
    without_npwp: bool


def npwp_digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def valid_npwp(value: str) -> bool:
    """An NPWP is 15 digits (old format) or 16 (the NIK-based one), dots and dashes allowed."""
    return bool(_NPWP_DIGITS.match(npwp_digits(value)))


def _valid_on(day: dt.date, regency_code: str | None) -> Q:
    regency = Q(regency__isnull=True)
    if regency_code:
        regency |= Q(regency_id=regency_code)
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day)) & regency


def rates_on(day: dt.date, regency_code: str | None) -> dict[str, TaxRate]:
    """Every tax code valid on ``day`` with the row that applies (the regency's own row wins
    over the national one; the latest start wins among rows of the same origin)."""
    chosen: dict[str, TaxRate] = {}
    for row in TaxRate.objects.filter(_valid_on(day, regency_code)).order_by("code", "valid_from"):
        current = chosen.get(row.code)
        if current is None:
            chosen[row.code] = row
            continue
        own, current_own = row.regency_id is not None, current.regency_id is not None
        if own and not current_own:
            chosen[row.code] = row
        elif own == current_own and row.valid_from >= current.valid_from:
            chosen[row.code] = row
    return dict(sorted(chosen.items()))


def rate_for(code: str, day: dt.date, regency_code: str | None) -> TaxRate:
    row = rates_on(day, regency_code).get(code)
    if row is None:
        raise KampungError(f"Kode pajak {code} tidak berlaku pada {day:%d-%m-%Y}.")
    return row


def compute(row: TaxRate, base: Decimal, *, has_npwp: bool) -> TaxAmount:
    """The tax of ``row`` on ``base``."""
    base = Decimal(base)
    without = not has_npwp and row.rate_without_npwp is not None
    rate = row.rate_without_npwp if without and row.rate_without_npwp is not None else row.rate
    if base <= row.threshold or base <= 0:
        return TaxAmount(row.code, row.name, base, ZERO, ZERO, True, without)
    amount = (base * rate / HUNDRED).quantize(RUPIAH, rounding=ROUND_DOWN)
    return TaxAmount(row.code, row.name, base, rate, amount, False, without)


def tax_on(code: str, base: Decimal, day: dt.date, regency_code: str | None, *, has_npwp: bool) -> TaxAmount:
    return compute(rate_for(code, day, regency_code), base, has_npwp=has_npwp)
