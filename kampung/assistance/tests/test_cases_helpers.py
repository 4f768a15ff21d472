"""Builders for area A's tests (registration, survey, Musdes): photos with EXIF, uploads, a
surveyed case. Kept here (not in factories.py) so the shared builders stay unchanged."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.accounts.roles import Role
from kampung.assistance.models import SURVEY_PHOTO_KINDS, Case
from kampung.assistance.tests.factories import household, programmes, rtlh_answers

# Sarongan (Pesanggaran, Banyuwangi) roughly: 8°33'12.34" S, 114°10'30" E.
SARONGAN = ("S", (8, 33, 12.34), "E", (114, 10, 30))


def jpeg(
    *,
    gps: tuple[str, tuple[float, float, float], str, tuple[float, float, float]] | None = SARONGAN,
    taken: str | None = "2026:06:10 09:30:00",
    color: tuple[int, int, int] = (120, 80, 40),
    size: tuple[int, int] = (32, 24),
    fmt: str = "JPEG",
) -> bytes:
    """A small image (JPEG by default) with EXIF DateTimeOriginal and GPS when given."""
    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if taken:
        exif[306] = taken
        exif.get_ifd(0x8769)[36867] = taken
    if gps:
        lat_ref, lat, lon_ref, lon = gps
        ifd = exif.get_ifd(0x8825)
        ifd[1] = lat_ref
        ifd[2] = tuple(IFDRational(int(v * 100), 100) for v in lat)
        ifd[3] = lon_ref
        ifd[4] = tuple(IFDRational(int(v * 100), 100) for v in lon)
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"exif": exif} if (taken or gps) else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(data: bytes | None = None, name: str = "foto.jpg", content_type: str = "image/jpeg") -> Any:
    return SimpleUploadedFile(name, data if data is not None else jpeg(), content_type=content_type)


def registered_case(
    world: Any, village: str, *, members: int = 3, programme: str = "rtlh", **kw: Any
) -> Case:
    from kampung.assistance.services.cases import case_register

    rtlh, blt = programmes()
    family, head = household(world, village, members=members, **kw)
    return case_register(
        actor=world.user(Role.OPERATOR, village),
        programme=rtlh if programme == "rtlh" else blt,
        year=2026,
        family=family,
        registered_on=dt.date(2026, 3, 2),
    )


def add_survey_photos(world: Any, case: Case, kinds: Any = SURVEY_PHOTO_KINDS) -> None:
    from kampung.assistance.photos import photo_add

    officer = world.user(Role.FIELD_OFFICER, case.village_id)
    for i, kind in enumerate(kinds):
        photo_add(actor=officer, case=case, kind=kind, upload=upload(jpeg(color=(10 * i, 90, 90))))


def surveyed_case(world: Any, village: str, *, answers: dict[str, Any] | None = None, **kw: Any) -> Case:
    """A registered RTLH case whose survey (with its four photos) was submitted."""
    from kampung.assistance.services.surveys import survey_save

    case = registered_case(world, village, **kw)
    add_survey_photos(world, case)
    survey_save(
        actor=world.user(Role.FIELD_OFFICER, village),
        case=case,
        answers=answers if answers is not None else rtlh_answers(),
        surveyed_on=dt.date(2026, 3, 10),
        submit=True,
    )
    case.refresh_from_db()
    return case
