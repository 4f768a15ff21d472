"""What every dashboard selector shares: the region being shown, its children (districts under
the regency, villages under a district, nothing under a village) and the filter that keeps the
roll-up rows of exactly that region, grouped by the child they belong to.

Grouping is always done in SQL on ``district_code`` (regency page) or ``village_id`` (district
page), so a page costs a fixed number of queries whatever the number of villages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from kampung.regions.models import Kind, Level, Region

ZERO = Decimal("0")
DESA_KINDS: tuple[str, ...] = (Kind.DESA, Kind.DESA_ADAT)


@dataclass(frozen=True)
class Child:
    code: str
    name: str
    kind: str = ""
    desa: int = 0  # desa (not kelurahan) under it: 1 or 0 for a village
    villages: int = 0

    @property
    def is_village(self) -> bool:
        return len(self.code) > 8


@dataclass
class Area:
    """The region a page shows, its villages and its children."""

    region: Region
    villages: dict[str, Child] = field(default_factory=dict)  # code -> village
    children: list[Child] = field(default_factory=list)

    @property
    def level(self) -> int:
        return int(self.region.level)

    @property
    def key(self) -> str:
        """The roll-up column the rows are grouped by for the children table."""
        return "district_code" if self.level == Level.REGENCY else "village_id"

    def rows(self) -> Q:
        """The roll-up rows of the region's villages. A code range rather than LIKE, so the
        ``district_code`` indexes are used on SQLite too."""
        code = self.region.code
        if self.level == Level.REGENCY:
            return prefix_range("district_code", code + ".")
        if self.level == Level.DISTRICT:
            return Q(district_code=code)
        return Q(village_id=code)

    @property
    def desa_codes(self) -> list[str]:
        return [code for code, v in self.villages.items() if v.kind in DESA_KINDS]

    def child_of(self, village_code: str) -> str:
        return village_code[:8] if self.level == Level.REGENCY else village_code


def prefix_range(field_name: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, written as a range (``>= prefix`` and ``< prefix``
    with its last character bumped) so an index on the field serves it."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": upper})


def area_of(region: Region) -> Area:
    """The region's villages (one query) and, at the regency, its districts (one more)."""
    area = Area(region)
    if region.level == Level.VILLAGE:
        area.villages[region.code] = Child(
            region.code, region.name, region.kind, int(region.kind in DESA_KINDS), 1
        )
        return area
    villages = (
        Region.objects.filter(prefix_range("code", region.code + "."), level=Level.VILLAGE)
        .order_by("code")
        .values_list("code", "name", "kind")
    )
    for code, name, kind in villages:
        area.villages[code] = Child(code, name, kind, int(kind in DESA_KINDS), 1)
    if region.level == Level.REGENCY:
        desa: dict[str, int] = {}
        count: dict[str, int] = {}
        for code, v in area.villages.items():
            desa[code[:8]] = desa.get(code[:8], 0) + v.desa
            count[code[:8]] = count.get(code[:8], 0) + 1
        districts = (
            Region.objects.filter(prefix_range("code", region.code + "."), level=Level.DISTRICT)
            .order_by("code")
            .values_list("code", "name", "kind")
        )
        area.children = [
            Child(code, name, kind, desa.get(code, 0), count.get(code, 0)) for code, name, kind in districts
        ]
    elif region.level == Level.DISTRICT:
        area.children = list(area.villages.values())
    return area


def ratio(part: Decimal | int | None, whole: Decimal | int | None) -> float | None:
    """``part / whole`` as a fraction, ``None`` when there is no whole."""
    if not whole:
        return None
    return float(Decimal(part or 0) / Decimal(whole))


def rows_of(query: Any) -> Iterable[dict[str, Any]]:
    """The rows of a ``values(...).annotate(...)`` query, typed as plain dicts."""
    rows: Iterable[dict[str, Any]] = query
    return rows
