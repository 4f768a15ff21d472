"""Test data for the API's own tests: a small register in villages A1, A2 and B1, and
integration clients. Residents of village B1 carry names found nowhere else, so a test can
assert they never appear in an answer meant for village A."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.api.scopes import SCOPES
from kampung.api.services import api_client_create, api_client_token_create
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.population.models import Sex
from kampung.population.tests.factories import make_family, make_resident
from kampung.regions.models import Region

# Distinctive words that appear only in village B1's records.
B_MARKERS = ("Zulkarnain", "Wiratmaja", "Jalan Kenari Bravo")


@dataclass
class Register:
    a_family: Any
    a_resident: Any
    a2_resident: Any
    b_family: Any
    b_resident: Any
    b_numbers: list[str] = field(default_factory=list)


def _household(world: Any, village: str, head_name: str, others: list[str], address: str) -> tuple[Any, Any]:
    from kampung.population import services

    family = make_family(world, village, address=address, dusun="Krajan", rw="001", rt="002")
    head = make_resident(world, village, name=head_name, family=family)
    services.family_change(
        actor=world.user(Role.OPERATOR, village),
        resident=head,
        family=family,
        relation=1,
        change_date=dt.date(2024, 1, 2),
    )
    for i, name in enumerate(others):
        make_resident(
            world, village, name=name, sex=Sex.FEMALE, birth=dt.date(1993, 5, 10 + i), family=family
        )
    family.refresh_from_db()
    return family, head


@pytest.fixture
def register(world: Any) -> Register:
    a_family, a_resident = _household(
        world, VILLAGE_A1, "Ahmad Slamet", ["Siti Aminah", "Dewi Lestari"], "Jalan Mawar 1"
    )
    a2 = make_resident(world, VILLAGE_A2, name="Sulastri Slamet", sex=Sex.FEMALE)
    b_family, b_resident = _household(
        world, VILLAGE_B1, "Zulkarnain Wiratmaja", ["Ratna Wiratmaja"], "Jalan Kenari Bravo 9"
    )
    numbers = [b_family.kk_number, b_resident.nik]
    return Register(a_family, a_resident, a2, b_family, b_resident, numbers)


def bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def make_client(
    region: str = REGENCY, *, name: str = "Dasbor Dinkes", actor: Any = None, regency: str = REGENCY
) -> Any:
    return api_client_create(
        actor=actor,
        regency=Region.objects.get(code=regency),
        name=name,
        organisation="Dinas Kesehatan",
        contact="Budi, budi@dinkes.go.id",
        purpose="Sasaran imunisasi per desa.",
        region=Region.objects.get(code=region),
    )


def client_token(client: Any, scopes: list[str] | None = None, *, days: int = 30) -> str:
    issued = api_client_token_create(
        actor=None,
        client=client,
        name="server",
        scopes=list(SCOPES) if scopes is None else scopes,
        expires_on=timezone.localdate() + dt.timedelta(days=days),
    )
    return issued.plain
