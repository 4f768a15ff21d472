"""Reads about accounts, always scoped to the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from kampung.accounts.roles import role_label
from kampung.accounts.scope import scope_for
from kampung.regions.models import Kind, Level, Region


@dataclass(frozen=True)
class GrantRow:
    role: str
    role_label: str
    region: Region


@dataclass(frozen=True)
class HomeSummary:
    grants: list[GrantRow]
    village_count: int
    desa_count: int
    kelurahan_count: int
    districts: list[Any]


def home_summary(*, user: Any) -> HomeSummary:
    scope = scope_for(user)
    regions = Region.objects.in_bulk([g.region_code for g in scope.grants])
    grants = [
        GrantRow(
            g.role,
            role_label(g.role, kelurahan=regions[g.region_code].kind == Kind.KELURAHAN),
            regions[g.region_code],
        )
        for g in scope.grants
        if g.region_code in regions
    ]
    codes = sorted(scope.village_codes())
    villages = Region.objects.filter(code__in=codes)
    kinds = dict(villages.values_list("kind").annotate(n=Count("code")).order_by())
    districts = list(
        Region.objects.filter(level=Level.DISTRICT, children__code__in=codes)
        .annotate(villages=Count("children"))
        .values("code", "name", "villages")
        .order_by("code")
    )
    return HomeSummary(
        grants=grants,
        village_count=len(codes),
        desa_count=kinds.get(Kind.DESA, 0) + kinds.get(Kind.DESA_ADAT, 0),
        kelurahan_count=kinds.get(Kind.KELURAHAN, 0),
        districts=districts,
    )


def official_list(*, actor: Any, village: Region) -> list[Any]:
    """The village's active officials; the caller has already resolved ``village`` in scope."""
    from kampung.accounts.models import Official

    if village.code not in scope_for(actor).village_codes():
        return []
    return list(Official.objects.filter(village=village, active=True).order_by("order", "name"))
