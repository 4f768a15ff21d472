"""Pages, PDF/Excel outputs and the regency summary of the realisation reports (part C)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.finance.models import Book, FinancingLine, ProgressReport, ReportSubmission
from kampung.finance.outputs import reports as out
from kampung.finance.selectors import realisation as sel
from kampung.finance.tests.exec_factories import bank_receipt, make_executable
from kampung.finance.tests.factories import make_apbdes
from kampung.finance.tests.test_reports_realisation import activity, silpa_in, spend

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2026


@pytest.fixture
def year_of(world):
    apbdes = make_executable(VILLAGE_A1, YEAR)
    silpa_in(VILLAGE_A1, 30_000_000)
    bank_receipt(VILLAGE_A1, YEAR, 600_000_000, day=dt.date(YEAR, 4, 20))
    bank_receipt(VILLAGE_A1, YEAR, 200_000_000, account="4.2.3.01", source="ADD", day=dt.date(YEAR, 2, 10))
    spend(VILLAGE_A1, activity(apbdes, "02.03.10"), 150_000_000, day=dt.date(YEAR, 5, 10))
    spend(VILLAGE_A1, activity(apbdes, "01.01.01"), 36_000_000, day=dt.date(YEAR, 3, 25))
    return apbdes


def url(name: str, *args) -> str:
    return reverse(f"finance:{name}", args=[VILLAGE_A1, YEAR, *args])


def pdf_text(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


def cells(content: bytes, sheet: str | None = None) -> list:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet] if sheet else wb.active
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def test_pages_render_for_readers(client, world, year_of):
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    for name in ("reports_index", "report_lra", "report_activities", "report_lpj"):
        response = client.get(url(name))
        assert response.status_code == 200, name
    body = client.get(url("report_lra")).content.decode()
    assert "150.000.000" in body and "Lebih/(Kurang)" in body
    assert "800.000.000" in client.get(reverse("finance:exec_hub", args=[VILLAGE_A1, YEAR])).content.decode()
    semester = client.get(url("report_lra") + "?periode=semester&sumber=DDS").content.decode()
    assert "Semester I" in semester and "36.000.000" not in semester
    # Bad filters fall back quietly.
    assert client.get(url("report_lra") + "?periode=99&sumber=<x>").status_code == 200
    road = activity(year_of, "02.03.10")
    assert client.get(url("progress_list", road.pk)).status_code == 200
    assert client.get(url("report_activities") + "?q=zzz&page=abc").status_code == 200


def test_hub_panel_is_included(client, world, year_of):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    body = client.get(reverse("finance:exec_hub", args=[VILLAGE_A1, YEAR])).content.decode()
    assert 'data-testid="reports-panel"' in body
    assert url("report_lpj") in body


def test_scope_and_bad_ids(client, world, year_of):
    client.force_login(world.user(Role.HEAD, VILLAGE_A2))
    assert client.get(url("report_lra")).status_code == 404
    assert client.get(reverse("finance:report_lra", args=[KELURAHAN_B, YEAR])).status_code == 404
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert client.get(url("progress_list", 999999)).status_code == 404
    other = make_executable(VILLAGE_A2, YEAR)
    assert client.get(url("progress_list", activity(other, "02.03.10").pk)).status_code == 404
    assert client.get(url("progress_photo", 999999)).status_code == 404
    assert client.post(url("report_submit", "bogus"), {"date": "2026-07-10"}).status_code == 404
    assert client.get(reverse("finance:report_lra", args=[VILLAGE_A1, 1900])).status_code == 404
    client.force_login(world.user(Role.RESIDENT, VILLAGE_A1))
    assert client.get(url("report_lra")).status_code == 404


def test_progress_page_records_and_refuses(client, world, year_of, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    road = activity(year_of, "02.03.10")
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="JPEG")
    buffer.name = "foto.jpg"
    buffer.seek(0)
    with time_machine.travel(dt.datetime(YEAR, 6, 15, 10, 0), tick=False):
        client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
        response = client.post(
            url("progress_list", road.pk), {"date": "2026-06-01", "volume": "10", "percent": "5", "stage": 1}
        )
        assert response.status_code == 302 and ProgressReport.objects.count() == 0
        client.force_login(world.user(Role.EXECUTOR, VILLAGE_A1))
        response = client.post(
            url("progress_list", road.pk), {"date": "2026-06-01", "volume": "x", "percent": "500", "stage": 1}
        )
        assert response.status_code == 400 and ProgressReport.objects.count() == 0
        response = client.post(
            url("progress_list", road.pk),
            {"date": "2026-06-01", "volume": "120", "percent": "40", "stage": 1, "stage_complete": "on"},
            follow=True,
        )
        assert "foto" in response.content.decode() and ProgressReport.objects.count() == 0
        response = client.post(
            url("progress_list", road.pk),
            {
                "date": "2026-06-01",
                "volume": "120",
                "percent": "40",
                "stage": 1,
                "stage_complete": "on",
                "photo": buffer,
            },
        )
        assert response.status_code == 302, [str(m) for m in response.context["messages"]]
    report = ProgressReport.objects.get()
    assert report.volume == D(120) and report.stage_complete and report.photo
    client.force_login(world.user(Role.EXECUTOR, VILLAGE_A1))
    photo = client.get(url("progress_photo", report.pk))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    body = client.get(url("report_activities")).content.decode()
    assert "120 m" in body and "40 %" in body


def test_submission_and_silpa_views(client, world, year_of):
    head = world.user(Role.HEAD, VILLAGE_A1)
    client.force_login(head)
    with time_machine.travel(dt.datetime(YEAR, 7, 10, 9, 0), tick=False):
        response = client.post(url("report_submit", "semester1"), {"date": "2026-07-10"}, follow=True)
        assert "bulan Juni" in response.content.decode()
        assert ReportSubmission.objects.count() == 0
        Book.objects.filter(village_id=VILLAGE_A1, year=YEAR).update(closed_through=6)
        client.post(url("report_submit", "semester1"), {"date": "not a date"})
        assert ReportSubmission.objects.count() == 0
        response = client.post(
            url("report_submit", "semester1"), {"date": "2026-07-10", "number": "900/1"}, follow=True
        )
        assert ReportSubmission.objects.filter(kind="semester1").count() == 1
        assert "Tepat waktu" in client.get(url("reports_index")).content.decode()
    # SiLPA carry from the LPJ page.
    Book.objects.filter(village_id=VILLAGE_A1, year=YEAR).update(closed_through=12)
    draft = make_apbdes(VILLAGE_A1, YEAR + 1, with_ceilings=False)
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    page = client.get(url("report_lpj")).content.decode()
    assert "6.1.1.01" in page
    client.post(url("silpa_carry"))
    lines = dict(
        FinancingLine.objects.filter(apbdes=draft, account__code="6.1.1.01").values_list(
            "source_id", "amount"
        )
    )
    assert lines == {"DDS": D(630_000_000 - 150_000_000), "ADD": D(200_000_000 - 36_000_000)}
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    assert client.post(url("silpa_carry")).status_code == 403
    assert client.get(url("silpa_carry")).status_code == 405
    assert client.post(url("report_submit", "lpj"), {"date": "2027-01-05"}).status_code == 403
    assert not ReportSubmission.objects.filter(kind="lpj").exists()
    assert "ditutup sampai Desember" in client.get(url("report_lra")).content.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_pdfs_carry_the_figures(client, world, year_of):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    response = client.get(url("report_lra") + "?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "LAPORAN REALISASI PELAKSANAAN APBDES" in text.upper()
    assert "800.000.000" in text  # revenue realised
    assert "644.000.000" in text  # SiLPA
    assert "186.000.000" in text  # spending realised
    assert "Kepala Desa" in text
    text = pdf_text(client.get(url("report_activities") + "?format=pdf").content)
    assert "150.000.000" in text and "02.03.10" in text
    text = pdf_text(client.get(url("report_lpj") + "?format=pdf").content)
    assert "SILPA" in text.upper() and "480.000.000" in text and "KEKAYAAN" in text.upper()


def test_excel_carries_the_figures(client, world, year_of):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    values = cells(client.get(url("report_lra") + "?format=xlsx").content)
    assert "Kode Rekening" in values and "Lebih/(Kurang) (Rp)" in values
    assert 800_000_000 in values and 186_000_000 in values
    values = cells(client.get(url("report_activities") + "?format=xlsx").content)
    assert 150_000_000 in values and "02.03.10" in values
    content = client.get(url("report_lpj") + "?format=xlsx").content
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["LRA", "Realisasi Kegiatan", "SiLPA", "Kekayaan Desa"]
    assert 480_000_000 in cells(content, "SiLPA")


def test_lpj_package_without_asset_module(monkeypatch, world, year_of):
    import importlib

    real = importlib.import_module

    def fake(name, *args):
        if name == "kampung.finance.selectors.assets":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(out.importlib, "import_module", fake)
    package = out.LpjPackage(VILLAGE_A1, YEAR)
    assert package.assets is None
    assert "belum tersedia" in str(cells(out.lpj_workbook(package), "Kekayaan Desa"))


def test_regency_summary_scoped(client, world, year_of, django_assert_max_num_queries):
    make_executable(VILLAGE_B1, YEAR)
    bank_receipt(VILLAGE_B1, YEAR, 123_000_000, day=dt.date(YEAR, 3, 1))
    with django_assert_max_num_queries(12):
        result = sel.regency_realisation(REGENCY, YEAR, today=dt.date(YEAR, 8, 1))
    rows = {r.code: r for r in result.villages}
    a1 = rows[VILLAGE_A1]
    assert a1.revenue.budget == D(1_420_000_000) and a1.revenue.realised == D(800_000_000)
    assert a1.spending.realised == D(186_000_000) and a1.dd_received == D(600_000_000)
    assert a1.dd_spent == D(150_000_000)
    assert a1.cash_bank == D(30_000_000 + 800_000_000 - 186_000_000)
    assert a1.semester_state == "lewat"
    assert rows[VILLAGE_B1].revenue.realised == D(123_000_000)
    assert KELURAHAN_B not in rows
    assert result.total.revenue_realised == D(923_000_000)
    assert len(result.groups) > 1
    # A camat sees only their district.
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    body = client.get(reverse("finance:regency_realisation") + f"?tahun={YEAR}").content.decode()
    assert "Sarongan" in body and "123.000.000" not in body
    response = client.get(reverse("finance:regency_realisation") + "?kecamatan=35.10.15")
    assert response.status_code == 404
    values = cells(client.get(reverse("finance:regency_realisation") + f"?tahun={YEAR}&format=xlsx").content)
    assert 800_000_000 in values and VILLAGE_B1 not in values
    # DPMD sees the regency per district and may drill down.
    client.force_login(world.user(Role.DPMD, REGENCY))
    body = client.get(reverse("finance:regency_realisation") + f"?tahun={YEAR}").content.decode()
    assert "Per kecamatan" in body
    assert (
        client.get(reverse("finance:regency_realisation") + f"?tahun={YEAR}&kecamatan=35.10.15").status_code
        == 200
    )
    assert client.get(reverse("finance:regency_realisation") + "?tahun=abc&page=zz&q=%00").status_code == 200
    # Village staff: not their page.
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert client.get(reverse("finance:regency_realisation")).status_code == 404
