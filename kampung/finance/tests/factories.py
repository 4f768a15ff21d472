"""Shared builders for finance tests: a balanced APBDes with revenue, kegiatan, lines and
financing, written straight to the tables (the services are tested on their own)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kampung.finance.budget import line_amount
from kampung.finance.models import (
    Account,
    ActivityCode,
    Apbdes,
    BudgetActivity,
    BudgetLine,
    Ceiling,
    FinancingLine,
    FundSource,
    RevenueLine,
)
from kampung.regions.models import Region


def account(code: str) -> Account:
    return Account.objects.get(code=code, regency=None)


def activity_code(code: str) -> ActivityCode:
    return ActivityCode.objects.get(code=code, regency=None)


def source(code: str) -> FundSource:
    return FundSource.objects.get(code=code)


def ceilings(village: str, year: int, **amounts: int) -> None:
    """ceilings(VILLAGE_A1, 2027, DDS=1_000_000_000, ADD=400_000_000)"""
    for code, amount in amounts.items():
        Ceiling.objects.update_or_create(
            village_id=village, year=year, source_id=code, defaults={"amount": Decimal(amount)}
        )


def add_activity(apbdes: Apbdes, code: str, name: str = "", **fields: Any) -> BudgetActivity:
    return BudgetActivity.objects.create(
        apbdes=apbdes, activity_code=activity_code(code), name=name or activity_code(code).name, **fields
    )


def add_line(
    activity: BudgetActivity,
    account_code: str,
    source_code: str,
    volume: int | str,
    unit_price: int | str,
    *,
    description: str = "Belanja",
    unit: str = "paket",
) -> BudgetLine:
    volume_d, price_d = Decimal(volume), Decimal(unit_price)
    return BudgetLine.objects.create(
        activity=activity,
        account=account(account_code),
        source=source(source_code),
        description=description,
        volume=volume_d,
        unit=unit,
        unit_price=price_d,
        amount=line_amount(volume_d, price_d),
    )


def make_apbdes(village: str, year: int = 2027, *, with_ceilings: bool = True, **fields: Any) -> Apbdes:
    """A balanced budget that passes every check: revenue DD Rp 1 M, ADD Rp 400 jt, PAD Rp 20 jt,
    financing SiLPA Rp 30 jt (DDS); spending Rp 1.45 M (DDS 1.03 M, ADD 400 jt, PAD 20 jt);
    personnel 01.01.01-07 Rp 332 jt (22.9 %); DD earmarks: food 21 %, BLT 12.96 %."""
    region = Region.objects.get(code=village)
    apbdes = Apbdes.objects.create(village=region, year=year, **fields)
    if with_ceilings:
        ceilings(village, year, DDS=1_000_000_000, ADD=400_000_000)
    RevenueLine.objects.create(
        apbdes=apbdes, account=account("4.2.1.01"), source=source("DDS"), amount=Decimal(1_000_000_000)
    )
    RevenueLine.objects.create(
        apbdes=apbdes, account=account("4.2.3.01"), source=source("ADD"), amount=Decimal(400_000_000)
    )
    RevenueLine.objects.create(
        apbdes=apbdes, account=account("4.1.2.01"), source=source("PAD"), amount=Decimal(20_000_000)
    )
    FinancingLine.objects.create(
        apbdes=apbdes,
        account=account("6.1.1.01"),
        source=source("DDS"),
        amount=Decimal(30_000_000),
        description="SiLPA tahun sebelumnya",
    )
    # ADD 400 jt: personnel 01.01.01-04 (312 jt of the 332 jt under the 30 % cap), health, office.
    siltap = add_activity(apbdes, "01.01.01")
    add_line(siltap, "5.1.1.01", "ADD", 12, 6_000_000, description="Siltap kepala desa", unit="bulan")
    staff = add_activity(apbdes, "01.01.02")
    add_line(staff, "5.1.2.01", "ADD", 12, 15_000_000, description="Siltap perangkat desa", unit="bulan")
    ops = add_activity(apbdes, "01.01.04")
    add_line(ops, "5.2.1.01", "ADD", 1, 60_000_000, description="ATK dan operasional")
    add_line(ops, "5.2.1.01", "PAD", 1, 20_000_000, description="ATK dari PAD")
    office = add_activity(apbdes, "01.02.02")
    add_line(office, "5.2.6.04", "ADD", 1, 48_000_000, description="Pemeliharaan kantor desa")
    # DDS 1 M + SiLPA 30 jt: road, food security (21 %), BLT (12.96 %), health.
    road = add_activity(
        apbdes, "02.03.10", location="Dusun Krajan", output_volume=Decimal(300), output_unit="m"
    )
    add_line(road, "5.3.5.03", "DDS", 300, 1_500_000, description="Rabat beton", unit="m")
    add_line(road, "5.3.5.02", "DDS", 100, 120_000, description="Upah tukang", unit="HOK")
    food = add_activity(apbdes, "04.02.03")
    add_line(food, "5.2.7.05", "DDS", 1, 210_000_000, description="Lumbung pangan")
    blt = add_activity(apbdes, "05.03.00")
    add_line(blt, "5.4.1.01", "DDS", 36, 3_600_000, description="BLT Dana Desa", unit="KPM-bln")
    health = add_activity(apbdes, "02.02.02")
    add_line(health, "5.2.1.06", "DDS", 1, 228_400_000, description="PMT posyandu")
    add_line(health, "5.2.1.06", "ADD", 1, 40_000_000, description="Insentif kader")
    return apbdes
