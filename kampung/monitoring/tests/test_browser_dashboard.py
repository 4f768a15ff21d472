"""In a browser: the bupati opens the monitoring home, sees the regency, drills into a
district and then a village, and downloads one of the village's tables as Excel."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.conftest import browser_login as _login
from kampung.core.formatting import number_id
from kampung.monitoring.models import LetterMonth
from kampung.monitoring.tests.rollup_factories import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bupati_drills_down_and_exports(page: Any, live_server: Any, world: Any) -> None:
    today = dt.date.today()
    for code in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):
        fill(code, today.year, seed=5, today=today)
    base = live_server.url
    _login(page, base, world.user(Role.BUPATI, REGENCY))

    page.goto(f"{base}/pemantauan/")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Kabupaten Banyuwangi"
    overview = page.get_by_test_id("table-wilayah")
    assert overview.locator("tr", has_text="Glagah").is_visible()
    assert page.get_by_test_id("card-serapan").is_visible()

    overview.get_by_role("link", name="Pesanggaran", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Kecamatan Pesanggaran"
    crumbs = page.get_by_test_id("monitoring-crumbs").inner_text()
    assert "Banyuwangi" in crumbs and "Pesanggaran" in crumbs
    district_table = page.get_by_test_id("table-wilayah")
    assert district_table.locator("tr", has_text="Sarongan").is_visible()
    assert district_table.locator("tr", has_text="Kemiren").count() == 0
    issued = sum(
        LetterMonth.objects.filter(village_id=VILLAGE_A1, year=today.year).values_list("issued", flat=True)
    )
    cells = district_table.locator("tr", has_text="Sarongan").locator("td").all_inner_texts()
    assert number_id(issued) == cells[2]  # absorption, APBDes enacted, letters issued

    district_table.get_by_role("link", name="Sarongan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Desa Sarongan"
    page.get_by_test_id("tab-keuangan").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("table-serapan").locator("tr", has_text="Sarongan").is_visible()
    assert page.locator("svg[role=img]").first.is_visible()

    with page.expect_download() as info:
        page.get_by_test_id("download-bidang").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    header = [c.value for c in next(sheet.iter_rows(min_row=4, max_row=4))]
    assert header == ["Bidang", "Anggaran", "Realisasi s.d. periode", "Penyerapan"]
    page_rows = page.get_by_test_id("table-bidang").locator("tbody tr").count()
    assert sheet.max_row == 4 + page_rows + 1  # header, rows, total
