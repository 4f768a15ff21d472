"""Roll-up rows written straight into the tables, for the dashboard tests: the dashboards read
nothing else, so their figures can be checked against these rows independently."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from kampung.monitoring.models import (
    AGE_BANDS,
    HISTOGRAM_FIELDS,
    FinanceFigure,
    FinanceKind,
    FinanceYear,
    LetterMonth,
    LetterOpen,
    PopulationEvent,
    PopulationFigure,
    PopulationVillage,
    ProgrammeFigure,
)

K = FinanceKind


def finance_figure(
    village: str,
    year: int,
    month: int,
    kind: str,
    amount: int | Decimal,
    *,
    source: str = "",
    bidang: str = "",
    status: str = "",
    count: int = 0,
) -> FinanceFigure:
    return FinanceFigure.objects.create(
        village_id=village,
        district_code=village[:8],
        year=year,
        month=month,
        kind=kind,
        source=source,
        bidang=bidang,
        status=status,
        amount=Decimal(amount),
        count=count,
    )


def finance_year(village: str, year: int, **fields: Any) -> FinanceYear:
    return FinanceYear.objects.create(village_id=village, district_code=village[:8], year=year, **fields)


def letter_month(
    village: str,
    year: int,
    month: int,
    letter_type: str,
    *,
    submitted: int = 0,
    issued: int | None = None,
    rejected: int = 0,
    histogram: dict[int, int] | None = None,
) -> LetterMonth:
    """``histogram``: {bucket index: letters}; ``issued`` defaults to its total."""
    counts = {HISTOGRAM_FIELDS[i]: n for i, n in (histogram or {}).items()}
    return LetterMonth.objects.create(
        village_id=village,
        district_code=village[:8],
        year=year,
        month=month,
        letter_type=letter_type,
        submitted=submitted,
        issued=sum(counts.values()) if issued is None else issued,
        rejected=rejected,
        **counts,
    )


def letter_open(village: str, letter_type: str, status: str, due_on: dt.date, count: int) -> LetterOpen:
    return LetterOpen.objects.create(
        village_id=village,
        district_code=village[:8],
        letter_type=letter_type,
        status=status,
        due_on=due_on,
        count=count,
    )


def programme_figure(village: str, year: int, programme: str, **fields: Any) -> ProgrammeFigure:
    return ProgrammeFigure.objects.create(
        village_id=village, district_code=village[:8], year=year, programme=programme, **fields
    )


def population(village: str, *, families: int, bands: dict[tuple[int, str], int]) -> None:
    """``bands``: {(sex, age band): residents}; the village's residents are their sum."""
    PopulationVillage.objects.create(
        village_id=village,
        district_code=village[:8],
        residents=sum(bands.values()),
        families=families,
        as_of=dt.date.today(),
    )
    PopulationFigure.objects.bulk_create(
        PopulationFigure(village_id=village, district_code=village[:8], sex=sex, age_band=band, residents=n)
        for (sex, band), n in bands.items()
        if n
    )


def population_event(village: str, year: int, month: int, kind: str, count: int) -> PopulationEvent:
    return PopulationEvent.objects.create(
        village_id=village, district_code=village[:8], year=year, month=month, kind=kind, count=count
    )


SOURCES = ("DDS", "ADD", "PAD")
BIDANG = ("01", "02", "03", "04", "05")
LETTER_TYPES = ("sk-domisili", "sk-usaha", "sk-tidak-mampu")
STAGES = ("terdaftar", "layak", "ditetapkan", "dibayar", "dikerjakan", "selesai", "ditolak")


def fill(village: str, year: int, *, seed: int, today: dt.date, desa: bool = True) -> None:
    """A plausible year of roll-up rows for one village (budget, 12 months of books, SPP,
    budget year dates and tranches, letters, open requests, programmes, population)."""
    rng = random.Random(f"{seed}-{village}")
    if desa:
        for source in SOURCES:
            finance_figure(
                village, year, 0, K.BUDGET_REVENUE, rng.randint(50, 900) * 1_000_000, source=source
            )
            for bidang in BIDANG[: rng.randint(2, 5)]:
                finance_figure(
                    village,
                    year,
                    0,
                    K.BUDGET_SPENDING,
                    rng.randint(10, 300) * 1_000_000,
                    source=source,
                    bidang=bidang,
                )
        for month in range(1, 13):
            source = rng.choice(SOURCES)
            finance_figure(village, year, month, K.REVENUE, rng.randint(1, 90) * 1_000_000, source=source)
            finance_figure(
                village,
                year,
                month,
                K.SPENDING,
                rng.randint(1, 60) * 1_000_000 + 500,
                source=source,
                bidang=rng.choice(BIDANG),
            )
            finance_figure(village, year, month, K.CASH, rng.randint(-20, 40) * 1_000_000)
            if month % 3 == 0:
                finance_figure(
                    village,
                    year,
                    month,
                    K.SPP,
                    rng.randint(1, 30) * 1_000_000,
                    source=rng.choice(("LS", "UM")),
                    status=rng.choice(("dibayar", "diajukan")),
                    count=rng.randint(1, 4),
                )
        finance_figure(village, year, 0, K.CASH, rng.randint(1, 50) * 1_000_000)
        before = year - 1
        finance_year(
            village,
            year,
            agreed_on=dt.date(before, 10, rng.randint(20, 31)),
            submitted_on=rng.choice([dt.date(before, 11, rng.randint(1, 20)), None]),
            enacted_on=rng.choice([dt.date(before, 12, 20), dt.date(year, 1, 25), None]),
            semester_on=rng.choice([dt.date(year, 7, 10), dt.date(year, 8, 2), None]),
            lpj_on=None,
            dd_budget=Decimal(rng.randint(500, 900) * 1_000_000),
            dd_received=Decimal(rng.randint(100, 500) * 1_000_000),
            dd_spent=Decimal(rng.randint(50, 100) * 1_000_000),
            tranches=[
                {
                    "part": "reguler",
                    "tranche": rng.randint(1, 3),
                    "amount": f"{rng.randint(100, 300) * 1_000_000}.00",
                    "ready": (ready := rng.random() < 0.5),
                    "done": False,
                    "late": False,
                    "missing": [] if ready else ["APBDes belum ditetapkan"],
                },
                {
                    "part": "earmark",
                    "tranche": 1,
                    "amount": "90000000.00",
                    "ready": False,
                    "done": rng.random() < 0.5,
                    "late": False,
                    "missing": [],
                },
            ],
        )
    for month in range(1, 13):
        for letter_type in LETTER_TYPES:
            if rng.random() < 0.6:
                letter_month(
                    village,
                    year,
                    month,
                    letter_type,
                    submitted=rng.randint(0, 9),
                    rejected=rng.randint(0, 1),
                    histogram={rng.randint(0, 11): rng.randint(1, 5), rng.randint(2, 6): rng.randint(0, 3)},
                )
    for i, status in enumerate(("diajukan", "diverifikasi", "ditandatangani", "diterbitkan")):
        letter_open(
            village,
            LETTER_TYPES[i % 3],
            status,
            today + dt.timedelta(days=rng.randint(-5, 5)),
            rng.randint(1, 4),
        )
    for programme in ("rtlh", "blt"):
        counts = {stage: rng.randint(0, 6) for stage in STAGES}
        programme_figure(
            village,
            year,
            programme,
            counts={k: v for k, v in counts.items() if v},
            committed=Decimal(rng.randint(1, 9) * 17_500_000),
            paid=Decimal(rng.randint(0, 5) * 17_500_000),
            finished=counts["selesai"],
            stalled=rng.randint(0, 2),
            decisions_issued=rng.randint(0, 3),
            decisions_delegated=rng.randint(0, 2),
            decisions_mandated=rng.randint(0, 1),
            decisions_routed=rng.randint(0, 2),
        )
    bands = {(sex, label): rng.randint(0, 80) for sex in (1, 2) for label, _, _ in AGE_BANDS}
    population(village, families=rng.randint(100, 400), bands=bands)
    for month in range(1, 13):
        for kind in ("lahir", "mati", "datang", "pindah"):
            if rng.random() < 0.5:
                population_event(village, year, month, kind, rng.randint(1, 6))
