"""Builders for assistance tests: the regency's programmes, households, survey answers,
cases at any stage (written straight to the table, for tests of later steps) and a village
budget with an RTLH kegiatan ready to pay from."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from kampung.assistance.loader import defaults_install, programme_year_get
from kampung.assistance.models import Case, CaseStatus, Channel, Programme
from kampung.assistance.samples import blt_answers, rtlh_answers
from kampung.finance.models import Apbdes
from kampung.population.models import Family, Resident, Sex
from kampung.regions.models import Region

__all__ = [
    "blt_answers",
    "household",
    "make_case",
    "programmes",
    "rtlh_answers",
    "rtlh_budget",
]

REGENCY = "35.10"
YEAR = 2026
_serial = itertools.count(1)


def programmes(year: int = YEAR) -> tuple[Programme, Programme]:
    """The regency's RTLH and BLT programmes with their default criteria and ``year`` settings."""
    defaults_install(Region.objects.get(code=REGENCY), year=year)
    rtlh = Programme.objects.get(code="rtlh")
    blt = Programme.objects.get(code="blt")
    programme_year_get(rtlh, year)
    programme_year_get(blt, year)
    return rtlh, blt


def household(
    world: Any,
    village: str,
    *,
    name: str = "",
    dusun: str = "Krajan",
    members: int = 0,
    kk_number: str = "",
) -> tuple[Family, Resident]:
    """A family with its head (and ``members`` more people), through the population services."""
    from kampung.population.tests.factories import make_family, make_resident

    n = next(_serial)
    family = make_family(
        world, village, dusun=dusun, rt="001", rw="002", **({"kk_number": kk_number} if kk_number else {})
    )
    head = make_resident(
        world,
        village,
        name=name or f"Kepala Keluarga {n}",
        birth=dt.date(1970 + n % 20, 1 + n % 12, 1 + n % 27),
        sex=Sex.MALE,
        family=family,
        attributes={"family_relation": 1, "dusun": dusun, "rt": "001", "rw": "002"},
    )
    for i in range(members):
        make_resident(
            world,
            village,
            name=f"Anggota {n}-{i}",
            birth=dt.date(2000 + i, 2, 3 + n % 20),
            sex=Sex.FEMALE,
            family=family,
            attributes={"family_relation": 4},
        )
    family.refresh_from_db()
    return family, head


def make_case(
    programme: Programme,
    family: Family,
    head: Resident,
    *,
    status: str = CaseStatus.REGISTERED,
    year: int = YEAR,
    score: Decimal | int | None = None,
    priority: int | None = None,
    amount: Decimal | int | None = None,
    registered_on: dt.date | None = None,
) -> Case:
    """A case written straight to the table at ``status`` (no rules run): for tests of the
    steps after it."""
    n = next(_serial)
    return Case.objects.create(
        programme=programme,
        year=year,
        village_id=family.village_id,
        number=f"{programme.code.upper()}-{year}-T{n:04d}",
        family=family,
        beneficiary=head,
        nik=head.nik,
        kk_number=family.kk_number,
        name=head.name,
        dusun=family.dusun,
        rt=family.rt,
        rw=family.rw,
        channel=Channel.OPERATOR,
        registered_on=registered_on or dt.date(year, 2, 1),
        status=status,
        score=None if score is None else Decimal(score),
        priority=priority,
        amount=None if amount is None else Decimal(amount),
    )


def rtlh_budget(village: str, year: int = YEAR, *, units: int = 4, unit_price: int = 17_500_000) -> Apbdes:
    """An enacted APBDes (approved RAK and DPAs) with kegiatan 02.04.01 and its line 5.2.7.03
    for ``units`` houses, and Dana Desa in the bank to pay them."""
    from kampung.finance.tests.exec_factories import bank_receipt, make_executable
    from kampung.finance.tests.factories import add_activity, add_line

    def extend(apbdes: Apbdes) -> None:
        activity = add_activity(
            apbdes,
            "02.04.01",
            "Dukungan Rehab RTLH",
            output_volume=Decimal(units),
            output_unit="unit",
            start_month=1,
            end_month=12,
        )
        add_line(
            activity,
            "5.2.7.03",
            "DDS",
            units,
            unit_price,
            description="Bantuan bahan bangunan RTLH",
            unit="unit",
        )

    apbdes = make_executable(village, year, extend=extend)
    bank_receipt(village, year, 600_000_000)
    return apbdes
