"""Issue #7 flow: SPP UM → verify → approve → pay → SPJ → return of the remainder, then an
LS payment with taxes, and the LRA read from the journal shows exactly what was spent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.finance.ledger import balance
from kampung.finance.models import ADVANCE, BANK, CASH, TAX_PAYABLE, AttachmentKind, Book, SppStatus
from kampung.finance.selectors import payments as sel
from kampung.finance.selectors.realisation import lra
from kampung.finance.services import payments as svc
from kampung.finance.tests.payments_helpers import (
    YEAR,
    activity,
    make_spp,
    pdf_upload,
    setup_village,
    to_approved,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_advance_then_direct_payment_and_the_lra(world):
    road = activity(setup_village(bank=300_000_000))
    executor = world.user(Role.EXECUTOR, VILLAGE_A1)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)

    # 1. Advance of Rp 20 jt: Rp 17,5 jt spent, PPh 22 withheld in the SPJ, Rp 2,5 jt returned.
    um = to_approved(world, make_spp(world, road, {"Rabat beton": 20_000_000}, day=dt.date(YEAR, 3, 2)))
    svc.spp_pay(actor=treasurer, spp=um, date=dt.date(YEAR, 3, 3), method="transfer", reference="TRX-1")
    svc.attachment_add(actor=executor, spp=um, kind=AttachmentKind.RECEIPT, upload=pdf_upload(), for_spj=True)
    sl = um.lines.get()
    svc.spj_record(
        actor=executor,
        spp=um,
        date=dt.date(YEAR, 3, 12),
        spent={sl.pk: Decimal(17_500_000)},
        taxes=[(sl.pk, "PPH22")],
    )
    svc.advance_return(actor=treasurer, spp=um, date=dt.date(YEAR, 3, 13), method="tunai")
    um.refresh_from_db()
    assert um.status == SppStatus.ACCOUNTED and um.returned_amount == Decimal(2_500_000)

    # 2. Direct payment of Rp 10 jt with PPh 4(2) construction (1,75 %) to a payee with NPWP.
    ls = to_approved(
        world,
        make_spp(
            world,
            road,
            {"Rabat beton": 10_000_000},
            kind="LS",
            day=dt.date(YEAR, 4, 6),
            payee_npwp="012345678901000",
        ),
    )
    svc.spp_pay(
        actor=treasurer,
        spp=ls,
        date=dt.date(YEAR, 4, 7),
        method="transfer",
        reference="TRX-2",
        taxes=[(ls.lines.get().pk, "PPH4_2K")],
    )

    book = Book.objects.get(village_id=VILLAGE_A1, year=YEAR)
    pph22 = Decimal(525_000)  # 3 % of 17,5 jt (no NPWP)
    pph42 = Decimal(175_000)
    assert balance(book, ADVANCE, activity_code="02.03.10") == 0
    assert balance(book, TAX_PAYABLE, tax_code="PPH22") == pph22
    assert balance(book, TAX_PAYABLE, tax_code="PPH4_2K") == pph42
    assert balance(book, CASH) == Decimal(2_500_000) + pph22
    assert balance(book, BANK) == Decimal(300_000_000 - 20_000_000 - 10_000_000) + pph42
    # Cash + bank = revenue − spending + taxes still held.
    assert balance(book, CASH) + balance(book, BANK) == Decimal(300_000_000 - 27_500_000) + pph22 + pph42

    report = lra(VILLAGE_A1, YEAR)
    assert report.spending.realised == Decimal(27_500_000)
    assert report.spending_by_source["DDS"].realised == Decimal(27_500_000)
    assert report.revenue.realised == Decimal(300_000_000)
    first_quarter = lra(VILLAGE_A1, YEAR, through_month=3)
    assert first_quarter.spending.realised == Decimal(17_500_000)
    # What remains of the kegiatan: budget 462 jt − 27,5 jt spent.
    assert sel.remaining_budget(road) == Decimal(462_000_000 - 27_500_000)
