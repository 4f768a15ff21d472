"""Photos of a case (survey, progress, handover): checked, read for when and where they were
taken, and kept under the private media path (served only through a scoped view).

The issue asks for photos "with time and location — taken with the phone's camera through
the page's file input, location from the photo's EXIF or from the browser where the site is
served over HTTPS". So: the image's own EXIF (DateTimeOriginal, GPS) comes first; the
browser's coordinates are the fall-back; the content is checked by its first bytes, never by
the name the phone gave it.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

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
from kampung.core.images import (  # re-exported: callers import them from here
    MAX_PHOTO_BYTES,
    ImageFacts,
    coordinates,
    image_facts,
    sniff,
    upload_bytes,
)

__all__ = [
    "MAX_PHOTO_BYTES",
    "SURVEY_KINDS",
    "ImageFacts",
    "coordinates",
    "image_facts",
    "photo_add",
    "photo_remove",
    "sniff",
]

# Photos of the house taken during the survey (one of each kind; a new one replaces the old).
SURVEY_KINDS = (PhotoKind.FRONT, *SURVEY_PHOTO_KINDS)


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
    data = upload_bytes(upload)
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
