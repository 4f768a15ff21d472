"""The finance dashboard over roll-ups computed from real books (the demo's enacted APBDes
and a year of transactions): its totals equal sums of the roll-up rows, and the tranche and
reporting tables read the roll-up's own JSON and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, VILLAGE_A1, VILLAGE_A2
from kampung.demo.finance import finance_fill
from kampung.demo.finance_execution import execution_fill
from kampung.monitoring.models import Area, FinanceFigure, FinanceYear
from kampung.monitoring.rollup import rollup_rebuild
from kampung.monitoring.tests.test_dashboard_support import by_name, page_tables, pct, rp
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


def test_finance_dashboard_over_computed_rollups(client: Any, world: Any) -> None:
    today = dt.date.today()
    codes = [VILLAGE_A1, VILLAGE_A2]
    finance_fill(village_codes=codes, seed=4, year=today.year)
    execution_fill(village_codes=codes, seed=4, today=today)
    rollup_rebuild(today=today, areas=[Area.FINANCE])
    rows = list(FinanceFigure.objects.filter(year=today.year).values("village_id", "kind", "month", "amount"))
    assert rows, "the roll-up computed figures from the books"
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    response = client.get(reverse("monitoring:finance", args=[DISTRICT_A]))
    assert response.status_code == 200
    tables, texts = page_tables(response.content.decode())
    absorption = by_name(tables["table-serapan"])
    for code in codes:
        mine = [r for r in rows if r["village_id"] == code]
        budget = sum((r["amount"] for r in mine if r["kind"] == "anggaran_blj"), Decimal(0))
        spent = sum(
            (r["amount"] for r in mine if r["kind"] == "belanja" and 1 <= r["month"] <= 12), Decimal(0)
        )
        row = absorption[Region.objects.get(code=code).name]
        assert row[4:7] == [rp(budget), rp(spent), pct(spent, budget)]
    assert texts["fin-cash"] == rp(sum((r["amount"] for r in rows if r["kind"] == "kas"), Decimal(0)))
    years = list(FinanceYear.objects.filter(year=today.year))
    parts = {t["part"] for y in years for t in y.tranches}
    shown = {row[0] for row in tables.get("table-tahap", {"rows": []})["rows"]}
    assert len(shown) == len(parts)
    assert "table-laporan" in tables
