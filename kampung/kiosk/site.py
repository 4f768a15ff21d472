"""Which regions the public pages and the kiosk serve, and their shared page context.

The regions table holds all of Indonesia; the public pages serve only the regencies this
installation runs, i.e. where anyone holds a role (staff or residents). Any other code is
"not found", so the site never shows empty pages for regencies it does not run.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404

from kampung.regions.models import Level, Region

SERVED_KEY = "public:served-regencies"
# 35 / 35.10 / 35.10.15 / 35.10.15.2004: anything else is not a region code.
CODE_RE = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")


def served_regency_codes() -> list[str]:
    """Codes of the regencies this installation runs (kept a minute in the cache)."""
    codes = cache.get(SERVED_KEY)
    if codes is None:
        from kampung.accounts.models import RoleAssignment

        prefixes = {c[:5] for c in RoleAssignment.objects.values_list("region_id", flat=True).distinct()}
        codes = sorted(
            Region.objects.filter(level=Level.REGENCY, code__in=prefixes).values_list("code", flat=True)
        )
        cache.set(SERVED_KEY, codes, 60)
    return list(codes)


def served_region_or_404(code: str, *levels: int) -> Region:
    """The region with this code if it lies in a served regency (and has one of ``levels``)."""
    code = str(code or "")
    if not CODE_RE.fullmatch(code) or code[:5] not in served_regency_codes():
        raise Http404("Wilayah tidak ditemukan.")
    region = Region.objects.select_related("parent", "parent__parent").filter(code=code).first()
    if region is None or (levels and region.level not in levels):
        raise Http404("Wilayah tidak ditemukan.")
    return region


def regency_of(region: Region) -> Region:
    if region.level == Level.REGENCY:
        return region
    return Region.objects.get(code=region.regency_code)


def trail(region: Region) -> list[Region]:
    """The regency down to ``region`` (for breadcrumbs), without the province."""
    codes = [region.code[:n] for n in (5, 8, 13) if len(region.code) >= n]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def site_context(region: Region) -> dict[str, Any]:
    """What every public and kiosk page's frame needs."""
    regency = regency_of(region)
    return {
        "region": region,
        "regency": regency,
        "trail": trail(region),
        "idle_seconds": int(getattr(settings, "KAMPUNG_KIOSK_IDLE_SECONDS", 60)),
    }
