"""Browser test: the secretary opens a kegiatan, picks an SSH item in the line form, sees the
line amount and the totals move as she types, saves, and sees the new totals from the server."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kampung.accounts.roles import Role
from kampung.conftest import REGENCY, VILLAGE_A1
from kampung.conftest import browser_login as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ensure_reference() -> None:
    """A transactional test flushes the tables the migrations filled; load them again."""
    from kampung.finance.loader import reference_load
    from kampung.finance.models import Account

    if not Account.objects.filter(code="5.3.5.03", regency=None).exists():
        reference_load()


def test_secretary_adds_a_line_with_an_ssh_price_and_sees_the_totals_move(
    page: Any, live_server: Any, world: Any
) -> None:
    _ensure_reference()
    from kampung.finance.models import BudgetLine, UnitPrice
    from kampung.finance.tests.factories import make_apbdes

    apbdes = make_apbdes(VILLAGE_A1)
    road = apbdes.activities.get(activity_code__code="02.03.10")
    item = UnitPrice.objects.create(
        regency_id=REGENCY,
        year=2027,
        code="1.1.7.01.001",
        name="Semen Portland",
        specification="zak 50 kg",
        unit="zak",
        price=Decimal("72500"),
        account_code="5.3.5.03",
    )
    base = live_server.url
    _login(page, base, world.user(Role.SECRETARY, VILLAGE_A1))

    page.goto(f"{base}/keuangan/apbdes/{apbdes.pk}/")
    page.get_by_role("link", name=road.name).click()
    page.wait_for_url(f"**/keuangan/apbdes/kegiatan/{road.pk}/")
    assert page.get_by_test_id("activity-total").inner_text() == "Rp 462.000.000"
    assert page.get_by_test_id("total-spending").inner_text() == "Rp 1.450.000.000"

    page.get_by_label("Cari di Standar Satuan Harga (SSH)").fill("semen")
    page.locator("[data-ssh-code='1.1.7.01.001']").click()
    assert page.locator("#id_unit").input_value() == "zak"
    assert Decimal(page.locator("#id_unit_price").input_value()) == Decimal("72500")
    assert page.locator("#id_description").input_value().startswith("Semen Portland")
    assert page.locator("#id_account_code").input_value() == "5.3.5.03"
    page.locator("#id_source_code").select_option("DDS")

    page.locator("#id_volume").fill("13")
    assert page.get_by_test_id("line-amount").inner_text() == "Rp 942.500"
    assert page.get_by_test_id("activity-total").inner_text() == "Rp 462.942.500"
    assert page.get_by_test_id("total-spending").inner_text() == "Rp 1.450.942.500"
    assert page.get_by_test_id("total-surplus").inner_text() == "-Rp 30.942.500"
    page.locator("#id_volume").fill("20")
    assert page.get_by_test_id("line-amount").inner_text() == "Rp 1.450.000"
    assert page.get_by_test_id("activity-total").inner_text() == "Rp 463.450.000"

    page.get_by_role("button", name="Simpan rincian").click()
    page.wait_for_load_state()
    line = BudgetLine.objects.get(activity=road, unit_price_ref=item)
    assert (line.volume, line.unit, line.amount) == (Decimal(20), "zak", Decimal(1_450_000))
    assert page.get_by_test_id("activity-total").inner_text() == "Rp 463.450.000"
    assert page.get_by_test_id("total-spending").inner_text() == "Rp 1.451.450.000"
    assert "SSH 1.1.7.01.001" in page.get_by_test_id("rab-lines").inner_text()

    # Editing the line: the preview replaces the line's old amount instead of adding to it.
    page.locator(f"a[href='?ubah={line.pk}#baris']").click()
    page.wait_for_load_state()
    assert page.locator("#id_volume").input_value() in ("20", "20.00")
    assert page.get_by_test_id("activity-total").inner_text() == "Rp 463.450.000"
    page.locator("#id_volume").fill("10")
    assert page.get_by_test_id("line-amount").inner_text() == "Rp 725.000"
    assert page.get_by_test_id("activity-total").inner_text() == "Rp 462.725.000"
    page.get_by_role("button", name="Simpan rincian").click()
    page.wait_for_load_state()
    line.refresh_from_db()
    assert line.amount == Decimal(725_000)
    assert page.get_by_test_id("activity-total").inner_text() == "Rp 462.725.000"
