"""What remains of a kegiatan's budget and cash plan for new payment requests (SPP).

What counts against a kegiatan (decided for this project, see docs/finance/payments.md):

- **realised**: spending posted to the journal on the kegiatan (5.x debit − credit, by
  kegiatan code, reversals included);
- **outstanding advances**: the kegiatan's advance (panjar) balance in the journal — paid UM
  not yet accounted for by SPJ or returned;
- **reserved**: SPP of the kegiatan that are submitted, verified or approved but not yet paid
  (the SPP being checked itself excluded). A draft or a rejected SPP reserves nothing.

At payment only realised and outstanding advances count (the approval order already reserved
the money): the treasurer's check under the book lock is the hard guard.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from kampung.finance.ledger import balance
from kampung.finance.models import (
    ADVANCE,
    Book,
    BudgetActivity,
    BudgetLine,
    DocStatus,
    Dpa,
    JournalLine,
    Rak,
    RakEntry,
    Spp,
    SppKind,
    SppLine,
    SppStatus,
)
from kampung.finance.selectors.ledger import budget_in_force

ZERO = Decimal("0")
RESERVING = (SppStatus.SUBMITTED, SppStatus.VERIFIED, SppStatus.APPROVED)
OPEN_STATES = (SppStatus.SUBMITTED, SppStatus.VERIFIED, SppStatus.APPROVED)


@dataclass
class LineFunds:
    line: BudgetLine
    budget: Decimal
    realised: Decimal
    committed: Decimal  # outstanding advances on the line + reserved by other SPP
    rak_to_month: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.realised - self.committed

    @property
    def remaining_rak(self) -> Decimal:
        return self.rak_to_month - self.realised - self.committed


@dataclass
class Funds:
    """The figures of one kegiatan (the version in force) up to ``month``."""

    activity: BudgetActivity | None  # the kegiatan in the budget in force (None: not in it)
    month: int
    budget: Decimal = ZERO
    realised: Decimal = ZERO
    advances: Decimal = ZERO
    reserved: Decimal = ZERO
    rak_to_month: Decimal = ZERO
    lines: dict[int, LineFunds] = field(default_factory=dict)

    @property
    def committed(self) -> Decimal:
        return self.advances + self.reserved

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.realised - self.committed

    @property
    def remaining_rak(self) -> Decimal:
        return self.rak_to_month - self.realised - self.committed


def book_of(village_code: str, year: int) -> Book | None:
    return Book.objects.filter(village_id=village_code, year=year).first()


def activity_in_force(activity: BudgetActivity) -> BudgetActivity | None:
    """The kegiatan with the same code in the APBDes version that governs the year."""
    apbdes = activity.apbdes
    in_force = budget_in_force(apbdes.village_id, apbdes.year)
    if in_force is None:
        return None
    if in_force.pk == apbdes.pk:
        return activity
    return (
        BudgetActivity.objects.filter(apbdes=in_force, activity_code_id=activity.activity_code_id)
        .select_related("activity_code", "apbdes")
        .first()
    )


def _origin_chain(lines: list[BudgetLine], village_code: str, year: int) -> dict[int, int]:
    """Every line id of earlier versions → the in-force line it became (and each to itself)."""
    out: dict[int, int] = {}
    parents = dict(
        BudgetLine.objects.filter(
            origin__isnull=False, activity__apbdes__village_id=village_code, activity__apbdes__year=year
        ).values_list("pk", "origin_id")
    )
    for line in lines:
        current: int | None = line.pk
        seen = 0
        while current is not None and seen < 20:
            out.setdefault(current, line.pk)
            current = parents.get(current)
            seen += 1
    return out


def funds(
    activity: BudgetActivity, month: int, *, exclude: Spp | None = None, reserved: bool = True
) -> Funds:
    """Budget, realisation, commitments and RAK to ``month`` of ``activity``'s kegiatan."""
    current = activity_in_force(activity)
    out = Funds(activity=current, month=month)
    if current is None:
        return out
    apbdes = current.apbdes
    code = activity.activity_code.code
    lines = list(
        BudgetLine.objects.filter(activity=current).select_related("account").order_by("account__code", "pk")
    )
    chain = _origin_chain(lines, apbdes.village_id, apbdes.year)
    rak: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, amount in RakEntry.objects.filter(line__activity=current, month__lte=month).values_list(
        "line_id", "amount"
    ):
        rak[line_id] += amount
    realised_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    committed_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    book = book_of(apbdes.village_id, apbdes.year)
    if book is not None:
        rows = (
            JournalLine.objects.filter(book=book, activity_code=code, account_code__startswith="5")
            .values("budget_line_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        )
        for row in rows:
            value = (row["d"] or ZERO) - (row["c"] or ZERO)
            out.realised += value
            target = chain.get(row["budget_line_id"] or 0)
            if target is not None:
                realised_line[target] += value
        out.advances = balance(book, ADVANCE, activity_code=code)
        spp_lines = SppLine.objects.filter(spp__book=book, spp__activity__activity_code__code=code)
        if exclude is not None and exclude.pk:
            spp_lines = spp_lines.exclude(spp_id=exclude.pk)
        # Outstanding advances per line: UM paid, not yet returned (before SPJ the whole
        # amount, after it what was not spent).
        for line_id, amount, spent, spj in spp_lines.filter(
            spp__kind=SppKind.ADVANCE, spp__status=SppStatus.PAID
        ).values_list("budget_line_id", "amount", "spent", "spp__spj_entry"):
            target = chain.get(line_id)
            if target is not None:
                committed_line[target] += amount - (spent or ZERO) if spj else amount
        if reserved:
            for line_id, amount in spp_lines.filter(spp__status__in=RESERVING).values_list(
                "budget_line_id", "amount"
            ):
                out.reserved += amount
                target = chain.get(line_id)
                if target is not None:
                    committed_line[target] += amount
    for line in lines:
        out.budget += line.amount
        out.rak_to_month += rak[line.pk]
        out.lines[line.pk] = LineFunds(
            line=line,
            budget=line.amount,
            realised=realised_line[line.pk],
            committed=committed_line[line.pk],
            rak_to_month=rak[line.pk],
        )
    return out


def remaining_budget(activity: BudgetActivity) -> Decimal:
    """What remains of the kegiatan's budget in force after realised spending, outstanding
    advances and SPP reserved (submitted, verified, approved, not yet paid)."""
    return funds(activity, 12).remaining


def remaining_rak(activity: BudgetActivity, month: int) -> Decimal:
    """The kegiatan's cumulative RAK January..``month`` less realised and committed."""
    return funds(activity, month).remaining_rak


def execution_ready(activity: BudgetActivity) -> str:
    """Why SPP cannot be made on this kegiatan now ("" when they can)."""
    apbdes = activity.apbdes
    in_force = budget_in_force(apbdes.village_id, apbdes.year)
    if in_force is None:
        return f"Belum ada APBDes {apbdes.year} yang ditetapkan; SPP belum dapat diajukan."
    if in_force.pk != apbdes.pk:
        return (
            f"Kegiatan ini berasal dari {apbdes}, sedangkan yang berlaku {in_force}; "
            "pilih kegiatan dari APBDes yang berlaku."
        )
    dpa = Dpa.objects.filter(activity=activity).first()
    if dpa is None or dpa.status != DocStatus.APPROVED:
        return f"DPA kegiatan {activity.activity_code.code} belum disetujui kepala desa."
    rak = Rak.objects.filter(apbdes=apbdes).first()
    if rak is None or rak.status != DocStatus.APPROVED:
        return "RAK Desa belum disetujui kepala desa."
    return ""


def overdue_advances(village_code: str, year: int, today: dt.date) -> list[Spp]:
    """Advances paid and not yet accounted for whose SPJ due date has passed (oldest first)."""
    return list(
        Spp.objects.filter(
            book__village_id=village_code,
            book__year=year,
            kind=SppKind.ADVANCE,
            status=SppStatus.PAID,
            spj_due__lt=today,
        )
        .filter(Q(spj_entry__isnull=True) | Q(return_entry__isnull=True))
        .select_related("activity__activity_code")
        .order_by("spj_due", "pk")
    )


def outstanding_advances(village_code: str, year: int) -> list[Spp]:
    """Every advance paid and not yet accounted for (SPJ and return), due date first."""
    return list(
        Spp.objects.filter(
            book__village_id=village_code, book__year=year, kind=SppKind.ADVANCE, status=SppStatus.PAID
        )
        .select_related("activity__activity_code")
        .order_by("spj_due", "pk")
    )


def status_counts(village_code: str, year: int) -> dict[str, int]:
    rows = (
        Spp.objects.filter(book__village_id=village_code, book__year=year)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: int(row["n"]) for row in rows}


@dataclass
class HubPanel:
    """The payments panel of the execution hub."""

    counts: list[tuple[str, str, int]]  # (status, label, count), statuses with SPP only
    waiting: list[tuple[str, int]]  # (what the user is asked to do, how many)
    overdue: list[tuple[Spp, int]]  # (advance, days late)
    total: int


def hub_panel(village_code: str, year: int, roles: Any, today: dt.date) -> HubPanel:
    from kampung.accounts.roles import Role

    counts = status_counts(village_code, year)
    rows = [(value, str(label), counts[value]) for value, label in SppStatus.choices if counts.get(value)]
    held = set(roles or ())
    base = Spp.objects.filter(book__village_id=village_code, book__year=year)
    waiting: list[tuple[str, int]] = []
    if Role.SECRETARY in held:
        waiting.append(("diverifikasi", base.filter(status=SppStatus.SUBMITTED).count()))
    if Role.HEAD in held:
        waiting.append(("disetujui", base.filter(status=SppStatus.VERIFIED).count()))
    if Role.TREASURER in held:
        waiting.append(("dibayar", base.filter(status=SppStatus.APPROVED).count()))
        waiting.append(
            (
                "dicatat pengembalian sisa panjarnya",
                base.filter(kind=SppKind.ADVANCE, status=SppStatus.PAID, spj_entry__isnull=False).count(),
            )
        )
    if held & {Role.EXECUTOR, Role.SECRETARY}:
        waiting.append(("diperbaiki (dikembalikan)", base.filter(status=SppStatus.REJECTED).count()))
        waiting.append(
            (
                "di-SPJ-kan (panjar)",
                base.filter(kind=SppKind.ADVANCE, status=SppStatus.PAID, spj_entry__isnull=True).count(),
            )
        )
    late = [
        (spp, (today - spp.spj_due).days)
        for spp in overdue_advances(village_code, year, today)
        if spp.spj_due
    ]
    return HubPanel(counts=rows, waiting=waiting, overdue=late, total=sum(counts.values()))
