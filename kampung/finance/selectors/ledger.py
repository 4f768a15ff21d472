"""Shared reads of execution: the budget in force for a year and the book's balances."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum

from kampung.finance.ledger import CREDIT_BALANCE
from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    Apbdes,
    ApbdesStatus,
    Book,
    JournalLine,
)

ZERO = Decimal("0")
IN_FORCE = (ApbdesStatus.ENACTED, ApbdesStatus.ELABORATED)


def budget_in_force(village_code: str, year: int) -> Apbdes | None:
    """The enacted APBDes version that governs spending in ``year`` (the latest enacted
    revision; a revision still in drafting does not replace the enacted one)."""
    return (
        Apbdes.objects.filter(village_id=village_code, year=year, status__in=IN_FORCE)
        .order_by("-revision")
        .first()
    )


def book_balances(book: Book | None) -> dict[str, Decimal]:
    """Cash, bank, advances outstanding and tax payable of a book (zero when no book)."""
    out = {CASH: ZERO, BANK: ZERO, ADVANCE: ZERO, TAX_PAYABLE: ZERO}
    if book is None or book.pk is None:
        return out
    rows = (
        JournalLine.objects.filter(book=book)
        .filter(Q(account_code__in=list(out)))
        .values("account_code")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    for row in rows:
        d, c = row["d"] or ZERO, row["c"] or ZERO
        out[row["account_code"]] = c - d if row["account_code"] in CREDIT_BALANCE else d - c
    return out
