"""Asset register: keepers only, validation refusals change nothing, write-off never deletes,
the year-end report's arithmetic, and capital spending (5.3) not yet registered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import VILLAGE_A1, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.ledger import Posting, lock_book, post, reverse
from kampung.finance.models import (
    BANK,
    Asset,
    AssetCategory,
    AssetCondition,
    AssetOrigin,
    BudgetLine,
    EntryKind,
    Spp,
)
from kampung.finance.selectors.assets import asset_report, asset_summary, capital_spending
from kampung.finance.services import assets as svc
from kampung.finance.tests.exec_factories import bank_receipt, make_executable

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = dt.datetime(2026, 7, 15, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def add(world, village=VILLAGE_A1, role=Role.SECRETARY, **fields):
    data = {
        "category": AssetCategory.EQUIPMENT,
        "name": "Laptop kantor desa",
        "acquired_on": dt.date(2025, 3, 1),
        "value": D(12_000_000),
        "origin": AssetOrigin.APBDES,
    }
    data.update(fields)
    return svc.asset_create(actor=world.user(role, village), village_code=village, **data)


# -- register --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.OPERATOR, Role.TREASURER])
def test_keepers_add_an_asset_and_it_is_audited(world, role):
    asset = add(world, role=role, quantity=2, unit="unit", location="Kantor desa")
    assert asset.village_id == VILLAGE_A1 and asset.value == D(12_000_000) and asset.quantity == 2
    assert asset.condition == AssetCondition.GOOD and asset.removed_on is None
    entry = AuditEntry.objects.filter(act="finance.asset.create").get()
    assert entry.object_id == str(asset.pk)


@pytest.mark.parametrize("role", [Role.HEAD, Role.EXECUTOR, Role.BPD])
def test_other_roles_may_not_add(world, role):
    with pytest.raises(NotPermitted):
        add(world, role=role)
    assert not Asset.objects.exists()


def test_staff_of_another_village_may_not_add(world):
    with pytest.raises(NotPermitted):
        svc.asset_create(
            actor=world.user(Role.SECRETARY, VILLAGE_B1),
            village_code=VILLAGE_A1,
            category=AssetCategory.LAND,
            name="Tanah",
            acquired_on=dt.date(2020, 1, 1),
            value=D(1),
            origin=AssetOrigin.ORIGINAL,
        )
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "Nama barang wajib"),
        ({"category": "mobil"}, "golongan"),
        ({"origin": "entah"}, "asal"),
        ({"condition": "hilang"}, "kondisi"),
        ({"value": D(-1)}, "tidak boleh negatif"),
        ({"value": D("1.001")}, "tidak sah"),
        ({"quantity": D(0)}, "lebih dari nol"),
        ({"acquired_on": dt.date(2026, 7, 16)}, "setelah hari ini"),
        ({"acquired_on": None}, "wajib"),
        ({"account_code": "5.2.1.01"}, "5.3"),
        ({"location": "x" * 201}, "Lokasi"),
    ],
)
def test_invalid_assets_are_refused_with_a_message(world, fields, message):
    with pytest.raises(KampungError, match=message):
        add(world, **fields)
    assert not Asset.objects.exists()
    assert not AuditEntry.objects.filter(act="finance.asset.create").exists()


def test_an_spp_of_another_village_is_refused(world):
    make_executable(VILLAGE_B1, 2026)
    spp = _spp(VILLAGE_B1)
    with pytest.raises(KampungError, match="SPP tidak ditemukan"):
        add(world, spp=spp)
    assert not Asset.objects.exists()


def test_update_corrects_and_audits(world):
    asset = add(world)
    svc.asset_update(
        actor=world.user(Role.OPERATOR, VILLAGE_A1),
        asset=asset,
        condition=AssetCondition.LIGHT,
        value=D(11_000_000),
    )
    asset.refresh_from_db()
    assert asset.condition == AssetCondition.LIGHT and asset.value == D(11_000_000)
    entry = AuditEntry.objects.get(act="finance.asset.update")
    assert entry.before["value"] == "12000000.00" and entry.after["condition"] == "rusak_ringan"


def test_update_refusal_changes_nothing(world):
    asset = add(world)
    with pytest.raises(KampungError, match="negatif"):
        svc.asset_update(actor=world.user(Role.SECRETARY, VILLAGE_A1), asset=asset, name="Baru", value=D(-5))
    asset.refresh_from_db()
    assert asset.name == "Laptop kantor desa" and asset.value == D(12_000_000)
    with pytest.raises(KampungError, match="tidak dikenal"):
        svc.asset_update(actor=world.user(Role.SECRETARY, VILLAGE_A1), asset=asset, village_id=VILLAGE_B1)
    with pytest.raises(NotPermitted):
        svc.asset_update(actor=world.user(Role.HEAD, VILLAGE_A1), asset=asset, name="X")


def test_write_off_keeps_the_row_with_date_and_reason(world):
    asset = add(world)
    keeper = world.user(Role.TREASURER, VILLAGE_A1)
    with pytest.raises(KampungError, match="Alasan"):
        svc.asset_remove(actor=keeper, asset=asset, date=dt.date(2026, 5, 1), reason=" ")
    with pytest.raises(KampungError, match="sebelum tanggal perolehan"):
        svc.asset_remove(actor=keeper, asset=asset, date=dt.date(2025, 2, 1), reason="Rusak")
    with pytest.raises(KampungError, match="setelah hari ini"):
        svc.asset_remove(actor=keeper, asset=asset, date=dt.date(2026, 8, 1), reason="Rusak")
    asset.refresh_from_db()
    assert asset.removed_on is None
    svc.asset_remove(actor=keeper, asset=asset, date=dt.date(2026, 5, 1), reason="Rusak berat, dimusnahkan")
    asset.refresh_from_db()
    assert asset.removed_on == dt.date(2026, 5, 1) and asset.removal_reason.startswith("Rusak berat")
    assert Asset.objects.filter(pk=asset.pk).exists()
    with pytest.raises(KampungError, match="sudah dihapus"):
        svc.asset_remove(actor=keeper, asset=asset, date=dt.date(2026, 6, 1), reason="lagi")
    with pytest.raises(KampungError, match="tidak dapat diubah"):
        svc.asset_update(actor=keeper, asset=asset, name="Laptop")
    summary, total = asset_summary(VILLAGE_A1)
    assert total.count == 0 and total.value == 0


# -- year-end report --------------------------------------------------------------------------


def test_asset_report_opening_additions_removals_closing(world):
    land = add(
        world,
        category=AssetCategory.LAND,
        name="Tanah kas desa",
        acquired_on=dt.date(2010, 1, 1),
        value=D(500_000_000),
    )
    old_pc = add(world, name="Komputer lama", acquired_on=dt.date(2020, 6, 1), value=D(8_000_000))
    add(world, name="Printer", acquired_on=dt.date(2025, 12, 31), value=D(3_000_000))
    new_road = add(
        world,
        category=AssetCategory.NETWORK,
        name="Rabat beton",
        acquired_on=dt.date(2026, 4, 30),
        value=D(450_000_000),
    )
    same_year = add(world, name="Kamera", acquired_on=dt.date(2026, 2, 1), value=D(5_000_000))
    gone_before = add(world, name="Mesin ketik", acquired_on=dt.date(2000, 1, 1), value=D(1_000_000))
    keeper = world.user(Role.SECRETARY, VILLAGE_A1)
    svc.asset_remove(actor=keeper, asset=old_pc, date=dt.date(2026, 3, 1), reason="Rusak berat")
    svc.asset_remove(actor=keeper, asset=same_year, date=dt.date(2026, 6, 1), reason="Hilang")
    Asset.objects.filter(pk=gone_before.pk).update(removed_on=dt.date(2025, 12, 31), removal_reason="Dijual")
    add(world, village=VILLAGE_B1, name="Aset desa lain", value=D(99_000_000))

    report = asset_report(VILLAGE_A1, 2026)
    rows = {r.category: r for r in report.rows}
    equipment = rows[AssetCategory.EQUIPMENT]
    assert (equipment.opening, equipment.additions, equipment.removals, equipment.closing) == (
        D(11_000_000),
        D(5_000_000),
        D(13_000_000),
        D(3_000_000),
    )
    assert (equipment.opening_count, equipment.closing_count) == (2, 1)
    assert rows[AssetCategory.LAND].opening == rows[AssetCategory.LAND].closing == land.value
    assert rows[AssetCategory.NETWORK].additions == rows[AssetCategory.NETWORK].closing == new_road.value
    total = report.total
    assert total.opening == D(511_000_000)
    assert total.additions == D(455_000_000)
    assert total.removals == D(13_000_000)
    assert total.closing == total.opening + total.additions - total.removals == D(953_000_000)
    assert sorted(a.name for a in report.items_removed) == ["Kamera", "Komputer lama"]
    # The year before: the machine was still there on 1 January 2025, removed that year.
    before = asset_report(VILLAGE_A1, 2025)
    assert before.total.removals == D(1_000_000)
    assert before.total.closing == D(511_000_000)
    assert asset_report(VILLAGE_A1, 2026).total.opening == before.total.closing


# -- capital spending -------------------------------------------------------------------------


def _road(village=VILLAGE_A1):
    return (
        BudgetLine.objects.filter(activity__apbdes__village_id=village, account__code="5.3.5.03")
        .select_related("activity", "activity__activity_code")
        .first()
    )


def _spp(village=VILLAGE_A1, number="SPP/001", amount=150_000_000):
    from kampung.finance.ledger import book_for

    line = _road(village)
    return Spp.objects.create(
        book=book_for(village, 2026),
        activity=line.activity,
        kind="LS",
        number=number,
        date=dt.date(2026, 4, 1),
        description="Rabat beton jalan Dusun Krajan",
        payee_name="CV Maju",
        amount=D(amount),
    )


def _pay(spp, amount, account="5.3.5.03", day=dt.date(2026, 4, 20)):
    line = (
        _road(spp.book.village_id)
        if account.startswith("5.3")
        else BudgetLine.objects.filter(
            activity__apbdes__village_id=spp.book.village_id, account__code=account
        )
        .select_related("activity", "activity__activity_code")
        .first()
    )
    with transaction.atomic():
        book = lock_book(spp.book.village_id, 2026)
        return post(
            book=book,
            date=day,
            kind=EntryKind.PAYMENT,
            description=spp.description,
            postings=[
                Posting(account, debit=amount, source="DDS", activity=line.activity, budget_line_id=line.pk),
                Posting(BANK, credit=amount),
            ],
            doc=spp,
            doc_number=spp.number,
        )


def test_capital_spending_lists_unregistered_spp_with_a_guessed_category(world):
    make_executable(VILLAGE_A1, 2026)
    bank_receipt(VILLAGE_A1, 2026, 500_000_000)
    spp = _spp()
    _pay(spp, D(100_000_000))
    _pay(spp, D(50_000_000), day=dt.date(2026, 5, 2))
    other = _spp(number="SPP/002")
    _pay(other, D(20_000_000), account="5.2.7.05")  # not capital spending
    items = capital_spending(VILLAGE_A1, 2026)
    assert [i.spp.pk for i in items] == [spp.pk]
    item = items[0]
    assert item.amount == D(150_000_000) and item.date == dt.date(2026, 5, 2)
    assert item.account_code == "5.3.5.03" and item.category == AssetCategory.NETWORK
    assert capital_spending(VILLAGE_A1, 2025) == []
    assert capital_spending(VILLAGE_B1, 2026) == []
    add(
        world,
        category=item.category,
        name="Jalan rabat beton",
        value=item.amount,
        spp=spp,
        account_code=item.account_code,
        acquired_on=item.date,
    )
    assert capital_spending(VILLAGE_A1, 2026) == []
    assert len(capital_spending(VILLAGE_A1, 2026, unregistered_only=False)) == 1


def test_reversed_capital_spending_is_not_listed(world):
    make_executable(VILLAGE_A1, 2026)
    bank_receipt(VILLAGE_A1, 2026, 500_000_000)
    spp = _spp()
    entry = _pay(spp, D(100_000_000))
    assert len(capital_spending(VILLAGE_A1, 2026)) == 1
    with transaction.atomic():
        book = lock_book(VILLAGE_A1, 2026)
        reverse(book=book, entry=entry, date=dt.date(2026, 4, 21), reason="Salah rekening")
    assert capital_spending(VILLAGE_A1, 2026) == []


@pytest.mark.parametrize(
    ("account", "category"),
    [
        ("5.3.1.01", AssetCategory.LAND),
        ("5.3.2.05", AssetCategory.EQUIPMENT),
        ("5.3.3.01", AssetCategory.EQUIPMENT),
        ("5.3.4.02", AssetCategory.BUILDING),
        ("5.3.5.03", AssetCategory.NETWORK),
        ("5.3.7.01", AssetCategory.NETWORK),
        ("5.3.8.01", AssetCategory.NETWORK),
        ("5.3.9.01", AssetCategory.OTHER_FIXED),
        ("5.2.1.01", ""),
        ("", ""),
    ],
)
def test_category_guess_from_the_jenis(account, category):
    assert svc.guess_category(account) == category
