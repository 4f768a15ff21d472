"""The finance roll-up (``keuangan``): every figure equals what finance's own selectors report
from the same books — the LRA by month and source, the regency summary's cash, the SPP table,
the tranche readiness — in a fixed number of queries, the same on every run, and kept current
by the writes through the roll-up marks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, KELURAHAN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.finance.models import (
    BANK,
    CASH,
    Apbdes,
    ApbdesStatus,
    Book,
    JournalLine,
    ReportKind,
    ReportSubmission,
    RevenueLine,
    Spp,
    SppKind,
    SppStatus,
)
from kampung.finance.selectors.ledger import book_balances, budget_in_force
from kampung.finance.selectors.realisation import lra, regency_realisation
from kampung.finance.selectors.tranches import tranche_readiness
from kampung.finance.tests.factories import make_apbdes
from kampung.monitoring.marks import rollup_work
from kampung.monitoring.models import Area, FinanceFigure, FinanceKind, FinanceYear, RollupMark
from kampung.monitoring.rollup import finance, rollup_rebuild
from kampung.monitoring.tests.finance_support import (
    AREAS,
    SIX_DESA,
    TODAY,
    YEAR,
    all_rows,
    fill_books,
    insert_batches,
    revise,
    split_queries,
    table_rows,
)

pytestmark = pytest.mark.django_db

ZERO = Decimal(0)
THREE = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]
MONTHS = (1, 3, 6, 7, 8, 9, 12)


@pytest.fixture
def books() -> list[str]:
    """Three desa with a year of demo books; Sarongan's APBDes was revised (an elaborated
    Perubahan in force, then a second revision still in draft, not in force); Pesanggaran
    has next year's APBDes in draft."""
    fill_books(THREE)
    revise(
        VILLAGE_A1,
        status=ApbdesStatus.ELABORATED,
        extra_road=Decimal(26_000_000),
        extra_dd=Decimal(26_000_000),
    )
    revise(
        VILLAGE_A1, status=ApbdesStatus.DRAFT, extra_road=Decimal(900_000_000), extra_dd=Decimal(900_000_000)
    )
    make_apbdes(VILLAGE_A2, YEAR + 1)
    finance.compute([*THREE, KELURAHAN_B], TODAY)
    return THREE


def total(**filters: object) -> Decimal:
    return FinanceFigure.objects.filter(**filters).aggregate(s=Sum("amount"))["s"] or ZERO


def test_budget_and_realisation_add_up_to_the_lra_for_every_month_and_source(books):
    assert budget_in_force(VILLAGE_A1, YEAR).revision == 1  # the revision is what counts
    for code in books:
        budget = {"village_id": code, "year": YEAR, "month": 0}
        for month in MONTHS:
            report = lra(code, YEAR, through_month=month)
            through = {"village_id": code, "year": YEAR, "month__gte": 1, "month__lte": month}
            assert total(**budget, kind=FinanceKind.BUDGET_REVENUE) == report.revenue.budget
            assert total(**budget, kind=FinanceKind.BUDGET_SPENDING) == report.spending.budget
            assert total(**through, kind=FinanceKind.REVENUE) == report.revenue.realised, (code, month)
            assert total(**through, kind=FinanceKind.SPENDING) == report.spending.realised, (code, month)
            assert report.revenue.realised > 0 and report.spending.realised > 0
            # per source, as the LRA splits it
            for source, amount in report.revenue_by_source.items():
                assert total(**budget, kind=FinanceKind.BUDGET_REVENUE, source=source) == amount.budget
                assert total(**through, kind=FinanceKind.REVENUE, source=source) == amount.realised
            for source, amount in report.spending_by_source.items():
                assert total(**budget, kind=FinanceKind.BUDGET_SPENDING, source=source) == amount.budget
                assert total(**through, kind=FinanceKind.SPENDING, source=source) == amount.realised
            # the Dana Desa LRA
            dd = lra(code, YEAR, through_month=month, source="DDS")
            assert total(**through, kind=FinanceKind.REVENUE, source="DDS") == dd.revenue.realised
            assert total(**through, kind=FinanceKind.SPENDING, source="DDS") == dd.spending.realised
            assert total(**budget, kind=FinanceKind.BUDGET_SPENDING, source="DDS") == dd.spending.budget
            # per bidang: the LRA's bidang rows (two-digit codes under spending)
            bidang_rows = [r for r in report.rows if r.kind == "group" and len(r.code) == 2]
            assert {r.code for r in bidang_rows} >= {"01", "02"}
            for row in bidang_rows:
                assert total(**budget, kind=FinanceKind.BUDGET_SPENDING, bidang=row.code) == row.budget
                assert total(**through, kind=FinanceKind.SPENDING, bidang=row.code) == row.realised


def test_month_figures_are_the_journal_of_that_month(books):
    """A month's row is that month's lines alone (flows), not a running total."""
    code = VILLAGE_A2
    book = Book.objects.get(village_id=code, year=YEAR)
    for month in (3, 7):
        lines = JournalLine.objects.filter(book=book, month=month)
        revenue = lines.filter(account_code__startswith="4").aggregate(d=Sum("debit"), c=Sum("credit"))
        spending = lines.filter(account_code__startswith="5").aggregate(d=Sum("debit"), c=Sum("credit"))
        assert total(village_id=code, month=month, kind=FinanceKind.REVENUE) == (revenue["c"] or ZERO) - (
            revenue["d"] or ZERO
        )
        assert total(village_id=code, month=month, kind=FinanceKind.SPENDING) == (spending["d"] or ZERO) - (
            spending["c"] or ZERO
        )


def test_cash_movements_add_up_to_the_balances(books):
    summary = {row.code: row for row in regency_realisation(DISTRICT_A, YEAR, today=TODAY).villages}
    summary.update({row.code: row for row in regency_realisation("35.10.15", YEAR, today=TODAY).villages})
    for code in books:
        book = Book.objects.get(village_id=code, year=YEAR)
        balances = book_balances(book)
        held = balances[CASH] + balances[BANK]
        assert held > 0
        assert total(village_id=code, year=YEAR, kind=FinanceKind.CASH) == held == summary[code].cash_bank
        # the balance at the end of each month, from the lines of the months up to it
        running = ZERO
        for month in range(1, 13):
            running += total(village_id=code, year=YEAR, kind=FinanceKind.CASH, month=month)
            moved = JournalLine.objects.filter(
                book=book, account_code__in=[CASH, BANK], month__lte=month
            ).aggregate(d=Sum("debit"), c=Sum("credit"))
            assert running == (moved["d"] or ZERO) - (moved["c"] or ZERO), (code, month)
            assert running >= 0  # the ledger never lets cash or bank go below zero
    # the opening balance is in its month
    opening = JournalLine.objects.filter(
        book__village_id=VILLAGE_A1, entry__kind="saldo_awal", account_code__in=[CASH, BANK]
    )
    assert opening.exists()


def test_spp_counts_and_amounts_by_month_kind_and_status(books):
    for code in books:
        expected: dict[tuple[int, str, str], tuple[int, Decimal]] = {}
        for spp in Spp.objects.filter(book__village_id=code):
            count, amount = expected.get((spp.date.month, spp.kind, spp.status), (0, ZERO))
            expected[(spp.date.month, spp.kind, spp.status)] = (count + 1, amount + spp.amount)
        got = {
            (f.month, f.source, f.status): (f.count, f.amount)
            for f in FinanceFigure.objects.filter(village_id=code, kind=FinanceKind.SPP)
        }
        assert got == expected and len(got) > 3
        by_status = dict(
            Spp.objects.filter(book__village_id=code).values_list("status").annotate(n=Count("id")).order_by()
        )
        rolled = dict(
            FinanceFigure.objects.filter(village_id=code, kind=FinanceKind.SPP)
            .values_list("status")
            .annotate(n=Sum("count"))
            .order_by()
        )
        assert rolled == by_status
    statuses = set(FinanceFigure.objects.filter(kind=FinanceKind.SPP).values_list("status", flat=True))
    assert {SppStatus.PAID, SppStatus.ACCOUNTED} <= statuses


def test_the_year_at_a_glance_matches_the_apbdes_books_reports_and_tranches(books):
    summary = {row.code: row for row in regency_realisation(DISTRICT_A, YEAR, today=TODAY).villages}
    summary.update({row.code: row for row in regency_realisation("35.10.15", YEAR, today=TODAY).villages})
    for code in books:
        year = FinanceYear.objects.get(village_id=code, year=YEAR)
        original = Apbdes.objects.get(village_id=code, year=YEAR, revision=0)
        book = Book.objects.get(village_id=code, year=YEAR)
        row = summary[code]
        assert year.district_code == code[:8] and year.as_of == TODAY
        assert year.in_force and year.apbdes_status == original.status
        assert (year.agreed_on, year.submitted_on, year.enacted_on) == (
            original.bpd_agreed_on,
            original.submitted_on,
            original.perdes_date,
        )
        assert year.revisions == Apbdes.objects.filter(village_id=code, year=YEAR).count() - 1
        assert year.closed_through == book.closed_through == row.closed_through
        sent = dict(ReportSubmission.objects.filter(book=book).values_list("kind", "submitted_on"))
        assert year.semester_on == sent.get(ReportKind.SEMESTER) == row.semester_on
        assert year.lpj_on == sent.get(ReportKind.LPJ) == row.lpj_on
        assert (year.dd_budget, year.dd_received, year.dd_spent) == (
            row.dd_budget,
            row.dd_received,
            row.dd_spent,
        )
        assert year.dd_budget == lra(code, YEAR, source="DDS").revenue.budget
        # open advances: UM paid, SPJ not yet made
        open_um = Spp.objects.filter(book=book, kind=SppKind.ADVANCE, status=SppStatus.PAID)
        expected = sorted((s.spj_due.isoformat() if s.spj_due else "", s.amount) for s in open_um)
        assert year.advances == [[due, f"{amount:.2f}"] for due, amount in expected]
        # tranches: the next (first not received) tranche of each part, as of today
        readiness = tranche_readiness(code, YEAR, today=TODAY)
        parts = list(dict.fromkeys(t.part for t in readiness.tranches))
        assert [t["part"] for t in year.tranches] == parts and parts
        for entry in year.tranches:
            of_part = readiness.of_part(entry["part"])
            pending = [t for t in of_part if not t.done]
            state = pending[0] if pending else of_part[-1]
            assert entry["tranche"] == state.tranche
            assert Decimal(entry["amount"]) == state.amount
            assert Decimal(entry["received"]) == state.received
            assert (entry["ready"], entry["done"], entry["late"]) == (state.ready, state.done, state.late)
            assert entry["missing"] == [c.label for c in state.conditions if not c.met]
    sarongan = FinanceYear.objects.get(village_id=VILLAGE_A1, year=YEAR)
    assert sarongan.revisions == 2
    original_dd = RevenueLine.objects.filter(
        apbdes__village_id=VILLAGE_A1, apbdes__year=YEAR, apbdes__revision=0, source_id="DDS"
    ).aggregate(s=Sum("amount"))["s"]
    assert sarongan.dd_budget == original_dd + Decimal(26_000_000)  # the elaborated revision, not the draft
    overdue = sarongan.advances
    assert any(due and dt.date.fromisoformat(due) < TODAY for due, _ in overdue)


def test_a_draft_year_has_its_dates_but_no_budget_figures(books):
    draft = FinanceYear.objects.get(village_id=VILLAGE_A2, year=YEAR + 1)
    assert draft.apbdes_status == ApbdesStatus.DRAFT and not draft.in_force
    assert draft.revisions == 0 and draft.closed_through == 0 and draft.dd_budget == 0
    assert not FinanceFigure.objects.filter(village_id=VILLAGE_A2, year=YEAR + 1).exists()
    # no rows for a kelurahan, and it is not a village with finance data
    assert not FinanceYear.objects.filter(village_id=KELURAHAN_B).exists()
    assert set(books) | {VILLAGE_A2} <= finance.villages() and KELURAHAN_B not in finance.villages()


def test_no_row_is_all_zero_and_every_row_carries_its_district(books):
    assert FinanceFigure.objects.filter(amount=0, count=0).count() == 0
    for code, district in FinanceFigure.objects.values_list("village_id", "district_code").distinct():
        assert district == code[:8]
    kinds = set(FinanceFigure.objects.values_list("kind", flat=True))
    assert kinds == set(FinanceKind.values)


def test_the_same_number_of_queries_for_one_village_and_for_six():
    """Reads and deletes are a fixed set of grouped queries; the rows go in with batched
    INSERTs (one per table on PostgreSQL; SQLite's 999-parameter limit splits them)."""
    fill_books(SIX_DESA)
    with CaptureQueriesContext(connection) as one:
        finance.compute([VILLAGE_A1], TODAY)
    with CaptureQueriesContext(connection) as six:
        finance.compute(SIX_DESA, TODAY)
    reads_one, inserts_one = split_queries(one)
    reads_six, inserts_six = split_queries(six)
    assert len(reads_one) == len(reads_six) <= 22, reads_six
    assert FinanceYear.objects.count() == 6
    assert inserts_one == insert_batches(finance.TABLES, finance.BATCH, [VILLAGE_A1])
    assert inserts_six == insert_batches(finance.TABLES, finance.BATCH, SIX_DESA)
    assert inserts_six <= len(finance.TABLES) * (1 if connection.vendor == "postgresql" else 8)


def test_computing_again_or_in_other_chunks_gives_identical_rows(books):
    first = all_rows(finance.TABLES)
    assert first["FinanceFigure"] and first["FinanceYear"]
    finance.compute(list(reversed(books)), TODAY)
    assert all_rows(finance.TABLES) == first
    finance.compute([VILLAGE_B1], TODAY)
    finance.compute([VILLAGE_A1, VILLAGE_A2, "35.10.01.2004"], TODAY)
    assert all_rows(finance.TABLES) == first


def test_a_village_whose_data_is_gone_loses_its_rows(books):
    assert FinanceFigure.objects.filter(village_id=VILLAGE_A2, year=YEAR + 1).count() == 0
    Apbdes.objects.filter(village_id=VILLAGE_A2, year=YEAR + 1).delete()
    finance.compute([VILLAGE_A2], TODAY)
    assert not FinanceYear.objects.filter(village_id=VILLAGE_A2, year=YEAR + 1).exists()
    assert FinanceYear.objects.filter(village_id=VILLAGE_A2, year=YEAR).exists()


# -- the mechanism ---------------------------------------------------------------------------


def _marks() -> set[tuple[str, str]]:
    return set(RollupMark.objects.values_list("region_code", "area"))


def test_a_write_through_a_service_is_rolled_up_and_equals_the_rebuild(world):
    from kampung.finance.services.reports import report_submit
    from kampung.finance.services.treasury import receipt_record, transfer_record

    fill_books(THREE)
    rollup_work(today=TODAY)  # the demo's own marks
    assert not RollupMark.objects.filter(area__in=AREAS).exists()
    before = total(village_id=VILLAGE_A1, kind=FinanceKind.REVENUE, source="PAD", month=9)
    cash_before = total(village_id=VILLAGE_A1, kind=FinanceKind.CASH)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    with time_machine.travel(dt.datetime(YEAR, 9, 17, 10, 0), tick=False):
        receipt_record(
            actor=treasurer,
            village_code=VILLAGE_A1,
            year=YEAR,
            date=TODAY,
            account_code="4.1.2.01",
            source_code="PAD",
            amount=Decimal("1250000"),
            payer="Pasar desa",
            description="Sewa kios pasar desa",
            method="tunai",
        )
        transfer_record(
            actor=treasurer,
            village_code=VILLAGE_A1,
            year=YEAR,
            date=TODAY,
            direction="setor",
            amount=Decimal("1000000"),
            description="Setor ke rekening kas desa",
        )
    assert {(VILLAGE_A1, Area.FINANCE), (VILLAGE_A1, Area.PROJECTS)} <= _marks()
    # nothing moves until the marks are applied
    assert total(village_id=VILLAGE_A1, kind=FinanceKind.REVENUE, source="PAD", month=9) == before
    report = rollup_work(today=TODAY)
    assert report.villages[Area.FINANCE] == 1 and not RollupMark.objects.exists()
    assert total(village_id=VILLAGE_A1, kind=FinanceKind.REVENUE, source="PAD", month=9) == before + Decimal(
        "1250000"
    )
    assert total(village_id=VILLAGE_A1, kind=FinanceKind.CASH) == cash_before + Decimal("1250000")
    kept = all_rows(finance.TABLES)
    rollup_rebuild(today=TODAY, areas=AREAS)
    assert all_rows(finance.TABLES) == kept

    # a report sent by the head: its date shows after the marks are applied
    head = world.user(Role.HEAD, VILLAGE_A2)
    ReportSubmission.objects.filter(book__village_id=VILLAGE_A2, kind=ReportKind.SEMESTER).delete()
    finance.compute([VILLAGE_A2], TODAY)
    assert FinanceYear.objects.get(village_id=VILLAGE_A2, year=YEAR).semester_on is None
    with time_machine.travel(dt.datetime(YEAR, 9, 17, 10, 0), tick=False):
        report_submit(actor=head, village_code=VILLAGE_A2, year=YEAR, kind=ReportKind.SEMESTER, date=TODAY)
    assert (VILLAGE_A2, Area.FINANCE) in _marks()
    rollup_work(today=TODAY)
    assert FinanceYear.objects.get(village_id=VILLAGE_A2, year=YEAR).semester_on == TODAY
    kept = all_rows(finance.TABLES)
    rollup_rebuild(today=TODAY, areas=AREAS)
    assert all_rows(finance.TABLES) == kept
    assert table_rows(FinanceYear) == kept["FinanceYear"]


def test_a_rolled_back_write_leaves_no_mark(world):
    from kampung.finance.services.treasury import receipt_record

    fill_books([VILLAGE_A1])
    rollup_work(today=TODAY)
    receipts = JournalLine.objects.count()
    with time_machine.travel(dt.datetime(YEAR, 9, 17, 10, 0), tick=False):
        with pytest.raises(RuntimeError), transaction.atomic():
            receipt_record(
                actor=world.user(Role.TREASURER, VILLAGE_A1),
                village_code=VILLAGE_A1,
                year=YEAR,
                date=TODAY,
                account_code="4.1.2.01",
                source_code="PAD",
                amount=Decimal("500000"),
                payer="Pasar desa",
                description="Sewa kios",
                method="tunai",
            )
            assert RollupMark.objects.filter(region_code=VILLAGE_A1).exists()
            raise RuntimeError("the request failed after the write")
    assert not RollupMark.objects.exists()
    assert JournalLine.objects.count() == receipts


def test_a_district_wide_mark_recomputes_its_villages(books):
    FinanceFigure.objects.all().delete()
    FinanceYear.objects.all().delete()
    RollupMark.objects.all().delete()
    RollupMark.objects.create(region_code=DISTRICT_A, area=Area.FINANCE)
    rollup_work(today=TODAY)
    assert set(FinanceYear.objects.values_list("village_id", flat=True)) == {VILLAGE_A1, VILLAGE_A2}
    by_village = defaultdict(int)
    for code in FinanceFigure.objects.values_list("village_id", flat=True):
        by_village[code] += 1
    assert set(by_village) == {VILLAGE_A1, VILLAGE_A2}
