"""The reads behind the public pages and the kiosk's information pages.

Every function here reads roll-ups (``monitoring``), the finance public summary, the letter
catalogue and the kiosk's announcements: a fixed number of queries whatever the number of
villages, and no scan of residents or letters. The one exception is
:func:`beneficiaries`, a paginated list of one programme's decided cases in one village
(indexed on programme, year, village and status), shown only when the regency publishes that
programme's names. Nothing returned here carries a NIK, a KK number, an address or a birth date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from kampung.accounts.models import Official
from kampung.assistance.models import AIDED_STATUSES, Case, CaseStatus, Programme
from kampung.finance.selectors.public import apbdes_public_summary
from kampung.kiosk.models import Announcement
from kampung.letters.models import LetterType
from kampung.letters.selectors import village_letter_rows
from kampung.monitoring.models import FinanceFigure, FinanceKind, PopulationVillage, ProjectFigure
from kampung.monitoring.periods import MAX_YEAR, MIN_YEAR, Period
from kampung.monitoring.selectors.dash_common import DESA_KINDS, ZERO, Area, area_of, ratio
from kampung.monitoring.selectors.dash_finance import BIDANG_NAMES, finance_dashboard
from kampung.monitoring.selectors.dash_population import EVENT_KINDS, population_dashboard
from kampung.monitoring.selectors.dash_programmes import ProgrammeBlock, programmes_dashboard
from kampung.monitoring.selectors.dashboard import Overview, overview
from kampung.regions.models import Level, Region, VillageProfile

PER_PAGE = 20
# Cases whose household is published by name: decided, paid, being built, handed over.
PUBLISHED_STATUSES: tuple[str, ...] = tuple(AIDED_STATUSES)
PAID_STAGES: tuple[str, ...] = (CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE)


def today() -> dt.date:
    return timezone.localdate()


def clean_text(raw: Any, size: int = 100) -> str:
    """A query value made safe to keep and compare: no NUL, trimmed, at most ``size`` chars."""
    return str(raw or "").replace("\x00", "").strip()[:size]


def pct(fraction: float | None) -> str:
    """A fraction as an Indonesian percentage ("45,2 %"), "—" when there is none."""
    return "—" if fraction is None else f"{fraction * 100:.1f} %".replace(".", ",")


def year_from(raw: Any, default: int) -> int:
    text = clean_text(raw, 8)
    if text.isascii() and text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR:
        return int(text)
    return default


def paginate(items: Any, number: Any, per_page: int = PER_PAGE) -> Page:
    return Paginator(items, per_page).get_page(clean_text(number, 8) or 1)


# -- announcements ---------------------------------------------------------------------------


def announcements_in_force(region: Region, *, on: dt.date | None = None) -> QuerySet[Announcement]:
    """Announcements shown on ``region``'s pages today: its own and its regency's, pinned first."""
    day = on or today()
    codes = {region.code, region.code[:5]}
    return (
        Announcement.objects.filter(region_id__in=codes, publish_from__lte=day)
        .filter(Q(publish_until__isnull=True) | Q(publish_until__gte=day))
        .order_by("-pinned", "-publish_from", "-pk")
    )


def announcement_in_force(pk: int, served: list[str], *, on: dt.date | None = None) -> Announcement | None:
    if not 0 < pk < 2**31:
        return None
    day = on or today()
    found = (
        Announcement.objects.select_related("region")
        .filter(pk=pk, publish_from__lte=day)
        .filter(Q(publish_until__isnull=True) | Q(publish_until__gte=day))
        .first()
    )
    if found is None or found.region_id[:5] not in served:
        return None
    return found


# -- profile (any level) ---------------------------------------------------------------------


@dataclass
class ChildRow:
    code: str
    name: str
    kind: str
    villages: int
    residents: int
    absorption: float | None
    url: str = ""

    @property
    def absorption_text(self) -> str:
        return pct(self.absorption)


@dataclass
class Profile:
    region: Region
    year: int
    overview: Overview
    districts: int
    desa: int
    kelurahan: int
    children: list[ChildRow]
    programmes: list[ProgrammeBlock]
    village_profile: VillageProfile | None = None
    officials: list[Official] = field(default_factory=list)

    @property
    def residents(self) -> int:
        return self.overview.population.total.residents

    @property
    def families(self) -> int:
        return self.overview.population.total.families

    @property
    def letters_issued(self) -> int:
        return self.overview.letters.total.issued

    @property
    def spending_budget(self) -> Decimal:
        return self.overview.finance.total.money.spending_budget

    @property
    def spending_ytd(self) -> Decimal:
        return self.overview.finance.total.money.spending_ytd

    @property
    def absorption(self) -> float | None:
        return self.overview.finance.total.money.absorption

    @property
    def absorption_text(self) -> str:
        return pct(self.absorption)

    @property
    def is_village(self) -> bool:
        return self.region.level == Level.VILLAGE


def profile(region: Region) -> Profile:
    """The headline figures of a regency, district or village for this year."""
    day = today()
    area = area_of(region)
    figures = overview(area, Period(day.year, "tahun"), day)
    residents = {c.code: c.residents for c in figures.population.children}
    absorption = {c.code: c.money.absorption for c in figures.finance.children}
    children = [
        ChildRow(c.code, c.name, c.kind, c.villages, residents.get(c.code, 0), absorption.get(c.code))
        for c in area.children
    ]
    desa = sum(1 for v in area.villages.values() if v.kind in DESA_KINDS)
    result = Profile(
        region=region,
        year=day.year,
        overview=figures,
        districts=len(area.children) if region.level == Level.REGENCY else 0,
        desa=desa,
        kelurahan=len(area.villages) - desa,
        children=children,
        programmes=[b for b in figures.programmes.programmes if b.kind in ("rtlh", "blt")],
    )
    if region.level == Level.VILLAGE:
        result.village_profile = VillageProfile.objects.filter(village=region).first()
        result.officials = list(
            Official.objects.filter(village=region, active=True)
            .order_by("order", "name")
            .only("name", "position", "order")
        )
    return result


# -- the villages under a regency or district ------------------------------------------------


@dataclass
class VillageRow:
    code: str
    name: str
    kind: str
    district: str
    residents: int = 0
    spending_budget: Decimal = ZERO
    spending_ytd: Decimal = ZERO
    url: str = ""

    @property
    def keeps_apbdes(self) -> bool:
        return self.kind in DESA_KINDS

    @property
    def absorption(self) -> float | None:
        return ratio(self.spending_ytd, self.spending_budget)

    @property
    def absorption_text(self) -> str:
        return pct(self.absorption) if self.keeps_apbdes else "tidak ada APBDes"


@dataclass
class VillageList:
    area: Area
    districts: list[tuple[str, str]]
    district: str
    q: str
    rows: list[VillageRow]


def villages(region: Region, *, q: str = "", district: str = "") -> VillageList:
    """The villages under ``region`` whose name contains ``q`` (in ``district`` when given),
    each with its residents and this year's spending against budget: four queries."""
    area = area_of(region)
    districts = [(c.code, c.name) for c in area.children] if region.level == Level.REGENCY else []
    names = dict(districts)
    if district not in names:
        district = ""
    needle = q.casefold()
    rows = {
        code: VillageRow(code, v.name, v.kind, names.get(code[:8], ""))
        for code, v in area.villages.items()
        if (not district or code.startswith(district + ".")) and needle in v.name.casefold()
    }
    if rows:
        for code, n in PopulationVillage.objects.filter(area.rows()).values_list("village_id", "residents"):
            if code in rows:
                rows[code].residents = n
        year = today().year
        spending = (
            FinanceFigure.objects.filter(
                area.rows(), year=year, kind__in=(FinanceKind.BUDGET_SPENDING, FinanceKind.SPENDING)
            )
            .values_list("village_id", "kind", "month", "amount")
            .order_by()
        )
        for code, kind, month, amount in spending:
            row = rows.get(code)
            if row is None:
                continue
            if kind == FinanceKind.BUDGET_SPENDING and month == 0:
                row.spending_budget += amount
            elif kind == FinanceKind.SPENDING and 1 <= month <= 12:
                row.spending_ytd += amount
    return VillageList(area, districts, district, q, list(rows.values()))


# -- population ------------------------------------------------------------------------------


def population(region: Region) -> Any:
    day = today()
    return population_dashboard(area_of(region), Period(day.year, "tahun"), detail=True)


EVENT_NAMES = dict(EVENT_KINDS)


# -- budget ----------------------------------------------------------------------------------


@dataclass
class Realised:
    code: str
    name: str
    budget: Decimal
    realised: Decimal

    @property
    def rate(self) -> float | None:
        return ratio(self.realised, self.budget)

    @property
    def rate_text(self) -> str:
        return pct(self.rate)


@dataclass
class Budget:
    year: int
    years: list[int]
    summary: dict[str, Any] | None
    revenue: list[Realised]
    spending: list[Realised]
    revenue_total: Realised
    spending_total: Realised


def budget_years(region: Region, current: int) -> list[int]:
    found = set(
        FinanceFigure.objects.filter(village_id=region.code, month=0)
        .values_list("year", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(found | {current}, reverse=True)


def budget(region: Region, year: int) -> Budget:
    """The APBDes of ``year`` as enacted (finance's public summary) and its realisation so far
    from the finance roll-ups, by source and by bidang."""
    day = today()
    summary = apbdes_public_summary(village_code=region.code, year=year)
    revenue: list[Realised] = []
    spending: list[Realised] = []
    if summary is not None:
        fin = finance_dashboard(area_of(region), Period(year, "tahun"), day, detail=True)
        revenue = [
            Realised(code, name or code, m.revenue_budget, m.revenue_ytd)
            for code, name, m in fin.by_source
            if m.revenue_budget or m.revenue_ytd
        ]
        bidang = {code: m for code, _, m in fin.by_bidang}
        spending = [
            Realised(code, BIDANG_NAMES[code], bidang[code].spending_budget, bidang[code].spending_ytd)
            for code in BIDANG_NAMES
            if code in bidang
        ]
    return Budget(
        year=year,
        years=budget_years(region, day.year),
        summary=summary,
        revenue=revenue,
        spending=spending,
        revenue_total=Realised(
            "", "Jumlah", sum((r.budget for r in revenue), ZERO), sum((r.realised for r in revenue), ZERO)
        ),
        spending_total=Realised(
            "", "Jumlah", sum((r.budget for r in spending), ZERO), sum((r.realised for r in spending), ZERO)
        ),
    )


# -- projects --------------------------------------------------------------------------------

DONE, RUNNING, NOT_STARTED = "Selesai", "Sedang berjalan", "Belum dimulai"


@dataclass(frozen=True)
class ProjectRow:
    code: str
    name: str
    location: str
    start_month: int
    end_month: int
    budget: Decimal
    spent: Decimal
    percent: Decimal
    progress_on: dt.date | None

    @property
    def status(self) -> str:
        if self.percent >= 100:
            return DONE
        if self.percent > 0 or self.spent > 0:
            return RUNNING
        return NOT_STARTED


def projects(region: Region, year: int) -> list[ProjectRow]:
    """The village's physical kegiatan of ``year`` (one query; no executor's name)."""
    return [
        ProjectRow(*values)
        for values in ProjectFigure.objects.filter(village_id=region.code, year=year)
        .order_by("activity_code")
        .values_list(
            "activity_code",
            "name",
            "location",
            "start_month",
            "end_month",
            "budget",
            "spent",
            "physical_percent",
            "progress_on",
        )
    ]


def project_years(region: Region, current: int) -> list[int]:
    found = set(
        ProjectFigure.objects.filter(village_id=region.code)
        .values_list("year", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(found | {current}, reverse=True)


# -- programmes ------------------------------------------------------------------------------


@dataclass
class ProgrammeRow:
    block: ProgrammeBlock
    pk: int | None
    publish_names: bool
    link: str = ""  # the beneficiaries' list, when published

    @property
    def registered(self) -> int:
        return self.block.total.cases

    @property
    def decided(self) -> int:
        return self.block.total.decided

    @property
    def paid_households(self) -> int:
        return sum(self.block.total.stages[s] for s in PAID_STAGES)


def programmes(region: Region, year: int) -> list[ProgrammeRow]:
    """Every programme of the regency with the village's figures of ``year`` (three queries)."""
    blocks = programmes_dashboard(area_of(region), year).programmes
    meta = {
        code: (pk, publish)
        for code, pk, publish in Programme.objects.filter(regency_id=region.code[:5]).values_list(
            "code", "pk", "publish_names"
        )
    }
    return [ProgrammeRow(b, *meta.get(b.code, (None, False))) for b in blocks]


def published_programme(region: Region, pk: int) -> Programme | None:
    """The programme if it belongs to the region's regency and publishes its beneficiaries."""
    return Programme.objects.filter(pk=pk, regency_id=region.code[:5], publish_names=True).first()


def beneficiaries(region: Region, programme: Programme, year: int) -> QuerySet[Case, Any]:
    """Households decided (and after) in the village: name, hamlet and stage only."""
    return (
        Case.objects.filter(
            programme=programme, year=year, village_id=region.code, status__in=PUBLISHED_STATUSES
        )
        .order_by("dusun", "name", "pk")
        .values("name", "dusun", "status")
    )


# -- the letter catalogue --------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    name: str
    requirements: list[str]
    sla_days: int
    fee: int
    self_service: bool


def services(region: Region) -> list[Service]:
    """The letters a village offers (the regency's catalogue above a village), with their
    requirements, service time and fee: three queries. A village's switches and service
    times come from the letters app's own ``village_letter_rows``."""
    if region.level == Level.VILLAGE:
        rows = [r for r in village_letter_rows(village=region) if r.enabled]
        types = [r.letter_type for r in rows]
        days = {r.letter_type.pk: r.sla_days for r in rows}
    else:
        types = list(LetterType.objects.filter(active=True).order_by("name"))
        days = {t.pk: t.sla_days for t in types}
    prefetch_related_objects(types, "requirements")
    return [
        Service(
            name=t.name,
            requirements=[r.name for r in t.requirements.all()],
            sla_days=days[t.pk],
            fee=t.fee,
            self_service=t.self_service,
        )
        for t in types
    ]
