"""The public pages cost a fixed number of queries whatever the number of villages: the
same count with roll-ups for 3 villages as for 30, and under a small bound."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1
from kampung.kiosk.selectors_public import today
from kampung.monitoring.models import (
    FinanceFigure,
    FinanceYear,
    LetterMonth,
    LetterOpen,
    PopulationEvent,
    PopulationFigure,
    PopulationVillage,
    ProgrammeFigure,
)
from kampung.monitoring.tests import rollup_factories as rf
from kampung.regions.models import Kind, Level, Region

pytestmark = pytest.mark.django_db

# Measured: 3 to 14 queries a page (the village profile the most: overview of five areas,
# profile, officials, announcements); the same with 3 villages as with 30.
BOUND = 20
ROLLUPS = (
    FinanceFigure,
    FinanceYear,
    LetterMonth,
    LetterOpen,
    PopulationEvent,
    PopulationFigure,
    PopulationVillage,
    ProgrammeFigure,
)
PAGES = [
    ("region", REGENCY),
    ("region", DISTRICT_A),
    ("villages", REGENCY),
    ("villages", DISTRICT_A),
    ("services", REGENCY),
    ("announcements", REGENCY),
    ("region", VILLAGE_A1),
    ("population", VILLAGE_A1),
    ("budget", VILLAGE_A1),
    ("projects", VILLAGE_A1),
    ("programmes", VILLAGE_A1),
    ("services", VILLAGE_A1),
    ("announcements", VILLAGE_A1),
]


def _fill(n: int) -> None:
    codes = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=REGENCY + ".", kind=Kind.DESA)
        .order_by("code")
        .values_list("code", flat=True)[:n]
    )
    assert VILLAGE_A1 in codes
    for code in codes:
        rf.fill(code, today().year, seed=3, today=today())


def _counts(client: Client) -> dict[str, int]:
    counts = {}
    for name, code in PAGES:
        cache.clear()
        client.get(reverse("public:home"))  # the served regencies are cached for a minute
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(f"public:{name}", kwargs={"code": code}))
        assert response.status_code == 200
        counts[f"{name} {code}"] = len(captured)
    return counts


def test_query_count_does_not_grow_with_villages(world: Any, client: Client) -> None:
    _fill(3)
    few = _counts(client)
    for model in ROLLUPS:
        model.objects.all().delete()
    _fill(30)
    many = _counts(client)
    assert many == few
    assert max(many.values()) <= BOUND, many
