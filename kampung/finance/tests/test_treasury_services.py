"""Treasury services: receipts, cash/bank moves, tax deposits, financing outlays, corrections
and month closing. Every refusal leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.authority.models import ActRecord
from kampung.conftest import VILLAGE_A1, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.ledger import LedgerError, Posting, balance, lock_book, post
from kampung.finance.models import (
    BANK,
    CASH,
    TAX_PAYABLE,
    Apbdes,
    Book,
    CashTransfer,
    EntryKind,
    FinanceSetting,
    FinancingOutlay,
    JournalEntry,
    JournalLine,
    Receipt,
    TaxDeposit,
)
from kampung.finance.services import treasury as svc
from kampung.finance.tests.exec_factories import bank_receipt, make_executable

pytestmark = pytest.mark.django_db
D = Decimal
Y = 2026


@pytest.fixture(autouse=True)
def _mid_july():
    with time_machine.travel("2026-07-15 09:00 +0700", tick=False):
        yield


def _receipt(world, **kw):
    args = {
        "actor": world.user(Role.TREASURER, VILLAGE_A1),
        "village_code": VILLAGE_A1,
        "year": Y,
        "date": dt.date(Y, 3, 10),
        "account_code": "4.2.1.01",
        "source_code": "DDS",
        "amount": D(400_000_000),
        "payer": "RKUD Kabupaten Banyuwangi",
        "description": "Dana Desa tahap I",
        "method": "transfer",
        "tranche": 1,
    }
    args.update(kw)
    return svc.receipt_record(**args)


def _nothing_posted():
    return not JournalEntry.objects.exists() and not Receipt.objects.exists()


def test_receipt_posts_to_bank_numbers_per_book_and_audits(world):
    make_executable(VILLAGE_A1)
    first = _receipt(world, earmarked=True)
    second = _receipt(
        world,
        account_code="4.1.2.01",
        source_code="PAD",
        amount=D("1.500.000".replace(".", "")),
        method="tunai",
        tranche=None,
        description="Sewa tanah kas desa",
        payer="Pak Darto",
    )
    assert first.number == "0001/TBP/2026" and second.number == "0002/TBP/2026"
    assert first.earmarked and first.tranche == 1 and first.entry.kind == EntryKind.RECEIPT
    book = Book.objects.get(village_id=VILLAGE_A1, year=Y)
    assert balance(book, BANK) == D(400_000_000) and balance(book, CASH) == D(1_500_000)
    line = JournalLine.objects.get(entry=first.entry, account_code="4.2.1.01")
    assert (line.credit, line.source_code, line.month) == (D(400_000_000), "DDS", 3)
    assert first.entry.doc_type == "finance.Receipt" and first.entry.doc_number == first.number
    assert AuditEntry.objects.filter(act="finance.receipt.record").count() == 2
    assert first.budget_warning == ""


def test_receipt_passing_the_budget_is_recorded_with_a_warning(world):
    make_executable(VILLAGE_A1)
    receipt = _receipt(world, amount=D(1_100_000_000))
    assert Receipt.objects.count() == 1
    assert "melebihi anggaran" in receipt.budget_warning and "1.000.000.000" in receipt.budget_warning


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"account_code": "4.2.1.01", "source_code": "ADD"}, "tidak sesuai"),
        ({"account_code": "4.2.3.01", "source_code": "DDS"}, "tidak sesuai"),
        ({"account_code": "4.2.2.01", "source_code": "PAD", "tranche": None}, "tidak sesuai"),
        ({"account_code": "4.1.2.01", "source_code": "DDS", "tranche": None}, "tidak sesuai"),
        ({"account_code": "5.2.1.01"}, "bukan rekening"),
        ({"account_code": "4.2.1"}, "bukan rekening|tidak dikenal"),
        ({"account_code": "4.9.9.99"}, "tidak dikenal"),
        ({"source_code": "XYZ"}, "tidak dikenal"),
        ({"amount": D(0)}, "lebih dari nol"),
        ({"amount": D("-5")}, "lebih dari nol"),
        ({"amount": D("1.001")}, "tidak sah"),
        ({"amount": "abc"}, "angka"),
        ({"method": "emas"}, "tunai atau rekening"),
        ({"payer": "  "}, "wajib"),
        ({"tranche": None}, "tahap"),
        ({"tranche": 7}, "1 sampai"),
        ({"tranche": "x"}, "berupa angka"),
        ({"account_code": "4.1.2.01", "source_code": "PAD", "tranche": 1}, "hanya untuk Dana Desa"),
        ({"account_code": "4.2.3.01", "source_code": "ADD", "earmarked": True}, "earmark"),
        ({"date": dt.date(2025, 12, 31)}, "di luar tahun"),
        ({"date": dt.date(Y, 8, 1)}, "belum terjadi"),
    ],
)
def test_receipt_refusals_change_nothing(world, changes, message):
    make_executable(VILLAGE_A1)
    with pytest.raises(KampungError, match=message):
        _receipt(world, **changes)
    assert _nothing_posted()


def test_sensible_source_pairs_are_accepted(world):
    make_executable(VILLAGE_A1)
    for account, source in [
        ("4.1.3.01", "SWD"),
        ("4.1.3.01", "PAD"),
        ("4.2.2.01", "PBH"),
        ("4.2.4.01", "PBP"),
        ("4.2.5.01", "PBK"),
        ("4.3.6.01", "DLL"),
        ("4.3.6.01", "PAD"),
        ("6.1.1.01", "DDS"),
    ]:
        _receipt(world, account_code=account, source_code=source, amount=D(1000), tranche=None)
    _receipt(world, account_code="4.2.3.01", source_code="ADD", tranche=2)
    assert Receipt.objects.count() == 9


def test_only_the_treasurer_of_the_village_records(world):
    make_executable(VILLAGE_A1)
    for user in (world.user(Role.SECRETARY, VILLAGE_A1), world.user(Role.TREASURER, VILLAGE_B1)):
        with pytest.raises(NotPermitted):
            _receipt(world, actor=user)
    assert _nothing_posted()


def test_duplicate_number_is_refused(world):
    make_executable(VILLAGE_A1)
    _receipt(world, number="TBP-01")
    with pytest.raises(KampungError, match="sudah dipakai"):
        _receipt(world, number="TBP-01")
    assert Receipt.objects.count() == 1 and JournalEntry.objects.count() == 1


def test_cash_limit_refuses_receipts_and_withdrawals_above_it(world):
    make_executable(VILLAGE_A1)
    FinanceSetting.objects.create(regency_id="35.10", cash_limit=D(10_000_000))
    _receipt(
        world, account_code="4.1.2.01", source_code="PAD", amount=D(8_000_000), method="tunai", tranche=None
    )
    with pytest.raises(KampungError, match="batas kas tunai"):
        _receipt(
            world,
            account_code="4.1.2.01",
            source_code="PAD",
            amount=D(3_000_000),
            method="tunai",
            tranche=None,
        )
    _receipt(world)  # into the bank: no limit
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    with pytest.raises(KampungError, match="batas kas tunai"):
        svc.transfer_record(
            actor=treasurer,
            village_code=VILLAGE_A1,
            year=Y,
            date=dt.date(Y, 3, 11),
            direction="tarik",
            amount=D(2_000_001),
        )
    assert CashTransfer.objects.count() == 0 and Receipt.objects.count() == 2
    svc.transfer_record(
        actor=treasurer,
        village_code=VILLAGE_A1,
        year=Y,
        date=dt.date(Y, 3, 11),
        direction="tarik",
        amount=D(2_000_000),
    )
    book = Book.objects.get(village_id=VILLAGE_A1, year=Y)
    assert balance(book, CASH) == D(10_000_000)


def test_transfers_move_between_cash_and_bank(world):
    make_executable(VILLAGE_A1)
    _receipt(world)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    t1 = svc.transfer_record(
        actor=treasurer,
        village_code=VILLAGE_A1,
        year=Y,
        date=dt.date(Y, 3, 12),
        direction="tarik",
        amount=D(5_000_000),
        reference="CEK 123",
    )
    t2 = svc.transfer_record(
        actor=treasurer,
        village_code=VILLAGE_A1,
        year=Y,
        date=dt.date(Y, 3, 13),
        direction="setor",
        amount=D(1_000_000),
    )
    assert t1.number == "0001/TRK/2026" and t2.number == "0002/STS/2026"
    book = t1.book
    assert balance(book, CASH) == D(4_000_000) and balance(book, BANK) == D(396_000_000)
    with pytest.raises(LedgerError, match="Kas tunai tidak cukup"):
        svc.transfer_record(
            actor=treasurer,
            village_code=VILLAGE_A1,
            year=Y,
            date=dt.date(Y, 3, 13),
            direction="setor",
            amount=D(4_000_001),
        )
    with pytest.raises(KampungError, match="arah"):
        svc.transfer_record(
            actor=treasurer,
            village_code=VILLAGE_A1,
            year=Y,
            date=dt.date(Y, 3, 13),
            direction="x",
            amount=D(1),
        )
    assert CashTransfer.objects.count() == 2


def _withhold(amount, code="PPH23", day=dt.date(Y, 4, 2)):
    """An LS-like payment with tax withheld (straight to the ledger)."""
    with transaction.atomic():
        book = lock_book(VILLAGE_A1, Y)
        apbdes = Apbdes.objects.get(village_id=VILLAGE_A1, year=Y)
        activity = apbdes.activities.get(activity_code__code="02.03.10")
        return post(
            book=book,
            date=day,
            kind=EntryKind.PAYMENT,
            description="Bayar material",
            postings=[
                Posting("5.3.5.03", debit=D(10_000_000), source="DDS", activity=activity),
                Posting(BANK, credit=D(10_000_000) - amount),
                Posting(TAX_PAYABLE, credit=amount, tax=code),
            ],
        )


def test_tax_deposit_up_to_the_outstanding_with_ntpn_check(world):
    make_executable(VILLAGE_A1)
    _receipt(world)
    _withhold(D(200_000))
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    base = {
        "actor": treasurer,
        "village_code": VILLAGE_A1,
        "year": Y,
        "date": dt.date(Y, 4, 10),
        "tax_code": "PPH23",
    }
    with pytest.raises(KampungError, match="hanya Rp 200.000"):
        svc.tax_deposit_record(**base, amount=D(200_001))
    with pytest.raises(KampungError, match="NTPN harus 16"):
        svc.tax_deposit_record(**base, amount=D(100_000), ntpn="12345")
    with pytest.raises(KampungError, match="NTPN harus 16"):
        svc.tax_deposit_record(**base, amount=D(100_000), ntpn="ABCD-1234-EFGH-567!")
    with pytest.raises(KampungError, match="belum disetor hanya Rp 0"):
        svc.tax_deposit_record(**{**base, "tax_code": "PPN"}, amount=D(1))
    assert not TaxDeposit.objects.exists()
    deposit = svc.tax_deposit_record(
        **base, amount=D(150_000), ntpn="abcd 1234 efgh 5678", billing_code="123456789012345"
    )
    assert deposit.ntpn == "ABCD1234EFGH5678" and deposit.entry.kind == EntryKind.TAX_DEPOSIT
    book = deposit.book
    assert balance(book, TAX_PAYABLE, tax_code="PPH23") == D(50_000)
    assert balance(book, BANK) == D(400_000_000) - D(9_800_000) - D(150_000)


def test_financing_outlay_within_budget_only(world):
    apbdes = make_executable(VILLAGE_A1)
    from kampung.finance.models import FinancingLine
    from kampung.finance.tests.factories import account, source

    FinancingLine.objects.create(
        apbdes=apbdes, account=account("6.2.2.01"), source=source("PAD"), amount=D(5_000_000)
    )
    _receipt(world)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    base = {
        "actor": treasurer,
        "village_code": VILLAGE_A1,
        "year": Y,
        "date": dt.date(Y, 5, 2),
        "account_code": "6.2.2.01",
        "description": "Penyertaan modal BUMDes",
        "method": "transfer",
    }
    with pytest.raises(KampungError, match="bukan rekening"):
        svc.financing_outlay_record(**{**base, "account_code": "6.1.1.01"}, amount=D(1))
    outlay = svc.financing_outlay_record(**base, amount=D(3_000_000), source_code="PAD")
    assert outlay.number == "0001/PBY/2026"
    with pytest.raises(KampungError, match="tersisa Rp 2.000.000"):
        svc.financing_outlay_record(**base, amount=D(2_000_001))
    assert FinancingOutlay.objects.count() == 1
    line = JournalLine.objects.get(entry=outlay.entry, account_code="6.2.2.01")
    assert (line.debit, line.source_code) == (D(3_000_000), "PAD")


def test_reversal_of_a_receipt_with_a_reason(world):
    make_executable(VILLAGE_A1)
    receipt = _receipt(world)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    with pytest.raises(KampungError, match="Alasan"):
        svc.entry_reverse(actor=treasurer, entry=receipt.entry, date=dt.date(Y, 3, 20), reason=" ")
    with pytest.raises(KampungError, match="sebelum tanggal jurnal"):
        svc.entry_reverse(actor=treasurer, entry=receipt.entry, date=dt.date(Y, 3, 1), reason="salah")
    with pytest.raises(NotPermitted):
        svc.entry_reverse(
            actor=world.user(Role.HEAD, VILLAGE_A1),
            entry=receipt.entry,
            date=dt.date(Y, 3, 20),
            reason="salah",
        )
    assert JournalEntry.objects.count() == 1
    mirror = svc.entry_reverse(
        actor=treasurer, entry=receipt.entry, date=dt.date(Y, 3, 20), reason="Salah rekening"
    )
    assert mirror.kind == EntryKind.REVERSAL and mirror.reverses == receipt.entry
    assert balance(receipt.book, BANK) == 0
    with pytest.raises(LedgerError, match="sudah dikoreksi"):
        svc.entry_reverse(actor=treasurer, entry=receipt.entry, date=dt.date(Y, 3, 21), reason="lagi")
    with pytest.raises(LedgerError, match="tidak dapat dibalik"):
        svc.entry_reverse(actor=treasurer, entry=mirror, date=dt.date(Y, 3, 21), reason="lagi")
    assert AuditEntry.objects.filter(act="finance.entry.reverse").count() == 1


def test_reversal_refused_when_it_would_overdraw(world):
    make_executable(VILLAGE_A1)
    receipt = _receipt(world, amount=D(10_000_000))
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    svc.transfer_record(
        actor=treasurer,
        village_code=VILLAGE_A1,
        year=Y,
        date=dt.date(Y, 3, 12),
        direction="tarik",
        amount=D(6_000_000),
    )
    with pytest.raises(LedgerError, match="tidak cukup"):
        svc.entry_reverse(actor=treasurer, entry=receipt.entry, date=dt.date(Y, 3, 20), reason="salah")
    assert JournalEntry.objects.count() == 2


def test_month_closing_in_order_only_after_month_end(world):
    make_executable(VILLAGE_A1)
    _receipt(world)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    close = lambda m, actor=treasurer: svc.month_close(actor=actor, village_code=VILLAGE_A1, year=Y, month=m)  # noqa: E731
    with pytest.raises(KampungError, match="berurutan"):
        close(2)
    with pytest.raises(NotPermitted):
        close(1, world.user(Role.SECRETARY, VILLAGE_A1))
    for month in (1, 2, 3):
        book = close(month)
    assert book.closed_through == 3
    with pytest.raises(KampungError, match="sudah ditutup"):
        close(3)
    with pytest.raises(LedgerError, match="sudah ditutup"):
        _receipt(world, date=dt.date(Y, 3, 31), amount=D(1))
    with pytest.raises(LedgerError, match="sudah ditutup"):
        svc.entry_reverse(
            actor=treasurer, entry=JournalEntry.objects.get(), date=dt.date(Y, 3, 31), reason="x"
        )
    for month in (4, 5, 6):
        close(month)
    with pytest.raises(KampungError, match="belum berakhir"):
        close(7)  # 15 July: July has not ended
    with pytest.raises(KampungError, match="Bulan tidak dikenal"):
        close(13)
    assert Book.objects.get(village_id=VILLAGE_A1, year=Y).closed_through == 6
    assert ActRecord.objects.filter(act="finance.month.close").count() == 6
    assert AuditEntry.objects.filter(act="finance.month.close").count() == 6


def test_december_closing_is_the_year_end(world):
    make_executable(VILLAGE_A1)
    Book.objects.create(village_id=VILLAGE_A1, year=2025, closed_through=11)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    book = svc.month_close(actor=treasurer, village_code=VILLAGE_A1, year=2025, month=12)
    assert book.closed_through == 12 and svc.next_month_to_close(book) is None
    with pytest.raises(LedgerError, match="ditutup"):
        bank_receipt(VILLAGE_A1, 2025, 1, day=dt.date(2025, 12, 31))
