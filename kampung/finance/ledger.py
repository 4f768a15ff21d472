"""The posting engine of the village books (double entry).

Every service that moves money (receipts, SPP payments, advances and their SPJ, tax deposits,
cash/bank moves, financing outlays, corrections) builds a list of :class:`Posting` and calls
:func:`post` while holding the book's lock (:func:`lock_book`). The lock is the row of the
village's :class:`~kampung.finance.models.Book` for the year, so two treasurers paying at the
same moment are served one after the other and the second one sees the first one's entry.

:func:`post` refuses, changing nothing, when

- the debits and credits differ, an amount is not positive or has more than 2 decimals;
- the date is outside the book's year, after the village's today, or in a closed month;
- cash in hand, the bank account, an advance of a kegiatan or a tax payable would go below zero.

A posted entry is never changed; :func:`reverse` posts its mirror image with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from kampung.core.errors import KampungError
from kampung.core.formatting import MONTHS_ID, rupiah
from kampung.finance.models import (
    ADVANCE,
    BALANCE_ACCOUNTS,
    BANK,
    CASH,
    TAX_PAYABLE,
    Book,
    BudgetActivity,
    EntryKind,
    JournalEntry,
    JournalLine,
)
from kampung.regions.calendar import local_today

ZERO = Decimal("0")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999")
# Accounts whose balance is debit minus credit and may never be negative (per kegiatan for
# advances); the tax payable is credit minus debit and may never be negative (per tax code).
DEBIT_BALANCE = (CASH, BANK, ADVANCE)
CREDIT_BALANCE = (TAX_PAYABLE,)


class LedgerError(KampungError):
    code = "buku_ditolak"


@dataclass(frozen=True)
class Posting:
    """One debit or credit. ``activity`` (a BudgetActivity) tags spending and advances with
    their kegiatan; ``tax`` tags the tax payable with its tax code."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    source: str = ""
    activity: BudgetActivity | None = None
    budget_line_id: int | None = None
    tax: str = ""


def month_name(month: int) -> str:
    return MONTHS_ID[month - 1] if 1 <= month <= 12 else str(month)


def book_for(village_code: str, year: int) -> Book:
    """The village's book for ``year`` (made on first use; not locked)."""
    book, _ = Book.objects.get_or_create(village_id=village_code, year=year)
    return book


def lock_book(village_code: str, year: int) -> Book:
    """The village's book for ``year``, locked until the end of the current transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_book() must run inside transaction.atomic()")
    book_for(village_code, year)
    return Book.objects.select_for_update().get(village_id=village_code, year=year)


def _key(account: str, activity_code: str, tax: str) -> tuple[str, str]:
    if account == ADVANCE:
        return (ADVANCE, activity_code)
    if account == TAX_PAYABLE:
        return (TAX_PAYABLE, tax)
    return (account, "")


def balance(
    book: Book,
    account: str,
    *,
    activity_code: str | None = None,
    tax_code: str | None = None,
    through: dt.date | None = None,
) -> Decimal:
    """The balance of a balance-sheet account (debit-normal; the tax payable credit-normal),
    optionally of one kegiatan's advance or one tax code, up to and including ``through``."""
    qs = JournalLine.objects.filter(book=book, account_code=account)
    if activity_code is not None:
        qs = qs.filter(activity_code=activity_code)
    if tax_code is not None:
        qs = qs.filter(tax_code=tax_code)
    if through is not None:
        qs = qs.filter(date__lte=through)
    sums = qs.aggregate(d=Sum("debit"), c=Sum("credit"))
    debit, credit = sums["d"] or ZERO, sums["c"] or ZERO
    return credit - debit if account in CREDIT_BALANCE else debit - credit


def _label(account: str, detail: str) -> str:
    name = BALANCE_ACCOUNTS.get(account, account)
    if account == ADVANCE and detail:
        return f"{name} kegiatan {detail}"
    if account == TAX_PAYABLE and detail:
        return f"{name} {detail}"
    return name


def _validate(book: Book, date: dt.date, postings: list[Posting]) -> None:
    if date.year != book.year:
        raise LedgerError(f"Tanggal {date:%d-%m-%Y} di luar tahun anggaran {book.year}.")
    today = local_today(book.village)
    if date > today:
        raise LedgerError(
            f"Tanggal {date:%d-%m-%Y} belum tiba; transaksi hanya dapat dicatat sampai hari ini "
            f"({today:%d-%m-%Y})."
        )
    if date.month <= book.closed_through:
        raise LedgerError(
            f"Buku bulan {month_name(date.month)} {book.year} sudah ditutup; "
            "tidak ada transaksi yang dapat dicatat pada bulan itu."
        )
    if not postings:
        raise LedgerError("Jurnal tanpa baris.")
    debit = credit = ZERO
    for p in postings:
        for value in (p.debit, p.credit):
            if value < 0 or value > MAX_AMOUNT or value != value.quantize(CENT):
                raise LedgerError(f"Jumlah {value} tidak sah.")
        if (p.debit > 0) == (p.credit > 0):
            raise LedgerError("Setiap baris jurnal harus berisi debet atau kredit saja, lebih dari nol.")
        if p.account == TAX_PAYABLE and not p.tax:
            raise LedgerError("Baris utang pajak harus menyebut kode pajaknya.")
        if p.account == ADVANCE and p.activity is None:
            raise LedgerError("Baris panjar harus menyebut kegiatannya.")
        debit += p.debit
        credit += p.credit
    if debit != credit:
        raise LedgerError(f"Jurnal tidak seimbang: debet {rupiah(debit)}, kredit {rupiah(credit)}.")


def _check_balances(book: Book, postings: list[Posting]) -> None:
    """Refuse when a guarded balance would go below zero after these postings."""
    deltas: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for p in postings:
        if p.account not in DEBIT_BALANCE and p.account not in CREDIT_BALANCE:
            continue
        code = p.activity.activity_code.code if (p.account == ADVANCE and p.activity) else ""
        sign = 1 if p.account in DEBIT_BALANCE else -1
        deltas[_key(p.account, code, p.tax)] += sign * (p.debit - p.credit)
    for (account, detail), delta in deltas.items():
        if delta >= 0:
            continue
        current = balance(
            book,
            account,
            activity_code=detail if account == ADVANCE else None,
            tax_code=detail if account == TAX_PAYABLE else None,
        )
        if current + delta < 0:
            raise LedgerError(
                f"Saldo {_label(account, detail)} tidak cukup: tersedia {rupiah(current)}, "
                f"dibutuhkan {rupiah(-delta)}."
            )


def post(
    *,
    book: Book,
    date: dt.date,
    kind: str,
    description: str,
    postings: Iterable[Posting],
    actor: Any = None,
    doc: Any = None,
    doc_number: str = "",
    reverses: JournalEntry | None = None,
    reason: str = "",
) -> JournalEntry:
    """Post one balanced entry into ``book`` (which the caller has locked with :func:`lock_book`)."""
    postings = list(postings)
    _validate(book, date, postings)
    _check_balances(book, postings)
    entry = JournalEntry.objects.create(
        book=book,
        number=book.next_number,
        date=date,
        kind=kind,
        description=description[:300],
        doc_type=doc._meta.label if doc is not None else "",
        doc_id=str(doc.pk) if doc is not None else "",
        doc_number=doc_number[:80],
        reverses=reverses,
        reason=reason,
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    book.next_number += 1
    book.save(update_fields=["next_number", "updated_at"])
    JournalLine.objects.bulk_create(
        [
            JournalLine(
                entry=entry,
                book=book,
                date=date,
                month=date.month,
                account_code=p.account,
                source_code=p.source,
                activity=p.activity,
                activity_code=p.activity.activity_code.code if p.activity is not None else "",
                budget_line_id=p.budget_line_id,
                tax_code=p.tax,
                debit=p.debit,
                credit=p.credit,
            )
            for p in postings
        ]
    )
    return entry


def reverse(
    *, book: Book, entry: JournalEntry, date: dt.date, reason: str, actor: Any = None
) -> JournalEntry:
    """Post the mirror image of ``entry`` on ``date`` with a reason (the correction)."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("Alasan koreksi wajib diisi.")
    if entry.book_id != book.pk:
        raise LedgerError("Jurnal ini bukan bagian dari buku desa ini.")
    if entry.kind == EntryKind.REVERSAL:
        raise LedgerError("Jurnal koreksi tidak dapat dibalik lagi; catat transaksi baru bila perlu.")
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(f"Jurnal J-{entry.number} sudah dikoreksi.")
    lines = list(entry.lines.select_related("activity__activity_code"))
    mirror = [
        Posting(
            account=line.account_code,
            debit=line.credit,
            credit=line.debit,
            source=line.source_code,
            activity=line.activity,
            budget_line_id=line.budget_line_id,
            tax=line.tax_code,
        )
        for line in lines
    ]
    return post(
        book=book,
        date=date,
        kind=EntryKind.REVERSAL,
        description=f"Koreksi J-{entry.number}: {entry.description}",
        postings=mirror,
        actor=actor,
        doc_number=entry.doc_number,
        reverses=entry,
        reason=reason,
    )


def is_reversed(entry: JournalEntry | None) -> bool:
    return entry is not None and JournalEntry.objects.filter(reverses=entry).exists()
