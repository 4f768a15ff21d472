"""Browser test: the hub's reports panel shows its figures and the
executor records a progress report with a photo through the form."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.finance.tests.test_execution_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hub_panel_and_progress_form(
    page: Any, live_server: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    from kampung.finance.loader import reference_load
    from kampung.finance.models import Account

    settings.MEDIA_ROOT = tmp_path
    if not Account.objects.filter(code="5.3.5.03", regency=None).exists():
        reference_load()
    year = 2026
    traveller = time_machine.travel(dt.datetime(year, 7, 1, 10, 0), tick=True)
    traveller.start()
    try:
        _run(page, live_server, world, tmp_path, year)
    finally:
        traveller.stop()


def _run(page: Any, live_server: Any, world: Any, tmp_path: Any, year: int) -> None:
    from PIL import Image

    from kampung.finance.models import BudgetActivity, ProgressReport
    from kampung.finance.tests.exec_factories import bank_receipt, make_executable

    apbdes = make_executable(VILLAGE_A1, year)
    bank_receipt(VILLAGE_A1, year, 250_000_000, day=dt.date(year, 1, 15))
    road = BudgetActivity.objects.get(apbdes=apbdes, activity_code__code="02.03.10")
    base = live_server.url
    _login(page, base, world.user(Role.EXECUTOR, VILLAGE_A1))
    page.goto(f"{base}/keuangan/desa/{VILLAGE_A1}/pelaksanaan/{year}/")
    panel = page.get_by_test_id("reports-panel")
    panel.wait_for()
    assert "250.000.000" in panel.inner_text()
    assert "Laporan pelaksanaan APBDes semester I" in panel.inner_text()
    page.goto(f"{base}/keuangan/desa/{VILLAGE_A1}/pelaksanaan/{year}/laporan/kegiatan/{road.pk}/kemajuan/")
    photo = tmp_path / "jalan.png"
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "gray").save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    page.get_by_label("Tanggal").fill(dt.date(year, 1, 20).isoformat())
    page.get_by_label("Keluaran terealisasi (volume kumulatif)").fill("75")
    page.get_by_label("Kemajuan fisik (%)").fill("25")
    page.get_by_label("Tahap ini selesai").check()
    page.get_by_label("Foto (JPEG/PNG, paling besar 5 MB)").set_input_files(str(photo))
    page.get_by_role("button", name="Simpan laporan kemajuan").click()
    page.wait_for_load_state()
    assert "Laporan kemajuan dicatat." in page.content()
    assert "75 m" in page.get_by_test_id("progress-table").inner_text()
    report = ProgressReport.objects.get()
    assert report.stage_complete and report.photo
