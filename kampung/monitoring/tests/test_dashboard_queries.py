"""Each dashboard view runs the same number of queries for 2 villages with data as for 12: the
figures are grouped in SQL, never fetched per village or per row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.assistance.tests.factories import programmes
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_B1
from kampung.monitoring.tests.rollup_factories import fill

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year
PAGES = (
    "monitoring:region",
    "monitoring:finance",
    "monitoring:letters",
    "monitoring:programmes",
    "monitoring:population",
)
MORE = (
    "35.10.01.2002",
    "35.10.01.2004",
    "35.10.01.2009",
    "35.10.01.2010",
    "35.10.15.2001",
    "35.10.15.2005",
    "35.10.15.2006",
    "35.10.15.2007",
    "35.10.15.1002",
    "35.10.15.1003",
)


def _count(client: Any, user: Any, name: str, code: str, query: str) -> int:
    client.force_login(user)
    url = reverse(name, args=[code]) + query
    assert client.get(url).status_code == 200  # warm: session, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("query", ["", "?periode=s1", "?unduh=wilayah"])
def test_queries_do_not_grow_with_villages(client: Any, world: Any, name: str, query: str) -> None:
    programmes(YEAR)
    today = dt.date.today()
    if query == "?unduh=wilayah" and name == "monitoring:finance":
        query = "?unduh=serapan"
    if query == "?unduh=wilayah" and name == "monitoring:programmes":
        query = "?unduh=p-rtlh"
    viewers = [
        (world.user(Role.BUPATI, REGENCY), REGENCY),
        (world.user(Role.CAMAT, DISTRICT_A), DISTRICT_A),
        (world.user(Role.SECRETARY, VILLAGE_A1), VILLAGE_A1),
    ]
    for code in (VILLAGE_A1, VILLAGE_B1):
        fill(code, YEAR, seed=3, today=today)
    few = [_count(client, user, name, code, query) for user, code in viewers]
    for code in MORE:
        fill(code, YEAR, seed=3, today=today, desa=code[9] == "2")
    many = [_count(client, user, name, code, query) for user, code in viewers]
    assert few == many
    assert max(many) <= 40
