"""The year and period a dashboard shows (``?tahun=`` and ``?periode=``).

A period is the year (``tahun``), a semester (``s1``, ``s2``) or one month (``1``..``12``).
Flows (revenue, spending, letters, life events) add up the months of the period; stocks
(cash) and absorption run from January to the period's last month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import QueryDict

from kampung.finance.ledger import month_name

MIN_YEAR, MAX_YEAR = 2000, 2100
YEAR = "tahun"
PERIOD_CHOICES: tuple[tuple[str, str], ...] = (
    (YEAR, "Setahun"),
    ("s1", "Semester I (Januari–Juni)"),
    ("s2", "Semester II (Juli–Desember)"),
    *((str(m), month_name(m)) for m in range(1, 13)),
)
_LABELS = dict(PERIOD_CHOICES)


@dataclass(frozen=True)
class Period:
    year: int
    key: str  # "tahun", "s1", "s2", "1".."12"

    @property
    def first_month(self) -> int:
        if self.key == "s2":
            return 7
        if self.key.isdigit():
            return int(self.key)
        return 1

    @property
    def last_month(self) -> int:
        if self.key == "s1":
            return 6
        if self.key.isdigit():
            return int(self.key)
        return 12

    @property
    def months(self) -> range:
        return range(self.first_month, self.last_month + 1)

    @property
    def label(self) -> str:
        return f"{_LABELS[self.key]} {self.year}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The period's last day."""
        if self.last_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.last_month + 1, 1) - dt.timedelta(days=1)

    def query(self) -> str:
        return f"tahun={self.year}&periode={self.key}"


def period_from(query: QueryDict, today: dt.date) -> Period:
    """The period asked for, or this year when the values are missing or not valid."""
    raw_year = query.get("tahun", "")
    year = today.year
    if raw_year.isascii() and raw_year.isdigit() and MIN_YEAR <= int(raw_year) <= MAX_YEAR:
        year = int(raw_year)
    key = query.get("periode", YEAR)
    if key not in _LABELS:
        key = YEAR
    return Period(year, key)
