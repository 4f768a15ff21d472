"""BLT Dana Desa services: the Dana Desa cap, the month's SPP, the distribution record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.accounts.roles import Role
from kampung.assistance.loader import programme_year_get
from kampung.assistance.models import Case, CaseEvent, CaseStatus, MonthlyPayment, Programme
from kampung.assistance.services import blt as svc
from kampung.assistance.tests.factories import household, make_case, programmes, rtlh_budget
from kampung.assistance.timeline import ACT_LABELS
from kampung.audit.models import AuditEntry
from kampung.conftest import VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import AttachmentKind, Spp, SppStatus
from kampung.finance.services import payments as fin
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db
YEAR = 2026
NOW = dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC)
MONTHLY = Decimal("300000")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def blt_village(
    world: Any, village: str = VILLAGE_A1, *, n: int = 3, budget: bool = True
) -> tuple[Programme, list[Case]]:
    """The BLT programme, a budget in force (when ``budget``) and ``n`` decided households."""
    _, blt = programmes()
    if budget:
        rtlh_budget(village)
    cases = []
    for i in range(n):
        family, head = household(world, village, name=f"Penerima BLT {i + 1}")
        cases.append(make_case(blt, family, head, status=CaseStatus.DECIDED, amount=3_600_000))
    return blt, cases


def pay_spp(world: Any, spp: Spp, village: str = VILLAGE_A1, day: dt.date = dt.date(YEAR, 1, 25)) -> Spp:
    """The month's SPP through four people: attach, submit, verify, approve, pay."""
    secretary = world.user(Role.SECRETARY, village)
    upload = SimpleUploadedFile("ba.pdf", b"%PDF-1.4\n% daftar penerima\n", content_type="application/pdf")
    fin.attachment_add(actor=secretary, spp=spp, kind=AttachmentKind.HANDOVER, upload=upload)
    fin.spp_submit(actor=secretary, spp=spp)
    fin.spp_verify(actor=secretary, spp=spp, complete=True, correct=True, funds=True)
    fin.spp_approve(actor=world.user(Role.HEAD, village), spp=spp)
    fin.spp_pay(
        actor=world.user(Role.TREASURER, village),
        spp=spp,
        date=day,
        method="transfer",
        reference="TRF-BLT-01",
    )
    spp.refresh_from_db()
    return spp


def request(world: Any, blt: Programme, month: int = 1, village: str = VILLAGE_A1, **kw: Any) -> Spp:
    return svc.blt_month_request(
        actor=kw.pop("actor", None) or world.user(Role.SECRETARY, village),
        programme=blt,
        village=Region.objects.get(code=village),
        year=YEAR,
        month=month,
        date=kw.pop("date") if "date" in kw else dt.date(YEAR, month, 20),
    )


# -- the Dana Desa cap ---------------------------------------------------------------------


def test_cap_allows_up_to_the_line_and_refuses_past_it(world: Any) -> None:
    blt, _ = blt_village(world, n=0)
    py = programme_year_get(blt, YEAR)
    # Line 36 × 3,6 jt = 129,6 jt; cap 15 % of Rp1 M = 150 jt.
    svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=36)
    with pytest.raises(KampungError) as err:
        svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=37)
    assert "Rp 133.200.000" in err.value.message
    assert "Rp 129.600.000" in err.value.message
    assert "5.4.1.01" in err.value.message


def test_cap_on_dana_desa_names_both_figures(world: Any) -> None:
    blt, _ = blt_village(world, n=0)
    py = programme_year_get(blt, YEAR)
    py.dd_cap_percent = Decimal("10")
    py.save()
    svc.dd_cap_check(programme_year=py, village=Region.objects.get(code=VILLAGE_A1), households=27)
    with pytest.raises(KampungError) as err:
        svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=28)
    message = err.value.message
    assert "Rp 100.800.000" in message  # 28 × 300.000 × 12
    assert "Rp 100.000.000" in message  # 10 % of the Dana Desa
    assert "Rp 1.000.000.000" in message
    assert "10%" in message


def test_cap_counts_extra_months_and_the_year_amount(world: Any) -> None:
    blt, _ = blt_village(world, n=0)
    py = programme_year_get(blt, YEAR)
    # 40 households for 10 months = 120 jt: inside the line and the cap.
    svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=40, extra_months=10)
    with pytest.raises(KampungError):
        svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=40)
    py.amount = Decimal("600000")
    py.save()
    with pytest.raises(KampungError, match="Rp 129.600.000"):
        svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=20)
    with pytest.raises(KampungError):
        svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=1, extra_months=13)


def test_cap_without_a_percent_still_checks_the_line(world: Any) -> None:
    blt, _ = blt_village(world, n=0)
    py = programme_year_get(blt, YEAR)
    py.dd_cap_percent = None
    py.save()
    svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=36)
    with pytest.raises(KampungError, match="melebihi anggaran kegiatan"):
        svc.dd_cap_check(programme_year=py, village=VILLAGE_A1, households=37)


def test_cap_refused_without_a_budget_in_force(world: Any) -> None:
    blt, _ = blt_village(world, n=0, budget=False)
    py = programme_year_get(blt, YEAR)
    with pytest.raises(KampungError, match="APBDes 2026 desa ini belum ditetapkan"):
        svc.dd_cap_check(programme_year=py, village=VILLAGE_A2, households=1)


def test_figures_report_dana_desa_cap_and_line(world: Any) -> None:
    blt, _ = blt_village(world, n=0)
    figures = svc.dd_figures(programme_year=programme_year_get(blt, YEAR), village=VILLAGE_A1)
    assert figures.dana_desa == Decimal("1000000000")
    assert figures.cap_amount == Decimal("150000000")
    assert figures.line_amount == Decimal("129600000")
    assert figures.months == 12 and figures.monthly_amount == MONTHLY


# -- the month's SPP -----------------------------------------------------------------------


def test_month_request_makes_one_ls_spp_and_a_row_per_household(world: Any) -> None:
    blt, cases = blt_village(world)
    # Not a beneficiary yet: left out.
    family, head = household(world, VILLAGE_A1)
    make_case(blt, family, head, status=CaseStatus.PRIORITISED)
    spp = request(world, blt, 1)
    assert spp.kind == "LS" and spp.status == SppStatus.DRAFT
    assert spp.amount == MONTHLY * 3
    assert spp.activity.activity_code.code == "05.03.00"
    assert [sl.budget_line.account.code for sl in spp.lines.select_related("budget_line__account")] == [
        "5.4.1.01"
    ]
    rows = MonthlyPayment.objects.filter(spp=spp).order_by("case__number")
    assert [r.case_id for r in rows] == [c.pk for c in sorted(cases, key=lambda c: c.number)]
    assert all(r.amount == MONTHLY and not r.collected and r.month == 1 for r in rows)
    assert CaseEvent.objects.filter(act="assistance.blt.request").count() == 3
    assert AuditEntry.objects.filter(act="assistance.blt.request").count() == 3


def test_month_request_refusals_change_nothing(world: Any) -> None:
    blt, _ = blt_village(world)
    py = programme_year_get(blt, YEAR)
    py.months = 6
    py.save()
    with pytest.raises(KampungError, match="di luar masa BLT"):
        request(world, blt, 7)
    with pytest.raises(KampungError, match="di luar masa BLT"):
        request(world, blt, 0, date=dt.date(YEAR, 1, 20))
    with pytest.raises(NotPermitted):
        request(world, blt, 1, actor=world.user(Role.OPERATOR, VILLAGE_A1))
    with pytest.raises(NotPermitted):
        request(world, blt, 1, actor=world.user(Role.SECRETARY, VILLAGE_A2))
    assert not Spp.objects.exists() and not MonthlyPayment.objects.exists()
    first = request(world, blt, 1)
    with pytest.raises(KampungError, match=f"sudah diajukan untuk semua penerima \\(SPP {first.number}\\)"):
        request(world, blt, 1)
    assert Spp.objects.count() == 1 and MonthlyPayment.objects.count() == 3


def test_month_request_without_beneficiaries(world: Any) -> None:
    blt, _ = blt_village(world, n=0)
    with pytest.raises(KampungError, match="Belum ada keluarga penerima"):
        request(world, blt, 1)


def test_month_request_refused_by_finance_leaves_no_rows(world: Any) -> None:
    blt, _ = blt_village(world)
    with pytest.raises(KampungError, match="belum tiba"):
        request(world, blt, 7, date=dt.date(YEAR, 7, 20))  # after "today" (15 June)
    assert not MonthlyPayment.objects.exists() and not Spp.objects.exists()


def test_late_beneficiary_gets_a_second_spp_and_a_cancelled_month_can_be_asked_again(world: Any) -> None:
    blt, _ = blt_village(world, n=2)
    first = request(world, blt, 1)
    family, head = household(world, VILLAGE_A1)
    late = make_case(blt, family, head, status=CaseStatus.DECIDED)
    second = request(world, blt, 1)
    assert second.amount == MONTHLY
    assert MonthlyPayment.objects.get(spp=second).case_id == late.pk
    fin.spp_cancel(actor=world.user(Role.SECRETARY, VILLAGE_A1), spp=first)
    third = request(world, blt, 1)
    assert third.amount == MONTHLY * 2
    assert MonthlyPayment.objects.filter(month=1).count() == 3
    assert MonthlyPayment.objects.filter(spp=third).count() == 2


# -- payment and distribution --------------------------------------------------------------


def test_paid_spp_moves_households_to_paid_and_distribution_is_recorded(world: Any) -> None:
    blt, cases = blt_village(world)
    spp = pay_spp(world, request(world, blt, 1))
    assert spp.status == SppStatus.PAID
    for case in cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.PAID and case.paid_on == dt.date(YEAR, 1, 25)
    assert CaseEvent.objects.filter(act="assistance.blt.paid", target=CaseStatus.PAID).count() == 3
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    rows = list(MonthlyPayment.objects.filter(spp=spp).order_by("case__number"))
    got = svc.blt_distribution_record(
        actor=treasurer, payment=rows[0], paid_on=dt.date(YEAR, 1, 26), method="tunai", received_by=""
    )
    assert got.collected and got.received_by == rows[0].case.name and got.recorded_by == treasurer
    svc.blt_distribution_record(
        actor=world.user(Role.SECRETARY, VILLAGE_A1),
        payment=rows[1],
        paid_on=None,
        method="",
        received_by="",
        collected=False,
        note="Pindah ke luar desa",
    )
    rows[1].refresh_from_db()
    assert not rows[1].collected and rows[1].note == "Pindah ke luar desa"
    assert CaseEvent.objects.filter(case=rows[1].case, act="assistance.blt.not_collected").exists()
    # The bulk form marks only the household not yet recorded.
    marked = svc.blt_month_distribute(
        actor=treasurer,
        programme=blt,
        village=Region.objects.get(code=VILLAGE_A1),
        year=YEAR,
        month=1,
        paid_on=dt.date(YEAR, 1, 27),
        method="transfer",
    )
    assert marked == 1
    rows[2].refresh_from_db()
    assert rows[2].collected and rows[2].paid_on == dt.date(YEAR, 1, 27) and rows[2].method == "transfer"
    with pytest.raises(KampungError, match="belum dicatat"):
        svc.blt_month_distribute(
            actor=treasurer,
            programme=blt,
            village=Region.objects.get(code=VILLAGE_A1),
            year=YEAR,
            month=1,
            paid_on=dt.date(YEAR, 1, 27),
            method="tunai",
        )


def test_distribution_refusals(world: Any) -> None:
    blt, _ = blt_village(world, n=1)
    spp = request(world, blt, 1)
    row = MonthlyPayment.objects.get(spp=spp)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    ok = {"paid_on": dt.date(YEAR, 1, 26), "method": "tunai", "received_by": ""}
    with pytest.raises(KampungError, match="belum dibayar bendahara"):
        svc.blt_distribution_record(actor=treasurer, payment=row, **ok)
    pay_spp(world, spp)
    with pytest.raises(NotPermitted):
        svc.blt_distribution_record(actor=world.user(Role.OPERATOR, VILLAGE_A1), payment=row, **ok)
    with pytest.raises(NotPermitted):
        svc.blt_distribution_record(actor=world.user(Role.TREASURER, VILLAGE_A2), payment=row, **ok)
    with pytest.raises(KampungError, match="sebelum SPP dibayar"):
        svc.blt_distribution_record(actor=treasurer, payment=row, **{**ok, "paid_on": dt.date(YEAR, 1, 2)})
    with pytest.raises(KampungError, match="belum tiba"):
        svc.blt_distribution_record(actor=treasurer, payment=row, **{**ok, "paid_on": dt.date(YEAR, 7, 1)})
    with pytest.raises(KampungError, match="Cara bayar"):
        svc.blt_distribution_record(actor=treasurer, payment=row, **{**ok, "method": "cek"})
    with pytest.raises(KampungError, match="alasan"):
        svc.blt_distribution_record(actor=treasurer, payment=row, **ok, collected=False)
    row.refresh_from_db()
    assert not row.collected and not row.note and row.paid_on is None
    assert not CaseEvent.objects.filter(act__startswith="assistance.blt.distribute").exists()


def test_an_rtlh_spp_payment_does_not_touch_blt_cases(world: Any) -> None:
    blt, cases = blt_village(world, n=1)
    svc.on_month_spp_paid(
        Spp(pk=10**6, number="X"), world.user(Role.TREASURER, VILLAGE_A1), dt.date(YEAR, 1, 1)
    )
    cases[0].refresh_from_db()
    assert cases[0].status == CaseStatus.DECIDED


def test_every_timeline_act_has_a_label(world: Any) -> None:
    blt, _ = blt_village(world, n=1)
    spp = pay_spp(world, request(world, blt, 1))
    svc.blt_distribution_record(
        actor=world.user(Role.TREASURER, VILLAGE_A1),
        payment=MonthlyPayment.objects.get(spp=spp),
        paid_on=None,
        method="",
        received_by="",
        collected=False,
        note="Tidak hadir",
    )
    svc.blt_distribution_record(
        actor=world.user(Role.TREASURER, VILLAGE_A1),
        payment=MonthlyPayment.objects.get(spp=spp),
        paid_on=dt.date(YEAR, 2, 1),
        method="tunai",
        received_by="Anak",
    )
    acts = set(CaseEvent.objects.filter(act__startswith="assistance.blt.").values_list("act", flat=True))
    assert acts == set(svc.BLT_ACTS) - {"assistance.blt.unpaid"}  # see test_reversals.py
    assert set(svc.BLT_ACTS) <= set(ACT_LABELS)


def test_payment_refused_when_the_spp_no_longer_matches_its_list(world: Any) -> None:
    blt, cases = blt_village(world, n=2)
    spp = request(world, blt, 1)
    line = spp.lines.get()
    fin.spp_update(
        actor=world.user(Role.SECRETARY, VILLAGE_A1),
        spp=spp,
        kind="LS",
        date=spp.date,
        description=spp.description,
        payee_name=spp.payee_name,
        lines=[(line.budget_line_id, Decimal("900000"), line.description)],
    )
    with pytest.raises(KampungError, match="daftar penerima BLT-nya berjumlah Rp 600.000"):
        pay_spp(world, spp)
    spp.refresh_from_db()
    assert spp.status == SppStatus.APPROVED and spp.entry_id is None
    assert all(Case.objects.get(pk=c.pk).status == CaseStatus.DECIDED for c in cases)
