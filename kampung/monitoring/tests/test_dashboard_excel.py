"""Every table on every dashboard downloads as a workbook whose rows are the page's rows:
same header, same cells (numbers stored as numbers, money in a Rupiah format), same total."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.assistance.tests.factories import programmes
from kampung.conftest import DISTRICT_B, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.formatting import number_id, rupiah, tanggal
from kampung.monitoring.tests.rollup_factories import fill
from kampung.monitoring.tests.test_dashboard_support import page_tables

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year
PAGES = (
    "monitoring:region",
    "monitoring:finance",
    "monitoring:letters",
    "monitoring:programmes",
    "monitoring:population",
)


def _as_page(value: Any, number_format: str) -> str:
    """A workbook cell written the way the page writes it."""
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return tanggal(value.date())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if number_format == '"Rp" #,##0':
        return rupiah(value)
    if number_format == "0.0%":
        return f"{value * 100:.1f}".replace(".", ",") + " %"
    if number_format == "0.0":
        return f"{value:.1f}".replace(".", ",")
    return number_id(value)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("role", "where", "code"),
    [
        (Role.DPMD, REGENCY, REGENCY),
        (Role.CAMAT, DISTRICT_B, DISTRICT_B),
        (Role.SECRETARY, VILLAGE_A1, VILLAGE_A1),
    ],
)
def test_each_table_downloads_as_its_rows(
    client: Any, world: Any, name: str, role: str, where: str, code: str
) -> None:
    programmes(YEAR)
    today = dt.date.today()
    for village in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):
        fill(village, YEAR, seed=11, today=today)
    fill(KELURAHAN_B, YEAR, seed=11, today=today, desa=False)
    client.force_login(world.user(role, where))
    url = reverse(name, args=[code])
    html = client.get(url + "?periode=s1").content.decode()
    tables, _ = page_tables(html)
    keys = re.findall(r'data-testid="download-([^"]+)"', html)
    assert keys, "every page has at least one table to download"
    for key in keys:
        link = re.search(
            rf'href="([^"]*unduh={re.escape(key)})" data-testid="download-{re.escape(key)}"', html
        )
        assert link is not None
        assert "periode=s1" in link.group(1)
        response = client.get(url + link.group(1).replace("&amp;", "&"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert ".xlsx" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.content)).active
        lines = [list(r) for r in sheet.iter_rows(min_row=4)]
        page = tables[f"table-{key}"]
        assert [c.value for c in lines[0]] == page["head"]
        expected = page["rows"] + ([page["foot"]] if page["foot"] else [])
        got = [[_as_page(c.value, c.number_format) for c in line] for line in lines[1:]]
        if page["foot"]:
            # A blank text cell of the total row is blank on the page, not a dash.
            got[-1] = [
                "" if c.value is None and c.number_format == "General" else text
                for c, text in zip(lines[-1], got[-1], strict=True)
            ]
        assert got == expected, key
        for line in lines[1:]:
            for cell in line:
                if cell.number_format == '"Rp" #,##0' and cell.value is not None:
                    assert isinstance(cell.value, int | float)
