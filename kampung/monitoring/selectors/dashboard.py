"""The dashboards' reads (regency → district → village), from the roll-up tables only.

Each area has its own module (``dash_finance``, ``dash_letters``, ``dash_programmes``,
``dash_population``); the overview (Ringkasan) combines them. Every function runs a fixed
number of grouped queries whatever the number of villages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kampung.monitoring.periods import Period
from kampung.monitoring.selectors.dash_common import Area, Child, area_of
from kampung.monitoring.selectors.dash_finance import FinanceDashboard, finance_dashboard
from kampung.monitoring.selectors.dash_letters import LettersDashboard, letters_dashboard
from kampung.monitoring.selectors.dash_population import PopulationDashboard, population_dashboard
from kampung.monitoring.selectors.dash_programmes import ProgrammesDashboard, programmes_dashboard

__all__ = [
    "Area",
    "Child",
    "FinanceDashboard",
    "LettersDashboard",
    "Overview",
    "PopulationDashboard",
    "ProgrammesDashboard",
    "area_of",
    "finance_dashboard",
    "letters_dashboard",
    "overview",
    "population_dashboard",
    "programmes_dashboard",
]


@dataclass
class Overview:
    area: Area
    finance: FinanceDashboard
    letters: LettersDashboard
    programmes: ProgrammesDashboard
    population: PopulationDashboard


def overview(area: Area, period: Period, today: dt.date) -> Overview:
    """The headline figures of every area, without the breakdowns the sections show."""
    return Overview(
        area=area,
        finance=finance_dashboard(area, period, today, detail=False),
        letters=letters_dashboard(area, period, today, detail=False),
        programmes=programmes_dashboard(area, period.year),
        population=population_dashboard(area, period, detail=False),
    )
