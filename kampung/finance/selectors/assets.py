"""Reads of the village asset register: the filtered list, the summary per golongan, the
capital spending (5.3) of a year not yet in the register, and the year-end report (Laporan
Kekayaan Milik Desa) that goes with the LPJ."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from kampung.finance.models import Asset, AssetCategory, JournalLine, Spp
from kampung.finance.services.assets import guess_category

ZERO = Decimal("0")
CAPITAL_PREFIX = "5.3"
SPP_LABEL = Spp._meta.label  # "finance.Spp": the journal's doc_type of SPP postings


def asset_list(
    village_code: str,
    *,
    category: str = "",
    condition: str = "",
    year: int | None = None,
    q: str = "",
    removed: str = "",
) -> QuerySet[Asset]:
    """The register of a village, filtered. ``removed``: "" active items only, "ya" written-off
    items only, "semua" both."""
    qs = Asset.objects.filter(village_id=village_code)
    if category:
        qs = qs.filter(category=category)
    if condition:
        qs = qs.filter(condition=condition)
    if year:
        qs = qs.filter(acquired_on__year=year)
    if removed == "ya":
        qs = qs.filter(removed_on__isnull=False)
    elif removed != "semua":
        qs = qs.filter(removed_on__isnull=True)
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(location__icontains=q))
    return qs.order_by("category", "acquired_on", "pk")


@dataclass
class CategoryTotal:
    category: str
    label: str
    count: int = 0
    value: Decimal = ZERO


def asset_summary(village_code: str) -> tuple[list[CategoryTotal], CategoryTotal]:
    """Items still in the register: count and value per golongan, and the total."""
    rows = {
        r["category"]: r
        for r in Asset.objects.filter(village_id=village_code, removed_on__isnull=True)
        .values("category")
        .annotate(n=Count("pk"), v=Sum("value"))
    }
    out = []
    total = CategoryTotal("", "Jumlah")
    for value, label in AssetCategory.choices:
        row = rows.get(value)
        item = CategoryTotal(value, label, row["n"] if row else 0, (row["v"] or ZERO) if row else ZERO)
        total.count += item.count
        total.value += item.value
        out.append(item)
    return out, total


@dataclass
class CapitalSpending:
    """Realised capital spending of one SPP (journal lines on 5.3, not reversed)."""

    spp: Spp
    amount: Decimal
    date: dt.date
    accounts: list[tuple[str, Decimal]]

    @property
    def account_code(self) -> str:
        """The account with the largest amount (the form's default)."""
        return max(self.accounts, key=lambda a: (a[1], a[0]))[0] if self.accounts else ""

    @property
    def category(self) -> str:
        return guess_category(self.account_code)


def capital_spending(
    village_code: str, year: int, *, unregistered_only: bool = True
) -> list[CapitalSpending]:
    """The year's realised capital spending per SPP (debits on 5.3 of entries whose source
    document is an SPP and that were not reversed), optionally only SPPs no asset points at."""
    rows = (
        JournalLine.objects.filter(
            book__village_id=village_code,
            book__year=year,
            account_code__startswith=CAPITAL_PREFIX + ".",
            debit__gt=0,
            entry__doc_type=SPP_LABEL,
            entry__reversed_by__isnull=True,
        )
        .values("entry__doc_id", "account_code")
        .annotate(amount=Sum("debit"), last=Max("date"))
    )
    per_spp: dict[int, dict[str, object]] = {}
    for row in rows:
        doc_id = str(row["entry__doc_id"])
        if not doc_id.isdigit():
            continue
        item = per_spp.setdefault(int(doc_id), {"accounts": defaultdict(lambda: ZERO), "last": row["last"]})
        item["accounts"][row["account_code"]] += row["amount"]  # type: ignore[index]
        if row["last"] > item["last"]:
            item["last"] = row["last"]
    if not per_spp:
        return []
    spps = Spp.objects.filter(pk__in=list(per_spp), book__village_id=village_code).select_related(
        "activity", "activity__activity_code"
    )
    if unregistered_only:
        spps = spps.exclude(assets__isnull=False)
    out = []
    for spp in spps:
        item = per_spp[spp.pk]
        accounts = sorted(item["accounts"].items())  # type: ignore[attr-defined]
        out.append(
            CapitalSpending(
                spp=spp,
                amount=sum((a for _, a in accounts), ZERO),
                date=item["last"],  # type: ignore[arg-type]
                accounts=accounts,
            )
        )
    out.sort(key=lambda c: (c.date, c.spp.number, c.spp.pk))
    return out


@dataclass
class ReportRow:
    category: str
    label: str
    opening: Decimal = ZERO
    additions: Decimal = ZERO
    removals: Decimal = ZERO
    closing: Decimal = ZERO
    opening_count: int = 0
    additions_count: int = 0
    removals_count: int = 0
    closing_count: int = 0

    def add(self, other: ReportRow) -> None:
        for name in (
            "opening",
            "additions",
            "removals",
            "closing",
            "opening_count",
            "additions_count",
            "removals_count",
            "closing_count",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class AssetReport:
    village_code: str
    year: int
    rows: list[ReportRow] = field(default_factory=list)
    total: ReportRow = field(default_factory=lambda: ReportRow("", "JUMLAH"))
    items_added: list[Asset] = field(default_factory=list)
    items_removed: list[Asset] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date:
        return dt.date(self.year, 12, 31)


def asset_report(village_code: str, year: int) -> AssetReport:
    """Laporan Kekayaan Milik Desa per 31 December ``year``, per golongan:

    - opening: items acquired before 1 January and not written off before it;
    - additions: items acquired in the year; removals: items written off in the year;
    - closing = opening + additions − removals (items acquired by 31 December, not written off by then).
    """
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = {value: ReportRow(value, label) for value, label in AssetCategory.choices}
    report = AssetReport(village_code, year)
    items = Asset.objects.filter(village_id=village_code, acquired_on__lte=end).filter(
        Q(removed_on__isnull=True) | Q(removed_on__gte=start)
    )
    for asset in items.order_by("category", "acquired_on", "pk"):
        row = rows.setdefault(asset.category, ReportRow(asset.category, asset.category))
        if asset.acquired_on < start:
            row.opening += asset.value
            row.opening_count += 1
        else:
            row.additions += asset.value
            row.additions_count += 1
            report.items_added.append(asset)
        if asset.removed_on is not None and asset.removed_on <= end:
            row.removals += asset.value
            row.removals_count += 1
            report.items_removed.append(asset)
        else:
            row.closing += asset.value
            row.closing_count += 1
    report.rows = list(rows.values())
    for row in report.rows:
        report.total.add(row)
    return report
