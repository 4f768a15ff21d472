"""APBDes services: drafting rules, roles, the life cycle with its authority, deemed approval,
and the APBDes Perubahan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import (
    Apbdes,
    ApbdesStatus,
    BudgetActivity,
    BudgetLine,
    EvaluationResult,
    FinancingLine,
    PlanStatus,
    RevenueLine,
    RkpActivity,
    Rkpdes,
    UnitPrice,
)
from kampung.finance.services import apbdes as svc
from kampung.finance.tests.factories import activity_code, ceilings, make_apbdes, source
from kampung.regions.models import Holiday, Region

pytestmark = pytest.mark.django_db

D = dt.date


def R(code):
    return Region.objects.get(code=code)


def camat_delegation(world):
    """The demo's Perbup: the bupati delegates the APBDes evaluation to every camat."""
    from kampung.authority.models import DelegationKind, InstrumentKind, TargetScope
    from kampung.authority.register import DelegationInput, delegation_create, instrument_create

    admin = world.user(Role.ADMIN, REGENCY)
    perbup = instrument_create(
        actor=admin,
        regency=R(REGENCY),
        kind=InstrumentKind.PERBUP,
        number="35",
        date=D(2019, 7, 1),
        title="Pendelegasian Evaluasi Rancangan Perdes APBDes kepada Camat",
    )
    return delegation_create(
        actor=admin,
        instrument=perbup,
        data=DelegationInput(
            kind=DelegationKind.DELEGASI,
            from_role=Role.BUPATI,
            from_region=R(REGENCY),
            to_role=Role.CAMAT,
            to_region=R(REGENCY),
            to_scope=TargetScope.DISTRICTS_UNDER,
            acts=["finance.apbdes.evaluate"],
            valid_from=D(2019, 7, 1),
        ),
    )


def u(world, role, region=VILLAGE_A1):
    return world.user(role, region)


# -- drafting ------------------------------------------------------------------------------


def test_create_prefills_revenue_from_ceilings_and_kegiatan_from_the_rkpdes(world):
    ceilings(VILLAGE_A1, 2027, DDS=1_000_000_000, ADD=400_000_000)
    rkp = Rkpdes.objects.create(village=R(VILLAGE_A1), year=2027, status=PlanStatus.ENACTED)
    RkpActivity.objects.create(
        rkp=rkp,
        activity_code=activity_code("02.03.10"),
        name="Rabat beton Dusun Krajan",
        location="Krajan",
        amount=Decimal(450_000_000),
        source=source("DDS"),
        output_volume=Decimal(300),
        output_unit="m",
    )
    apbdes = svc.apbdes_create(actor=u(world, Role.SECRETARY), village=R(VILLAGE_A1), year=2027)
    assert apbdes.status == ApbdesStatus.DRAFT and apbdes.is_current and apbdes.rkp == rkp
    revenue = {r.source_id: (r.account.code, r.amount) for r in apbdes.revenues.select_related("account")}
    assert revenue == {"DDS": ("4.2.1.01", Decimal(1_000_000_000)), "ADD": ("4.2.3.01", Decimal(400_000_000))}
    activity = apbdes.activities.get()
    assert (activity.name, activity.output_unit, activity.rkp_activity.rkp_id) == (
        "Rabat beton Dusun Krajan",
        "m",
        rkp.pk,
    )
    assert AuditEntry.objects.filter(act="finance.apbdes.create", object_id=str(apbdes.pk)).exists()


def test_create_refuses_a_second_original_a_kelurahan_and_other_roles(world):
    svc.apbdes_create(actor=u(world, Role.SECRETARY), village=R(VILLAGE_A1), year=2027, from_rkp=False)
    with pytest.raises(KampungError, match="sudah ada"):
        svc.apbdes_create(actor=u(world, Role.SECRETARY), village=R(VILLAGE_A1), year=2027)
    with pytest.raises(KampungError, match="Kelurahan"):
        svc.apbdes_create(actor=u(world, Role.HEAD, KELURAHAN_B), village=R(KELURAHAN_B), year=2027)
    with pytest.raises(NotPermitted):
        svc.apbdes_create(actor=u(world, Role.BPD), village=R(VILLAGE_A1), year=2028)
    with pytest.raises(NotPermitted):
        svc.apbdes_create(actor=world.user(Role.SECRETARY, "35.10.01.2002"), village=R(VILLAGE_A1), year=2028)
    assert Apbdes.objects.filter(village_id=VILLAGE_A1).count() == 1


def test_treasurer_adds_a_line_from_the_ssh_with_the_amount_computed(world):
    apbdes = make_apbdes(VILLAGE_A1)
    activity = apbdes.activities.get(activity_code__code="02.03.10")
    item = UnitPrice.objects.create(
        regency_id=REGENCY,
        year=2027,
        code="1.1.7.01",
        name="Semen PC 50 kg",
        unit="zak",
        price=Decimal("72500"),
        account_code="5.3.5.03",
    )
    line = svc.budget_line_save(
        actor=u(world, Role.TREASURER),
        activity=activity,
        account_code="5.3.5.03",
        source_code="DDS",
        description="Semen",
        volume="13",
        unit_price_id=item.pk,
    )
    assert (line.unit, line.unit_price, line.amount, line.unit_price_ref) == (
        "zak",
        Decimal("72500"),
        Decimal("942500"),
        item,
    )
    # An override of the SSH price is kept and the item is still recorded.
    line = svc.budget_line_save(
        actor=u(world, Role.TREASURER),
        activity=activity,
        line=line,
        account_code="5.3.5.03",
        source_code="DDS",
        description="Semen",
        volume="2.5",
        unit_price="70001",
        unit_price_id=item.pk,
    )
    assert (line.unit_price, line.amount, line.unit_price_ref_id) == (
        Decimal("70001"),
        Decimal("175003"),
        item.pk,
    )
    entry = AuditEntry.objects.filter(act="finance.apbdes.line.save").latest("seq")
    assert entry.after["ssh"] == "1.1.7.01" and entry.after["amount"] == "175003"


@pytest.mark.parametrize(
    "override, message",
    [
        ({"account_code": "4.2.1.01"}, "rekening belanja"),
        ({"account_code": "5.2.1"}, "rekening belanja"),
        ({"source_code": "XXX"}, "Sumber dana"),
        ({"volume": "0"}, "Volume"),
        ({"volume": "abc"}, "Volume"),
        ({"unit_price": "-5"}, "Harga satuan"),
        ({"unit_price": ""}, "harga satuan"),
        ({"description": "  "}, "uraian"),
        ({"unit": ""}, "satuan"),
    ],
)
def test_bad_line_input_is_refused_and_nothing_changes(world, override, message):
    apbdes = make_apbdes(VILLAGE_A1)
    activity = apbdes.activities.get(activity_code__code="02.03.10")
    before = BudgetLine.objects.count()
    data = {
        "account_code": "5.2.1.01",
        "source_code": "DDS",
        "description": "ATK",
        "volume": "2",
        "unit": "rim",
        "unit_price": "50000",
    }
    data.update(override)
    with pytest.raises(KampungError, match=message):
        svc.budget_line_save(actor=u(world, Role.TREASURER), activity=activity, **data)
    assert BudgetLine.objects.count() == before


def test_revenue_activity_and_financing_lines_and_deletes(world):
    apbdes = make_apbdes(VILLAGE_A1)
    sec = u(world, Role.SECRETARY)
    revenue = svc.revenue_line_save(
        actor=sec,
        apbdes=apbdes,
        account_code="4.1.1.01",
        source_code="PAD",
        description="Hasil usaha",
        amount="5000000",
    )
    financing = svc.financing_line_save(actor=sec, apbdes=apbdes, account_code="6.2.1.01", amount="5000000")
    activity = svc.activity_save(
        actor=sec, apbdes=apbdes, activity_code="03.01.01", name="Pelatihan", start_month=3, end_month=5
    )
    assert activity.activity_code.code == "03.01.01"
    with pytest.raises(KampungError, match="kegiatan"):
        svc.activity_save(actor=sec, apbdes=apbdes, activity_code="03.01", name="Sub bidang")
    with pytest.raises(KampungError, match="Bulan"):
        svc.activity_save(actor=sec, apbdes=apbdes, activity_code="03.01.01", start_month=6, end_month=2)
    with pytest.raises(KampungError, match="pembiayaan"):
        svc.financing_line_save(actor=sec, apbdes=apbdes, account_code="5.2.1.01", amount="1")
    svc.revenue_line_delete(actor=sec, line=revenue)
    svc.financing_line_delete(actor=sec, line=financing)
    svc.activity_delete(actor=sec, activity=activity)
    assert not RevenueLine.objects.filter(pk=revenue.pk).exists()
    assert not FinancingLine.objects.filter(pk=financing.pk).exists()
    assert not BudgetActivity.objects.filter(pk=activity.pk).exists()
    acts = set(AuditEntry.objects.filter(act__startswith="finance.apbdes.").values_list("act", flat=True))
    assert {
        "finance.apbdes.revenue.delete",
        "finance.apbdes.activity.save",
        "finance.apbdes.financing.save",
    } <= acts


def test_lines_are_frozen_once_agreed(world):
    apbdes = make_apbdes(VILLAGE_A1, status=ApbdesStatus.AGREED)
    with pytest.raises(KampungError, match="tidak dapat diubah"):
        svc.revenue_line_save(
            actor=u(world, Role.SECRETARY),
            apbdes=apbdes,
            account_code="4.1.1.01",
            source_code="PAD",
            amount="1",
        )


# -- life cycle ----------------------------------------------------------------------------


def test_agreement_is_refused_while_a_blocking_problem_remains(world):
    apbdes = make_apbdes(VILLAGE_A1)
    FinancingLine.objects.filter(apbdes=apbdes).update(amount=Decimal(10_000_000))
    with pytest.raises(KampungError) as exc:
        svc.apbdes_agree(
            actor=u(world, Role.BPD), apbdes=apbdes, agreed_on=D(2026, 10, 20), minutes_number="1/BPD"
        )
    assert "Defisit" in exc.value.message
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.DRAFT and not apbdes.bpd_minutes_number


def test_roles_of_the_life_cycle(world):
    apbdes = make_apbdes(VILLAGE_A1)
    with pytest.raises(NotPermitted):
        svc.apbdes_agree(
            actor=u(world, Role.TREASURER), apbdes=apbdes, agreed_on=D(2026, 10, 20), minutes_number="1"
        )
    # The secretary records the BPD's agreement (co-holder of the act).
    svc.apbdes_agree(
        actor=u(world, Role.SECRETARY),
        apbdes=apbdes,
        agreed_on=D(2026, 10, 20),
        minutes_number="07/BA/BPD/2026",
    )
    with pytest.raises(NotPermitted):
        svc.apbdes_submit(actor=u(world, Role.SECRETARY), apbdes=apbdes, submitted_on=D(2026, 10, 22))
    svc.apbdes_submit(actor=u(world, Role.HEAD), apbdes=apbdes, submitted_on=D(2026, 10, 22))
    # A camat without the bupati's delegation may not evaluate.
    camat = world.user(Role.CAMAT, DISTRICT_A)
    with pytest.raises(NotPermitted):
        svc.apbdes_evaluate(actor=camat, apbdes=apbdes, approve=True, notes="", decided_on=D(2026, 11, 2))
    # The bupati holds the act by law.
    evaluation = svc.apbdes_evaluate(
        actor=world.user(Role.BUPATI, REGENCY),
        apbdes=apbdes,
        approve=True,
        notes="",
        decided_on=D(2026, 11, 2),
    )
    assert evaluation.basis.startswith("atribusi")
    with pytest.raises(NotPermitted):
        svc.apbdes_enact(
            actor=u(world, Role.SECRETARY), apbdes=apbdes, perdes_number="5", perdes_date=D(2026, 11, 5)
        )
    svc.apbdes_enact(actor=u(world, Role.HEAD), apbdes=apbdes, perdes_number="5", perdes_date=D(2026, 11, 5))
    svc.apbdes_elaborate(actor=u(world, Role.HEAD), apbdes=apbdes, number="9", date=D(2026, 11, 6))
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.ELABORATED and apbdes.penjabaran_number == "9"
    acts = list(
        AuditEntry.objects.filter(object_type="finance.Apbdes", object_id=str(apbdes.pk))
        .order_by("seq")
        .values_list("act", flat=True)
    )
    assert acts == [
        "finance.apbdes.agree",
        "finance.apbdes.submit",
        "finance.apbdes.evaluate",
        "finance.apbdes.enact",
        "finance.apbdes.elaborate",
    ]


def test_camat_evaluates_under_delegation_returned_fixed_and_approved(world):
    camat_delegation(world)
    apbdes = make_apbdes(VILLAGE_A1)
    head, camat = u(world, Role.HEAD), world.user(Role.CAMAT, DISTRICT_A)
    svc.apbdes_agree(actor=u(world, Role.BPD), apbdes=apbdes, agreed_on=D(2026, 10, 20), minutes_number="1")
    svc.apbdes_submit(actor=head, apbdes=apbdes, submitted_on=D(2026, 10, 21))
    with pytest.raises(KampungError, match="catatan"):
        svc.apbdes_evaluate(actor=camat, apbdes=apbdes, approve=False, notes=" ", decided_on=D(2026, 10, 28))
    returned = svc.apbdes_evaluate(
        actor=camat, apbdes=apbdes, approve=False, notes="Perbaiki uraian RAB", decided_on=D(2026, 10, 28)
    )
    assert returned.result == EvaluationResult.RETURNED and returned.basis.startswith("delegasi")
    apbdes.refresh_from_db()
    assert apbdes.editable
    line = BudgetLine.objects.get(activity__apbdes=apbdes, description="Upah tukang")
    svc.budget_line_save(
        actor=u(world, Role.SECRETARY),
        activity=line.activity,
        line=line,
        account_code="5.3.5.02",
        source_code="DDS",
        description="Upah tukang (HOK)",
        volume=100,
        unit="HOK",
        unit_price=120_000,
    )
    svc.apbdes_submit(actor=head, apbdes=apbdes, submitted_on=D(2026, 10, 29))
    svc.apbdes_evaluate(actor=camat, apbdes=apbdes, approve=True, notes="", decided_on=D(2026, 11, 3))
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.APPROVED
    assert [e.result for e in apbdes.evaluations.all()] == ["dikembalikan", "disetujui"]


def test_a_resubmission_after_return_is_checked_again(world):
    apbdes = make_apbdes(VILLAGE_A1, status=ApbdesStatus.RETURNED, bpd_agreed_on=D(2026, 10, 1))
    FinancingLine.objects.filter(apbdes=apbdes).delete()
    with pytest.raises(KampungError, match="pemeriksaan"):
        svc.apbdes_submit(actor=u(world, Role.HEAD), apbdes=apbdes, submitted_on=D(2026, 10, 29))


def test_dates_in_the_future_or_out_of_order_are_refused(world):
    apbdes = make_apbdes(VILLAGE_A1)
    with pytest.raises(KampungError, match="masa depan"):
        svc.apbdes_agree(actor=u(world, Role.BPD), apbdes=apbdes, agreed_on=D(2099, 1, 1), minutes_number="1")
    svc.apbdes_agree(actor=u(world, Role.BPD), apbdes=apbdes, agreed_on=D(2026, 10, 20), minutes_number="1")
    with pytest.raises(KampungError, match="sebelum"):
        svc.apbdes_submit(actor=u(world, Role.HEAD), apbdes=apbdes, submitted_on=D(2026, 10, 1))


def test_twenty_working_days_then_deemed_approved(world):
    """Submitted Monday 2 Nov 2026: 20 working days end Monday 30 Nov; a regency holiday on
    10 Nov pushes the deadline to 1 Dec. Silence until then counts as approval."""
    Holiday.objects.create(regency_id=REGENCY, date=D(2026, 11, 10), name="Hari Pahlawan (uji)")
    apbdes = make_apbdes(VILLAGE_A1)
    svc.apbdes_agree(actor=u(world, Role.BPD), apbdes=apbdes, agreed_on=D(2026, 10, 30), minutes_number="1")
    svc.apbdes_submit(actor=u(world, Role.HEAD), apbdes=apbdes, submitted_on=D(2026, 11, 2))
    assert apbdes.evaluation_due == D(2026, 12, 1)
    assert svc.apbdes_deem_overdue(today=D(2026, 12, 1)) == []
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        with pytest.raises(KampungError, match="dianggap disetujui"):
            svc.apbdes_evaluate(
                actor=world.user(Role.BUPATI, REGENCY),
                apbdes=apbdes,
                approve=False,
                notes="Terlambat",
                decided_on=D(2026, 12, 2),
            )
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        deemed = svc.apbdes_deem_overdue(today=D(2026, 12, 2))
    assert [a.pk for a in deemed] == [apbdes.pk]
    apbdes.refresh_from_db()
    assert apbdes.status == ApbdesStatus.APPROVED and apbdes.deemed_approved
    evaluation = apbdes.evaluations.get()
    assert evaluation.result == EvaluationResult.DEEMED and evaluation.evaluator is None
    entry = AuditEntry.objects.get(act="finance.apbdes.deem", object_id=str(apbdes.pk))
    assert entry.actor is None and entry.after["deemed_approved"] is True
    assert svc.apbdes_deem_overdue(today=D(2026, 12, 3)) == []  # done once


# -- revision ------------------------------------------------------------------------------


def _enacted(world):
    apbdes = make_apbdes(VILLAGE_A1)
    svc.apbdes_agree(actor=u(world, Role.BPD), apbdes=apbdes, agreed_on=D(2026, 10, 20), minutes_number="1")
    svc.apbdes_submit(actor=u(world, Role.HEAD), apbdes=apbdes, submitted_on=D(2026, 10, 21))
    svc.apbdes_evaluate(
        actor=world.user(Role.BUPATI, REGENCY),
        apbdes=apbdes,
        approve=True,
        notes="",
        decided_on=D(2026, 10, 28),
    )
    svc.apbdes_enact(actor=u(world, Role.HEAD), apbdes=apbdes, perdes_number="5", perdes_date=D(2026, 11, 2))
    return apbdes


def _life_cycle(world, apbdes, day):
    svc.apbdes_agree(actor=u(world, Role.BPD), apbdes=apbdes, agreed_on=day, minutes_number="2")
    svc.apbdes_submit(actor=u(world, Role.HEAD), apbdes=apbdes, submitted_on=day)
    svc.apbdes_evaluate(
        actor=world.user(Role.BUPATI, REGENCY), apbdes=apbdes, approve=True, notes="", decided_on=day
    )
    svc.apbdes_enact(actor=u(world, Role.HEAD), apbdes=apbdes, perdes_number="8", perdes_date=day)


def test_revision_copies_every_row_and_becomes_current_when_enacted(world):
    from kampung.finance.selectors.apbdes import revision_comparison

    base = _enacted(world)
    with pytest.raises(KampungError, match="ditetapkan"):
        svc.apbdes_revision_start(actor=u(world, Role.SECRETARY), apbdes=make_apbdes(VILLAGE_A1, 2028))
    revision = svc.apbdes_revision_start(actor=u(world, Role.SECRETARY), apbdes=base)
    assert (revision.revision, revision.base_id, revision.is_current, revision.status) == (
        1,
        base.pk,
        False,
        "draf",
    )
    assert revision.revenues.count() == base.revenues.count()
    assert revision.financing.count() == base.financing.count()
    assert (
        BudgetLine.objects.filter(activity__apbdes=revision).count()
        == BudgetLine.objects.filter(activity__apbdes=base).count()
    )
    assert all(
        line.origin.activity.apbdes_id == base.pk
        for line in BudgetLine.objects.filter(activity__apbdes=revision).select_related("origin__activity")
    )
    # Revise: the road gets 30 jt more from the SiLPA, ADD revenue goes with its ceiling.
    road = revision.activities.get(activity_code__code="02.03.10")
    line = road.lines.get(description="Upah tukang")
    svc.budget_line_save(
        actor=u(world, Role.SECRETARY),
        activity=road,
        line=line,
        account_code="5.3.5.02",
        source_code="DDS",
        description="Upah tukang",
        volume=350,
        unit="HOK",
        unit_price=120_000,
    )
    financing = revision.financing.get()
    svc.financing_line_save(
        actor=u(world, Role.SECRETARY),
        apbdes=revision,
        line=financing,
        account_code="6.1.1.01",
        source_code="DDS",
        description="SiLPA",
        amount=60_000_000,
    )
    comparison = revision_comparison(revision)
    row = next(r for r in comparison["activities"] if r.code == "02.03.10")
    assert (row.before, row.after, row.difference) == (
        Decimal(462_000_000),
        Decimal(492_000_000),
        Decimal(30_000_000),
    )
    fin = next(r for r in comparison["financing"] if r.code == "6.1.1.01")
    assert fin.difference == Decimal(30_000_000)
    _life_cycle(world, revision, D(2026, 11, 20))
    base.refresh_from_db()
    revision.refresh_from_db()
    assert revision.is_current and not base.is_current
    assert base.status == ApbdesStatus.ENACTED  # the original is kept


def test_a_second_revision_only_in_an_extraordinary_event(world):
    base = _enacted(world)
    first = svc.apbdes_revision_start(actor=u(world, Role.SECRETARY), apbdes=base)
    with pytest.raises(KampungError, match="sedang disusun"):
        svc.apbdes_revision_start(actor=u(world, Role.SECRETARY), apbdes=base)
    _life_cycle(world, first, D(2026, 11, 20))
    with pytest.raises(KampungError, match="luar biasa"):
        svc.apbdes_revision_start(actor=u(world, Role.SECRETARY), apbdes=first)
    with pytest.raises(KampungError, match="alasan"):
        svc.apbdes_revision_start(actor=u(world, Role.SECRETARY), apbdes=first, extraordinary=True)
    second = svc.apbdes_revision_start(
        actor=u(world, Role.SECRETARY), apbdes=first, extraordinary=True, reason="Banjir bandang 20 November"
    )
    assert (second.revision, second.extraordinary, second.base_id) == (2, True, first.pk)
    with pytest.raises(KampungError, match="berlaku"):
        svc.apbdes_revision_start(actor=u(world, Role.SECRETARY), apbdes=base, extraordinary=True, reason="x")
