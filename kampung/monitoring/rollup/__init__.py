"""The roll-up areas: what each computes, from which villages, into which tables.

Each area module has ``compute(village_codes, today)``, which replaces the rows of exactly
those villages in its tables with figures computed from the source records, in a fixed
number of queries whatever the number of villages; ``villages()``, the villages that have
source data for it; and ``TABLES``. :func:`rollup_rebuild` empties every table and computes
every area for every village with data: the result must equal the tables kept by the marks
(a test checks it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.db import models, transaction
from django.utils import timezone

from kampung.monitoring.models import Area, RollupMark, RollupState


@dataclass(frozen=True)
class AreaSpec:
    compute: Callable[[list[str], dt.date], None]
    villages: Callable[[], set[str]]
    tables: tuple[type[models.Model], ...]


@cache
def area_specs() -> dict[str, AreaSpec]:
    from kampung.monitoring.rollup import finance, letters, population, programmes, projects

    return {
        Area.FINANCE: AreaSpec(finance.compute, finance.villages, finance.TABLES),
        Area.PROJECTS: AreaSpec(projects.compute, projects.villages, projects.TABLES),
        Area.LETTERS: AreaSpec(letters.compute, letters.villages, letters.TABLES),
        Area.PROGRAMMES: AreaSpec(programmes.compute, programmes.villages, programmes.TABLES),
        Area.POPULATION: AreaSpec(population.compute, population.villages, population.TABLES),
    }


def rollup_tables() -> list[type[models.Model]]:
    return [table for spec in area_specs().values() for table in spec.tables]


def rollup_rebuild(*, today: dt.date | None = None, areas: list[str] | None = None) -> dict[str, int]:
    """Throw the roll-ups away and compute them again from the source records. Marks waiting
    at the start are covered by the rebuild and deleted."""
    from kampung.monitoring.marks import rollup_apply

    today = today or timezone.localdate()
    chosen = areas or list(Area.values)
    last_mark = RollupMark.objects.order_by("-id").values_list("id", flat=True).first() or 0
    done: dict[str, int] = {}
    for area in chosen:
        spec = area_specs()[area]
        with transaction.atomic():
            for table in spec.tables:
                table._default_manager.all().delete()
            RollupState.objects.filter(area=area).delete()
        done[area] = rollup_apply(area, sorted(spec.villages()), today=today)
    RollupMark.objects.filter(id__lte=last_mark, area__in=chosen).delete()
    return done


def rollup_refresh(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job's part: recompute every village with data for the areas whose figures
    move with the calendar alone (ages, stalled cases, tranche windows, open advances)."""
    from kampung.monitoring.marks import rollup_apply

    today = today or timezone.localdate()
    done: dict[str, int] = {}
    for area in (Area.FINANCE, Area.PROJECTS, Area.PROGRAMMES, Area.POPULATION):
        done[area] = rollup_apply(area, sorted(area_specs()[area].villages()), today=today)
    return done
