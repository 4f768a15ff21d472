"""Template filters for Indonesian formats, available in every template."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import timezone

from kampung.core import formatting

register = template.Library()


@register.filter
def rupiah(value: Decimal | int | float | str | None) -> str:
    return formatting.rupiah(value)


@register.filter
def angka(value: Decimal | int | float | None) -> str:
    return formatting.number_id(value)


@register.filter
def tanggal(value: dt.date | dt.datetime | None) -> str:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formatting.tanggal(value)


@register.filter
def tanggal_waktu(value: dt.datetime | None) -> str:
    if value is not None and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formatting.tanggal_waktu(value)
