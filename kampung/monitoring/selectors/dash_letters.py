"""Letter service on the dashboards, from :class:`LetterMonth` (flows of the period, with the
time-to-issue histogram) and :class:`LetterOpen` (what is open now; overdue counted against
today). Medians and 90th percentiles are buckets of the merged histograms: exact for any
group of villages, because every village uses the same buckets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum

from kampung.letters.models import LetterType
from kampung.monitoring import histogram
from kampung.monitoring.models import HISTOGRAM_BUCKETS, HISTOGRAM_FIELDS, LetterMonth, LetterOpen
from kampung.monitoring.periods import Period
from kampung.monitoring.selectors.dash_common import Area, rows_of

# Open requests still waiting on the village (an issued letter waiting for pick-up is not late).
OVERDUE_STATUSES: tuple[str, ...] = ("diajukan", "diverifikasi", "ditandatangani")


@dataclass
class LetterFigures:
    code: str
    name: str
    submitted: int = 0
    issued: int = 0
    rejected: int = 0
    cancelled: int = 0
    counts: list[int] = field(default_factory=lambda: [0] * HISTOGRAM_BUCKETS)
    open: int = 0
    overdue: int = 0

    def add_month(self, row: dict[str, Any]) -> None:
        self.submitted += row["submitted"] or 0
        self.issued += row["issued"] or 0
        self.rejected += row["rejected"] or 0
        self.cancelled += row["cancelled"] or 0
        self.counts = histogram.merge([self.counts, histogram.counts_of(row)])

    def add(self, other: LetterFigures) -> None:
        self.submitted += other.submitted
        self.issued += other.issued
        self.rejected += other.rejected
        self.cancelled += other.cancelled
        self.counts = histogram.merge([self.counts, other.counts])
        self.open += other.open
        self.overdue += other.overdue

    @property
    def median(self) -> int | None:
        return histogram.percentile_bucket(self.counts, 0.5)

    @property
    def p90(self) -> int | None:
        return histogram.percentile_bucket(self.counts, 0.9)

    @property
    def median_label(self) -> str:
        return "" if self.median is None else histogram.bucket_label(self.median)

    @property
    def p90_label(self) -> str:
        return "" if self.p90 is None else histogram.bucket_label(self.p90)


@dataclass
class LettersDashboard:
    period: Period
    today: dt.date
    children: list[LetterFigures]
    by_type: list[LetterFigures]
    by_month: list[tuple[int, int, int]]  # month, submitted, issued
    total: LetterFigures

    @property
    def buckets(self) -> list[tuple[str, int]]:
        return [(histogram.bucket_label(i), n) for i, n in enumerate(self.total.counts)]


def _sums() -> dict[str, Any]:
    fields = ("submitted", "issued", "rejected", "cancelled", *HISTOGRAM_FIELDS)
    return {name: Sum(name) for name in fields}


def _open_sums(today: dt.date) -> dict[str, Any]:
    return {
        "n_open": Sum("count"),
        "n_overdue": Sum("count", filter=Q(due_on__lt=today, status__in=OVERDUE_STATUSES)),
    }


def letters_dashboard(area: Area, period: Period, today: dt.date, *, detail: bool = True) -> LettersDashboard:
    """Six queries whatever the number of villages (two without ``detail``: no breakdowns by
    letter type and month)."""
    months = LetterMonth.objects.filter(
        area.rows(), year=period.year, month__gte=period.first_month, month__lte=period.last_month
    )
    open_rows = LetterOpen.objects.filter(area.rows())
    children = {
        c.code: LetterFigures(c.code, c.name) for c in (area.children or list(area.villages.values()))
    }
    for row in months.values(area.key).annotate(**_sums()).order_by():
        child = children.get(row[area.key])
        if child is not None:
            child.add_month(row)
    for row in open_rows.values(area.key).annotate(**_open_sums(today)).order_by():
        child = children.get(row[area.key])
        if child is not None:
            child.open += row["n_open"] or 0
            child.overdue += row["n_overdue"] or 0
    types: dict[str, LetterFigures] = {}
    by_month = {m: [0, 0] for m in period.months}
    total = LetterFigures(area.region.code, str(area.region))
    for child in children.values():
        total.add(child)
    if not detail:
        return LettersDashboard(period, today, list(children.values()), [], [], total)
    for row in rows_of(months.values("letter_type").annotate(**_sums()).order_by()):
        types.setdefault(row["letter_type"], LetterFigures(row["letter_type"], "")).add_month(row)
    for row in rows_of(open_rows.values("letter_type").annotate(**_open_sums(today)).order_by()):
        figures = types.setdefault(row["letter_type"], LetterFigures(row["letter_type"], ""))
        figures.open += row["n_open"] or 0
        figures.overdue += row["n_overdue"] or 0
    names = dict(LetterType.objects.filter(slug__in=list(types)).values_list("slug", "name"))
    for slug, figures in types.items():
        figures.name = names.get(slug, slug)
    for row in (
        months.values("month").annotate(n_submitted=Sum("submitted"), n_issued=Sum("issued")).order_by()
    ):
        if row["month"] in by_month:
            by_month[row["month"]] = [row["n_submitted"] or 0, row["n_issued"] or 0]
    return LettersDashboard(
        period=period,
        today=today,
        children=list(children.values()),
        by_type=sorted(types.values(), key=lambda f: (-f.issued, f.name)),
        by_month=[(m, v[0], v[1]) for m, v in by_month.items()],
        total=total,
    )
