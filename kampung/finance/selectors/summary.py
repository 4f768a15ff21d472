"""The budget summary of a district or of the regency: per village (or per district) the
APBDes status, revenue, Dana Desa, spending, spending by bidang and evaluation timeliness.

Built in a fixed handful of queries whatever the number of villages (regions, versions,
revenue grouped by version and source, spending grouped by version and bidang, holidays,
the calendar): never one query per village. The regency's 189 desa take well under 200 ms.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.db.models.functions import Substr

from kampung.finance import defaults
from kampung.finance.budget import ZERO
from kampung.finance.models import (
    Apbdes,
    ApbdesStatus,
    BudgetLine,
    CalendarDeadline,
    CalendarEvent,
    RevenueLine,
)
from kampung.regions.calendar import holidays_between
from kampung.regions.models import Kind, Level, Region

DANA_DESA = "DDS"
NONE = "none"
S = ApbdesStatus
# The order the statuses are counted and charted in.
STATUS_ORDER = (NONE, S.DRAFT, S.AGREED, S.SUBMITTED, S.RETURNED, S.APPROVED, S.ENACTED, S.ELABORATED)
STATUS_LABELS = {
    NONE: "Belum ada draf",
    S.DRAFT: "Draf",
    S.AGREED: "Disepakati BPD",
    S.SUBMITTED: "Dievaluasi",
    S.RETURNED: "Dikembalikan",
    S.APPROVED: "Disetujui camat",
    S.ENACTED: "Ditetapkan",
    S.ELABORATED: "Dijabarkan",
}
FINAL = (S.ENACTED, S.ELABORATED)
BIDANG = ("01", "02", "03", "04", "05")
BIDANG_SHORT = {
    "01": "Pemerintahan",
    "02": "Pembangunan",
    "03": "Kemasyarakatan",
    "04": "Pemberdayaan",
    "05": "Bencana/darurat",
}
DESA_KINDS = (Kind.DESA, Kind.DESA_ADAT)


@dataclass
class Figures:
    revenue: Decimal = ZERO
    dana_desa: Decimal = ZERO
    spending: Decimal = ZERO
    bidang: dict[str, Decimal] = field(default_factory=dict)

    def add(self, other: Figures) -> None:
        self.revenue += other.revenue
        self.dana_desa += other.dana_desa
        self.spending += other.spending
        for code, amount in other.bidang.items():
            self.bidang[code] = self.bidang.get(code, ZERO) + amount

    def shares(self) -> list[tuple[str, str, Decimal, float]]:
        """(code, name, amount, percent of spending) per bidang."""
        return [
            (
                code,
                BIDANG_SHORT[code],
                self.bidang.get(code, ZERO),
                float(self.bidang.get(code, ZERO) * 100 / self.spending) if self.spending else 0.0,
            )
            for code in BIDANG
        ]


@dataclass
class VillageRow:
    code: str
    name: str
    district_code: str
    status: str = NONE
    apbdes_id: int | None = None
    revised: bool = False
    revision_status: str = ""
    evaluation_due: dt.date | None = None
    days_left: int | None = None  # working days left of the camat's 20 (SUBMITTED only)
    evaluation_late: bool | None = None  # answered after the due date, or deemed approved
    enacted_late: bool | None = None
    figures: Figures = field(default_factory=Figures)

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS[self.status]
        if self.status == S.SUBMITTED and self.days_left is not None:
            label += f" ({self.days_left} hari kerja lagi)" if self.days_left >= 0 else " (lewat waktu)"
        return label

    @property
    def revision_label(self) -> str:
        return (
            f"Perubahan: {STATUS_LABELS.get(self.revision_status, self.revision_status)}"
            if self.revised
            else ""
        )


@dataclass
class GroupRow:
    code: str
    name: str
    villages: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    revised: int = 0
    evaluation_late: int = 0
    enacted_late: int = 0
    figures: Figures = field(default_factory=Figures)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        return [(STATUS_LABELS[s], self.counts.get(s, 0)) for s in STATUS_ORDER]


@dataclass
class Summary:
    root: Region
    year: int
    today: dt.date
    villages: list[VillageRow]
    groups: list[GroupRow]  # per district (regency view); empty in a district view
    total: GroupRow
    enact_due: dt.date | None

    @property
    def by_district(self) -> bool:
        return self.root.level == Level.REGENCY


def _enact_due(regency_code: str, year: int) -> dt.date | None:
    """The Perdes APBDes deadline: helper A's calendar selector when present, else the
    regency's calendar row, else the national default (31 December of N-1)."""
    try:
        module = importlib.import_module("kampung.finance.selectors.calendar")
    except ImportError:
        module = None
    finder = getattr(module, "deadlines_for", None)
    if finder is not None:
        due = dict(finder(regency_code=regency_code, year=year)).get(str(CalendarEvent.APBDES_ENACTED))
        return due if isinstance(due, dt.date) else None
    row = (
        CalendarDeadline.objects.filter(
            regency_id=regency_code, year=year, event=CalendarEvent.APBDES_ENACTED
        )
        .values_list("due_date", flat=True)
        .first()
    )
    if row:
        return row
    return defaults.default_calendar(year).get(CalendarEvent.APBDES_ENACTED)


def _working_days(start: dt.date, end: dt.date, off: set[dt.date]) -> int:
    """Working days from ``start`` to ``end`` (negative when ``end`` is past)."""
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    days = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            days += 1
    return sign * days


def budget_summary(*, root: Region, year: int, today: dt.date) -> Summary:
    prefix = root.code + "."
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, kind__in=DESA_KINDS, code__startswith=prefix)
        .order_by("code")
        .values_list("code", "name", "parent_id")
    )
    rows = {code: VillageRow(code, name, parent or code[:8]) for code, name, parent in villages}
    versions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in (
        Apbdes.objects.filter(year=year, village__code__startswith=prefix)
        .order_by("village_id", "revision")
        .values(
            "id",
            "village_id",
            "revision",
            "status",
            "evaluation_due",
            "evaluated_on",
            "deemed_approved",
            "perdes_date",
        )
    ):
        versions[v["village_id"]].append(dict(v))
    revenue: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for r in (
        RevenueLine.objects.filter(apbdes__year=year, apbdes__village__code__startswith=prefix)
        .values("apbdes_id", "source_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        revenue[r["apbdes_id"]][r["source_id"]] = r["total"] or ZERO
    spending: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for b in (
        BudgetLine.objects.filter(
            activity__apbdes__year=year, activity__apbdes__village__code__startswith=prefix
        )
        .annotate(bidang=Substr("activity__activity_code__code", 1, 2))
        .values("activity__apbdes_id", "bidang")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        spending[b["activity__apbdes_id"]][b["bidang"]] = b["total"] or ZERO
    regency_code = root.code[:5]
    off = holidays_between(regency_code, today - dt.timedelta(days=10), today + dt.timedelta(days=90))
    enact_due = _enact_due(regency_code, year)
    for code, own in versions.items():
        row = rows.get(code)
        if row is None:
            continue
        base, latest = own[0], own[-1]
        row.status = base["status"]
        row.revised = len(own) > 1
        row.revision_status = latest["status"] if row.revised else ""
        finals = [v for v in own if v["status"] in FINAL]
        shown = finals[-1] if finals else latest
        row.apbdes_id = shown["id"]
        row.evaluation_due = base["evaluation_due"]
        if base["status"] == S.SUBMITTED and base["evaluation_due"]:
            row.days_left = _working_days(today, base["evaluation_due"], off)
        if base["deemed_approved"]:
            row.evaluation_late = True
        elif base["evaluated_on"] and base["evaluation_due"]:
            row.evaluation_late = base["evaluated_on"] > base["evaluation_due"]
        if base["perdes_date"] and enact_due:
            row.enacted_late = base["perdes_date"] > enact_due
        sources = revenue.get(shown["id"], {})
        bidang = spending.get(shown["id"], {})
        row.figures = Figures(
            revenue=sum(sources.values(), ZERO),
            dana_desa=sources.get(DANA_DESA, ZERO),
            spending=sum(bidang.values(), ZERO),
            bidang=dict(bidang),
        )
    village_rows = list(rows.values())
    groups: list[GroupRow] = []
    if root.level == Level.REGENCY:
        names = dict(
            Region.objects.filter(level=Level.DISTRICT, code__startswith=prefix).values_list("code", "name")
        )
        by_code: dict[str, GroupRow] = {}
        for row in village_rows:
            group = by_code.get(row.district_code)
            if group is None:
                group = by_code[row.district_code] = GroupRow(
                    row.district_code, names.get(row.district_code, "")
                )
            _count(group, row)
        groups = sorted(by_code.values(), key=lambda g: g.code)
    total = GroupRow(root.code, root.name)
    for row in village_rows:
        _count(total, row)
    return Summary(root, year, today, village_rows, groups, total, enact_due)


def _count(group: GroupRow, row: VillageRow) -> None:
    group.villages += 1
    group.counts[row.status] += 1
    group.revised += int(row.revised)
    group.evaluation_late += int(bool(row.evaluation_late))
    group.enacted_late += int(bool(row.enacted_late))
    group.figures.add(row.figures)


# -- charts: server-rendered SVG bars with their numbers ------------------------------------

CHART_WIDTH = 560
ROW_HEIGHT = 22
LABEL_WIDTH = 170


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float
    text_y: float
    width: float
    value_x: float


def bar_chart(items: list[tuple[str, float, str]]) -> dict[str, Any]:
    """Horizontal bars: (label, value, text shown beside the bar)."""
    room = CHART_WIDTH - LABEL_WIDTH - 110
    peak = max([value for _, value, _ in items] + [1])
    bars = []
    for i, (label, value, text) in enumerate(items):
        y = 6 + i * ROW_HEIGHT
        width = round(room * value / peak, 1) if value > 0 else 0.0
        bars.append(Bar(label, text, y, y + ROW_HEIGHT * 0.68, width, LABEL_WIDTH + width + 6))
    return {
        "width": CHART_WIDTH,
        "height": 12 + len(bars) * ROW_HEIGHT,
        "label_x": LABEL_WIDTH - 6,
        "bar_x": LABEL_WIDTH,
        "bar_height": ROW_HEIGHT - 6,
        "bars": bars,
    }
