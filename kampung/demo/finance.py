"""The demo's village finance: the regency's SSH list and budget calendar, each desa's
ceilings, an enacted RKPDes and an enacted APBDes for the demo year, and in the named villages
a budget in evaluation, one returned with the camat's notes and one APBDes Perubahan.

The many enacted budgets are written with ``bulk_create`` (a few statements for all villages,
never one save per line) and one audit entry per village says so. The three named cases go
through the real services of :mod:`kampung.finance.services.apbdes`, so their audit trail is
the one an official would leave. Each budget passes every check of
:func:`kampung.finance.checks.apbdes_problems` by construction: each source's lines add up to
its revenue (Dana Desa plus its SiLPA), personnel stays under 30 %, BLT under 15 % and food
security over 20 % of Dana Desa, and transfers equal their ceilings.

Re-running adds only what is missing (villages that already have the year's budget are left
alone).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kampung.accounts.models import User
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError
from kampung.demo.cast import REGENCY_CODE, USERNAME_SLUGS
from kampung.finance import defaults
from kampung.finance.budget import line_amount
from kampung.finance.models import (
    Account,
    ActivityCode,
    Apbdes,
    ApbdesEvaluation,
    ApbdesStatus,
    BudgetActivity,
    BudgetLine,
    CalendarDeadline,
    Ceiling,
    EvaluationResult,
    FinancingLine,
    PlanStatus,
    RevenueLine,
    RkpActivity,
    Rkpdes,
    UnitPrice,
)
from kampung.regions.models import Kind, Region

logger = logging.getLogger(__name__)

BUILD_ACT = "demo.finance.apbdes"
THOUSAND = Decimal(1000)
EVALUATING = "35.10.15.2004"  # Kemiren: next year's draft with the camat
RETURNED = "35.10.15.2005"  # Olehsari: next year's draft returned with notes
REVISED = "35.10.01.2001"  # Sarongan: APBDes Perubahan of the demo year
REVENUE_ACCOUNTS = {
    "DDS": "4.2.1.01",
    "ADD": "4.2.3.01",
    "PBH": "4.2.2.01",
    "PBK": "4.2.5.01",
    "PAD": "4.1.2.01",
}

# The regency's standard unit prices (code, name, unit, price, suggested account).
SSH_ITEMS: tuple[tuple[str, str, str, int, str], ...] = (
    ("1.1.01", "Semen Portland 50 kg", "sak", 72_000, "5.3.5.03"),
    ("1.1.02", "Pasir pasang", "m3", 260_000, "5.3.5.03"),
    ("1.1.03", "Pasir urug", "m3", 180_000, "5.3.5.03"),
    ("1.1.04", "Batu pecah (split) 2/3", "m3", 310_000, "5.3.5.03"),
    ("1.1.05", "Batu kali", "m3", 235_000, "5.3.5.03"),
    ("1.1.06", "Besi beton polos 10 mm", "batang", 98_000, "5.3.5.03"),
    ("1.1.07", "Besi beton polos 8 mm", "batang", 64_000, "5.3.5.03"),
    ("1.1.08", "Kawat bendrat", "kg", 28_000, "5.3.5.03"),
    ("1.1.09", "Papan kayu bekisting", "lembar", 55_000, "5.3.5.03"),
    ("1.1.10", "Paving block K-300", "m2", 95_000, "5.3.5.03"),
    ("1.1.11", "Pipa PVC 3 inci", "batang", 145_000, "5.3.5.03"),
    ("1.1.12", "Buis beton 60 cm", "buah", 210_000, "5.3.5.03"),
    ("1.2.01", "Upah tukang batu", "HOK", 130_000, "5.3.5.02"),
    ("1.2.02", "Upah kepala tukang", "HOK", 150_000, "5.3.5.02"),
    ("1.2.03", "Upah pekerja (HOK)", "HOK", 105_000, "5.3.5.02"),
    ("1.2.04", "Upah mandor", "HOK", 160_000, "5.3.5.02"),
    ("1.3.01", "Sewa molen (mesin pengaduk beton)", "hari", 350_000, "5.3.5.04"),
    ("1.3.02", "Sewa stamper", "hari", 250_000, "5.3.5.04"),
    ("2.1.01", "Kertas HVS A4 70 gram", "rim", 52_000, "5.2.1.01"),
    ("2.1.02", "Tinta printer", "botol", 95_000, "5.2.1.01"),
    ("2.1.03", "Map dan ordner", "paket", 150_000, "5.2.1.01"),
    ("2.1.04", "Alat tulis kantor", "paket", 1_250_000, "5.2.1.01"),
    ("2.2.01", "Konsumsi rapat (makan)", "kotak", 30_000, "5.2.1.06"),
    ("2.2.02", "Konsumsi rapat (snack)", "kotak", 15_000, "5.2.1.06"),
    ("2.2.03", "Makanan tambahan balita (PMT)", "paket", 15_000, "5.2.1.06"),
    ("2.3.01", "Fotokopi", "lembar", 300, "5.2.1.05"),
    ("2.3.02", "Spanduk kegiatan", "buah", 250_000, "5.2.1.05"),
    ("2.4.01", "Bahan bakar minyak (pertalite)", "liter", 10_000, "5.2.1.04"),
    ("3.1.01", "Honor pengajar PAUD", "OB", 600_000, "5.2.2.01"),
    ("3.1.02", "Insentif kader posyandu", "OB", 150_000, "5.2.2.03"),
    ("3.1.03", "Insentif ketua RT", "OB", 150_000, "5.2.2.03"),
    ("3.1.04", "Insentif ketua RW", "OB", 200_000, "5.2.2.03"),
    ("3.1.05", "Honor anggota Linmas", "OB", 300_000, "5.2.2.01"),
    ("4.1.01", "Bibit jagung hibrida", "kg", 95_000, "5.2.7.05"),
    ("4.1.02", "Bibit ayam kampung (DOC)", "ekor", 12_000, "5.2.7.05"),
    ("4.1.03", "Pupuk organik", "sak", 35_000, "5.2.7.05"),
    ("4.2.01", "Bantuan bahan bangunan RTLH", "unit", 17_500_000, "5.2.7.03"),
    ("5.1.01", "BLT Dana Desa", "KPM-bulan", 300_000, "5.4.1.01"),
)


@dataclass(frozen=True)
class LineSpec:
    account: str
    source: str
    description: str
    volume: Decimal
    unit: str
    unit_price: Decimal
    ssh: str = ""

    @property
    def amount(self) -> Decimal:
        return line_amount(self.volume, self.unit_price)


@dataclass
class ActivitySpec:
    code: str
    name: str
    location: str = ""
    output_volume: Decimal = Decimal(0)
    output_unit: str = ""
    start_month: int = 1
    end_month: int = 12
    executor: str = ""
    lines: list[LineSpec] = field(default_factory=list)

    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    def main_source(self) -> str:
        by: dict[str, Decimal] = {}
        for line in self.lines:
            by[line.source] = by.get(line.source, Decimal(0)) + line.amount
        return max(by, key=lambda s: by[s]) if by else "ADD"


@dataclass
class BudgetSpec:
    ceilings: dict[str, Decimal]
    pad: Decimal
    silpa: Decimal
    activities: list[ActivitySpec]

    def revenue(self) -> dict[str, Decimal]:
        return {**self.ceilings, "PAD": self.pad}


def _round_up(value: Decimal, step: Decimal = THOUSAND) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=ROUND_CEILING) * step


def _d(value: int | float | Decimal) -> Decimal:
    return Decimal(value)


def budget_spec(code: str, year: int, *, seed: int) -> BudgetSpec:
    """A realistic, balanced budget for one desa, drawn from the seed and the village code."""
    rng = random.Random(f"{seed}:finance:{code}:{year}")
    dd = _d(rng.randrange(880_000, 1_220_000)) * THOUSAND
    add = _round_up(dd * _d(rng.uniform(0.46, 0.62)))
    pbh = _d(rng.randrange(35_000, 95_000)) * THOUSAND
    pbk = _d(rng.randrange(80_000, 250_000)) * THOUSAND if rng.random() < 0.35 else Decimal(0)
    pad = _d(rng.randrange(8_000, 45_000)) * THOUSAND
    silpa = _d(rng.randrange(5_000, 60_000)) * THOUSAND
    ceilings = {"DDS": dd, "ADD": add, "PBH": pbh}
    if pbk:
        ceilings["PBK"] = pbk
    total = dd + add + pbh + pbk + pad + silpa
    dusun = rng.choice(("Krajan", "Sumberagung", "Kebonrejo", "Sukorejo", "Tegalrejo"))
    rt_count, rw_count = rng.randint(14, 32), rng.randint(4, 9)
    staff = rng.randint(7, 10)

    def line(
        acc: str, src: str, what: str, vol: int | Decimal, unit: str, price: int | Decimal, ssh: str = ""
    ) -> LineSpec:
        return LineSpec(acc, src, what, _d(vol), unit, _d(price), ssh)

    # -- Alokasi Dana Desa: siltap, allowances, operations (≤ 30 % of all spending), the rest
    personnel_cap = min(total * Decimal("0.27"), add * Decimal("0.78"))
    head_pay = _d(rng.choice((3_200_000, 3_400_000, 3_600_000)))
    fixed = [
        ActivitySpec(
            "01.01.01",
            "Penyediaan Penghasilan Tetap dan Tunjangan Kepala Desa",
            lines=[
                line("5.1.1.01", "ADD", "Penghasilan tetap kepala desa", 12, "bulan", head_pay),
                line("5.1.1.02", "ADD", "Tunjangan kepala desa", 12, "bulan", 1_000_000),
            ],
        ),
        ActivitySpec(
            "01.01.03",
            "Penyediaan Jaminan Sosial bagi Kepala Desa dan Perangkat Desa",
            lines=[
                line(
                    "5.1.3.02",
                    "ADD",
                    "Iuran BPJS Kesehatan kepala dan perangkat desa",
                    12 * (staff + 1),
                    "OB",
                    120_000,
                ),
            ],
        ),
        ActivitySpec(
            "01.01.05",
            "Penyediaan Tunjangan BPD",
            lines=[
                line("5.1.4.01", "ADD", "Tunjangan kedudukan BPD", 12 * rng.choice((5, 7, 9)), "OB", 750_000),
            ],
        ),
        ActivitySpec(
            "01.01.06",
            "Penyediaan Operasional BPD",
            lines=[
                line("5.2.1.06", "ADD", "Konsumsi rapat BPD", 12 * 20, "kotak", 30_000, "2.2.01"),
                line("5.2.1.01", "ADD", "Alat tulis kantor BPD", 4, "paket", 1_250_000, "2.1.04"),
            ],
        ),
        ActivitySpec(
            "01.01.07",
            "Penyediaan Insentif/Operasional RT/RW",
            lines=[
                line("5.2.2.03", "ADD", "Insentif ketua RT", 12 * rt_count, "OB", 150_000, "3.1.03"),
                line("5.2.2.03", "ADD", "Insentif ketua RW", 12 * rw_count, "OB", 200_000, "3.1.04"),
            ],
        ),
        ActivitySpec(
            "01.01.04",
            "Penyediaan Operasional Pemerintah Desa",
            lines=[
                line("5.2.1.01", "ADD", "Alat tulis kantor", 12, "paket", 1_250_000, "2.1.04"),
                line("5.2.1.04", "ADD", "Bahan bakar kendaraan dinas", 1_200, "liter", 10_000, "2.4.01"),
                line("5.2.1.06", "ADD", "Konsumsi rapat pemerintah desa", 12 * 30, "kotak", 30_000, "2.2.01"),
            ],
        ),
    ]
    used = sum((a.total() for a in fixed), Decimal(0))
    staff_pay = min(
        _d(2_600_000), ((personnel_cap - used) / (12 * staff) / THOUSAND).to_integral_value() * THOUSAND
    )
    if staff_pay <= 0:
        raise KampungError("Rencana APBDes demo tidak memenuhi batas 30 %.")
    fixed.insert(
        1,
        ActivitySpec(
            "01.01.02",
            "Penyediaan Penghasilan Tetap dan Tunjangan Perangkat Desa",
            lines=[
                line(
                    "5.1.2.01",
                    "ADD",
                    f"Penghasilan tetap {staff} perangkat desa",
                    12 * staff,
                    "OB",
                    staff_pay,
                ),
            ],
        ),
    )
    paud = ActivitySpec(
        "02.01.01",
        "Penyelenggaraan PAUD Milik Desa",
        location=f"PAUD Dusun {dusun}",
        executor="Kasi Kesejahteraan",
        lines=[line("5.2.2.01", "ADD", "Honor pengajar PAUD", 12 * 3, "OB", 600_000, "3.1.01")],
    )
    kader = ActivitySpec(
        "02.02.02",
        "Penyelenggaraan Posyandu",
        location="Seluruh dusun",
        executor="Kasi Kesejahteraan",
        lines=[line("5.2.2.03", "ADD", "Insentif kader posyandu", 12 * 25, "OB", 150_000, "3.1.02")],
    )
    add_used = sum((a.total() for a in fixed), Decimal(0)) + paud.total() + kader.total()
    office = ActivitySpec(
        "01.02.02",
        "Pemeliharaan Gedung/Prasarana Kantor Desa",
        location="Kantor desa",
        start_month=3,
        end_month=8,
        lines=[line("5.2.6.04", "ADD", "Pemeliharaan gedung kantor desa", 1, "paket", add - add_used)],
    )
    if add - add_used <= 0:
        raise KampungError("Rencana APBDes demo: ADD tidak cukup.")
    office.lines.append(line("5.2.6.04", "PAD", "Pengecatan balai desa", 1, "paket", pad))

    # -- Dana Desa (+ SiLPA): road 300 m, posyandu, RTLH, BLT (≤ 15 %), food security (≥ 20 %)
    kpm = rng.randint(12, 30)
    road = ActivitySpec(
        "02.03.10",
        "Pembangunan Jalan Desa Rabat Beton",
        location=f"Dusun {dusun}",
        output_volume=_d(300),
        output_unit="m",
        start_month=5,
        end_month=8,
        executor="Kasi Kesejahteraan",
        lines=[
            line("5.3.5.03", "DDS", "Semen Portland 50 kg", 640, "sak", 72_000, "1.1.01"),
            line("5.3.5.03", "DDS", "Pasir pasang", 95, "m3", 260_000, "1.1.02"),
            line("5.3.5.03", "DDS", "Batu pecah (split) 2/3", 120, "m3", 310_000, "1.1.04"),
            line("5.3.5.03", "DDS", "Papan kayu bekisting", 80, "lembar", 55_000, "1.1.09"),
            line("5.3.5.02", "DDS", "Upah tukang batu", 160, "HOK", 130_000, "1.2.01"),
            line("5.3.5.02", "DDS", "Upah pekerja", 320, "HOK", 105_000, "1.2.03"),
            line("5.3.5.04", "DDS", "Sewa molen", 20, "hari", 350_000, "1.3.01"),
        ],
    )
    posyandu = ActivitySpec(
        "02.02.01",
        "Penyelenggaraan Pos Kesehatan Desa dan Makanan Tambahan",
        location="Posyandu desa",
        executor="Kasi Kesejahteraan",
        lines=[line("5.2.1.06", "DDS", "Makanan tambahan balita (PMT)", 12 * 250, "paket", 15_000, "2.2.03")],
    )
    rtlh = ActivitySpec(
        "02.04.01",
        "Dukungan Rehab Rumah Tidak Layak Huni (RTLH)",
        location="Rumah warga miskin",
        output_volume=_d(4),
        output_unit="unit",
        start_month=6,
        end_month=10,
        executor="Kasi Kesejahteraan",
        lines=[line("5.2.7.03", "DDS", "Bantuan bahan bangunan RTLH", 4, "unit", 17_500_000, "4.2.01")],
    )
    blt = ActivitySpec(
        "05.03.00",
        "Bantuan Langsung Tunai Dana Desa",
        location="Desa",
        output_volume=_d(kpm),
        output_unit="KPM",
        executor="Kasi Kesejahteraan",
        lines=[line("5.4.1.01", "DDS", "BLT Dana Desa", 12 * kpm, "KPM-bulan", 300_000, "5.1.01")],
    )
    dd_used = road.total() + posyandu.total() + rtlh.total() + blt.total()
    food_total = dd + silpa - dd_used
    if food_total < dd * Decimal("0.2"):
        raise KampungError("Rencana APBDes demo: ketahanan pangan kurang dari 20 %.")
    seeds = line("5.2.7.05", "DDS", "Bibit jagung hibrida", 400, "kg", 95_000, "4.1.01")
    food = ActivitySpec(
        "04.02.03",
        "Penguatan Ketahanan Pangan Tingkat Desa (Lumbung Desa)",
        location="Lumbung desa",
        output_volume=_d(1),
        output_unit="unit",
        start_month=2,
        end_month=11,
        executor="Kaur Perencanaan",
        lines=[
            seeds,
            line("5.2.7.05", "DDS", "Pengisian lumbung pangan desa", 1, "paket", food_total - seeds.amount),
        ],
    )
    # -- tax share (PBH): Linmas; regency aid (PBK): neighbourhood paving
    linmas = ActivitySpec(
        "03.01.02",
        "Penguatan Kapasitas Satlinmas Desa",
        executor="Kasi Pemerintahan",
        lines=[line("5.2.2.01", "PBH", "Honor anggota Linmas", 12 * 6, "OB", 300_000, "3.1.05")],
    )
    linmas.lines.append(line("5.2.1.01", "PBH", "Perlengkapan pos kamling", 1, "paket", pbh - linmas.total()))
    activities = [*fixed, office, paud, kader, posyandu, road, rtlh, linmas, food, blt]
    if pbk:
        paving = ActivitySpec(
            "02.03.11",
            "Paving Jalan Lingkungan Permukiman",
            location=f"Gang Dusun {dusun}",
            output_volume=(pbk / 2 / 95_000).to_integral_value(),
            output_unit="m2",
            start_month=7,
            end_month=10,
            executor="Kasi Kesejahteraan",
        )
        blocks = (pbk / 2 / 95_000).to_integral_value()
        paving.lines.append(line("5.3.5.03", "PBK", "Paving block K-300", blocks, "m2", 95_000, "1.1.10"))
        paving.lines.append(
            line("5.3.5.02", "PBK", "Upah pemasangan paving", 1, "paket", pbk - paving.lines[0].amount)
        )
        activities.append(paving)
    activities.sort(key=lambda a: a.code)
    return BudgetSpec(ceilings=ceilings, pad=pad, silpa=silpa, activities=activities)


# -- reference data ------------------------------------------------------------------------


def ensure_ssh(year: int) -> int:
    rows = [
        UnitPrice(regency_id=REGENCY_CODE, year=year, code=c, name=n, unit=u, price=_d(p), account_code=a)
        for c, n, u, p, a in SSH_ITEMS
    ]
    before = UnitPrice.objects.filter(regency_id=REGENCY_CODE, year=year).count()
    UnitPrice.objects.bulk_create(rows, ignore_conflicts=True)
    return UnitPrice.objects.filter(regency_id=REGENCY_CODE, year=year).count() - before


def ensure_calendar(years: Iterable[int]) -> int:
    rows = [
        CalendarDeadline(regency_id=REGENCY_CODE, year=y, event=str(event), due_date=due)
        for y in years
        for event, due in defaults.default_calendar(y).items()
    ]
    before = CalendarDeadline.objects.filter(regency_id=REGENCY_CODE).count()
    CalendarDeadline.objects.bulk_create(rows, ignore_conflicts=True)
    return CalendarDeadline.objects.filter(regency_id=REGENCY_CODE).count() - before


def ensure_ceilings(specs: dict[str, BudgetSpec], year: int) -> None:
    Ceiling.objects.bulk_create(
        [
            Ceiling(village_id=code, year=year, source_id=src, amount=amount, note="Pagu indikatif (demo)")
            for code, spec in specs.items()
            for src, amount in spec.ceilings.items()
        ],
        ignore_conflicts=True,
    )


# -- the bulk of enacted budgets -----------------------------------------------------------


@dataclass
class FinanceResult:
    budgets: int = 0
    lines: int = 0
    ssh: int = 0
    calendar: int = 0
    cases: list[str] = field(default_factory=list)


def _lookups(regency: str) -> tuple[dict[str, Account], dict[str, ActivityCode], dict[str, UnitPrice]]:
    accounts = {a.code: a for a in Account.objects.filter(regency__isnull=True, level=4)}
    codes = {c.code: c for c in ActivityCode.objects.filter(regency__isnull=True, level="kegiatan")}
    return accounts, codes, {}


def _dates(year: int, rng: random.Random) -> dict[str, Any]:
    before = year - 1
    agreed = dt.date(before, 10, rng.randint(14, 30))
    submitted = agreed + dt.timedelta(days=rng.randint(1, 3))
    evaluated = submitted + dt.timedelta(days=rng.randint(10, 24))
    perdes = max(evaluated + dt.timedelta(days=rng.randint(3, 12)), dt.date(before, 12, 1))
    return {
        "bpd_agreed_on": agreed,
        "bpd_minutes_number": f"{rng.randint(1, 9)}/BA/BPD/{before}",
        "submitted_on": submitted,
        "evaluation_due": submitted + dt.timedelta(days=28),
        "evaluated_on": evaluated,
        "perdes_number": f"{rng.randint(5, 12)} Tahun {before}",
        "perdes_date": min(perdes, dt.date(before, 12, 31)),
    }


@transaction.atomic
def enacted_budgets_fill(*, codes: list[str], year: int, seed: int) -> tuple[int, int]:
    """An enacted RKPDes and APBDes of ``year`` for each desa in ``codes`` that has none."""
    have = set(
        Apbdes.objects.filter(village_id__in=codes, year=year, revision=0).values_list(
            "village_id", flat=True
        )
    )
    todo = [c for c in codes if c not in have]
    if not todo:
        return 0, 0
    specs = {code: budget_spec(code, year, seed=seed) for code in todo}
    ensure_ceilings(specs, year)
    accounts, activity_codes, _ = _lookups(REGENCY_CODE)
    ssh = {u.code: u for u in UnitPrice.objects.filter(regency_id=REGENCY_CODE, year=year)}
    now_rng = {code: random.Random(f"{seed}:finance-dates:{code}:{year}") for code in todo}
    dates = {code: _dates(year, now_rng[code]) for code in todo}
    # RKPDes (enacted by Perdes in the year before) and its activities
    Rkpdes.objects.bulk_create(
        [
            Rkpdes(
                village_id=code,
                year=year,
                status=PlanStatus.ENACTED,
                perdes_number=f"{now_rng[code].randint(2, 4)} Tahun {year - 1}",
                perdes_date=dt.date(year - 1, 9, now_rng[code].randint(5, 28)),
            )
            for code in todo
        ],
        ignore_conflicts=True,
    )
    rkps = {r.village_id: r for r in Rkpdes.objects.filter(village_id__in=todo, year=year)}
    RkpActivity.objects.filter(rkp__in=list(rkps.values())).delete()
    rkp_rows = [
        RkpActivity(
            rkp=rkps[code],
            activity_code=activity_codes[a.code],
            name=a.name,
            location=a.location,
            volume=a.output_volume,
            unit=a.output_unit,
            executor=a.executor,
            amount=a.total(),
            source_id=a.main_source(),
            output_volume=a.output_volume,
            output_unit=a.output_unit,
            start_month=a.start_month,
            end_month=a.end_month,
        )
        for code in todo
        for a in specs[code].activities
    ]
    RkpActivity.objects.bulk_create(rkp_rows)
    budgets = Apbdes.objects.bulk_create(
        [
            Apbdes(
                village_id=code,
                year=year,
                revision=0,
                status=ApbdesStatus.ENACTED,
                rkp=rkps[code],
                **dates[code],
            )
            for code in todo
        ]
    )
    if any(b.pk is None for b in budgets):  # a backend without RETURNING
        by_code = {b.village_id: b for b in Apbdes.objects.filter(village_id__in=todo, year=year, revision=0)}
        budgets = [by_code[c] for c in todo]
    by_village = {b.village_id: b for b in budgets}
    ApbdesEvaluation.objects.bulk_create(
        [
            ApbdesEvaluation(
                apbdes=b,
                result=EvaluationResult.APPROVED,
                decided_on=dates[b.village_id]["evaluated_on"],
                basis="delegasi — Perbup Banyuwangi tentang pelimpahan evaluasi APBDes kepada camat (demo)",
            )
            for b in budgets
        ]
    )
    revenue, financing, activities = [], [], []
    for code in todo:
        spec, apbdes = specs[code], by_village[code]
        for src, amount in spec.revenue().items():
            revenue.append(
                RevenueLine(
                    apbdes=apbdes, account=accounts[REVENUE_ACCOUNTS[src]], source_id=src, amount=amount
                )
            )
        financing.append(
            FinancingLine(
                apbdes=apbdes,
                account=accounts["6.1.1.01"],
                source_id="DDS",
                amount=spec.silpa,
                description="SiLPA Dana Desa tahun sebelumnya",
            )
        )
        for a in spec.activities:
            activities.append(
                BudgetActivity(
                    apbdes=apbdes,
                    activity_code=activity_codes[a.code],
                    name=a.name,
                    location=a.location,
                    executor_name=a.executor,
                    output_volume=a.output_volume,
                    output_unit=a.output_unit,
                    start_month=a.start_month,
                    end_month=a.end_month,
                )
            )
    RevenueLine.objects.bulk_create(revenue)
    FinancingLine.objects.bulk_create(financing)
    created = BudgetActivity.objects.bulk_create(activities)
    if any(a.pk is None for a in created):
        created = list(
            BudgetActivity.objects.filter(apbdes__in=budgets).order_by(
                "apbdes__village_id", "activity_code__code"
            )
        )
    specs_in_order = [a for code in todo for a in specs[code].activities]
    lines = [
        BudgetLine(
            activity=activity,
            account=accounts[line.account],
            source_id=line.source,
            description=line.description,
            volume=line.volume,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=line.amount,
            unit_price_ref=ssh.get(line.ssh),
        )
        for activity, spec_activity in zip(created, specs_in_order, strict=True)
        for line in spec_activity.lines
    ]
    BudgetLine.objects.bulk_create(lines, batch_size=2000)
    for code in todo:
        audit_record(
            actor=None,
            act=BUILD_ACT,
            region=code,
            object_type="finance.Apbdes",
            object_id=str(by_village[code].pk),
            after={"year": year, "status": ApbdesStatus.ENACTED, "demo": True},
        )
    return len(todo), len(lines)


# -- the named cases, through the services -------------------------------------------------


def _user(prefix: str, code: str) -> User:
    return User.objects.get(username=f"{prefix}.{USERNAME_SLUGS[code]}")


def _draft_through_services(code: str, year: int, seed: int) -> Apbdes:
    from kampung.finance.services import apbdes as svc

    village = Region.objects.get(code=code)
    spec = budget_spec(code, year, seed=seed)
    ensure_ceilings({code: spec}, year)
    sekdes = _user("sekdes", code)
    apbdes = svc.apbdes_create(actor=sekdes, village=village, year=year, from_rkp=False)
    present = set(RevenueLine.objects.filter(apbdes=apbdes).values_list("source_id", flat=True))
    for src, amount in spec.revenue().items():
        if src not in present:
            svc.revenue_line_save(
                actor=sekdes,
                apbdes=apbdes,
                account_code=REVENUE_ACCOUNTS[src],
                source_code=src,
                amount=amount,
            )
    svc.financing_line_save(
        actor=sekdes,
        apbdes=apbdes,
        account_code="6.1.1.01",
        source_code="DDS",
        description="SiLPA Dana Desa tahun sebelumnya",
        amount=spec.silpa,
    )
    ssh = {u.code: u.pk for u in UnitPrice.objects.filter(regency_id=REGENCY_CODE, year=year)}
    for a in spec.activities:
        activity = svc.activity_save(
            actor=sekdes,
            apbdes=apbdes,
            activity_code=a.code,
            name=a.name,
            location=a.location,
            executor_name=a.executor,
            output_volume=a.output_volume,
            output_unit=a.output_unit,
            start_month=a.start_month,
            end_month=a.end_month,
        )
        for line in a.lines:
            svc.budget_line_save(
                actor=sekdes,
                activity=activity,
                account_code=line.account,
                source_code=line.source,
                description=line.description,
                volume=line.volume,
                unit=line.unit,
                unit_price=line.unit_price,
                unit_price_id=ssh.get(line.ssh),
            )
    today = timezone.localdate()
    svc.apbdes_agree(
        actor=sekdes,
        apbdes=apbdes,
        agreed_on=today - dt.timedelta(days=12),
        minutes_number=f"3/BA/BPD/{year - 1}",
    )
    svc.apbdes_submit(actor=_user("kades", code), apbdes=apbdes, submitted_on=today - dt.timedelta(days=9))
    return apbdes


RETURN_NOTES = (
    "1. Belanja ketahanan pangan agar dirinci per jenis bibit dan penerima.\n"
    "2. Lokasi kegiatan jalan rabat beton agar disebutkan per RT/RW.\n"
    "3. Lampirkan berita acara Musdes penetapan KPM BLT Dana Desa."
)


def named_cases_fill(*, year: int, seed: int) -> list[str]:
    """In evaluation (Kemiren), returned (Olehsari), revised (Sarongan); each skipped when done."""
    from kampung.finance.services import apbdes as svc

    done: list[str] = []
    camat_glagah = User.objects.filter(username=f"camat.{USERNAME_SLUGS['35.10.15']}").first()
    next_year = year + 1
    ensure_ssh(next_year)
    for code, returned in ((EVALUATING, False), (RETURNED, True)):
        if Apbdes.objects.filter(village_id=code, year=next_year).exists():
            continue
        if not User.objects.filter(username=f"sekdes.{USERNAME_SLUGS[code]}").exists():
            continue
        with transaction.atomic():
            apbdes = _draft_through_services(code, next_year, seed)
            if returned and camat_glagah is not None:
                svc.apbdes_evaluate(
                    actor=camat_glagah,
                    apbdes=apbdes,
                    approve=False,
                    notes=RETURN_NOTES,
                    decided_on=timezone.localdate() - dt.timedelta(days=2),
                )
        done.append(f"{code}:{apbdes.status}")
    base = Apbdes.objects.filter(village_id=REVISED, year=year, revision=0).first()
    if (
        base is not None
        and not Apbdes.objects.filter(village_id=REVISED, year=year, revision__gt=0).exists()
        and User.objects.filter(username=f"sekdes.{USERNAME_SLUGS[REVISED]}").exists()
    ):
        sekdes = _user("sekdes", REVISED)
        with transaction.atomic():
            revision = svc.apbdes_revision_start(actor=sekdes, apbdes=base)
            # The SiLPA turned out larger than planned: the extra goes to a longer road.
            silpa = FinancingLine.objects.get(apbdes=revision, account__code="6.1.1.01")
            extra = Decimal(26_000_000)
            svc.financing_line_save(
                actor=sekdes,
                apbdes=revision,
                line=silpa,
                account_code="6.1.1.01",
                source_code="DDS",
                description="SiLPA Dana Desa tahun sebelumnya (hasil audit)",
                amount=silpa.amount + extra,
            )
            road = BudgetActivity.objects.get(apbdes=revision, activity_code__code="02.03.10")
            svc.activity_save(
                actor=sekdes,
                apbdes=revision,
                activity=road,
                activity_code="02.03.10",
                name="Pembangunan Jalan Desa Rabat Beton (tambahan 40 m)",
                location=road.location,
                executor_name=road.executor_name,
                output_volume=Decimal(340),
                output_unit="m",
                start_month=road.start_month,
                end_month=road.end_month,
            )
            svc.budget_line_save(
                actor=sekdes,
                activity=road,
                account_code="5.3.5.03",
                source_code="DDS",
                description="Rabat beton tambahan 40 m (bahan)",
                volume=Decimal(40),
                unit="m",
                unit_price=Decimal(650_000),
            )
        done.append(f"{REVISED}:perubahan")
    return done


def _complete(desa: list[str], year: int) -> bool:
    """Whether every desa has its budget and the named cases are there (one query)."""
    named = [c for c in (EVALUATING, RETURNED) if c in desa]
    found = set(
        Apbdes.objects.filter(
            Q(village_id__in=desa, year=year, revision=0)
            | Q(village_id__in=named, year=year + 1, revision=0)
            | Q(village_id=REVISED, year=year, revision=1)
        ).values_list("village_id", "year", "revision")
    )
    wanted = {(c, year, 0) for c in desa} | {(c, year + 1, 0) for c in named}
    if REVISED in desa:
        wanted.add((REVISED, year, 1))
    return wanted <= found


def finance_fill(*, village_codes: Iterable[str], seed: int, year: int | None = None) -> FinanceResult:
    """The demo's finance for the given villages (kelurahan are skipped)."""
    year = year or timezone.localdate().year
    desa = list(
        Region.objects.filter(code__in=list(village_codes), kind__in=(Kind.DESA, Kind.DESA_ADAT))
        .order_by("code")
        .values_list("code", flat=True)
    )
    result = FinanceResult()
    if _complete(desa, year):
        return result
    result.ssh = ensure_ssh(year)
    result.calendar = ensure_calendar((year, year + 1))
    result.budgets, result.lines = enacted_budgets_fill(codes=desa, year=year, seed=seed)
    try:
        result.cases = named_cases_fill(year=year, seed=seed)
    except KampungError as exc:  # the services refused: keep the bulk budgets, say why
        logger.warning("Demo keuangan: kasus bernama dilewati: %s", exc.message)
    return result
