"""The programmes area: one row per village, programme and year with cases (RTLH, BLT...).

The figures are exactly those of the assistance overview
(:func:`kampung.assistance.selectors.overview.programme_figures`): cases by stage, money
committed and paid, houses finished, cases stalled, decisions issued and how many of them
under delegation or mandate, decisions waiting at the regency. "Stalled" moves with the
calendar: it is computed as of the end of ``today`` (local time), and the daily job
recomputes it.

Queries: two to find the programme years present in the villages, one for the programmes,
then :func:`programme_figures` (two or three) per programme year — a number set by the
programme years in the data, never by the number of villages.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from kampung.assistance.models import Case, Decision, Programme
from kampung.assistance.selectors.overview import STAGES, Figures, programme_figures
from kampung.monitoring.models import ProgrammeFigure
from kampung.monitoring.services.settings import settings_for
from kampung.regions.models import Level, Region

TABLES: tuple[type[models.Model], ...] = (ProgrammeFigure,)


def villages() -> set[str]:
    """Villages with a case or a decision of any programme (one query)."""
    has_case = Exists(Case.objects.filter(village_id=OuterRef("code")))
    has_decision = Exists(Decision.objects.filter(village_id=OuterRef("code")))
    return set(
        Region.objects.filter(has_case | has_decision, level=Level.VILLAGE).values_list("code", flat=True)
    )


def end_of_day(today: dt.date) -> dt.datetime:
    """The last moment of ``today`` in the regency's local time."""
    return timezone.make_aware(dt.datetime.combine(today, dt.time.max), timezone.get_default_timezone())


def _programme_years(codes: list[str]) -> list[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for model in (Case, Decision):
        pairs.update(
            model.objects.filter(village_id__in=codes)
            .order_by()
            .values_list("programme_id", "year")
            .distinct()
        )
    return sorted(pairs)


def _row(village: str, programme: Programme, year: int, figures: Figures) -> ProgrammeFigure:
    order = {str(stage): i for i, stage in enumerate(STAGES)}
    counts = {
        str(status): n
        for status, n in sorted(figures.counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        if n
    }
    return ProgrammeFigure(
        village_id=village,
        district_code=village[:8],
        year=year,
        programme=programme.code,
        counts=counts,
        committed=figures.committed,
        paid=figures.paid,
        finished=figures.finished,
        stalled=figures.stalled,
        decisions_issued=figures.decisions_issued,
        decisions_delegated=figures.decisions_delegated,
        decisions_mandated=figures.decisions_mandated,
        decisions_routed=figures.decisions_routed,
    )


def compute(village_codes: list[str], today: dt.date) -> None:
    """Replace these villages' programme figures with those of their cases and decisions,
    "stalled" as of the end of ``today``. A village, programme and year whose figures are
    all zero (only draft decisions, say) gets no row."""
    codes = sorted(set(village_codes))
    if not codes:
        return
    now = end_of_day(today)
    pairs = _programme_years(codes)
    programmes = Programme.objects.in_bulk({programme_id for programme_id, _ in pairs})
    settings = settings_for({p.regency_id for p in programmes.values()})
    rows: list[ProgrammeFigure] = []
    empty = Figures()
    for programme_id, year in pairs:
        programme = programmes[programme_id]
        figures = programme_figures(
            village_codes=codes,
            programme=programme,
            year=year,
            now=now,
            stalled_days=settings[programme.regency_id].stalled_days,
        )
        rows.extend(
            _row(village, programme, year, figures[village]) for village in codes if figures[village] != empty
        )
    rows.sort(key=lambda r: (r.village_id, r.year, r.programme))
    ProgrammeFigure.objects.filter(village_id__in=codes).delete()
    ProgrammeFigure.objects.bulk_create(rows, batch_size=500)
