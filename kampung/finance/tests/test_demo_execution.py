"""The demo's year of transactions: balanced, never below zero in date order, within each
line's budget and each kegiatan's RAK to date, closed months untouched, idempotent."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from kampung.audit.models import AuditEntry
from kampung.conftest import KELURAHAN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.demo.finance import finance_fill
from kampung.demo.finance_execution import BUILD_ACT, execution_fill
from kampung.finance.ledger import LedgerError, Posting, lock_book, post
from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    Asset,
    Book,
    BudgetLine,
    EntryKind,
    JournalEntry,
    JournalLine,
    ProgressReport,
    Rak,
    RakEntry,
    Receipt,
    ReportSubmission,
    Spp,
    SppStatus,
    TaxDeposit,
)

pytestmark = pytest.mark.django_db

YEAR = 2026
TODAY = dt.date(YEAR, 9, 17)
VILLAGES = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]
ZERO = Decimal(0)


@pytest.fixture
def demo_year():
    finance_fill(village_codes=[*VILLAGES, KELURAHAN_B], seed=2018, year=YEAR)
    return execution_fill(village_codes=[*VILLAGES, KELURAHAN_B], seed=2018, today=TODAY)


def test_every_desa_gets_a_year_of_books(demo_year):
    assert demo_year.villages == 3 and demo_year.entries > 300
    assert not Book.objects.filter(village_id=KELURAHAN_B).exists()
    for code in VILLAGES:
        book = Book.objects.get(village_id=code, year=YEAR)
        entries = JournalEntry.objects.filter(book=book)
        assert book.next_number == entries.count() + 1
        assert book.closed_through == TODAY.month - 1
        assert entries.filter(date__gt=TODAY).count() == 0
        assert entries.order_by("number").first().kind == EntryKind.OPENING
        assert (
            Rak.objects.get(apbdes__village_id=code, apbdes__year=YEAR, apbdes__revision=0).status
            == "disetujui"
        )
        dds = Receipt.objects.filter(book=book, source_code="DDS", account_code="4.2.1.01").order_by("date")
        assert [r.tranche for r in dds] == [1, 2] and [r.date.month for r in dds] == [3, 7]
        add = Receipt.objects.filter(book=book, source_code="ADD").order_by("date")
        assert [(r.tranche, r.date.month) for r in add] == [(1, 1), (2, 4), (3, 7)]
        # every document points at its entry, and the entry at its document
        for spp in Spp.objects.filter(book=book):
            assert spp.entry is not None and spp.entry.doc_id == str(spp.pk)
            if spp.kind == "UM" and spp.status == SppStatus.ACCOUNTED:
                assert spp.spj_entry is not None and spp.spj_on is not None
                assert (spp.return_entry is not None) == (spp.returned_amount > 0)
        assert not Receipt.objects.filter(book=book, entry__isnull=True).exists()
        deposits = TaxDeposit.objects.filter(book=book)
        assert deposits.exists() and all(d.ntpn and d.entry_id for d in deposits)
        reversal = entries.get(kind=EntryKind.REVERSAL)
        assert (
            reversal.reason and reversal.reverses is not None and reversal.reverses.kind == EntryKind.RECEIPT
        )
        semester = ReportSubmission.objects.get(book=book, kind="semester1")
        assert semester.submitted_on.month == 7
        # kept as the report service keeps it: the LRA's totals through June
        from kampung.finance.selectors.realisation import lra

        expected = lra(code, YEAR, through_month=6).totals_snapshot()
        for key in ("pendapatan", "belanja", "surplus", "penerimaan_pembiayaan", "silpa"):
            assert semester.snapshot[key] == expected[key], key
        dana_desa = lra(code, YEAR, through_month=6, source="DDS").totals_snapshot()
        assert semester.snapshot["dana_desa"]["belanja"] == dana_desa["belanja"]
        assert ProgressReport.objects.filter(book=book, activity_code="02.03.10").exists()
        road = Asset.objects.get(village_id=code, origin="apbdes", name__contains="Jalan Desa")
        open_advance = Spp.objects.filter(
            book=book, activity__activity_code__code="02.03.10", kind="UM", status="dibayar"
        )
        # finished in August: a network asset, unless its last advance is still unaccounted
        assert road.category == ("kdp" if open_advance.exists() else "jalan")
        assert "(300 m)" in road.name and road.value > 0 and road.spp is not None
        road_spent = JournalLine.objects.filter(
            book=book, activity_code="02.03.10", account_code__startswith="5.3"
        )
        assert road.value == road_spent.aggregate(s=Sum("debit"))["s"]
    # Sarongan keeps an advance that is overdue today
    overdue = Spp.objects.filter(
        book__village_id=VILLAGE_A1, kind="UM", status=SppStatus.PAID, spj_due__lt=TODAY
    )
    assert overdue.exists()


def test_every_entry_balances_and_no_guarded_balance_goes_negative(demo_year):
    per_entry = JournalLine.objects.values("entry_id").annotate(d=Sum("debit"), c=Sum("credit"))
    assert all(row["d"] == row["c"] and row["d"] > 0 for row in per_entry)
    for book in Book.objects.filter(year=YEAR):
        balances: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        lines = (
            JournalLine.objects.filter(book=book)
            .select_related("entry")
            .order_by("entry__date", "entry__number")
        )
        current = None
        for line in lines:
            if current is not None and line.entry_id != current:
                assert all(v >= 0 for v in balances.values()), (book, current, dict(balances))
            current = line.entry_id
            if line.account_code in (CASH, BANK):
                balances[(line.account_code, "")] += line.debit - line.credit
            elif line.account_code == ADVANCE:
                balances[(ADVANCE, line.activity_code)] += line.debit - line.credit
            elif line.account_code == TAX_PAYABLE:
                balances[(TAX_PAYABLE, line.tax_code)] += line.credit - line.debit
        assert all(v >= 0 for v in balances.values())
        # entry numbers follow the dates
        dates = list(JournalEntry.objects.filter(book=book).order_by("number").values_list("date", flat=True))
        assert dates == sorted(dates)


def test_spending_stays_within_each_line_and_the_rak_to_date(demo_year):
    spent = defaultdict(lambda: ZERO)
    by_month: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for line in JournalLine.objects.filter(account_code__startswith="5"):
        assert line.budget_line_id and line.activity_id and line.source_code
        spent[line.budget_line_id] += line.debit - line.credit
        by_month[(line.activity_id, line.month)] += line.debit - line.credit
    assert spent
    amounts = dict(BudgetLine.objects.filter(pk__in=list(spent)).values_list("pk", "amount"))
    sources = dict(BudgetLine.objects.filter(pk__in=list(spent)).values_list("pk", "source_id"))
    for line_id, value in spent.items():
        assert 0 < value <= amounts[line_id]
    for line in JournalLine.objects.filter(account_code__startswith="5")[:200]:
        assert line.source_code == sources[line.budget_line_id]
    rak: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for activity_id, month, amount in RakEntry.objects.values_list("line__activity_id", "month", "amount"):
        rak[(activity_id, month)] += amount
    for activity_id in {a for a, _ in by_month}:
        realised = planned = ZERO
        for month in range(1, 13):
            realised += by_month[(activity_id, month)]
            planned += rak[(activity_id, month)]
            assert realised <= planned, (activity_id, month)


def test_closed_months_accept_nothing_and_were_closed_after_their_entries(demo_year):
    book = Book.objects.get(village_id=VILLAGE_A1, year=YEAR)
    built = AuditEntry.objects.filter(act=BUILD_ACT, region_code=VILLAGE_A1).get()
    late = JournalEntry.objects.filter(
        book=book, date__month__lte=book.closed_through, created_at__gt=built.at
    )
    assert not late.exists()
    count = JournalEntry.objects.count()
    with pytest.raises(LedgerError, match="sudah ditutup"):
        with transaction.atomic():
            locked = lock_book(VILLAGE_A1, YEAR)
            amount = Decimal(1000)
            post(
                book=locked,
                date=dt.date(YEAR, 8, 31),
                kind=EntryKind.RECEIPT,
                description="terlambat",
                postings=[Posting(BANK, debit=amount), Posting("4.1.2.01", credit=amount, source="PAD")],
            )
    assert JournalEntry.objects.count() == count
    # the open month still takes a posting, and the guard agrees with the demo's balances
    with transaction.atomic():
        locked = lock_book(VILLAGE_A1, YEAR)
        post(
            book=locked,
            date=TODAY,
            kind=EntryKind.RECEIPT,
            description="PAD",
            postings=[
                Posting(CASH, debit=Decimal(5000)),
                Posting("4.1.2.01", credit=Decimal(5000), source="PAD"),
            ],
        )


def test_a_second_run_adds_nothing(demo_year):
    counts = (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        Spp.objects.count(),
        Asset.objects.count(),
    )
    again = execution_fill(village_codes=VILLAGES, seed=2018, today=TODAY)
    assert again.villages == 0 and again.entries == 0
    assert counts == (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        Spp.objects.count(),
        Asset.objects.count(),
    )


def test_the_year_is_drawn_from_the_seed():
    finance_fill(village_codes=[VILLAGE_A2], seed=2018, year=YEAR)
    execution_fill(village_codes=[VILLAGE_A2], seed=2018, today=TODAY)
    first = list(
        JournalLine.objects.order_by("entry__number", "pk").values_list("account_code", "debit", "credit")
    )
    JournalLine.objects.all().delete()
    JournalEntry.objects.filter(reverses__isnull=False).delete()
    for model in (Spp, Receipt, TaxDeposit, Asset, ProgressReport, ReportSubmission):
        model.objects.all().delete()
    from kampung.finance.models import CashTransfer

    CashTransfer.objects.all().delete()
    JournalEntry.objects.all().delete()
    Book.objects.all().delete()
    execution_fill(village_codes=[VILLAGE_A2], seed=2018, today=TODAY)
    again = list(
        JournalLine.objects.order_by("entry__number", "pk").values_list("account_code", "debit", "credit")
    )
    assert first == again


def test_bulk_build_does_not_write_row_by_row():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    codes = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]
    finance_fill(village_codes=codes, seed=2018, year=YEAR)
    with CaptureQueriesContext(connection) as queries:
        result = execution_fill(village_codes=codes, seed=2018, today=TODAY)
    # batched inserts (SQLite caps the rows per statement) and one audit entry per village
    assert result.entries > 400 and result.lines > 1200
    assert len(queries) < result.entries / 4


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_named_desa_get_spps_in_every_state_through_the_services(world, monkeypatch, _media):
    import time_machine

    from kampung.accounts.roles import Role
    from kampung.demo import finance_execution

    users = {
        "pelaksana": world.user(Role.EXECUTOR, VILLAGE_A1),
        "sekdes": world.user(Role.SECRETARY, VILLAGE_A1),
        "kades": world.user(Role.HEAD, VILLAGE_A1),
        "kaurkeu": world.user(Role.TREASURER, VILLAGE_A1),
    }
    monkeypatch.setattr(
        finance_execution, "_user", lambda prefix, code: users[prefix] if code == VILLAGE_A1 else None
    )
    finance_fill(village_codes=[VILLAGE_A1], seed=2018, year=YEAR)
    with time_machine.travel(dt.datetime(YEAR, 9, 17, 10, 0), tick=False):
        result = execution_fill(village_codes=[VILLAGE_A1], seed=2018, today=TODAY)
        states = set(Spp.objects.filter(book__village_id=VILLAGE_A1).values_list("status", flat=True))
        assert {"draf", "diajukan", "diverifikasi", "disetujui", "dibayar", "dipertanggungjawabkan"} <= states
        assert len(result.live) == 7, result.live
        live_um = Spp.objects.get(book__village_id=VILLAGE_A1, kind="UM", created_by=users["pelaksana"])
        assert live_um.status == SppStatus.PAID and live_um.spj_on is None
        book = Book.objects.get(village_id=VILLAGE_A1, year=YEAR)
        assert JournalEntry.objects.filter(book=book).count() == book.next_number - 1
        # a second run adds nothing, through the services either
        again = execution_fill(village_codes=[VILLAGE_A1], seed=2018, today=TODAY)
        assert again.villages == 0 and again.live == []
