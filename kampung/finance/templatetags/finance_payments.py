"""``{% spp_hub_panel village year roles as panel %}``: the payments panel's figures, so the
execution hub can include ``finance/exec/_hub_payments.html`` with its usual context."""

from __future__ import annotations

from typing import Any

from django import template

from kampung.finance.selectors.payments import HubPanel, hub_panel
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

register = template.Library()


@register.simple_tag
def spp_hub_panel(village: Region, year: int, roles: Any = None) -> HubPanel:
    return hub_panel(village.code, int(year), roles, local_today(village))
