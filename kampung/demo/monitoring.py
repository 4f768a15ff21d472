"""The demo's monitoring: letters and cases in every village at regency scale, then the
roll-ups and the alerts.

The roll-ups are kept by the marks the demo's own writes leave (every demo step records an
audit entry per village, like the services do); a database built before monitoring existed
has no roll-up state yet, so it is rebuilt from the source records once.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kampung.demo.cast import USERNAME_SLUGS, VILLAGE_SET_CODES
from kampung.demo.regency_activity import ActivityResult, cases_bulk_fill, letters_bulk_fill
from kampung.monitoring.marks import rollup_work
from kampung.monitoring.models import RollupState
from kampung.monitoring.rollup import rollup_rebuild


@dataclass
class MonitoringResult:
    letters: ActivityResult = field(default_factory=ActivityResult)
    cases: ActivityResult = field(default_factory=ActivityResult)
    visits: int = 0
    rebuilt: bool = False
    marks: int = 0
    alerts: str = ""
    digests: int = 0


# Visit about two in three of a desa's physical kegiatan that have started, so the "without a
# visit" list has something to show.
_VISITED_SHARE = 0.65
# Rough centres of the demo desa, for the photos' GPS (Kemiren, Olehsari, Sarongan).
_CENTRES = {
    "35.10.15.2004": (Decimal("-8.2106"), Decimal("114.3303")),
    "35.10.15.2005": (Decimal("-8.2281"), Decimal("114.3155")),
    "35.10.01.2001": (Decimal("-8.5567"), Decimal("114.0097")),
}


def field_visits_fill(*, seed: int, today: dt.date | None = None) -> int:
    """Visits by the district's staff to the physical kegiatan of the demo desa, through
    :func:`kampung.monitoring.services.visits.visit_record` (photos with EXIF time and GPS).
    A desa that has visits already is left alone."""
    from kampung.accounts.models import User
    from kampung.demo.assistance import photo_bytes
    from kampung.finance.models import ProgressReport
    from kampung.monitoring.models import FieldVisit, ProjectFigure
    from kampung.monitoring.services.visits import visit_record

    today = today or timezone.localdate()
    made = 0
    done = set(
        FieldVisit.objects.filter(village_id__in=VILLAGE_SET_CODES, year=today.year).values_list(
            "village_id", flat=True
        )
    )
    for code in VILLAGE_SET_CODES:
        if code in done:
            continue
        officer = User.objects.filter(username=f"staf.{USERNAME_SLUGS[code[:8]]}").first()
        if officer is None:
            continue
        rng = random.Random(f"{seed}:visits:{code}")
        projects = list(
            ProjectFigure.objects.filter(
                village_id=code, year=today.year, start_month__lte=today.month
            ).order_by("activity_code")
        )
        progress = {
            p.activity_code: p.percent
            for p in ProgressReport.objects.filter(book__village_id=code, book__year=today.year).order_by(
                "date"
            )
        }
        for project in projects:
            if rng.random() > _VISITED_SHARE:
                continue
            start = dt.date(today.year, project.start_month, 1)
            days = max(1, (today - start).days)
            for n in range(rng.randint(1, 2)):
                visited = start + dt.timedelta(
                    days=min(days - 1, rng.randint(days // 3, days - 1) if n else days // 3)
                )
                reported = progress.get(project.activity_code, Decimal(0))
                percent = max(Decimal(0), min(Decimal(100), reported + rng.choice([-10, -5, 0, 0, 5])))
                lat, lon = _CENTRES[code]
                where = (
                    lat + Decimal(rng.randint(-90, 90)) / 10000,
                    lon + Decimal(rng.randint(-90, 90)) / 10000,
                )
                taken = dt.datetime(
                    visited.year,
                    visited.month,
                    visited.day,
                    10,
                    rng.randint(0, 59),
                    tzinfo=timezone.get_current_timezone(),
                )
                photo = SimpleUploadedFile(
                    "IMG_kunjungan.jpg",
                    photo_bytes(seed=f"{seed}:{code}:{project.activity_code}:{n}", where=where, taken=taken),
                    content_type="image/jpeg",
                )
                visit_record(
                    actor=officer,
                    village=code,
                    year=today.year,
                    activity_code=project.activity_code,
                    visited_on=visited,
                    percent=percent,
                    notes=rng.choice(_NOTES),
                    findings=rng.choice(_FINDINGS),
                    photos=[photo],
                )
                made += 1
    return made


_NOTES = (
    "Pekerjaan berjalan sesuai gambar kerja; tenaga kerja dari warga setempat.",
    "Material di lokasi cukup; papan informasi kegiatan terpasang.",
    "Pengecoran sebagian selesai, menunggu pengeringan.",
)
_FINDINGS = (
    "",
    "Papan informasi kegiatan belum memuat nilai anggaran; diminta dilengkapi.",
    "Volume pekerjaan tahap ini belum sesuai RAB; TPK diminta menyesuaikan sebelum SPP berikutnya.",
)


def regency_activity_fill(
    *, village_codes: list[str], seed: int, today: dt.date | None = None
) -> MonitoringResult:
    """Letters and programme cases, in bulk, for every village without them (regency scale)."""
    result = MonitoringResult()
    result.letters = letters_bulk_fill(village_codes=village_codes, seed=seed, today=today)
    result.cases = cases_bulk_fill(village_codes=village_codes, seed=seed, today=today)
    return result


def rollups_bring_up_to_date(
    result: MonitoringResult, *, rebuild: bool = False, today: dt.date | None = None
) -> None:
    """Apply the marks the build left; rebuild everything when no roll-up was ever made or
    the demo was reset (the reset deletes rows in bulk)."""
    today = today or timezone.localdate()
    if rebuild or not RollupState.objects.exists():
        rollup_rebuild(today=today)
        result.rebuilt = True
    else:
        result.marks = rollup_work(today=today).marks


def monitoring_fill(result: MonitoringResult, *, seed: int, rebuild: bool = False) -> None:
    """Roll-ups, the district's field visits in the demo desa, then the alerts and their
    digests (queued in the notification outbox, as the nightly job does)."""
    from kampung.monitoring.services.alerts import alerts_notify, alerts_refresh

    today = timezone.localdate()
    rollups_bring_up_to_date(result, rebuild=rebuild, today=today)
    result.visits = field_visits_fill(seed=seed, today=today)
    if result.visits:
        result.marks += rollup_work(today=today).marks
    if result.rebuilt or result.marks or result.visits:
        # Something changed: the alerts as the nightly job would find them now.
        result.alerts = str(alerts_refresh(today=today))
        result.digests = alerts_notify()
