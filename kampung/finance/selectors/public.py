"""The public summary of a village's budget for the transparency pages (issue #10).

Only the current enacted (or elaborated) version counts: revenue by source, spending by
bidang, financing, surplus. No personal data (no executor names, no RAB lines).

Cached in Django's cache. The key carries the newest ``updated_at`` of the village's APBDes
versions of that year (one cheap query), so any change of state of any version — which saves
the row — gives a new key and the old entry is simply never read again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Max

from kampung.finance.budget import budget_snapshot, budget_totals
from kampung.finance.models import Apbdes, ApbdesStatus, FundSource
from kampung.finance.selectors.summary import BIDANG
from kampung.regions.models import Region

CACHE_SECONDS = 60 * 60
PUBLIC_STATES = (ApbdesStatus.ENACTED, ApbdesStatus.ELABORATED)
BIDANG_NAMES = {
    "01": "Penyelenggaraan Pemerintahan Desa",
    "02": "Pelaksanaan Pembangunan Desa",
    "03": "Pembinaan Kemasyarakatan Desa",
    "04": "Pemberdayaan Masyarakat Desa",
    "05": "Penanggulangan Bencana, Keadaan Darurat dan Mendesak Desa",
}


def _share(part: Decimal, whole: Decimal) -> float:
    return round(float(part * 100 / whole), 2) if whole else 0.0


def _cache_key(village_code: str, year: int) -> str | None:
    stamp = Apbdes.objects.filter(village_id=village_code, year=year).aggregate(latest=Max("updated_at"))[
        "latest"
    ]
    if stamp is None:
        return None
    return f"finance:public:{village_code}:{year}:{stamp.timestamp():.6f}"


def _build(village_code: str, year: int) -> dict[str, Any] | None:
    apbdes = (
        Apbdes.objects.filter(village_id=village_code, year=year, status__in=PUBLIC_STATES)
        .order_by("-is_current", "-revision")
        .first()
    )
    if apbdes is None:
        return None
    region = Region.objects.get(code=village_code)
    if not region.keeps_apbdes:
        return None
    totals = budget_totals(budget_snapshot(apbdes))
    names = dict(FundSource.objects.values_list("code", "name"))
    return {
        "village_code": village_code,
        "village_name": region.name,
        "year": year,
        "version": str(apbdes),
        "revision": apbdes.revision,
        "status": apbdes.status,
        "perdes_number": apbdes.perdes_number,
        "perdes_date": apbdes.perdes_date,
        "revenue": {
            "total": totals.revenue,
            "by_source": [
                {
                    "code": code,
                    "name": names.get(code, code),
                    "amount": amount,
                    "share": _share(amount, totals.revenue),
                }
                for code, amount in totals.revenue_by_source.items()
            ],
        },
        "spending": {
            "total": totals.spending,
            "by_bidang": [
                {
                    "code": code,
                    "name": BIDANG_NAMES[code],
                    "amount": totals.spending_by_bidang.get(code, Decimal(0)),
                    "share": _share(totals.spending_by_bidang.get(code, Decimal(0)), totals.spending),
                }
                for code in BIDANG
            ],
        },
        "financing": {"in": totals.financing_in, "out": totals.financing_out, "net": totals.net_financing},
        "surplus": totals.surplus,
        "remaining": totals.remaining,
    }


def apbdes_public_summary(*, village_code: str, year: int) -> dict[str, Any] | None:
    """The public figures of the village's current enacted budget of ``year``, or None."""
    key = _cache_key(village_code, year)
    if key is None:
        return None
    found = cache.get(key)
    if found is not None:
        return found or None
    result = _build(village_code, year)
    cache.set(key, result or {}, CACHE_SECONDS)
    return result
