"""Budget arithmetic: one snapshot of an APBDes version's lines and the totals computed from it.

Every page, check and printed output takes its figures from :func:`budget_totals`, so the
attachment of the Perdes, the Penjabaran, the RAB and the public summary can never disagree
with the lines (the property tests check exactly that for random budgets).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal("0")
RUPIAH = Decimal("1")

REVENUE = "pendapatan"
SPENDING = "belanja"
FINANCING = "pembiayaan"


def line_amount(volume: Decimal, unit_price: Decimal) -> Decimal:
    """Volume x unit price, rounded half up to whole rupiah (as Siskeudes prints them)."""
    return (Decimal(volume) * Decimal(unit_price)).quantize(RUPIAH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    section: str  # REVENUE, SPENDING or FINANCING
    account_code: str  # level 4, e.g. "5.2.7.03"
    source_code: str  # "" for financing without a source
    amount: Decimal
    activity_code: str = ""  # spending only, e.g. "02.04.01"
    activity_id: int | None = None  # spending only: the BudgetActivity


@dataclass
class Snapshot:
    lines: list[Line] = field(default_factory=list)

    def of(self, section: str) -> list[Line]:
        return [line for line in self.lines if line.section == section]


def _sum_by(lines: list[Line], key: Any) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        out[key(line)] += line.amount
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Totals:
    revenue: Decimal
    spending: Decimal
    financing_in: Decimal  # 6.1 penerimaan pembiayaan
    financing_out: Decimal  # 6.2 pengeluaran pembiayaan
    revenue_by_source: dict[str, Decimal]
    revenue_by_account: dict[str, Decimal]  # level 4
    spending_by_source: dict[str, Decimal]
    spending_by_bidang: dict[str, Decimal]  # "01".."05"
    spending_by_sub_bidang: dict[str, Decimal]  # "01.01"
    spending_by_activity_code: dict[str, Decimal]  # "02.04.01"
    spending_by_activity: dict[int, Decimal]  # BudgetActivity pk
    spending_by_account: dict[str, Decimal]  # level 4
    spending_by_jenis: dict[str, Decimal]  # level 3, "5.2.7"
    financing_by_account: dict[str, Decimal]
    financing_in_by_source: dict[str, Decimal]

    @property
    def surplus(self) -> Decimal:
        """Revenue minus spending (negative: a deficit)."""
        return self.revenue - self.spending

    @property
    def net_financing(self) -> Decimal:
        return self.financing_in - self.financing_out

    @property
    def remaining(self) -> Decimal:
        """Surplus plus net financing: zero in a balanced budget (SiLPA tahun berjalan)."""
        return self.surplus + self.net_financing


def budget_totals(snapshot: Snapshot) -> Totals:
    revenue = snapshot.of(REVENUE)
    spending = snapshot.of(SPENDING)
    financing = snapshot.of(FINANCING)
    fin_in = [f for f in financing if f.account_code.startswith("6.1")]
    fin_out = [f for f in financing if f.account_code.startswith("6.2")]
    by_activity: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in spending:
        if line.activity_id is not None:
            by_activity[line.activity_id] += line.amount
    return Totals(
        revenue=sum((line.amount for line in revenue), ZERO),
        spending=sum((line.amount for line in spending), ZERO),
        financing_in=sum((line.amount for line in fin_in), ZERO),
        financing_out=sum((line.amount for line in fin_out), ZERO),
        revenue_by_source=_sum_by(revenue, lambda line: line.source_code),
        revenue_by_account=_sum_by(revenue, lambda line: line.account_code),
        spending_by_source=_sum_by(spending, lambda line: line.source_code),
        spending_by_bidang=_sum_by(spending, lambda line: line.activity_code[:2]),
        spending_by_sub_bidang=_sum_by(spending, lambda line: line.activity_code[:5]),
        spending_by_activity_code=_sum_by(spending, lambda line: line.activity_code),
        spending_by_activity=dict(by_activity),
        spending_by_account=_sum_by(spending, lambda line: line.account_code),
        spending_by_jenis=_sum_by(spending, lambda line: line.account_code.rsplit(".", 1)[0]),
        financing_by_account=_sum_by(financing, lambda line: line.account_code),
        financing_in_by_source=_sum_by(fin_in, lambda line: line.source_code),
    )


def budget_snapshot(apbdes: Any) -> Snapshot:
    """Read one APBDes version's lines in three queries."""
    from kampung.finance.models import BudgetLine, FinancingLine, RevenueLine

    lines: list[Line] = []
    for code, source, amount in RevenueLine.objects.filter(apbdes=apbdes).values_list(
        "account__code", "source_id", "amount"
    ):
        lines.append(Line(REVENUE, code, source, amount))
    for code, source, amount, activity_code, activity_id in BudgetLine.objects.filter(
        activity__apbdes=apbdes
    ).values_list("account__code", "source_id", "amount", "activity__activity_code__code", "activity_id"):
        lines.append(Line(SPENDING, code, source, amount, activity_code, activity_id))
    for code, source, amount in FinancingLine.objects.filter(apbdes=apbdes).values_list(
        "account__code", "source_id", "amount"
    ):
        lines.append(Line(FINANCING, code, source or "", amount))
    return Snapshot(lines)
