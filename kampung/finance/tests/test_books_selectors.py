"""The books read from the journal: running balances equal the ledger's balances after a mixed
sequence (receipts, LS payments with tax, advances with SPJ and return, tax deposits, moves
between cash and bank, corrections), and per month the opening row carries on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.finance.ledger import Posting, balance, book_for, lock_book, post
from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    Apbdes,
    Book,
    EntryKind,
    JournalEntry,
    Spp,
    SppKind,
    SppStatus,
)
from kampung.finance.selectors import books
from kampung.finance.services import treasury as svc
from kampung.finance.tests.exec_factories import make_executable

pytestmark = pytest.mark.django_db
D = Decimal
Y = 2026


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel("2026-12-20 09:00 +0700", tick=False):
        yield


def _activity(code="02.03.10"):
    return Apbdes.objects.get(village_id=VILLAGE_A1, year=Y).activities.get(activity_code__code=code)


def _spp(kind, amount, number, activity):
    book = book_for(VILLAGE_A1, Y)
    return Spp.objects.create(
        book=book,
        activity=activity,
        kind=kind,
        number=number,
        date=dt.date(Y, 4, 1),
        description=f"SPP {number}",
        amount=amount,
        payee_name="Toko Bangunan",
        status=SppStatus.PAID,
        paid_on=dt.date(Y, 4, 2),
    )


def _post(day, kind, postings, doc=None, description="uji"):
    with transaction.atomic():
        book = lock_book(VILLAGE_A1, Y)
        return post(
            book=book,
            date=day,
            kind=kind,
            description=description,
            postings=postings,
            doc=doc,
            doc_number=getattr(doc, "number", ""),
        )


def _ls_payment(day, gross, tax, activity, number="LS-1"):
    spp = _spp(SppKind.DIRECT, gross, number, activity)
    return _post(
        day,
        EntryKind.PAYMENT,
        [
            Posting("5.3.5.03", debit=gross, source="DDS", activity=activity),
            Posting(BANK, credit=gross - tax),
            Posting(TAX_PAYABLE, credit=tax, tax="PPH4_2K"),
        ],
        doc=spp,
        description="Bayar rabat beton",
    )


def _mixed_sequence(world):
    """Returns the treasurer and the entries worth checking."""
    make_executable(VILLAGE_A1)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    common = {"actor": treasurer, "village_code": VILLAGE_A1, "year": Y}
    svc.receipt_record(
        **common,
        date=dt.date(Y, 1, 5),
        account_code="6.1.1.01",
        source_code="DDS",
        amount=D(30_000_000),
        payer="SiLPA 2025",
        description="SiLPA",
        method="transfer",
    )
    svc.receipt_record(
        **common,
        date=dt.date(Y, 3, 10),
        account_code="4.2.1.01",
        source_code="DDS",
        amount=D(400_000_000),
        payer="RKUD",
        description="DD tahap I",
        method="transfer",
        tranche=1,
    )
    svc.receipt_record(
        **common,
        date=dt.date(Y, 3, 12),
        account_code="4.1.2.01",
        source_code="PAD",
        amount=D(2_000_000),
        payer="Penyewa",
        description="Sewa tanah",
        method="tunai",
    )
    svc.transfer_record(**common, date=dt.date(Y, 3, 15), direction="tarik", amount=D(20_000_000))
    road = _activity()
    office = _activity("01.01.04")
    ls = _ls_payment(dt.date(Y, 4, 2), D(100_000_000), D(2_000_000), road)
    um = _spp(SppKind.ADVANCE, D(15_000_000), "UM-1", office)
    _post(
        dt.date(Y, 4, 3),
        EntryKind.ADVANCE,
        [Posting(ADVANCE, debit=D(15_000_000), activity=office), Posting(CASH, credit=D(15_000_000))],
        doc=um,
        description="Panjar ATK",
    )
    _post(
        dt.date(Y, 4, 10),
        EntryKind.ACCOUNTABILITY,
        [
            Posting("5.1.3.01", debit=D(12_000_000), source="ADD", activity=office),
            Posting(ADVANCE, credit=D(12_000_000), activity=office),
            Posting(CASH, debit=D(240_000)),
            Posting(TAX_PAYABLE, credit=D(240_000), tax="PPH22"),
        ],
        doc=um,
        description="SPJ panjar ATK",
    )
    _post(
        dt.date(Y, 4, 11),
        EntryKind.ADVANCE_RETURN,
        [Posting(CASH, debit=D(3_000_000)), Posting(ADVANCE, credit=D(3_000_000), activity=office)],
        doc=um,
        description="Pengembalian sisa panjar",
    )
    svc.tax_deposit_record(
        **common, date=dt.date(Y, 5, 5), tax_code="PPH4_2K", amount=D(2_000_000), ntpn="0123456789ABCDEF"
    )
    svc.tax_deposit_record(
        **common, date=dt.date(Y, 5, 6), tax_code="PPH22", amount=D(240_000), method="tunai"
    )
    ls2 = _ls_payment(dt.date(Y, 5, 20), D(50_000_000), D(1_000_000), road, number="LS-2")
    svc.transfer_record(**common, date=dt.date(Y, 6, 1), direction="setor", amount=D(1_000_000))
    return treasurer, ls, ls2


def _ledger():
    book = Book.objects.get(village_id=VILLAGE_A1, year=Y)
    return book, balance(book, CASH), balance(book, BANK)


def test_bku_final_balance_equals_cash_plus_bank_after_a_mixed_sequence(world):
    treasurer, ls, ls2 = _mixed_sequence(world)
    # a correction of the second LS payment (straight through the ledger: no SPP module needed)
    with transaction.atomic():
        from kampung.finance.ledger import reverse

        reverse(book=lock_book(VILLAGE_A1, Y), entry=ls2, date=dt.date(Y, 6, 2), reason="dobel bayar")
    book, cash, bank = _ledger()
    rows = books.bku_rows(book)
    assert rows[0].opening and rows[0].balance == 0
    assert rows[-1].balance == cash + bank
    assert cash == D(2_000_000) + D(20_000_000) - D(15_000_000) + D(240_000) + D(3_000_000) - D(240_000) - D(
        1_000_000
    )
    # running balance = the ledger's CASH + BANK through each row's date
    for row in rows[1:]:
        last_of_day = [r for r in rows[1:] if r.date == row.date][-1]
        if row is last_of_day:
            assert row.balance == balance(book, CASH, through=row.date) + balance(
                book, BANK, through=row.date
            )
    # the LS payment: gross as pengeluaran, tax as penerimaan PFK
    ls_rows = [r for r in rows if r.entry_id == ls.pk]
    assert [(r.receipt, r.payment) for r in ls_rows] == [(0, D(100_000_000)), (D(2_000_000), 0)]
    assert ls_rows[0].account == "5.3.5.03" and ls_rows[1].account == "PPH4_2K"
    # the transfer: a row without amounts
    transfer = [r for r in rows if r.kind == EntryKind.TRANSFER]
    assert len(transfer) == 2 and all(r.receipt == r.payment == 0 for r in transfer)
    # the correction: the original's columns negated; the cumulative pengeluaran goes down
    rev = [r for r in rows if r.reversal]
    assert [(r.receipt, r.payment) for r in rev] == [(0, D(-50_000_000)), (D(-1_000_000), 0)]
    assert rows[-1].cumulative_payment == sum((r.payment for r in rows[1:]), D(0))
    t = books.totals(rows)
    assert t.opening + t.receipts - t.payments == t.closing == cash + bank


def test_month_filter_opening_rows_and_bank_book(world):
    _mixed_sequence(world)
    book, cash, bank = _ledger()
    april = books.bku_rows(book, 4)
    assert april[0].opening
    assert april[0].balance == balance(book, CASH, through=dt.date(Y, 3, 31)) + balance(
        book, BANK, through=dt.date(Y, 3, 31)
    )
    assert all(r.date.month == 4 for r in april[1:])
    assert april[-1].balance == balance(book, CASH, through=dt.date(Y, 4, 30)) + balance(
        book, BANK, through=dt.date(Y, 4, 30)
    )
    assert books.bku_rows(book, 2)[0].balance == D(30_000_000) and len(books.bku_rows(book, 2)) == 1
    bank_rows = books.bank_rows(book)
    assert bank_rows[-1].balance == bank
    may = books.bank_rows(book, 5)
    assert may[0].balance == balance(book, BANK, through=dt.date(Y, 4, 30))
    assert may[-1].balance == balance(book, BANK, through=dt.date(Y, 5, 31))
    assert all(r.receipt or r.payment for r in bank_rows[1:])


def test_tax_advance_and_activity_books(world):
    _mixed_sequence(world)
    book, _, _ = _ledger()
    rows = books.tax_rows(book)
    assert rows[-1].balance == balance(book, TAX_PAYABLE) == D(1_000_000)
    summary = {s.code: s for s in books.tax_summary(book)}
    assert (summary["PPH4_2K"].withheld, summary["PPH4_2K"].deposited) == (D(3_000_000), D(2_000_000))
    assert summary["PPH4_2K"].outstanding == balance(book, TAX_PAYABLE, tax_code="PPH4_2K")
    assert summary["PPH22"].outstanding == 0
    assert [r.code_balance for r in rows if r.tax_code == "PPH22"] == [D(240_000), D(0)]

    advances = books.advance_rows(book)
    assert len(advances) == 1
    adv = advances[0]
    assert (adv.number, adv.given, adv.accounted, adv.returned, adv.outstanding) == (
        "UM-1",
        D(15_000_000),
        D(12_000_000),
        D(3_000_000),
        D(0),
    )
    assert adv.balance == balance(book, ADVANCE) == 0 and adv.activity_code == "01.01.04"

    office = books.activity_rows(book, "01.01.04")
    assert [(r.received, r.spent, r.returned) for r in office] == [
        (D(15_000_000), 0, 0),
        (0, D(12_000_000), 0),
        (0, 0, D(3_000_000)),
    ]
    assert office[-1].balance == balance(book, ADVANCE, activity_code="01.01.04") == 0
    road = books.activity_rows(book, "02.03.10")
    assert [(r.received, r.spent) for r in road] == [
        (D(100_000_000), D(100_000_000)),
        (D(50_000_000), D(50_000_000)),
    ]
    assert road[-1].balance == 0
    assert books.activity_rows(book, "02.03.10", month=5)[0].spent == D(50_000_000)
    assert ("02.03.10", _activity().name) in books.activity_choices(book)


def test_outstanding_advance_and_its_reversal(world):
    make_executable(VILLAGE_A1)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    svc.receipt_record(
        actor=treasurer,
        village_code=VILLAGE_A1,
        year=Y,
        date=dt.date(Y, 3, 10),
        account_code="4.2.3.01",
        source_code="ADD",
        amount=D(50_000_000),
        payer="RKUD",
        description="ADD tahap I",
        method="transfer",
        tranche=1,
    )
    office = _activity("01.01.04")
    um = _spp(SppKind.ADVANCE, D(5_000_000), "UM-9", office)
    paid = _post(
        dt.date(Y, 4, 3),
        EntryKind.ADVANCE,
        [Posting(ADVANCE, debit=D(5_000_000), activity=office), Posting(BANK, credit=D(5_000_000))],
        doc=um,
    )
    book = paid.book
    assert books.advance_rows(book)[0].outstanding == D(5_000_000)
    assert books.activity_rows(book, "01.01.04")[-1].balance == D(5_000_000)
    with transaction.atomic():
        from kampung.finance.ledger import reverse

        reverse(book=lock_book(VILLAGE_A1, Y), entry=paid, date=dt.date(Y, 4, 4), reason="salah kegiatan")
    adv = books.advance_rows(book)[0]
    assert (adv.given, adv.outstanding, len(adv.movements)) == (0, 0, 2)
    assert books.activity_rows(book, "01.01.04")[-1].balance == 0
    assert books.bku_rows(book)[-1].balance == balance(book, CASH) + balance(book, BANK) == D(50_000_000)


def test_books_of_a_village_without_entries():
    assert books.bku_rows(None)[0].balance == 0
    assert books.bank_rows(None, 3)[0].opening
    assert (
        books.tax_rows(None) == [] and books.advance_rows(None) == [] and books.activity_rows(None, "x") == []
    )


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["receipt_bank", "receipt_cash", "tarik", "setor", "ls", "advance", "deposit", "reverse"]
        ),
        st.integers(1, 50),
        st.integers(1, 11),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPS)
def test_property_bku_equals_cash_plus_bank(world, ops):
    with transaction.atomic():
        if not Apbdes.objects.filter(village_id=VILLAGE_A1, year=Y).exists():
            make_executable(VILLAGE_A1)
        treasurer = world.user(Role.TREASURER, VILLAGE_A1)
        common = {"actor": treasurer, "village_code": VILLAGE_A1, "year": Y}
        road = _activity()
        for i, (op, size, month) in enumerate(ops):
            amount = D(size * 100_000)
            day = dt.date(Y, month, 10)
            try:
                with transaction.atomic():
                    if op in ("receipt_bank", "receipt_cash"):
                        svc.receipt_record(
                            **common,
                            date=day,
                            account_code="4.1.2.01",
                            source_code="PAD",
                            amount=amount,
                            payer="x",
                            description="sewa",
                            method="transfer" if op == "receipt_bank" else "tunai",
                        )
                    elif op in ("tarik", "setor"):
                        svc.transfer_record(**common, date=day, direction=op, amount=amount)
                    elif op == "ls":
                        _ls_payment(day, amount, amount / 50, road, number=f"LS-{i}")
                    elif op == "advance":
                        spp = _spp(SppKind.ADVANCE, amount, f"UM-{i}", road)
                        _post(
                            day,
                            EntryKind.ADVANCE,
                            [Posting(ADVANCE, debit=amount, activity=road), Posting(CASH, credit=amount)],
                            doc=spp,
                        )
                    elif op == "deposit":
                        svc.tax_deposit_record(**common, date=day, tax_code="PPH4_2K", amount=amount / 100)
                    else:
                        entry = (
                            JournalEntry.objects.filter(
                                book__village_id=VILLAGE_A1, reverses__isnull=True, reversed_by__isnull=True
                            )
                            .exclude(kind="koreksi")
                            .last()
                        )
                        if entry is not None:
                            with transaction.atomic():
                                from kampung.finance.ledger import reverse

                                reverse(
                                    book=lock_book(VILLAGE_A1, Y),
                                    entry=entry,
                                    date=dt.date(Y, 11, 30),
                                    reason="uji",
                                )
            except KampungError:
                pass
        book = Book.objects.filter(village_id=VILLAGE_A1, year=Y).first()
        rows = books.bku_rows(book)
        cash, bank = (balance(book, CASH), balance(book, BANK)) if book else (D(0), D(0))
        assert rows[-1].balance == cash + bank
        assert books.bank_rows(book)[-1].balance == bank
        tax = books.tax_rows(book)
        assert (tax[-1].balance if tax else D(0)) == (balance(book, TAX_PAYABLE) if book else 0)
        adv = books.advance_rows(book)
        assert (adv[-1].balance if adv else D(0)) == (balance(book, ADVANCE) if book else 0)
        act = books.activity_rows(book, "02.03.10")
        assert (act[-1].balance if act else D(0)) == (
            balance(book, ADVANCE, activity_code="02.03.10") if book else 0
        )
        transaction.set_rollback(True)
