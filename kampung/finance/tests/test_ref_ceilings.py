"""Indicative ceilings (pagu indikatif): set by hand, Excel upload/export, the grid, the desa view."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    KELURAHAN_B,
    OTHER_VILLAGE,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    make_other_regency,
)
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import Ceiling
from kampung.finance.selectors.ref import ceiling_grid, regency_desa
from kampung.finance.services import ref as svc
from kampung.finance.tests.factories import ceilings
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

SOURCES = ["DDS", "ADD", "PBH", "PBK", "PBP"]  # upload column order (any order is read)
GRID_ORDER = ["ADD", "DDS", "PBH", "PBK", "PBP"]  # FundSource.order (Siskeudes Ref_Sumber)


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers or ["Kode desa", "Nama desa", "Kecamatan", *SOURCES])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("pagu.xlsx", out.getvalue())


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(Ceiling.objects.values_list("village_id", "year", "source_id", "amount"))


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_ceiling_set_rules(world):
    dpmd = world.user(Role.DPMD, REGENCY)
    row = svc.ceiling_set(
        actor=dpmd, village=region(VILLAGE_A1), year=2027, source_code="DDS", amount=Decimal(1e9)
    )
    assert row.amount == Decimal(1_000_000_000) and row.set_by == dpmd
    svc.ceiling_set(actor=dpmd, village=region(VILLAGE_A1), year=2027, source_code="DDS", amount=Decimal(9e8))
    assert Ceiling.objects.get().amount == Decimal(900_000_000)
    entries = AuditEntry.objects.filter(act="finance.ceiling.set")
    assert entries.count() == 2 and entries.last().before == {"amount": "1000000000.00"}
    with pytest.raises(KampungError, match="kelurahan"):
        svc.ceiling_set(
            actor=dpmd, village=region(KELURAHAN_B), year=2027, source_code="DDS", amount=Decimal(1)
        )
    with pytest.raises(KampungError, match="bukan dana transfer"):
        svc.ceiling_set(
            actor=dpmd, village=region(VILLAGE_A1), year=2027, source_code="PAD", amount=Decimal(1)
        )
    with pytest.raises(KampungError, match="0 atau lebih"):
        svc.ceiling_set(
            actor=dpmd, village=region(VILLAGE_A1), year=2027, source_code="ADD", amount=Decimal(-1)
        )
    with pytest.raises(NotPermitted):
        svc.ceiling_set(
            actor=world.user(Role.HEAD, VILLAGE_A1),
            village=region(VILLAGE_A1),
            year=2027,
            source_code="ADD",
            amount=Decimal(1),
        )
    admin, _ = make_other_regency()
    with pytest.raises(NotPermitted):
        svc.ceiling_set(
            actor=admin, village=region(VILLAGE_A1), year=2027, source_code="ADD", amount=Decimal(1)
        )
    assert Ceiling.objects.count() == 1


def test_grid_lists_desa_only_with_totals(world, django_assert_max_num_queries):
    ceilings(VILLAGE_A1, 2027, DDS=1_000_000_000, ADD=400_000_000)
    ceilings(VILLAGE_B1, 2027, DDS=800_000_000)
    ceilings(VILLAGE_A1, 2026, DDS=5)
    with django_assert_max_num_queries(3):
        grid = ceiling_grid(regency_code=REGENCY, year=2027)
    codes = [r.village.code for r in grid.rows]
    assert VILLAGE_A1 in codes and KELURAHAN_B not in codes
    assert len(codes) == regency_desa(regency_code=REGENCY).count()
    assert [s.code for s in grid.sources] == GRID_ORDER
    dds, add = GRID_ORDER.index("DDS"), GRID_ORDER.index("ADD")
    assert grid.totals[dds] == Decimal(1_800_000_000) and grid.totals[add] == Decimal(400_000_000)
    assert grid.grand_total == Decimal(2_200_000_000)
    only_a = ceiling_grid(regency_code=REGENCY, year=2027, district=DISTRICT_A)
    assert all(r.village.code.startswith(DISTRICT_A) for r in only_a.rows)
    assert only_a.totals[dds] == Decimal(1_000_000_000)


def test_grid_page_bounded_queries(world, client, django_assert_max_num_queries):
    ceilings(VILLAGE_A1, 2027, DDS=1_000_000_000)
    client.force_login(world.user(Role.DPMD, REGENCY))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("finance:ceiling_list"), {"tahun": "2027"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Rp 1.000.000.000" in text
    assert "Bakungan" not in text  # kelurahan
    response = client.get(reverse("finance:ceiling_list"), {"tahun": "2027", "kecamatan": DISTRICT_B})
    assert "Rp 1.000.000.000" not in response.content.decode()


@pytest.mark.parametrize(
    "user", [(Role.SECRETARY, VILLAGE_A1), (Role.CAMAT, DISTRICT_A), (Role.BUPATI, REGENCY)]
)
def test_only_regency_admins_manage_ceilings(world, client, user):
    client.force_login(world.user(*user))
    assert client.get(reverse("finance:ceiling_list")).status_code == 404
    assert client.get(reverse("finance:ceiling_template")).status_code == 404
    assert (
        client.post(reverse("finance:ceiling_edit", args=[VILLAGE_A1]), {"amount_DDS": "5"}).status_code
        == 404
    )
    upload = xlsx([[VILLAGE_A1, "", "", 5, "", "", "", ""]])
    assert (
        client.post(reverse("finance:ceiling_import"), {"tahun": "2027", "file": upload}).status_code == 404
    )
    assert not Ceiling.objects.exists()


def test_edit_one_village_by_hand(world, client):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    url = reverse("finance:ceiling_edit", args=[VILLAGE_A2]) + "?tahun=2027"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"tahun": "2027", "amount_DDS": "950000000", "amount_ADD": "", "note": "awal"}
    )
    assert response.status_code == 302
    assert snapshot() == [(VILLAGE_A2, 2027, "DDS", Decimal("950000000.00"))]
    response = client.post(url, {"tahun": "2027", "amount_DDS": "-1"})
    assert response.status_code == 200
    response = client.post(url, {"tahun": "2027", "amount_DDS": "abc"})
    assert response.status_code == 200
    assert snapshot() == [(VILLAGE_A2, 2027, "DDS", Decimal("950000000.00"))]
    assert client.get(reverse("finance:ceiling_edit", args=[KELURAHAN_B])).status_code == 404


def test_import_all_rows(world):
    ceilings(VILLAGE_A1, 2027, DDS=1)
    upload = xlsx(
        [
            [VILLAGE_A1, "Sarongan", "Pesanggaran", 1_000_000_000, 400_000_000, "", None, 0],
            [VILLAGE_A2, "Pesanggaran", "Pesanggaran", "1.100.000.000", "", 15_000_000, "", ""],
            [VILLAGE_B1, "", "", "", "", "", "", ""],
        ]
    )
    result = svc.ceilings_import(
        actor=world.user(Role.DPMD, REGENCY), regency=region(REGENCY), year=2027, file=upload
    )
    assert (result.created, result.updated) == (4, 1)
    assert snapshot() == sorted(
        [
            (VILLAGE_A1, 2027, "DDS", Decimal("1000000000.00")),
            (VILLAGE_A1, 2027, "ADD", Decimal("400000000.00")),
            (VILLAGE_A1, 2027, "PBP", Decimal("0.00")),
            (VILLAGE_A2, 2027, "DDS", Decimal("1100000000.00")),
            (VILLAGE_A2, 2027, "PBH", Decimal("15000000.00")),
        ]
    )
    assert AuditEntry.objects.filter(act="finance.ceiling.import").count() == 1


def test_bad_rows_reject_the_whole_file(world, client):
    make_other_regency()
    ceilings(VILLAGE_A1, 2027, DDS=7)
    before = snapshot()
    upload = xlsx(
        [
            [VILLAGE_A2, "", "", 1000, "", "", "", ""],  # fine
            ["35.10.99.9999", "", "", 1000, "", "", "", ""],
            [KELURAHAN_B, "", "", 1000, "", "", "", ""],
            [OTHER_VILLAGE, "", "", 1000, "", "", "", ""],
            [VILLAGE_A1, "", "", -5, "", "", "", ""],
            [VILLAGE_B1, "", "", "banyak", "", "", "", ""],
            [VILLAGE_A2, "", "", 2000, "", "", "", ""],
            ["", "Tanpa kode", "", 1, "", "", "", ""],
        ]
    )
    client.force_login(world.user(Role.DPMD, REGENCY))
    response = client.post(reverse("finance:ceiling_import"), {"tahun": "2027", "file": upload}, follow=True)
    text = response.content.decode()
    assert "Baris 2:" not in text
    assert "Baris 3: kode desa 35.10.99.9999 tidak dikenal" in text
    assert "Baris 4:" in text and "kelurahan" in text
    assert f"Baris 5: desa {OTHER_VILLAGE} bukan desa di" in text
    assert "Baris 6: pagu DDS tidak boleh negatif" in text
    assert "Baris 7: pagu DDS &#x27;banyak&#x27; bukan angka" in text
    assert "Baris 8:" in text and "sudah ada di baris 2" in text
    assert "Baris 9: kode desa kosong" in text
    assert snapshot() == before


def test_upload_without_source_columns_is_refused(world):
    with pytest.raises(KampungError, match="kolom sumber dana"):
        svc.ceilings_import(
            actor=world.user(Role.DPMD, REGENCY),
            regency=region(REGENCY),
            year=2027,
            file=xlsx([[VILLAGE_A1, "x"]], headers=["Kode desa", "Nama desa"]),
        )
    assert not Ceiling.objects.exists()


def test_template_is_prefilled_and_export_round_trips(world, client):
    ceilings(VILLAGE_A1, 2027, DDS=1_000_000_000, ADD=400_000_000)
    client.force_login(world.user(Role.DPMD, REGENCY))
    rows = list(
        load_workbook(
            io.BytesIO(client.get(reverse("finance:ceiling_template"), {"tahun": "2027"}).content)
        ).active.iter_rows(values_only=True)
    )
    assert list(rows[0]) == ["Kode desa", "Nama desa", "Kecamatan", *GRID_ORDER]
    codes = [r[0] for r in rows[1:]]
    assert VILLAGE_A1 in codes and KELURAHAN_B not in codes
    assert all(v is None for r in rows[1:] for v in r[3:])
    export = client.get(reverse("finance:ceiling_export"), {"tahun": "2027"}).content
    exported = {r[0]: r for r in load_workbook(io.BytesIO(export)).active.iter_rows(values_only=True)}
    assert exported[VILLAGE_A1][3 + GRID_ORDER.index("DDS")] == 1_000_000_000
    result = svc.ceilings_import(
        actor=world.user(Role.DPMD, REGENCY),
        regency=region(REGENCY),
        year=2027,
        file=SimpleUploadedFile("pagu.xlsx", export),
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_village_sees_its_own_ceilings(world, client):
    ceilings(VILLAGE_A1, 2027, DDS=1_000_000_000)
    ceilings(VILLAGE_A2, 2027, DDS=777_000_000)
    url = reverse("finance:ceiling_village", args=[VILLAGE_A1]) + "?tahun=2027"
    for user in [
        (Role.SECRETARY, VILLAGE_A1),
        (Role.BPD, VILLAGE_A1),
        (Role.CAMAT, DISTRICT_A),
        (Role.DPMD, REGENCY),
    ]:
        client.force_login(world.user(*user))
        response = client.get(url)
        assert response.status_code == 200, user
        text = response.content.decode()
        assert "Rp 1.000.000.000" in text and "777" not in text
    client.force_login(world.user(Role.SECRETARY, VILLAGE_B1))
    assert client.get(url).status_code == 404
    client.force_login(world.user(Role.RESIDENT, VILLAGE_A1))
    assert client.get(url).status_code == 404
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(reverse("finance:ceiling_village", args=[KELURAHAN_B])).status_code == 404
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A2))
    response = client.get(reverse("finance:ceiling_village", args=[VILLAGE_A2]), {"tahun": "2030"})
    assert "belum menetapkan" in response.content.decode()
