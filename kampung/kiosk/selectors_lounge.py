"""The lounge display's figures (``/layar/``): read from the monitoring roll-ups through the
dashboard selectors, plus today's counters from the letter requests and queue tickets.

Nothing here is recomputed from the source records: the KPIs, the absorption ranking and
the programmes come from :func:`kampung.monitoring.selectors.dashboard.overview`. Only the
"today" counters query ``LetterRequest``, ``RequestEvent`` and ``QueueTicket``, each with a
one-day date range and the region's code range. The whole display costs a fixed number of
queries whatever the number of villages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from kampung.assistance.selectors.overview import STAGES
from kampung.kiosk.models import Announcement, QueueTicket, TicketStatus
from kampung.kiosk.selectors_announcements import in_force
from kampung.letters.models_requests import LetterRequest, RequestEvent, RequestStatus
from kampung.monitoring.periods import YEAR, Period
from kampung.monitoring.selectors.dash_common import ZERO, Area, area_of, prefix_range
from kampung.monitoring.selectors.dash_programmes import ProgrammeBlock
from kampung.monitoring.selectors.dashboard import Overview, overview
from kampung.regions.models import Level, Region

TOP, BOTTOM, ANNOUNCEMENTS = 10, 5, 5
# Cases whose household has received the money (BLT) or the house grant (RTLH).
PAID_STAGES: tuple[str, ...] = ("dibayar", "dikerjakan", "selesai")
STAGE_NAMES: dict[str, str] = {str(s.value): str(s.label) for s in STAGES}


@dataclass(frozen=True)
class Ranked:
    code: str
    name: str
    absorption: float
    spent: Decimal
    budget: Decimal


@dataclass(frozen=True)
class Today:
    submitted: int = 0
    issued: int = 0
    tickets_taken: int = 0
    tickets_served: int = 0
    tickets_waiting: int = 0
    overdue: int = 0


@dataclass
class Lounge:
    region: Region
    today: dt.date
    year: int
    desa: int
    kelurahan: int
    residents: int
    families: int
    letters_issued: int
    absorption: float | None
    spent: Decimal
    budget: Decimal
    rtlh_finished: int | None
    blt_paid: int | None
    service: Today
    child_label: str
    top: list[Ranked] = field(default_factory=list)
    bottom: list[Ranked] = field(default_factory=list)
    programmes: list[ProgrammeBlock] = field(default_factory=list)
    announcements: list[Announcement] = field(default_factory=list)

    @property
    def villages(self) -> int:
        return self.desa + self.kelurahan

    @property
    def ranked(self) -> bool:
        return bool(self.top)


def _village_rows(region: Region, field_name: str) -> Q:
    """Rows of the region's villages by the village code column ``field_name``."""
    if region.level == Level.VILLAGE:
        return Q(**{field_name: region.code})
    return prefix_range(field_name, region.code + ".")


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def services_today(region: Region, today: dt.date, overdue: int) -> Today:
    """Letter requests submitted and issued today and queue tickets taken and served today
    (three queries, each bounded to one day)."""
    start, end = _day_range(today)
    submitted = LetterRequest.objects.filter(
        _village_rows(region, "village_id"), submitted_at__gte=start, submitted_at__lt=end
    ).count()
    issued = (
        RequestEvent.objects.filter(
            _village_rows(region, "request__village_id"),
            status_to=RequestStatus.ISSUED,
            at__gte=start,
            at__lt=end,
        )
        .values("request_id")
        .distinct()
        .count()
    )
    tickets = QueueTicket.objects.filter(_village_rows(region, "village_id"), day=today).aggregate(
        taken=Count("pk"),
        served=Count("pk", filter=Q(status=TicketStatus.DONE)),
        waiting=Count("pk", filter=Q(status__in=(TicketStatus.WAITING, TicketStatus.CALLED))),
    )
    return Today(
        submitted=submitted,
        issued=issued,
        tickets_taken=tickets["taken"] or 0,
        tickets_served=tickets["served"] or 0,
        tickets_waiting=tickets["waiting"] or 0,
        overdue=overdue,
    )


def _ranking(area: Area, o: Overview) -> tuple[list[Ranked], list[Ranked]]:
    """Children (districts of a regency, desa of a district) by spending absorption: the top
    ten and, below them, the bottom five. A child without a spending budget is left out."""
    if area.level == Level.VILLAGE:
        return [], []
    ranked = sorted(
        (
            Ranked(c.code, c.name, a, c.money.spending_ytd, c.money.spending_budget)
            for c in o.finance.children
            if (a := c.money.absorption) is not None
        ),
        key=lambda r: (-r.absorption, r.name),
    )
    top = ranked[:TOP]
    bottom = [r for r in ranked[-BOTTOM:] if r not in top]
    bottom.reverse()  # lowest first
    return top, bottom


def _programme_counts(o: Overview) -> tuple[int | None, int | None]:
    rtlh = blt = None
    for block in o.programmes.programmes:
        if block.is_housing:
            rtlh = (rtlh or 0) + block.total.finished
        elif block.is_cash:
            blt = (blt or 0) + sum(block.total.stages.get(s, 0) for s in PAID_STAGES)
    return rtlh, blt


def lounge(region: Region, today: dt.date) -> Lounge:
    """Everything the lounge display shows for ``region`` (a regency, district or village)."""
    area = area_of(region)
    o = overview(area, Period(today.year, YEAR), today)
    desa = len(area.desa_codes)
    top, bottom = _ranking(area, o)
    rtlh, blt = _programme_counts(o)
    money = o.finance.total.money
    return Lounge(
        region=region,
        today=today,
        year=today.year,
        desa=desa,
        kelurahan=len(area.villages) - desa,
        residents=o.population.total.residents,
        families=o.population.total.families,
        letters_issued=o.letters.total.issued,
        absorption=money.absorption,
        spent=money.spending_ytd or ZERO,
        budget=money.spending_budget or ZERO,
        rtlh_finished=rtlh,
        blt_paid=blt,
        service=services_today(region, today, o.letters.total.overdue),
        child_label="Kecamatan" if area.level == Level.REGENCY else "Desa",
        top=top,
        bottom=bottom,
        programmes=[b for b in o.programmes.programmes if b.total.cases],
        announcements=list(in_force(region, today, limit=ANNOUNCEMENTS)),
    )
