"""Photos of a case (survey, progress, handover): checked, read for when and where they were
taken, and kept under the private media path (served only through a scoped view).

The issue asks for photos "with time and location — taken with the phone's camera through
the page's file input, location from the photo's EXIF or from the browser where the site is
served over HTTPS". So: the image's own EXIF (DateTimeOriginal, GPS) comes first; the
browser's coordinates are the fall-back; the content is checked by its first bytes, never by
the name the phone gave it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.assistance.access import HANDOVER_RECORDERS, PROGRESS_REPORTERS, SURVEYORS
from kampung.assistance.models import (
    SURVEY_PHOTO_KINDS,
    Case,
    CasePhoto,
    CaseStatus,
    LocationSource,
    PhotoKind,
    ProgressReport,
)
from kampung.assistance.timeline import case_event
from kampung.core.errors import KampungError, NotPermitted

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Photos of the house taken during the survey (one of each kind; a new one replaces the old).
SURVEY_KINDS = (PhotoKind.FRONT, *SURVEY_PHOTO_KINDS)
_SIX = Decimal("0.000001")
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 36867
_DATETIME = 306


@dataclass(frozen=True)
class ImageFacts:
    content_type: str
    extension: str
    taken_at: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG, PNG or WebP by its magic bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def _rational(value: Any) -> Decimal:
    if isinstance(value, tuple) and len(value) == 2:
        numerator, denominator = value
        return Decimal(str(numerator)) / Decimal(str(denominator))
    return Decimal(str(float(value)))


def _degrees(parts: Any, ref: Any) -> Decimal | None:
    try:
        d, m, s = (_rational(p) for p in parts)
    except (TypeError, ValueError, ZeroDivisionError, InvalidOperation, ArithmeticError):
        return None
    value = d + m / 60 + s / 3600
    ref_text = ref.decode() if isinstance(ref, bytes) else str(ref or "")
    if ref_text.strip().upper() in ("S", "W"):
        value = -value
    return value.quantize(_SIX)


def _taken_at(text: Any) -> dt.datetime | None:
    if isinstance(text, bytes):
        text = text.decode(errors="ignore")
    try:
        naive = dt.datetime.strptime(  # noqa: DTZ007 - EXIF has no zone; made aware below
            str(text).strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S"
        )
    except ValueError:
        return None
    # EXIF times carry no zone: the camera's clock is local (WIB by default).
    return timezone.make_aware(naive)


def image_facts(data: bytes) -> ImageFacts:
    """Check ``data`` is a JPEG/PNG/WebP image that decodes, and read its EXIF time and GPS."""
    from PIL import Image, UnidentifiedImageError

    kind = sniff(data[:16])
    if kind is None:
        raise KampungError("Berkas bukan foto JPEG, PNG atau WebP. Ambil ulang foto dengan kamera ponsel.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise KampungError("Foto rusak atau tidak dapat dibaca. Ambil ulang fotonya.") from exc
    taken_at = None
    latitude = longitude = None
    if exif:
        details = exif.get_ifd(_EXIF_IFD)
        taken_at = _taken_at(details.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME) or "")
        gps = exif.get_ifd(_GPS_IFD)
        if gps and 2 in gps and 4 in gps:
            latitude = _degrees(gps[2], gps.get(1))
            longitude = _degrees(gps[4], gps.get(3))
            if not _valid(latitude, longitude):
                latitude = longitude = None
    return ImageFacts(kind[0], kind[1], taken_at, latitude, longitude)


def _valid(latitude: Decimal | None, longitude: Decimal | None) -> bool:
    if latitude is None or longitude is None:
        return False
    if latitude == 0 and longitude == 0:
        return False  # a phone without a fix writes 0,0
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def coordinates(latitude: Any, longitude: Any) -> tuple[Decimal, Decimal] | None:
    """Coordinates typed or sent by a browser, checked; None when both are blank."""
    if latitude in (None, "") and longitude in (None, ""):
        return None
    try:
        lat = Decimal(str(latitude).replace(",", ".")).quantize(_SIX)
        lon = Decimal(str(longitude).replace(",", ".")).quantize(_SIX)
    except (InvalidOperation, ValueError) as exc:
        raise KampungError("Koordinat lokasi tidak dapat dibaca.") from exc
    if not _valid(lat, lon):
        raise KampungError("Koordinat lokasi di luar jangkauan (lintang -90..90, bujur -180..180).")
    return lat, lon


def _delete_file_after_commit(photo: CasePhoto) -> None:
    """Remove the stored file once the row's deletion is committed (a refusal later in the
    same transaction keeps both)."""
    storage, name = photo.file.storage, photo.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _roles_for(kind: str) -> tuple[str, ...]:
    if kind in SURVEY_KINDS or kind == PhotoKind.OTHER:
        return SURVEYORS
    return (*PROGRESS_REPORTERS, *HANDOVER_RECORDERS)


def _role(actor: Any, case: Case, roles: tuple[str, ...]) -> str:
    held = scope_for(actor).roles_at(case.village_id)
    for role in roles:
        if role in held:
            return role
    raise NotPermitted("Anda tidak berwenang mengunggah foto untuk kasus ini.")


def _survey_open(case: Case) -> None:
    if (
        case.status != CaseStatus.REGISTERED
        or Case.objects.filter(pk=case.pk, survey__submitted_at__isnull=False).exists()
    ):
        raise KampungError("Survei kasus ini sudah dikirim; foto survei tidak dapat diubah lagi.")


@transaction.atomic
def photo_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    upload: Any,
    latitude: Any = None,
    longitude: Any = None,
    location_source: str = "",
    progress: ProgressReport | None = None,
) -> CasePhoto:
    """Keep one photo of ``case``: JPEG/PNG/WebP by content, at most 10 MB; the time and place
    from its EXIF (``exif``) or else the browser's coordinates (``peramban``). Survey photos
    (tampak depan, atap, dinding, lantai, jamban) are taken by the surveyors while the case
    waits for its survey, one per kind (a new one replaces the old); progress and handover
    photos by the executor, field officer, secretary or head."""
    if kind not in PhotoKind.values:
        raise KampungError("Jenis foto tidak dikenal.")
    role = _role(actor, case, _roles_for(kind))
    if progress is not None and progress.case_id != case.pk:
        raise KampungError("Laporan kemajuan itu bukan milik kasus ini.")
    if kind in SURVEY_KINDS:
        _survey_open(case)
    if upload is None:
        raise KampungError("Pilih atau ambil foto terlebih dahulu.")
    size = getattr(upload, "size", None) or 0
    if size > MAX_PHOTO_BYTES:
        raise KampungError(f"Foto terlalu besar ({size / 1024 / 1024:.1f} MB); paling besar 10 MB.")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise KampungError("Foto terlalu besar; paling besar 10 MB.")
    if not data:
        raise KampungError("Berkas foto kosong.")
    facts = image_facts(data)
    lat: Decimal | None = facts.latitude
    lon: Decimal | None = facts.longitude
    source = LocationSource.EXIF if lat is not None else ""
    if lat is None:
        given = coordinates(latitude, longitude)
        if given is not None:
            lat, lon = given
            source = location_source if location_source in LocationSource.values else LocationSource.BROWSER
    replaced: list[int] = []
    if kind in SURVEY_KINDS:
        old = list(CasePhoto.objects.filter(case=case, kind=kind))
        replaced = [p.pk for p in old]
        for photo in old:
            _delete_file_after_commit(photo)
            photo.delete()
    photo = CasePhoto(
        case=case,
        kind=kind,
        progress=progress,
        content_type=facts.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        taken_at=facts.taken_at,
        latitude=lat,
        longitude=lon,
        location_source=source,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    photo.file.save(f"foto.{facts.extension}", ContentFile(data), save=False)
    photo.save()
    case_event(
        case,
        actor=actor,
        act="assistance.photo.add",
        note=f"Foto {photo.get_kind_display().lower()} diunggah"
        + (" (menggantikan foto sebelumnya)" if replaced else "")
        + ".",
        role=role,
        after={"photo": photo.pk, "kind": kind, "sha256": photo.sha256, "location_source": source},
    )
    return photo


@transaction.atomic
def photo_remove(*, actor: Any, photo: CasePhoto) -> None:
    """Remove a survey photo taken by mistake, while the survey is not yet sent."""
    case = photo.case
    role = _role(actor, case, SURVEYORS)
    if photo.kind not in (*SURVEY_KINDS, PhotoKind.OTHER):
        raise KampungError("Foto kemajuan dan serah terima tidak dapat dihapus.")
    _survey_open(case)
    pk, kind = photo.pk, photo.get_kind_display()
    _delete_file_after_commit(photo)
    photo.delete()
    case_event(
        case,
        actor=actor,
        act="assistance.photo.remove",
        note=f"Foto {kind.lower()} dihapus.",
        role=role,
        after={"photo": pk},
    )
