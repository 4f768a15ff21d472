"""Tranche rules (a part saved whole, percents add up to 100), copying a year, and the desa
status set by hand or uploaded from Excel (all or nothing)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import (
    KELURAHAN_B,
    OTHER_VILLAGE,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    make_other_regency,
)
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import DesaStatus, TranchePart, TrancheRule, VillageStatus
from kampung.finance.services import tranches as svc
from kampung.finance.services.ref import ImportRejected
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def regency(world):
    return Region.objects.get(code=REGENCY)


def dpmd(world):
    return world.user(Role.DPMD, REGENCY)


def rows(*percents, **extra):
    return [svc.TrancheRow(tranche=i, percent=D(p), **extra) for i, p in enumerate(percents, start=1)]


def snapshot(year=2026):
    return sorted(
        TrancheRule.objects.filter(year=year).values_list("part", "tranche", "percent", "min_absorption")
    )


def test_a_part_is_saved_whole(world, regency):
    saved = svc.tranche_part_save(
        actor=dpmd(world), regency=regency, year=2026, part=TranchePart.REGULAR, rows=rows(20, 40, 40)
    )
    assert [(r.tranche, r.percent) for r in saved] == [(1, 20), (2, 40), (3, 40)]
    svc.tranche_part_save(
        actor=world.user(Role.ADMIN, REGENCY),
        regency=regency,
        year=2026,
        part=TranchePart.REGULAR,
        rows=[
            svc.TrancheRow(1, D(40), latest_month=6, requires_apbdes=True),
            svc.TrancheRow(2, D(60), earliest_month=4, min_absorption=D(60), min_output=D(40)),
        ],
    )
    regular = list(TrancheRule.objects.filter(year=2026, part=TranchePart.REGULAR).order_by("tranche"))
    assert [(r.tranche, r.percent, r.min_absorption) for r in regular] == [(1, 40, None), (2, 60, 60)]
    assert AuditEntry.objects.filter(act="finance.tranche.save").count() == 2


@pytest.mark.parametrize(
    ("new_rows", "message"),
    [
        (rows(40, 50), "harus tepat 100%"),
        (rows(40, 60, 10), "110%"),
        ([svc.TrancheRow(1, D(40)), svc.TrancheRow(1, D(60))], "dua kali"),
        ([svc.TrancheRow(1, D(40)), svc.TrancheRow(3, D(60))], "berurutan"),
        ([svc.TrancheRow(1, D(100), earliest_month=7, latest_month=6)], "paling cepat"),
        ([svc.TrancheRow(1, D(100), earliest_month=13)], "1 sampai 12"),
        ([svc.TrancheRow(1, D(100), min_absorption=D(101))], "antara 0 dan 100"),
        ([svc.TrancheRow(1, D(0)), svc.TrancheRow(2, D(100))], "lebih dari 0"),
        ([], "paling sedikit satu"),
    ],
)
def test_bad_tables_are_refused_and_nothing_changes(world, regency, new_rows, message):
    before = snapshot()
    with pytest.raises(KampungError, match=message):
        svc.tranche_part_save(
            actor=dpmd(world), regency=regency, year=2026, part=TranchePart.REGULAR, rows=new_rows
        )
    assert snapshot() == before


def test_only_regency_finance_admins_edit(world, regency):
    before = snapshot()
    for user in (
        world.user(Role.CAMAT, "35.10.01"),
        world.user(Role.SECRETARY, VILLAGE_A1),
        world.user(Role.BUPATI, REGENCY),
    ):
        with pytest.raises(NotPermitted):
            svc.tranche_part_save(
                actor=user, regency=regency, year=2026, part=TranchePart.REGULAR, rows=rows(100)
            )
    with pytest.raises(KampungError, match="tidak dikenal"):
        svc.tranche_part_save(actor=dpmd(world), regency=regency, year=2026, part="lain", rows=rows(100))
    assert snapshot() == before


def test_copy_a_year_to_the_next(world, regency):
    count = svc.tranche_year_copy(actor=dpmd(world), regency=regency, from_year=2027, to_year=2028)
    assert count == 6
    assert [(p, t, pct) for p, t, pct, _ in snapshot(2028)] == [
        (p, t, pct) for p, t, pct, _ in snapshot(2027)
    ]
    with pytest.raises(KampungError, match="sudah ada"):
        svc.tranche_year_copy(actor=dpmd(world), regency=regency, from_year=2027, to_year=2028)
    with pytest.raises(KampungError, match="Belum ada aturan"):
        svc.tranche_year_copy(actor=dpmd(world), regency=regency, from_year=2010, to_year=2029)
    with pytest.raises(KampungError, match="sama"):
        svc.tranche_year_copy(actor=dpmd(world), regency=regency, from_year=2027, to_year=2027)
    assert not TrancheRule.objects.filter(year=2029).exists()


# -- village status -------------------------------------------------------------------------


def test_status_set_by_hand_and_cleared(world, regency):
    row = svc.village_status_set(
        actor=dpmd(world), regency=regency, village_code=VILLAGE_A1, year=2026, status=DesaStatus.INDEPENDENT
    )
    assert row.status == "mandiri"
    svc.village_status_set(
        actor=dpmd(world), regency=regency, village_code=VILLAGE_A1, year=2026, status=DesaStatus.ADVANCED
    )
    assert VillageStatus.objects.get(village_id=VILLAGE_A1, year=2026).status == "maju"
    assert (
        svc.village_status_set(
            actor=dpmd(world), regency=regency, village_code=VILLAGE_A1, year=2026, status=""
        )
        is None
    )
    assert not VillageStatus.objects.exists()
    for code, message in ((KELURAHAN_B, "kelurahan"), ("35.10.99.9999", "tidak ditemukan")):
        with pytest.raises(KampungError, match=message):
            svc.village_status_set(
                actor=dpmd(world), regency=regency, village_code=code, year=2026, status="maju"
            )
    with pytest.raises(KampungError, match="tidak dikenal"):
        svc.village_status_set(
            actor=dpmd(world), regency=regency, village_code=VILLAGE_A1, year=2026, status="super"
        )
    with pytest.raises(NotPermitted):
        svc.village_status_set(
            actor=world.user(Role.HEAD, VILLAGE_A1),
            regency=regency,
            village_code=VILLAGE_A1,
            year=2026,
            status="maju",
        )
    assert not VillageStatus.objects.exists()


def xlsx(rows_, headers=("Kode desa", "Nama desa", "Status"), name="status.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows_:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def test_status_upload_good_file(world, regency):
    VillageStatus.objects.create(village_id=VILLAGE_A2, year=2026, status="maju")
    result = svc.village_status_import(
        actor=dpmd(world),
        regency=regency,
        year=2026,
        file=xlsx(
            [
                (VILLAGE_A1, "Sarongan", "Mandiri"),
                (VILLAGE_A2, "Pesanggaran", "maju"),
                (VILLAGE_B1, "", "sangat tertinggal"),
                ("35.10.15.2005", "", ""),
            ]
        ),
    )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 1)
    assert dict(VillageStatus.objects.filter(year=2026).values_list("village_id", "status")) == {
        VILLAGE_A1: "mandiri",
        VILLAGE_A2: "maju",
        VILLAGE_B1: "sangat_tertinggal",
    }
    assert AuditEntry.objects.filter(act="finance.village_status.import").exists()


def test_status_upload_bad_file_saves_nothing(world, regency):
    make_other_regency()
    with pytest.raises(ImportRejected) as err:
        svc.village_status_import(
            actor=dpmd(world),
            regency=regency,
            year=2026,
            file=xlsx(
                [
                    (VILLAGE_A1, "", "mandiri"),
                    (VILLAGE_A1, "", "maju"),
                    (KELURAHAN_B, "", "maju"),
                    (OTHER_VILLAGE, "", "maju"),
                    ("99.99", "", "maju"),
                    (VILLAGE_A2, "", "hebat"),
                    ("", "tanpa kode", "maju"),
                ]
            ),
        )
    problems = err.value.problems
    assert len(problems) == 6
    assert "Baris 3: desa 35.10.01.2001 sudah ada di baris 2." in problems
    assert any("kelurahan" in p for p in problems) and any("bukan desa di" in p for p in problems)
    assert any("'hebat' tidak dikenal" in p for p in problems) and any(
        "kode desa kosong" in p for p in problems
    )
    assert not VillageStatus.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("status.csv", b"Kode desa,Status\n"), ".xlsx"),
        (SimpleUploadedFile("status.xlsx", b"not a zip"), "tidak dapat dibaca"),
        ("headers", "Kolom tidak ditemukan"),
        ("empty", "tidak berisi baris"),
    ],
)
def test_status_upload_unusable_files(world, regency, upload, message):
    if upload == "headers":
        upload = xlsx([(VILLAGE_A1, "mandiri")], headers=("Kode", "Status IDM"))
    elif upload == "empty":
        upload = xlsx([])
    with pytest.raises(KampungError, match=message):
        svc.village_status_import(actor=dpmd(world), regency=regency, year=2026, file=upload)
    assert not VillageStatus.objects.exists()


def test_status_template_lists_every_desa_with_its_status(world, regency):
    VillageStatus.objects.create(village_id=VILLAGE_A1, year=2026, status="mandiri")
    ws = load_workbook(io.BytesIO(svc.status_template(regency, 2026))).active
    rows_ = list(ws.iter_rows(values_only=True))
    assert rows_[0] == ("Kode desa", "Nama desa", "Kecamatan", "Status")
    codes = {r[0]: r[3] for r in rows_[1:]}
    assert codes[VILLAGE_A1] == "mandiri" and KELURAHAN_B not in codes and VILLAGE_B1 in codes
    # the template uploads back unchanged
    result = svc.village_status_import(
        actor=dpmd(world),
        regency=regency,
        year=2026,
        file=SimpleUploadedFile("t.xlsx", svc.status_template(regency, 2026)),
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
