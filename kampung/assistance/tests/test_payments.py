"""Paying a decided case through the finance SPP: the secretary drafts the SPP LS on the RTLH
line, the secretary verifies, the head approves, the treasurer pays, and the case is
``dibayar`` in the same transaction; refusals and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.assistance.models import Case, CaseEvent, CaseStatus
from kampung.assistance.services.payments import case_spp_create
from kampung.assistance.tests.factories import YEAR, programmes, rtlh_budget
from kampung.assistance.tests.test_decisions_support import decided, pay_spp, signing_ready
from kampung.conftest import VILLAGE_A1, VILLAGE_B1
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.finance.ledger import balance
from kampung.finance.models import BANK, Book, SppStatus
from kampung.finance.services import payments as fin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    signing_ready(settings, tmp_path)
    with time_machine.travel(dt.datetime(YEAR, 6, 15, 9, 0), tick=False):
        yield


@pytest.fixture
def rtlh(world):
    programme, _blt = programmes()
    return programme


def test_spp_through_secretary_head_and_treasurer_pays_the_case(world, rtlh):
    rtlh_budget(VILLAGE_A1)
    case = decided(world, rtlh, VILLAGE_A1)
    spp = case_spp_create(actor=world.user(Role.SECRETARY, VILLAGE_A1), case=case, date=dt.date(YEAR, 6, 2))
    assert spp.kind == "LS" and spp.amount == Decimal(17_500_000) and spp.payee_name == case.name
    line = spp.lines.select_related("budget_line__account", "budget_line__activity__activity_code").get()
    assert line.budget_line.account.code == "5.2.7.03"
    assert line.budget_line.activity.activity_code.code == "02.04.01"
    case.refresh_from_db()
    assert case.spp == spp and case.status == CaseStatus.DECIDED
    assert CaseEvent.objects.filter(case=case, act="assistance.case.spp").exists()

    pay_spp(world, spp, VILLAGE_A1, day=dt.date(YEAR, 6, 10))
    spp.refresh_from_db()
    case.refresh_from_db()
    assert spp.status == SppStatus.PAID
    assert case.status == CaseStatus.PAID and case.paid_on == dt.date(YEAR, 6, 10)
    event = CaseEvent.objects.get(case=case, act="assistance.case.paid")
    assert event.source == "ditetapkan" and event.target == "dibayar" and spp.number in event.note
    book = Book.objects.get(village_id=VILLAGE_A1, year=YEAR)
    assert balance(book, BANK) == Decimal(600_000_000 - 17_500_000)


def test_the_executor_may_draft_it_too_and_other_spp_leave_cases_alone(world, rtlh):
    rtlh_budget(VILLAGE_A1)
    case = decided(world, rtlh, VILLAGE_A1)
    other = decided(world, rtlh, VILLAGE_A1)
    spp = case_spp_create(actor=world.user(Role.EXECUTOR, VILLAGE_A1), case=case, date=dt.date(YEAR, 6, 2))
    pay_spp(world, spp, VILLAGE_A1, day=dt.date(YEAR, 6, 10))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PAID
    assert Case.objects.get(pk=other.pk).status == CaseStatus.DECIDED


def test_refusals_change_nothing(world, rtlh):
    case = decided(world, rtlh, VILLAGE_A1)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    with pytest.raises(KampungError, match="belum mempunyai APBDes 2026"):
        case_spp_create(actor=secretary, case=case, date=dt.date(YEAR, 6, 2))
    rtlh_budget(VILLAGE_A1)
    with pytest.raises(NotPermitted):
        case_spp_create(actor=world.user(Role.TREASURER, VILLAGE_A1), case=case, date=dt.date(YEAR, 6, 2))
    with pytest.raises(NotPermitted):
        case_spp_create(actor=world.user(Role.SECRETARY, VILLAGE_B1), case=case, date=dt.date(YEAR, 6, 2))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.PROPOSED)
    case.refresh_from_db()
    with pytest.raises(InvalidTransition, match="sudah ditetapkan"):
        case_spp_create(actor=secretary, case=case, date=dt.date(YEAR, 6, 2))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DECIDED)
    spp = case_spp_create(actor=secretary, case=case, date=dt.date(YEAR, 6, 2))
    with pytest.raises(KampungError, match=f"sudah mempunyai SPP {spp.number}"):
        case_spp_create(actor=secretary, case=case, date=dt.date(YEAR, 6, 2))
    # A cancelled SPP lets the office draft a new one.
    fin.spp_cancel(actor=secretary, spp=spp, note="salah tanggal")
    again = case_spp_create(actor=secretary, case=case, date=dt.date(YEAR, 6, 3))
    assert Case.objects.get(pk=case.pk).spp == again


def test_an_spp_over_the_line_is_refused_by_finance(world, rtlh):
    rtlh_budget(VILLAGE_A1, units=1, unit_price=10_000_000)
    case = decided(world, rtlh, VILLAGE_A1)
    with pytest.raises(KampungError, match="melebihi sisa"):
        case_spp_create(actor=world.user(Role.SECRETARY, VILLAGE_A1), case=case, date=dt.date(YEAR, 6, 2))
    assert Case.objects.get(pk=case.pk).spp is None


def test_spp_page_creates_and_redirects_to_finance(client, world, rtlh):
    rtlh_budget(VILLAGE_A1)
    case = decided(world, rtlh, VILLAGE_A1)
    url = reverse("assistance:case_spp", args=[case.pk])
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    assert client.get(url).status_code == 200
    assert client.post(url, {"date": "bukan tanggal"}).status_code == 400
    response = client.post(url, {"date": "2026-06-02"})
    case.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse(
        "finance:spp_detail", args=[case.spp_id]
    )
    again = client.post(url, {"date": "2026-06-02"})
    assert again.status_code == 400 and "sudah mempunyai SPP" in again.content.decode()
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(url).status_code == 404
    client.force_login(world.user(Role.SECRETARY, VILLAGE_B1))
    assert client.post(url, {"date": "2026-06-02"}).status_code == 404
