"""Reads of the regency's finance reference data: account and activity codes (national rows plus
the regency's own 90–99 codes), the standard unit prices (SSH), the ceilings grid and the
APBDes progress of the regency's desa against its calendar.

Every read takes the regency code explicitly; views resolve it from the user's scope with
:func:`regency_for_user_or_404`, so another regency's rows are never listed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kampung.accounts.scope import scope_for
from kampung.finance.models.budget import Apbdes
from kampung.finance.models.ref import (
    Account,
    ActivityCode,
    CalendarEvent,
    Ceiling,
    FundSource,
    UnitPrice,
)
from kampung.finance.selectors.calendar import (
    APBDES_EVENTS,
    LEWAT,
    MENDATANG,
    SELESAI,
    TERLAMBAT,
    deadline_state,
    deadlines_for,
)
from kampung.regions.models import Kind, Level, Region

DESA_KINDS = (Kind.DESA, Kind.DESA_ADAT)


# -- whose regency --------------------------------------------------------------------------


def regency_codes_for(user: Any, *roles: str) -> list[str]:
    """The regencies the user holds one of ``roles`` in (at the regency, a district or a village)."""
    scope = scope_for(user)
    return sorted({g.region_code[:5] for g in scope.grants if not roles or g.role in roles})


def regency_for_user_or_404(user: Any, *roles: str, code: str | None = None) -> Region:
    """The regency whose reference data the user works on with one of ``roles``: ``code`` when
    given and in scope, else the user's first regency. 404 otherwise (never "forbidden")."""
    codes = regency_codes_for(user, *roles)
    if code:
        if code not in codes:
            raise Http404("Kabupaten tidak ditemukan.")
        chosen = code
    elif codes:
        chosen = codes[0]
    else:
        raise Http404("Anda tidak memiliki akses ke data referensi keuangan.")
    region = Region.objects.filter(code=chosen, level=Level.REGENCY).first()
    if region is None:
        raise Http404("Kabupaten tidak ditemukan.")
    return region


def is_regency_admin(user: Any, regency_code: str) -> bool:
    from kampung.finance.access import REGENCY_FINANCE_ADMINS

    return scope_for(user).covers(regency_code, *REGENCY_FINANCE_ADMINS)


# -- codes ----------------------------------------------------------------------------------


def _visible(qs: QuerySet[Any], regency_code: str) -> QuerySet[Any]:
    return qs.filter(Q(regency__isnull=True) | Q(regency_id=regency_code))


def account_list(
    *, regency_code: str, q: str = "", akun: str = "", local_only: bool = False
) -> list[Account]:
    """National accounts and the regency's own, ordered by code (a tree by indentation)."""
    qs = _visible(Account.objects.all(), regency_code)
    if akun:
        qs = qs.filter(Q(code=akun) | Q(code__startswith=akun + "."))
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(name__icontains=q))
    if local_only:
        qs = qs.filter(regency_id=regency_code)
    rows = list(qs.order_by("code", "regency_id"))
    return sorted(rows, key=lambda a: (_code_key(a.code), a.regency_id or ""))


def activity_list(
    *, regency_code: str, q: str = "", bidang: str = "", local_only: bool = False
) -> list[ActivityCode]:
    qs = _visible(ActivityCode.objects.all(), regency_code)
    if bidang:
        qs = qs.filter(Q(code=bidang) | Q(code__startswith=bidang + "."))
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(name__icontains=q) | Q(short_name__icontains=q))
    if local_only:
        qs = qs.filter(regency_id=regency_code)
    rows = list(qs.order_by("code", "regency_id"))
    return sorted(rows, key=lambda a: (_code_key(a.code), a.regency_id or ""))


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def akun_choices() -> list[tuple[str, str]]:
    return list(
        Account.objects.filter(level=1, regency__isnull=True).order_by("code").values_list("code", "name")
    )


def bidang_choices() -> list[tuple[str, str]]:
    return list(
        ActivityCode.objects.filter(level="bidang", regency__isnull=True)
        .order_by("code")
        .values_list("code", "name")
    )


def local_account_parents() -> list[Account]:
    """Level-3 accounts whose Lampiran keeps a 90–99 range (they have a national ``…90`` row)."""
    parents = set(
        Account.objects.filter(level=4, regency__isnull=True, is_local_range=True).values_list(
            "parent_code", flat=True
        )
    )
    return list(Account.objects.filter(level=3, regency__isnull=True, code__in=parents).order_by("code"))


def sub_bidang_list() -> list[ActivityCode]:
    return list(ActivityCode.objects.filter(level="sub_bidang", regency__isnull=True).order_by("code"))


# -- SSH ------------------------------------------------------------------------------------


def unit_price_list(
    *, regency_code: str, year: int, q: str = "", include_inactive: bool = True
) -> QuerySet[UnitPrice]:
    qs = UnitPrice.objects.filter(regency_id=regency_code, year=year)
    if not include_inactive:
        qs = qs.filter(active=True)
    if q:
        qs = _unit_price_match(qs, q)
    return qs.order_by("code")


def _unit_price_match(qs: QuerySet[UnitPrice], q: str) -> QuerySet[UnitPrice]:
    """Code prefix, or every word in the name or the specification (case-insensitive)."""
    words = q.split()
    condition = Q(code__istartswith=q.strip())
    word_condition = Q()
    for word in words:
        word_condition &= Q(name__icontains=word) | Q(specification__icontains=word)
    return qs.filter(condition | word_condition)


def unit_price_search(*, regency_code: str, year: int, q: str = "", limit: int = 20) -> list[UnitPrice]:
    """Active SSH items of the regency and year matching ``q`` (code or words of name/spec)."""
    qs = UnitPrice.objects.filter(regency_id=regency_code, year=year, active=True)
    if q.strip():
        qs = _unit_price_match(qs, q)
    return list(qs.order_by("code")[: max(1, min(limit, 100))])


def unit_price_years(*, regency_code: str) -> list[int]:
    return list(
        UnitPrice.objects.filter(regency_id=regency_code)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


# -- ceilings -------------------------------------------------------------------------------


def transfer_sources() -> list[FundSource]:
    return list(FundSource.objects.filter(is_transfer=True).order_by("order", "code"))


def regency_desa(*, regency_code: str, district: str = "") -> QuerySet[Region]:
    """The desa (never kelurahan) of the regency, optionally of one district."""
    qs = Region.objects.filter(level=Level.VILLAGE, kind__in=DESA_KINDS, code__startswith=regency_code + ".")
    if district:
        qs = qs.filter(code__startswith=district + ".")
    return qs.select_related("parent").order_by("code")


def districts_of(*, regency_code: str) -> list[Region]:
    return list(Region.objects.filter(level=Level.DISTRICT, parent_id=regency_code).order_by("code"))


@dataclass
class CeilingRow:
    village: Region
    amounts: list[Decimal | None]

    @property
    def total(self) -> Decimal:
        return sum((a for a in self.amounts if a is not None), Decimal(0))


@dataclass
class CeilingGrid:
    year: int
    sources: list[FundSource]
    rows: list[CeilingRow]
    totals: list[Decimal] = field(default_factory=list)

    @property
    def grand_total(self) -> Decimal:
        return sum(self.totals, Decimal(0))


def ceiling_grid(*, regency_code: str, year: int, district: str = "") -> CeilingGrid:
    """Every desa of the regency (or district) with its ceiling per transfer source. Three queries."""
    sources = transfer_sources()
    villages = list(regency_desa(regency_code=regency_code, district=district))
    prefix = (district or regency_code) + "."
    amounts: dict[tuple[str, str], Decimal] = {
        (v, s): a
        for v, s, a in Ceiling.objects.filter(
            year=year, village__code__startswith=prefix, source__is_transfer=True
        ).values_list("village_id", "source_id", "amount")
    }
    rows = [CeilingRow(village=v, amounts=[amounts.get((v.code, s.code)) for s in sources]) for v in villages]
    totals = [sum((r.amounts[i] or Decimal(0) for r in rows), Decimal(0)) for i in range(len(sources))]
    return CeilingGrid(year=year, sources=sources, rows=rows, totals=totals)


def village_ceilings(*, village: Region, year: int) -> list[tuple[FundSource, Decimal | None]]:
    amounts = dict(Ceiling.objects.filter(village=village, year=year).values_list("source_id", "amount"))
    return [(s, amounts.get(s.code)) for s in transfer_sources()]


def ceiling_years(*, village: Region) -> list[int]:
    return list(
        Ceiling.objects.filter(village=village).values_list("year", flat=True).distinct().order_by("-year")
    )


# -- calendar progress ----------------------------------------------------------------------


@dataclass
class EventProgress:
    event: str
    label: str
    due: dt.date
    counts: dict[str, int]

    @property
    def done(self) -> int:
        return self.counts[SELESAI]

    @property
    def late(self) -> int:
        return self.counts[TERLAMBAT]

    @property
    def overdue(self) -> int:
        return self.counts[LEWAT]

    @property
    def pending(self) -> int:
        return self.counts[MENDATANG]


def apbdes_progress(*, regency_code: str, year: int, today: dt.date) -> tuple[int, list[EventProgress]]:
    """For each APBDes event: how many of the regency's desa did it on time, late, not yet
    (overdue) or not yet (not due). Two queries (desa count, original APBDes rows)."""
    due_dates = deadlines_for(regency_code=regency_code, year=year)
    desa_count = regency_desa(regency_code=regency_code).count()
    fields = [f for _, f in APBDES_EVENTS]
    rows = list(
        Apbdes.objects.filter(
            village__code__startswith=regency_code + ".", year=year, revision=0
        ).values_list("village_id", *fields)
    )
    result = []
    for index, (event, _field) in enumerate(APBDES_EVENTS):
        due = due_dates[str(event)]
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            counts[deadline_state(due=due, done_on=row[index + 1], today=today)] += 1
        missing = desa_count - len(rows)
        if missing > 0:
            counts[deadline_state(due=due, done_on=None, today=today)] += missing
        result.append(
            EventProgress(
                event=str(event),
                label=str(CalendarEvent(event).label),
                due=due,
                counts={k: counts.get(k, 0) for k in (SELESAI, TERLAMBAT, LEWAT, MENDATANG)},
            )
        )
    return desa_count, result
