"""A generated regency for the monitoring tests: six villages in two districts of the real
region tree (one of them a kelurahan) with residents, families and a year of life events,
enacted budgets and a year of books, letter requests with their history, RTLH and BLT cases,
a district officer's field visit with a photo — and the roll-ups made from all of it by the
real mechanism (the audit entries' marks applied by :func:`marks.rollup_work`).

The clock is frozen at :data:`NOW` while it is built and while the tests read it, so every
figure is deterministic. No tests here; :func:`build` is shared by ``test_equals_source`` and
``test_robustness``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import time_machine

from kampung.accounts.roles import Role

YEAR = 2026
# 16:00 in Banyuwangi (WIB) on Tuesday 15 September 2026: the first semester's report is due
# and past, the second semester is under way. After office hours on purpose:
# ``letters_bulk_fill`` submits requests on ``today`` between 07:00 and 14:59 and fails on one
# submitted after "now" (its history is emptied; see the helper's report).
NOW = dt.datetime(2026, 9, 15, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 9, 15)
SEED = 909

REGENCY = "35.10"
DISTRICT_A = "35.10.01"  # Pesanggaran
DISTRICT_B = "35.10.15"  # Glagah
VILLAGES_A = ("35.10.01.2001", "35.10.01.2002", "35.10.01.2004")  # Sarongan, Pesanggaran, Sumberagung
VILLAGES_B = ("35.10.15.1002", "35.10.15.2004", "35.10.15.2005")  # Bakungan (kelurahan), Kemiren, Olehsari
VILLAGES = (*VILLAGES_A, *VILLAGES_B)
KELURAHAN = "35.10.15.1002"
VILLAGE_A1, VILLAGE_A2 = VILLAGES_A[0], VILLAGES_A[1]
VILLAGE_B1 = "35.10.15.2004"
RESIDENTS = {code: 140 + 23 * i for i, code in enumerate(VILLAGES)}  # about a thousand in all
PASSWORD = "sandi-uji-Kampung-1"


@dataclass
class Regency:
    """What the tests need to reach the generated data."""

    users: dict[tuple[str, str], Any] = field(default_factory=dict)
    visit: Any = None  # a field visit in district A (VILLAGE_A1), with one photo
    visit_b: Any = None  # a field visit in district B (VILLAGE_B1), with one photo
    activity: tuple[str, str] = ("", "")  # (village, kegiatan code) of the visit in A
    activity_b: tuple[str, str] = ("", "")

    def user(self, role: str, region: str) -> Any:
        return self.users[(role, region)]

    @property
    def photo(self) -> Any:
        return self.visit.photos.first()

    @property
    def photo_b(self) -> Any:
        return self.visit_b.photos.first()


def _user(role: str, code: str) -> Any:
    from kampung.accounts.services import user_create
    from kampung.regions.models import Region

    created = user_create(
        actor=None,
        username=f"gen-{role}-{code}".replace(".", "-"),
        full_name=f"Uji {role} {code}",
        role=role,
        region=Region.objects.get(code=code),
        valid_from=dt.date(2020, 1, 1),
        password=PASSWORD,
    )
    return created.user


def _users() -> dict[tuple[str, str], Any]:
    users: dict[tuple[str, str], Any] = {}
    for role in (Role.DPMD, Role.BUPATI, Role.ADMIN):
        users[(role, REGENCY)] = _user(role, REGENCY)
    for district in (DISTRICT_A, DISTRICT_B):
        for role in (Role.CAMAT, Role.DISTRICT_OFFICER):
            users[(role, district)] = _user(role, district)
    for village in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):
        for role in (Role.SECRETARY, Role.HEAD, Role.RESIDENT):
            users[(role, village)] = _user(role, village)
    return users


def _physical_activity(village: str) -> str:
    """A physical kegiatan (code "02.…") of the village's APBDes in force."""
    from kampung.finance.models import BudgetActivity
    from kampung.finance.selectors.ledger import IN_FORCE

    code = (
        BudgetActivity.objects.filter(
            apbdes__village_id=village,
            apbdes__year=YEAR,
            apbdes__status__in=IN_FORCE,
            activity_code__code__startswith="02.",
        )
        .order_by("-apbdes__revision", "activity_code__code")
        .values_list("activity_code__code", flat=True)
        .first()
    )
    assert code, f"the demo budget of {village} has a physical kegiatan"
    return str(code)


def _visit(actor: Any, village: str) -> tuple[Any, str]:
    from kampung.monitoring.services.visits import visit_record
    from kampung.monitoring.tests.test_visits_support import upload

    code = _physical_activity(village)
    visit = visit_record(
        actor=actor,
        village=village,
        year=YEAR,
        activity_code=code,
        visited_on=TODAY - dt.timedelta(days=3),
        percent="40",
        notes="Pengecoran berjalan.",
        findings="",
        photos=[upload()],
    )
    return visit, code


def build() -> Regency:
    """Fill the six villages and apply the roll-up marks. Call with the clock at :data:`NOW`
    and ``MEDIA_ROOT`` pointing at a temporary folder (the visit photos)."""
    from kampung.assistance.loader import defaults_install
    from kampung.demo.bulk import population_fill
    from kampung.demo.events import events_fill
    from kampung.demo.finance import finance_fill
    from kampung.demo.finance_execution import execution_fill
    from kampung.demo.population import VillagePlan
    from kampung.demo.regency_activity import cases_bulk_fill, letters_bulk_fill
    from kampung.monitoring.marks import rollup_work
    from kampung.monitoring.models import RollupMark
    from kampung.regions.models import Region

    regions = Region.objects.in_bulk(list(VILLAGES))
    plans = [VillagePlan(c, regions[c].name, regions[c].kind, RESIDENTS[c]) for c in VILLAGES]
    population_fill(plans=plans, seed=SEED)
    events_fill(plans=plans, seed=SEED, today=TODAY)
    finance_fill(village_codes=list(VILLAGES), seed=SEED, year=YEAR)
    execution_fill(village_codes=list(VILLAGES), seed=SEED, today=TODAY)
    letters_bulk_fill(village_codes=list(VILLAGES), seed=SEED, today=TODAY)
    defaults_install(Region.objects.get(code=REGENCY), year=YEAR)
    cases_bulk_fill(village_codes=list(VILLAGES), seed=SEED, year=YEAR, today=TODAY)
    regency = Regency(users=_users())
    regency.visit, code = _visit(regency.user(Role.DISTRICT_OFFICER, DISTRICT_A), VILLAGE_A1)
    regency.activity = (VILLAGE_A1, code)
    regency.visit_b, code_b = _visit(regency.user(Role.DISTRICT_OFFICER, DISTRICT_B), VILLAGE_B1)
    regency.activity_b = (VILLAGE_B1, code_b)
    assert RollupMark.objects.exists(), "the bulk fills' audit entries left roll-up marks"
    rollup_work(today=TODAY)
    assert not RollupMark.objects.exists(), "every mark was applied"
    return regency


@contextlib.contextmanager
def regency_for_module(django_db_blocker: Any, media_root: Any) -> Iterator[Regency]:
    """The generated regency for a whole test module: built once inside a transaction that
    is rolled back when the module is done (each test then runs in a savepoint of it), with
    the clock frozen at :data:`NOW` and the photos under ``media_root``."""
    from django.db import transaction
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media_root)),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        from kampung.conftest import ensure_regions

        ensure_regions()
        yield build()
        transaction.set_rollback(True)
