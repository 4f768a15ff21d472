"""The finance roll-up: each desa's budget, realisation, cash movement and SPP per month, and
its budget year at a glance (:class:`FinanceYear`).

The figures use finance's own definitions, so a sum of these rows equals what finance's
selectors report for the same village and period:

- budget = the lines of the APBDes version in force (the latest enacted or elaborated
  revision, as :func:`kampung.finance.selectors.realisation.regency_realisation` picks it);
- realised revenue = journal lines on 4.x (credit − debit), realised spending = lines on 5.x
  (debit − credit), as :func:`~kampung.finance.selectors.realisation.lra` counts them,
  corrections included; the bidang of spending is the first two characters of the line's
  kegiatan code;
- cash = the net movement of cash in hand and the bank account (debit − credit) in the month,
  opening balances included, so the balance at the end of month M is the sum of months ≤ M;
- SPP by the month of their date, kind (in ``source``) and current status;
- Dana Desa tranches: the next tranche of each part from
  :func:`kampung.finance.selectors.tranches.readiness_for` as of ``today``.

:func:`compute` costs a fixed number of queries for any number of villages: two deletes,
nine grouped reads, :func:`readiness_for`'s handful for each budget year present in the
villages' data (a year or two), and the batched inserts; never a query per village or row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import ExtractMonth, Substr

from kampung.finance.models import (
    BANK,
    CASH,
    Apbdes,
    Book,
    BudgetLine,
    JournalLine,
    ReportKind,
    ReportSubmission,
    RevenueLine,
    Spp,
    SppKind,
    SppStatus,
)
from kampung.finance.selectors.ledger import IN_FORCE
from kampung.finance.selectors.realisation import DANA_DESA, signed_sum_between
from kampung.finance.selectors.tranches import Readiness, TrancheState, readiness_for
from kampung.monitoring.models import FinanceFigure, FinanceKind, FinanceYear
from kampung.regions.models import Region

TABLES: tuple[type[models.Model], ...] = (FinanceFigure, FinanceYear)

ZERO = Decimal("0")
# Rows per INSERT (SQLite lowers it to fit its 999 parameters per statement).
BATCH = 2000
MONEY = DecimalField(max_digits=20, decimal_places=2)


def money_text(value: Decimal) -> str:
    """An amount as a string with two decimals, the same on every database."""
    return f"{Decimal(value):.2f}"


def villages() -> set[str]:
    """Villages with an APBDes (any status, any year) or a book."""
    with_budget = Apbdes.objects.values_list("village_id", flat=True).distinct()
    with_book = Book.objects.values_list("village_id", flat=True).distinct()
    return {str(code) for code in with_budget} | {str(code) for code in with_book}


@dataclass
class _Year:
    """What compute gathers for one village's budget year before writing its rows."""

    status: str = ""
    in_force_id: int | None = None
    versions: int = 0
    agreed_on: dt.date | None = None
    submitted_on: dt.date | None = None
    enacted_on: dt.date | None = None
    closed_through: int = 0
    semester_on: dt.date | None = None
    lpj_on: dt.date | None = None
    dd_budget: Decimal = ZERO
    dd_received: Decimal = ZERO
    dd_spent: Decimal = ZERO
    tranches: list[dict[str, Any]] = field(default_factory=list)
    advances: list[tuple[str, Decimal]] = field(default_factory=list)


# Figures keyed (village, year, month, kind, source, bidang, status) → [amount, count].
_Key = tuple[str, int, int, str, str, str, str]


def tranche_entry(state: TrancheState) -> dict[str, Any]:
    """One tranche's readiness as JSON-safe values (amounts as strings)."""
    return {
        "part": state.part,
        "tranche": state.tranche,
        "percent": money_text(state.percent),
        "amount": money_text(state.amount),
        "received": money_text(state.received),
        "earliest_month": state.earliest_month,
        "latest_month": state.latest_month,
        "ready": state.ready,
        "done": state.done,
        "late": state.late,
        "missing": [c.label for c in state.missing],
    }


def next_tranches(readiness: Readiness) -> list[dict[str, Any]]:
    """The next tranche of each part the village follows (its non-earmarked part, then the
    earmarked part); a part whose tranches are all received shows its last one (done)."""
    out = []
    parts: list[str] = []
    for state in readiness.tranches:
        if state.part not in parts:
            parts.append(state.part)
    for part in parts:
        states = readiness.of_part(part)
        state = readiness.next_of(part) or states[-1]
        out.append(tranche_entry(state))
    return out


def compute(village_codes: list[str], today: dt.date) -> None:
    """Replace the finance roll-up rows of these villages with figures from the books."""
    codes = sorted(set(village_codes))
    FinanceFigure.objects.filter(village_id__in=codes).delete()
    FinanceYear.objects.filter(village_id__in=codes).delete()
    if not codes:
        return
    years: dict[tuple[str, int], _Year] = defaultdict(_Year)
    figures: dict[_Key, list[Any]] = defaultdict(lambda: [ZERO, 0])

    def add(key: _Key, amount: Decimal, count: int = 0) -> None:
        into = figures[key]
        into[0] += amount
        into[1] += count

    # 1. Every APBDes version: revision 0's dates and status, the version in force, how many.
    by_apbdes: dict[int, tuple[str, int]] = {}
    for pk, village_id, year, revision, status, agreed, submitted, perdes in (
        Apbdes.objects.filter(village_id__in=codes)
        .order_by("village_id", "year", "revision")
        .values_list(
            "id", "village_id", "year", "revision", "status", "bpd_agreed_on", "submitted_on", "perdes_date"
        )
    ):
        y = years[(village_id, year)]
        y.versions += 1
        if revision == 0:
            y.status, y.agreed_on, y.submitted_on, y.enacted_on = status, agreed, submitted, perdes
        if status in IN_FORCE:
            y.in_force_id = pk  # ordered by revision: the latest enacted revision wins
    for (village_id, year), y in years.items():
        if y.in_force_id is not None:
            by_apbdes[y.in_force_id] = (village_id, year)
    in_force = sorted(by_apbdes)

    # 2. Budgeted revenue of the versions in force, by source.
    for apbdes_id, source, total in (
        RevenueLine.objects.filter(apbdes_id__in=in_force)
        .values("apbdes_id", "source_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("apbdes_id", "source_id", "total")
    ):
        village_id, year = by_apbdes[apbdes_id]
        add((village_id, year, 0, FinanceKind.BUDGET_REVENUE, source or "", "", ""), total or ZERO)
        if source == DANA_DESA:
            years[(village_id, year)].dd_budget += total or ZERO

    # 3. Budgeted spending of the versions in force, by source and bidang.
    for apbdes_id, source, activity_code, total in (
        BudgetLine.objects.filter(activity__apbdes_id__in=in_force)
        .values("activity__apbdes_id", "source_id", "activity__activity_code__code")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("activity__apbdes_id", "source_id", "activity__activity_code__code", "total")
    ):
        village_id, year = by_apbdes[apbdes_id]
        key = (village_id, year, 0, FinanceKind.BUDGET_SPENDING, source or "", activity_code[:2], "")
        add(key, total or ZERO)

    # 4. The books.
    books: dict[int, tuple[str, int]] = {}
    for pk, village_id, year, closed in Book.objects.filter(village_id__in=codes).values_list(
        "id", "village_id", "year", "closed_through"
    ):
        books[pk] = (village_id, year)
        years[(village_id, year)].closed_through = closed
    book_ids = sorted(books)

    # 5. One pass over the books' lines on revenue, spending, cash and bank (index ranges on
    #    the account code), by month, source and bidang (the kegiatan code's first two digits).
    for row in (
        JournalLine.objects.filter(book_id__in=book_ids)
        .filter(Q(account_code__gte="4", account_code__lt="6") | Q(account_code__in=[CASH, BANK]))
        .annotate(bidang=Substr("activity_code", 1, 2))
        .values("book_id", "month", "source_code", "bidang")
        .annotate(
            rev=signed_sum_between("4", "5", credit_normal=True),
            spend=signed_sum_between("5", "6", credit_normal=False),
            cash=signed_sum_between("1", "2", credit_normal=False),
        )
        .order_by()
    ):
        village_id, year = books[row["book_id"]]
        month, source = row["month"], row["source_code"] or ""
        rev, spend, cash = row["rev"] or ZERO, row["spend"] or ZERO, row["cash"] or ZERO
        add((village_id, year, month, FinanceKind.REVENUE, source, "", ""), rev)
        bidang = row["bidang"] or ""
        add((village_id, year, month, FinanceKind.SPENDING, source, bidang, ""), spend)
        add((village_id, year, month, FinanceKind.CASH, "", "", ""), cash)
        if source == DANA_DESA:
            y = years[(village_id, year)]
            y.dd_received += rev
            y.dd_spent += spend

    # 6. SPP by month of their date, kind and current status.
    for book_id, month, kind, status, count, total in (
        Spp.objects.filter(book_id__in=book_ids)
        .annotate(spp_month=ExtractMonth("date"))
        .values("book_id", "spp_month", "kind", "status")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
        .values_list("book_id", "spp_month", "kind", "status", "n", "total")
    ):
        village_id, year = books[book_id]
        add((village_id, year, int(month), FinanceKind.SPP, kind, "", status), total or ZERO, count)

    # 7. Reports sent to the regency.
    for book_id, kind, on in ReportSubmission.objects.filter(book_id__in=book_ids).values_list(
        "book_id", "kind", "submitted_on"
    ):
        y = years[books[book_id]]
        if kind == ReportKind.SEMESTER:
            y.semester_on = on
        elif kind == ReportKind.LPJ:
            y.lpj_on = on

    # 8. Open advances: UM paid, not yet accounted for.
    for book_id, due, amount in Spp.objects.filter(
        book_id__in=book_ids, kind=SppKind.ADVANCE, status=SppStatus.PAID
    ).values_list("book_id", "spj_due", "amount"):
        years[books[book_id]].advances.append((due.isoformat() if due else "", amount))

    # 9. Dana Desa tranche readiness, per budget year present (one Region read for all).
    regions = {r.code: r for r in Region.objects.filter(code__in=sorted({v for v, _ in years}))}
    for year in sorted({year for _, year in years}):
        desa = [regions[v] for v, y in sorted(years) if y == year and v in regions]
        for readiness in readiness_for(desa, year, today=today):
            years[(readiness.village.code, year)].tranches = next_tranches(readiness)

    FinanceFigure.objects.bulk_create(
        [
            FinanceFigure(
                village_id=village_id,
                district_code=village_id[:8],
                year=year,
                month=month,
                kind=kind,
                source=source,
                bidang=bidang,
                status=status,
                amount=amount,
                count=count,
            )
            for (village_id, year, month, kind, source, bidang, status), (amount, count) in sorted(
                figures.items()
            )
            if amount or count
        ],
        batch_size=BATCH,
    )
    FinanceYear.objects.bulk_create(
        [
            FinanceYear(
                village_id=village_id,
                district_code=village_id[:8],
                year=year,
                apbdes_status=y.status,
                in_force=y.in_force_id is not None,
                revisions=max(y.versions - 1, 0),
                agreed_on=y.agreed_on,
                submitted_on=y.submitted_on,
                enacted_on=y.enacted_on,
                closed_through=y.closed_through,
                semester_on=y.semester_on,
                lpj_on=y.lpj_on,
                dd_budget=y.dd_budget,
                dd_received=y.dd_received,
                dd_spent=y.dd_spent,
                tranches=y.tranches,
                advances=[[due, money_text(amount)] for due, amount in sorted(y.advances)],
                as_of=today,
            )
            for (village_id, year), y in sorted(years.items())
        ],
        batch_size=BATCH,
    )
