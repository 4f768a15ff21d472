"""When the treasurer reverses the payment of an aid SPP (a correcting entry in finance), the
cases it paid go back to "decided" in the same transaction; once the aid has been used (work
reported, BLT handed out) the reversal is refused and nothing changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.assistance.models import CaseEvent, CaseStatus, MonthlyPayment
from kampung.assistance.services import blt as blt_services
from kampung.assistance.services.payments import case_spp_create
from kampung.assistance.services.progress import progress_report
from kampung.assistance.tests.factories import YEAR, programmes, rtlh_budget
from kampung.assistance.tests.test_blt_services import blt_village, request
from kampung.assistance.tests.test_blt_services import pay_spp as pay_month
from kampung.assistance.tests.test_decisions_support import decided, jpeg, pay_spp, signing_ready
from kampung.conftest import VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.finance.models import JournalEntry, SppStatus
from kampung.finance.services.treasury import entry_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Any) -> Any:
    signing_ready(settings, tmp_path)
    with time_machine.travel(dt.datetime(YEAR, 6, 15, 9, 0), tick=False):
        yield


def _reverse(world: Any, spp: Any) -> JournalEntry:
    spp.refresh_from_db()
    return entry_reverse(
        actor=world.user(Role.TREASURER, VILLAGE_A1),
        entry=spp.entry,
        date=dt.date(YEAR, 6, 12),
        reason="Salah rekening penerima",
    )


def _paid_house(world: Any) -> Any:
    rtlh, _ = programmes()
    rtlh_budget(VILLAGE_A1)
    case = decided(world, rtlh, VILLAGE_A1)
    spp = case_spp_create(actor=world.user(Role.SECRETARY, VILLAGE_A1), case=case, date=dt.date(YEAR, 6, 2))
    pay_spp(world, spp, VILLAGE_A1, day=dt.date(YEAR, 6, 10))
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    return case, spp


def test_reversing_a_house_payment_puts_the_case_back_to_decided(world: Any) -> None:
    case, spp = _paid_house(world)
    _reverse(world, spp)
    case.refresh_from_db()
    spp.refresh_from_db()
    assert spp.status == SppStatus.APPROVED
    assert case.status == CaseStatus.DECIDED and case.paid_on is None
    event = CaseEvent.objects.get(case=case, act="assistance.case.unpaid")
    assert event.source == CaseStatus.PAID and event.target == CaseStatus.DECIDED and spp.number in event.note


def test_a_house_payment_is_not_reversed_once_work_is_reported(world: Any) -> None:
    case, spp = _paid_house(world)
    progress_report(
        actor=world.user(Role.EXECUTOR, VILLAGE_A1),
        case=case,
        percent=0,
        reported_on=dt.date(YEAR, 6, 11),
        photos=[jpeg()],
    )
    entries = JournalEntry.objects.count()
    with pytest.raises(KampungError, match="sudah dilaporkan berjalan"):
        _reverse(world, spp)
    case.refresh_from_db()
    spp.refresh_from_db()
    assert JournalEntry.objects.count() == entries
    assert case.status == CaseStatus.PAID and spp.status == SppStatus.PAID


def test_reversing_a_blt_month_before_handing_out_and_refusing_after(world: Any) -> None:
    blt, cases = blt_village(world, n=2)
    first = pay_month(world, request(world, blt, 1, date=dt.date(YEAR, 1, 20)))
    second = pay_month(world, request(world, blt, 2, date=dt.date(YEAR, 2, 20)), day=dt.date(YEAR, 2, 25))
    # February reversed: January still paid them, so the households stay "paid".
    _reverse(world, second)
    assert {c.status for c in type(cases[0]).objects.filter(pk__in=[c.pk for c in cases])} == {
        CaseStatus.PAID
    }
    # January handed out to one household: its reversal is refused.
    blt_services.blt_distribution_record(
        actor=world.user(Role.TREASURER, VILLAGE_A1),
        payment=MonthlyPayment.objects.filter(spp=first).first(),
        paid_on=dt.date(YEAR, 1, 26),
        method="tunai",
        received_by="Penerima",
    )
    with pytest.raises(KampungError, match="penyaluran BLT bulan itu sudah"):
        _reverse(world, first)
    first.refresh_from_db()
    assert first.status == SppStatus.PAID


def test_reversing_the_only_paid_blt_month_returns_households_to_decided(world: Any) -> None:
    blt, cases = blt_village(world, n=2)
    spp = pay_month(world, request(world, blt, 1, date=dt.date(YEAR, 1, 20)))
    _reverse(world, spp)
    for case in cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.DECIDED and case.paid_on is None
        assert CaseEvent.objects.filter(case=case, act="assistance.blt.unpaid").exists()
