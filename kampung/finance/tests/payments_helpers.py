"""Builders for the payments tests (part A): an executable APBDes with money in the bank and
SPP moved along their life cycle through the services."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.finance.models import AttachmentKind, BudgetActivity, BudgetLine, Spp
from kampung.finance.services import payments as svc
from kampung.finance.tests.exec_factories import bank_receipt, make_executable

YEAR = 2026
ROAD = "02.03.10"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_upload(name: str = "ba.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% uji\n", content_type="application/pdf")


def png_upload(name: str = "foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def setup_village(village: str = VILLAGE_A1, bank: int = 500_000_000) -> Any:
    apbdes = make_executable(village, YEAR)
    if bank:
        bank_receipt(village, YEAR, bank)
    return apbdes


def activity(apbdes: Any, code: str = ROAD) -> BudgetActivity:
    return BudgetActivity.objects.select_related("activity_code", "apbdes").get(
        apbdes=apbdes, activity_code__code=code
    )


def line(act: BudgetActivity, description: str) -> BudgetLine:
    return BudgetLine.objects.get(activity=act, description=description)


def make_spp(
    world: Any,
    act: BudgetActivity,
    amounts: dict[str, int],
    *,
    kind: str = "UM",
    day: dt.date = dt.date(YEAR, 6, 1),
    village: str = VILLAGE_A1,
    **extra: Any,
) -> Spp:
    lines = [(line(act, desc).pk, Decimal(a), desc) for desc, a in amounts.items()]
    fields: dict[str, Any] = {
        "actor": world.user(Role.EXECUTOR, village),
        "activity": act,
        "kind": kind,
        "date": day,
        "description": "Pembangunan rabat beton",
        "payee_name": "TPK Desa" if kind == "UM" else "CV Maju Jaya",
        "lines": lines,
    }
    fields.update(extra)
    return svc.spp_create(**fields)


def to_approved(world: Any, spp: Spp, village: str = VILLAGE_A1) -> Spp:
    if spp.kind == "LS":
        svc.attachment_add(
            actor=world.user(Role.EXECUTOR, village),
            spp=spp,
            kind=AttachmentKind.HANDOVER,
            upload=pdf_upload(),
        )
    svc.spp_submit(actor=world.user(Role.EXECUTOR, village), spp=spp)
    svc.spp_verify(
        actor=world.user(Role.SECRETARY, village), spp=spp, complete=True, correct=True, funds=True
    )
    svc.spp_approve(actor=world.user(Role.HEAD, village), spp=spp)
    spp.refresh_from_db()
    return spp
