"""The population area: living residents by sex and age band, headline counts, life events.

- :class:`PopulationFigure`: living residents (``basic_status`` Hidup) of the village by sex
  and five-year band (:data:`AGE_BANDS`), ages in whole years on ``today``. The band is
  worked out by the database from birth-date cut-offs (someone is at least ``a`` years old
  when born on or before ``today`` less ``a`` years), so residents are never loaded:
  the regency has 1.7 million of them.
- :class:`PopulationVillage`: living residents and families — a Kartu Keluarga with at
  least one living member, counted as the population statistics count them
  (:func:`kampung.population.statistics.family_summary`) — on ``today``.
- :class:`PopulationEvent`: life events by the year and month they happened and their kind.

Three grouped queries read the source, whatever the number of villages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import models
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear

from kampung.monitoring.models import AGE_BANDS, PopulationEvent, PopulationFigure, PopulationVillage
from kampung.population.models import BasicStatus, LifeEvent, Resident
from kampung.regions.models import Level, Region

TABLES: tuple[type[models.Model], ...] = (PopulationFigure, PopulationVillage, PopulationEvent)


def villages() -> set[str]:
    """Villages with a living resident or a recorded life event (one query, an index probe
    per region)."""
    living = Exists(Resident.objects.filter(village_id=OuterRef("code"), basic_status=BasicStatus.LIVING))
    events = Exists(LifeEvent.objects.filter(village_id=OuterRef("code")))
    return set(
        Region.objects.filter(Q(living) | Q(events), level=Level.VILLAGE).values_list("code", flat=True)
    )


def years_before(day: dt.date, years: int) -> dt.date:
    """``day`` less ``years`` years; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def band_expression(today: dt.date) -> Case:
    """The :data:`AGE_BANDS` label of a resident's age on ``today``: younger than ``upper + 1``
    years means born after ``today`` less ``upper + 1`` years."""
    *younger, (last_label, _, _) = AGE_BANDS
    whens = [
        When(birth_date__gt=years_before(today, upper + 1), then=Value(label))
        for label, _lower, upper in younger
    ]
    return Case(*whens, default=Value(last_label), output_field=CharField())


def compute(village_codes: list[str], today: dt.date) -> None:
    """Replace these villages' population roll-ups with figures from the register on
    ``today`` (three reads, three deletes, then the inserts)."""
    codes = sorted(set(village_codes))
    if not codes:
        return
    living = Resident.objects.filter(village_id__in=codes, basic_status=BasicStatus.LIVING)
    bands = (
        living.annotate(band=band_expression(today))
        .values("village_id", "sex", "band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    order = {label: i for i, (label, _, _) in enumerate(AGE_BANDS)}
    figure_rows: list[PopulationFigure] = []
    residents: dict[str, int] = defaultdict(int)
    for row in bands:
        if not row["n"]:
            continue
        residents[row["village_id"]] += row["n"]
        figure_rows.append(
            PopulationFigure(
                village_id=row["village_id"],
                district_code=row["village_id"][:8],
                sex=row["sex"],
                age_band=row["band"],
                residents=row["n"],
            )
        )
    figure_rows.sort(key=lambda r: (r.village_id, r.sex, order[r.age_band]))

    families = dict(
        living.values("village_id")
        .annotate(n=Count("family_id", distinct=True))
        .order_by()
        .values_list("village_id", "n")
    )
    village_rows = [
        PopulationVillage(
            village_id=code,
            district_code=code[:8],
            residents=residents.get(code, 0),
            families=families.get(code, 0),
            as_of=today,
        )
        for code in codes
        if residents.get(code, 0) or families.get(code, 0)
    ]

    events = (
        LifeEvent.objects.filter(village_id__in=codes)
        .annotate(y=ExtractYear("event_date"), m=ExtractMonth("event_date"))
        .values("village_id", "y", "m", "kind")
        .annotate(n=Count("pk"))
        .order_by("village_id", "y", "m", "kind")
    )
    event_rows = [
        PopulationEvent(
            village_id=row["village_id"],
            district_code=row["village_id"][:8],
            year=row["y"],
            month=row["m"],
            kind=row["kind"],
            count=row["n"],
        )
        for row in events
        if row["n"]
    ]

    for table in TABLES:
        table._default_manager.filter(village_id__in=codes).delete()
    PopulationFigure.objects.bulk_create(figure_rows, batch_size=500)
    PopulationVillage.objects.bulk_create(village_rows, batch_size=500)
    PopulationEvent.objects.bulk_create(event_rows, batch_size=500)
