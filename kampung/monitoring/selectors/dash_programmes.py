"""Assistance programmes on the dashboards, from :class:`ProgrammeFigure`: per programme the
cases by stage, money committed and paid, houses finished, stalled cases and decisions
(issued, under delegation or mandate, waiting at the regency). The per-stage counts are
summed in SQL from the ``counts`` JSON."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from kampung.assistance.models import AIDED_STATUSES, Programme
from kampung.assistance.selectors.overview import STAGES
from kampung.monitoring.models import ProgrammeFigure
from kampung.monitoring.selectors.dash_common import ZERO, Area

# Decided as beneficiaries (ditetapkan and after).
AIDED: tuple[str, ...] = tuple(AIDED_STATUSES)
MONEY_FIELDS = ("committed", "paid")
COUNT_FIELDS = (
    "finished",
    "stalled",
    "decisions_issued",
    "decisions_delegated",
    "decisions_mandated",
    "decisions_routed",
)


@dataclass
class ProgrammeFigures:
    code: str
    name: str
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    finished: int = 0
    stalled: int = 0
    decisions_issued: int = 0
    decisions_delegated: int = 0
    decisions_mandated: int = 0
    decisions_routed: int = 0

    @property
    def cases(self) -> int:
        return sum(self.stages.values())

    @property
    def decided(self) -> int:
        return sum(self.stages[s] for s in AIDED)

    @property
    def under_delegation(self) -> int:
        return self.decisions_delegated + self.decisions_mandated

    def add_row(self, row: dict[str, Any]) -> None:
        for stage in STAGES:
            self.stages[stage] += row[f"s_{stage}"] or 0
        self.committed += row["n_committed"] or ZERO
        self.paid += row["n_paid"] or ZERO
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + (row[f"n_{name}"] or 0))

    def add(self, other: ProgrammeFigures) -> None:
        for stage in STAGES:
            self.stages[stage] += other.stages[stage]
        for name in (*MONEY_FIELDS, *COUNT_FIELDS):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ProgrammeBlock:
    code: str
    name: str
    kind: str
    children: list[ProgrammeFigures]
    total: ProgrammeFigures

    @property
    def is_housing(self) -> bool:
        return self.kind == "rtlh"

    @property
    def is_cash(self) -> bool:
        return self.kind == "blt"


@dataclass
class ProgrammesDashboard:
    year: int
    programmes: list[ProgrammeBlock]


def _sums() -> dict[str, Any]:
    sums: dict[str, Any] = {
        f"s_{stage}": Sum(Cast(KT(f"counts__{stage}"), IntegerField())) for stage in STAGES
    }
    for name in (*MONEY_FIELDS, *COUNT_FIELDS):
        sums[f"n_{name}"] = Sum(name)
    return sums


def programmes_dashboard(area: Area, year: int) -> ProgrammesDashboard:
    """Two queries whatever the number of villages: the figures grouped by programme and
    child, and the programmes' names."""
    rows = list(
        ProgrammeFigure.objects.filter(area.rows(), year=year)
        .values("programme", area.key)
        .annotate(**_sums())
        .order_by()
    )
    codes = sorted({row["programme"] for row in rows})
    regency = area.region.code[:5]
    programmes = {
        p["code"]: p
        for p in Programme.objects.filter(regency_id=regency).values("code", "name", "kind").order_by("name")
    }
    grouped: dict[str, dict[str, ProgrammeFigures]] = defaultdict(dict)
    child_list = area.children or list(area.villages.values())
    for code in [*programmes, *(c for c in codes if c not in programmes)]:
        grouped[code] = {c.code: ProgrammeFigures(c.code, c.name) for c in child_list}
    for row in rows:
        child = grouped[row["programme"]].get(row[area.key])
        if child is not None:
            child.add_row(row)
    blocks: list[ProgrammeBlock] = []
    kind_order = {"rtlh": 0, "blt": 1}
    for code, children in grouped.items():
        meta = programmes.get(code, {"name": code, "kind": ""})
        total = ProgrammeFigures(area.region.code, str(area.region))
        for child in children.values():
            total.add(child)
        if code not in programmes and not total.cases:
            continue
        blocks.append(ProgrammeBlock(code, meta["name"], meta["kind"], list(children.values()), total))
    blocks.sort(key=lambda b: (kind_order.get(b.kind, 2), b.name))
    return ProgrammesDashboard(year, blocks)
