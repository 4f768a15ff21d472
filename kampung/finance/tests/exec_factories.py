"""Builders for execution tests: an enacted APBDes with an approved RAK (every line spread
evenly over its kegiatan's months) and approved DPAs, written straight to the tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kampung.finance.ledger import Posting, lock_book, post
from kampung.finance.models import (
    BANK,
    Apbdes,
    ApbdesStatus,
    Book,
    BudgetLine,
    DocStatus,
    Dpa,
    EntryKind,
    JournalEntry,
    Rak,
    RakEntry,
)
from kampung.finance.services.execution import spread_evenly
from kampung.finance.tests.factories import make_apbdes


def ensure_reference() -> None:
    """Reload the reference rows the migrations load, when a transactional test (which empties
    every table after it) ran before this one in the same database."""
    from kampung.finance.loader import execution_defaults_load, reference_load
    from kampung.finance.models import FundSource, TaxRate

    if not FundSource.objects.exists():
        reference_load()
    if not TaxRate.objects.exists():
        execution_defaults_load()


def make_executable(
    village: str, year: int = 2026, *, extend: Callable[[Apbdes], Any] | None = None, **fields: Any
) -> Apbdes:
    """``make_apbdes`` enacted on 20 December of the year before, with an approved RAK and DPAs.
    ``extend`` adds kegiatan and lines before the RAK and DPAs are made."""
    ensure_reference()
    apbdes = make_apbdes(
        village,
        year,
        status=ApbdesStatus.ENACTED,
        perdes_number=f"3/{year}",
        perdes_date=dt.date(year - 1, 12, 20),
        bpd_agreed_on=dt.date(year - 1, 10, 20),
        **fields,
    )
    if extend is not None:
        extend(apbdes)
    Rak.objects.create(
        apbdes=apbdes,
        status=DocStatus.APPROVED,
        verified_on=dt.date(year - 1, 12, 27),
        approved_on=dt.date(year - 1, 12, 28),
    )
    entries = []
    for line in BudgetLine.objects.filter(activity__apbdes=apbdes).select_related("activity"):
        months = spread_evenly(line.amount, line.activity.start_month, line.activity.end_month)
        entries += [RakEntry(line=line, month=i + 1, amount=m) for i, m in enumerate(months) if m]
    RakEntry.objects.bulk_create(entries)
    for activity in apbdes.activities.select_related("activity_code"):
        Dpa.objects.create(
            activity=activity,
            number=f"DPA/{activity.activity_code.code}/{year}",
            status=DocStatus.APPROVED,
            verified_on=dt.date(year - 1, 12, 27),
            approved_on=dt.date(year - 1, 12, 28),
        )
    return apbdes


def bank_receipt(
    village: str,
    year: int,
    amount: int | Decimal,
    *,
    account: str = "4.2.1.01",
    source: str = "DDS",
    day: dt.date | None = None,
) -> JournalEntry:
    """A revenue receipt straight into the bank (bypasses the receipt service)."""
    from django.db import transaction

    with transaction.atomic():
        book: Book = lock_book(village, year)
        value = Decimal(amount)
        return post(
            book=book,
            date=day or dt.date(year, 1, 15),
            kind=EntryKind.RECEIPT,
            description="Penerimaan (uji)",
            postings=[Posting(BANK, debit=value), Posting(account, credit=value, source=source)],
        )
