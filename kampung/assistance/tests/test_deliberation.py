"""The Musdes prioritisation (issue #8 step 4; BLT's special Musdes, domain.md §3.3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.assistance.models import CaseStatus, DeliberationKind
from kampung.assistance.services.deliberations import deliberation_record
from kampung.assistance.tests.factories import household, make_case, programmes
from kampung.conftest import VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import KampungError, NotPermitted
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _june_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


def _record(world: Any, programme: Any, order: list[int], **kw: Any) -> Any:
    values: dict[str, Any] = {
        "actor": world.user(Role.SECRETARY, VILLAGE_A1),
        "programme": programme,
        "year": 2026,
        "village": Region.objects.get(code=VILLAGE_A1),
        "kind": DeliberationKind.MUSDES,
        "held_on": dt.date(2026, 6, 10),
        "place": "Balai Desa Sarongan",
        "minutes_number": "BA/05/2026",
        "attendees": 42,
        "chair_name": "Ketua BPD",
        "notes": "Disepakati urutan berikut.",
        "order": order,
    }
    values.update(kw)
    return deliberation_record(**values)


def _eligible(world: Any, programme: Any, n: int, village: str = VILLAGE_A1) -> list[Any]:
    out = []
    for i in range(n):
        family, head = household(world, village)
        out.append(make_case(programme, family, head, status=CaseStatus.ELIGIBLE, score=50 + i))
    return out


def test_musdes_sets_priority_in_the_agreed_order(world: Any) -> None:
    rtlh, _ = programmes()
    a, b, c = _eligible(world, rtlh, 3)
    deliberation = _record(world, rtlh, [c.pk, a.pk, b.pk])
    for case, priority in ((c, 1), (a, 2), (b, 3)):
        case.refresh_from_db()
        assert (case.status, case.priority, case.deliberation) == (
            CaseStatus.PRIORITISED,
            priority,
            deliberation,
        )
        event = case.events.order_by("pk").last()
        assert event.act == "assistance.deliberation.prioritise" and f"ke-{priority}" in event.note
    assert deliberation.recorded_by == world.user(Role.SECRETARY, VILLAGE_A1)


def test_a_later_musdes_reorders_and_returns_a_case_left_out_to_eligible(world: Any) -> None:
    rtlh, _ = programmes()
    a, b, c = _eligible(world, rtlh, 3)
    _record(world, rtlh, [a.pk, b.pk])
    _record(world, rtlh, [c.pk, a.pk], minutes_number="BA/06/2026")
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert (c.priority, a.priority) == (1, 2)
    assert b.status == CaseStatus.ELIGIBLE and b.priority is None
    assert b.events.order_by("pk").last().act == "assistance.deliberation.unrank"


def test_only_eligible_cases_of_this_village_year_may_be_ordered(world: Any) -> None:
    rtlh, blt = programmes()
    (ok,) = _eligible(world, rtlh, 1)
    (elsewhere,) = _eligible(world, rtlh, 1, village=VILLAGE_A2)
    family, head = household(world, VILLAGE_A1)
    registered = make_case(rtlh, family, head)
    (cash,) = _eligible(world, blt, 1)
    for bad in (elsewhere, registered, cash):
        with pytest.raises(KampungError, match="bukan kasus layak"):
            _record(world, rtlh, [ok.pk, bad.pk])
    with pytest.raises(KampungError, match="sekali"):
        _record(world, rtlh, [ok.pk, ok.pk])
    with pytest.raises(KampungError, match="paling sedikit satu"):
        _record(world, rtlh, [])
    ok.refresh_from_db()
    assert ok.status == CaseStatus.ELIGIBLE and ok.priority is None


def test_form_fields_are_checked(world: Any) -> None:
    rtlh, _ = programmes()
    (ok,) = _eligible(world, rtlh, 1)
    with pytest.raises(KampungError, match="Tempat musyawarah") as refused:
        _record(world, rtlh, [ok.pk], place=" ", minutes_number="", attendees=0)
    assert "Nomor berita acara" in refused.value.message and "peserta" in refused.value.message
    with pytest.raises(KampungError, match="masa depan"):
        _record(world, rtlh, [ok.pk], held_on=dt.date(2026, 7, 1))


def test_blt_needs_the_special_musdes(world: Any) -> None:
    _, blt = programmes()
    (ok,) = _eligible(world, blt, 1)
    with pytest.raises(KampungError, match="Musyawarah Desa Khusus"):
        _record(world, blt, [ok.pk])
    _record(world, blt, [ok.pk], kind=DeliberationKind.SPECIAL)
    ok.refresh_from_db()
    assert ok.status == CaseStatus.PRIORITISED


@pytest.mark.parametrize("role", [Role.FIELD_OFFICER, Role.TREASURER, Role.BPD, Role.RESIDENT])
def test_roles_that_may_not_record_the_musdes(world: Any, role: str) -> None:
    rtlh, _ = programmes()
    (ok,) = _eligible(world, rtlh, 1)
    with pytest.raises(NotPermitted):
        _record(world, rtlh, [ok.pk], actor=world.user(role, VILLAGE_A1))


def test_another_villages_secretary_may_not_record_ours(world: Any) -> None:
    rtlh, _ = programmes()
    (ok,) = _eligible(world, rtlh, 1)
    with pytest.raises(NotPermitted):
        _record(world, rtlh, [ok.pk], actor=world.user(Role.SECRETARY, VILLAGE_A2))
