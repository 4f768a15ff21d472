"""Photos taken in the field: checked by their content, read for when and where they were
taken. Shared by every app that keeps geotagged photos (assistance cases, monitoring visits).

The image's own EXIF (DateTimeOriginal, GPS) comes first; coordinates sent by the browser
are the fall-back (:func:`coordinates`); the content is checked by its first bytes, never by
the name or content type the phone gave it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from kampung.core.errors import KampungError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
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


def upload_bytes(upload: Any) -> bytes:
    """The content of an uploaded photo, refused when missing, empty or over
    :data:`MAX_PHOTO_BYTES` (read at most one byte past the limit, whatever size it claims)."""
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
    return bytes(data)
