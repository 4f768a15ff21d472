"""District and regency figures of a programme year: per village, counts by stage, money
committed and paid, houses finished, cases stalled and decisions taken under delegation.

:func:`programme_figures` is what the overview pages and the monitoring issue (#9) read. It
runs a fixed number of aggregate queries (two, three for a monthly programme) whatever the
number of villages.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kampung.assistance.models import (
    AIDED_STATUSES,
    Case,
    CaseStatus,
    Decision,
    DecisionStatus,
    MonthlyPayment,
    Programme,
)
from kampung.regions.models import Level, Region

# A case that has not changed stage for this many days is "stalled": the default of the
# regency's monitoring setting (``MonitoringSetting.stalled_days``), which the pages pass in.
STALLED_DAYS = 30
BASIS_DELEGATION = "delegasi"
BASIS_MANDATE = "mandat"
UNDER_DELEGATION = (BASIS_DELEGATION, BASIS_MANDATE)

# Stages a case is expected to leave. A monthly programme's beneficiaries stay "ditetapkan"
# (or "dibayar") all year by design, so only the steps before the decision can stall there.
_BEFORE_DECISION = (
    CaseStatus.REGISTERED,
    CaseStatus.ELIGIBLE,
    CaseStatus.PRIORITISED,
    CaseStatus.PROPOSED,
)
_HOUSING_MOVING = (*_BEFORE_DECISION, CaseStatus.DECIDED, CaseStatus.PAID, CaseStatus.IN_PROGRESS)
# RTLH money counts as paid once the SPP was paid (dibayar and after).
_PAID_STATUSES = (CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE)
# The stage columns of the overview, in the order a case moves.
STAGES: tuple[CaseStatus, ...] = (
    CaseStatus.REGISTERED,
    CaseStatus.ELIGIBLE,
    CaseStatus.PRIORITISED,
    CaseStatus.PROPOSED,
    CaseStatus.DECIDED,
    CaseStatus.PAID,
    CaseStatus.IN_PROGRESS,
    CaseStatus.DONE,
    CaseStatus.REFUSED,
    CaseStatus.CANCELLED,
)


@dataclass
class Figures:
    """One village's (or a group's) figures for a programme year."""

    counts: dict[str, int] = field(default_factory=dict)
    committed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    finished: int = 0
    stalled: int = 0
    decisions_issued: int = 0
    decisions_delegated: int = 0
    decisions_mandated: int = 0
    decisions_routed: int = 0

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def stage_counts(self) -> list[int]:
        return [self.counts.get(s, 0) for s in STAGES]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def decided(self) -> int:
        """Households decided as beneficiaries (ditetapkan and after)."""
        return sum(self.counts.get(s, 0) for s in AIDED_STATUSES)

    @property
    def under_delegation(self) -> int:
        return self.decisions_delegated + self.decisions_mandated

    def add(self, other: Figures) -> None:
        for status, n in other.counts.items():
            self.counts[status] = self.counts.get(status, 0) + n
        self.committed += other.committed
        self.paid += other.paid
        self.finished += other.finished
        self.stalled += other.stalled
        self.decisions_issued += other.decisions_issued
        self.decisions_delegated += other.decisions_delegated
        self.decisions_mandated += other.decisions_mandated
        self.decisions_routed += other.decisions_routed


def figures_total(figures: Iterable[Figures]) -> Figures:
    total = Figures()
    for item in figures:
        total.add(item)
    return total


def stalled_statuses(programme: Programme) -> tuple[str, ...]:
    return _BEFORE_DECISION if programme.is_monthly else _HOUSING_MOVING


def stalled_condition(programme: Programme, *, now: dt.datetime | None = None, days: int = STALLED_DAYS) -> Q:
    """Open cases in a stage they should leave, unchanged for ``days`` days (a case written
    before ``stage_since`` was kept counts from its creation)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return Q(status__in=stalled_statuses(programme)) & (
        Q(stage_since__lt=cutoff) | Q(stage_since__isnull=True, created_at__lt=cutoff)
    )


def _prefix(codes: Iterable[str]) -> str:
    # Filtering on the codes' common prefix (then keeping the asked ones in Python) keeps the
    # SQL short for a regency of hundreds of villages (no IN list of every code).
    return os.path.commonprefix(sorted(codes))


def programme_figures(
    *,
    village_codes: Iterable[str],
    programme: Programme,
    year: int,
    now: dt.datetime | None = None,
    stalled_days: int = STALLED_DAYS,
) -> dict[str, Figures]:
    """Figures per village code (every asked code present, zero when it has no case):
    counts by stage, committed money (sum of case amounts, ditetapkan and after), paid money
    (RTLH: cases dibayar and after; monthly programmes: the collected monthly payments),
    houses finished (selesai), cases stalled and decisions issued — how many of them under
    delegation or mandate (``Decision.basis``) and how many wait at the regency."""
    codes = set(village_codes)
    result = {code: Figures() for code in codes}
    if not codes:
        return result
    prefix = _prefix(codes)
    cases = (
        Case.objects.filter(programme=programme, year=year, village__code__startswith=prefix)
        .values("village_id", "status")
        .annotate(
            n=Count("pk"),
            amount=Sum("amount"),
            stalled=Count("pk", filter=stalled_condition(programme, now=now, days=stalled_days)),
        )
        .order_by()
    )
    for row in cases:
        figures = result.get(row["village_id"])
        if figures is None:
            continue
        status, amount = row["status"], row["amount"] or Decimal(0)
        figures.counts[status] = figures.counts.get(status, 0) + row["n"]
        figures.stalled += row["stalled"]
        if status in AIDED_STATUSES:
            figures.committed += amount
        if status == CaseStatus.DONE:
            figures.finished += row["n"]
        if not programme.is_monthly and status in _PAID_STATUSES:
            figures.paid += amount
    if programme.is_monthly:
        payments = (
            MonthlyPayment.objects.filter(
                case__programme=programme,
                case__year=year,
                case__village__code__startswith=prefix,
                collected=True,
            )
            .values("case__village_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for pay in payments:
            figures = result.get(pay["case__village_id"])
            if figures is not None:
                figures.paid += pay["total"] or Decimal(0)
    issued = Q(status=DecisionStatus.ISSUED)
    decisions = (
        Decision.objects.filter(programme=programme, year=year, village__code__startswith=prefix)
        .values("village_id")
        .annotate(
            issued=Count("pk", filter=issued),
            delegated=Count("pk", filter=issued & Q(basis=BASIS_DELEGATION)),
            mandated=Count("pk", filter=issued & Q(basis=BASIS_MANDATE)),
            routed=Count("pk", filter=Q(status=DecisionStatus.ROUTED)),
        )
        .order_by()
    )
    for dec in decisions:
        figures = result.get(dec["village_id"])
        if figures is None:
            continue
        figures.decisions_issued += dec["issued"]
        figures.decisions_delegated += dec["delegated"]
        figures.decisions_mandated += dec["mandated"]
        figures.decisions_routed += dec["routed"]
    return result


# -- the overview page ----------------------------------------------------------------------


@dataclass
class Row:
    """A row of the overview: a district (regency view) or a village (district view)."""

    code: str
    name: str
    figures: Figures
    villages: int = 1
    is_village: bool = True


@dataclass
class Overview:
    root: Region
    programme: Programme
    year: int
    rows: list[Row]
    total: Figures
    villages: int

    @property
    def by_district(self) -> bool:
        return self.root.level != Level.DISTRICT


def villages_under(root: Region) -> QuerySet[Region]:
    """The desa and kelurahan under a district or regency (programmes run in both)."""
    return Region.objects.filter(level=Level.VILLAGE, code__startswith=root.code + ".").order_by("code")


def overview(
    *,
    root: Region,
    programme: Programme,
    year: int,
    now: dt.datetime | None = None,
    stalled_days: int = STALLED_DAYS,
) -> Overview:
    """The programme year under ``root``: a regency per district, a district per village.
    Four queries at most (regions, then :func:`programme_figures`)."""
    villages = list(villages_under(root).values_list("code", "name", "kind"))
    figures = programme_figures(
        village_codes=[code for code, _, _ in villages],
        programme=programme,
        year=year,
        now=now,
        stalled_days=stalled_days,
    )
    total = figures_total(figures.values())
    if root.level == Level.DISTRICT:
        rows = [
            Row(
                code=code,
                name=f"{'Kelurahan' if kind == 'kelurahan' else 'Desa'} {name}",
                figures=figures[code],
            )
            for code, name, kind in villages
        ]
    else:
        districts = dict(
            Region.objects.filter(level=Level.DISTRICT, code__startswith=root.code + ".").values_list(
                "code", "name"
            )
        )
        groups: dict[str, Row] = {}
        for code, _, _ in villages:
            district = code[:8]
            row = groups.get(district)
            if row is None:
                row = groups[district] = Row(
                    code=district,
                    name=districts.get(district, district),
                    figures=Figures(),
                    villages=0,
                    is_village=False,
                )
            row.figures.add(figures[code])
            row.villages += 1
        rows = [groups[c] for c in sorted(groups)]
    return Overview(root=root, programme=programme, year=year, rows=rows, total=total, villages=len(villages))


# -- lists ----------------------------------------------------------------------------------


def stalled_cases(
    *,
    village_codes: Iterable[str],
    programme: Programme,
    year: int,
    now: dt.datetime | None = None,
    stalled_days: int = STALLED_DAYS,
) -> QuerySet[Case]:
    """Stalled cases of the villages, the longest-stalled first."""
    codes = sorted(set(village_codes))
    return (
        Case.objects.filter(
            stalled_condition(programme, now=now, days=stalled_days), programme=programme, year=year
        )
        .filter(village__code__startswith=_prefix(codes))
        .filter(village_id__in=codes)
        .select_related("village", "village__parent")
        .order_by("stage_since", "created_at", "pk")
    )


def delegated_decisions(*, village_codes: Iterable[str], year: int, regency_code: str) -> QuerySet[Decision]:
    """Decisions issued by village heads under a delegation (or a mandate) in the year,
    newest first: what the regency watches of the authority it passed on."""
    codes = sorted(set(village_codes))
    return (
        Decision.objects.filter(
            year=year,
            status=DecisionStatus.ISSUED,
            basis__in=UNDER_DELEGATION,
            programme__regency_id=regency_code,
        )
        .filter(village__code__startswith=_prefix(codes))
        .filter(village_id__in=codes)
        .select_related("programme", "village", "village__parent", "document", "decided_by")
        .order_by("-decided_on", "-pk")
    )


def stage_since(case: Case) -> dt.datetime:
    return case.stage_since or case.created_at


def days_in_stage(case: Case, *, now: dt.datetime | None = None) -> int:
    return ((now or timezone.now()) - stage_since(case)).days


def stage_labels() -> list[tuple[str, str]]:
    return [(s.value, str(s.label)) for s in STAGES]


def as_row_dict(row: Row) -> dict[str, Any]:
    """A row as plain values (Excel export and the monitoring issue)."""
    f = row.figures
    return {
        "code": row.code,
        "name": row.name,
        "villages": row.villages,
        **{s.value: f.count(s) for s in STAGES},
        "committed": f.committed,
        "paid": f.paid,
        "finished": f.finished,
        "stalled": f.stalled,
        "decisions_issued": f.decisions_issued,
        "decisions_under_delegation": f.under_delegation,
    }
