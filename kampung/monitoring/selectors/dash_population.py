"""Population on the dashboards: residents and families (:class:`PopulationVillage`), sex and
age bands (:class:`PopulationFigure`), and life events per month (:class:`PopulationEvent`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Sum

from kampung.monitoring.models import AGE_BANDS, PopulationEvent, PopulationFigure, PopulationVillage
from kampung.monitoring.periods import Period
from kampung.monitoring.selectors.dash_common import Area

MALE, FEMALE = 1, 2
EVENT_KINDS: tuple[tuple[str, str], ...] = (
    ("lahir", "Kelahiran"),
    ("mati", "Kematian"),
    ("datang", "Pindah datang"),
    ("pindah", "Pindah keluar"),
)


@dataclass
class PopulationFigures:
    code: str
    name: str
    residents: int = 0
    families: int = 0
    male: int = 0
    female: int = 0
    events: dict[str, int] = field(default_factory=lambda: {k: 0 for k, _ in EVENT_KINDS})

    @property
    def sex_ratio(self) -> float | None:
        """Men per 100 women."""
        return self.male * 100 / self.female if self.female else None

    def add(self, other: PopulationFigures) -> None:
        self.residents += other.residents
        self.families += other.families
        self.male += other.male
        self.female += other.female
        for kind, n in other.events.items():
            self.events[kind] = self.events.get(kind, 0) + n


@dataclass
class PopulationDashboard:
    period: Period
    children: list[PopulationFigures]
    total: PopulationFigures
    pyramid: list[tuple[str, int, int]]  # band, male, female
    by_month: list[tuple[int, dict[str, int]]]  # the whole year


def population_dashboard(area: Area, period: Period, *, detail: bool = True) -> PopulationDashboard:
    """Five queries whatever the number of villages (one without ``detail``: residents and
    families only)."""
    children = {
        c.code: PopulationFigures(c.code, c.name) for c in (area.children or list(area.villages.values()))
    }
    for row in (
        PopulationVillage.objects.filter(area.rows())
        .values(area.key)
        .annotate(n_residents=Sum("residents"), n_families=Sum("families"))
        .order_by()
    ):
        child = children.get(row[area.key])
        if child is not None:
            child.residents += row["n_residents"] or 0
            child.families += row["n_families"] or 0
    total = PopulationFigures(area.region.code, str(area.region))
    if not detail:
        for child in children.values():
            total.add(child)
        return PopulationDashboard(period, list(children.values()), total, [], [])
    figures = PopulationFigure.objects.filter(area.rows())
    for row in figures.values(area.key, "sex").annotate(n=Sum("residents")).order_by():
        child = children.get(row[area.key])
        if child is not None:
            if row["sex"] == MALE:
                child.male += row["n"] or 0
            elif row["sex"] == FEMALE:
                child.female += row["n"] or 0
    bands = {label: [0, 0] for label, _, _ in AGE_BANDS}
    for row in figures.values("age_band", "sex").annotate(n=Sum("residents")).order_by():
        if row["age_band"] in bands and row["sex"] in (MALE, FEMALE):
            bands[row["age_band"]][row["sex"] - 1] += row["n"] or 0
    events = PopulationEvent.objects.filter(area.rows(), year=period.year)
    for row in (
        events.filter(month__gte=period.first_month, month__lte=period.last_month)
        .values(area.key, "kind")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        child = children.get(row[area.key])
        if child is not None and row["kind"] in child.events:
            child.events[row["kind"]] += row["n"] or 0
    months: dict[int, dict[str, int]] = {m: {k: 0 for k, _ in EVENT_KINDS} for m in range(1, 13)}
    for row in events.values("month", "kind").annotate(n=Sum("count")).order_by():
        if row["month"] in months and row["kind"] in months[row["month"]]:
            months[row["month"]][row["kind"]] += row["n"] or 0
    for child in children.values():
        total.add(child)
    return PopulationDashboard(
        period=period,
        children=list(children.values()),
        total=total,
        pyramid=[(label, m, f) for label, (m, f) in bands.items()],
        by_month=list(months.items()),
    )
