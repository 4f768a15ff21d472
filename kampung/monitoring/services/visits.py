"""A district officer's visit to a physical kegiatan (e-Monitoring): what was seen, the
physical progress, findings, and geotagged photos.

The visit is recorded by the district (staf kecamatan, camat) or the DPMD's monitoring team
for a kegiatan of the village's APBDes in force. Photos are checked by their content and read
for their time and place (:mod:`kampung.core.images`); the browser's coordinates are used
only for a photo without EXIF GPS. The visit, its photos and the audit entry are written in
one transaction; the audit entry leaves the roll-up mark that refreshes the kegiatan's
figures (area "proyek").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.images import ImageFacts, coordinates, image_facts, upload_bytes
from kampung.monitoring.access import VISIT_RECORDERS
from kampung.monitoring.models import FieldVisit, FieldVisitPhoto, PhotoLocation
from kampung.monitoring.selectors.field import budget_activity
from kampung.regions.calendar import local_today
from kampung.regions.models import Level, Region

MAX_PHOTOS = 10
MAX_TEXT = 4000
MIN_YEAR, MAX_YEAR = 2000, 2100
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class _Photo:
    data: bytes
    facts: ImageFacts


def _village(village: Region | str) -> Region:
    if isinstance(village, Region):
        return village
    found = Region.objects.filter(code=str(village)[:13]).first()
    if found is None:
        raise KampungError("Desa tidak ditemukan.")
    return found


def _role(actor: Any, village: Region) -> str:
    held = scope_for(actor).roles_at(village.code)
    for role in VISIT_RECORDERS:
        if role in held:
            return str(role)
    raise NotPermitted("Anda tidak berwenang mencatat kunjungan lapangan untuk desa ini.")


def _percent(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise KampungError("Kemajuan fisik harus angka antara 0 dan 100.") from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise KampungError("Kemajuan fisik harus antara 0 dan 100 persen.")
    if value != value.quantize(_CENT):
        raise KampungError("Kemajuan fisik paling banyak dua angka di belakang koma.")
    return value.quantize(_CENT)


def _text(raw: Any, label: str) -> str:
    text = str(raw or "").replace("\x00", "").strip()
    if len(text) > MAX_TEXT:
        raise KampungError(f"{label} paling panjang {MAX_TEXT} karakter.")
    return text


def _photos(photos: Any) -> list[_Photo]:
    items = [p for p in (photos or []) if p is not None]
    if not items:
        raise KampungError("Lampirkan paling sedikit satu foto kegiatan yang diambil saat kunjungan.")
    if len(items) > MAX_PHOTOS:
        raise KampungError(f"Paling banyak {MAX_PHOTOS} foto untuk satu kunjungan.")
    checked = []
    for number, upload in enumerate(items, start=1):
        try:
            data = upload_bytes(upload)
            facts = image_facts(data)
        except KampungError as exc:
            prefix = f"Foto ke-{number}: " if len(items) > 1 else ""
            raise KampungError(prefix + exc.message) from exc
        checked.append(_Photo(data, facts))
    return checked


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    village: Region | str,
    year: int,
    activity_code: str,
    visited_on: dt.date,
    percent: Any,
    notes: str,
    findings: str,
    photos: Any,
    latitude: Any = None,
    longitude: Any = None,
) -> FieldVisit:
    """Record a field visit to kegiatan ``activity_code`` of the village's APBDes ``year``.

    Rules: the actor holds a visit-recording role (staf kecamatan, camat, DPMD) covering the
    village; the kegiatan is in the village's APBDes in force for that year; the visit date is
    not after today (the regency's local day) and not before 1 January of the budget year;
    progress is 0–100 % with at most two decimals; at least one and at most ten photos, each a
    JPEG, PNG or WebP of at most 10 MB. Each photo keeps its EXIF time and GPS, or else the
    browser's coordinates. Any refusal raises :class:`KampungError` and writes nothing.
    """
    place = _village(village)
    if place.level != Level.VILLAGE:
        raise KampungError("Kunjungan lapangan dicatat untuk kegiatan sebuah desa.")
    role = _role(actor, place)
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise KampungError("Tahun anggaran tidak sah.") from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise KampungError("Tahun anggaran tidak sah.")
    code = str(activity_code or "").strip()[:12]
    activity = budget_activity(place.code, year, code) if code else None
    if activity is None:
        raise KampungError(
            f"Kegiatan {code or '(kosong)'} tidak ada dalam APBDes {year} yang berlaku di {place.name}."
        )
    if not isinstance(visited_on, dt.date) or isinstance(visited_on, dt.datetime):
        raise KampungError("Tanggal kunjungan tidak sah.")
    today = local_today(place)
    if visited_on > today:
        raise KampungError("Tanggal kunjungan tidak boleh setelah hari ini.")
    if visited_on < dt.date(year, 1, 1):
        raise KampungError(f"Tanggal kunjungan tidak boleh sebelum tahun anggaran {year}.")
    value = _percent(percent)
    notes = _text(notes, "Catatan")
    findings = _text(findings, "Temuan dan tindak lanjut")
    checked = _photos(photos)
    browser: tuple[Decimal, Decimal] | None = None
    if any(p.facts.latitude is None for p in checked):
        browser = coordinates(latitude, longitude)

    visit = FieldVisit.objects.create(
        village=place,
        year=year,
        activity_code=code,
        activity_name=activity.name[:400],
        visited_on=visited_on,
        percent=value,
        notes=notes,
        findings=findings,
        officer=actor,
    )
    stored = []
    for item in checked:
        facts = item.facts
        lat, lon = facts.latitude, facts.longitude
        source: str = PhotoLocation.EXIF
        if lat is None:
            lat, lon = browser if browser is not None else (None, None)
            source = PhotoLocation.BROWSER if browser is not None else ""
        photo = FieldVisitPhoto(
            visit=visit,
            content_type=facts.content_type,
            size=len(item.data),
            sha256=hashlib.sha256(item.data).hexdigest(),
            taken_at=facts.taken_at,
            latitude=lat,
            longitude=lon,
            location_source=source,
        )
        photo.file.save(f"foto.{facts.extension}", ContentFile(item.data), save=False)
        photo.save()
        stored.append(photo)
    audit_record(
        actor=actor,
        act="monitoring.visit.record",
        region=place,
        object_type="monitoring.FieldVisit",
        object_id=visit.pk,
        role=role,
        after={
            "year": year,
            "activity_code": code,
            "visited_on": visited_on,
            "percent": value,
            "photos": [{"sha256": p.sha256, "location_source": p.location_source} for p in stored],
        },
    )
    return visit
