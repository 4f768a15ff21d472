"""Shared pieces of the finance and physical-kegiatan roll-up tests: a few desa with a year of
demo books, an enacted revision, and the roll-up tables read back as comparable rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from kampung.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

YEAR = 2026
TODAY = dt.date(YEAR, 9, 17)
# Six desa in two districts (real codes of the regency the test world loads).
SIX_DESA = [VILLAGE_A1, VILLAGE_A2, "35.10.01.2004", "35.10.01.2009", VILLAGE_B1, "35.10.15.2005"]
AREAS = ["keuangan", "proyek"]


def fill_books(codes: list[str], *, seed: int = 2018) -> None:
    """The demo's enacted APBDes and a year of books (to :data:`TODAY`) for ``codes``."""
    from kampung.demo.finance import finance_fill
    from kampung.demo.finance_execution import execution_fill

    finance_fill(village_codes=codes, seed=seed, year=YEAR)
    execution_fill(village_codes=codes, seed=seed, today=TODAY)


def revise(village: str, *, status: str, extra_road: Decimal, extra_dd: Decimal) -> Any:
    """A new version of the village's APBDes of :data:`YEAR` with ``status``, copied from the
    latest version: Dana Desa revenue up by ``extra_dd``, the road (02.03.10) one more DDS
    line of ``extra_road``, and one new physical kegiatan (02.03.11) on ADD."""
    from kampung.finance.models import (
        Account,
        ActivityCode,
        Apbdes,
        BudgetActivity,
        BudgetLine,
        FinancingLine,
        RevenueLine,
    )

    base = Apbdes.objects.filter(village_id=village, year=YEAR).order_by("-revision").first()
    assert base is not None
    version = Apbdes.objects.create(
        village_id=village,
        year=YEAR,
        revision=base.revision + 1,
        base=base,
        status=status,
        perdes_number=f"9/{YEAR}" if status in ("ditetapkan", "dijabarkan") else "",
        perdes_date=dt.date(YEAR, 8, 20) if status in ("ditetapkan", "dijabarkan") else None,
    )
    for line in RevenueLine.objects.filter(apbdes=base):
        amount = line.amount + (extra_dd if line.source_id == "DDS" else 0)
        RevenueLine.objects.create(
            apbdes=version,
            account=line.account,
            source=line.source,
            description=line.description,
            amount=amount,
            origin=line,
        )
    for line in FinancingLine.objects.filter(apbdes=base):
        FinancingLine.objects.create(
            apbdes=version,
            account=line.account,
            source=line.source,
            description=line.description,
            amount=line.amount,
            origin=line,
        )
    road = None
    for activity in BudgetActivity.objects.filter(apbdes=base).order_by("pk"):
        copy = BudgetActivity.objects.create(
            apbdes=version,
            activity_code=activity.activity_code,
            name=activity.name,
            location=activity.location,
            executor_name=activity.executor_name,
            output_volume=activity.output_volume,
            output_unit=activity.output_unit,
            start_month=activity.start_month,
            end_month=activity.end_month,
            origin=activity,
        )
        if activity.activity_code.code == "02.03.10":
            road = copy
        for line in BudgetLine.objects.filter(activity=activity).order_by("pk"):
            BudgetLine.objects.create(
                activity=copy,
                account=line.account,
                source=line.source,
                description=line.description,
                volume=line.volume,
                unit=line.unit,
                unit_price=line.unit_price,
                amount=line.amount,
                origin=line,
            )
    assert road is not None
    capital = Account.objects.get(code="5.3.5.03", regency=None)
    BudgetLine.objects.create(
        activity=road,
        account=capital,
        source_id="DDS",
        description="Rabat beton tambahan",
        volume=1,
        unit="paket",
        unit_price=extra_road,
        amount=extra_road,
    )
    paving_code = ActivityCode.objects.get(code="02.03.11", regency=None)
    paving = BudgetActivity.objects.filter(apbdes=version, activity_code=paving_code).first()
    if paving is None:
        paving = BudgetActivity.objects.create(
            apbdes=version,
            activity_code=paving_code,
            name="Paving jalan lingkungan (perubahan)",
            location="Gang baru",
            start_month=9,
            end_month=11,
        )
    BudgetLine.objects.create(
        activity=paving,
        account=capital,
        source_id="ADD",
        description="Paving tambahan",
        volume=1,
        unit="paket",
        unit_price=Decimal(15_000_000),
        amount=Decimal(15_000_000),
    )
    return version


def table_rows(model: type[models.Model]) -> list[tuple[Any, ...]]:
    """Every row of a roll-up table without its id, sorted: two tables with the same figures
    compare equal whatever order their rows were written in."""
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return sorted(tuple(repr(row[n]) for n in names) for row in model._default_manager.values(*names))


def all_rows(tables: tuple[type[models.Model], ...]) -> dict[str, list[tuple[Any, ...]]]:
    return {model.__name__: table_rows(model) for model in tables}


def split_queries(captured: CaptureQueriesContext) -> tuple[list[str], int]:
    """The statements other than INSERTs, and how many INSERTs there were."""
    sqls = [q["sql"] for q in captured.captured_queries]
    inserts = [s for s in sqls if s.lstrip().upper().startswith("INSERT")]
    return [s for s in sqls if s not in inserts], len(inserts)


def insert_batches(tables: tuple[type[models.Model], ...], batch: int, codes: list[str]) -> int:
    """How many INSERTs writing the villages' current rows of ``tables`` takes, ``batch`` rows
    at most per statement, fewer where the database limits the parameters of a statement."""
    total = 0
    for model in tables:
        rows = model._default_manager.filter(village_id__in=codes).count()
        if not rows:
            continue
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        size = min(batch, connection.ops.bulk_batch_size(fields, [None] * rows) or rows)
        total += -(-rows // size)
    return total
