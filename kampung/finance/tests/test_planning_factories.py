"""Builders shared by the planning tests (no tests here): plans made through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.accounts.roles import Role
from kampung.finance.models import ActivityCode, FundSource, Musdes, MusdesKind, Rkpdes, Rpjmdes
from kampung.finance.services import planning as svc
from kampung.regions.models import Region

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def code(value: str) -> ActivityCode:
    return ActivityCode.objects.get(code=value, regency=None)


def source(value: str = "DDS") -> FundSource:
    return FundSource.objects.get(code=value)


def region(value: str) -> Region:
    return Region.objects.get(code=value)


def secretary(world: Any, village: str) -> Any:
    return world.user(Role.SECRETARY, village)


def make_rpjm(
    world: Any, village: str, start: int = 2025, end: int = 2030, *, enacted: bool = False, **kw: Any
) -> Rpjmdes:
    actor = secretary(world, village)
    rpjm = svc.rpjmdes_create(
        actor=actor,
        village=region(village),
        data=svc.RpjmInput(
            start_year=start,
            end_year=end,
            head_name=kw.get("head_name", "Sutrisno"),
            inaugurated_on=kw.get("inaugurated_on", dt.date(start - 1, 12, 1)),
            vision=kw.get("vision", "Desa maju, mandiri dan sejahtera"),
        ),
    )
    svc.rpjm_activity_save(
        actor=actor,
        rpjm=rpjm,
        data=svc.RpjmActivityInput(
            activity_code=code("02.03.01"),
            name="Pembangunan jalan rabat beton",
            location="Dusun Krajan",
            output_target="1.500 m",
            amounts={start: Decimal("150000000"), start + 1: Decimal("200000000")},
            source=source("DDS"),
        ),
    )
    svc.rpjm_activity_save(
        actor=actor,
        rpjm=rpjm,
        data=svc.RpjmActivityInput(
            activity_code=code("02.02.02"),
            name="Posyandu",
            amounts={start + 1: Decimal("25000000")},
        ),
    )
    if enacted:
        rpjm = svc.rpjmdes_enact(
            actor=actor, rpjm=rpjm, perdes_number="3/2025", perdes_date=dt.date(start, 2, 1)
        )
    return rpjm


def make_musdes(world: Any, village: str, **kw: Any) -> Musdes:
    return svc.musdes_save(
        actor=secretary(world, village),
        village=region(village),
        data=svc.MusdesInput(
            kind=kw.get("kind", MusdesKind.RKP),
            title=kw.get("title", "Musdes RKPDes 2026"),
            held_on=kw.get("held_on", dt.date(2025, 8, 10)),
            year=kw.get("year", 2026),
            participant_count=30,
            participants="BPD: Sutrisno\nTokoh masyarakat: Wagiman",
            summary="Disepakati kegiatan prioritas.",
        ),
        minutes=kw.get("minutes"),
    )


def make_rkp(world: Any, village: str, year: int = 2026) -> Rkpdes:
    return svc.rkpdes_create(actor=secretary(world, village), village=region(village), year=year)


def pdf_upload(content: bytes = PDF_BYTES, name: str = "ba.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
