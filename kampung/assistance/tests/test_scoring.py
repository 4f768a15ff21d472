"""The scoring sheet (pure): points per indicator met, knock-outs failed, minimum score."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kampung.assistance.models import Criterion
from kampung.assistance.scoring import assess
from kampung.assistance.tests.factories import blt_answers, programmes, rtlh_answers

pytestmark = pytest.mark.django_db


def test_a_poor_house_meets_every_indicator_and_passes_every_knockout() -> None:
    rtlh, _ = programmes()
    result = assess(rtlh, rtlh_answers(), this_year=2026)
    assert result.max_score == Decimal("100")
    assert result.score == Decimal("100")
    assert {line.code for line in result.met} == {f"RTLH-R0{i}" for i in range(1, 8)}
    assert result.failed_knockouts == []
    assert result.eligible


def test_each_indicator_not_met_takes_its_weight_off() -> None:
    rtlh, _ = programmes()
    # 40 m² for 4 people (10 m² each, R01 -20), ceramic floor (R02 -15), own toilet (R06 -10).
    result = assess(
        rtlh, rtlh_answers(luas_lantai="40", bahan_lantai="keramik", jamban="sendiri"), this_year=2026
    )
    assert result.score == Decimal("55")
    missed = {line.code for line in result.indicators if line.holds is not True}
    assert missed == {"RTLH-R01", "RTLH-R02", "RTLH-R06"}
    r01 = next(line for line in result.lines if line.code == "RTLH-R01")
    assert r01.answer == "10.00 m²/orang"
    assert "kurang dari 9" in r01.condition


def test_knockouts_fail_when_not_met_or_not_answered() -> None:
    rtlh, _ = programmes()
    result = assess(
        rtlh,
        rtlh_answers(status_tanah="sewa", penghasilan_bulanan="3500000", bersedia_swadaya=False),
        this_year=2026,
    )
    failed = {line.code for line in result.failed_knockouts}
    assert failed == {"RTLH-B02", "RTLH-P06", "RTLH-P07"}
    assert not result.eligible
    answers = rtlh_answers()
    del answers["wni"]
    assert "RTLH-P01" in {line.code for line in assess(rtlh, answers, this_year=2026).failed_knockouts}


def test_housing_aid_within_ten_years_fails_the_p05_knockout_but_eleven_years_does_not() -> None:
    rtlh, _ = programmes()
    recent = assess(rtlh, rtlh_answers(tahun_bantuan_perumahan=2018), this_year=2026)
    assert [line.code for line in recent.failed_knockouts] == ["RTLH-P05"]
    old = assess(rtlh, rtlh_answers(tahun_bantuan_perumahan=2016), this_year=2026)
    assert old.failed_knockouts == []
    never = assess(rtlh, rtlh_answers(tahun_bantuan_perumahan=None), this_year=2026)
    p05 = next(line for line in never.lines if line.code == "RTLH-P05")
    assert p05.holds is True and p05.answer == "belum pernah"


def test_inactive_criteria_are_ignored_and_weights_follow_the_sheet() -> None:
    rtlh, _ = programmes()
    Criterion.objects.filter(programme=rtlh, code="RTLH-R04").update(weight=Decimal("35"))
    Criterion.objects.filter(programme=rtlh, code="RTLH-R05").update(active=False)
    result = assess(rtlh, rtlh_answers(), this_year=2026)
    assert result.max_score == Decimal("105")
    assert result.score == Decimal("105")
    assert "RTLH-R05" not in {line.code for line in result.lines}


def test_blt_minimum_score_is_nine_of_the_fourteen_bps_criteria() -> None:
    _, blt = programmes()
    poor = assess(blt, blt_answers(), this_year=2026)
    # 13 of 14: only the lighting criterion is not met (PLN through a neighbour is electricity).
    assert poor.score == Decimal("13") and poor.max_score == Decimal("14")
    assert poor.eligible
    better_off = assess(
        blt,
        blt_answers(
            bahan_lantai="keramik",
            bahan_dinding="tembok_plester",
            jamban="sendiri",
            bahan_bakar_masak="listrik_gas",
            air_minum="ledeng",
        ),
        this_year=2026,
    )
    assert better_off.score == Decimal("8")
    assert better_off.below_minimum and not better_off.eligible
    with_pkh = assess(blt, blt_answers(menerima_pkh=True), this_year=2026)
    assert [line.code for line in with_pkh.failed_knockouts] == ["BLT-K01"]
