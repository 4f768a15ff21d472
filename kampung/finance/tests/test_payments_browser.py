"""Browser test: an advance (SPP UM) goes through four people's hands in the pages —
the executor drafts it (the running total follows the typing), the secretary verifies it with
the checklist, the head approves it, the treasurer pays it by transfer — and the execution
page then shows the money out of the bank and held as an advance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.finance.tests.test_execution_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = 2026


def test_an_advance_is_drafted_verified_approved_and_paid_in_the_pages(
    page: Any, live_server: Any, world: Any
) -> None:
    from kampung.finance.loader import reference_load
    from kampung.finance.models import Account

    if not Account.objects.filter(code="5.3.5.03", regency=None).exists():
        reference_load()
    traveller = time_machine.travel(dt.datetime(YEAR, 3, 10, 9, 0), tick=True)
    traveller.start()
    try:
        _run(page, live_server.url, world)
    finally:
        traveller.stop()


def _run(page: Any, base: str, world: Any) -> None:
    from kampung.finance.models import BudgetActivity, Spp, SppStatus
    from kampung.finance.tests.exec_factories import bank_receipt, make_executable

    apbdes = make_executable(VILLAGE_A1, YEAR)
    bank_receipt(VILLAGE_A1, YEAR, 300_000_000, day=dt.date(YEAR, 1, 15))
    road = BudgetActivity.objects.get(apbdes=apbdes, activity_code__code="02.03.10")

    # The executor picks the kegiatan and asks for an advance on one RAB line.
    _login(page, base, world.user(Role.EXECUTOR, VILLAGE_A1))
    page.goto(f"{base}/keuangan/desa/{VILLAGE_A1}/pelaksanaan/{YEAR}/spp/baru/")
    page.get_by_label("Kegiatan").select_option(str(road.pk))
    page.get_by_role("button", name="Pilih").click()
    form = page.get_by_test_id("spp-form")
    form.get_by_label("Jenis SPP").select_option("UM")
    form.get_by_label("Tanggal SPP").fill(f"{YEAR}-03-10")
    form.locator("#id_description").fill("Panjar rabat beton tahap 1")
    form.get_by_label("Penerima:", exact=True).fill("Pelaksana Kegiatan")
    form.get_by_label("Jumlah diminta Rabat beton").fill("10.000.000")
    assert form.locator("[data-spp-total]").inner_text() == "Rp 10.000.000"
    form.get_by_role("button", name="Simpan draf").click()
    page.get_by_test_id("spp-submit").click()
    spp = Spp.objects.get(activity=road)
    assert spp.status == SppStatus.SUBMITTED and spp.amount == 10_000_000

    # The secretary ticks the checklist and verifies.
    _login(page, base, world.user(Role.SECRETARY, VILLAGE_A1))
    page.goto(f"{base}/keuangan/spp/{spp.pk}/")
    verify = page.get_by_test_id("spp-verify")
    for label in ("Dokumen lengkap", "Perhitungan benar", "Dana tersedia (anggaran, RAK, kas)"):
        verify.get_by_label(label).check()
    verify.get_by_role("button", name="Verifikasi").click()
    page.wait_for_load_state()

    # The head approves; the treasurer pays by transfer with its reference.
    _login(page, base, world.user(Role.HEAD, VILLAGE_A1))
    page.goto(f"{base}/keuangan/spp/{spp.pk}/")
    page.get_by_test_id("spp-approve").click()
    page.wait_for_load_state()
    _login(page, base, world.user(Role.TREASURER, VILLAGE_A1))
    page.goto(f"{base}/keuangan/spp/{spp.pk}/bayar/")
    pay = page.get_by_test_id("pay-form")
    pay.get_by_label("Tanggal bayar").fill(f"{YEAR}-03-10")
    pay.get_by_label("Cara bayar").select_option("transfer")
    pay.get_by_label("Nomor cek/referensi transfer").fill("TRF-0310-01")
    page.get_by_test_id("pay-save").click()
    page.wait_for_load_state()
    spp.refresh_from_db()
    assert spp.status == SppStatus.PAID and spp.spj_due is not None

    page.goto(f"{base}/keuangan/desa/{VILLAGE_A1}/pelaksanaan/{YEAR}/")
    balances = page.get_by_test_id("exec-balances").inner_text()
    assert "Rp 290.000.000" in balances  # bank after the advance
    assert "Rp 10.000.000" in balances  # held by the executor until the SPJ
