"""Village finance on the dashboards, from :class:`FinanceFigure` and :class:`FinanceYear`.

- Absorption: spending realised from January to the period's last month ÷ the year's
  spending budget (month 0); revenue likewise.
- Cash balance at the period's end: the sum of the monthly net movements of cash and bank up
  to that month (a month-0 row, when the roll-up keeps an opening balance there, counts too).
- APBDes against the regency's calendar: each desa's dates against
  :func:`kampung.finance.selectors.calendar.deadlines_for`, with ``deadline_state``; a desa
  with no APBDes at all counts as not done.
- Reporting rate and on-time rate (DHIS2): expected = desa with a budget year (a
  :class:`FinanceYear` row) whose report is past due or already submitted; rate = submitted ÷
  expected; on time = submitted on or before the due date ÷ expected.
- Dana Desa tranche readiness: each desa's next tranche per part, as the roll-up keeps it.

Kelurahan keep no village budget: only desa count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, Sum

from kampung.finance.models import FundSource
from kampung.finance.models.ref import CalendarEvent
from kampung.finance.selectors.calendar import (
    LEWAT,
    MENDATANG,
    SELESAI,
    TERLAMBAT,
    deadline_state,
    deadlines_for,
)
from kampung.monitoring.models import FinanceFigure, FinanceKind, FinanceYear
from kampung.monitoring.periods import Period
from kampung.monitoring.selectors.dash_common import ZERO, Area, ratio, rows_of

K = FinanceKind
STATES: tuple[str, ...] = (SELESAI, TERLAMBAT, LEWAT, MENDATANG)
STATE_NAMES = {
    SELESAI: "Tepat waktu",
    TERLAMBAT: "Terlambat",
    LEWAT: "Belum, lewat batas waktu",
    MENDATANG: "Belum jatuh tempo",
}
APBDES_EVENTS: tuple[tuple[str, str, str], ...] = (
    (CalendarEvent.APBDES_AGREED, "agreed_on", "Disepakati bersama BPD"),
    (CalendarEvent.APBDES_SUBMITTED, "submitted_on", "Dikirim ke camat untuk evaluasi"),
    (CalendarEvent.APBDES_ENACTED, "enacted_on", "Ditetapkan (Perdes APBDes)"),
)
REPORTS: tuple[tuple[str, str, str], ...] = (
    (CalendarEvent.SEMESTER_REPORT, "semester_on", "Laporan semester I"),
    (CalendarEvent.LPJ, "lpj_on", "LPJ realisasi APBDes"),
)
BIDANG_NAMES = {
    "01": "Penyelenggaraan pemerintahan desa",
    "02": "Pelaksanaan pembangunan desa",
    "03": "Pembinaan kemasyarakatan",
    "04": "Pemberdayaan masyarakat",
    "05": "Penanggulangan bencana, darurat dan mendesak",
}
PART_NAMES = {
    "reguler": "Non-earmark (desa reguler)",
    "mandiri": "Non-earmark (Desa Mandiri)",
    "earmark": "Earmark",
}
SPP_STATUS_NAMES = {
    "draf": "Draf",
    "diajukan": "Diajukan",
    "diverifikasi": "Diverifikasi",
    "disetujui": "Disetujui",
    "dibayar": "Dibayar",
    "dipertanggungjawabkan": "Dipertanggungjawabkan (SPJ)",
    "ditolak": "Ditolak",
    "dibatalkan": "Dibatalkan",
}


@dataclass
class Money:
    """Budget and realisation of one child (or of a source/bidang)."""

    revenue_budget: Decimal = ZERO
    revenue_ytd: Decimal = ZERO
    revenue_period: Decimal = ZERO
    spending_budget: Decimal = ZERO
    spending_ytd: Decimal = ZERO
    spending_period: Decimal = ZERO
    cash: Decimal = ZERO

    @property
    def absorption(self) -> float | None:
        return ratio(self.spending_ytd, self.spending_budget)

    @property
    def revenue_rate(self) -> float | None:
        return ratio(self.revenue_ytd, self.revenue_budget)

    def add(self, other: Money) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class StateCounts:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    def add(self, state: str) -> None:
        self.counts[state] += 1

    def get(self, state: str) -> int:
        return self.counts[state]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ReportRate:
    """One report kind over a group of desa (DHIS2's reporting rate and timeliness)."""

    budgets: int = 0  # desa with a budget year
    expected: int = 0  # of those, due date passed or already submitted
    submitted: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        return ratio(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.expected)


@dataclass
class ChildFinance:
    code: str
    name: str
    desa: int
    money: Money = field(default_factory=Money)
    apbdes: StateCounts = field(default_factory=StateCounts)  # enactment against the calendar
    reports: dict[str, ReportRate] = field(default_factory=dict)
    state: str = ""  # a village: its enactment state


@dataclass(frozen=True)
class Ready:
    code: str
    name: str
    district: str
    part: str
    tranche: int
    amount: Decimal
    ready: bool
    missing: str


@dataclass
class FinanceDashboard:
    period: Period
    today: dt.date
    due: dict[str, dt.date]
    desa: int
    children: list[ChildFinance]
    total: ChildFinance
    by_source: list[tuple[str, str, Money]]
    by_bidang: list[tuple[str, str, Money]]
    by_month: list[tuple[int, Decimal, Decimal]]  # month, revenue, spending
    spp: list[tuple[str, str, str, int, Decimal]]  # kind, status code, status name, count, amount
    events: list[tuple[str, str, dt.date, StateCounts]]  # event, label, due, counts
    reports: list[tuple[str, str, dt.date, ReportRate]]
    tranche_parts: list[tuple[str, str, int, int, int]]  # part, name, ready, waiting, done
    tranche_list: list[Ready]
    dd_budget: Decimal = ZERO
    dd_received: Decimal = ZERO
    dd_spent: Decimal = ZERO

    @property
    def has_budget(self) -> bool:
        return bool(self.total.money.spending_budget or self.total.money.revenue_budget)


def _money_sums(period: Period) -> dict[str, Any]:
    months = Q(month__gte=period.first_month, month__lte=period.last_month)
    ytd = Q(month__gte=1, month__lte=period.last_month)
    return {
        "budget": Sum("amount", filter=Q(month=0)),
        "ytd": Sum("amount", filter=ytd),
        "period": Sum("amount", filter=months),
        "to_end": Sum("amount", filter=Q(month__lte=period.last_month)),
        "n_period": Sum("count", filter=months),
    }


def _apply(money: Money, kind: str, row: dict[str, Any]) -> None:
    if kind == K.BUDGET_REVENUE:
        money.revenue_budget += row["budget"] or ZERO
    elif kind == K.BUDGET_SPENDING:
        money.spending_budget += row["budget"] or ZERO
    elif kind == K.REVENUE:
        money.revenue_ytd += row["ytd"] or ZERO
        money.revenue_period += row["period"] or ZERO
    elif kind == K.SPENDING:
        money.spending_ytd += row["ytd"] or ZERO
        money.spending_period += row["period"] or ZERO
    elif kind == K.CASH:
        money.cash += row["to_end"] or ZERO


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except (InvalidOperation, ValueError):
        return ZERO


def finance_dashboard(area: Area, period: Period, today: dt.date, *, detail: bool = True) -> FinanceDashboard:
    """The finance figures of ``area`` for ``period``: six queries whatever its size (three
    without ``detail``: no breakdowns by source, bidang, month and SPP, no tranches)."""
    year = period.year
    base = FinanceFigure.objects.filter(area.rows(), year=year)
    money_kinds = (K.BUDGET_REVENUE, K.BUDGET_SPENDING, K.REVENUE, K.SPENDING, K.CASH)
    children = {
        c.code: ChildFinance(c.code, c.name, c.desa)
        for c in (area.children or list(area.villages.values()))
        if c.desa
    }
    total = ChildFinance(area.region.code, str(area.region), len(area.desa_codes))
    sums = _money_sums(period)
    # 1. per child and kind
    for row in rows_of(
        base.filter(kind__in=money_kinds).values(area.key, "kind").annotate(**sums).order_by()
    ):
        child = children.get(row[area.key])
        if child is not None:
            _apply(child.money, row["kind"], row)
    for child in children.values():
        total.money.add(child.money)
    # 2. region-wide by kind, source, bidang and SPP status
    sources: dict[str, Money] = defaultdict(Money)
    bidang: dict[str, Money] = defaultdict(Money)
    spp: dict[tuple[str, str], list[Any]] = {}
    breakdown = base.values("kind", "source", "bidang", "status").annotate(**sums).order_by()
    for row in rows_of(breakdown if detail else []):
        kind = row["kind"]
        if kind == K.SPP:
            spp[(row["source"], row["status"])] = [row["n_period"] or 0, row["period"] or ZERO]
            continue
        if kind in (K.BUDGET_REVENUE, K.REVENUE, K.BUDGET_SPENDING, K.SPENDING):
            _apply(sources[row["source"] or ""], kind, row)
        if kind in (K.BUDGET_SPENDING, K.SPENDING):
            _apply(bidang[row["bidang"] or ""], kind, row)
    # 3. by month
    months: dict[int, list[Decimal]] = {m: [ZERO, ZERO] for m in range(1, 13)}
    by_month = (
        base.filter(kind__in=(K.REVENUE, K.SPENDING), month__gte=1, month__lte=12)
        .values("month", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for month_row in by_month if detail else []:
        months[month_row["month"]][0 if month_row["kind"] == K.REVENUE else 1] += month_row["total"] or ZERO
    # 4. names of the sources
    names = (
        dict(FundSource.objects.filter(code__in=list(sources)).values_list("code", "name")) if sources else {}
    )
    # 5. the calendar, 6. the budget years
    due = deadlines_for(regency_code=area.region.code[:5], year=year)
    years: dict[str, dict[str, Any]] = {
        row["village_id"]: row
        for row in rows_of(
            FinanceYear.objects.filter(area.rows(), year=year)
            .values(
                "village_id",
                "agreed_on",
                "submitted_on",
                "enacted_on",
                "semester_on",
                "lpj_on",
                "tranches",
                "dd_budget",
                "dd_received",
                "dd_spent",
            )
            .order_by("village_id")
        )
    }
    event_counts = {event: StateCounts() for event, _, _ in APBDES_EVENTS}
    report_rates = {event: ReportRate() for event, _, _ in REPORTS}
    for child in [*children.values(), total]:
        child.reports = {event: ReportRate() for event, _, _ in REPORTS}
    parts: dict[str, list[int]] = {}
    ready_list: list[Ready] = []
    dd = [ZERO, ZERO, ZERO]
    for code in area.desa_codes:
        village = area.villages[code]
        child = children.get(area.child_of(code))
        fy: dict[str, Any] = years.get(code, {})
        for event, field_name, _ in APBDES_EVENTS:
            state = deadline_state(due=due[str(event)], done_on=fy.get(field_name), today=today)
            event_counts[event].add(state)
            if event == CalendarEvent.APBDES_ENACTED:
                total.apbdes.add(state)
                if child is not None:
                    child.apbdes.add(state)
                    if child.code == code:
                        child.state = state
        if not fy:
            continue
        for event, field_name, _ in REPORTS:
            done_on = fy.get(field_name)
            due_on = due[str(event)]
            for rate in (report_rates[event], child.reports[event] if child else None):
                if rate is None:
                    continue
                rate.budgets += 1
                if done_on is not None or today > due_on:
                    rate.expected += 1
                if done_on is not None:
                    rate.submitted += 1
                    rate.on_time += int(done_on <= due_on)
        dd[0] += _decimal(fy.get("dd_budget"))
        dd[1] += _decimal(fy.get("dd_received"))
        dd[2] += _decimal(fy.get("dd_spent"))
        for entry in fy.get("tranches") or []:
            if not isinstance(entry, dict):
                continue
            part = str(entry.get("part", ""))
            counts = parts.setdefault(part, [0, 0, 0])
            if entry.get("done"):
                counts[2] += 1
                continue
            ready = bool(entry.get("ready"))
            counts[0 if ready else 1] += 1
            missing = entry.get("missing") or []
            ready_list.append(
                Ready(
                    code,
                    village.name,
                    code[:8],
                    part,
                    int(entry.get("tranche") or 0),
                    _decimal(entry.get("amount")),
                    ready,
                    "; ".join(str(m) for m in missing) if isinstance(missing, list) else str(missing),
                )
            )
    total.reports = report_rates
    ordered_parts = [p for p in PART_NAMES if p in parts] + sorted(p for p in parts if p not in PART_NAMES)
    return FinanceDashboard(
        period=period,
        today=today,
        due=due,
        desa=len(area.desa_codes),
        children=list(children.values()),
        total=total,
        by_source=[
            (code, names.get(code, code) if code else "Tanpa sumber dana", sources[code])
            for code in sorted(sources)
        ],
        by_bidang=[
            (code, BIDANG_NAMES.get(code, code) if code else "Tanpa bidang", bidang[code])
            for code in sorted(bidang)
        ],
        by_month=[(m, v[0], v[1]) for m, v in months.items()],
        spp=[
            (kind, status, SPP_STATUS_NAMES.get(status, status), values[0], values[1])
            for (kind, status), values in sorted(spp.items(), key=lambda item: _spp_order(item[0]))
            if values[0] or values[1]
        ],
        events=[
            (str(event), label, due[str(event)], event_counts[event]) for event, _, label in APBDES_EVENTS
        ],
        reports=[(str(event), label, due[str(event)], report_rates[event]) for event, _, label in REPORTS],
        tranche_parts=[
            (p, PART_NAMES.get(p, p), parts[p][0], parts[p][1], parts[p][2]) for p in ordered_parts
        ],
        tranche_list=sorted(ready_list, key=lambda r: (not r.ready, r.code, r.part)),
        dd_budget=dd[0],
        dd_received=dd[1],
        dd_spent=dd[2],
    )


def _spp_order(key: tuple[str, str]) -> tuple[str, int]:
    kind, status = key
    order = list(SPP_STATUS_NAMES)
    return kind, order.index(status) if status in order else len(order)
