"""The checks an APBDes must pass before the BPD may agree it (Permendagri 20/2018; PP 43/2014
Pasal 100; the yearly Dana Desa rules).

:func:`problems_for` is pure: it works on a :class:`~kampung.finance.budget.Snapshot` plus the
ceilings, the earmark rules and the RAB line details, so property tests need no database.
:func:`apbdes_problems` reads those for one APBDes version in a handful of queries.

Each :class:`Problem` says in Indonesian what is wrong and what to fix, with rupiah figures.
Blocking problems stop the agreement with the BPD; the others are warnings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kampung.core.formatting import rupiah
from kampung.finance import defaults
from kampung.finance.budget import (
    FINANCING,
    REVENUE,
    SPENDING,
    ZERO,
    Snapshot,
    Totals,
    budget_snapshot,
    budget_totals,
    line_amount,
)

HUNDRED = Decimal("100")
DANA_DESA = "DDS"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    blocking: bool = True


@dataclass(frozen=True)
class RuleSpec:
    """One Dana Desa earmark rule (an :class:`~kampung.finance.models.EarmarkRule` as data)."""

    label: str
    kind: str  # "maks" or "min" (RuleKind)
    percent: Decimal
    prefixes: tuple[str, ...]
    basis: str = ""


@dataclass(frozen=True)
class LineDetail:
    """The arithmetic of one RAB line (volume x unit price = amount)."""

    description: str
    activity_code: str
    volume: Decimal
    unit_price: Decimal
    amount: Decimal


def _segments(code: str) -> int:
    return len([p for p in code.split(".") if p])


def _pct(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "0"
    value = (part * HUNDRED / whole).quantize(Decimal("0.01"))
    return f"{value:f}".replace(".", ",")


def _check_lines(snapshot: Snapshot, details: Sequence[LineDetail]) -> list[Problem]:
    """(a) Every amount adds up and sits on the right kind of account."""
    out: list[Problem] = []
    for d in details:
        expected = line_amount(d.volume, d.unit_price)
        if d.amount != expected:
            out.append(
                Problem(
                    "rincian_tidak_sesuai",
                    f"Rincian '{d.description}' (kegiatan {d.activity_code}): jumlah {rupiah(d.amount)} "
                    f"tidak sama dengan volume x harga satuan = {rupiah(expected)}. Simpan ulang rinciannya.",
                )
            )
    labels = {REVENUE: "Pendapatan", SPENDING: "Belanja", FINANCING: "Pembiayaan"}
    prefixes = {REVENUE: "4.", SPENDING: "5.", FINANCING: "6."}
    for line in snapshot.lines:
        where = f"{labels[line.section]} rekening {line.account_code}" + (
            f" (kegiatan {line.activity_code})" if line.activity_code else ""
        )
        if line.amount <= ZERO:
            out.append(
                Problem(
                    "nilai_tidak_positif",
                    f"{where}: nilainya {rupiah(line.amount)}. Isi nilai lebih dari Rp 0 atau hapus barisnya.",
                )
            )
        if not line.account_code.startswith(prefixes[line.section]) or _segments(line.account_code) != 4:
            out.append(
                Problem(
                    "rekening_salah",
                    f"{where}: {labels[line.section].lower()} harus memakai rekening tingkat 4 "
                    f"berawalan {prefixes[line.section]} (mis. {prefixes[line.section]}x.x.xx).",
                )
            )
        if line.section == SPENDING and _segments(line.activity_code) != 3:
            out.append(
                Problem(
                    "kegiatan_salah",
                    f"{where}: belanja harus dianggarkan pada kode kegiatan (bidang.sub-bidang.kegiatan), "
                    f"bukan '{line.activity_code or '-'}'.",
                )
            )
    return out


def _check_sources(totals: Totals, financing_out_by_source: dict[str, Decimal]) -> list[Problem]:
    """(b) Spending from a source never exceeds that source's revenue plus its financing."""
    out: list[Problem] = []
    for source in sorted(set(totals.spending_by_source) | set(financing_out_by_source)):
        spent = totals.spending_by_source.get(source, ZERO)
        paid_out = financing_out_by_source.get(source, ZERO)
        received = totals.revenue_by_source.get(source, ZERO) + totals.financing_in_by_source.get(
            source, ZERO
        )
        if spent + paid_out > received:
            what = f"Belanja dari sumber {source} {rupiah(spent)}" + (
                f" ditambah pengeluaran pembiayaan {rupiah(paid_out)}" if paid_out else ""
            )
            out.append(
                Problem(
                    "sumber_dana_lebih",
                    f"{what} melebihi pendapatan dan penerimaan pembiayaan sumber itu {rupiah(received)} "
                    f"(kelebihan {rupiah(spent + paid_out - received)}). "
                    f"Kurangi belanja {source} atau pindahkan ke sumber lain.",
                )
            )
    return out


def _check_balance(totals: Totals) -> list[Problem]:
    """(c) A deficit is covered by net financing and the budget balances."""
    out: list[Problem] = []
    if not totals.revenue and not totals.spending:
        out.append(Problem("anggaran_kosong", "APBDes belum berisi pendapatan maupun belanja."))
        return out
    remaining = totals.remaining
    if remaining < ZERO:
        if totals.surplus < ZERO:
            message = (
                f"Defisit {rupiah(-totals.surplus)} (pendapatan {rupiah(totals.revenue)}, belanja "
                f"{rupiah(totals.spending)}) hanya tertutup pembiayaan netto {rupiah(totals.net_financing)}: "
                f"kurang {rupiah(-remaining)}. Tambah pembiayaan (mis. SiLPA) atau kurangi belanja."
            )
        else:
            message = (
                f"Pengeluaran pembiayaan {rupiah(totals.financing_out)} melebihi surplus dan penerimaan "
                f"pembiayaan: kurang {rupiah(-remaining)}. Kurangi pengeluaran pembiayaan."
            )
        out.append(Problem("defisit_tidak_tertutup", message))
    elif remaining > ZERO:
        out.append(
            Problem(
                "tidak_seimbang",
                f"APBDes belum seimbang: surplus {rupiah(totals.surplus)} ditambah pembiayaan netto "
                f"{rupiah(totals.net_financing)} menyisakan {rupiah(remaining)} yang belum dianggarkan. "
                "Anggarkan sisa itu pada belanja atau pengeluaran pembiayaan (mis. dana cadangan).",
            )
        )
    return out


def _check_personnel(totals: Totals, cap_percent: Decimal, cap_prefixes: tuple[str, ...]) -> list[Problem]:
    """(d) Siltap, allowances and operations (01.01.01–07) at most 30 % of spending."""
    personnel = sum(
        (v for code, v in totals.spending_by_activity_code.items() if code.startswith(cap_prefixes)),
        ZERO,
    )
    limit = totals.spending * cap_percent / HUNDRED
    if personnel > limit:
        return [
            Problem(
                "batas_30_persen",
                f"Belanja penghasilan tetap, tunjangan dan operasional (kegiatan 01.01.01–01.01.07) "
                f"{rupiah(personnel)} = {_pct(personnel, totals.spending)} % dari belanja "
                f"{rupiah(totals.spending)}; paling banyak {cap_percent} % ({rupiah(limit)}). "
                f"Kurangi {rupiah(personnel - limit)}.",
            )
        ]
    return []


def _check_ceilings(
    totals: Totals, ceilings: dict[str, Decimal], transfer_sources: Iterable[str]
) -> list[Problem]:
    """(e) Revenue from a transfer equals the regency's ceiling for the village and year."""
    out: list[Problem] = []
    transfers = set(transfer_sources)
    for source in sorted(transfers & (set(totals.revenue_by_source) | set(ceilings))):
        revenue = totals.revenue_by_source.get(source, ZERO)
        if source not in ceilings:
            out.append(
                Problem(
                    "pagu_belum_ada",
                    f"Pendapatan {source} {rupiah(revenue)} dianggarkan, tetapi pagu indikatif {source} "
                    "untuk desa dan tahun ini belum ditetapkan DPMD. Minta DPMD menetapkan pagunya.",
                )
            )
        elif revenue != ceilings[source]:
            out.append(
                Problem(
                    "pagu_tidak_sesuai",
                    f"Pendapatan {source} {rupiah(revenue)} tidak sama dengan pagu indikatif "
                    f"{rupiah(ceilings[source])} (selisih {rupiah(revenue - ceilings[source])}). "
                    "Sesuaikan pendapatannya dengan pagu.",
                )
            )
    return out


def _dd_spending_on(snapshot: Snapshot, prefixes: tuple[str, ...]) -> Decimal:
    return sum(
        (
            line.amount
            for line in snapshot.of(SPENDING)
            if line.source_code == DANA_DESA and line.activity_code.startswith(prefixes)
        ),
        ZERO,
    )


def _check_earmarks(snapshot: Snapshot, totals: Totals, rules: Sequence[RuleSpec]) -> list[Problem]:
    """(f) Dana Desa earmarks of the year: share of DD-funded spending on the listed kegiatan."""
    out: list[Problem] = []
    dd = totals.revenue_by_source.get(DANA_DESA, ZERO)
    if dd <= ZERO:
        return out
    for rule in rules:
        if not rule.prefixes:
            continue
        spent = _dd_spending_on(snapshot, rule.prefixes)
        bound = dd * rule.percent / HUNDRED
        codes = ", ".join(rule.prefixes)
        basis = f" ({rule.basis})" if rule.basis else ""
        if rule.kind == "maks" and spent > bound:
            out.append(
                Problem(
                    "dana_desa_maks",
                    f"{rule.label}{basis}: belanja Dana Desa pada kegiatan {codes} {rupiah(spent)} = "
                    f"{_pct(spent, dd)} % dari Dana Desa {rupiah(dd)}; paling banyak {rule.percent} % "
                    f"({rupiah(bound)}). Kurangi {rupiah(spent - bound)}.",
                )
            )
        elif rule.kind == "min" and spent < bound:
            out.append(
                Problem(
                    "dana_desa_min",
                    f"{rule.label}{basis}: belanja Dana Desa pada kegiatan {codes} {rupiah(spent)} = "
                    f"{_pct(spent, dd)} % dari Dana Desa {rupiah(dd)}; paling sedikit {rule.percent} % "
                    f"({rupiah(bound)}). Tambah {rupiah(bound - spent)}.",
                )
            )
    return out


def problems_for(
    snapshot: Snapshot,
    *,
    ceilings: dict[str, Decimal],
    transfer_sources: Iterable[str],
    rules: Sequence[RuleSpec],
    details: Sequence[LineDetail] = (),
    empty_activities: Sequence[str] = (),
    cap_percent: Decimal = defaults.PERSONNEL_CAP_PERCENT,
    cap_prefixes: tuple[str, ...] = defaults.PERSONNEL_CAP_PREFIXES,
) -> list[Problem]:
    """Every problem of a budget given as data (no database)."""
    totals = budget_totals(snapshot)
    financing_out_by_source: dict[str, Decimal] = {}
    for line in snapshot.of(FINANCING):
        if line.account_code.startswith("6.2") and line.source_code:
            financing_out_by_source[line.source_code] = (
                financing_out_by_source.get(line.source_code, ZERO) + line.amount
            )
    problems = [
        *_check_lines(snapshot, details),
        *_check_balance(totals),
        *_check_sources(totals, financing_out_by_source),
        *_check_personnel(totals, cap_percent, cap_prefixes),
        *_check_ceilings(totals, ceilings, transfer_sources),
        *_check_earmarks(snapshot, totals, rules),
    ]
    for name in empty_activities:
        problems.append(
            Problem(
                "kegiatan_tanpa_rincian",
                f"Kegiatan {name} belum memiliki rincian anggaran (RAB).",
                blocking=False,
            )
        )
    return problems


def apbdes_inputs(apbdes: Any, snapshot: Snapshot | None = None) -> dict[str, Any]:
    """The data :func:`problems_for` needs for one APBDes version (five or six queries)."""
    from kampung.finance.models import BudgetActivity, BudgetLine, Ceiling, EarmarkRule, FundSource

    ceilings = dict(
        Ceiling.objects.filter(village_id=apbdes.village_id, year=apbdes.year).values_list(
            "source_id", "amount"
        )
    )
    transfer = list(FundSource.objects.filter(is_transfer=True).values_list("code", flat=True))
    rules = [
        RuleSpec(r.label, r.kind, r.percent, tuple(r.prefixes()), r.basis)
        for r in EarmarkRule.objects.filter(year=apbdes.year)
    ]
    details = [
        LineDetail(desc, code, volume, price, amount)
        for desc, code, volume, price, amount in BudgetLine.objects.filter(
            activity__apbdes=apbdes
        ).values_list("description", "activity__activity_code__code", "volume", "unit_price", "amount")
    ]
    empty = [
        f"{code} {name}"
        for code, name in BudgetActivity.objects.filter(apbdes=apbdes, lines__isnull=True).values_list(
            "activity_code__code", "name"
        )
    ]
    return {
        "snapshot": snapshot if snapshot is not None else budget_snapshot(apbdes),
        "ceilings": ceilings,
        "transfer_sources": transfer,
        "rules": rules,
        "details": details,
        "empty_activities": empty,
    }


def apbdes_problems(apbdes: Any, snapshot: Snapshot | None = None) -> list[Problem]:
    """Every problem of one APBDes version, blocking ones first."""
    inputs = apbdes_inputs(apbdes, snapshot)
    problems = problems_for(inputs.pop("snapshot"), **inputs)
    return sorted(problems, key=lambda p: not p.blocking)


def blocking(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocking]
