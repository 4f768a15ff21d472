"""Reads of the APBDes pages: a village's budget years, one version with its totals, lines,
problems and history, the side-by-side figures of a revision, and the evaluation queue."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kampung.accounts.scope import scope_for
from kampung.audit.models import AuditEntry
from kampung.finance.budget import ZERO, Snapshot, Totals, budget_snapshot, budget_totals
from kampung.finance.checks import Problem, apbdes_problems
from kampung.finance.models import (
    Account,
    ActivityCode,
    Apbdes,
    ApbdesStatus,
    BudgetActivity,
    BudgetLine,
    FinancingLine,
    FundSource,
    RevenueLine,
)
from kampung.regions.calendar import working_days_between
from kampung.regions.models import Region

BIDANG_NAMES = {
    "01": "Penyelenggaraan Pemerintahan Desa",
    "02": "Pelaksanaan Pembangunan Desa",
    "03": "Pembinaan Kemasyarakatan Desa",
    "04": "Pemberdayaan Masyarakat Desa",
    "05": "Penanggulangan Bencana, Keadaan Darurat dan Mendesak Desa",
}
EVALUATION_READERS_STATES = (ApbdesStatus.SUBMITTED,)


def versions_by_year(village: Region) -> list[dict[str, Any]]:
    """Every budget year of the village, newest first, with its versions (original first)."""
    years: dict[int, list[Apbdes]] = {}
    for apbdes in Apbdes.objects.filter(village=village).order_by("-year", "revision"):
        years.setdefault(apbdes.year, []).append(apbdes)
    return [{"year": year, "versions": versions} for year, versions in years.items()]


def calendar_state(*, village: Region, year: int, apbdes: Apbdes | None, today: dt.date) -> list[Any]:
    """The APBDes deadlines of the year and their state, from the calendar selector (helper A);
    an empty list when that module is not installed."""
    try:
        module = importlib.import_module("kampung.finance.selectors.calendar")
    except ImportError:
        return []
    finder = getattr(module, "apbdes_deadlines", None)
    if finder is None:
        return []
    return list(finder(regency_code=village.regency_code, year=year, apbdes=apbdes, today=today))


def account_choices(village: Region, prefix: str) -> list[tuple[str, str]]:
    """Level-4 accounts under ``prefix`` (national and this regency's own)."""
    rows = (
        Account.objects.filter(level=4, active=True, code__startswith=prefix)
        .filter(Q(regency__isnull=True) | Q(regency_id=village.regency_code))
        .order_by("code")
        .values_list("code", "name")
    )
    seen: dict[str, str] = {}
    for code, name in rows:
        seen.setdefault(code, f"{code} {name}")
    return list(seen.items())


def activity_code_choices(village: Region) -> list[tuple[str, str]]:
    rows = (
        ActivityCode.objects.filter(level="kegiatan", active=True)
        .filter(Q(regency__isnull=True) | Q(regency_id=village.regency_code))
        .order_by("code")
        .values_list("code", "short_name", "name")
    )
    seen: dict[str, str] = {}
    for code, short, name in rows:
        seen.setdefault(code, f"{code} {short or name}"[:160])
    return list(seen.items())


def source_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {name}") for code, name in FundSource.objects.values_list("code", "name")]


@dataclass
class Detail:
    apbdes: Apbdes
    snapshot: Snapshot
    totals: Totals
    revenues: list[RevenueLine]
    activities: list[BudgetActivity]
    financing: list[FinancingLine]
    problems: list[Problem]
    evaluations: list[Any]
    history: list[AuditEntry]
    bidang_rows: list[tuple[str, str, Decimal]] = field(default_factory=list)
    source_names: dict[str, str] = field(default_factory=dict)

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]


def apbdes_detail(apbdes: Apbdes) -> Detail:
    """Everything the detail page shows, in a bounded number of queries."""
    snapshot = budget_snapshot(apbdes)
    totals = budget_totals(snapshot)
    lines = Prefetch("lines", queryset=BudgetLine.objects.select_related("account", "unit_price_ref"))
    activities = list(
        BudgetActivity.objects.filter(apbdes=apbdes).select_related("activity_code").prefetch_related(lines)
    )
    for activity in activities:
        activity.total = totals.spending_by_activity.get(activity.pk, ZERO)  # type: ignore[attr-defined]
    revenues = list(RevenueLine.objects.filter(apbdes=apbdes).select_related("account", "source"))
    financing = list(FinancingLine.objects.filter(apbdes=apbdes).select_related("account", "source"))
    history = list(
        AuditEntry.objects.filter(object_type=apbdes._meta.label, object_id=str(apbdes.pk)).order_by(
            "at", "seq"
        )
    )
    return Detail(
        apbdes=apbdes,
        snapshot=snapshot,
        totals=totals,
        revenues=revenues,
        activities=activities,
        financing=financing,
        problems=apbdes_problems(apbdes, snapshot),
        evaluations=list(apbdes.evaluations.select_related("evaluator")),
        history=history,
        bidang_rows=[
            (code, BIDANG_NAMES.get(code, code), v) for code, v in totals.spending_by_bidang.items()
        ],
        source_names=dict(FundSource.objects.values_list("code", "name")),
    )


@dataclass(frozen=True)
class CompareRow:
    code: str
    label: str
    before: Decimal
    after: Decimal

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


def _pairs(
    before: dict[Any, Decimal], after: dict[Any, Decimal], labels: dict[Any, tuple[str, str]]
) -> list[CompareRow]:
    keys = sorted(set(before) | set(after), key=lambda k: labels.get(k, (str(k), ""))[0])
    return [
        CompareRow(
            labels.get(k, (str(k), ""))[0],
            labels.get(k, ("", str(k)))[1],
            before.get(k, ZERO),
            after.get(k, ZERO),
        )
        for k in keys
    ]


def revision_comparison(revision: Apbdes) -> dict[str, Any] | None:
    """Original and revised figures side by side per revenue account, kegiatan and financing
    account, with the difference (Permendagri 20/2018 Lampiran: kolom 'sebelum/sesudah perubahan')."""
    base = revision.base
    if base is None:
        return None
    totals = {
        "before": budget_totals(budget_snapshot(base)),
        "after": budget_totals(budget_snapshot(revision)),
    }
    account_names = dict(Account.objects.filter(regency__isnull=True, level=4).values_list("code", "name"))
    accounts = {code: (code, name) for code, name in account_names.items()}
    # Kegiatan are matched through ``origin``: a revised kegiatan stands beside its original.
    before_act = {a.pk: a for a in BudgetActivity.objects.filter(apbdes=base).select_related("activity_code")}
    after_act = list(BudgetActivity.objects.filter(apbdes=revision).select_related("activity_code"))
    b_sp, a_sp = totals["before"].spending_by_activity, totals["after"].spending_by_activity
    activity_rows: list[CompareRow] = []
    matched: set[int] = set()
    for act in after_act:
        origin = before_act.get(act.origin_id) if act.origin_id else None
        if origin is not None:
            matched.add(origin.pk)
        activity_rows.append(
            CompareRow(
                act.activity_code.code,
                act.name,
                b_sp.get(origin.pk, ZERO) if origin else ZERO,
                a_sp.get(act.pk, ZERO),
            )
        )
    for pk, act in before_act.items():
        if pk not in matched:
            activity_rows.append(CompareRow(act.activity_code.code, act.name, b_sp.get(pk, ZERO), ZERO))
    activity_rows.sort(key=lambda r: r.code)
    tb, ta = totals["before"], totals["after"]
    summary = [
        CompareRow("4", "Pendapatan", tb.revenue, ta.revenue),
        CompareRow("5", "Belanja", tb.spending, ta.spending),
        CompareRow("", "Surplus/(defisit)", tb.surplus, ta.surplus),
        CompareRow("6.1", "Penerimaan pembiayaan", tb.financing_in, ta.financing_in),
        CompareRow("6.2", "Pengeluaran pembiayaan", tb.financing_out, ta.financing_out),
        CompareRow("", "Pembiayaan netto", tb.net_financing, ta.net_financing),
    ]
    return {
        "base": base,
        "summary": summary,
        "revenue": _pairs(tb.revenue_by_account, ta.revenue_by_account, accounts),
        "activities": activity_rows,
        "financing": _pairs(tb.financing_by_account, ta.financing_by_account, accounts),
    }


def evaluation_queue(user: Any, *, today: dt.date, roles: tuple[str, ...]) -> QuerySet[Apbdes]:
    codes = scope_for(user).village_codes(*roles)
    return (
        Apbdes.objects.filter(village_id__in=codes, status=ApbdesStatus.SUBMITTED)
        .select_related("village", "village__parent")
        .order_by("evaluation_due", "village_id")
    )


def queue_rows(apbdes_list: list[Apbdes], today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for apbdes in apbdes_list:
        due = apbdes.evaluation_due
        overdue = due is not None and today > due
        left = working_days_between(apbdes.village, today, due) if due and not overdue else 0
        rows.append({"apbdes": apbdes, "due": due, "overdue": overdue, "days_left": left})
    return rows
