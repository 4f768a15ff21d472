"""Programme configuration by the regency: programmes, the criteria sheet, the yearly settings
and village quotas, and the register of earlier housing aid (with its Excel import)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kampung.accounts.roles import Role
from kampung.assistance.models import (
    AidHistory,
    CaseStatus,
    Criterion,
    CriterionKind,
    Programme,
    ProgrammeYear,
    VillageQuota,
)
from kampung.assistance.services import programmes as svc
from kampung.assistance.tests.factories import household, make_case, programmes
from kampung.audit.models import AuditEntry
from kampung.authority.acts import get_act
from kampung.conftest import (
    DISTRICT_A,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    make_other_regency,
)
from kampung.core.errors import KampungError, NotPermitted
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

NIK_1 = "3510010101700001"
NIK_2 = "3510010202700002"
KK_1 = "3510010101150001"


@pytest.fixture(autouse=True)
def _in_2026() -> Any:
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def regency(db: Any) -> Region:
    return Region.objects.get(code=REGENCY)


@pytest.fixture
def admin(world: Any) -> Any:
    return world.user(Role.ADMIN, REGENCY)


def _data(**override: Any) -> svc.ProgrammeData:
    values: dict[str, Any] = {
        "name": "Bedah Rumah Baznas",
        "kind": "rtlh",
        "funding_kind": "lain",
        "cycle": "tahunan",
        "amount": Decimal("15000000"),
        "quota_per_village": 2,
        "months": 1,
        "aid_exclusion_years": 10,
    }
    values.update(override)
    return svc.ProgrammeData(**values)


def _criterion(**override: Any) -> svc.CriterionData:
    values: dict[str, Any] = {
        "code": "X-01",
        "description": "Luas lantai per orang kurang dari 8 m²",
        "kind": CriterionKind.SCORE,
        "attribute": "luas_per_orang",
        "operator": "lt",
        "value": "8",
        "weight": Decimal("12"),
    }
    values.update(override)
    return svc.CriterionData(**values)


# -- programmes -----------------------------------------------------------------------------


def test_admin_creates_a_programme_and_its_act_is_registered(world, admin, regency):
    programme = svc.programme_create(actor=admin, regency=regency, code="Baznas-RTLH", data=_data())
    assert programme.code == "baznas-rtlh" and programme.regency_id == REGENCY
    act = get_act("assistance.baznas-rtlh.decide")
    assert act is not None and act.holder_role == Role.BUPATI
    entry = AuditEntry.objects.get(act="assistance.programme.create")
    assert entry.after["code"] == "baznas-rtlh" and entry.after["amount"] == "15000000.00"


def test_an_apbdes_programme_names_a_known_kegiatan_and_account(world, admin, regency):
    made = svc.programme_create(
        actor=admin,
        regency=regency,
        code="rtlh-apbdes",
        data=_data(funding_kind="apbdes", activity_code="02.04.01", account_code="5.2.7.03"),
    )
    assert made.activity_code == "02.04.01"
    with pytest.raises(KampungError, match="kode kegiatan"):
        svc.programme_create(
            actor=admin, regency=regency, code="tanpa-kode", data=_data(funding_kind="apbdes")
        )
    with pytest.raises(KampungError, match="99.99.99 tidak ada"):
        svc.programme_create(
            actor=admin,
            regency=regency,
            code="salah-kode",
            data=_data(funding_kind="apbdes", activity_code="99.99.99", account_code="5.2.7.03"),
        )
    assert not Programme.objects.filter(code__in=["tanpa-kode", "salah-kode"]).exists()


@pytest.mark.parametrize(
    ("code", "override", "message"),
    [
        ("x", {}, "Kode program"),
        ("delegasi", {}, "dipakai oleh halaman lain"),
        ("baru", {}, "dipakai oleh halaman lain"),
        ("baik", {"name": "  "}, "Nama program wajib"),
        ("baik", {"amount": Decimal(0)}, "lebih dari nol"),
        ("baik", {"months": 13}, "antara 1 dan 12"),
        ("baik", {"kind": "blt", "cycle": "tahunan"}, "siklus bulanan"),
        ("baik", {"dd_cap_percent": Decimal("120")}, "paling banyak 100"),
    ],
)
def test_programme_input_is_checked(world, admin, regency, code, override, message):
    with pytest.raises(KampungError, match=message):
        svc.programme_create(actor=admin, regency=regency, code=code, data=_data(**override))
    assert not Programme.objects.exists()


@pytest.mark.parametrize(
    ("role", "region"),
    [(Role.OPERATOR, VILLAGE_A1), (Role.HEAD, VILLAGE_A1), (Role.CAMAT, DISTRICT_A), (Role.BUPATI, REGENCY)],
)
def test_only_dpmd_and_admin_configure_programmes(world, regency, role, region):
    with pytest.raises(NotPermitted):
        svc.programme_create(
            actor=world.user(role, region), regency=regency, code="program-baru", data=_data()
        )
    dpmd = world.user(Role.DPMD, REGENCY)
    assert svc.programme_create(actor=dpmd, regency=regency, code="program-baru", data=_data()).pk


def test_duplicate_code_is_refused(world, admin, regency):
    programmes()
    with pytest.raises(KampungError, match="sudah dipakai"):
        svc.programme_create(actor=admin, regency=regency, code="rtlh", data=_data())


def test_code_kind_and_cycle_are_fixed_once_cases_exist(world, admin, regency):
    programme = svc.programme_create(actor=admin, regency=regency, code="baznas", data=_data())
    renamed = svc.programme_update(
        actor=admin, programme=programme, data=_data(name="Baznas"), code="baznas-2"
    )
    assert renamed.code == "baznas-2" and get_act("assistance.baznas-2.decide") is not None
    family, head = household(world, VILLAGE_A1)
    make_case(renamed, family, head)
    with pytest.raises(KampungError, match="Kode program tidak dapat diubah"):
        svc.programme_update(actor=admin, programme=renamed, data=_data(), code="baznas-3")
    with pytest.raises(KampungError, match="Jenis dan siklus"):
        svc.programme_update(actor=admin, programme=renamed, data=_data(kind="lain"))
    updated = svc.programme_update(
        actor=admin, programme=renamed, data=_data(name="Bedah Rumah Baznas 2026", quota_per_village=5)
    )
    assert updated.code == "baznas-2" and updated.quota_per_village == 5
    entry = AuditEntry.objects.filter(act="assistance.programme.update").latest("seq")
    assert entry.before["quota_per_village"] == 2 and entry.after["quota_per_village"] == 5


# -- criteria -------------------------------------------------------------------------------


def test_criterion_create_and_update(world, admin):
    rtlh, _ = programmes()
    made = svc.criterion_create(actor=admin, programme=rtlh, data=_criterion(code="rtlh-r08"))
    assert made.code == "RTLH-R08" and made.value == "8" and made.weight == Decimal(12)
    changed = svc.criterion_update(
        actor=admin, criterion=made, data=_criterion(value="7.5", weight=Decimal(5))
    )
    assert changed.value == "7.5" and changed.weight == Decimal(5) and changed.code == "RTLH-R08"
    knock = svc.criterion_create(
        actor=admin,
        programme=rtlh,
        data=_criterion(
            code="K-9",
            kind=CriterionKind.KNOCKOUT,
            attribute="wni",
            operator="ya",
            value="x",
            weight=Decimal(9),
        ),
    )
    assert knock.value == "" and knock.weight == 0  # a knock-out has no weight; ya/tidak no value
    choice = svc.criterion_create(
        actor=admin,
        programme=rtlh,
        data=_criterion(code="K-10", attribute="status_tanah", operator="in", value=" sewa, numpang ,sewa"),
    )
    assert choice.value == "sewa,numpang"
    assert AuditEntry.objects.filter(act__startswith="assistance.criterion.").count() == 4


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"attribute": "warna_rumah"}, "tidak dikenal"),
        ({"attribute": "status_tanah", "operator": "lt", "value": "5"}, "Syarat untuk Status tanah"),
        ({"operator": "ge", "value": "banyak"}, "harus berupa angka"),
        ({"attribute": "jumlah_penghuni", "operator": "gt", "value": "2.5"}, "bilangan bulat"),
        ({"attribute": "kondisi_atap", "operator": "in", "value": "bocor_parah,roboh"}, "roboh"),
        ({"attribute": "kondisi_atap", "operator": "in", "value": " , "}, "satu kode pilihan"),
        ({"attribute": "wni", "operator": "in", "value": "ya"}, "Syarat untuk Warga"),
        ({"weight": Decimal(-1)}, "Bobot"),
        ({"code": "bad code!"}, "Kode kriteria"),
        ({"code": "RTLH-R01"}, "sudah ada"),
        ({"description": ""}, "Uraian"),
    ],
)
def test_criterion_input_is_checked(world, admin, override, message):
    rtlh, _ = programmes()
    before = Criterion.objects.count()
    with pytest.raises(KampungError, match=message):
        svc.criterion_create(actor=admin, programme=rtlh, data=_criterion(**override))
    assert Criterion.objects.count() == before


def test_criterion_update_refuses_bad_value_and_keeps_the_row(world, admin):
    rtlh, _ = programmes()
    criterion = Criterion.objects.get(programme=rtlh, code="RTLH-R01")
    with pytest.raises(KampungError):
        svc.criterion_update(actor=admin, criterion=criterion, data=_criterion(value="sembilan"))
    criterion.refresh_from_db()
    assert criterion.value == "9"
    with pytest.raises(NotPermitted):
        svc.criterion_update(
            actor=world.user(Role.OPERATOR, VILLAGE_A1), criterion=criterion, data=_criterion(value="7")
        )


# -- yearly settings and quotas -------------------------------------------------------------


def _year(**override: Any) -> svc.YearData:
    values: dict[str, Any] = {"amount": Decimal("20000000"), "quota_per_village": 3, "months": 1}
    values.update(override)
    return svc.YearData(**values)


def test_programme_year_update_and_its_limits(world, admin):
    rtlh, blt = programmes()
    row = svc.programme_year_update(actor=admin, programme=rtlh, year=2027, data=_year())
    assert (row.year, row.amount, row.quota_per_village) == (2027, Decimal(20_000_000), 3)
    assert ProgrammeYear.objects.filter(programme=rtlh).count() == 2
    for _ in range(2):
        family, head = household(world, VILLAGE_A1)
        make_case(rtlh, family, head, status=CaseStatus.DECIDED, amount=17_500_000)
    with pytest.raises(KampungError, match="Sarongan \\(2\\)"):
        svc.programme_year_update(actor=admin, programme=rtlh, year=2026, data=_year(quota_per_village=1))
    with pytest.raises(KampungError, match="Pagu"):
        svc.programme_year_update(
            actor=admin, programme=rtlh, year=2026, data=_year(budget_ceiling=Decimal(30_000_000))
        )
    with pytest.raises(KampungError, match="batas persen"):
        svc.programme_year_update(actor=admin, programme=blt, year=2026, data=_year(months=12))
    row = svc.programme_year_update(
        actor=admin,
        programme=blt,
        year=2026,
        data=_year(amount=Decimal(300_000), months=12, dd_cap_percent=Decimal(25)),
    )
    assert row.dd_cap_percent == Decimal(25) and row.months == 12
    # The village with its own quota is not held to the default.
    svc.village_quota_set(
        actor=admin,
        programme=rtlh,
        year=2026,
        village=Region.objects.get(code=VILLAGE_A1),
        quota=2,
    )
    row = svc.programme_year_update(actor=admin, programme=rtlh, year=2026, data=_year(quota_per_village=1))
    assert row.quota_per_village == 1


def test_village_quota_set_change_and_remove(world, admin):
    rtlh, _ = programmes()
    py = ProgrammeYear.objects.get(programme=rtlh, year=2026)
    village = Region.objects.get(code=VILLAGE_A2)
    made = svc.village_quota_set(actor=admin, programme=rtlh, year=2026, village=village, quota=6)
    assert made is not None and made.quota == 6
    svc.village_quota_set(actor=admin, programme=rtlh, year=2026, village=village, quota=2)
    assert VillageQuota.objects.get(programme_year=py, village=village).quota == 2
    family, head = household(world, VILLAGE_A2)
    make_case(rtlh, family, head, status=CaseStatus.DONE, amount=17_500_000)
    make_case(rtlh, *household(world, VILLAGE_A2), status=CaseStatus.PAID, amount=17_500_000)
    with pytest.raises(KampungError, match="sudah menetapkan 2"):
        svc.village_quota_set(actor=admin, programme=rtlh, year=2026, village=village, quota=1)
    assert svc.village_quota_set(actor=admin, programme=rtlh, year=2026, village=village, quota=None) is None
    assert not VillageQuota.objects.exists()
    assert AuditEntry.objects.filter(act="assistance.village_quota.set", region_code=VILLAGE_A2).count() == 3
    made = svc.village_quota_set(actor=admin, programme=rtlh, year=2029, village=village, quota=3)
    assert made is not None and made.programme_year.amount == rtlh.amount
    with pytest.raises(KampungError, match="tidak termasuk"):
        svc.village_quota_set(
            actor=admin, programme=rtlh, year=2026, village=Region.objects.get(code=DISTRICT_A), quota=1
        )


# -- earlier housing aid --------------------------------------------------------------------


def _aid(**override: Any) -> svc.AidData:
    values: dict[str, Any] = {
        "nik": NIK_1,
        "kk_number": "",
        "name": "Sumarni",
        "year": 2019,
        "source": "BSPS Kementerian PUPR",
    }
    values.update(override)
    return svc.AidData(**values)


def test_aid_history_add_and_refusals(world, admin, regency):
    record = svc.aid_history_add(actor=admin, regency=regency, data=_aid())
    assert record.nik == NIK_1 and record.recorded_by == admin
    with pytest.raises(KampungError, match="sudah tercatat"):
        svc.aid_history_add(actor=admin, regency=regency, data=_aid(source="bsps kementerian pupr"))
    with pytest.raises(KampungError, match="NIK harus 16 angka"):
        svc.aid_history_add(actor=admin, regency=regency, data=_aid(nik="12345"))
    with pytest.raises(KampungError, match="salah satu wajib"):
        svc.aid_history_add(actor=admin, regency=regency, data=_aid(nik=""))
    with pytest.raises(KampungError, match="antara 1950 dan 2026"):
        svc.aid_history_add(actor=admin, regency=regency, data=_aid(year=2030))
    with pytest.raises(NotPermitted):
        svc.aid_history_add(
            actor=world.user(Role.OPERATOR, VILLAGE_A1), regency=regency, data=_aid(year=2020)
        )
    assert AidHistory.objects.count() == 1


def _sheet(rows: list[list[Any]], headers: tuple[str, ...] = svc.AID_HEADERS) -> SimpleUploadedFile:
    wb = Workbook()
    ws: Any = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("riwayat.xlsx", out.getvalue())


def test_aid_import_saves_every_row_or_none(world, admin, regency):
    svc.aid_history_add(actor=admin, regency=regency, data=_aid())
    good = [
        [NIK_1, "", "Sumarni", 2019, "BSPS Kementerian PUPR", ""],  # already there: skipped
        [NIK_2, KK_1, "Paimin", "2018", "APBD Banyuwangi", "Rehab 2018"],
        ["", KK_1, "Paimin", 2021, "CSR Bank Jatim", ""],
    ]
    result = svc.aid_history_import(actor=admin, regency=regency, upload=_sheet(good))
    assert (result.created, result.skipped) == (2, 1)
    assert AidHistory.objects.count() == 3
    bad = [
        [NIK_2, "", "Benar", 2015, "BSPS", ""],
        ["3510", "", "Salah NIK", 2015, "BSPS", ""],
        [3510010303700003, "", "NIK angka", 2015, "BSPS", ""],
        [NIK_2, "", "", 2031, "", ""],
        [NIK_2, "", "Benar", 2015, "BSPS", ""],
    ]
    with pytest.raises(svc.ImportRejected) as caught:
        svc.aid_history_import(actor=admin, regency=regency, upload=_sheet(bad))
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["Baris 3", "Baris 4", "Baris 5", "Baris 6"]
    assert "tersimpan sebagai angka" in problems[1] and "Nama wajib" in problems[2]
    assert "sama dengan baris sebelumnya" in problems[3]
    assert AidHistory.objects.count() == 3
    with pytest.raises(KampungError, match="Kolom tidak ditemukan"):
        svc.aid_history_import(actor=admin, regency=regency, upload=_sheet([], headers=("Nama", "Tahun")))
    with pytest.raises(KampungError, match="tidak dapat dibaca"):
        svc.aid_history_import(
            actor=admin, regency=regency, upload=SimpleUploadedFile("rusak.xlsx", b"not a zip at all")
        )


def test_aid_template_has_the_import_headers(world):
    wb = load_workbook(io.BytesIO(svc.aid_history_template()))
    ws = wb.worksheets[0]
    assert tuple(c.value for c in ws[1]) == svc.AID_HEADERS
    assert ws["A2"].number_format == "@"


# -- pages ----------------------------------------------------------------------------------


def _login(client: Any, user: Any) -> None:
    client.force_login(user)


def test_programme_pages_for_readers_and_admins(client, world, admin):
    rtlh, _ = programmes()
    _login(client, world.user(Role.OPERATOR, VILLAGE_A1))
    page = client.get(reverse("assistance:programmes"))
    assert page.status_code == 200 and "Bedah Rumah" in page.content.decode()
    assert "Program baru" not in page.content.decode()
    assert client.get(reverse("assistance:criteria", args=["rtlh"])).status_code == 200
    assert client.get(reverse("assistance:programme", args=["rtlh"])).status_code == 200
    assert client.get(reverse("assistance:programme_create")).status_code == 404
    assert client.get(reverse("assistance:aid_history")).status_code == 404
    criterion = Criterion.objects.get(programme=rtlh, code="RTLH-R01")
    url = reverse("assistance:criterion", args=["rtlh", criterion.pk])
    assert client.post(url, {"quick": "1", "weight": "1", "value": "9", "active": "1"}).status_code == 404
    assert client.post(reverse("assistance:programme", args=["rtlh"]), {"name": "x"}).status_code == 404
    criterion.refresh_from_db()
    assert criterion.weight == 20

    _login(client, admin)
    response = client.post(url, {"quick": "1", "weight": "25", "value": "8", "active": "1"})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.weight, criterion.value) == (Decimal(25), "8")
    bad = client.post(url, {"quick": "1", "weight": "25", "value": "delapan", "active": "1"})
    assert bad.status_code == 400 and "harus berupa angka" in bad.content.decode()


def test_admin_creates_a_programme_through_the_form(client, world, admin):
    _login(client, admin)
    assert client.get(reverse("assistance:programme_create")).status_code == 200
    form = {
        "code": "baznas",
        "name": "Bedah Rumah Baznas",
        "kind": "rtlh",
        "funding_kind": "lain",
        "cycle": "tahunan",
        "amount": "15000000",
        "quota_per_village": "2",
        "months": "1",
        "min_score": "0",
        "aid_exclusion_years": "10",
        "active": "on",
    }
    bad = client.post(reverse("assistance:programme_create"), {**form, "funding_kind": "apbdes"})
    assert bad.status_code == 400 and "kode kegiatan" in bad.content.decode()
    response = client.post(reverse("assistance:programme_create"), form)
    assert response.status_code == 302 and response["Location"] == reverse(
        "assistance:criteria", args=["baznas"]
    )
    add = client.post(
        reverse("assistance:criteria", args=["baznas"]),
        {
            "code": "BZ-01",
            "description": "Lantai tanah",
            "kind": "skor",
            "attribute": "bahan_lantai",
            "operator": "in",
            "value": "tanah",
            "weight": "10",
            "order": "10",
            "active": "on",
        },
    )
    assert add.status_code == 302
    refused = client.post(
        reverse("assistance:criteria", args=["baznas"]),
        {
            "code": "BZ-02",
            "description": "x",
            "kind": "skor",
            "attribute": "bahan_lantai",
            "operator": "lt",
            "value": "3",
            "weight": "1",
            "order": "1",
        },
    )
    assert refused.status_code == 400 and "Syarat untuk Lantai" in refused.content.decode()
    assert list(Criterion.objects.filter(programme__code="baznas").values_list("code", flat=True)) == [
        "BZ-01"
    ]


def test_year_page_saves_settings_and_quotas(client, world, admin):
    rtlh, _ = programmes()
    url = reverse("assistance:programme_year", args=["rtlh", 2026])
    _login(client, world.user(Role.CAMAT, DISTRICT_A))
    assert client.get(url).status_code == 200
    assert (
        client.post(
            url, {"action": "year", "amount": "1", "quota_per_village": "1", "months": "1"}
        ).status_code
        == 404
    )
    _login(client, admin)
    response = client.post(
        url, {"action": "year", "amount": "20000000", "quota_per_village": "5", "months": "1"}
    )
    assert response.status_code == 302
    assert ProgrammeYear.objects.get(programme=rtlh, year=2026).quota_per_village == 5
    assert client.post(url, {"action": "quota", "village": VILLAGE_A1, "quota": "7"}).status_code == 302
    page = client.get(url)
    assert "Sarongan" in page.content.decode() and page.status_code == 200
    bad = client.post(url, {"action": "quota", "village": "35.10", "quota": "7"})
    assert bad.status_code == 400
    assert client.post(url, {"action": "nothing"}).status_code == 404


def test_aid_history_page_import_and_search(client, world, admin, regency):
    _login(client, admin)
    url = reverse("assistance:aid_history")
    template = client.get(url, {"format": "template"})
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    bad = client.post(url, {"action": "import", "file": _sheet([["123", "", "X", 2019, "BSPS", ""]])})
    assert bad.status_code == 400 and "Baris 2" in bad.content.decode()
    good = client.post(url, {"action": "import", "file": _sheet([[NIK_1, "", "Sumarni", 2019, "BSPS", ""]])})
    assert good.status_code == 302
    body = client.get(url, {"q": "sumarni"}).content.decode()
    assert "Sumarni" in body and NIK_1 not in body and "3510********0001" in body
    assert "Sumarni" in client.get(url, {"q": NIK_1}).content.decode()  # found by the full number
    assert (
        client.post(
            url, {"action": "add", "nik": NIK_2, "name": "Paimin", "year": "2020", "source": "CSR"}
        ).status_code
        == 302
    )
    refused = client.post(url, {"action": "add", "nik": "1", "name": "X", "year": "2020", "source": "CSR"})
    assert refused.status_code == 400 and "NIK harus 16 angka" in refused.content.decode()


def test_another_regency_does_not_see_these_programmes(client, world):
    programmes()
    other_admin, other_operator = make_other_regency()
    for user in (other_admin, other_operator):
        _login(client, user)
        assert client.get(reverse("assistance:programme", args=["rtlh"])).status_code == 404
        assert client.get(reverse("assistance:criteria", args=["rtlh"])).status_code == 404
        assert client.get(reverse("assistance:programme_year", args=["rtlh", 2026])).status_code == 404
    _login(client, other_admin)
    with pytest.raises(NotPermitted):
        svc.programme_update(actor=other_admin, programme=Programme.objects.get(code="rtlh"), data=_data())


def test_pages_need_a_login(client, world):
    programmes()
    response = client.get(reverse("assistance:programmes"))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_admin_edits_a_programme_and_a_full_criterion(client, world, admin):
    rtlh, _ = programmes()
    client.force_login(admin)
    url = reverse("assistance:programme", args=["rtlh"])
    page = client.get(url)
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    form = {
        name: ("on" if value is True else "" if value is None or value is False else str(value))
        for name, value in page.context["form"].initial.items()
    }
    response = client.post(url, {**form, "quota_per_village": "6", "code": "ignored-when-cases"})
    assert response.status_code == 302
    rtlh.refresh_from_db()
    assert rtlh.quota_per_village == 6 and rtlh.code == "ignored-when-cases"
    family, head = household(world, VILLAGE_A1)
    make_case(rtlh, family, head)
    url = reverse("assistance:programme", args=[rtlh.code])
    locked = client.get(url)
    assert "sudah memiliki kasus" in locked.content.decode()
    response = client.post(url, {**form, "code": "lain-lagi", "quota_per_village": "4"})
    assert response.status_code == 302
    rtlh.refresh_from_db()
    assert rtlh.code == "ignored-when-cases" and rtlh.quota_per_village == 4

    criterion = Criterion.objects.get(programme=rtlh, code="RTLH-P06")
    url = reverse("assistance:criterion", args=[rtlh.code, criterion.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        name: ("on" if value is True else "" if value is None or value is False else str(value))
        for name, value in page.context["form"].initial.items()
    }
    assert client.post(url, {**data, "value": "3100000"}).status_code == 302
    criterion.refresh_from_db()
    assert criterion.value == "3100000" and criterion.code == "RTLH-P06"
    bad = client.post(url, {**data, "operator": "in"})
    assert bad.status_code == 400 and "Syarat untuk Penghasilan" in bad.content.decode()
    other = reverse("assistance:criterion", args=["blt", criterion.pk])
    assert client.get(other).status_code == 404


def test_year_page_without_settings_for_a_reader(client, world):
    programmes()
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    page = client.get(reverse("assistance:programme_year", args=["rtlh", 2028]))
    assert page.status_code == 200 and "belum dibuat" in page.content.decode()
    assert not ProgrammeYear.objects.filter(year=2028).exists()
    client.force_login(world.user(Role.ADMIN, REGENCY))
    assert client.get(reverse("assistance:programme_year", args=["rtlh", 2028])).status_code == 200
    assert not ProgrammeYear.objects.filter(year=2028).exists()  # a GET writes nothing
    assert client.get(reverse("assistance:programme_year", args=["rtlh", 1990])).status_code == 404
