"""Template tags of the execution hub's assets panel (the hub view is shared, so the panel
fetches its own figures): the asset summary, capital spending not yet registered and the
village's Dana Desa tranche readiness for the year."""

from __future__ import annotations

from typing import Any

from django import template

from kampung.finance.selectors.assets import asset_summary, capital_spending
from kampung.finance.selectors.tranches import tranche_readiness

register = template.Library()


@register.simple_tag
def hub_assets(village: Any, year: int) -> dict[str, Any]:
    summary, total = asset_summary(village.code)
    pending = capital_spending(village.code, year)
    readiness = tranche_readiness(village.code, year)
    return {
        "summary": [c for c in summary if c.count],
        "total": total,
        "pending": pending,
        "pending_total": sum((c.amount for c in pending), 0),
        "readiness": readiness,
        "next_main": readiness.next_non_earmark,
        "next_earmark": readiness.next_earmark,
    }
