"""Realisation of the APBDes read from the journal: the LRA (Laporan Realisasi Pelaksanaan
APBDes, Permendagri 20/2018 Pasal 68–70) for semester I or the year, per source of funds;
the activity realisation with realised output; SiLPA per source; and the realisation summary
of a district or the regency.

Budget = the APBDes version in force (:func:`kampung.finance.selectors.ledger.budget_in_force`),
read with :func:`kampung.finance.budget.budget_snapshot`. Realised = the journal lines on budget
accounts up to the month (revenue and 6.1: credit − debit; spending and 6.2: debit − credit),
reversals included, aggregated in the database: one grouped query per report, never a query
per line or per village.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from kampung.finance.budget import FINANCING, REVENUE, SPENDING, Snapshot, budget_snapshot
from kampung.finance.models import (
    BANK,
    CASH,
    ActivityCode,
    Apbdes,
    Book,
    BudgetActivity,
    BudgetLine,
    CalendarEvent,
    FundSource,
    JournalLine,
    ProgressReport,
    ReportKind,
    ReportSubmission,
    RevenueLine,
)
from kampung.finance.selectors.ledger import IN_FORCE, budget_in_force
from kampung.regions.models import Kind, Level, Region

ZERO = Decimal("0")
DANA_DESA = "DDS"
SILPA_ACCOUNT = "6.1.1.01"
DESA_KINDS = (Kind.DESA, Kind.DESA_ADAT)

# Row kinds (templates style them; the Excel builder bolds headings and totals).
HEAD, GROUP, ITEM, DETAIL, TOTAL = "head", "group", "item", "detail", "total"


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to two decimals (None when there is no whole)."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    """An amount as a string with two decimals, the same on every database."""
    return f"{Decimal(value):.2f}"


def bracketed(value: Decimal) -> str:
    """An amount as printed in the LRA: negatives in brackets ("(1.500.000)")."""
    from kampung.core.formatting import number_id

    return f"({number_id(-value)})" if value < 0 else number_id(value)


def percent_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


class _Figures:
    budget: Decimal
    realised: Decimal

    @property
    def remaining(self) -> Decimal:
        """What is left of the budget (budget − realised)."""
        return self.budget - self.realised

    @property
    def difference(self) -> Decimal:
        """The LRA's Lebih/(Kurang) column: realised − budget."""
        return self.realised - self.budget

    @property
    def percent(self) -> Decimal | None:
        return percent(self.realised, self.budget)

    @property
    def difference_text(self) -> str:
        return bracketed(self.difference)

    @property
    def percent_text(self) -> str:
        return percent_text(self.percent)


@dataclass(frozen=True)
class Amount(_Figures):
    budget: Decimal
    realised: Decimal


@dataclass(frozen=True)
class LraRow(_Figures):
    kind: str
    code: str
    name: str
    budget: Decimal
    realised: Decimal
    depth: int = 0
    key: str = ""


@dataclass
class Lra:
    village: Region
    year: int
    through_month: int
    source: str | None
    apbdes: Apbdes | None
    book: Book | None
    rows: list[LraRow]
    revenue: Amount
    spending: Amount
    financing_in: Amount
    financing_out: Amount
    spending_by_jenis: list[LraRow] = field(default_factory=list)
    revenue_by_source: dict[str, Amount] = field(default_factory=dict)
    spending_by_source: dict[str, Amount] = field(default_factory=dict)

    @property
    def surplus(self) -> Amount:
        return Amount(
            self.revenue.budget - self.spending.budget, self.revenue.realised - self.spending.realised
        )

    @property
    def net_financing(self) -> Amount:
        return Amount(
            self.financing_in.budget - self.financing_out.budget,
            self.financing_in.realised - self.financing_out.realised,
        )

    @property
    def silpa(self) -> Amount:
        """Sisa lebih/(kurang) pembiayaan anggaran: surplus plus net financing."""
        s, n = self.surplus, self.net_financing
        return Amount(s.budget + n.budget, s.realised + n.realised)

    @property
    def semester(self) -> bool:
        return self.through_month == 6

    @property
    def closed_through(self) -> int:
        return self.book.closed_through if self.book is not None else 0

    @property
    def closed_label(self) -> str:
        from kampung.finance.ledger import month_name

        return month_name(self.closed_through) if self.closed_through else ""

    @property
    def period_label(self) -> str:
        if self.through_month == 6:
            return f"Semester I Tahun Anggaran {self.year}"
        if self.through_month == 12:
            return f"Tahun Anggaran {self.year}"
        from kampung.finance.ledger import month_name

        return f"sampai dengan bulan {month_name(self.through_month)} {self.year}"

    @property
    def source_label(self) -> str:
        if not self.source:
            return ""
        name = FundSource.objects.filter(code=self.source).values_list("name", flat=True).first()
        return f"{self.source} — {name}" if name else self.source

    def totals_snapshot(self) -> dict[str, Any]:
        """The totals as JSON-friendly strings (kept with a report submission)."""

        def pair(a: Amount) -> dict[str, str]:
            return {"anggaran": money_text(a.budget), "realisasi": money_text(a.realised)}

        return {
            "sampai_bulan": self.through_month,
            "apbdes": self.apbdes.pk if self.apbdes else None,
            "pendapatan": pair(self.revenue),
            "belanja": pair(self.spending),
            "surplus": pair(self.surplus),
            "penerimaan_pembiayaan": pair(self.financing_in),
            "pengeluaran_pembiayaan": pair(self.financing_out),
            "pembiayaan_netto": pair(self.net_financing),
            "silpa": pair(self.silpa),
            "pendapatan_per_sumber": {k: pair(v) for k, v in self.revenue_by_source.items()},
            "belanja_per_sumber": {k: pair(v) for k, v in self.spending_by_source.items()},
        }


# -- shared reads ------------------------------------------------------------------------------


def _book(village_code: str, year: int) -> Book | None:
    return Book.objects.filter(village_id=village_code, year=year).first()


def realised_rows(
    book: Book | None, *, through_month: int = 12, source: str | None = None
) -> list[dict[str, Any]]:
    """The signed realisation of every budget account of ``book`` up to ``through_month``,
    grouped by account, kegiatan and source: one query. Signed so that a positive figure is
    money received (4, 6.1) or spent (5, 6.2)."""
    if book is None:
        return []
    qs = JournalLine.objects.filter(book=book, month__lte=through_month).filter(
        Q(account_code__startswith="4") | Q(account_code__startswith="5") | Q(account_code__startswith="6")
    )
    if source:
        qs = qs.filter(source_code=source)
    out = []
    for row in (
        qs.values("account_code", "activity_code", "source_code")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    ):
        d, c = row["d"] or ZERO, row["c"] or ZERO
        code = row["account_code"]
        credit_normal = code.startswith("4") or code.startswith("6.1")
        item: dict[str, Any] = dict(row)
        item["amount"] = c - d if credit_normal else d - c
        out.append(item)
    return out


def _names(
    village: Region, accounts: set[str], activities: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    from kampung.finance.outputs.documents import _account_names, _activity_names

    return _account_names(village, accounts), _activity_names(village, activities)


def _level(code: str, level: int) -> str:
    return ".".join(code.split(".")[:level])


def _filtered(snapshot: Snapshot, source: str | None) -> Snapshot:
    if not source:
        return snapshot
    return Snapshot([line for line in snapshot.lines if line.source_code == source])


def _add(target: dict[str, Decimal], key: str, amount: Decimal) -> None:
    target[key] = target.get(key, ZERO) + amount


# -- LRA ---------------------------------------------------------------------------------------


def lra(village_code: str, year: int, *, through_month: int = 12, source: str | None = None) -> Lra:
    """The realisation report of one village for ``year`` up to ``through_month`` (6 = semester
    I), of every source or of one (``source="DDS"``: the Dana Desa LRA)."""
    through_month = min(max(int(through_month), 1), 12)
    source = source or None
    village = Region.objects.get(code=village_code)
    apbdes = budget_in_force(village_code, year)
    book = _book(village_code, year)
    snapshot = _filtered(budget_snapshot(apbdes), source) if apbdes is not None else Snapshot()
    realised = realised_rows(book, through_month=through_month, source=source)

    # Budget and realised per key.
    rev_b: dict[str, Decimal] = {}
    rev_r: dict[str, Decimal] = {}
    spend_b: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)  # (kegiatan, account)
    spend_r: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    fin_b: dict[str, Decimal] = {}
    fin_r: dict[str, Decimal] = {}
    rev_src_b: dict[str, Decimal] = {}
    rev_src_r: dict[str, Decimal] = {}
    sp_src_b: dict[str, Decimal] = {}
    sp_src_r: dict[str, Decimal] = {}
    for line in snapshot.lines:
        if line.section == REVENUE:
            _add(rev_b, line.account_code, line.amount)
            _add(rev_src_b, line.source_code, line.amount)
        elif line.section == SPENDING:
            spend_b[(line.activity_code, line.account_code)] += line.amount
            _add(sp_src_b, line.source_code, line.amount)
        elif line.section == FINANCING:
            _add(fin_b, line.account_code, line.amount)
    for row in realised:
        code, amount = row["account_code"], row["amount"]
        if code.startswith("4"):
            _add(rev_r, code, amount)
            _add(rev_src_r, row["source_code"], amount)
        elif code.startswith("5"):
            spend_r[(row["activity_code"], code)] += amount
            _add(sp_src_r, row["source_code"], amount)
        else:
            _add(fin_r, code, amount)

    account_codes = set(rev_b) | set(rev_r) | set(fin_b) | set(fin_r)
    account_codes |= {a for _, a in spend_b} | {a for _, a in spend_r}
    activity_codes = {k for k, _ in spend_b} | {k for k, _ in spend_r}
    names, activity_names = _names(village, account_codes, {c for c in activity_codes if c})

    rows: list[LraRow] = []

    def total(amounts: dict[str, Decimal], prefix: str) -> Decimal:
        return sum((v for k, v in amounts.items() if k == prefix or k.startswith(prefix + ".")), ZERO)

    # Revenue: akun → kelompok → jenis → obyek.
    revenue = Amount(total(rev_b, "4"), total(rev_r, "4"))
    rows.append(LraRow(HEAD, "4", names.get("4", "Pendapatan").upper(), revenue.budget, revenue.realised))
    codes = sorted(set(rev_b) | set(rev_r))
    rows += _tree(codes, rev_b, rev_r, names, start=2)
    rows.append(LraRow(TOTAL, "", "JUMLAH PENDAPATAN", revenue.budget, revenue.realised, key="revenue"))

    # Spending: akun → bidang → sub-bidang → kegiatan → jenis belanja (5.x) → obyek.
    sb_keg: dict[str, Decimal] = defaultdict(lambda: ZERO)
    sr_keg: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (keg, _), v in spend_b.items():
        sb_keg[keg] += v
    for (keg, _), v in spend_r.items():
        sr_keg[keg] += v
    spending = Amount(sum(sb_keg.values(), ZERO), sum(sr_keg.values(), ZERO))
    rows.append(LraRow(HEAD, "5", names.get("5", "Belanja").upper(), spending.budget, spending.realised))
    kegiatan = sorted(activity_codes)
    seen_bidang: set[str] = set()
    seen_sub: set[str] = set()
    for keg in kegiatan:
        bidang, sub = keg[:2], keg[:5]
        if keg and bidang not in seen_bidang:
            seen_bidang.add(bidang)
            b = sum((v for k, v in sb_keg.items() if k[:2] == bidang and k), ZERO)
            r = sum((v for k, v in sr_keg.items() if k[:2] == bidang and k), ZERO)
            rows.append(LraRow(GROUP, bidang, _bidang(activity_names.get(bidang, "")), b, r, depth=1))
        if keg and sub not in seen_sub and len(keg) > 5:
            seen_sub.add(sub)
            b = sum((v for k, v in sb_keg.items() if k[:5] == sub and k), ZERO)
            r = sum((v for k, v in sr_keg.items() if k[:5] == sub and k), ZERO)
            rows.append(LraRow(ITEM, sub, _sub(activity_names.get(sub, "")), b, r, depth=2))
        name = activity_names.get(keg, "") if keg else "Belanja tanpa kode kegiatan"
        rows.append(LraRow(ITEM, keg, name or keg, sb_keg[keg], sr_keg[keg], depth=3, key="kegiatan"))
        own_b = {a: v for (k, a), v in spend_b.items() if k == keg}
        own_r = {a: v for (k, a), v in spend_r.items() if k == keg}
        for jenis in sorted({_level(a, 2) for a in set(own_b) | set(own_r)}):
            rows.append(
                LraRow(
                    DETAIL,
                    jenis,
                    names.get(jenis, jenis),
                    total(own_b, jenis),
                    total(own_r, jenis),
                    depth=4,
                )
            )
    rows.append(LraRow(TOTAL, "", "JUMLAH BELANJA", spending.budget, spending.realised, key="spending"))
    surplus_b = revenue.budget - spending.budget
    surplus_r = revenue.realised - spending.realised
    rows.append(LraRow(TOTAL, "", "SURPLUS/(DEFISIT)", surplus_b, surplus_r, key="surplus"))

    # Spending by jenis belanja (5.1 pegawai, 5.2 barang/jasa, 5.3 modal, 5.4 tak terduga).
    by_acc_b: dict[str, Decimal] = {}
    by_acc_r: dict[str, Decimal] = {}
    for (_, a), v in spend_b.items():
        _add(by_acc_b, a, v)
    for (_, a), v in spend_r.items():
        _add(by_acc_r, a, v)
    jenis_rows = _tree(sorted(set(by_acc_b) | set(by_acc_r)), by_acc_b, by_acc_r, names, start=2, stop=3)

    # Financing: 6 → 6.1 / 6.2 → obyek.
    fin_in = Amount(total(fin_b, "6.1"), total(fin_r, "6.1"))
    fin_out = Amount(total(fin_b, "6.2"), total(fin_r, "6.2"))
    # The financing head shows no amount: receipts and outlays have opposite signs.
    rows.append(LraRow(HEAD, "6", names.get("6", "Pembiayaan").upper(), ZERO, ZERO, key="blank"))
    for group, label, amount, key in (
        ("6.1", "JUMLAH PENERIMAAN PEMBIAYAAN", fin_in, "financing_in"),
        ("6.2", "JUMLAH PENGELUARAN PEMBIAYAAN", fin_out, "financing_out"),
    ):
        rows.append(LraRow(GROUP, group, names.get(group, group), amount.budget, amount.realised, depth=1))
        codes = sorted(c for c in set(fin_b) | set(fin_r) if c.startswith(group + "."))
        rows += _tree(codes, fin_b, fin_r, names, start=3)
        rows.append(LraRow(TOTAL, "", label, amount.budget, amount.realised, key=key))
    net_b, net_r = fin_in.budget - fin_out.budget, fin_in.realised - fin_out.realised
    rows.append(LraRow(TOTAL, "", "PEMBIAYAAN NETTO", net_b, net_r, key="net_financing"))
    rows.append(
        LraRow(
            TOTAL,
            "",
            "SISA LEBIH/(KURANG) PEMBIAYAAN ANGGARAN (SiLPA/SiKPA)",
            surplus_b + net_b,
            surplus_r + net_r,
            key="silpa",
        )
    )
    return Lra(
        village=village,
        year=year,
        through_month=through_month,
        source=source,
        apbdes=apbdes,
        book=book,
        rows=rows,
        revenue=revenue,
        spending=spending,
        financing_in=fin_in,
        financing_out=fin_out,
        spending_by_jenis=jenis_rows,
        revenue_by_source={
            s: Amount(rev_src_b.get(s, ZERO), rev_src_r.get(s, ZERO))
            for s in sorted(set(rev_src_b) | set(rev_src_r))
        },
        spending_by_source={
            s: Amount(sp_src_b.get(s, ZERO), sp_src_r.get(s, ZERO))
            for s in sorted(set(sp_src_b) | set(sp_src_r))
        },
    )


def _bidang(name: str) -> str:
    return name if name.lower().startswith("bidang") else f"Bidang {name}".strip()


def _sub(name: str) -> str:
    return name if name.lower().startswith("sub") else f"Sub Bidang {name}".strip()


def _tree(
    codes: list[str],
    budget: dict[str, Decimal],
    realised: dict[str, Decimal],
    names: dict[str, str],
    *,
    start: int,
    stop: int = 4,
) -> list[LraRow]:
    """Rows from level ``start`` to ``stop`` for level-4 ``codes`` (each parent once, before
    its children), with sums of the level-4 amounts under each."""
    kinds = {2: GROUP, 3: ITEM, 4: DETAIL}
    rows: list[LraRow] = []
    seen: set[str] = set()
    for code in codes:
        for level in range(start, stop + 1):
            part = _level(code, level)
            if part in seen or part.count(".") + 1 != level:
                continue
            seen.add(part)
            b = sum((v for k, v in budget.items() if k == part or k.startswith(part + ".")), ZERO)
            r = sum((v for k, v in realised.items() if k == part or k.startswith(part + ".")), ZERO)
            rows.append(LraRow(kinds[level], part, names.get(part, part), b, r, depth=level - 1))
    return rows


# -- SiLPA -------------------------------------------------------------------------------------


def silpa_by_source(village_code: str, year: int) -> dict[str, Decimal]:
    """Per source: realised receipts (4 + 6.1) − realised spending (5 + 6.2) of the year.
    Lines without a source are keyed ``""``. Sources that net to zero are left out."""
    book = _book(village_code, year)
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in realised_rows(book):
        code = row["account_code"]
        sign = 1 if (code.startswith("4") or code.startswith("6.1")) else -1
        out[row["source_code"] or ""] += sign * row["amount"]
    return {k: v for k, v in sorted(out.items()) if v}


# -- activity realisation -------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityRow:
    activity: BudgetActivity | None
    code: str
    name: str
    budget: Decimal
    realised: Decimal
    output_volume: Decimal
    output_unit: str
    output_realised: Decimal | None
    progress: Decimal | None
    stage: int | None
    last_report: dt.date | None
    executor: str

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.realised

    @property
    def percent(self) -> Decimal | None:
        return percent(self.realised, self.budget)

    @property
    def output_percent(self) -> Decimal | None:
        if self.output_realised is None:
            return None
        return percent(self.output_realised, self.output_volume)


@dataclass
class ActivityRealisation:
    village: Region
    year: int
    apbdes: Apbdes | None
    rows: list[ActivityRow]
    budget: Decimal
    realised: Decimal

    @property
    def percent(self) -> Decimal | None:
        return percent(self.realised, self.budget)


def latest_progress(book: Book | None) -> dict[str, ProgressReport]:
    """The latest progress report of each kegiatan code of the book (one query)."""
    if book is None:
        return {}
    out: dict[str, ProgressReport] = {}
    for report in ProgressReport.objects.filter(book=book).order_by(
        "activity_code", "-date", "-stage", "-pk"
    ):
        out.setdefault(report.activity_code, report)
    return out


def activity_realisation(village_code: str, year: int) -> ActivityRealisation:
    """Per kegiatan (by code): budget, realised, %, output target, realised output and
    progress (latest progress report), executor."""
    village = Region.objects.get(code=village_code)
    apbdes = budget_in_force(village_code, year)
    book = _book(village_code, year)
    budget: dict[str, Decimal] = {}
    if apbdes is not None:
        for row in (
            BudgetLine.objects.filter(activity__apbdes=apbdes)
            .values("activity__activity_code__code")
            .annotate(total=Sum("amount"))
            .order_by()
        ):
            budget[row["activity__activity_code__code"]] = row["total"] or ZERO
    realised: dict[str, Decimal] = defaultdict(lambda: ZERO)
    if book is not None:
        for jrow in (
            JournalLine.objects.filter(book=book, account_code__startswith="5")
            .values("activity_code")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .order_by()
        ):
            realised[jrow["activity_code"]] += (jrow["d"] or ZERO) - (jrow["c"] or ZERO)
    activities = (
        list(
            BudgetActivity.objects.filter(apbdes=apbdes)
            .select_related("activity_code", "executor")
            .order_by("activity_code__code", "pk")
        )
        if apbdes is not None
        else []
    )
    progress = latest_progress(book)
    rows: list[ActivityRow] = []
    seen: set[str] = set()
    for a in activities:
        code = a.activity_code.code
        seen.add(code)
        report = progress.get(code)
        executor = a.executor_name or (a.executor.get_full_name() if a.executor else "")
        rows.append(
            ActivityRow(
                a,
                code,
                a.name,
                budget.get(code, ZERO),
                realised.get(code, ZERO),
                a.output_volume,
                a.output_unit,
                report.volume if report else None,
                report.percent if report else None,
                report.stage if report else None,
                report.date if report else None,
                executor,
            )
        )
    extra = sorted(c for c in realised if c not in seen and realised[c])
    if extra:
        names = dict(ActivityCode.objects.filter(code__in=extra).values_list("code", "name"))
        for code in extra:
            report = progress.get(code)
            rows.append(
                ActivityRow(
                    None,
                    code,
                    names.get(code, "") or ("Belanja tanpa kode kegiatan" if not code else code),
                    ZERO,
                    realised[code],
                    ZERO,
                    "",
                    report.volume if report else None,
                    report.percent if report else None,
                    report.stage if report else None,
                    report.date if report else None,
                    "",
                )
            )
    return ActivityRealisation(
        village=village,
        year=year,
        apbdes=apbdes,
        rows=rows,
        budget=sum((r.budget for r in rows), ZERO),
        realised=sum((r.realised for r in rows), ZERO),
    )


# -- submissions and the hub panel -------------------------------------------------------------


SUBMISSION_EVENTS = {ReportKind.SEMESTER: CalendarEvent.SEMESTER_REPORT, ReportKind.LPJ: CalendarEvent.LPJ}


@dataclass(frozen=True)
class SubmissionState:
    kind: str
    label: str
    due: dt.date | None
    submitted_on: dt.date | None
    number: str
    state: str  # see kampung.finance.selectors.calendar.STATE_LABELS

    @property
    def state_label(self) -> str:
        from kampung.finance.selectors.calendar import STATE_LABELS

        return STATE_LABELS.get(self.state, self.state)

    @property
    def is_problem(self) -> bool:
        from kampung.finance.selectors.calendar import LEWAT, TERLAMBAT

        return self.state in (TERLAMBAT, LEWAT)


def submission_states(village_code: str, year: int, *, today: dt.date) -> list[SubmissionState]:
    """The semester I report and the LPJ of ``year``: due date from the regency's calendar,
    when sent, and whether on time."""
    from kampung.finance.selectors.calendar import deadline_state, deadlines_for

    due_dates = deadlines_for(regency_code=village_code[:5], year=year)
    sent = {
        s.kind: s for s in ReportSubmission.objects.filter(book__village_id=village_code, book__year=year)
    }
    out = []
    for kind in (ReportKind.SEMESTER, ReportKind.LPJ):
        due = due_dates.get(str(SUBMISSION_EVENTS[kind]))
        s = sent.get(str(kind))
        done = s.submitted_on if s else None
        out.append(
            SubmissionState(
                str(kind),
                str(kind.label),
                due,
                done,
                s.number if s else "",
                deadline_state(due=due, done_on=done, today=today) if due else "",
            )
        )
    return out


@dataclass
class Panel:
    village_code: str
    year: int
    revenue: Amount
    spending: Amount
    dana_desa: Amount
    closed_through: int
    submissions: list[SubmissionState]
    has_budget: bool

    @property
    def closed_label(self) -> str:
        from kampung.finance.ledger import month_name

        return month_name(self.closed_through) if self.closed_through else ""


def hub_panel(village_code: str, year: int, *, today: dt.date) -> Panel:
    """Realisation at a glance for the execution hub."""
    report = lra(village_code, year)
    dd_b = report.revenue_by_source.get(DANA_DESA, Amount(ZERO, ZERO))
    return Panel(
        village_code,
        year,
        report.revenue,
        report.spending,
        dd_b,
        report.book.closed_through if report.book else 0,
        submission_states(village_code, year, today=today),
        report.apbdes is not None,
    )


# -- district / regency summary -----------------------------------------------------------------


@dataclass
class RegencyRow:
    code: str
    name: str
    district_code: str
    has_budget: bool = False
    dd_budget: Decimal = ZERO
    revenue: Amount = field(default_factory=lambda: Amount(ZERO, ZERO))
    spending: Amount = field(default_factory=lambda: Amount(ZERO, ZERO))
    dd_received: Decimal = ZERO
    dd_spent: Decimal = ZERO
    cash_bank: Decimal = ZERO
    closed_through: int = 0
    semester_on: dt.date | None = None
    lpj_on: dt.date | None = None
    semester_state: str = ""
    lpj_state: str = ""

    @property
    def closed_label(self) -> str:
        from kampung.finance.ledger import month_name

        return month_name(self.closed_through) if self.closed_through else "—"


@dataclass
class RegencyGroup:
    code: str
    name: str
    villages: int = 0
    revenue_budget: Decimal = ZERO
    revenue_realised: Decimal = ZERO
    spending_budget: Decimal = ZERO
    spending_realised: Decimal = ZERO
    dd_received: Decimal = ZERO
    dd_spent: Decimal = ZERO
    cash_bank: Decimal = ZERO
    semester_sent: int = 0
    lpj_sent: int = 0

    def add(self, row: RegencyRow) -> None:
        self.villages += 1
        self.revenue_budget += row.revenue.budget
        self.revenue_realised += row.revenue.realised
        self.spending_budget += row.spending.budget
        self.spending_realised += row.spending.realised
        self.dd_received += row.dd_received
        self.dd_spent += row.dd_spent
        self.cash_bank += row.cash_bank
        self.semester_sent += int(row.semester_on is not None)
        self.lpj_sent += int(row.lpj_on is not None)

    @property
    def revenue_percent(self) -> Decimal | None:
        return percent(self.revenue_realised, self.revenue_budget)

    @property
    def spending_percent(self) -> Decimal | None:
        return percent(self.spending_realised, self.spending_budget)


@dataclass
class RegencyRealisation:
    root: Region
    year: int
    villages: list[RegencyRow]
    groups: list[RegencyGroup]
    total: RegencyGroup
    semester_due: dt.date | None
    lpj_due: dt.date | None

    @property
    def by_district(self) -> bool:
        return self.root.level == Level.REGENCY


MONEY = DecimalField(max_digits=20, decimal_places=2)


def signed_sum_between(low: str, high: str, *, credit_normal: bool) -> Sum:
    """The signed sum of the lines whose account code lies in [low, high) (an index range)."""
    expr = F("credit") - F("debit") if credit_normal else F("debit") - F("credit")
    return Sum(
        Case(
            When(account_code__gte=low, account_code__lt=high, then=expr),
            default=Value(ZERO),
            output_field=MONEY,
        )
    )


def regency_realisation(region_code: str, year: int, *, today: dt.date | None = None) -> RegencyRealisation:
    """Per desa of a district or of the regency: revenue and spending budget vs realised,
    Dana Desa received and spent, cash + bank, last closed month and the two submissions.
    A fixed handful of grouped queries whatever the number of villages."""
    from django.utils import timezone

    from kampung.finance.selectors.calendar import deadline_state, deadlines_for

    today = today or timezone.localdate()
    root = Region.objects.get(code=region_code)
    prefix = root.code + "."
    rows = {
        code: RegencyRow(code, name, parent or code[:8])
        for code, name, parent in Region.objects.filter(
            level=Level.VILLAGE, kind__in=DESA_KINDS, code__startswith=prefix
        )
        .order_by("code")
        .values_list("code", "name", "parent_id")
    }
    # Budget in force: the latest enacted/elaborated version of each village.
    in_force: dict[str, int] = {}
    for village_id, pk in (
        Apbdes.objects.filter(year=year, village__code__startswith=prefix, status__in=IN_FORCE)
        .order_by("village_id", "revision")
        .values_list("village_id", "id")
    ):
        in_force[village_id] = pk
    by_apbdes = {pk: code for code, pk in in_force.items()}
    revenue_budget: dict[int, tuple[Decimal, Decimal]] = {}
    for r in (
        RevenueLine.objects.filter(apbdes_id__in=list(by_apbdes))
        .values("apbdes_id")
        .annotate(
            total=Sum("amount"),
            dd=Coalesce(
                Sum(
                    Case(When(source_id=DANA_DESA, then=F("amount")), default=Value(ZERO), output_field=MONEY)
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
        )
        .order_by()
    ):
        revenue_budget[r["apbdes_id"]] = (r["total"] or ZERO, r["dd"] or ZERO)
    spending_budget = dict(
        BudgetLine.objects.filter(activity__apbdes_id__in=list(by_apbdes))
        .values("activity__apbdes_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("activity__apbdes_id", "total")
    )
    books = {
        pk: (village_id, closed)
        for pk, village_id, closed in Book.objects.filter(
            year=year, village__code__startswith=prefix
        ).values_list("id", "village_id", "closed_through")
    }
    # One pass over the books' lines on revenue, spending, cash and bank (index ranges on
    # account_code), grouped by book and source: Dana Desa is the DDS group.
    realised: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    if books:
        for sums in (
            JournalLine.objects.filter(book_id__in=list(books))
            .filter(Q(account_code__gte="4", account_code__lt="6") | Q(account_code__in=[CASH, BANK]))
            .values("book_id", "source_code")
            .annotate(
                rev=signed_sum_between("4", "5", credit_normal=True),
                spend=signed_sum_between("5", "6", credit_normal=False),
                cash_bank=signed_sum_between("1", "2", credit_normal=False),
            )
            .order_by()
        ):
            into = realised[sums["book_id"]]
            rev, spend = sums["rev"] or ZERO, sums["spend"] or ZERO
            into["rev"] += rev
            into["spend"] += spend
            into["cash_bank"] += sums["cash_bank"] or ZERO
            if sums["source_code"] == DANA_DESA:
                into["dd_in"] += rev
                into["dd_out"] += spend
    submissions: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for book_id, kind, on in ReportSubmission.objects.filter(book_id__in=list(books)).values_list(
        "book_id", "kind", "submitted_on"
    ):
        submissions[book_id][kind] = on
    due = deadlines_for(regency_code=root.code[:5], year=year)
    semester_due = due.get(str(CalendarEvent.SEMESTER_REPORT))
    lpj_due = due.get(str(CalendarEvent.LPJ))

    for code, pk in in_force.items():
        row = rows.get(code)
        if row is None:
            continue
        row.has_budget = True
        rev, dd = revenue_budget.get(pk, (ZERO, ZERO))
        row.revenue = Amount(rev, ZERO)
        row.spending = Amount(spending_budget.get(pk) or ZERO, ZERO)
        row.dd_budget = dd
    for book_id, (village_id, closed) in books.items():
        row = rows.get(village_id)
        if row is None:
            continue
        row.closed_through = closed
        got = realised.get(book_id)
        if got is not None:
            row.revenue = Amount(row.revenue.budget, got["rev"])
            row.spending = Amount(row.spending.budget, got["spend"])
            row.dd_received = got["dd_in"]
            row.dd_spent = got["dd_out"]
            row.cash_bank = got["cash_bank"]
        sent = submissions.get(book_id, {})
        row.semester_on = sent.get(ReportKind.SEMESTER)
        row.lpj_on = sent.get(ReportKind.LPJ)
    for row in rows.values():
        if semester_due:
            row.semester_state = deadline_state(due=semester_due, done_on=row.semester_on, today=today)
        if lpj_due:
            row.lpj_state = deadline_state(due=lpj_due, done_on=row.lpj_on, today=today)

    village_rows = list(rows.values())
    groups: list[RegencyGroup] = []
    if root.level == Level.REGENCY:
        names = dict(
            Region.objects.filter(level=Level.DISTRICT, code__startswith=prefix).values_list("code", "name")
        )
        by_code: dict[str, RegencyGroup] = {}
        for row in village_rows:
            group = by_code.get(row.district_code)
            if group is None:
                group = by_code[row.district_code] = RegencyGroup(
                    row.district_code, names.get(row.district_code, "")
                )
            group.add(row)
        groups = sorted(by_code.values(), key=lambda g: g.code)
    total = RegencyGroup(root.code, root.name)
    for row in village_rows:
        total.add(row)
    return RegencyRealisation(root, year, village_rows, groups, total, semester_due, lpj_due)
