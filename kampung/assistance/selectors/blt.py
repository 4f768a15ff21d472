"""Reads for BLT Dana Desa: the months of a village's year (households, money, the SPP and
how many collected), the payment grid (household × month), one month's list and the panel on
a BLT case page. Every read takes a bounded number of queries whatever the number of
households."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from kampung.assistance.access import DISTRIBUTORS
from kampung.assistance.loader import programme_year_get
from kampung.assistance.models import AIDED_STATUSES, Case, MonthlyPayment, Programme, ProgrammeYear
from kampung.assistance.services.blt import RELEASED_SPP, DdFigures, beneficiaries, dd_figures, month_name
from kampung.finance.access import SPP_DRAFTERS
from kampung.finance.models import SppStatus
from kampung.population.selectors import shown_number
from kampung.regions.models import Region

ZERO = Decimal("0")

# What a payment row is, for the page and the Excel sheet.
RECEIVED = "diterima"
NOT_COLLECTED = "tidak_diambil"
WAITING = "menunggu"
STATE_LABELS = {RECEIVED: "Diterima", NOT_COLLECTED: "Tidak diambil", WAITING: "Belum dicatat"}


def payment_state(payment: MonthlyPayment) -> str:
    if payment.collected:
        return RECEIVED
    if payment.note:
        return NOT_COLLECTED
    return WAITING


@dataclass
class MonthRow:
    month: int
    name: str
    households: int = 0
    amount: Decimal = ZERO
    collected: int = 0
    collected_amount: Decimal = ZERO
    not_collected: int = 0
    waiting: int = 0
    spps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def requested(self) -> bool:
        return bool(self.spps)

    @property
    def paid(self) -> bool:
        return bool(self.spps) and all(s["status"] == SppStatus.PAID for s in self.spps)


@dataclass
class Overview:
    programme_year: ProgrammeYear
    figures: DdFigures
    households: int
    year_total: Decimal
    months: list[MonthRow]
    requested_total: Decimal
    collected_total: Decimal

    @property
    def cap_used_percent(self) -> Decimal | None:
        if not self.figures.dana_desa:
            return None
        return (self.year_total * 100 / self.figures.dana_desa).quantize(Decimal("0.01"))

    @property
    def over_cap(self) -> bool:
        cap = self.figures.cap_amount
        return cap is not None and self.year_total > cap

    @property
    def over_line(self) -> bool:
        return self.year_total > self.figures.line_amount


def _held(qs: Any) -> Any:
    """Payment rows of an SPP still in force (a cancelled SPP releases its month)."""
    return qs.filter(spp__isnull=False).exclude(spp__status__in=RELEASED_SPP)


def months_overview(*, programme: Programme, village: Region, year: int) -> Overview:
    """Per month of the year: households on the month's SPP, the money, the SPP and their
    status, and how many collected; with the Dana Desa cap figures (the year's BLT for the
    households decided so far against the cap and the budget line)."""
    programme_year = programme_year_get(programme, year)
    figures = dd_figures(programme_year=programme_year, village=village)
    households = Case.objects.filter(
        programme=programme, village=village, year=year, status__in=AIDED_STATUSES
    ).count()
    rows = {m: MonthRow(month=m, name=month_name(m)) for m in range(1, programme_year.months + 1)}
    payments = _held(
        MonthlyPayment.objects.filter(case__programme=programme, case__village=village, year=year)
    )
    per_month = payments.values("month").annotate(
        n=Count("pk"),
        total=Sum("amount"),
        got=Count("pk", filter=Q(collected=True)),
        got_amount=Sum("amount", filter=Q(collected=True)),
        missed=Count("pk", filter=Q(collected=False) & ~Q(note="")),
    )
    for item in per_month:
        row = rows.setdefault(item["month"], MonthRow(month=item["month"], name=month_name(item["month"])))
        row.households = item["n"]
        row.amount = item["total"] or ZERO
        row.collected = item["got"]
        row.collected_amount = item["got_amount"] or ZERO
        row.not_collected = item["missed"]
        row.waiting = row.households - row.collected - row.not_collected
    spps = (
        payments.values("month", "spp_id", "spp__number", "spp__status", "spp__paid_on")
        .annotate(n=Count("pk"))
        .order_by("month", "spp_id")
    )
    labels = dict(SppStatus.choices)
    for item in spps:
        rows[item["month"]].spps.append(
            {
                "pk": item["spp_id"],
                "number": item["spp__number"],
                "status": item["spp__status"],
                "status_label": labels.get(item["spp__status"], item["spp__status"]),
                "paid_on": item["spp__paid_on"],
                "households": item["n"],
            }
        )
    months = [rows[m] for m in sorted(rows)]
    return Overview(
        programme_year=programme_year,
        figures=figures,
        households=households,
        year_total=Decimal(households) * programme_year.amount * programme_year.months,
        months=months,
        requested_total=sum((r.amount for r in months), ZERO),
        collected_total=sum((r.collected_amount for r in months), ZERO),
    )


@dataclass
class GridRow:
    case: Case
    cells: list[str | None]
    collected: Decimal


def payment_grid(*, programme: Programme, village: Region, year: int, cases: list[Case]) -> list[GridRow]:
    """One row per household of ``cases`` (a page of them), one cell per month: the state of
    its payment (received, not collected, waiting) or None when the month was not requested."""
    programme_year = programme_year_get(programme, year)
    months = max(programme_year.months, 1)
    state: dict[tuple[int, int], str] = {}
    got: dict[int, Decimal] = {}
    for p in _held(MonthlyPayment.objects.filter(case__in=cases, year=year)).only(
        "case_id", "month", "collected", "note", "amount"
    ):
        state[(p.case_id, p.month)] = payment_state(p)
        if p.collected:
            got[p.case_id] = got.get(p.case_id, ZERO) + p.amount
    return [
        GridRow(
            case=case,
            cells=[state.get((case.pk, m)) for m in range(1, months + 1)],
            collected=got.get(case.pk, ZERO),
        )
        for case in cases
    ]


def grid_cases(*, programme: Programme, village: Region, year: int, q: str = "") -> Any:
    """The beneficiary households of the grid (search by name, NIK or case number)."""
    qs = Case.objects.filter(programme=programme, village=village, year=year, status__in=AIDED_STATUSES)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(nik=q) | Q(kk_number=q) | Q(number__icontains=q))
    return qs.order_by("number")


@dataclass
class MonthLine:
    case: Case
    payment: MonthlyPayment | None
    nik: str
    kk_number: str

    @property
    def state(self) -> str | None:
        return None if self.payment is None else payment_state(self.payment)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state or "", "Belum diajukan")


def month_lines(
    *, actor: Any, programme: Programme, village: Region, year: int, month: int
) -> list[MonthLine]:
    """The month's list: every household with a payment row for the month (SPP in force),
    then the beneficiaries not yet on an SPP for it. NIK and KK whole only for the village's
    own staff (population rules)."""
    payments = {
        p.case_id: p
        for p in _held(
            MonthlyPayment.objects.filter(
                case__programme=programme, case__village=village, year=year, month=month
            )
        ).select_related("spp")
    }
    cases = {c.pk: c for c in Case.objects.filter(pk__in=list(payments))}
    for case in beneficiaries(programme, village, year):
        cases.setdefault(case.pk, case)
    ordered = sorted(cases.values(), key=lambda c: c.number)
    return [
        MonthLine(
            case=c,
            payment=payments.get(c.pk),
            nik=shown_number(actor, village.code, c.nik),
            kk_number=shown_number(actor, village.code, c.kk_number),
        )
        for c in ordered
    ]


def may_request(actor: Any, village: Region) -> bool:
    from kampung.accounts.scope import scope_for

    return scope_for(actor).covers(village.code, *SPP_DRAFTERS)


def may_distribute(actor: Any, village: Region) -> bool:
    from kampung.accounts.scope import scope_for

    return scope_for(actor).covers(village.code, *DISTRIBUTORS)


def case_panel(*, actor: Any, case: Case) -> dict[str, Any]:
    """Context for the BLT panel on the case page (assistance/panels/blt.html): the case's
    months with amount, SPP, state and date; empty for a programme that is not monthly."""
    if not case.programme.is_monthly:
        return {}
    programme_year = programme_year_get(case.programme, case.year)
    payments = {
        p.month: p
        for p in _held(MonthlyPayment.objects.filter(case=case, year=case.year)).select_related("spp")
    }
    months = []
    for m in range(1, max(programme_year.months, max(payments, default=0)) + 1):
        p = payments.get(m)
        months.append(
            {
                "month": m,
                "name": month_name(m),
                "payment": p,
                "state": None if p is None else payment_state(p),
                "state_label": "Belum diajukan" if p is None else STATE_LABELS[payment_state(p)],
            }
        )
    collected = sum((p.amount for p in payments.values() if p.collected), ZERO)
    return {
        "blt": {
            "case": case,
            "monthly_amount": programme_year.amount,
            "months": months,
            "collected": collected,
            "collected_months": sum(1 for p in payments.values() if p.collected),
            "year_amount": programme_year.amount * programme_year.months,
        }
    }
