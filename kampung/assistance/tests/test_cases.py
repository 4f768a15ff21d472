"""Registration and cancellation of cases (issue #8 steps 1 and 3), and the case selectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.assistance.models import CaseEvent, CaseStatus, Channel
from kampung.assistance.selectors.cases import case_list, ranked_list, stage_counts, timeline
from kampung.assistance.services.cases import case_cancel, case_register
from kampung.assistance.tests.factories import household, make_case, programmes
from kampung.audit.models import AuditEntry
from kampung.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _june_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_operator_registers_a_household_with_a_numbered_case_and_a_timeline(world: Any) -> None:
    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1, members=2, name="Sumarno")
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    case = case_register(actor=operator, programme=rtlh, year=2026, family=family, reason="Atap bocor")
    assert case.number == "RTLH-2026-0001"
    assert case.status == CaseStatus.REGISTERED
    assert (case.nik, case.kk_number, case.name) == (head.nik, family.kk_number, "Sumarno")
    assert case.beneficiary == head and case.channel == Channel.OPERATOR
    assert case.registered_on == dt.date(2026, 6, 15)
    assert case.stage_since is not None
    event = CaseEvent.objects.get(case=case)
    assert (event.act, event.target, event.actor) == ("assistance.case.register", "terdaftar", operator)
    assert AuditEntry.objects.filter(act="assistance.case.register", object_id=str(case.pk)).exists()
    family2, _ = household(world, VILLAGE_A1)
    assert case_register(actor=operator, programme=rtlh, year=2026, family=family2).number == "RTLH-2026-0002"
    # Numbers run per village: the first case of Pesanggaran is 0001 again.
    family3, _ = household(world, VILLAGE_A2)
    other = case_register(
        actor=world.user(Role.FIELD_OFFICER, VILLAGE_A2), programme=rtlh, year=2026, family=family3
    )
    assert other.number == "RTLH-2026-0001"


@pytest.mark.parametrize("role", [Role.TREASURER, Role.EXECUTOR, Role.BPD, Role.RESIDENT])
def test_roles_outside_the_village_office_may_not_register(world: Any, role: str) -> None:
    rtlh, _ = programmes()
    family, _ = household(world, VILLAGE_A1)
    with pytest.raises(NotPermitted):
        case_register(actor=world.user(role, VILLAGE_A1), programme=rtlh, year=2026, family=family)


def test_another_villages_operator_may_not_register_our_family(world: Any) -> None:
    rtlh, _ = programmes()
    family, _ = household(world, VILLAGE_A1)
    with pytest.raises(NotPermitted):
        case_register(actor=world.user(Role.OPERATOR, VILLAGE_B1), programme=rtlh, year=2026, family=family)


def test_inactive_programme_is_refused(world: Any) -> None:
    rtlh, _ = programmes()
    rtlh.active = False
    rtlh.save()
    family, _ = household(world, VILLAGE_A1)
    with pytest.raises(KampungError, match="tidak aktif"):
        case_register(actor=world.user(Role.OPERATOR, VILLAGE_A1), programme=rtlh, year=2026, family=family)


def test_dead_or_moved_beneficiary_is_refused(world: Any) -> None:
    from kampung.population.models import BasicStatus

    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1, members=1)
    head.basic_status = BasicStatus.DEAD
    head.save()
    with pytest.raises(KampungError, match="mati"):
        case_register(
            actor=world.user(Role.OPERATOR, VILLAGE_A1),
            programme=rtlh,
            year=2026,
            family=family,
            beneficiary=head,
        )
    stranger_family, stranger = household(world, VILLAGE_A1)
    with pytest.raises(KampungError, match="bukan anggota"):
        case_register(
            actor=world.user(Role.OPERATOR, VILLAGE_A1),
            programme=rtlh,
            year=2026,
            family=family,
            beneficiary=stranger,
        )


def test_same_kk_twice_in_a_year_is_refused_naming_the_case(world: Any) -> None:
    rtlh, blt = programmes()
    family, _ = household(world, VILLAGE_A1)
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    first = case_register(actor=operator, programme=rtlh, year=2026, family=family)
    with pytest.raises(KampungError, match=first.number) as refused:
        case_register(actor=operator, programme=rtlh, year=2026, family=family)
    assert refused.value.code == "duplikat"
    assert "Sarongan" in refused.value.message
    # Another programme, or the case cancelled: allowed again.
    case_register(actor=operator, programme=blt, year=2026, family=family)
    case_cancel(actor=operator, case=first, reason="Salah daftar")
    assert case_register(actor=operator, programme=rtlh, year=2026, family=family).number == "RTLH-2026-0002"


def test_cross_village_duplicate_by_nik_is_caught_and_names_the_other_village(world: Any) -> None:
    """A person registered in Sarongan moves to Pesanggaran on a new KK; Pesanggaran's operator
    tries to register them again in the same year (issue step 3)."""
    from kampung.population.models import BasicStatus
    from kampung.population.tests.factories import make_family, make_resident

    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1)
    case = case_register(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), programme=rtlh, year=2026, family=family
    )
    head.basic_status = BasicStatus.MOVED
    head.save()
    new_family = make_family(world, VILLAGE_A2, dusun="Krajan", rt="003", rw="001")
    moved = make_resident(world, VILLAGE_A2, name=head.name, nik=head.nik, family=new_family)
    with pytest.raises(KampungError, match=case.number) as refused:
        case_register(
            actor=world.user(Role.OPERATOR, VILLAGE_A2),
            programme=rtlh,
            year=2026,
            family=new_family,
            beneficiary=moved,
        )
    assert "Desa Sarongan" in refused.value.message


def test_cross_village_duplicate_by_kk_snapshot_is_caught(world: Any) -> None:
    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_B1)
    # A case of another village holds this KK number (the family moved its KK since).
    elsewhere_family, elsewhere_head = household(world, VILLAGE_A2)
    held = make_case(rtlh, elsewhere_family, elsewhere_head)
    held.kk_number = family.kk_number
    held.save()
    with pytest.raises(KampungError, match=held.number):
        case_register(actor=world.user(Role.OPERATOR, VILLAGE_B1), programme=rtlh, year=2026, family=family)


def test_resident_applies_online_for_own_family_only(world: Any) -> None:
    from kampung.population.portal import account_activate

    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1, members=1)
    account, _pin = account_activate(actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=head)
    case = case_register(
        actor=account.user,
        programme=rtlh,
        year=2026,
        family=family,
        channel=Channel.ONLINE,
        reason="Dinding gedek",
    )
    assert case.channel == Channel.ONLINE and case.applicant == account.user
    neighbour, _ = household(world, VILLAGE_A1)
    with pytest.raises(NotPermitted):
        case_register(actor=account.user, programme=rtlh, year=2026, family=neighbour, channel=Channel.ONLINE)
    # The resident may withdraw their own application while it waits for the survey.
    case_cancel(actor=account.user, case=case, reason="Sudah diperbaiki sendiri")
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED


def test_cancel_needs_a_reason_and_a_stage_before_the_decision(world: Any) -> None:
    rtlh, _ = programmes()
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    family, head = household(world, VILLAGE_A1)
    case = make_case(rtlh, family, head, status=CaseStatus.PRIORITISED, priority=1)
    with pytest.raises(KampungError, match="alasan"):
        case_cancel(actor=operator, case=case, reason="  ")
    with pytest.raises(NotPermitted):
        case_cancel(actor=world.user(Role.TREASURER, VILLAGE_A1), case=case, reason="x")
    cancelled = case_cancel(actor=operator, case=case, reason="Pindah domisili")
    assert cancelled.status == CaseStatus.CANCELLED and cancelled.priority is None
    assert cancelled.closed_at is not None
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None and (event.source, event.target, event.note) == (
        "prioritas",
        "dibatalkan",
        "Pindah domisili",
    )
    f2, h2 = household(world, VILLAGE_A1)
    proposed = make_case(rtlh, f2, h2, status=CaseStatus.PROPOSED)
    with pytest.raises(InvalidTransition, match="rancangan keputusan"):
        case_cancel(actor=operator, case=proposed, reason="x")
    f3, h3 = household(world, VILLAGE_A1)
    decided = make_case(rtlh, f3, h3, status=CaseStatus.DECIDED)
    with pytest.raises(InvalidTransition):
        case_cancel(actor=operator, case=decided, reason="x")
    decided.refresh_from_db()
    assert decided.status == CaseStatus.DECIDED


def test_stage_counts_list_search_and_ranking(world: Any, django_assert_max_num_queries: Any) -> None:
    rtlh, _ = programmes()
    village = Region.objects.get(code=VILLAGE_A1)
    made = []
    for status, score, name in [
        (CaseStatus.ELIGIBLE, 70, "Budi Santoso"),
        (CaseStatus.ELIGIBLE, 90, "Siti Aminah"),
        (CaseStatus.ELIGIBLE, 70, "Joko Widodo"),
        (CaseStatus.REGISTERED, None, "Ahmad Dahlan"),
        (CaseStatus.REFUSED, 40, "Rina Wati"),
    ]:
        family, head = household(world, VILLAGE_A1, name=name)
        made.append(make_case(rtlh, family, head, status=status, score=score))
    # Joko lives more crowded than Budi: same score, Joko first.
    from kampung.assistance.models import Survey

    Survey.objects.create(
        case=made[0],
        answers={"luas_lantai": "40", "jumlah_penghuni": 4},
        surveyed_on=dt.date(2026, 3, 1),
        verifier_name="x",
    )
    Survey.objects.create(
        case=made[2],
        answers={"luas_lantai": "24", "jumlah_penghuni": 4},
        surveyed_on=dt.date(2026, 3, 1),
        verifier_name="x",
    )
    with django_assert_max_num_queries(1):
        counts = stage_counts(village, rtlh, 2026)
    assert counts["layak"] == 3 and counts["terdaftar"] == 1 and counts["ditolak"] == 1
    assert counts["total"] == 5 and counts["selesai"] == 0
    assert [c.name for c in case_list(village, rtlh, 2026, stage="layak")] == [
        "Budi Santoso",
        "Siti Aminah",
        "Joko Widodo",
    ]
    assert [c.name for c in case_list(village, rtlh, 2026, q="siti")] == ["Siti Aminah"]
    assert list(case_list(village, rtlh, 2026, q=made[3].nik)) == [made[3]]
    assert list(case_list(village, rtlh, 2026, q=made[4].number)) == [made[4]]
    with django_assert_max_num_queries(1):
        ranked = ranked_list(village, rtlh, 2026)
        names = [c.name for c in ranked]
    assert names == ["Siti Aminah", "Joko Widodo", "Budi Santoso"]
    # A recorded Musdes priority comes first, whatever the score.
    made[0].status, made[0].priority = CaseStatus.PRIORITISED, 1
    made[0].save()
    assert [c.name for c in ranked_list(village, rtlh, 2026)][0] == "Budi Santoso"
    assert ranked_list(village, rtlh, 2026)[1].score == Decimal("90")
    assert [e.act for e in timeline(made[0])] == []
