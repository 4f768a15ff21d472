"""The region a monitoring page is about, checked against the user's scope, and the
breadcrumbs from the widest region the user sees down to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.monitoring.access import DASHBOARD_ROLES
from kampung.regions.models import Level, Region


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str


def home_region_code(user: Any) -> str | None:
    """The widest region the user watches: their regency, else their district, else their
    village (the first by code when they hold several)."""
    scope = scope_for(user)
    codes = sorted(scope.region_codes(*DASHBOARD_ROLES), key=lambda c: (len(c), c))
    return codes[0] if codes else None


def region_or_404(user: Any, code: str, *roles: str) -> Region:
    """A regency, district or village the user may watch (with ``roles``, default every
    dashboard role); anything else, or a province, is not found."""
    region = region_in_scope_or_404(user, code, *(roles or DASHBOARD_ROLES))
    if region.level not in (Level.REGENCY, Level.DISTRICT, Level.VILLAGE):
        raise Http404("Wilayah tidak dikenal.")
    return region


def breadcrumbs(user: Any, region: Region) -> list[Crumb]:
    """From the widest region the user watches down to ``region`` (at most two queries for
    the parents). Regions above what the user watches are left out: they would not open."""
    top = home_region_code(user) or region.code
    chain: list[Region] = []
    current: Region | None = region
    while current is not None and current.level >= Level.REGENCY:
        if current.code == top or current.code.startswith(top + "."):
            chain.append(current)
        current = current.parent if current.code != top else None
    chain.reverse()
    return [Crumb(r.code, r.name) for r in chain]
