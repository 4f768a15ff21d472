"""Tranche pages: rules (read by all, edited by DPMD/admin), desa status by hand and by upload,
a village's readiness, the regency/district readiness list with Excel, permissions, no 500."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, DISTRICT_B, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.finance.models import TranchePart, TrancheRule, VillageStatus
from kampung.finance.tests.exec_factories import make_executable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 5, 12, 3, tzinfo=dt.UTC), tick=False):
        yield


def _formset(rows):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "6",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def test_rules_page_for_readers_and_admins(client, world):
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    page = client.get(reverse("finance:tranche_rules") + "?tahun=2026")
    assert page.status_code == 200 and "Ubah tahap" not in page.content.decode()
    assert client.get(reverse("finance:tranche_part_edit", args=[2026, "reguler"])).status_code == 404
    client.force_login(world.user(Role.DPMD, REGENCY))
    page = client.get(reverse("finance:tranche_rules") + "?tahun=abc")
    assert page.status_code == 200 and "Ubah tahap" in page.content.decode()
    assert client.get(reverse("finance:tranche_part_edit", args=[2026, "lain"])).status_code == 404


def test_part_edit_saves_or_refuses_with_a_message(client, world):
    client.force_login(world.user(Role.DPMD, REGENCY))
    url = reverse("finance:tranche_part_edit", args=[2026, TranchePart.REGULAR])
    assert client.get(url).status_code == 200
    bad = _formset([{"tranche": "1", "percent": "40"}, {"tranche": "2", "percent": "50"}])
    response = client.post(url, bad)
    assert response.status_code == 200 and "harus tepat 100%" in response.content.decode()
    assert sorted(
        TrancheRule.objects.filter(year=2026, part="reguler").values_list("percent", flat=True)
    ) == [40, 60]
    response = client.post(url, _formset([{"tranche": "1", "percent": "abc"}]))
    assert response.status_code == 200
    good = _formset(
        [
            {"tranche": "1", "percent": "20", "latest_month": "6", "requires_apbdes": "on"},
            {
                "tranche": "2",
                "percent": "40",
                "earliest_month": "4",
                "min_absorption": "50",
                "min_output": "35",
            },
            {
                "tranche": "3",
                "percent": "40",
                "earliest_month": "7",
                "min_absorption": "90",
                "min_output": "75",
            },
            {"tranche": "", "percent": ""},
        ]
    )
    assert client.post(url, good).status_code == 302
    assert list(
        TrancheRule.objects.filter(year=2026, part="reguler")
        .order_by("tranche")
        .values_list("percent", "min_output")
    ) == [
        (20, None),
        (40, 35),
        (40, 75),
    ]


def test_copy_year_page(client, world):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    response = client.post(
        reverse("finance:tranche_copy"), {"from_year": "2027", "to_year": "2030"}, follow=True
    )
    assert "disalin ke tahun 2030" in response.content.decode()
    response = client.post(
        reverse("finance:tranche_copy"), {"from_year": "2027", "to_year": "2030"}, follow=True
    )
    assert "sudah ada" in response.content.decode()
    response = client.post(reverse("finance:tranche_copy"), {"from_year": "x"}, follow=True)
    assert response.status_code == 200
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    assert (
        client.post(reverse("finance:tranche_copy"), {"from_year": "2027", "to_year": "2031"}).status_code
        == 404
    )
    assert not TrancheRule.objects.filter(year=2031).exists()


def _upload(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["Kode desa", "Status"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("status.xlsx", out.getvalue())


def test_status_pages(client, world):
    client.force_login(world.user(Role.DPMD, REGENCY))
    url = reverse("finance:tranche_status")
    page = client.get(url + "?tahun=2026&kecamatan=" + DISTRICT_A)
    assert page.status_code == 200 and "Sarongan" in page.content.decode()
    assert client.post(url, {"tahun": "2026", "desa": VILLAGE_A1, "status": "mandiri"}).status_code == 302
    assert VillageStatus.objects.get(village_id=VILLAGE_A1, year=2026).status == "mandiri"
    response = client.post(url, {"tahun": "2026", "desa": KELURAHAN_B, "status": "maju"}, follow=True)
    assert "kelurahan" in response.content.decode()
    response = client.post(url, {"tahun": "2026", "desa": VILLAGE_A2, "status": "hebat"}, follow=True)
    assert response.status_code == 200 and not VillageStatus.objects.filter(village_id=VILLAGE_A2).exists()
    template = client.get(reverse("finance:tranche_status_template") + "?tahun=2026")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).active["A1"].value == "Kode desa"
    upload = reverse("finance:tranche_status_import")
    response = client.post(
        upload,
        {"tahun": "2026", "file": _upload([(VILLAGE_A2, "maju"), (VILLAGE_B1, "berkembang")])},
        follow=True,
    )
    assert "2 data baru" in response.content.decode()
    response = client.post(
        upload, {"tahun": "2026", "file": _upload([(VILLAGE_A1, "maju"), ("1.2.3", "maju")])}, follow=True
    )
    text = response.content.decode()
    assert "Berkas ditolak" in text and "1.2.3 tidak dikenal" in text
    assert VillageStatus.objects.get(village_id=VILLAGE_A1, year=2026).status == "mandiri"
    response = client.post(upload, {"tahun": "2026"}, follow=True)
    assert "Pilih berkas" in response.content.decode()
    response = client.post(
        upload, {"tahun": "2026", "file": SimpleUploadedFile("x.xlsx", b"rusak")}, follow=True
    )
    assert "tidak dapat dibaca" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "region"), [(Role.CAMAT, DISTRICT_A), (Role.HEAD, VILLAGE_A1), (Role.BUPATI, REGENCY)]
)
def test_status_pages_are_for_admins_only(client, world, role, region):
    client.force_login(world.user(role, region))
    assert client.get(reverse("finance:tranche_status")).status_code == 404
    assert (
        client.post(reverse("finance:tranche_status"), {"desa": VILLAGE_A1, "status": "maju"}).status_code
        == 404
    )
    assert client.get(reverse("finance:tranche_status_template")).status_code == 404
    assert not VillageStatus.objects.exists()


def test_village_readiness_page(client, world):
    make_executable(VILLAGE_A1, 2026)
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    page = client.get(reverse("finance:tranche_village", args=[VILLAGE_A1, 2026]))
    text = page.content.decode()
    assert (
        page.status_code == 200
        and "Perdes APBDes 2026 ditetapkan" in text
        and "LPJ 2025 belum disampaikan" in text
    )
    assert client.get(reverse("finance:tranche_village", args=[VILLAGE_B1, 2026])).status_code == 404
    assert client.get(reverse("finance:tranche_village", args=[VILLAGE_A1, 1990])).status_code == 404
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(reverse("finance:tranche_village", args=[KELURAHAN_B, 2026])).status_code == 404


def test_regency_readiness_list_and_export(client, world, django_assert_max_num_queries):
    make_executable(VILLAGE_A1, 2026)
    client.force_login(world.user(Role.DPMD, REGENCY))
    url = reverse("finance:tranche_readiness")
    with django_assert_max_num_queries(30):
        page = client.get(url + "?tahun=2026")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sarongan" in text and "APBDes 2026 belum ditetapkan" in text  # other desa lack an APBDes
    count = page.context["count"]
    assert count > 100  # every desa of the regency (no kelurahan)
    assert "Bakungan" not in text
    ready = client.get(url + "?tahun=2026&tampil=siap")
    assert ready.context["count"] == 1  # Sarongan: tranche I needs only the APBDes
    export = client.get(reverse("finance:tranche_readiness_export") + "?tahun=2026")
    ws = load_workbook(io.BytesIO(export.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Kode desa" and len(rows) == count + 1
    sarongan = next(r for r in rows if r[0] == VILLAGE_A1)
    assert sarongan[5].startswith("Tahap 1") and sarongan[8] == "siap"


def test_district_readiness_is_scoped(client, world):
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    page = client.get(reverse("finance:tranche_readiness") + "?tahun=2026")
    codes = {r.village.code for r in page.context["page_obj"].object_list}
    assert VILLAGE_A1 in codes and VILLAGE_B1 not in codes
    assert client.get(reverse("finance:tranche_readiness") + "?wilayah=" + DISTRICT_B).status_code == 404
    assert client.get(reverse("finance:tranche_readiness") + "?wilayah=" + REGENCY).status_code == 404
    assert client.get(reverse("finance:tranche_readiness") + "?wilayah=zzz").status_code == 404
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    assert client.get(reverse("finance:tranche_readiness")).status_code == 404
    assert client.get(reverse("finance:tranche_readiness_export")).status_code == 404
