"""Reads for field monitoring: the physical kegiatan of a region (from the ``ProjectFigure``
roll-up) with their problems as of a day, and one kegiatan's timeline.

The problems are computed at page time from the rows and ``today`` with the regency's
thresholds (:class:`kampung.monitoring.models.MonitoringSetting`, defaults when it has none):

*Expected progress* (``expected``): linear over the kegiatan's schedule, from the first day
of ``start_month`` (0 %) to the last day of ``end_month`` (100 %), counting ``today`` as a
day done; 0 before the start and 100 after the end.

*Without a visit* (``tanpa-kunjungan``): the kegiatan has started (today is on or after the
first day of ``start_month``) and either

- it has never been visited and more than ``visit_days`` days have passed since its start
  (a kegiatan that ended without a single visit stays on the list), or
- it is still running — today is no later than the last day of the month after
  ``end_month`` (the month for handover and the last checks) — and its last visit is more
  than ``visit_days`` days old.

So a kegiatan gets ``visit_days`` days of grace after it starts, and a kegiatan that was
visited and has ended is no longer chased.

*Behind schedule* (``tertinggal``): expected % − physical % > ``behind_points``.

*Spending ahead* (``belanja-mendahului``): spent ÷ budget × 100 − physical % >
``ahead_points`` (only when the budget is above zero).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from kampung.monitoring.models import FieldVisit, FieldVisitPhoto, MonitoringSetting, ProjectFigure
from kampung.regions.models import Level, Region

HUNDRED = Decimal(100)
ZERO = Decimal(0)
_CENT = Decimal("0.01")

NO_VISIT = "tanpa-kunjungan"
BEHIND = "tertinggal"
AHEAD = "belanja-mendahului"
ALL = "semua"
FILTERS: tuple[tuple[str, str], ...] = (
    (ALL, "Semua kegiatan"),
    (NO_VISIT, "Tanpa kunjungan"),
    (BEHIND, "Tertinggal jadwal"),
    (AHEAD, "Belanja mendahului fisik"),
)
FLAG_LABELS = {NO_VISIT: "Tanpa kunjungan", BEHIND: "Tertinggal jadwal", AHEAD: "Belanja mendahului fisik"}


def _month(value: int, default: int) -> int:
    return value if 1 <= value <= 12 else default


def schedule(year: int, start_month: int, end_month: int) -> tuple[dt.date, dt.date]:
    """First day of the start month and last day of the end month (months out of 1..12 or in
    the wrong order fall back to the whole year)."""
    start_m, end_m = _month(start_month, 1), _month(end_month, 12)
    if end_m < start_m:
        start_m, end_m = 1, 12
    start = dt.date(year, start_m, 1)
    end = dt.date(year, end_m, calendar.monthrange(year, end_m)[1])
    return start, end


def running_until(end: dt.date) -> dt.date:
    """The last day of the month after ``end``'s month: the kegiatan is still "running"
    (handover, last checks) until then."""
    year, month = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def expected_percent(year: int, start_month: int, end_month: int, today: dt.date) -> Decimal:
    start, end = schedule(year, start_month, end_month)
    if today < start:
        return ZERO
    if today >= end:
        return HUNDRED
    done = (today - start).days + 1
    total = (end - start).days + 1
    return (Decimal(done) * HUNDRED / Decimal(total)).quantize(_CENT, rounding=ROUND_HALF_UP)


def spent_percent(spent: Decimal, budget: Decimal) -> Decimal | None:
    if not budget or budget <= 0:
        return None
    return (Decimal(spent) * HUNDRED / Decimal(budget)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass
class ProjectRow:
    figure: ProjectFigure
    expected: Decimal
    spent_pct: Decimal | None
    flags: list[str] = field(default_factory=list)

    @property
    def village(self) -> Region:
        return self.figure.village

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[f] for f in self.flags]

    @property
    def gap(self) -> Decimal:
        """Expected − physical, in points (positive: behind)."""
        return self.expected - Decimal(self.figure.physical_percent)


def project_flags(
    *,
    year: int,
    start_month: int,
    end_month: int,
    budget: Decimal,
    spent: Decimal,
    physical: Decimal,
    last_visit_on: dt.date | None,
    setting: MonitoringSetting,
    today: dt.date,
) -> tuple[Decimal, Decimal | None, list[str]]:
    """(expected %, spent %, flags) of one kegiatan as of ``today`` (see the module docs)."""
    start, end = schedule(year, start_month, end_month)
    expected = expected_percent(year, start_month, end_month, today)
    spent_pct = spent_percent(spent, budget)
    physical = Decimal(physical)
    flags: list[str] = []
    if today >= start:
        limit = dt.timedelta(days=int(setting.visit_days))
        if last_visit_on is None:
            if today - start > limit:
                flags.append(NO_VISIT)
        elif today <= running_until(end) and today - last_visit_on > limit:
            flags.append(NO_VISIT)
    if expected - physical > Decimal(setting.behind_points):
        flags.append(BEHIND)
    if spent_pct is not None and spent_pct - physical > Decimal(setting.ahead_points):
        flags.append(AHEAD)
    return expected, spent_pct, flags


def figure_row(figure: ProjectFigure, setting: MonitoringSetting, today: dt.date) -> ProjectRow:
    expected, spent_pct, flags = project_flags(
        year=figure.year,
        start_month=figure.start_month,
        end_month=figure.end_month,
        budget=figure.budget,
        spent=figure.spent,
        physical=figure.physical_percent,
        last_visit_on=figure.last_visit_on,
        setting=setting,
        today=today,
    )
    return ProjectRow(figure, expected, spent_pct, flags)


def figures_under(region: Region, year: int) -> QuerySet[ProjectFigure]:
    """The ``ProjectFigure`` rows of ``year`` of the villages under (or being) ``region``."""
    qs = ProjectFigure.objects.filter(year=year)
    if region.level == Level.VILLAGE:
        qs = qs.filter(village_id=region.code)
    elif region.level == Level.DISTRICT:
        qs = qs.filter(district_code=region.code)
    else:
        qs = qs.filter(district_code__startswith=region.code + ".")
    return qs.select_related("village").order_by("village_id", "activity_code")


def project_rows(
    *, region: Region, year: int, today: dt.date, setting: MonitoringSetting
) -> list[ProjectRow]:
    """Every physical kegiatan of ``year`` under ``region`` with its problems (one query)."""
    return [figure_row(f, setting, today) for f in figures_under(region, year)]


@dataclass(frozen=True)
class ProjectCounts:
    total: int
    no_visit: int
    behind: int
    ahead: int


def project_counts(rows: list[ProjectRow]) -> ProjectCounts:
    return ProjectCounts(
        total=len(rows),
        no_visit=sum(1 for r in rows if NO_VISIT in r.flags),
        behind=sum(1 for r in rows if BEHIND in r.flags),
        ahead=sum(1 for r in rows if AHEAD in r.flags),
    )


def project_filter(rows: list[ProjectRow], *, show: str, q: str) -> list[ProjectRow]:
    """The rows with the problem ``show`` (``semua``: every row) whose kegiatan name, code,
    location or village name contains ``q`` (case-insensitive)."""
    if show in FLAG_LABELS:
        rows = [r for r in rows if show in r.flags]
    needle = q.strip().casefold()
    if needle:
        rows = [
            r
            for r in rows
            if needle in r.figure.name.casefold()
            or needle in r.figure.activity_code
            or needle in (r.figure.location or "").casefold()
            or needle in r.figure.village.name.casefold()
        ]
    return rows


# -- one kegiatan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """What the APBDes says of a kegiatan (used when the roll-up has no row for it yet)."""

    code: str
    name: str
    location: str
    start_month: int
    end_month: int
    budget: Decimal
    executor: str


def budget_activity(village_code: str, year: int, activity_code: str) -> Any | None:
    """The kegiatan ``activity_code`` in the APBDes in force for the village's ``year``
    (the latest enacted version), or None."""
    from kampung.finance.models import BudgetActivity
    from kampung.finance.selectors.ledger import budget_in_force

    apbdes = budget_in_force(village_code, year)
    if apbdes is None:
        return None
    return (
        BudgetActivity.objects.filter(apbdes=apbdes, activity_code__code=activity_code)
        .select_related("activity_code")
        .order_by("pk")
        .first()
    )


def activity_facts(village_code: str, year: int, activity_code: str) -> Activity | None:
    from django.db.models import Sum

    item = budget_activity(village_code, year, activity_code)
    if item is None:
        return None
    budget = item.lines.aggregate(total=Sum("amount"))["total"] or ZERO
    return Activity(
        code=activity_code,
        name=item.name,
        location=item.location,
        start_month=item.start_month,
        end_month=item.end_month,
        budget=budget,
        executor=item.executor_name or (item.executor.display_name if item.executor_id else ""),
    )


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "kunjungan" or "laporan"
    date: dt.date
    percent: Decimal
    notes: str
    findings: str = ""
    who: str = ""
    stage: int | None = None
    photo_url: str = ""
    visit: FieldVisit | None = None

    @property
    def is_visit(self) -> bool:
        return self.kind == "kunjungan"


def visits_of(village_code: str, year: int, activity_code: str) -> list[FieldVisit]:
    return list(
        FieldVisit.objects.filter(village_id=village_code, year=year, activity_code=activity_code)
        .select_related("officer")
        .prefetch_related(Prefetch("photos", queryset=FieldVisitPhoto.objects.order_by("pk")))
        .order_by("-visited_on", "-pk")
    )


def timeline(village_code: str, year: int, activity_code: str) -> list[TimelineEntry]:
    """The executor's progress reports (finance) and the district's visits, newest first
    (three queries: reports, visits, their photos)."""
    from django.urls import reverse

    from kampung.finance.models import ProgressReport

    entries: list[TimelineEntry] = []
    reports = (
        ProgressReport.objects.filter(
            book__village_id=village_code, book__year=year, activity_code=activity_code
        )
        .select_related("reported_by")
        .order_by("-date", "-pk")
    )
    for report in reports:
        entries.append(
            TimelineEntry(
                kind="laporan",
                date=report.date,
                percent=report.percent,
                notes=report.notes,
                who=report.reported_by.display_name if report.reported_by is not None else "",
                stage=report.stage,
                photo_url=reverse("finance:progress_photo", args=[village_code, year, report.pk])
                if report.photo
                else "",
            )
        )
    for visit in visits_of(village_code, year, activity_code):
        entries.append(
            TimelineEntry(
                kind="kunjungan",
                date=visit.visited_on,
                percent=visit.percent,
                notes=visit.notes,
                findings=visit.findings,
                who=visit.officer.display_name,
                visit=visit,
            )
        )
    # Newest first; on the same day the visit (the check) above the report it checked.
    entries.sort(key=lambda e: (e.date, e.is_visit), reverse=True)
    return entries


def project_figure(village_code: str, year: int, activity_code: str) -> ProjectFigure | None:
    return (
        ProjectFigure.objects.filter(village_id=village_code, year=year, activity_code=activity_code)
        .select_related("village")
        .first()
    )
