"""The demo's kiosk and public-site records, through the kiosk's own services.

- Announcements: two from the regency admin (one pinned) and three in each demo desa from
  its head (Posyandu, Musdes, BLT payout), dated around the build day.
- The BLT programme publishes its beneficiaries' names (with their dusun) on the public
  pages, as many villages do on their notice boards; RTLH keeps the default (off).
- Queue tickets: a morning at the counter of each demo desa on the build day — tickets
  taken at the kiosk for each service, some served, one called now, the rest waiting.

Each part is added only when it is missing, so a second build adds nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from kampung.accounts.models import User
from kampung.demo.cast import REGENCY_CODE, USERNAME_SLUGS, VILLAGE_SET_CODES
from kampung.regions.models import Region


@dataclass
class KioskResult:
    announcements: int = 0
    tickets: int = 0
    published: list[str] = dataclasses.field(default_factory=list)


def _announcements(today: dt.date) -> int:
    from kampung.kiosk.models import Announcement
    from kampung.kiosk.services_announcements import announcement_save

    made = 0
    done = set(
        Announcement.objects.filter(region_id__in=(REGENCY_CODE, *VILLAGE_SET_CODES)).values_list(
            "region_id", flat=True
        )
    )
    if done >= {REGENCY_CODE, *VILLAGE_SET_CODES}:
        return 0  # a second build: one query
    posts: list[tuple[Region, User | None, str, str, dt.date, dt.date | None, bool]] = []
    if REGENCY_CODE not in done:
        regency = Region.objects.get(code=REGENCY_CODE)
        admin = User.objects.filter(username="admin").first()
        posts += [
            (
                regency,
                admin,
                "Surat dari desa kini bisa diurus di anjungan desa",
                "Warga dapat mengajukan surat keterangan di anjungan layanan mandiri kantor desa "
                "dengan NIK dan PIN, lalu mengambil surat di loket tanpa antre lama. PIN diminta "
                "di kantor desa dengan membawa KTP-el.",
                today - dt.timedelta(days=20),
                None,
                True,
            ),
            (
                regency,
                admin,
                "Pendaftaran bantuan rumah tidak layak huni (RTLH) tahun depan",
                "Keluarga yang rumahnya tidak layak huni dapat didaftarkan melalui operator desa "
                "atau situs warga. Petugas desa akan mensurvei rumah dan hasilnya dibahas dalam "
                "Musyawarah Desa.",
                today - dt.timedelta(days=5),
                today + dt.timedelta(days=60),
                False,
            ),
        ]
    for code in VILLAGE_SET_CODES:
        if code in done:
            continue
        village = Region.objects.get(code=code)
        head = User.objects.filter(username=f"kades.{USERNAME_SLUGS[code]}").first()
        name = village.name.title()
        posts += [
            (
                village,
                head,
                f"Jadwal Posyandu Desa {name}",
                "Posyandu balita dan lansia dibuka setiap Selasa minggu kedua, pukul 08.00 sampai "
                "11.00 di balai dusun masing-masing. Bawa buku KIA.",
                today - dt.timedelta(days=10),
                today + dt.timedelta(days=30),
                False,
            ),
            (
                village,
                head,
                "Musyawarah Desa penyusunan RKPDes",
                f"Seluruh warga, tokoh masyarakat dan BPD diundang ke Musyawarah Desa {name} untuk "
                "membahas rencana kerja pemerintah desa tahun depan, di balai desa pukul 09.00.",
                today - dt.timedelta(days=3),
                today + dt.timedelta(days=14),
                True,
            ),
            (
                village,
                head,
                "Penyaluran BLT Dana Desa bulan ini",
                "BLT Dana Desa bulan ini dibagikan di kantor desa. Keluarga penerima membawa KTP-el "
                "dan kartu keluarga; bila berhalangan, dapat diwakili anggota keluarga dengan "
                "surat kuasa.",
                today - dt.timedelta(days=1),
                today + dt.timedelta(days=10),
                False,
            ),
        ]
    for region, actor, title, body, start, until, pinned in posts:
        if actor is None:
            continue  # the demo's accounts are made before this step; none means a partial build
        announcement_save(
            actor=actor,
            region=region,
            title=title,
            body=body,
            publish_from=start,
            publish_until=until,
            pinned=pinned,
        )
        made += 1
    return made


def _publish_blt() -> list[str]:
    """The BLT programme publishes its beneficiaries' names, through the programme service."""
    from kampung.assistance.models import Programme, ProgrammeKind
    from kampung.assistance.services.programmes import ProgrammeData, programme_update

    published: list[str] = []
    programmes = list(
        Programme.objects.filter(regency_id=REGENCY_CODE, kind=ProgrammeKind.CASH, publish_names=False)
    )
    admin = User.objects.filter(username="admin").first() if programmes else None
    for programme in programmes:
        if admin is None:
            break
        fields = {f.name: getattr(programme, f.name) for f in dataclasses.fields(ProgrammeData)}
        data = ProgrammeData(**{**fields, "publish_names": True})
        programme_update(actor=admin, programme=programme, data=data)
        published.append(programme.code)
    return published


def _tickets(now: dt.datetime) -> int:
    from kampung.kiosk.models import QueueTicket
    from kampung.kiosk.services_queue import services_for, ticket_call_next, ticket_take

    made = 0
    done = set(
        QueueTicket.objects.filter(village_id__in=VILLAGE_SET_CODES).values_list("village_id", flat=True)
    )
    for code in VILLAGE_SET_CODES:
        if code in done:
            continue
        village = Region.objects.get(code=code)
        operator = User.objects.filter(username=f"operator.{USERNAME_SLUGS[code]}").first()
        if operator is None:
            continue
        services = services_for(village)
        # Nine residents this morning: letters are the busiest service.
        plan = [services[0]] * 5 + [services[1]] * 3 + [services[2]] * 1
        start = now - dt.timedelta(minutes=len(plan) * 6)
        for i, service in enumerate(plan):
            ticket_take(village, service, now=start + dt.timedelta(minutes=i * 6))
            made += 1
        # The counter served the first three letter tickets and is calling the fourth.
        for i in range(4):
            ticket_call_next(
                actor=operator,
                village=village,
                service=services[0],
                counter="1",
                now=start + dt.timedelta(minutes=8 + i * 9),
            )
    return made


def kiosk_fill() -> KioskResult:
    result = KioskResult()
    now = timezone.now()
    # Each service call below is its own transaction (and audited), as a user's would be.
    result.announcements = _announcements(timezone.localdate(now))
    result.published = _publish_blt()
    result.tickets = _tickets(now)
    return result


def kiosk_reset(region_code: str) -> dict[str, int]:
    """Drop the announcements, queue tickets and queue services under ``region_code`` (called
    by ``demo_reset`` inside its transaction, before the accounts go)."""
    from kampung.kiosk.models import Announcement, QueueService, QueueTicket

    under = region_code + "."
    counts = {"queue_tickets": QueueTicket.objects.filter(village__code__startswith=under).delete()[0]}
    counts["queue_services"] = QueueService.objects.filter(village__code__startswith=under).delete()[0]
    counts["announcements"] = (
        Announcement.objects.filter(region__code__startswith=under).delete()[0]
        + Announcement.objects.filter(region_id=region_code).delete()[0]
    )
    return counts
