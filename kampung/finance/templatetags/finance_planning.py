"""``{% planning_panel village year as panel %}``: the planning panel's figures, so the village
finance page can include ``finance/planning/_village_panel.html`` with just ``village`` and
``year`` in its context."""

from __future__ import annotations

from django import template

from kampung.finance.selectors.planning import PlanningPanel
from kampung.finance.selectors.planning import planning_panel as _planning_panel
from kampung.regions.models import Region

register = template.Library()


@register.simple_tag
def planning_panel(village: Region, year: int) -> PlanningPanel:
    return _planning_panel(village=village, year=int(year))
