"""The standard unit-price list (SSH): search, JSON endpoint, edit, Excel upload/export, copy."""

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
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_B1, make_other_regency
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import UnitPrice
from kampung.finance.selectors.ref import unit_price_search
from kampung.finance.services import ref as svc
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

HEADERS = ["Kode", "Uraian", "Spesifikasi", "Satuan", "Harga satuan", "Kode rekening", "Aktif"]


def item(
    code: str, name: str, price: int = 10_000, *, regency: str = REGENCY, year: int = 2027, **kw: Any
) -> UnitPrice:
    return UnitPrice.objects.create(
        regency_id=regency,
        year=year,
        code=code,
        name=name,
        unit=kw.pop("unit", "buah"),
        price=Decimal(price),
        **kw,
    )


def xlsx(rows: list[list[Any]], headers: list[str] = HEADERS, name: str = "ssh.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


@pytest.fixture
def catalogue(world):
    item("1.1.01", "Semen Portland", 75_000, specification="zak 50 kg", unit="zak", account_code="5.3.2.04")
    item("1.1.02", "Pasir beton", 250_000, unit="m3")
    item("1.1.03", "Semen putih", 30_000, unit="kg", active=False)
    item("1.1.01", "Semen Portland lama", 70_000, year=2026)


def test_search_by_code_and_words(catalogue):
    found = unit_price_search(regency_code=REGENCY, year=2027, q="semen")
    assert [i.code for i in found] == ["1.1.01"]  # the inactive item is not offered
    assert [i.code for i in unit_price_search(regency_code=REGENCY, year=2027, q="1.1.0")] == [
        "1.1.01",
        "1.1.02",
    ]
    assert [i.code for i in unit_price_search(regency_code=REGENCY, year=2027, q="PORTLAND 50")] == ["1.1.01"]
    assert len(unit_price_search(regency_code=REGENCY, year=2027, q="")) == 2
    assert len(unit_price_search(regency_code=REGENCY, year=2027, q="", limit=1)) == 1
    assert unit_price_search(regency_code="35.09", year=2027, q="semen") == []


def _search(client: Any, **params: str) -> Any:
    return client.get(reverse("finance:ssh_search"), params)


@pytest.mark.parametrize(
    "user",
    [
        (Role.SECRETARY, VILLAGE_A1),
        (Role.TREASURER, VILLAGE_B1),
        (Role.CAMAT, DISTRICT_A),
        (Role.DPMD, REGENCY),
    ],
)
def test_json_search_for_finance_users(catalogue, client, world, user):
    client.force_login(world.user(*user))
    response = _search(client, tahun="2027", q="semen")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row == {
        "id": UnitPrice.objects.get(year=2027, code="1.1.01").pk,
        "code": "1.1.01",
        "name": "Semen Portland",
        "specification": "zak 50 kg",
        "unit": "zak",
        "price": "75000.00",
        "account_code": "5.3.2.04",
    }


def test_json_search_with_village_code(catalogue, client, world):
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    assert len(_search(client, tahun="2027", q="", desa=VILLAGE_A1).json()["results"]) == 2
    assert _search(client, tahun="2027", q="", desa=VILLAGE_B1).status_code == 404  # not their village
    assert _search(client, tahun="abc", q="").status_code == 400
    assert _search(client, tahun="2027", q="x" * 500).status_code == 200


def test_json_search_refuses_others(catalogue, client, world):
    assert _search(client, tahun="2027").status_code == 302  # login required
    client.force_login(world.user(Role.RESIDENT, VILLAGE_A1))
    assert _search(client, tahun="2027", q="semen").status_code == 404
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert _search(client, tahun="2027", q="semen", desa=KELURAHAN_B).status_code == 404
    _admin, operator = make_other_regency()
    client.force_login(operator)
    assert _search(client, tahun="2027", q="semen").json()["results"] == []
    assert _search(client, tahun="2027", q="semen", desa=VILLAGE_A1).status_code == 404


def test_list_readonly_for_village_and_bounded_queries(
    catalogue, client, world, django_assert_max_num_queries
):
    for n in range(60):
        item(f"9.{n:03d}", f"Barang {n}")
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("finance:ssh_list"), {"tahun": "2027"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Semen Portland" in text and "Semen putih" not in text  # inactive hidden from villages
    assert "Halaman 1 dari 2" in text
    assert reverse("finance:ssh_import") not in text
    client.force_login(world.user(Role.DPMD, REGENCY))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("finance:ssh_list"), {"tahun": "2027", "q": "semen"})
    text = response.content.decode()
    assert "Semen putih" in text and reverse("finance:ssh_import") in text


def test_admin_adds_and_edits_an_item(world, client):
    client.force_login(world.user(Role.DPMD, REGENCY))
    data = {
        "code": "2.01",
        "name": "Cat tembok",
        "unit": "kaleng",
        "price": "150000",
        "account_code": "",
        "active": "on",
    }
    response = client.post(reverse("finance:ssh_create") + "?tahun=2027", data)
    assert response.status_code == 302
    new = UnitPrice.objects.get(regency_id=REGENCY, year=2027, code="2.01")
    assert new.price == Decimal(150000)
    response = client.post(reverse("finance:ssh_create") + "?tahun=2027", data)
    assert "sudah ada" in response.content.decode()
    response = client.post(reverse("finance:ssh_edit", args=[new.pk]), {**data, "price": "160000"})
    new.refresh_from_db()
    assert new.price == Decimal(160000)
    response = client.post(reverse("finance:ssh_edit", args=[new.pk]), {**data, "account_code": "9.9.9.99"})
    assert "tidak dikenal" in response.content.decode()
    client.post(reverse("finance:ssh_toggle", args=[new.pk]), {"active": "0"})
    new.refresh_from_db()
    assert not new.active
    assert AuditEntry.objects.filter(act__startswith="finance.ssh.").count() == 3


@pytest.mark.parametrize(
    "user", [(Role.SECRETARY, VILLAGE_A1), (Role.CAMAT, DISTRICT_A), (Role.BUPATI, REGENCY)]
)
def test_others_may_not_edit(catalogue, world, client, user):
    target = UnitPrice.objects.get(year=2027, code="1.1.01")
    client.force_login(world.user(*user))
    assert client.get(reverse("finance:ssh_create")).status_code == 404
    assert client.post(reverse("finance:ssh_toggle", args=[target.pk]), {"active": "0"}).status_code == 404
    upload = xlsx([["5.01", "Baru", "", "buah", 1000, "", "ya"]])
    assert client.post(reverse("finance:ssh_import"), {"tahun": "2027", "file": upload}).status_code == 404
    target.refresh_from_db()
    assert target.active and not UnitPrice.objects.filter(code="5.01").exists()
    with pytest.raises(NotPermitted):
        svc.unit_price_set_active(actor=world.user(*user), item=target, active=False)


def test_other_regency_admin_cannot_touch_our_items(catalogue, client):
    admin, _ = make_other_regency()
    target = UnitPrice.objects.get(year=2027, code="1.1.01")
    client.force_login(admin)
    assert client.get(reverse("finance:ssh_edit", args=[target.pk])).status_code == 404
    response = client.get(reverse("finance:ssh_list"), {"tahun": "2027"})
    assert "Semen" not in response.content.decode()


def test_import_adds_and_updates(catalogue, world):
    dpmd = world.user(Role.DPMD, REGENCY)
    regency = Region.objects.get(code=REGENCY)
    upload = xlsx(
        [
            ["1.1.01", "Semen Portland", "zak 50 kg", "zak", 80000, "5.3.2.04", "ya"],
            ["1.1.02", "Pasir beton", "", "m3", 250000, "", "ya"],
            ["1.2.01", "Besi beton 10 mm", "", "batang", "95.000", "", ""],
            [None, None, None, None, None, None, None],
            ["1.2.02", "Kawat bendrat", "", "kg", 25000.5, "", "tidak"],
        ]
    )
    result = svc.unit_prices_import(actor=dpmd, regency=regency, year=2027, file=upload)
    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    assert UnitPrice.objects.get(year=2027, code="1.1.01").price == Decimal(80000)
    assert UnitPrice.objects.get(year=2027, code="1.2.01").price == Decimal(95000)
    assert not UnitPrice.objects.get(year=2027, code="1.2.02").active
    assert UnitPrice.objects.get(year=2026, code="1.1.01").price == Decimal(70000)  # other year untouched
    assert AuditEntry.objects.filter(act="finance.ssh.import").count() == 1


def test_bad_rows_reject_the_whole_file(catalogue, world, client):
    before = sorted(UnitPrice.objects.values_list("code", "year", "price", "active"))
    upload = xlsx(
        [
            ["1.1.01", "Semen Portland", "", "zak", 99000, "", "ya"],  # fine
            ["", "Tanpa kode", "", "buah", 1000, "", "ya"],
            ["3.01", "", "", "buah", 1000, "", "ya"],
            ["3.02", "Harga negatif", "", "buah", -5, "", "ya"],
            ["3.03", "Bukan angka", "", "buah", "mahal", "", "ya"],
            ["3.04", "Rekening salah", "", "buah", 1000, "4.1.1.01", "ya"],
            ["1.1.01", "Dobel", "", "zak", 1000, "", "ya"],
            ["3.05", "Aktif aneh", "", "buah", 1000, "", "mungkin"],
            ["3.06", "Tanpa satuan", "", "", 1000, "", "ya"],
        ]
    )
    client.force_login(world.user(Role.DPMD, REGENCY))
    response = client.post(reverse("finance:ssh_import"), {"tahun": "2027", "file": upload}, follow=True)
    text = response.content.decode()
    for row in range(3, 11):
        assert f"Baris {row}:" in text
    assert "Baris 2:" not in text
    assert "sudah ada di baris 2" in text
    assert sorted(UnitPrice.objects.values_list("code", "year", "price", "active")) == before
    assert not AuditEntry.objects.filter(act="finance.ssh.import").exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("ssh.csv", b"Kode,Uraian\n1,a\n"),
        SimpleUploadedFile("ssh.xlsx", b"this is not a zip"),
        xlsx([["1", "a"]], headers=["Kode", "Uraian"]),
        xlsx([]),
    ],
)
def test_unreadable_uploads_change_nothing(catalogue, world, client, upload):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    count = UnitPrice.objects.count()
    response = client.post(reverse("finance:ssh_import"), {"tahun": "2027", "file": upload}, follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert UnitPrice.objects.count() == count


def test_template_and_export(catalogue, world, client):
    client.force_login(world.user(Role.DPMD, REGENCY))
    response = client.get(reverse("finance:ssh_template"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == HEADERS and ws.max_row == 1
    response = client.get(reverse("finance:ssh_export"), {"tahun": "2027"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["1.1.01", "1.1.02", "1.1.03"]
    # the export is a valid upload: re-importing it changes nothing
    upload = SimpleUploadedFile("ekspor.xlsx", response.content)
    result = svc.unit_prices_import(
        actor=world.user(Role.DPMD, REGENCY), regency=Region.objects.get(code=REGENCY), year=2027, file=upload
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    assert client.get(reverse("finance:ssh_template")).status_code == 404
    rows = list(
        load_workbook(
            io.BytesIO(client.get(reverse("finance:ssh_export"), {"tahun": "2027"}).content)
        ).active.iter_rows(values_only=True)
    )
    assert [r[0] for r in rows[1:]] == ["1.1.01", "1.1.02"]


def test_copy_to_next_year(catalogue, world, client):
    client.force_login(world.user(Role.DPMD, REGENCY))
    response = client.post(reverse("finance:ssh_copy"), {"from_year": "2027", "to_year": "2028"})
    assert response.status_code == 302
    assert sorted(UnitPrice.objects.filter(year=2028).values_list("code", flat=True)) == ["1.1.01", "1.1.02"]
    client.post(reverse("finance:ssh_copy"), {"from_year": "2027", "to_year": "2028"})
    assert UnitPrice.objects.filter(year=2028).count() == 2
    with pytest.raises(KampungError):
        svc.unit_prices_copy(
            actor=world.user(Role.DPMD, REGENCY),
            regency=Region.objects.get(code=REGENCY),
            from_year=2030,
            to_year=2031,
        )
