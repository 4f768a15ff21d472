"""Each APBDes check, broken by one change to the balanced budget of ``make_apbdes``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kampung.conftest import VILLAGE_A1
from kampung.finance.checks import apbdes_problems, blocking
from kampung.finance.models import (
    BudgetLine,
    Ceiling,
    EarmarkRule,
    FinancingLine,
    RevenueLine,
    RuleKind,
)
from kampung.finance.tests.factories import account, add_activity, add_line, make_apbdes, source

pytestmark = pytest.mark.django_db


def codes(apbdes):
    return [p.code for p in blocking(apbdes_problems(apbdes))]


def test_the_factory_budget_passes_every_check():
    apbdes = make_apbdes(VILLAGE_A1)
    assert apbdes_problems(apbdes) == []


def test_a_line_whose_amount_is_not_volume_times_price():
    apbdes = make_apbdes(VILLAGE_A1)
    line = BudgetLine.objects.get(activity__apbdes=apbdes, description="Rabat beton")
    BudgetLine.objects.filter(pk=line.pk).update(volume=Decimal(301))
    # keep the budget otherwise balanced: only the arithmetic is wrong
    problems = blocking(apbdes_problems(apbdes))
    assert [p.code for p in problems] == ["rincian_tidak_sesuai"]
    assert "Rp 451.500.000" in problems[0].message and "Rabat beton" in problems[0].message


def test_zero_or_negative_amounts():
    apbdes = make_apbdes(VILLAGE_A1)
    FinancingLine.objects.filter(apbdes=apbdes).update(amount=Decimal(0))
    assert "nilai_tidak_positif" in codes(apbdes)


def test_negative_silpa():
    apbdes = make_apbdes(VILLAGE_A1)
    FinancingLine.objects.filter(apbdes=apbdes).update(amount=Decimal(-30_000_000))
    problems = blocking(apbdes_problems(apbdes))
    assert "nilai_tidak_positif" in [p.code for p in problems]
    assert any("6.1.1.01" in p.message for p in problems)


def test_spending_on_a_revenue_account_and_on_a_sub_bidang():
    apbdes = make_apbdes(VILLAGE_A1)
    BudgetLine.objects.filter(activity__apbdes=apbdes, description="Lumbung pangan").update(
        account=account("4.2.1.01")
    )
    assert "rekening_salah" in codes(apbdes)


def test_revenue_on_a_level_three_account():
    apbdes = make_apbdes(VILLAGE_A1)
    RevenueLine.objects.filter(apbdes=apbdes, source="PAD").update(account=account("4.1.2"))
    assert "rekening_salah" in codes(apbdes)


def test_spending_under_a_sub_bidang_code():
    from kampung.finance.models import ActivityCode, BudgetActivity

    apbdes = make_apbdes(VILLAGE_A1)
    BudgetActivity.objects.filter(apbdes=apbdes, activity_code__code="04.02.03").update(
        activity_code=ActivityCode.objects.get(code="04.02", regency=None)
    )
    assert "kegiatan_salah" in codes(apbdes)


def test_spending_from_a_source_above_its_revenue():
    apbdes = make_apbdes(VILLAGE_A1)
    # Move 20 jt of the health line from DDS to PAD: PAD then spends 40 jt of its 20 jt.
    line = BudgetLine.objects.get(activity__apbdes=apbdes, description="Insentif kader")
    BudgetLine.objects.filter(pk=line.pk).update(source=source("PAD"))
    RevenueLine.objects.filter(apbdes=apbdes, source="ADD").update(amount=Decimal(360_000_000))
    RevenueLine.objects.filter(apbdes=apbdes, source="PAD").update(amount=Decimal(60_000_000))
    Ceiling.objects.filter(village_id=VILLAGE_A1, source="ADD").update(amount=Decimal(360_000_000))
    assert codes(apbdes) == []  # PAD 60 jt covers its 60 jt spending
    RevenueLine.objects.filter(apbdes=apbdes, source="PAD").update(amount=Decimal(40_000_000))
    FinancingLine.objects.filter(apbdes=apbdes).update(amount=Decimal(50_000_000))
    problems = blocking(apbdes_problems(apbdes))
    assert [p.code for p in problems] == ["sumber_dana_lebih"]
    assert "PAD" in problems[0].message and "Rp 20.000.000" in problems[0].message


def test_a_deficit_not_covered_by_financing():
    apbdes = make_apbdes(VILLAGE_A1)
    FinancingLine.objects.filter(apbdes=apbdes).update(amount=Decimal(10_000_000))
    problems = blocking(apbdes_problems(apbdes))
    assert "defisit_tidak_tertutup" in [p.code for p in problems]
    message = next(p.message for p in problems if p.code == "defisit_tidak_tertutup")
    assert "Rp 30.000.000" in message and "kurang Rp 20.000.000" in message


def test_an_unbalanced_surplus():
    apbdes = make_apbdes(VILLAGE_A1)
    BudgetLine.objects.filter(activity__apbdes=apbdes, description="ATK dari PAD").delete()
    problems = blocking(apbdes_problems(apbdes))
    assert [p.code for p in problems] == ["tidak_seimbang"]
    assert "Rp 20.000.000" in problems[0].message


def test_financing_out_above_what_is_left():
    apbdes = make_apbdes(VILLAGE_A1)
    FinancingLine.objects.create(
        apbdes=apbdes, account=account("6.2.1.01"), amount=Decimal(5_000_000), description="Dana cadangan"
    )
    assert "defisit_tidak_tertutup" in codes(apbdes)


def test_the_thirty_percent_cap():
    apbdes = make_apbdes(VILLAGE_A1)
    from kampung.finance.models import ActivityCode, BudgetActivity

    # Book the health kegiatan (268.4 jt) as RT/RW incentives (01.01.07): 600.4 jt = 41.4 %.
    BudgetActivity.objects.filter(apbdes=apbdes, activity_code__code="02.02.02").update(
        activity_code=ActivityCode.objects.get(code="01.01.07", regency=None)
    )
    problems = blocking(apbdes_problems(apbdes))
    assert [p.code for p in problems] == ["batas_30_persen"]
    assert "01.01.01" in problems[0].message and "30" in problems[0].message


def test_transfer_revenue_must_match_the_ceiling():
    apbdes = make_apbdes(VILLAGE_A1)
    Ceiling.objects.filter(village_id=VILLAGE_A1, source="ADD").update(amount=Decimal(410_000_000))
    problems = blocking(apbdes_problems(apbdes))
    assert [p.code for p in problems] == ["pagu_tidak_sesuai"]
    assert "Rp 410.000.000" in problems[0].message and "ADD" in problems[0].message


def test_a_missing_ceiling_is_named():
    apbdes = make_apbdes(VILLAGE_A1)
    Ceiling.objects.filter(village_id=VILLAGE_A1, source="DDS").delete()
    problems = blocking(apbdes_problems(apbdes))
    assert [p.code for p in problems] == ["pagu_belum_ada"]
    assert "DDS" in problems[0].message


def test_a_ceiling_without_revenue():
    apbdes = make_apbdes(VILLAGE_A1)
    Ceiling.objects.create(village_id=VILLAGE_A1, year=2027, source_id="PBK", amount=Decimal(50_000_000))
    assert codes(apbdes) == ["pagu_tidak_sesuai"]


def test_dana_desa_maximum_earmark():
    apbdes = make_apbdes(VILLAGE_A1)
    # BLT 129.6 jt = 12.96 % of DD; lower the cap to 10 %.
    EarmarkRule.objects.filter(year=2027, label="BLT Dana Desa").update(percent=Decimal(10))
    problems = blocking(apbdes_problems(apbdes))
    assert [p.code for p in problems] == ["dana_desa_maks"]
    assert "BLT Dana Desa" in problems[0].message and "Rp 100.000.000" in problems[0].message


def test_dana_desa_minimum_earmark():
    apbdes = make_apbdes(VILLAGE_A1)
    EarmarkRule.objects.filter(year=2027, kind=RuleKind.MINIMUM).update(percent=Decimal(25))
    problems = blocking(apbdes_problems(apbdes))
    assert [p.code for p in problems] == ["dana_desa_min"]
    assert "Tambah Rp 40.000.000" in problems[0].message


def test_the_earmark_rules_are_data_of_the_year():
    apbdes = make_apbdes(VILLAGE_A1)
    EarmarkRule.objects.create(
        year=2027, label="Aturan baru", kind=RuleKind.MINIMUM, percent=Decimal(5), activity_prefixes="03.01"
    )
    assert codes(apbdes) == ["dana_desa_min"]
    EarmarkRule.objects.filter(label="Aturan baru").update(year=2028)
    assert codes(apbdes) == []


def test_an_activity_without_lines_is_a_warning_only():
    apbdes = make_apbdes(VILLAGE_A1)
    add_activity(apbdes, "03.01.01", name="Pelatihan")
    problems = apbdes_problems(apbdes)
    assert [(p.code, p.blocking) for p in problems] == [("kegiatan_tanpa_rincian", False)]


def test_an_empty_budget():
    from kampung.finance.models import Apbdes
    from kampung.regions.models import Region

    apbdes = Apbdes.objects.create(village=Region.objects.get(code=VILLAGE_A1), year=2027)
    assert codes(apbdes) == ["anggaran_kosong"]


def test_problems_take_few_queries(django_assert_max_num_queries):
    apbdes = make_apbdes(VILLAGE_A1)
    activity = add_activity(apbdes, "03.01.01")
    add_line(activity, "5.2.1.01", "DDS", 1, 1000)
    with django_assert_max_num_queries(8):
        apbdes_problems(apbdes)
