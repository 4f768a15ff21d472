"""Reads of the village counter's queue: what the kiosk, the waiting-room display and the
counter staff see. Tickets carry no personal data: only a label (A-007), a service and a
counter, so the display's figures are public."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format

from kampung.accounts.scope import region_in_scope_or_404
from kampung.kiosk.models import QueueService, QueueTicket, TicketStatus
from kampung.kiosk.services_queue import STAFF_ROLES, services_for, zone_of
from kampung.regions.models import Level, Region

RECENT_CALLS = 5
DIGIT_WORDS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
MAX_PK = 2**63 - 1


def staff_village_or_404(actor: Any, code: str) -> Region:
    """A village whose counter staff the actor is; anything else is "not found"."""
    village = region_in_scope_or_404(actor, code, *STAFF_ROLES)
    if village.level != Level.VILLAGE:
        raise Http404("Wilayah tidak ditemukan.")
    return village


def today_tickets(village: Region, day: dt.date) -> QuerySet[QueueTicket]:
    return QueueTicket.objects.filter(village=village, day=day).select_related("service")


def waiting_counts(village: Region, day: dt.date) -> dict[int, int]:
    """Waiting tickets per service id today."""
    rows = (
        QueueTicket.objects.filter(village=village, day=day, status=TicketStatus.WAITING)
        .values("service_id")
        .annotate(n=Count("pk"))
    )
    return {row["service_id"]: row["n"] for row in rows}


def ahead_of(ticket: QueueTicket) -> int:
    """How many of the same service and day are waiting before this ticket."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    return QueueTicket.objects.filter(
        service_id=ticket.service_id, day=ticket.day, status=TicketStatus.WAITING, number__lt=ticket.number
    ).count()


def ticket_by_pk(village: Region, pk: int) -> QueueTicket | None:
    if not 0 < pk <= MAX_PK:
        return None
    return QueueTicket.objects.select_related("service").filter(village=village, pk=pk).first()


def service_of(village: Region, pk: Any) -> QueueService | None:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < number <= MAX_PK:
        return None
    return QueueService.objects.filter(village=village, pk=number).first()


@dataclass(frozen=True)
class ServiceRow:
    service: QueueService
    waiting: int
    called: list[QueueTicket]


def service_rows(village: Region, day: dt.date, *, active_only: bool) -> list[ServiceRow]:
    """Each service with its waiting count and the tickets being served now."""
    services = [s for s in services_for(village) if s.active or not active_only]
    counts = waiting_counts(village, day)
    called: dict[int, list[QueueTicket]] = {}
    for ticket in today_tickets(village, day).filter(status=TicketStatus.CALLED).order_by("called_at"):
        called.setdefault(ticket.service_id, []).append(ticket)
    return [ServiceRow(s, counts.get(s.pk, 0), called.get(s.pk, [])) for s in services]


def spoken(ticket: QueueTicket) -> str:
    """What the waiting-room voice says: "Nomor antrian A nol nol tujuh, silakan ke loket satu"."""
    digits = " ".join(DIGIT_WORDS[int(d)] for d in f"{ticket.number:03d}")
    counter = " ".join(DIGIT_WORDS[int(d)] for d in ticket.counter if d.isdigit()) or ticket.counter
    return f"Nomor antrian {ticket.service.letter} {digits}, silakan ke loket {counter}"


def counter_label(counter: str) -> str:
    return f"Loket {counter}" if counter else ""


def _call_json(ticket: QueueTicket) -> dict[str, Any]:
    return {
        "key": f"{ticket.pk}:{ticket.times_called}",
        "label": ticket.label,
        "counter": counter_label(ticket.counter),
        "service": ticket.service.name,
        "speech": spoken(ticket),
    }


def display_state(village: Region, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the waiting-room TV shows: the latest call, the few before it, the waiting counts
    per active service, the local time, and a stamp that changes whenever any of it does."""
    now = timezone.localtime(now or timezone.now(), zone_of(village))
    day = now.date()
    calls = list(
        today_tickets(village, day)
        .filter(called_at__isnull=False)
        .order_by("-called_at", "-pk")[: RECENT_CALLS + 1]
    )
    current = calls[0] if calls else None
    recent = calls[1:]
    counts = waiting_counts(village, day)
    marks = today_tickets(village, day).aggregate(n=Count("pk"), last=Max("updated_at"))
    services_mark = QueueService.objects.filter(village=village).aggregate(last=Max("updated_at"))["last"]
    stamp = f"{day.isoformat()}|{marks['n']}|{marks['last'] and marks['last'].timestamp()}|" + (
        f"{services_mark.timestamp()}" if services_mark else ""
    )
    return {
        "stamp": stamp,
        "now": _call_json(current) if current is not None else None,
        "recent": [_call_json(t) for t in recent],
        "waiting": [
            {"letter": s.letter, "name": s.name, "waiting": counts.get(s.pk, 0)}
            for s in services_for(village)
            if s.active
        ],
        "date": date_format(now, "l, j F Y"),
        "time": now.strftime("%H.%M"),
    }


@dataclass(frozen=True)
class DayFigures:
    taken: int
    waiting: int
    called: int
    served: int
    skipped: int
    average_wait_minutes: int | None


def day_figures(village: Region, day: dt.date) -> DayFigures:
    """Today's counts, and the average wait from taking a ticket to its (latest) call."""
    wait = ExpressionWrapper(F("called_at") - F("taken_at"), output_field=DurationField())
    row = today_tickets(village, day).aggregate(
        taken=Count("pk"),
        waiting=Count("pk", filter=Q(status=TicketStatus.WAITING)),
        called=Count("pk", filter=Q(status=TicketStatus.CALLED)),
        served=Count("pk", filter=Q(status=TicketStatus.DONE)),
        skipped=Count("pk", filter=Q(status=TicketStatus.SKIPPED)),
        wait=Avg(wait, filter=Q(called_at__isnull=False)),
    )
    average = row["wait"]
    minutes = None if average is None else round(average.total_seconds() / 60)
    return DayFigures(
        taken=row["taken"],
        waiting=row["waiting"],
        called=row["called"],
        served=row["served"],
        skipped=row["skipped"],
        average_wait_minutes=minutes,
    )
