"""Dana Desa tranche readiness: the part by village status, amounts from the ceiling and the
earmarked budget, receipts by tranche, and each condition met or missing in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from kampung.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.finance.ledger import Posting, book_for, lock_book, post, reverse
from kampung.finance.models import (
    BANK,
    BudgetLine,
    DesaStatus,
    EarmarkRule,
    EntryKind,
    ProgressReport,
    Receipt,
    ReportKind,
    ReportSubmission,
    TranchePart,
    TrancheRule,
    VillageStatus,
)
from kampung.finance.selectors.tranches import readiness_for, tranche_readiness
from kampung.finance.tests.exec_factories import bank_receipt, make_executable
from kampung.finance.tests.factories import ceilings
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

D = Decimal
FEB = dt.date(2026, 2, 10)
MAY = dt.date(2026, 5, 10)
# The default 2026 earmark rules name BLT (05.03) and food security (04.02): in make_apbdes the
# BLT kegiatan 05.03.00 (129.6 jt) and the food kegiatan 04.02.03 (210 jt) are paid from DDS.
EARMARKED = D(36 * 3_600_000) + D(210_000_000)


def receive(village, amount, tranche, *, earmarked=False, day=dt.date(2026, 3, 5)):
    entry = bank_receipt(village, 2026, amount, day=day)
    return Receipt.objects.create(
        book=entry.book,
        number=f"TBP/{entry.number}",
        date=day,
        account_code="4.2.1.01",
        source_code="DDS",
        amount=D(amount),
        payer="RKUN",
        description=f"DD tahap {tranche}",
        method="transfer",
        tranche=tranche,
        earmarked=earmarked,
        entry=entry,
    )


def spend_dds(village, amount, day=dt.date(2026, 4, 1)):
    line = (
        BudgetLine.objects.filter(activity__apbdes__village_id=village, account__code="5.2.7.05")
        .select_related("activity__activity_code")
        .get()
    )
    with transaction.atomic():
        book = lock_book(village, 2026)
        post(
            book=book,
            date=day,
            kind=EntryKind.PAYMENT,
            description="Lumbung pangan",
            postings=[
                Posting(
                    "5.2.7.05", debit=D(amount), source="DDS", activity=line.activity, budget_line_id=line.pk
                ),
                Posting(BANK, credit=D(amount)),
            ],
        )


def progress(village, code, percent, day=dt.date(2026, 4, 20)):
    from kampung.finance.models import BudgetActivity

    activity = BudgetActivity.objects.get(apbdes__village_id=village, activity_code__code=code)
    ProgressReport.objects.create(
        activity=activity, book=book_for(village, 2026), activity_code=code, date=day, percent=D(percent)
    )


def by(readiness, part, tranche):
    return next(t for t in readiness.tranches if t.part == part and t.tranche == tranche)


def test_default_rules_are_loaded_and_add_up():
    for part in TranchePart.values:
        assert sum(r.percent for r in TrancheRule.objects.filter(year=2026, part=part)) == 100


def test_tranche_one_of_a_regular_desa(world):
    make_executable(VILLAGE_A1, 2026)
    r = tranche_readiness(VILLAGE_A1, 2026, today=FEB)
    assert r.non_earmark_part == TranchePart.REGULAR and r.status_label == "belum ditetapkan"
    assert r.ceiling == D(1_000_000_000) and r.earmark_base == EARMARKED
    first = by(r, TranchePart.REGULAR, 1)
    assert first.percent == 40 and first.amount == D("264160000")  # 40 % of (1 M − 339.6 jt)
    assert by(r, TranchePart.REGULAR, 2).amount == D(1_000_000_000) - EARMARKED - first.amount
    assert by(r, TranchePart.EARMARKED, 1).amount == D("203760000")  # 60 % of 339.6 jt
    assert first.ready and [c.met for c in first.conditions] == [True]
    assert "Perdes No. 3/2026" in first.conditions[0].detail
    assert r.next_non_earmark is first and r.next_earmark.tranche == 1


def test_a_desa_mandiri_follows_the_mandiri_rows(world):
    make_executable(VILLAGE_A1, 2026)
    VillageStatus.objects.create(village_id=VILLAGE_A1, year=2026, status=DesaStatus.INDEPENDENT)
    r = tranche_readiness(VILLAGE_A1, 2026, today=FEB)
    assert r.non_earmark_part == TranchePart.INDEPENDENT and r.status_label == "Mandiri"
    assert by(r, TranchePart.INDEPENDENT, 1).percent == 60
    assert not any(t.part == TranchePart.REGULAR for t in r.tranches)
    assert by(r, TranchePart.INDEPENDENT, 1).amount == D("396240000")  # 60 % of 660.4 jt


def test_without_earmark_rules_the_whole_ceiling_is_non_earmarked(world):
    make_executable(VILLAGE_A1, 2026)
    EarmarkRule.objects.filter(year=2026).delete()
    r = tranche_readiness(VILLAGE_A1, 2026, today=FEB)
    assert r.earmark_base == 0 and by(r, TranchePart.EARMARKED, 1).amount == 0
    assert by(r, TranchePart.REGULAR, 1).amount == D(400_000_000)


def test_missing_apbdes_and_ceiling_are_named(world):
    r = tranche_readiness(VILLAGE_A2, 2026, today=FEB)
    first = by(r, TranchePart.REGULAR, 1)
    assert not first.ready
    assert [c.detail for c in first.missing] == ["APBDes 2026 belum ditetapkan"]
    assert first.amount == 0
    assert any("Pagu Dana Desa 2026" in n for n in r.notes)


def test_tranche_two_conditions_each_missing_then_met(world):
    make_executable(VILLAGE_A1, 2026)
    r = tranche_readiness(VILLAGE_A1, 2026, today=dt.date(2026, 3, 1))
    second = by(r, TranchePart.REGULAR, 2)
    labels = {c.label: c for c in second.conditions}
    assert not labels["Tahap 1 sudah diterima"].met
    assert not labels["Laporan realisasi dan keluaran Dana Desa 2025 (LPJ 2025) disampaikan"].met
    assert (
        labels["Penyerapan Dana Desa paling sedikit 60,0%"].detail
        == "belum ada Dana Desa yang diterima tahun ini"
    )
    output = labels["Capaian keluaran rata-rata paling sedikit 40,0%"]
    assert not output.met and "0,0% dari 4 kegiatan" in output.detail
    month = labels["Sudah memasuki bulan April 2026"]
    assert not month.met and "paling cepat" in month.detail
    assert len(second.missing) == 5

    receive(VILLAGE_A1, 400_000_000, 1)
    ReportSubmission.objects.create(
        book=book_for(VILLAGE_A1, 2025), kind=ReportKind.LPJ, submitted_on=dt.date(2026, 1, 20)
    )
    spend_dds(VILLAGE_A1, 200_000_000)  # 50 %: below 60 %
    for code in ("02.03.10", "04.02.03", "05.03.00", "02.02.02"):
        progress(VILLAGE_A1, code, 50)
    r = tranche_readiness(VILLAGE_A1, 2026, today=MAY)
    second = by(r, TranchePart.REGULAR, 2)
    assert by(r, TranchePart.REGULAR, 1).done and r.next_non_earmark is second
    assert [c.label for c in second.missing] == ["Penyerapan Dana Desa paling sedikit 60,0%"]
    assert "50,0%" in second.missing[0].detail
    spend_dds(VILLAGE_A1, 50_000_000)  # 62.5 %
    r = tranche_readiness(VILLAGE_A1, 2026, today=MAY)
    assert by(r, TranchePart.REGULAR, 2).ready
    assert r.absorption == D("62.5")


def test_output_uses_the_latest_report_of_each_dd_kegiatan(world):
    make_executable(VILLAGE_A1, 2026)
    progress(VILLAGE_A1, "02.03.10", 100, day=dt.date(2026, 3, 1))
    progress(VILLAGE_A1, "02.03.10", 60, day=dt.date(2026, 4, 1))  # the latest
    progress(VILLAGE_A1, "04.02.03", 100)
    progress(VILLAGE_A1, "01.01.01", 100)  # ADD kegiatan: not counted
    r = tranche_readiness(VILLAGE_A1, 2026, today=MAY)
    assert r.output == D(40)  # (60 + 100 + 0 + 0) / 4
    assert by(r, TranchePart.REGULAR, 2).conditions[3].met


def test_reversed_and_earmarked_receipts(world):
    make_executable(VILLAGE_A1, 2026)
    wrong = receive(VILLAGE_A1, 300_000_000, 1)
    with transaction.atomic():
        reverse(
            book=lock_book(VILLAGE_A1, 2026),
            entry=wrong.entry,
            date=dt.date(2026, 3, 6),
            reason="Salah catat",
        )
    receive(VILLAGE_A1, 203_760_000, 1, earmarked=True)
    r = tranche_readiness(VILLAGE_A1, 2026, today=MAY)
    assert by(r, TranchePart.REGULAR, 1).received == 0 and not by(r, TranchePart.REGULAR, 1).done
    assert by(r, TranchePart.EARMARKED, 1).done and r.next_earmark.tranche == 2
    assert r.received_dd == D(203_760_000)


def test_late_tranche_is_flagged(world):
    make_executable(VILLAGE_A1, 2026)
    r = tranche_readiness(VILLAGE_A1, 2026, today=dt.date(2026, 7, 2))
    assert by(r, TranchePart.REGULAR, 1).late  # paling lambat Juni
    assert not by(r, TranchePart.REGULAR, 2).late


def test_no_rules_for_the_year(world):
    make_executable(VILLAGE_A1, 2026)
    TrancheRule.objects.filter(year=2026).delete()
    r = tranche_readiness(VILLAGE_A1, 2026, today=FEB)
    assert r.tranches == [] and r.next_non_earmark is None
    assert any("belum diisi" in n for n in r.notes)


def test_many_villages_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    make_executable(VILLAGE_A1, 2026)
    make_executable(VILLAGE_B1, 2026)
    ceilings(VILLAGE_A2, 2026, DDS=800_000_000)
    receive(VILLAGE_A1, 100_000_000, 1)
    progress(VILLAGE_B1, "02.03.10", 30)
    villages = list(Region.objects.filter(code__in=[VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]).order_by("code"))
    with django_assert_max_num_queries(11):
        rows = readiness_for(villages, 2026, today=MAY)
        for r in rows:
            for t in r.tranches:
                _ = (t.ready, t.missing, t.done)
    assert [r.village.code for r in rows] == [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]
    assert rows[1].ceiling == D(800_000_000) and rows[1].apbdes is None
