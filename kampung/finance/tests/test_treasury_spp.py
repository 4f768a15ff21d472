"""Corrections of SPP entries through the treasury (``entry_reverse`` calls part A's
``payments.after_reversal``) and the books after real SPP flows: an LS payment with tax
withheld, an advance with its SPJ and the return of the rest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.finance.ledger import balance
from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    AttachmentKind,
    Book,
    EntryKind,
    JournalEntry,
    SppStatus,
)
from kampung.finance.selectors import books
from kampung.finance.services import payments
from kampung.finance.services import treasury as svc
from kampung.finance.tests.payments_helpers import activity, make_spp, pdf_upload, setup_village, to_approved

pytestmark = pytest.mark.django_db
Y = 2026
D = Decimal


@pytest.fixture(autouse=True)
def _mid_july():
    with time_machine.travel("2026-07-15 09:00 +0700", tick=False):
        yield


def _advance_flow(world):
    act = activity(setup_village())
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}))
    paid = payments.spp_pay(actor=treasurer, spp=spp, date=dt.date(Y, 6, 2), method="transfer", reference="T")
    payments.attachment_add(
        actor=treasurer, spp=spp, kind=AttachmentKind.RECEIPT, upload=pdf_upload(), for_spj=True
    )
    line = spp.lines.get()
    spj = payments.spj_record(actor=treasurer, spp=spp, date=dt.date(Y, 6, 3), spent={line.pk: D(1_500_000)})
    ret = payments.advance_return(actor=treasurer, spp=spp, date=dt.date(Y, 6, 4), method="tunai")
    return treasurer, spp, paid, spj, ret


def test_reversing_spp_entries_through_the_treasury_puts_the_spp_back(world):
    treasurer, spp, paid, spj, ret = _advance_flow(world)
    book = Book.objects.get(village_id=VILLAGE_A1, year=Y)
    adv = books.advance_rows(book)[0]
    assert (adv.given, adv.accounted, adv.returned, adv.outstanding) == (
        D(2_000_000),
        D(1_500_000),
        D(500_000),
        0,
    )
    count = JournalEntry.objects.count()
    with pytest.raises(KampungError, match="pengembalian"):
        svc.entry_reverse(actor=treasurer, entry=spj, date=dt.date(Y, 6, 5), reason="salah")
    assert JournalEntry.objects.count() == count  # the mirror was rolled back with the refusal
    svc.entry_reverse(actor=treasurer, entry=ret, date=dt.date(Y, 6, 5), reason="salah hitung")
    spp.refresh_from_db()
    assert spp.status == SppStatus.PAID and spp.return_entry_id is None
    svc.entry_reverse(actor=treasurer, entry=spj, date=dt.date(Y, 6, 5), reason="salah hitung")
    svc.entry_reverse(actor=treasurer, entry=paid, date=dt.date(Y, 6, 5), reason="salah kegiatan")
    spp.refresh_from_db()
    assert spp.status == SppStatus.APPROVED and spp.entry_id is None
    assert balance(book, ADVANCE) == 0
    adv = books.advance_rows(book)[0]
    assert (adv.given, adv.accounted, adv.returned, adv.outstanding) == (0, 0, 0, 0)
    rows = books.bku_rows(book)
    assert rows[-1].balance == balance(book, CASH) + balance(book, BANK) == D(500_000_000)
    road = books.activity_rows(book, "02.03.10")
    assert road[-1].balance == 0 and sum(r.spent for r in road) == 0


def test_ls_payment_with_tax_in_the_books_and_its_deposit(world):
    act = activity(setup_village())
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    spp = to_approved(
        world, make_spp(world, act, {"Rabat beton": 10_000_000}, kind="LS", payee_npwp="01.234.567.8-901.000")
    )
    line = spp.lines.get()
    paid = payments.spp_pay(
        actor=treasurer,
        spp=spp,
        date=dt.date(Y, 6, 2),
        method="transfer",
        reference="TRF-1",
        taxes=[(line.pk, "PPN")],
    )
    book = Book.objects.get(village_id=VILLAGE_A1, year=Y)
    tax = balance(book, TAX_PAYABLE, tax_code="PPN")
    assert tax > 0
    rows = [r for r in books.bku_rows(book) if r.entry_id == paid.pk]
    assert [(r.receipt, r.payment) for r in rows] == [(0, D(10_000_000)), (tax, 0)]
    svc.tax_deposit_record(
        actor=treasurer, village_code=VILLAGE_A1, year=Y, date=dt.date(Y, 6, 10), tax_code="PPN", amount=tax
    )
    summary = {s.code: s for s in books.tax_summary(book)}
    assert (summary["PPN"].withheld, summary["PPN"].deposited, summary["PPN"].outstanding) == (tax, tax, 0)
    assert books.bku_rows(book)[-1].balance == balance(book, CASH) + balance(book, BANK)
    assert books.bku_rows(book)[-1].balance == D(500_000_000) - D(10_000_000)
    kind = JournalEntry.objects.get(pk=paid.pk).kind
    assert kind == EntryKind.PAYMENT
