"""The whole road of issue #6 over HTTP: ceilings → RKPDes → APBDes → BPD → camat evaluation
(returned, fixed, approved) → enacted → penjabaran.

Ceilings are written as model rows (the ceilings service of the reference area is tested on
its own); the RPJMDes and RKPDes go through the planning services; every APBDes step goes
through the pages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, VILLAGE_A1
from kampung.finance.models import Apbdes, ApbdesStatus, BudgetActivity, BudgetLine, MusdesKind
from kampung.finance.tests.factories import activity_code, ceilings, source
from kampung.finance.tests.test_apbdes_services import camat_delegation
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

D = dt.date


def _rkpdes(world):
    from kampung.finance.services import planning as plan

    village = Region.objects.get(code=VILLAGE_A1)
    sec = world.user(Role.SECRETARY, VILLAGE_A1)
    rpjm = plan.rpjmdes_create(
        actor=sec,
        village=village,
        data=plan.RpjmInput(start_year=2025, end_year=2030, head_name="Kades Uji", vision="Desa maju"),
    )
    for code, name, amount in (
        ("02.03.10", "Rabat beton Dusun Krajan", 80_000_000),
        ("04.02.03", "Lumbung pangan desa", 20_000_000),
    ):
        plan.rpjm_activity_save(
            actor=sec,
            rpjm=rpjm,
            data=plan.RpjmActivityInput(
                activity_code=activity_code(code),
                name=name,
                amounts={2027: Decimal(amount)},
                source=source("DDS"),
            ),
        )
    plan.rpjmdes_enact(
        actor=world.user(Role.HEAD, VILLAGE_A1), rpjm=rpjm, perdes_number="1/2025", perdes_date=D(2025, 3, 1)
    )
    rkp = plan.rkpdes_create(actor=sec, village=village, year=2027)
    musdes = plan.musdes_save(
        actor=sec,
        village=village,
        data=plan.MusdesInput(
            kind=MusdesKind.RKP, title="Musdes RKPDes 2027", held_on=D(2026, 8, 10), year=2027
        ),
    )
    plan.rkpdes_set_musdes(actor=sec, rkp=rkp, musdes=musdes)
    plan.rkpdes_enact(
        actor=world.user(Role.HEAD, VILLAGE_A1), rkp=rkp, perdes_number="4/2026", perdes_date=D(2026, 9, 20)
    )
    return rkp


def as_(client, world, role, region=VILLAGE_A1):
    client.force_login(world.user(role, region))
    return client


def post_ok(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


# Within the evaluation window of the drafts sent on 22 and 29 October.
@time_machine.travel(dt.datetime(2026, 11, 12, 9, 0, tzinfo=dt.UTC))
def test_ceilings_rkpdes_apbdes_bpd_camat_returned_fixed_approved_enacted_elaborated(client, world):
    camat_delegation(world)
    ceilings(VILLAGE_A1, 2027, DDS=100_000_000, ADD=50_000_000)
    rkp = _rkpdes(world)

    # The secretary drafts the APBDes 2027 from the village finance page.
    as_(client, world, Role.SECRETARY)
    assert "Buat APBDes 2027" in client.get(f"/keuangan/desa/{VILLAGE_A1}/").content.decode()
    post_ok(client, f"/keuangan/desa/{VILLAGE_A1}/apbdes/buat/", {"year": 2027, "from_rkp": "on"})
    apbdes = Apbdes.objects.get(village_id=VILLAGE_A1, year=2027)
    assert apbdes.rkp_id == rkp.pk
    assert sorted(apbdes.revenues.values_list("source_id", "amount")) == [
        ("ADD", Decimal(50_000_000)),
        ("DDS", Decimal(100_000_000)),
    ]
    road = apbdes.activities.get(activity_code__code="02.03.10")
    food = apbdes.activities.get(activity_code__code="04.02.03")
    assert road.rkp_activity.rkp_id == rkp.pk

    # ADD kegiatan added on the page; the treasurer types the RAB lines.
    for code in ("01.01.01", "01.02.02"):
        post_ok(
            client,
            f"/keuangan/apbdes/{apbdes.pk}/kegiatan/",
            {"activity_code": code, "start_month": 1, "end_month": 12},
        )
    siltap = apbdes.activities.get(activity_code__code="01.01.01")
    office = apbdes.activities.get(activity_code__code="01.02.02")
    as_(client, world, Role.TREASURER)
    for activity, account, src, volume, unit, price, text in (
        (road, "5.3.5.03", "DDS", 200, "m", 400_000, "Rabat beton"),
        (food, "5.2.7.05", "DDS", 1, "paket", 20_000_000, "Lumbung pangan"),
        (siltap, "5.1.1.01", "ADD", 12, "bulan", 2_500_000, "Siltap kepala desa"),
        (office, "5.2.6.04", "ADD", 1, "paket", 20_000_000, "Pemeliharaan kantor"),
    ):
        post_ok(
            client,
            f"/keuangan/apbdes/kegiatan/{activity.pk}/",
            {
                "account_code": account,
                "source_code": src,
                "description": text,
                "volume": volume,
                "unit": unit,
                "unit_price": price,
            },
        )
    body = client.get(f"/keuangan/apbdes/{apbdes.pk}/").content.decode()
    assert "Semua pemeriksaan terpenuhi" in body and "Rp 150.000.000" in body

    # The BPD agrees, the head sends it to the camat.
    as_(client, world, Role.BPD)
    post_ok(
        client,
        f"/keuangan/apbdes/{apbdes.pk}/tindakan/sepakati/",
        {"agreed_on": "2026-10-20", "minutes_number": "03/BA/BPD/X/2026"},
    )
    as_(client, world, Role.HEAD)
    post_ok(client, f"/keuangan/apbdes/{apbdes.pk}/tindakan/kirim/", {"submitted_on": "2026-10-22"})
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.SUBMITTED and apbdes.evaluation_due is not None

    # The camat (delegated by Perbup) sees it in the queue and returns it with notes.
    as_(client, world, Role.CAMAT, DISTRICT_A)
    assert f"/keuangan/apbdes/{apbdes.pk}/" in client.get("/keuangan/evaluasi/").content.decode()
    assert "Simpan hasil evaluasi" in client.get(f"/keuangan/apbdes/{apbdes.pk}/").content.decode()
    post_ok(
        client,
        f"/keuangan/apbdes/{apbdes.pk}/tindakan/evaluasi/",
        {
            "decision": "kembali",
            "notes": "Rincian pemeliharaan kantor harus diuraikan.",
            "decided_on": "2026-10-27",
        },
    )
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.RETURNED

    # The village fixes the line and the head sends it again.
    as_(client, world, Role.SECRETARY)
    line = BudgetLine.objects.get(activity=office)
    post_ok(
        client,
        f"/keuangan/apbdes/kegiatan/{office.pk}/",
        {
            "line": line.pk,
            "account_code": "5.2.6.04",
            "source_code": "ADD",
            "description": "Pengecatan dan perbaikan atap kantor desa",
            "volume": 1,
            "unit": "paket",
            "unit_price": 20_000_000,
        },
    )
    as_(client, world, Role.HEAD)
    post_ok(client, f"/keuangan/apbdes/{apbdes.pk}/tindakan/kirim/", {"submitted_on": "2026-10-29"})

    as_(client, world, Role.CAMAT, DISTRICT_A)
    post_ok(
        client,
        f"/keuangan/apbdes/{apbdes.pk}/tindakan/evaluasi/",
        {"decision": "setuju", "notes": "", "decided_on": "2026-11-03"},
    )
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.APPROVED

    # The head enacts the Perdes and the Perkades Penjabaran.
    as_(client, world, Role.HEAD)
    post_ok(
        client,
        f"/keuangan/apbdes/{apbdes.pk}/tindakan/tetapkan/",
        {"perdes_number": "6 Tahun 2026", "perdes_date": "2026-11-10"},
    )
    post_ok(
        client,
        f"/keuangan/apbdes/{apbdes.pk}/tindakan/jabarkan/",
        {"number": "12 Tahun 2026", "date": "2026-11-11"},
    )
    apbdes.refresh_from_db()
    assert (apbdes.status, apbdes.perdes_number, apbdes.penjabaran_number) == (
        ApbdesStatus.ELABORATED,
        "6 Tahun 2026",
        "12 Tahun 2026",
    )
    evaluations = list(apbdes.evaluations.values_list("result", "basis"))
    assert [r for r, _ in evaluations] == ["dikembalikan", "disetujui"]
    assert all(b.startswith("delegasi") for _, b in evaluations)
    acts = list(
        AuditEntry.objects.filter(object_type="finance.Apbdes", object_id=str(apbdes.pk))
        .order_by("seq")
        .values_list("act", flat=True)
    )
    assert acts == [
        "finance.apbdes.create",
        "finance.apbdes.agree",
        "finance.apbdes.submit",
        "finance.apbdes.evaluate",
        "finance.apbdes.submit",
        "finance.apbdes.evaluate",
        "finance.apbdes.enact",
        "finance.apbdes.elaborate",
    ]
    body = client.get(f"/keuangan/apbdes/{apbdes.pk}/").content.decode()
    assert "Rincian pemeliharaan kantor harus diuraikan." in body and "Dijabarkan" in body
    # Once enacted nothing is editable.
    assert "Simpan rincian" not in client.get(f"/keuangan/apbdes/kegiatan/{road.pk}/").content.decode()
    assert BudgetActivity.objects.filter(apbdes=apbdes).count() == 4
