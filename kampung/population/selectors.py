"""Reads of the population register, always scoped to the acting user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from kampung.accounts.scope import scope_for
from kampung.population.models import BasicStatus, Family, Resident, Sex
from kampung.regions.models import Region


@dataclass(frozen=True)
class PopulationCounts:
    residents: int
    male: int
    female: int
    families: int


def population_counts(*, actor: Any, village: Region) -> PopulationCounts | None:
    """Living residents and families of a village in the actor's scope (None outside it)."""
    if village.code not in scope_for(actor).village_codes():
        return None
    row = Resident.objects.filter(village=village, basic_status=BasicStatus.LIVING).aggregate(
        total=Count("pk"),
        male=Count("pk", filter=Q(sex=Sex.MALE)),
        female=Count("pk", filter=Q(sex=Sex.FEMALE)),
    )
    return PopulationCounts(
        residents=row["total"],
        male=row["male"],
        female=row["female"],
        families=Family.objects.filter(village=village).count(),
    )
