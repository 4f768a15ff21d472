"""Browser test: the treasurer spreads the RAK, changes one month, sees the line marked and the
totals move as she types, saves, and reads the server's refusal for that line."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.conftest import browser_login as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_treasurer_fills_the_rak_and_sees_the_line_check(page: Any, live_server: Any, world: Any) -> None:
    from kampung.finance.loader import reference_load
    from kampung.finance.models import Account, ApbdesStatus, BudgetLine, RakEntry
    from kampung.finance.tests.factories import make_apbdes

    if not Account.objects.filter(code="5.3.5.03", regency=None).exists():
        reference_load()
    apbdes = make_apbdes(
        VILLAGE_A1, status=ApbdesStatus.ENACTED, perdes_number="3/2026", perdes_date=dt.date(2026, 12, 18)
    )
    road = BudgetLine.objects.get(activity__apbdes=apbdes, description="Rabat beton")
    base = live_server.url
    _login(page, base, world.user(Role.TREASURER, VILLAGE_A1))
    page.goto(f"{base}/keuangan/apbdes/{apbdes.pk}/rak/")
    page.get_by_role("button", name="Bagi rata semua rincian").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("rak-planned-total").inner_text() == "1.450.000.000"
    row = page.locator(f'tr[data-line="{road.pk}"]')
    assert "rak-off" not in (row.get_attribute("class") or "")
    cell = page.locator(f'input[name="m_{road.pk}_1"]')
    cell.fill("1000")
    assert "rak-off" in (row.get_attribute("class") or "")
    assert page.get_by_test_id("rak-planned-total").inner_text() != "1.450.000.000"
    page.get_by_role("button", name="Simpan RAK").click()
    page.wait_for_load_state()
    assert "Rabat beton" in page.get_by_test_id("rak-problem").first.inner_text()
    assert RakEntry.objects.filter(line=road, month=1).get().amount != 1000
