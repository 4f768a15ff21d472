"""Writes of the village counter's queue: services (A, B, C...), taking a numbered ticket at
the kiosk, and the counter calling, re-calling, finishing and skipping tickets.

Tickets are numbered 1, 2, 3... per service and per local day (the regency's time zone):
the number is the day's highest plus one, and the database's unique constraint on
(service, day, number) is the last word, so two kiosks tapping at the same moment can never
get the same number: the loser retries with the next one. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.kiosk.models import QueueService, QueueTicket, TicketStatus
from kampung.regions.models import Level, Region

# Who runs the counter's queue: the village's own front-office staff.
STAFF_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.HEAD)

DEFAULT_SERVICES = (
    ("A", "Surat-menyurat", "Surat keterangan, pengantar dan legalisasi"),
    ("B", "Kependudukan (KK, KTP, pindah)", "Kartu keluarga, KTP-el, pindah datang dan pergi"),
    ("C", "Bantuan sosial dan pengaduan", "Bantuan sosial, RTLH, BLT dan pengaduan warga"),
)
COUNTERS = tuple(str(n) for n in range(1, 10))
TAKE_ATTEMPTS = 5
LETTER_RE = re.compile(r"[A-Z]")

# Which act may move a ticket from which status, and to which.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "call": (frozenset({TicketStatus.WAITING}), TicketStatus.CALLED),
    "recall": (frozenset({TicketStatus.CALLED}), TicketStatus.CALLED),
    "finish": (frozenset({TicketStatus.CALLED}), TicketStatus.DONE),
    "skip": (frozenset({TicketStatus.CALLED}), TicketStatus.SKIPPED),
}
REFUSALS = {
    "recall": "Hanya nomor yang sedang dipanggil yang bisa dipanggil ulang.",
    "finish": "Hanya nomor yang sedang dipanggil yang bisa dicatat selesai.",
    "skip": "Hanya nomor yang sedang dipanggil yang bisa dicatat tidak hadir.",
}


# --- time ---------------------------------------------------------------------------------


def zone_of(village: Region) -> ZoneInfo:
    """The regency's time zone (WIB, WITA or WIT); the installation's when none is set."""
    name = (
        Region.objects.filter(code=village.code[:5]).values_list("timezone", flat=True).first()
        or settings.TIME_ZONE
    )
    return ZoneInfo(name)


def local_day(village: Region, now: dt.datetime | None = None) -> dt.date:
    """The village's calendar day at ``now``: a ticket day starts at local midnight."""
    return timezone.localdate(now or timezone.now(), timezone=zone_of(village))


# --- permission ---------------------------------------------------------------------------


def is_queue_staff(actor: Any, village: Region) -> bool:
    return scope_for(actor).covers(village.code, *STAFF_ROLES)


def _require_staff(actor: Any, village: Region) -> str:
    """The role the actor acts as; refuses anyone but the village's own counter staff."""
    if village.level != Level.VILLAGE or not is_queue_staff(actor, village):
        raise NotPermitted("Anda tidak berwenang mengelola antrian desa ini.")
    roles = scope_for(actor).roles_at(village.code)
    return next(r for r in STAFF_ROLES if r in roles)


# --- services -----------------------------------------------------------------------------


def services_for(village: Region) -> list[QueueService]:
    """The village's queue services in their order; the three defaults are made on first use
    (the village's staff rename, describe, switch off or add to them afterwards)."""
    if village.level != Level.VILLAGE:
        raise KampungError("Antrian hanya ada di desa atau kelurahan.")
    services = list(QueueService.objects.filter(village=village))
    if not services:
        QueueService.objects.bulk_create(
            [
                QueueService(village=village, letter=letter, name=name, description=desc, order=n * 10)
                for n, (letter, name, desc) in enumerate(DEFAULT_SERVICES, start=1)
            ],
            ignore_conflicts=True,
        )
        services = list(QueueService.objects.filter(village=village))
    return services


def _service_snapshot(service: QueueService) -> dict[str, Any]:
    return {
        "letter": service.letter,
        "name": service.name,
        "description": service.description,
        "active": service.active,
        "order": service.order,
    }


def queue_service_save(
    *,
    actor: Any,
    village: Region,
    service: QueueService | None,
    letter: str,
    name: str,
    description: str = "",
    active: bool = True,
    order: int = 10,
) -> QueueService:
    """Add a service (``service`` None) or change one. The letter is one of A-Z, unique in
    the village, and is fixed once tickets were taken (old tickets keep their label)."""
    role = _require_staff(actor, village)
    letter = (letter or "").strip().upper()
    name = " ".join((name or "").split())
    description = " ".join((description or "").split())
    if not LETTER_RE.fullmatch(letter):
        raise KampungError("Huruf antrian harus satu huruf A sampai Z.")
    if not name:
        raise KampungError("Nama layanan wajib diisi.")
    if len(name) > 80 or len(description) > 200:
        raise KampungError("Nama layanan paling panjang 80 huruf, keterangan 200 huruf.")
    if not 0 <= int(order) <= 999:
        raise KampungError("Urutan harus 0 sampai 999.")
    if service is not None and service.village_id != village.code:
        raise NotPermitted("Layanan ini bukan milik desa ini.")
    with transaction.atomic():
        clash = QueueService.objects.filter(village=village, letter=letter)
        if service is not None:
            clash = clash.exclude(pk=service.pk)
        if clash.exists():
            raise KampungError(f"Huruf {letter} sudah dipakai layanan lain di desa ini.")
        if service is None:
            before = None
            service = QueueService(village=village)
        else:
            service = QueueService.objects.select_for_update().get(pk=service.pk)
            before = _service_snapshot(service)
            if service.letter != letter and service.tickets.exists():
                raise KampungError("Huruf antrian tidak bisa diubah karena sudah ada nomor yang diambil.")
        service.letter = letter
        service.name = name
        service.description = description
        service.active = bool(active)
        service.order = int(order)
        try:
            with transaction.atomic():
                service.save()
        except IntegrityError as exc:
            raise KampungError(f"Huruf {letter} sudah dipakai layanan lain di desa ini.") from exc
        audit_record(
            actor=actor,
            act="queue.service.create" if before is None else "queue.service.update",
            region=village,
            role=role,
            object_type="kiosk.QueueService",
            object_id=service.pk,
            before=before,
            after=_service_snapshot(service),
        )
    return service


# --- tickets ------------------------------------------------------------------------------


def _next_number(service: QueueService, day: dt.date) -> int:
    top = QueueTicket.objects.filter(service=service, day=day).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def ticket_take(village: Region, service: QueueService, *, now: dt.datetime | None = None) -> QueueTicket:
    """Give the next number of ``service`` today. No login, NIK or PIN: anyone at the kiosk
    (or the counter, for a resident without a PIN) may take one."""
    if village.level != Level.VILLAGE or service.village_id != village.code:
        raise KampungError("Layanan antrian tidak ditemukan di desa ini.")
    if not service.active:
        raise KampungError("Layanan ini sedang tidak melayani antrian. Silakan pilih layanan lain.")
    now = now or timezone.now()
    day = local_day(village, now)
    for attempt in range(TAKE_ATTEMPTS):
        try:
            with transaction.atomic():
                # The service row serialises takers where the database can (PostgreSQL);
                # the unique constraint catches whoever slips past (SQLite, a retry).
                QueueService.objects.select_for_update().filter(pk=service.pk).first()
                ticket = QueueTicket(
                    service=service,
                    village=village,
                    day=day,
                    number=_next_number(service, day),
                    taken_at=now,
                )
                with transaction.atomic():
                    ticket.save()
                audit_record(
                    actor=None,
                    act="queue.ticket.take",
                    region=village,
                    object_type="kiosk.QueueTicket",
                    object_id=ticket.pk,
                    after={"label": ticket.label, "day": day},
                )
                return ticket
        except IntegrityError:
            if attempt == TAKE_ATTEMPTS - 1:
                raise KampungError(
                    "Antrian sedang ramai. Silakan sentuh tombol layanan sekali lagi."
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _move(
    *, actor: Any, ticket: QueueTicket, act: str, role: str, now: dt.datetime, counter: str = ""
) -> QueueTicket:
    """Apply one transition of :data:`TRANSITIONS` to a locked ticket and audit it."""
    allowed, target = TRANSITIONS[act]
    locked = QueueTicket.objects.select_for_update().select_related("service").get(pk=ticket.pk)
    if locked.status not in allowed:
        raise InvalidTransition(REFUSALS.get(act, "Nomor ini tidak bisa dipanggil."))
    before = {"status": locked.status, "counter": locked.counter, "times_called": locked.times_called}
    locked.status = target
    if act in ("call", "recall"):
        locked.called_at = now
        locked.called_by = actor
        locked.times_called += 1
        if counter:
            locked.counter = counter
    else:
        locked.finished_at = now
    locked.save()
    audit_record(
        actor=actor,
        act=f"queue.ticket.{act}",
        region=locked.village_id,
        role=role,
        object_type="kiosk.QueueTicket",
        object_id=locked.pk,
        before=before,
        after={
            "label": locked.label,
            "status": locked.status,
            "counter": locked.counter,
            "times_called": locked.times_called,
        },
    )
    return locked


def ticket_call_next(
    *, actor: Any, village: Region, service: QueueService, counter: str, now: dt.datetime | None = None
) -> tuple[QueueTicket, QueueTicket | None]:
    """Call the oldest waiting ticket of ``service`` today to ``counter``. The ticket this
    counter was still serving is recorded as served first (one tap per resident).
    Returns the called ticket and the one finished on the way, if any."""
    role = _require_staff(actor, village)
    if service.village_id != village.code:
        raise NotPermitted("Layanan ini bukan milik desa ini.")
    if counter not in COUNTERS:
        raise KampungError("Pilih nomor loket 1 sampai 9 terlebih dahulu.")
    now = now or timezone.now()
    day = local_day(village, now)
    with transaction.atomic():
        QueueService.objects.select_for_update().filter(pk=service.pk).first()
        waiting = (
            QueueTicket.objects.select_for_update()
            .filter(service=service, day=day, status=TicketStatus.WAITING)
            .order_by("number")
            .first()
        )
        if waiting is None:
            raise KampungError(f"Tidak ada nomor yang menunggu untuk layanan {service.name}.")
        finished = None
        current = (
            QueueTicket.objects.filter(village=village, day=day, status=TicketStatus.CALLED, counter=counter)
            .order_by("-called_at")
            .first()
        )
        if current is not None:
            finished = _move(actor=actor, ticket=current, act="finish", role=role, now=now)
        called = _move(actor=actor, ticket=waiting, act="call", role=role, now=now, counter=counter)
    return called, finished


def _ticket_act(actor: Any, ticket: QueueTicket, act: str, now: dt.datetime | None) -> QueueTicket:
    village = Region.objects.get(code=ticket.village_id)
    role = _require_staff(actor, village)
    with transaction.atomic():
        return _move(actor=actor, ticket=ticket, act=act, role=role, now=now or timezone.now())


def ticket_recall(*, actor: Any, ticket: QueueTicket, now: dt.datetime | None = None) -> QueueTicket:
    """Call the same number again (the resident did not come yet); the display calls it anew."""
    return _ticket_act(actor, ticket, "recall", now)


def ticket_finish(*, actor: Any, ticket: QueueTicket, now: dt.datetime | None = None) -> QueueTicket:
    """The called resident was served."""
    return _ticket_act(actor, ticket, "finish", now)


def ticket_skip(*, actor: Any, ticket: QueueTicket, now: dt.datetime | None = None) -> QueueTicket:
    """The called resident did not come (tidak hadir)."""
    return _ticket_act(actor, ticket, "skip", now)
