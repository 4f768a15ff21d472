"""Working days of a regency: Monday to Friday less its holidays and collective leave.

Every deadline counted "in working days" (letter SLAs, SPJ within 10 working days, APBDes
evaluation within 20 working days) asks this module.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from kampung.regions.models import Holiday, Region

_SATURDAY = 5


def regency_of(region: Region) -> str:
    return region.code[:5]


def holidays_between(regency_code: str, start: dt.date, end: dt.date) -> set[dt.date]:
    return set(
        Holiday.objects.filter(regency_id=regency_code, date__gte=start, date__lte=end).values_list(
            "date", flat=True
        )
    )


def is_working_day(region: Region, day: dt.date) -> bool:
    if day.weekday() >= _SATURDAY:
        return False
    return not Holiday.objects.filter(regency_id=regency_of(region), date=day).exists()


def add_working_days(region: Region, start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    # Holidays are fetched once for a window wide enough for any realistic run of days off.
    window_end = start + dt.timedelta(days=days * 2 + 40)
    off = holidays_between(regency_of(region), start, window_end)
    current = start
    counted = 0
    while counted < days:
        current += dt.timedelta(days=1)
        if current > window_end:
            window_end = current + dt.timedelta(days=days * 2 + 40)
            off |= holidays_between(regency_of(region), current, window_end)
        if current.weekday() < _SATURDAY and current not in off:
            counted += 1
    return current


def working_days_between(region: Region, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    off = holidays_between(regency_of(region), start, end)
    total = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if current.weekday() < _SATURDAY and current not in off:
            total += 1
    return total


def local_today(region: Region) -> dt.date:
    """Today in the regency's own time zone (WIB, WITA or WIT)."""
    regency = Region.objects.filter(code=regency_of(region)).only("timezone").first()
    zone = ZoneInfo(regency.timezone if regency and regency.timezone else "Asia/Jakarta")
    return timezone.now().astimezone(zone).date()
