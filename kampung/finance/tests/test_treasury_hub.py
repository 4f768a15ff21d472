"""The execution hub page: balances and the treasury panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import KELURAHAN_B, VILLAGE_A1, VILLAGE_B1
from kampung.finance.services import treasury as svc
from kampung.finance.tests.exec_factories import bank_receipt, make_executable

pytestmark = pytest.mark.django_db
Y = 2026


@pytest.fixture(autouse=True)
def _mid_july():
    with time_machine.travel("2026-07-15 09:00 +0700", tick=False):
        yield


def test_hub_shows_balances_and_the_treasury_panel(client, world):
    make_executable(VILLAGE_A1)
    bank_receipt(VILLAGE_A1, Y, 100_000_000)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    svc.transfer_record(
        actor=treasurer,
        village_code=VILLAGE_A1,
        year=Y,
        date=dt.date(Y, 2, 1),
        direction="tarik",
        amount=Decimal(2_500_000),
    )
    svc.month_close(actor=treasurer, village_code=VILLAGE_A1, year=Y, month=1)
    client.force_login(treasurer)
    response = client.get(reverse("finance:exec_hub", args=[VILLAGE_A1, Y]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rp 2.500.000" in page and "Rp 97.500.000" in page and "Rp 100.000.000" in page
    for name in (
        "treasury_receipts",
        "treasury_transfers",
        "treasury_tax_deposits",
        "treasury_journal",
        "treasury_close",
    ):
        assert reverse(f"finance:{name}", args=[VILLAGE_A1, Y]) in page, name
    for kind in ("bku", "bank", "pajak", "panjar", "kegiatan"):
        assert reverse("finance:book", args=[VILLAGE_A1, Y, kind]) in page, kind
    assert "ditutup sampai Januari; berikutnya Februari" in page


def test_hub_is_404_for_other_villages_and_kelurahan(client, world):
    make_executable(VILLAGE_A1)
    client.force_login(world.user(Role.TREASURER, VILLAGE_B1))
    assert client.get(reverse("finance:exec_hub", args=[VILLAGE_A1, Y])).status_code == 404
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(reverse("finance:exec_hub", args=[KELURAHAN_B, Y])).status_code == 404
