"""The physical-kegiatan roll-up: for each construction kegiatan of a desa's budget year, its
budget, the money spent on it, its physical progress and when it was last seen.

- Physical kegiatan: those of the APBDes version in force (the latest enacted or elaborated
  revision) whose code starts with one of the regency's
  :attr:`~kampung.monitoring.models.MonitoringSetting.physical_prefixes` (default ``02.``,
  Pelaksanaan Pembangunan Desa), plus any kegiatan a district officer has visited in the year
  (a visit is only made to physical works; one whose kegiatan left the budget in a revision
  keeps its timeline). Kegiatan sharing a code in one version are one row.
- Budget: the sum of the kegiatan's RAB lines in the version in force; spent: the spending
  journal lines (5.x, debit − credit, corrections included) on its code in the year, as
  :func:`kampung.finance.selectors.realisation.activity_realisation` counts them.
- Physical progress: the newest of the executor's latest progress report (by date, stage, id,
  as :func:`~kampung.finance.selectors.realisation.latest_progress` picks it) and the
  district's latest field visit; on the same date the visit wins.

:func:`compute` runs one delete, seven grouped reads and the batched insert for any number
of villages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Sum

from kampung.finance.models import Apbdes, BudgetActivity, BudgetLine, JournalLine, ProgressReport
from kampung.finance.selectors.ledger import IN_FORCE
from kampung.monitoring.models import FieldVisit, MonitoringSetting, ProjectFigure

TABLES: tuple[type[models.Model], ...] = (ProjectFigure,)

ZERO = Decimal("0")
# Rows per INSERT (SQLite lowers it to fit its 999 parameters per statement).
BATCH = 2000
DEFAULT_PREFIXES = ("02.",)


def parse_prefixes(text: str) -> tuple[str, ...]:
    """The kegiatan code prefixes of a comma-separated setting (blanks dropped)."""
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


def is_physical(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(p) for p in prefixes)


def villages() -> set[str]:
    """Villages with an APBDes in force (any year) or a field visit."""
    with_budget = Apbdes.objects.filter(status__in=IN_FORCE).values_list("village_id", flat=True).distinct()
    visited = FieldVisit.objects.values_list("village_id", flat=True).distinct()
    return {str(code) for code in with_budget} | {str(code) for code in visited}


@dataclass
class _Project:
    name: str = ""
    location: str = ""
    start_month: int = 1
    end_month: int = 12
    budget: Decimal = ZERO
    spent: Decimal = ZERO
    report: tuple[dt.date, Decimal] | None = None
    visit: tuple[dt.date, Decimal] | None = None
    visits: int = 0


_Key = tuple[str, int, str]  # village, year, kegiatan code


def compute(village_codes: list[str], today: dt.date) -> None:
    """Replace the physical-kegiatan rows of these villages with figures from the budget,
    the books, the progress reports and the field visits."""
    codes = sorted(set(village_codes))
    ProjectFigure.objects.filter(village_id__in=codes).delete()
    if not codes:
        return

    # 1. The version in force of each village's year.
    in_force: dict[tuple[str, int], int] = {}
    for pk, village_id, year in (
        Apbdes.objects.filter(village_id__in=codes, status__in=IN_FORCE)
        .order_by("village_id", "year", "revision")
        .values_list("id", "village_id", "year")
    ):
        in_force[(village_id, year)] = pk  # the latest enacted revision wins
    by_apbdes = {pk: key for key, pk in in_force.items()}
    apbdes_ids = sorted(by_apbdes)

    # 2. The regencies' physical prefixes.
    regencies = sorted({code[:5] for code in codes})
    prefixes: dict[str, tuple[str, ...]] = {
        regency: parse_prefixes(text)
        for regency, text in MonitoringSetting.objects.filter(regency_id__in=regencies).values_list(
            "regency_id", "physical_prefixes"
        )
    }

    # 3. The kegiatan of those versions; the physical ones become projects.
    projects: dict[_Key, _Project] = {}
    activity_key: dict[int, _Key] = {}
    for pk, apbdes_id, code, name, location, start, end in (
        BudgetActivity.objects.filter(apbdes_id__in=apbdes_ids)
        .order_by("apbdes_id", "activity_code__code", "id")
        .values_list("id", "apbdes_id", "activity_code__code", "name", "location", "start_month", "end_month")
    ):
        village_id, year = by_apbdes[apbdes_id]
        if not is_physical(code, prefixes.get(village_id[:5], DEFAULT_PREFIXES)):
            continue
        key = (village_id, year, code)
        activity_key[pk] = key
        project = projects.get(key)
        if project is None:
            projects[key] = _Project(name=name, location=location, start_month=start, end_month=end)
            continue
        project.location = project.location or location
        project.start_month = min(project.start_month, start)
        project.end_month = max(project.end_month, end)

    # 4. Their budget (every RAB line of the versions in force, grouped by kegiatan).
    for activity_id, total in (
        BudgetLine.objects.filter(activity__apbdes_id__in=apbdes_ids)
        .values("activity_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("activity_id", "total")
    ):
        budgeted = activity_key.get(activity_id)
        if budgeted is not None:
            projects[budgeted].budget += total or ZERO

    # 5. Field visits, newest first: the count, the latest, and kegiatan visited outside the
    #    version in force.
    for village_id, year, code, name, on, percent in (
        FieldVisit.objects.filter(village_id__in=codes)
        .order_by("village_id", "year", "activity_code", "-visited_on", "-pk")
        .values_list("village_id", "year", "activity_code", "activity_name", "visited_on", "percent")
    ):
        key = (village_id, year, code)
        project = projects.get(key)
        if project is None:
            project = projects[key] = _Project(name=name)
        project.visits += 1
        if project.visit is None:
            project.visit = (on, percent)

    # 6. Spending on each kegiatan code in the year.
    for village_id, year, code, debit, credit in (
        JournalLine.objects.filter(book__village_id__in=codes, account_code__gte="5", account_code__lt="6")
        .values("book__village_id", "book__year", "activity_code")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
        .values_list("book__village_id", "book__year", "activity_code", "d", "c")
    ):
        project = projects.get((village_id, year, code))
        if project is not None:
            project.spent += (debit or ZERO) - (credit or ZERO)

    # 7. The executor's latest progress report of each kegiatan code.
    for village_id, year, code, on, percent in (
        ProgressReport.objects.filter(book__village_id__in=codes)
        .order_by("book__village_id", "book__year", "activity_code", "-date", "-stage", "-pk")
        .values_list("book__village_id", "book__year", "activity_code", "date", "percent")
    ):
        project = projects.get((village_id, year, code))
        if project is not None and project.report is None:
            project.report = (on, percent)

    rows = []
    for (village_id, year, code), p in sorted(projects.items()):
        if not p.budget and not p.spent and not p.visits and p.report is None:
            continue
        newest = p.visit
        if p.report is not None and (newest is None or p.report[0] > newest[0]):
            newest = p.report
        rows.append(
            ProjectFigure(
                village_id=village_id,
                district_code=village_id[:8],
                year=year,
                activity_code=code,
                name=p.name,
                location=p.location,
                start_month=p.start_month,
                end_month=p.end_month,
                budget=p.budget,
                spent=p.spent,
                physical_percent=newest[1] if newest else ZERO,
                progress_on=newest[0] if newest else None,
                last_report_on=p.report[0] if p.report else None,
                last_visit_on=p.visit[0] if p.visit else None,
                visits=p.visits,
            )
        )
    ProjectFigure.objects.bulk_create(rows, batch_size=BATCH)
