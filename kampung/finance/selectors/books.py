"""The books the treasurer keeps, read from the journal (Permendagri 20/2018 Pasal 63):
Buku Kas Umum (BKU), Buku Pembantu Bank, Buku Pembantu Pajak, Buku Pembantu Panjar and
Buku Pembantu Kegiatan — each row with its running balance.

BKU rows (one journal entry may give more than one row):

- every entry that moves cash or bank (``CASH`` + ``BANK``) gives a main row whose amount is
  the cash/bank movement *without* the taxes: an LS payment shows the gross as pengeluaran;
- the tax withheld or collected in the same entry gives one row per tax code as penerimaan
  (PFK, Perhitungan Fihak Ketiga); a tax deposit is a PFK pengeluaran;
- a move between cash and bank gives a row with no amount (the BKU covers both);
- a correction (reversal) shows the original's figures negated in the original's columns,
  so the cumulative pengeluaran goes down when a payment is corrected.

So each row's penerimaan − pengeluaran is exactly the change of CASH + BANK, and the final
BKU balance equals cash plus bank.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    Book,
    BudgetActivity,
    EntryKind,
    JournalEntry,
    JournalLine,
    Spp,
)

ZERO = Decimal("0")
MONEY = (CASH, BANK)
SPP_DOC = "finance.Spp"


@dataclass
class BookRow:
    """One row of a book. ``receipt``/``payment`` are the book's two amount columns (the
    panjar/kegiatan books use ``received``, ``spent``, ``returned`` in ``extra``)."""

    date: dt.date | None
    number: int | None  # journal number (None for the opening row)
    doc_number: str
    account: str
    description: str
    receipt: Decimal = ZERO
    payment: Decimal = ZERO
    balance: Decimal = ZERO
    cumulative_payment: Decimal = ZERO
    kind: str = ""
    opening: bool = False
    reversal: bool = False
    entry_id: int | None = None
    tax_code: str = ""
    code_balance: Decimal = ZERO


@dataclass
class BookTotals:
    opening: Decimal = ZERO
    receipts: Decimal = ZERO
    payments: Decimal = ZERO
    closing: Decimal = ZERO


def totals(rows: list[BookRow]) -> BookTotals:
    """Opening, the sums of the two columns and the closing balance of a list of rows."""
    out = BookTotals()
    for row in rows:
        if row.opening:
            out.opening = row.balance
            continue
        out.receipts += row.receipt
        out.payments += row.payment
    out.closing = rows[-1].balance if rows else ZERO
    return out


def _lines_by_entry(book: Book, entry_ids: list[int]) -> dict[int, list[JournalLine]]:
    by_entry: dict[int, list[JournalLine]] = defaultdict(list)
    for line in JournalLine.objects.filter(entry_id__in=entry_ids).order_by("pk"):
        by_entry[line.entry_id].append(line)
    return by_entry


def _entries(book: Book, accounts: tuple[str, ...], extra: Q | None = None) -> list[JournalEntry]:
    wanted = Q(account_code__in=accounts)
    if extra is not None:
        wanted |= extra
    ids = JournalLine.objects.filter(book=book).filter(wanted).values("entry_id")
    return list(JournalEntry.objects.filter(pk__in=ids).select_related("reverses").order_by("date", "number"))


def _opening(month: int | None, balance: Decimal, label: str) -> BookRow:
    text = f"Saldo awal bulan ini ({label})" if month else f"Saldo awal tahun ({label})"
    return BookRow(None, None, "", "", text, balance=balance, opening=True)


def _budget_codes(lines: list[JournalLine]) -> str:
    """The entry's other accounts; an advance names its kegiatan ("1.1.2.01 02.03.10")."""
    codes = sorted(
        {
            f"{ln.account_code} {ln.activity_code}".strip() if ln.account_code == ADVANCE else ln.account_code
            for ln in lines
            if ln.account_code not in (*MONEY, TAX_PAYABLE)
        }
    )
    return ", ".join(codes)


def _split(sign: int, amount: Decimal) -> tuple[Decimal, Decimal]:
    """(receipt, payment) of a movement; a reversal keeps the original's column, negated."""
    original = sign * amount
    if original >= 0:
        return sign * original, ZERO
    return ZERO, sign * -original


def _bku_entry_rows(entry: JournalEntry, lines: list[JournalLine]) -> list[BookRow]:
    reversal = entry.kind == EntryKind.REVERSAL
    sign = -1 if reversal else 1
    kind = entry.reverses.kind if reversal and entry.reverses else entry.kind
    cash = sum((ln.debit - ln.credit for ln in lines if ln.account_code in MONEY), ZERO)
    taxes: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for ln in lines:
        if ln.account_code == TAX_PAYABLE:
            taxes[ln.tax_code] += ln.credit - ln.debit
    other = cash - sum(taxes.values(), ZERO)
    doc = entry.doc_number or f"J-{entry.number}"
    rows: list[BookRow] = []
    if other != 0 or not taxes:
        receipt, payment = _split(sign, other)
        rows.append(
            BookRow(
                entry.date,
                entry.number,
                doc,
                _budget_codes(lines),
                entry.description,
                receipt,
                payment,
                kind=kind,
                reversal=reversal,
                entry_id=entry.pk,
            )
        )
    for code, amount in sorted(taxes.items()):
        receipt, payment = _split(sign, amount)
        deposit = kind == EntryKind.TAX_DEPOSIT
        text = entry.description if deposit else f"Potongan/pungutan pajak {code} (PFK): {entry.description}"
        rows.append(
            BookRow(
                entry.date,
                entry.number,
                doc,
                code,
                text,
                receipt,
                payment,
                kind=kind,
                reversal=reversal,
                entry_id=entry.pk,
                tax_code=code,
            )
        )
    return rows


def _in_month(row: BookRow, month: int | None) -> bool:
    return month is None or (row.date is not None and row.date.month == month)


def bku_rows(book: Book | None, month: int | None = None) -> list[BookRow]:
    """The Buku Kas Umum (cash and bank together) for the year or one month; the first row
    is the opening balance, each row carries the running balance and the year's cumulative
    pengeluaran."""
    if book is None:
        return [_opening(month, ZERO, "kas tunai + bank")]
    entries = _entries(book, MONEY)
    lines = _lines_by_entry(book, [e.pk for e in entries])
    balance = cumulative = ZERO
    opening = ZERO
    out: list[BookRow] = []
    for entry in entries:
        for row in _bku_entry_rows(entry, lines[entry.pk]):
            balance += row.receipt - row.payment
            cumulative += row.payment
            row.balance = balance
            row.cumulative_payment = cumulative
            if month is not None and row.date is not None and row.date.month < month:
                opening = balance
            if _in_month(row, month):
                out.append(row)
    return [_opening(month, opening, "kas tunai + bank"), *out]


def bank_rows(book: Book | None, month: int | None = None) -> list[BookRow]:
    """The Buku Pembantu Bank: every movement of the village's bank account, as the bank
    statement shows it (debit = money in, credit = money out; a correction is the mirror)."""
    if book is None:
        return [_opening(month, ZERO, "rekening kas desa")]
    entries = _entries(book, (BANK,))
    lines = _lines_by_entry(book, [e.pk for e in entries])
    balance = opening = ZERO
    out: list[BookRow] = []
    for entry in entries:
        bank = [ln for ln in lines[entry.pk] if ln.account_code == BANK]
        receipt = sum((ln.debit for ln in bank), ZERO)
        payment = sum((ln.credit for ln in bank), ZERO)
        balance += receipt - payment
        row = BookRow(
            entry.date,
            entry.number,
            entry.doc_number or f"J-{entry.number}",
            _budget_codes(lines[entry.pk]),
            entry.description,
            receipt,
            payment,
            balance=balance,
            kind=entry.kind,
            reversal=entry.kind == EntryKind.REVERSAL,
            entry_id=entry.pk,
        )
        if month is not None and entry.date.month < month:
            opening = balance
        if _in_month(row, month):
            out.append(row)
    return [_opening(month, opening, "rekening kas desa"), *out]


@dataclass
class TaxSummary:
    code: str
    withheld: Decimal = ZERO
    deposited: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.withheld - self.deposited


def tax_rows(book: Book | None, month: int | None = None) -> list[BookRow]:
    """The Buku Pembantu Pajak: each withholding/collection (``receipt``) and deposit
    (``payment``) of tax; ``balance`` is all taxes outstanding, ``code_balance`` that code's.
    A correction shows the original's figure negated in the original's column."""
    if book is None:
        return []
    qs = (
        JournalLine.objects.filter(book=book, account_code=TAX_PAYABLE)
        .select_related("entry", "entry__reverses")
        .order_by("date", "entry__number", "pk")
    )
    balance = ZERO
    per_code: dict[str, Decimal] = defaultdict(lambda: ZERO)
    out: list[BookRow] = []
    for line in qs:
        entry = line.entry
        reversal = entry.kind == EntryKind.REVERSAL
        if reversal:  # the mirror: the original's column, negated
            withheld, deposited = -line.debit, -line.credit
        else:
            withheld, deposited = line.credit, line.debit
        balance += withheld - deposited
        per_code[line.tax_code] += withheld - deposited
        row = BookRow(
            entry.date,
            entry.number,
            entry.doc_number or f"J-{entry.number}",
            line.tax_code,
            entry.description,
            withheld,
            deposited,
            balance=balance,
            kind=entry.reverses.kind if reversal and entry.reverses else entry.kind,
            reversal=reversal,
            entry_id=entry.pk,
            tax_code=line.tax_code,
            code_balance=per_code[line.tax_code],
        )
        if _in_month(row, month):
            out.append(row)
    return out


def tax_summary(book: Book | None) -> list[TaxSummary]:
    """Per tax code: withheld/collected, deposited and outstanding over the year."""
    summary: dict[str, TaxSummary] = {}
    for row in tax_rows(book):
        item = summary.setdefault(row.tax_code, TaxSummary(row.tax_code))
        item.withheld += row.receipt
        item.deposited += row.payment
    return [summary[code] for code in sorted(summary)]


# -- panjar and kegiatan ---------------------------------------------------------------------


@dataclass
class AdvanceRow:
    """One advance (SPP UM): given, accounted for (SPJ), returned, outstanding; ``balance``
    is the running total outstanding of all advances down to this row."""

    spp: Spp | None
    number: str
    activity_code: str
    activity_name: str
    paid_on: dt.date | None
    spj_due: dt.date | None
    given: Decimal = ZERO
    accounted: Decimal = ZERO
    returned: Decimal = ZERO
    balance: Decimal = ZERO
    movements: list[BookRow] = field(default_factory=list)

    @property
    def outstanding(self) -> Decimal:
        return self.given - self.accounted - self.returned


def _doc_of(entry: JournalEntry) -> tuple[str, str]:
    source = entry.reverses if entry.kind == EntryKind.REVERSAL and entry.reverses else entry
    return source.doc_type, source.doc_id


def advance_rows(book: Book | None) -> list[AdvanceRow]:
    """The Buku Pembantu Panjar: one row per advance (SPP UM) in the order they were given."""
    if book is None:
        return []
    lines = list(
        JournalLine.objects.filter(book=book, account_code=ADVANCE)
        .select_related("entry", "entry__reverses", "activity")
        .order_by("date", "entry__number", "pk")
    )
    groups: dict[str, AdvanceRow] = {}
    spp_ids = set()
    for line in lines:
        doc_type, doc_id = _doc_of(line.entry)
        if doc_type == SPP_DOC and doc_id.isdigit():
            spp_ids.add(int(doc_id))
    spps = {str(s.pk): s for s in Spp.objects.filter(pk__in=spp_ids)}
    for line in lines:
        entry = line.entry
        doc_type, doc_id = _doc_of(entry)
        key = doc_id if doc_type == SPP_DOC else f"J{entry.number}"
        spp = spps.get(doc_id) if doc_type == SPP_DOC else None
        row = groups.get(key)
        if row is None:
            row = groups[key] = AdvanceRow(
                spp=spp,
                number=spp.number if spp else (entry.doc_number or f"J-{entry.number}"),
                activity_code=line.activity_code,
                activity_name=line.activity.name if line.activity else "",
                paid_on=spp.paid_on if spp else entry.date,
                spj_due=spp.spj_due if spp else None,
            )
        reversal = entry.kind == EntryKind.REVERSAL
        kind = entry.reverses.kind if reversal and entry.reverses else entry.kind
        sign = -1 if reversal else 1
        # the original's debit (given) or credit (accounted/returned), negated for a mirror
        debit, credit = (line.credit, line.debit) if reversal else (line.debit, line.credit)
        row.given += sign * debit
        if kind == EntryKind.ADVANCE_RETURN:
            row.returned += sign * credit
        else:
            row.accounted += sign * credit
        row.movements.append(
            BookRow(
                entry.date,
                entry.number,
                entry.doc_number or f"J-{entry.number}",
                line.activity_code,
                entry.description,
                line.debit,
                line.credit,
                kind=kind,
                reversal=reversal,
                entry_id=entry.pk,
            )
        )
    running = ZERO
    out = list(groups.values())
    for row in out:
        running += row.outstanding
        row.balance = running
    return out


@dataclass
class ActivityRow:
    """A movement of one kegiatan's money: received from the treasurer (advance or LS
    payment), spent (5.x), returned; ``balance`` = what the executor still holds."""

    date: dt.date
    number: int
    doc_number: str
    description: str
    kind: str
    reversal: bool
    received: Decimal = ZERO
    spent: Decimal = ZERO
    returned: Decimal = ZERO
    balance: Decimal = ZERO
    entry_id: int | None = None


def activity_rows(book: Book | None, activity_code: str, month: int | None = None) -> list[ActivityRow]:
    """The Buku Pembantu Kegiatan of one kegiatan (by code, across APBDes versions)."""
    if book is None or not activity_code:
        return []
    lines = list(
        JournalLine.objects.filter(book=book, activity_code=activity_code)
        .select_related("entry", "entry__reverses")
        .order_by("date", "entry__number", "pk")
    )
    by_entry: dict[int, list[JournalLine]] = defaultdict(list)
    entries: dict[int, JournalEntry] = {}
    for line in lines:
        by_entry[line.entry_id].append(line)
        entries[line.entry_id] = line.entry
    balance = ZERO
    out: list[ActivityRow] = []
    for entry_id, own in by_entry.items():
        entry = entries[entry_id]
        reversal = entry.kind == EntryKind.REVERSAL
        sign = -1 if reversal else 1
        kind = entry.reverses.kind if reversal and entry.reverses else entry.kind
        received = spent = returned = ZERO
        has_advance = any(ln.account_code == ADVANCE for ln in own)
        for ln in own:
            debit, credit = (ln.credit, ln.debit) if reversal else (ln.debit, ln.credit)
            if ln.account_code == ADVANCE:
                received += debit
                if kind == EntryKind.ADVANCE_RETURN:
                    returned += credit
            elif ln.account_code.startswith("5."):
                spent += debit - credit
                if not has_advance:  # an LS payment: the gross reaches the kegiatan directly
                    received += debit - credit
        received, spent, returned = sign * received, sign * spent, sign * returned
        balance += received - spent - returned
        row = ActivityRow(
            entry.date,
            entry.number,
            entry.doc_number or f"J-{entry.number}",
            entry.description,
            kind,
            reversal,
            received,
            spent,
            returned,
            balance,
            entry.pk,
        )
        if month is None or entry.date.month == month:
            out.append(row)
    return out


def activity_choices(book: Book | None) -> list[tuple[str, str]]:
    """The kegiatan (code, name) of the year's budget versions, for the kegiatan book."""
    if book is None:
        return []
    names: dict[str, str] = {}
    for code, name in (
        BudgetActivity.objects.filter(apbdes__village_id=book.village_id, apbdes__year=book.year)
        .order_by("activity_code__code", "-apbdes__revision")
        .values_list("activity_code__code", "name")
    ):
        names.setdefault(code, name)
    return sorted(names.items())
