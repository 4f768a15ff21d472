"""Reads of the region tree, scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from kampung.accounts.scope import scope_for, villages_in_scope
from kampung.regions.models import Holiday, Level, Region, VillageProfile


def village_list(*, actor: Any, search: str = "", district: str = "", kind: str = "") -> QuerySet[Region]:
    qs = villages_in_scope(actor).order_by("code")
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(code__startswith=search) | Q(parent__name__icontains=search)
        )
    if district:
        qs = qs.filter(parent_id=district)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def districts_in_scope(*, actor: Any) -> QuerySet[Region]:
    codes = scope_for(actor).village_codes()
    return (
        Region.objects.filter(level=Level.DISTRICT, children__code__in=sorted(codes))
        .distinct()
        .order_by("code")
    )


def village_profile(*, village: Region) -> VillageProfile | None:
    return VillageProfile.objects.filter(village=village).first()


def holiday_list(*, regency_code: str, year: int) -> QuerySet[Holiday]:
    return Holiday.objects.filter(
        regency_id=regency_code, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
    )
