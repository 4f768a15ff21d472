"""The programmes roll-up: per village, programme and year, cases by stage, money, houses
finished, stalled cases (as of the end of ``today``) and decisions under delegation; the
query bound; determinism; and the marks kept by real writes equal a rebuild."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from kampung.accounts.roles import Role
from kampung.assistance.models import (
    AIDED_STATUSES,
    Case,
    CaseStatus,
    Decision,
    DecisionStatus,
    MonthlyPayment,
    Programme,
)
from kampung.assistance.services.cases import case_cancel, case_register
from kampung.assistance.tests.factories import household, make_case, programmes
from kampung.conftest import KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.monitoring.marks import rollup_work
from kampung.monitoring.models import Area, ProgrammeFigure, RollupMark
from kampung.monitoring.rollup import programmes as area
from kampung.monitoring.rollup import rollup_rebuild
from kampung.regions.models import Level, Region

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
TODAY = dt.date(2026, 5, 4)
LONG_AGO = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
RECENT = dt.datetime(2026, 4, 28, 9, tzinfo=dt.UTC)
# 4 April 12:00 in Banyuwangi: 30 days old during 4 May (local), not yet on 3 May.
EDGE = dt.datetime(2026, 4, 4, 5, tzinfo=dt.UTC)
HOUSE = 17_500_000
CODES = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, KELURAHAN_B]
STALLED_DAYS = 30
BEFORE_DECISION = (CaseStatus.REGISTERED, CaseStatus.ELIGIBLE, CaseStatus.PRIORITISED, CaseStatus.PROPOSED)
HOUSING_MOVING = (*BEFORE_DECISION, CaseStatus.DECIDED, CaseStatus.PAID, CaseStatus.IN_PROGRESS)
PAID = (CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE)


@pytest.fixture(autouse=True)
def _in_may_2026() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _case(
    world: Any, programme: Programme, village: str, status: str, *, since: dt.datetime, **kw: Any
) -> Case:
    family, head = household(world, village)
    case = make_case(programme, family, head, status=status, **kw)
    Case.objects.filter(pk=case.pk).update(stage_since=since)
    return case


def _decision(programme: Programme, village: str, status: str, basis: str = "", year: int = 2026) -> Decision:
    return Decision.objects.create(
        programme=programme,
        year=year,
        village_id=village,
        title=f"Keputusan {programme.name} {village}",
        status=status,
        basis=basis,
        beneficiary_count=1,
        total_amount=Decimal(HOUSE),
        decided_on=dt.date(2026, 4, 20) if status == DecisionStatus.ISSUED else None,
    )


@pytest.fixture
def scene(world: Any) -> dict[str, Any]:
    rtlh, blt = programmes()
    programmes(2025)
    cases = {
        "fresh": _case(world, rtlh, VILLAGE_A1, CaseStatus.REGISTERED, since=RECENT),
        "stuck": _case(world, rtlh, VILLAGE_A1, CaseStatus.ELIGIBLE, since=LONG_AGO),
        "decided": _case(world, rtlh, VILLAGE_A1, CaseStatus.DECIDED, since=RECENT, amount=HOUSE),
        "paid": _case(world, rtlh, VILLAGE_A1, CaseStatus.PAID, since=LONG_AGO, amount=HOUSE),
        "done": _case(world, rtlh, VILLAGE_A1, CaseStatus.DONE, since=LONG_AGO, amount=HOUSE),
        "refused": _case(world, rtlh, VILLAGE_A1, CaseStatus.REFUSED, since=LONG_AGO),
        "last_year": _case(world, rtlh, VILLAGE_A1, CaseStatus.DONE, since=LONG_AGO, amount=HOUSE, year=2025),
        "a2_stuck": _case(world, rtlh, VILLAGE_A2, CaseStatus.PRIORITISED, since=LONG_AGO),
        "a2_works": _case(world, rtlh, VILLAGE_A2, CaseStatus.IN_PROGRESS, since=RECENT, amount=HOUSE),
        "b1_edge": _case(world, rtlh, VILLAGE_B1, CaseStatus.PROPOSED, since=EDGE),
        "blt_1": _case(world, blt, VILLAGE_A1, CaseStatus.DECIDED, since=LONG_AGO, amount=3_600_000),
        "blt_2": _case(world, blt, VILLAGE_A1, CaseStatus.DECIDED, since=LONG_AGO, amount=3_600_000),
        "blt_old": _case(world, blt, VILLAGE_A1, CaseStatus.REGISTERED, since=LONG_AGO),
    }
    for case, month, collected in (
        (cases["blt_1"], 1, True),
        (cases["blt_2"], 1, True),
        (cases["blt_1"], 2, False),
    ):
        MonthlyPayment.objects.create(
            case=case, year=2026, month=month, amount=Decimal(300_000), collected=collected
        )
    _decision(rtlh, VILLAGE_A1, DecisionStatus.ISSUED, "delegasi")
    _decision(rtlh, VILLAGE_A1, DecisionStatus.ISSUED, "delegasi", year=2025)
    _decision(rtlh, VILLAGE_A2, DecisionStatus.ISSUED, "atribusi")
    _decision(rtlh, VILLAGE_A2, DecisionStatus.ISSUED, "mandat")
    _decision(rtlh, VILLAGE_B1, DecisionStatus.ROUTED)
    _decision(blt, VILLAGE_A1, DecisionStatus.ISSUED, "delegasi")
    _decision(rtlh, KELURAHAN_B, DecisionStatus.DRAFT)  # nothing to count: no row
    return {"rtlh": rtlh, "blt": blt, "cases": cases}


# -- figures computed directly from the cases, payments and decisions -----------------------


def _blank() -> dict[str, Any]:
    return {
        "counts": defaultdict(int),
        "committed": Decimal(0),
        "paid": Decimal(0),
        "finished": 0,
        "stalled": 0,
        "decisions_issued": 0,
        "decisions_delegated": 0,
        "decisions_mandated": 0,
        "decisions_routed": 0,
    }


def expected(codes: list[str], today: dt.date) -> dict[tuple[str, str, int], dict[str, Any]]:
    end_of_day = dt.datetime.combine(today, dt.time.max, tzinfo=ZoneInfo("Asia/Jakarta"))
    cutoff = end_of_day - dt.timedelta(days=STALLED_DAYS)
    out: dict[tuple[str, str, int], dict[str, Any]] = defaultdict(_blank)
    for case in Case.objects.filter(village_id__in=codes).select_related("programme"):
        monthly = case.programme.is_monthly
        f = out[(case.village_id, case.programme.code, case.year)]
        f["counts"][case.status] += 1
        amount = case.amount or Decimal(0)
        if case.status in AIDED_STATUSES:
            f["committed"] += amount
        if not monthly and case.status in PAID:
            f["paid"] += amount
        if case.status == CaseStatus.DONE:
            f["finished"] += 1
        moving = BEFORE_DECISION if monthly else HOUSING_MOVING
        if case.status in moving and (case.stage_since or case.created_at) < cutoff:
            f["stalled"] += 1
    for pay in MonthlyPayment.objects.filter(case__village_id__in=codes, collected=True).select_related(
        "case__programme"
    ):
        out[(pay.case.village_id, pay.case.programme.code, pay.case.year)]["paid"] += pay.amount
    for decision in Decision.objects.filter(village_id__in=codes).select_related("programme"):
        f = out[(decision.village_id, decision.programme.code, decision.year)]
        if decision.status == DecisionStatus.ISSUED:
            f["decisions_issued"] += 1
            f["decisions_delegated"] += decision.basis == "delegasi"
            f["decisions_mandated"] += decision.basis == "mandat"
        f["decisions_routed"] += decision.status == DecisionStatus.ROUTED
    result = {}
    for key, f in out.items():
        f["counts"] = dict(f["counts"])
        if any(v for v in f.values()):
            result[key] = f
    return result


def stored(codes: list[str]) -> dict[tuple[str, str, int], dict[str, Any]]:
    out = {}
    for row in ProgrammeFigure.objects.filter(village_id__in=codes):
        assert row.district_code == row.village_id[:8]
        assert all(n for n in row.counts.values())  # zeros are left out
        out[(row.village_id, row.programme, row.year)] = {
            "counts": row.counts,
            "committed": row.committed,
            "paid": row.paid,
            "finished": row.finished,
            "stalled": row.stalled,
            "decisions_issued": row.decisions_issued,
            "decisions_delegated": row.decisions_delegated,
            "decisions_mandated": row.decisions_mandated,
            "decisions_routed": row.decisions_routed,
        }
    return out


def snapshot(*models: type[Model]) -> list[list[tuple[Any, ...]]]:
    """Every row of the tables without its id, in a stable order."""
    return [
        sorted(
            (tuple((k, v) for k, v in row.items() if k != "id") for row in model._default_manager.values()),
            key=repr,
        )
        for model in models
    ]


# -- tests --------------------------------------------------------------------------------------


def test_figures_equal_the_cases_payments_and_decisions(scene: dict[str, Any]) -> None:
    area.compute(CODES, TODAY)
    rows = stored(CODES)
    assert rows == expected(CODES, TODAY)
    a1 = rows[(VILLAGE_A1, "rtlh", 2026)]
    assert a1["counts"] == {
        "terdaftar": 1,
        "layak": 1,
        "ditetapkan": 1,
        "dibayar": 1,
        "selesai": 1,
        "ditolak": 1,
    }
    assert a1["committed"] == Decimal(3 * HOUSE) and a1["paid"] == Decimal(2 * HOUSE)
    assert a1["finished"] == 1 and a1["stalled"] == 2  # eligible and paid, untouched since March
    assert (a1["decisions_issued"], a1["decisions_delegated"]) == (1, 1)
    assert rows[(VILLAGE_A1, "rtlh", 2025)]["finished"] == 1
    blt = rows[(VILLAGE_A1, "blt", 2026)]
    assert blt["paid"] == Decimal(600_000) and blt["committed"] == Decimal(7_200_000)
    assert blt["stalled"] == 1  # only the registration waits; beneficiaries stay "ditetapkan"
    a2 = rows[(VILLAGE_A2, "rtlh", 2026)]
    assert (a2["decisions_issued"], a2["decisions_mandated"], a2["stalled"]) == (2, 1, 1)
    assert rows[(VILLAGE_B1, "rtlh", 2026)]["decisions_routed"] == 1
    assert not ProgrammeFigure.objects.filter(village_id=KELURAHAN_B).exists()  # only a draft


def test_stalled_is_as_of_the_end_of_today_local_time(scene: dict[str, Any]) -> None:
    area.compute([VILLAGE_B1], TODAY - dt.timedelta(days=1))
    assert ProgrammeFigure.objects.get(village_id=VILLAGE_B1).stalled == 0
    assert stored([VILLAGE_B1]) == expected([VILLAGE_B1], TODAY - dt.timedelta(days=1))
    area.compute([VILLAGE_B1], TODAY)
    assert ProgrammeFigure.objects.get(village_id=VILLAGE_B1).stalled == 1
    assert stored([VILLAGE_B1]) == expected([VILLAGE_B1], TODAY)


def test_compute_replaces_only_the_given_villages(scene: dict[str, Any]) -> None:
    area.compute(CODES, TODAY)
    before = stored([VILLAGE_A2, VILLAGE_B1])
    Case.objects.filter(pk=scene["cases"]["fresh"].pk).update(status=CaseStatus.CANCELLED)
    area.compute([VILLAGE_A1], TODAY)
    assert stored([VILLAGE_A2, VILLAGE_B1]) == before
    assert stored([VILLAGE_A1]) == expected([VILLAGE_A1], TODAY)
    assert stored([VILLAGE_A1])[(VILLAGE_A1, "rtlh", 2026)]["counts"]["dibatalkan"] == 1


def test_query_count_does_not_grow_with_villages(scene: dict[str, Any]) -> None:
    every = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=REGENCY + ".").values_list(
            "code", flat=True
        )
    )
    assert len(every) > 100
    with CaptureQueriesContext(connection) as one:
        area.compute([VILLAGE_A1], TODAY)
    with CaptureQueriesContext(connection) as many:
        area.compute(every, TODAY)
    # 2 (programme years) + 1 (programmes) + 1 (the regency's "stalled" setting) + 2 + 2 + 3
    # (three programme years, BLT monthly) + delete + insert, with 1 village or all of them.
    assert len(one) == len(many) == 13
    assert stored(every) == expected(every, TODAY)


def test_computing_twice_gives_identical_rows(scene: dict[str, Any]) -> None:
    area.compute(CODES, TODAY)
    first = snapshot(*area.TABLES)
    area.compute(list(reversed(CODES)), TODAY)
    assert snapshot(*area.TABLES) == first
    assert area.villages() == set(CODES)


def test_marks_from_real_writes_keep_the_tables_equal_to_a_rebuild(world: Any) -> None:
    rtlh, _ = programmes()
    rollup_work()
    family, _ = household(world, VILLAGE_A1, members=1)
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    case = case_register(actor=operator, programme=rtlh, year=2026, family=family, reason="Atap bocor")
    assert RollupMark.objects.filter(region_code=VILLAGE_A1, area=Area.PROGRAMMES).exists()
    report = rollup_work()
    assert report.villages[Area.PROGRAMMES] == 1
    assert not RollupMark.objects.filter(area=Area.PROGRAMMES).exists()
    assert stored([VILLAGE_A1]) == expected([VILLAGE_A1], TODAY)
    assert stored([VILLAGE_A1])[(VILLAGE_A1, "rtlh", 2026)]["counts"] == {"terdaftar": 1}

    other_family, _ = household(world, VILLAGE_B1)
    case_register(actor=world.user(Role.OPERATOR, VILLAGE_B1), programme=rtlh, year=2026, family=other_family)
    case_cancel(actor=operator, case=case, reason="Sudah dibantu program lain")
    rollup_work()
    assert stored(CODES) == expected(CODES, TODAY)
    assert stored([VILLAGE_A1])[(VILLAGE_A1, "rtlh", 2026)]["counts"] == {"dibatalkan": 1}
    kept = snapshot(*area.TABLES)
    rollup_rebuild(areas=[Area.PROGRAMMES])
    assert snapshot(*area.TABLES) == kept


def test_stalled_follows_the_regencys_setting(scene: dict[str, Any]) -> None:
    from kampung.monitoring.models import MonitoringSetting

    area.compute([VILLAGE_A1], TODAY)
    before = sum(r["stalled"] for key, r in stored([VILLAGE_A1]).items())
    MonitoringSetting.objects.create(regency_id=REGENCY, stalled_days=366)
    area.compute([VILLAGE_A1], TODAY)
    after = sum(r["stalled"] for key, r in stored([VILLAGE_A1]).items())
    assert before > 0
    assert after == 0
