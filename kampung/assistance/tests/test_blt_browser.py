"""Browser test: on a phone-sized screen the treasurer opens the month's BLT list after the SPP
is paid, records one household as not collected (with the reason) and then marks all the
others received at once; the months overview shows the counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kampung.accounts.roles import Role
from kampung.assistance.models import MonthlyPayment
from kampung.assistance.selectors.blt import NOT_COLLECTED, RECEIVED, payment_state
from kampung.assistance.tests.test_blt_services import YEAR, blt_village, pay_spp, request
from kampung.conftest import VILLAGE_A1
from kampung.conftest import browser_login as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_treasurer_records_the_month_on_a_phone(page: Any, live_server: Any, world: Any) -> None:
    blt, cases = blt_village(world, n=3)
    spp = pay_spp(world, request(world, blt, 1, date=dt.date(YEAR, 1, 20)))
    rows = list(MonthlyPayment.objects.filter(spp=spp).order_by("case__number"))
    page.set_viewport_size({"width": 390, "height": 844})
    base = live_server.url
    _login(page, base, world.user(Role.TREASURER, VILLAGE_A1))
    page.goto(f"{base}/bantuan/desa/{VILLAGE_A1}/blt/{YEAR}/bulanan/1/")
    assert page.get_by_test_id("month-list").is_visible()
    assert page.get_by_test_id("bulk-form").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    form = page.get_by_test_id(f"record-form-{rows[0].pk}")
    page.locator("details", has=form).locator("summary").click()
    form.get_by_label("Hasil").select_option("tidak_diambil")
    form.get_by_label("Catatan / alasan tidak diambil").fill("Sedang merantau")
    form.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state()
    assert "dicatat" in page.content()

    bulk = page.get_by_test_id("bulk-form")
    bulk.get_by_label("Tanggal diterima").fill(f"{YEAR}-01-27")
    bulk.get_by_test_id("bulk-save").click()
    page.wait_for_load_state()
    assert "2 penerima dicatat" in page.content()
    assert page.get_by_test_id("bulk-form").count() == 0

    states = [payment_state(p) for p in MonthlyPayment.objects.filter(spp=spp).order_by("case__number")]
    assert states == [NOT_COLLECTED, RECEIVED, RECEIVED]
    page.goto(f"{base}/bantuan/desa/{VILLAGE_A1}/blt/{YEAR}/bulanan/")
    january = page.get_by_test_id("months-table").locator("tbody tr").first
    cells = january.locator("td").all_inner_texts()
    assert cells[0] == "Januari" and cells[1] == "3" and cells[4:] == ["2", "1", "0"]
    # Fits the phone: nothing forces the page wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert cases[0].name in page.content()
