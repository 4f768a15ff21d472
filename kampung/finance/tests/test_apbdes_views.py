"""APBDes pages over HTTP: who sees what, writes through forms, 404s, query bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, DISTRICT_B, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.finance.models import Apbdes, ApbdesStatus, BudgetLine, FinancingLine, RevenueLine
from kampung.finance.services import apbdes as svc
from kampung.finance.tests.factories import make_apbdes

pytestmark = pytest.mark.django_db


def login(client, world, role, region=VILLAGE_A1):
    client.force_login(world.user(role, region))
    return client


def test_village_page_lists_versions_and_offers_creation(client, world):
    apbdes = make_apbdes(VILLAGE_A1)
    login(client, world, Role.SECRETARY)
    response = client.get(f"/keuangan/desa/{VILLAGE_A1}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "APBDes 2027" in body and f"/keuangan/apbdes/{apbdes.pk}/" in body
    assert "Buat APBDes" in body
    # The calendar of the year: the agreement deadline (31 Oct 2026) passed without agreement.
    assert "Rancangan APBDes disepakati bersama BPD" in body and "31 Oktober 2026" in body


def test_village_page_404_for_other_villages_and_kelurahan(client, world):
    login(client, world, Role.SECRETARY)
    assert client.get(f"/keuangan/desa/{VILLAGE_A2}/").status_code == 404
    login(client, world, Role.HEAD, KELURAHAN_B)
    assert client.get(f"/keuangan/desa/{KELURAHAN_B}/").status_code == 404


def test_create_from_the_page(client, world):
    login(client, world, Role.SECRETARY)
    response = client.post(f"/keuangan/desa/{VILLAGE_A1}/apbdes/buat/", {"year": 2027, "from_rkp": "on"})
    apbdes = Apbdes.objects.get(village_id=VILLAGE_A1, year=2027)
    assert response.status_code == 302 and response["Location"] == f"/keuangan/apbdes/{apbdes.pk}/"
    response = client.post(f"/keuangan/desa/{VILLAGE_A1}/apbdes/buat/", {"year": 2027}, follow=True)
    assert "sudah ada" in response.content.decode()
    assert Apbdes.objects.filter(village_id=VILLAGE_A1).count() == 1
    response = client.post(f"/keuangan/desa/{VILLAGE_A1}/apbdes/buat/", {"year": "abc"}, follow=True)
    assert response.status_code == 200 and Apbdes.objects.filter(village_id=VILLAGE_A1).count() == 1


def test_detail_shows_totals_sections_and_checks(client, world, django_assert_max_num_queries):
    apbdes = make_apbdes(VILLAGE_A1)
    login(client, world, Role.SECRETARY)
    with django_assert_max_num_queries(40):
        response = client.get(f"/keuangan/apbdes/{apbdes.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Rp 1.420.000.000",
        "Rp 1.450.000.000",
        "Pendapatan",
        "Belanja",
        "Pembiayaan",
        "Pemeriksaan",
        "Riwayat",
        "Semua pemeriksaan terpenuhi",
        "Catat kesepakatan BPD",
    ):
        assert text in body, text
    # Forms scale neither with lines nor kegiatan: more kegiatan, same bound.
    for _ in range(10):
        svc.activity_save(
            actor=world.user(Role.SECRETARY, VILLAGE_A1), apbdes=apbdes, activity_code="03.01.01"
        )
    with django_assert_max_num_queries(40):
        assert client.get(f"/keuangan/apbdes/{apbdes.pk}/").status_code == 200


def test_detail_for_readers_without_actions_and_404_elsewhere(client, world):
    apbdes = make_apbdes(VILLAGE_A1)
    login(client, world, Role.TREASURER)
    body = client.get(f"/keuangan/apbdes/{apbdes.pk}/").content.decode()
    assert "Catat kesepakatan BPD" not in body and "Tambah pendapatan" in body
    login(client, world, Role.CAMAT, DISTRICT_A)
    body = client.get(f"/keuangan/apbdes/{apbdes.pk}/").content.decode()
    assert "Tambah pendapatan" not in body
    login(client, world, Role.SECRETARY, VILLAGE_A2)
    assert client.get(f"/keuangan/apbdes/{apbdes.pk}/").status_code == 404
    login(client, world, Role.CAMAT, DISTRICT_B)
    assert client.get(f"/keuangan/apbdes/{apbdes.pk}/").status_code == 404
    assert client.get("/keuangan/apbdes/999999/").status_code == 404


def test_problems_shown_and_agreement_refused(client, world):
    apbdes = make_apbdes(VILLAGE_A1)
    FinancingLine.objects.filter(apbdes=apbdes).update(amount=Decimal(10_000_000))
    login(client, world, Role.BPD)
    body = client.get(f"/keuangan/apbdes/{apbdes.pk}/").content.decode()
    assert "Harus diperbaiki" in body and "kurang Rp 20.000.000" in body
    response = client.post(
        f"/keuangan/apbdes/{apbdes.pk}/tindakan/sepakati/",
        {"agreed_on": "2026-10-20", "minutes_number": "1/BPD"},
        follow=True,
    )
    assert "belum lolos pemeriksaan" in response.content.decode()
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.DRAFT


def test_revenue_and_financing_forms(client, world):
    apbdes = make_apbdes(VILLAGE_A1)
    login(client, world, Role.OPERATOR)
    url = f"/keuangan/apbdes/{apbdes.pk}/pendapatan/"
    client.post(url, {"account_code": "4.1.1.01", "source_code": "PAD", "amount": "2500000"})
    line = RevenueLine.objects.get(apbdes=apbdes, account__code="4.1.1.01")
    assert line.amount == Decimal(2_500_000)
    before = RevenueLine.objects.count()
    response = client.post(url, {"account_code": "9.9.9", "source_code": "PAD", "amount": "-1"}, follow=True)
    assert response.status_code == 200 and RevenueLine.objects.count() == before
    client.post(f"/keuangan/apbdes/{apbdes.pk}/pendapatan/{line.pk}/hapus/")
    assert not RevenueLine.objects.filter(pk=line.pk).exists()
    client.post(
        f"/keuangan/apbdes/{apbdes.pk}/pembiayaan/",
        {"account_code": "6.2.1.01", "source_code": "", "amount": "1000000"},
    )
    fin = FinancingLine.objects.get(apbdes=apbdes, account__code="6.2.1.01")
    client.post(f"/keuangan/apbdes/{apbdes.pk}/pembiayaan/{fin.pk}/hapus/")
    assert not FinancingLine.objects.filter(pk=fin.pk).exists()
    assert client.get(url).status_code == 405


def test_activity_page_and_line_form_without_js(client, world, django_assert_max_num_queries):
    apbdes = make_apbdes(VILLAGE_A1)
    activity = apbdes.activities.get(activity_code__code="02.03.10")
    login(client, world, Role.TREASURER)
    url = f"/keuangan/apbdes/kegiatan/{activity.pk}/"
    with django_assert_max_num_queries(30):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "Rabat beton" in body and "Rp 462.000.000" in body
    assert "data-ssh-picker" in body and "finance/apbdes.js" in body
    response = client.post(
        url,
        {
            "account_code": "5.3.5.03",
            "source_code": "DDS",
            "description": "Besi",
            "volume": "10",
            "unit": "batang",
            "unit_price": "95000",
        },
        follow=True,
    )
    line = BudgetLine.objects.get(activity=activity, description="Besi")
    assert line.amount == Decimal(950_000)
    assert "Rp 462.950.000" in response.content.decode()
    # Edit the line through the same form.
    client.post(
        url,
        {
            "line": line.pk,
            "account_code": "5.3.5.03",
            "source_code": "DDS",
            "description": "Besi",
            "volume": "20",
            "unit": "batang",
            "unit_price": "95000",
        },
    )
    line.refresh_from_db()
    assert line.amount == Decimal(1_900_000)
    # Bad input: nothing changes.
    count = BudgetLine.objects.count()
    for bad in ({"volume": "x"}, {"account_code": "4.2.1.01"}, {"unit_price": "", "unit_price_id": "99999"}):
        data = {
            "account_code": "5.3.5.03",
            "source_code": "DDS",
            "description": "Paku",
            "volume": "1",
            "unit": "kg",
            "unit_price": "20000",
            **bad,
        }
        assert client.post(url, data).status_code in (200, 302)
    assert BudgetLine.objects.count() == count
    client.post(f"/keuangan/apbdes/rincian/{line.pk}/hapus/")
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


def test_activity_of_another_village_is_404(client, world):
    apbdes = make_apbdes(VILLAGE_A1)
    activity = apbdes.activities.first()
    line = BudgetLine.objects.filter(activity__apbdes=apbdes).first()
    login(client, world, Role.TREASURER, VILLAGE_A2)
    assert client.get(f"/keuangan/apbdes/kegiatan/{activity.pk}/").status_code == 404
    assert client.post(f"/keuangan/apbdes/rincian/{line.pk}/hapus/").status_code == 404
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_edit_refused_after_agreement(client, world):
    apbdes = make_apbdes(VILLAGE_A1, status=ApbdesStatus.AGREED)
    activity = apbdes.activities.first()
    login(client, world, Role.SECRETARY)
    body = client.get(f"/keuangan/apbdes/kegiatan/{activity.pk}/").content.decode()
    assert "Simpan rincian" not in body
    count = BudgetLine.objects.count()
    response = client.post(
        f"/keuangan/apbdes/kegiatan/{activity.pk}/",
        {
            "account_code": "5.3.5.03",
            "source_code": "DDS",
            "description": "X",
            "volume": "1",
            "unit": "kg",
            "unit_price": "1",
        },
        follow=True,
    )
    assert "tidak dapat diubah" in response.content.decode() and BudgetLine.objects.count() == count


def test_evaluation_queue_for_the_camat(client, world, django_assert_max_num_queries):
    a1 = make_apbdes(
        VILLAGE_A1,
        status=ApbdesStatus.SUBMITTED,
        submitted_on=dt.date(2026, 10, 1),
        evaluation_due=dt.date(2026, 10, 29),
    )
    a2 = make_apbdes(
        VILLAGE_A2,
        status=ApbdesStatus.SUBMITTED,
        submitted_on=dt.date(2026, 11, 20),
        evaluation_due=dt.date(2027, 12, 18),
    )
    make_apbdes(VILLAGE_B1, status=ApbdesStatus.SUBMITTED, evaluation_due=dt.date(2026, 12, 18))
    login(client, world, Role.CAMAT, DISTRICT_A)
    with django_assert_max_num_queries(20):
        response = client.get("/keuangan/evaluasi/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sarongan" in body and "Pesanggaran" in body and "Glagah" not in body.split("<main")[1]
    assert "lewat waktu" in body and "apbdes-overdue" in body
    assert body.index(f"/keuangan/apbdes/{a1.pk}/") < body.index(
        f"/keuangan/apbdes/{a2.pk}/"
    )  # oldest due first
    assert f"/keuangan/apbdes/{a1.pk}/" in body
    login(client, world, Role.SECRETARY)
    assert client.get("/keuangan/evaluasi/").status_code == 404
    login(client, world, Role.BUPATI, REGENCY)
    assert client.get("/keuangan/evaluasi/").content.decode().count("/keuangan/apbdes/") == 3


def test_overdue_draft_shows_deemed_approved(client, world):
    apbdes = make_apbdes(
        VILLAGE_A1,
        status=ApbdesStatus.SUBMITTED,
        submitted_on=dt.date(2026, 10, 1),
        evaluation_due=dt.date(2026, 10, 29),
    )
    login(client, world, Role.HEAD)
    body = client.get(f"/keuangan/apbdes/{apbdes.pk}/").content.decode()
    assert "dianggap disetujui" in body


def test_deem_approved_command(world, capsys):
    from django.core.management import call_command

    apbdes = make_apbdes(
        VILLAGE_A1,
        status=ApbdesStatus.SUBMITTED,
        submitted_on=dt.date(2026, 10, 1),
        evaluation_due=dt.date(2026, 10, 29),
    )
    call_command("finance", "deem-approved", "--date", "2026-10-29")
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.SUBMITTED
    call_command("finance", "deem-approved", "--date", "2026-10-30")
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.APPROVED and apbdes.deemed_approved
    assert "1 APBDes dianggap disetujui" in capsys.readouterr().out
    call_command("finance", "check", "--village", VILLAGE_A1, "--year", "2027")


def test_revision_page_shows_original_and_revised_side_by_side(client, world):
    from kampung.finance.tests.test_apbdes_services import _enacted

    base = _enacted(world)
    login(client, world, Role.SECRETARY)
    body = client.get(f"/keuangan/apbdes/{base.pk}/").content.decode()
    assert "Buat APBDes Perubahan" in body
    response = client.post(f"/keuangan/apbdes/{base.pk}/tindakan/perubahan/", {"reason": ""})
    revision = Apbdes.objects.get(base=base)
    assert response["Location"] == f"/keuangan/apbdes/{revision.pk}/"
    road = revision.activities.get(activity_code__code="02.03.10")
    line = road.lines.get(description="Upah tukang")
    client.post(
        f"/keuangan/apbdes/kegiatan/{road.pk}/",
        {
            "line": line.pk,
            "account_code": "5.3.5.02",
            "source_code": "DDS",
            "description": "Upah tukang",
            "volume": "150",
            "unit": "HOK",
            "unit_price": "120000",
        },
    )
    body = client.get(f"/keuangan/apbdes/{revision.pk}/").content.decode()
    assert "Sebelum dan sesudah perubahan" in body
    table = body.split('data-testid="compare-activities"')[1].split("</table>")[0]
    assert "Rp 462.000.000" in table and "Rp 468.000.000" in table and "Rp 6.000.000" in table
    # A second revision while this one is in progress is refused on the page too.
    response = client.post(f"/keuangan/apbdes/{base.pk}/tindakan/perubahan/", {}, follow=True)
    assert "sedang disusun" in response.content.decode()
    assert Apbdes.objects.filter(base=base).count() == 1
