"""Asset pages: readers see, keepers write, other villages and kelurahan are 404, bad input
gives a message (never a 500), Excel/PDF downloads, the capital-spending prefill and the hub panel."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_B1
from kampung.finance.models import Asset, AssetCategory, AssetOrigin
from kampung.finance.services import assets as svc
from kampung.finance.tests.exec_factories import bank_receipt, make_executable
from kampung.finance.tests.test_assets_services import _pay, _spp

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 7, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


def _asset(world, **fields):
    data = {
        "category": AssetCategory.BUILDING,
        "name": "Balai desa",
        "acquired_on": dt.date(2015, 5, 1),
        "value": D(350_000_000),
        "origin": AssetOrigin.APBDES,
    }
    data.update(fields)
    return svc.asset_create(actor=world.user(Role.SECRETARY, VILLAGE_A1), village_code=VILLAGE_A1, **data)


@pytest.mark.parametrize(
    ("role", "region"),
    [(Role.HEAD, VILLAGE_A1), (Role.BPD, VILLAGE_A1), (Role.CAMAT, DISTRICT_A), (Role.DPMD, REGENCY)],
)
def test_readers_see_the_register_and_report(client, world, role, region):
    _asset(world)
    client.force_login(world.user(role, region))
    page = client.get(reverse("finance:asset_list", args=[VILLAGE_A1]))
    assert page.status_code == 200 and "Balai desa" in page.content.decode()
    assert "Tambah aset" not in page.content.decode()
    assert client.get(reverse("finance:asset_report", args=[VILLAGE_A1, 2026])).status_code == 200
    assert client.get(reverse("finance:asset_capital", args=[VILLAGE_A1, 2026])).status_code == 200
    assert client.get(reverse("finance:asset_create", args=[VILLAGE_A1])).status_code == 404


def test_other_villages_and_kelurahan_are_not_found(client, world):
    asset = _asset(world)
    client.force_login(world.user(Role.SECRETARY, VILLAGE_B1))
    for url in (
        reverse("finance:asset_list", args=[VILLAGE_A1]),
        reverse("finance:asset_edit", args=[VILLAGE_A1, asset.pk]),
        reverse("finance:asset_remove", args=[VILLAGE_A1, asset.pk]),
        reverse("finance:asset_report", args=[VILLAGE_A1, 2026]),
        reverse("finance:asset_export", args=[VILLAGE_A1]),
        reverse("finance:asset_edit", args=[VILLAGE_B1, asset.pk]),  # its own village, another's asset
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(reverse("finance:asset_list", args=[KELURAHAN_B])).status_code == 404


def test_keeper_adds_edits_and_writes_off_through_the_pages(client, world):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    url = reverse("finance:asset_create", args=[VILLAGE_A1])
    assert client.get(url).status_code == 200
    data = {
        "category": "peralatan",
        "name": "Sepeda motor dinas",
        "quantity": "1",
        "unit": "unit",
        "acquired_on": "2026-03-10",
        "value": "18.500.000",
        "origin": "apbdes",
        "condition": "baik",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    asset = Asset.objects.get(name="Sepeda motor dinas")
    assert asset.value == D(18_500_000)
    edit = reverse("finance:asset_edit", args=[VILLAGE_A1, asset.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, dict(data, condition="rusak_ringan")).status_code == 302
    asset.refresh_from_db()
    assert asset.condition == "rusak_ringan"
    remove = reverse("finance:asset_remove", args=[VILLAGE_A1, asset.pk])
    assert client.get(remove).status_code == 200
    assert client.post(remove, {"date": "2026-07-01", "reason": "Dijual lelang"}).status_code == 302
    asset.refresh_from_db()
    assert asset.removed_on == dt.date(2026, 7, 1)
    listing = client.get(reverse("finance:asset_list", args=[VILLAGE_A1]) + "?dihapus=ya")
    assert "Dijual lelang" in listing.content.decode()
    assert client.get(edit).status_code == 302  # a written-off item is not edited


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "abc"}, "angka rupiah"),
        ({"value": "-5"}, "negatif"),
        ({"acquired_on": "2030-01-01"}, "setelah hari ini"),
        ({"acquired_on": "bukan tanggal"}, "Tanggal perolehan"),
        ({"category": "kapal"}, "Golongan"),
        ({"account_code": "5.2.1.01"}, "5.3"),
        ({"spp": "999999"}, None),
    ],
)
def test_bad_input_shows_a_message_not_a_500(client, world, changes, message):
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    data = {
        "category": "gedung",
        "name": "Pos kamling",
        "quantity": "1",
        "unit": "unit",
        "acquired_on": "2026-01-10",
        "value": "25000000",
        "origin": "swadaya",
        "condition": "baik",
        **changes,
    }
    response = client.post(reverse("finance:asset_create", args=[VILLAGE_A1]), data)
    if message is None:  # an unknown SPP id is simply not linked
        assert response.status_code == 302 and Asset.objects.get().spp_id is None
        return
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Asset.objects.exists()


def test_bad_remove_input_and_bad_ids(client, world):
    asset = _asset(world)
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    remove = reverse("finance:asset_remove", args=[VILLAGE_A1, asset.pk])
    response = client.post(remove, {"date": "2010-01-01", "reason": "x"})
    assert response.status_code == 200 and "sebelum tanggal perolehan" in response.content.decode()
    response = client.post(remove, {"date": "", "reason": ""})
    assert response.status_code == 200
    asset.refresh_from_db()
    assert asset.removed_on is None
    assert client.get(reverse("finance:asset_edit", args=[VILLAGE_A1, 999999])).status_code == 404
    assert client.get(reverse("finance:asset_report", args=[VILLAGE_A1, 1800])).status_code == 404
    assert client.get(reverse("finance:asset_report_file", args=[VILLAGE_A1, 2026, "doc"])).status_code == 404
    listing = client.get(
        reverse("finance:asset_list", args=[VILLAGE_A1]) + "?tahun=abc&kategori=zzz&page=999"
    )
    assert listing.status_code == 200


def test_filters_search_and_pagination(client, world):
    for i in range(55):
        _asset(
            world,
            name=f"Kursi {i:02d}",
            category=AssetCategory.EQUIPMENT,
            acquired_on=dt.date(2024, 1, 1),
            value=D(100_000),
        )
    _asset(world, name="Tanah lapangan", category=AssetCategory.LAND, acquired_on=dt.date(2026, 2, 1))
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    url = reverse("finance:asset_list", args=[VILLAGE_A1])
    first = client.get(url).content.decode()
    assert "Halaman 1 dari 2" in first
    assert "Tanah lapangan" in client.get(url + "?kategori=tanah").content.decode()
    assert "Kursi" not in client.get(url + "?kategori=tanah").content.decode()
    assert "Tanah lapangan" in client.get(url + "?tahun=2026").content.decode()
    searched = client.get(url + "?q=kursi+07").content.decode()
    assert "Kursi 07" in searched and "Kursi 08" not in searched


def test_excel_and_pdf_downloads(client, world):
    _asset(world)
    _asset(
        world,
        name='=HYPERLINK("x")',
        category=AssetCategory.EQUIPMENT,
        acquired_on=dt.date(2026, 1, 5),
        value=D(2_500_000),
    )
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    export = client.get(reverse("finance:asset_export", args=[VILLAGE_A1]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(export.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "Balai desa" in values and 350_000_000 in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    xlsx = client.get(reverse("finance:asset_report_file", args=[VILLAGE_A1, 2026, "xlsx"]))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "LAPORAN KEKAYAAN MILIK DESA PER 31 DESEMBER 2026"
    total = next(r for r in rows if r[1] == "JUMLAH")
    assert total[2:6] == (350_000_000, 2_500_000, None, 352_500_000) or total[2:6] == (
        350_000_000,
        2_500_000,
        0,
        352_500_000,
    )
    pdf = client.get(reverse("finance:asset_report_file", args=[VILLAGE_A1, 2026, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_capital_spending_prefills_the_form(client, world):
    make_executable(VILLAGE_A1, 2026)
    bank_receipt(VILLAGE_A1, 2026, 500_000_000)
    spp = _spp()
    _pay(spp, D(150_000_000))
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    page = client.get(reverse("finance:asset_capital", args=[VILLAGE_A1, 2026])).content.decode()
    assert spp.number in page and "Catat sebagai aset" in page
    form = client.get(reverse("finance:asset_create", args=[VILLAGE_A1]) + f"?spp={spp.pk}")
    initial = form.context["form"].initial
    assert initial["category"] == "jalan" and initial["value"] == "150000000"
    assert initial["account_code"] == "5.3.5.03" and initial["spp"] == spp.pk
    data = {k: v for k, v in initial.items() if v is not None}
    data.update({"quantity": "300", "unit": "m", "condition": "baik", "acquired_on": "2026-04-20"})
    assert client.post(reverse("finance:asset_create", args=[VILLAGE_A1]), data).status_code == 302
    asset = Asset.objects.get()
    assert asset.spp_id == spp.pk and asset.value == D(150_000_000) and asset.origin == "apbdes"
    page = client.get(reverse("finance:asset_capital", args=[VILLAGE_A1, 2026])).content.decode()
    assert "Tidak ada belanja modal 2026" in page
    # an SPP of another village in the query string is ignored
    assert client.get(reverse("finance:asset_create", args=[VILLAGE_A1]) + "?spp=abc").status_code == 200


def test_hub_panel_shows_assets_and_tranches(client, world):
    make_executable(VILLAGE_A1, 2026)
    _asset(world)
    bank_receipt(VILLAGE_A1, 2026, 500_000_000)
    _pay(_spp(), D(150_000_000))
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    page = client.get(reverse("finance:exec_hub", args=[VILLAGE_A1, 2026]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="hub-assets"' in text and "Gedung dan bangunan" in text
    assert "belum dicatat sebagai aset" in text
    assert 'data-testid="hub-tranches"' in text and "tahap 1" in text
