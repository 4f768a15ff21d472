"""Physical progress of a house (0 %, 50 %, 100 %) with dated, geotagged photos, and the
berita acara serah terima that closes the case (issue #8 step 6).

The three reports come in order: 0 % (the house before work, once the case is decided or
paid), 50 % and 100 % (once the money is paid). Each has at least one photo carrying where
it was taken — from the photo's own EXIF, or from the phone's browser — so the regency can
see the work was done on that house. At 50 % the case is ``dikerjakan``; the handover (after
100 %) makes it ``selesai``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.assistance.access import HANDOVER_RECORDERS, PROGRESS_REPORTERS
from kampung.assistance.models import Case, CaseStatus, Handover, PhotoKind, ProgressReport
from kampung.assistance.timeline import case_event
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted

STEPS = (0, 50, 100)
# The stages each step may be reported from.
ALLOWED_FROM: dict[int, tuple[str, ...]] = {
    0: (CaseStatus.DECIDED, CaseStatus.PAID),
    50: (CaseStatus.PAID, CaseStatus.IN_PROGRESS),
    100: (CaseStatus.PAID, CaseStatus.IN_PROGRESS),
}
MAX_PHOTOS = 6


@dataclass(frozen=True)
class ProgressPhoto:
    """One photo of a report with the browser's coordinates (used when the photo's EXIF has
    none)."""

    upload: Any
    latitude: Any = None
    longitude: Any = None
    location_source: str = ""


def _photo(item: Any) -> ProgressPhoto:
    return item if isinstance(item, ProgressPhoto) else ProgressPhoto(upload=item)


def next_percent(case: Case) -> int | None:
    """The step to report next (None when 100 % is reported)."""
    done = set(ProgressReport.objects.filter(case=case).values_list("percent", flat=True))
    return next((p for p in STEPS if p not in done), None)


def _check_photos(items: list[ProgressPhoto]) -> None:
    """Before anything is stored: each photo is an image and carries its place."""
    from kampung.assistance.photos import coordinates, image_facts

    if not items:
        raise KampungError("Lampirkan paling sedikit satu foto kemajuan pekerjaan.")
    if len(items) > MAX_PHOTOS:
        raise KampungError(f"Paling banyak {MAX_PHOTOS} foto per laporan kemajuan.")
    for n, item in enumerate(items, start=1):
        upload = item.upload
        if upload is None:
            raise KampungError(f"Foto ke-{n} kosong.")
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(10 * 1024 * 1024 + 1)
        if hasattr(upload, "seek"):
            upload.seek(0)
        facts = image_facts(data)
        if facts.latitude is None and coordinates(item.latitude, item.longitude) is None:
            raise KampungError(
                f"Foto ke-{n} tidak memuat lokasi. Aktifkan lokasi pada kamera ponsel, atau izinkan "
                "lokasi di peramban sebelum mengunggah."
            )


@transaction.atomic
def progress_report(
    *,
    actor: Any,
    case: Case,
    percent: int,
    reported_on: dt.date,
    note: str = "",
    photos: Sequence[Any] = (),
) -> ProgressReport:
    """Report a step of the work (PROGRESS_REPORTERS: the executor, field officer, operator):
    0, 50, 100 in order, each with at least one geotagged photo (kind ``kemajuan``). 0 %
    needs the case ``ditetapkan``/``dibayar``; 50 and 100 need it ``dibayar``/``dikerjakan``
    (the money is paid before work is counted). From 50 % the case is ``dikerjakan``."""
    from kampung.assistance.photos import photo_add

    locked = (
        Case.objects.select_for_update(of=("self",)).select_related("programme", "village").get(pk=case.pk)
    )
    if not scope_for(actor).covers(locked.village_id, *PROGRESS_REPORTERS):
        raise NotPermitted(
            "Hanya pelaksana kegiatan, kaur/kasi lapangan, atau operator desa yang dapat melaporkan kemajuan."
        )
    if not locked.programme.is_housing:
        raise KampungError("Laporan kemajuan fisik hanya untuk program perbaikan rumah.")
    try:
        percent = int(percent)
    except (TypeError, ValueError) as exc:
        raise KampungError("Kemajuan harus 0, 50 atau 100 persen.") from exc
    if percent not in STEPS:
        raise KampungError("Kemajuan dilaporkan pada 0, 50 dan 100 persen.")
    expected = next_percent(locked)
    if expected is None:
        raise KampungError("Kemajuan 100% sudah dilaporkan; lanjutkan dengan serah terima.")
    if percent != expected:
        raise KampungError(f"Laporkan dahulu kemajuan {expected}% (urutan 0%, 50%, 100%).")
    if locked.status not in ALLOWED_FROM[percent]:
        need = "sudah ditetapkan" if percent == 0 else "dananya sudah disalurkan (SPP dibayar)"
        raise InvalidTransition(
            f"Kemajuan {percent}% hanya dapat dilaporkan bila bantuan {need}; kasus ini berstatus "
            f"'{locked.get_status_display()}'."
        )
    if reported_on is None:
        raise KampungError("Tanggal laporan wajib diisi.")
    if reported_on > timezone.localdate():
        raise KampungError("Tanggal laporan tidak boleh sesudah hari ini.")
    last = ProgressReport.objects.filter(case=locked).order_by("-percent").first()
    if last is not None and reported_on < last.reported_on:
        raise KampungError(
            f"Tanggal laporan tidak boleh sebelum laporan {last.percent}% ({last.reported_on:%d-%m-%Y})."
        )
    if percent > 0 and locked.paid_on and reported_on < locked.paid_on:
        raise KampungError(
            f"Tanggal laporan tidak boleh sebelum dana disalurkan ({locked.paid_on:%d-%m-%Y})."
        )
    items = [_photo(p) for p in photos]
    _check_photos(items)
    report = ProgressReport.objects.create(
        case=locked,
        percent=percent,
        reported_on=reported_on,
        note=(note or "").strip(),
        reported_by=actor if getattr(actor, "pk", None) else None,
    )
    for item in items:
        photo_add(
            actor=actor,
            case=locked,
            kind=PhotoKind.PROGRESS,
            upload=item.upload,
            latitude=item.latitude,
            longitude=item.longitude,
            location_source=item.location_source,
            progress=report,
        )
    source = locked.status
    locked.progress = percent
    if percent >= 50:
        locked.status = CaseStatus.IN_PROGRESS
    locked.save(update_fields=["progress", "status", "updated_at"])
    case_event(
        locked,
        actor=actor,
        act="assistance.case.progress",
        source=source,
        target=locked.status,
        note=f"Kemajuan fisik {percent}% per {reported_on:%d-%m-%Y} ({len(items)} foto)."
        + (f" {report.note}" if report.note else ""),
        after={"percent": percent, "report": report.pk},
    )
    case.status, case.progress = locked.status, locked.progress
    return report


@transaction.atomic
def handover_record(
    *,
    actor: Any,
    case: Case,
    number: str,
    held_on: dt.date,
    place: str,
    handed_by: str,
    received_by: str,
    witnesses: str = "",
    notes: str = "",
) -> Handover:
    """Record the berita acara serah terima of a finished house (HANDOVER_RECORDERS: the
    secretary or the head): needs the 100 % report; the case is ``selesai`` on ``held_on``."""
    locked = (
        Case.objects.select_for_update(of=("self",)).select_related("programme", "village").get(pk=case.pk)
    )
    if not scope_for(actor).covers(locked.village_id, *HANDOVER_RECORDERS):
        raise NotPermitted("Hanya sekretaris desa atau kepala desa yang dapat mencatat serah terima.")
    if Handover.objects.filter(case=locked).exists():
        raise KampungError("Serah terima kasus ini sudah dicatat.")
    if locked.status != CaseStatus.IN_PROGRESS or locked.progress < 100:
        raise InvalidTransition("Serah terima dicatat setelah kemajuan 100% dilaporkan dengan foto.")
    fields = {
        "nomor berita acara": (number or "").strip(),
        "tempat": (place or "").strip(),
        "yang menyerahkan": (handed_by or "").strip(),
        "yang menerima": (received_by or "").strip(),
    }
    missing = [label for label, value in fields.items() if not value]
    if missing or held_on is None:
        raise KampungError(
            "Lengkapi: " + ", ".join([*missing, *(["tanggal"] if held_on is None else [])]) + "."
        )
    if held_on > timezone.localdate():
        raise KampungError("Tanggal serah terima tidak boleh sesudah hari ini.")
    done = ProgressReport.objects.filter(case=locked, percent=100).first()
    if done is not None and held_on < done.reported_on:
        raise KampungError(
            f"Tanggal serah terima tidak boleh sebelum laporan 100% ({done.reported_on:%d-%m-%Y})."
        )
    handover = Handover.objects.create(
        case=locked,
        number=fields["nomor berita acara"][:80],
        held_on=held_on,
        place=fields["tempat"][:160],
        handed_by=fields["yang menyerahkan"][:150],
        received_by=fields["yang menerima"][:150],
        witnesses=(witnesses or "").strip(),
        notes=(notes or "").strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    source = locked.status
    locked.status = CaseStatus.DONE
    locked.done_on = held_on
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "done_on", "closed_at", "updated_at"])
    case_event(
        locked,
        actor=actor,
        act="assistance.case.handover",
        source=source,
        target=locked.status,
        note=f"Serah terima dengan berita acara Nomor {handover.number} pada {held_on:%d-%m-%Y}.",
    )
    case.status = locked.status
    return handover
