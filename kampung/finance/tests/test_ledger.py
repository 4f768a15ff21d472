"""The posting engine: balanced entries only, guarded balances, closed months, reversals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from kampung.conftest import VILLAGE_A1
from kampung.finance.ledger import LedgerError, Posting, balance, lock_book, post, reverse
from kampung.finance.models import ADVANCE, BANK, CASH, TAX_PAYABLE, EntryKind, JournalLine
from kampung.finance.selectors.ledger import book_balances, budget_in_force
from kampung.finance.tests.exec_factories import bank_receipt, make_executable

pytestmark = pytest.mark.django_db
D = Decimal


def _post(postings, day=dt.date(2026, 2, 1), kind=EntryKind.PAYMENT):
    with transaction.atomic():
        book = lock_book(VILLAGE_A1, 2026)
        return post(book=book, date=day, kind=kind, description="uji", postings=postings)


def test_balanced_entry_moves_balances_and_numbers_in_order(world):
    apbdes = make_executable(VILLAGE_A1)
    first = bank_receipt(VILLAGE_A1, 2026, 100_000_000)
    road = apbdes.activities.get(activity_code__code="02.03.10")
    second = _post(
        [
            Posting("5.3.5.03", debit=D(10_000_000), source="DDS", activity=road),
            Posting(BANK, credit=D(9_825_000)),
            Posting(TAX_PAYABLE, credit=D(175_000), tax="PPH4_2K"),
        ]
    )
    assert (first.number, second.number) == (1, 2)
    book = first.book
    assert balance(book, BANK) == D(90_175_000)
    assert balance(book, TAX_PAYABLE, tax_code="PPH4_2K") == D(175_000)
    assert book_balances(book)[TAX_PAYABLE] == D(175_000)
    assert budget_in_force(VILLAGE_A1, 2026) == apbdes
    line = JournalLine.objects.get(entry=second, account_code="5.3.5.03")
    assert (line.activity_code, line.month, line.source_code) == ("02.03.10", 2, "DDS")


def test_unbalanced_or_one_sided_entries_are_refused(world):
    with pytest.raises(LedgerError, match="tidak seimbang"):
        _post([Posting(CASH, debit=D(10)), Posting("4.1.2.01", credit=D(9), source="PAD")])
    with pytest.raises(LedgerError, match="debet atau kredit"):
        _post([Posting(CASH, debit=D(10), credit=D(10))])
    with pytest.raises(LedgerError, match="tidak sah"):
        _post([Posting(CASH, debit=D("0.001")), Posting("4.1.2.01", credit=D("0.001"))])
    assert not JournalLine.objects.exists()


def test_cash_and_advances_never_go_negative(world):
    apbdes = make_executable(VILLAGE_A1)
    road = apbdes.activities.get(activity_code__code="02.03.10")
    with pytest.raises(LedgerError, match="Saldo Kas tunai tidak cukup"):
        _post([Posting("5.2.1.01", debit=D(5), source="ADD"), Posting(CASH, credit=D(5))])
    bank_receipt(VILLAGE_A1, 2026, 1_000)
    _post([Posting(ADVANCE, debit=D(600), activity=road), Posting(BANK, credit=D(600))])
    with pytest.raises(LedgerError, match="Panjar kegiatan kegiatan 02.03.10"):
        _post(
            [
                Posting("5.3.5.03", debit=D(700), source="DDS", activity=road),
                Posting(ADVANCE, credit=D(700), activity=road),
            ]
        )
    with pytest.raises(LedgerError, match="Utang pajak"):
        _post(
            [Posting(TAX_PAYABLE, debit=D(1), tax="PPN"), Posting(BANK, credit=D(1))],
            kind=EntryKind.TAX_DEPOSIT,
        )


def test_closed_month_and_other_year_accept_nothing(world):
    bank_receipt(VILLAGE_A1, 2026, 1_000)
    with transaction.atomic():
        book = lock_book(VILLAGE_A1, 2026)
        book.closed_through = 2
        book.save()
    with pytest.raises(LedgerError, match="Februari 2026 sudah ditutup"):
        _post(
            [Posting(CASH, debit=D(1)), Posting("4.1.2.01", credit=D(1), source="PAD")],
            day=dt.date(2026, 2, 27),
        )
    with pytest.raises(LedgerError, match="di luar tahun anggaran"):
        _post(
            [Posting(CASH, debit=D(1)), Posting("4.1.2.01", credit=D(1), source="PAD")],
            day=dt.date(2027, 1, 2),
        )
    _post(
        [Posting(CASH, debit=D(1)), Posting("4.1.2.01", credit=D(1), source="PAD")], day=dt.date(2026, 3, 1)
    )


def test_reversal_mirrors_once_with_a_reason(world):
    entry = bank_receipt(VILLAGE_A1, 2026, 1_000)
    with transaction.atomic():
        book = lock_book(VILLAGE_A1, 2026)
        with pytest.raises(LedgerError, match="Alasan"):
            reverse(book=book, entry=entry, date=dt.date(2026, 1, 20), reason=" ")
        fix = reverse(book=book, entry=entry, date=dt.date(2026, 1, 20), reason="Salah rekening")
        assert balance(book, BANK) == 0
        with pytest.raises(LedgerError, match="sudah dikoreksi"):
            reverse(book=book, entry=entry, date=dt.date(2026, 1, 21), reason="lagi")
        with pytest.raises(LedgerError, match="tidak dapat dibalik"):
            reverse(book=book, entry=fix, date=dt.date(2026, 1, 21), reason="lagi")
    assert fix.kind == EntryKind.REVERSAL and fix.reverses == entry


def test_reversing_a_receipt_already_spent_is_refused(world):
    entry = bank_receipt(VILLAGE_A1, 2026, 1_000)
    _post([Posting("5.2.1.01", debit=D(800), source="DDS"), Posting(BANK, credit=D(800))])
    with transaction.atomic():
        book = lock_book(VILLAGE_A1, 2026)
        with pytest.raises(LedgerError, match="Rekening Kas Desa"):
            reverse(book=book, entry=entry, date=dt.date(2026, 2, 2), reason="salah")


def test_a_day_not_yet_come_accepts_nothing(world):
    import time_machine

    with time_machine.travel("2026-03-10 09:00 +0700"):
        with pytest.raises(LedgerError, match="belum tiba"):
            _post(
                [Posting(CASH, debit=D(1)), Posting("4.1.2.01", credit=D(1), source="PAD")],
                day=dt.date(2026, 3, 11),
            )
        _post(
            [Posting(CASH, debit=D(1)), Posting("4.1.2.01", credit=D(1), source="PAD")],
            day=dt.date(2026, 3, 10),
        )
    assert JournalLine.objects.count() == 2
