"""Builders shared by the decision, payment, progress and flow tests (area B): a delegation of
the RTLH decision to village heads, prioritised cases, geotagged JPEGs and the finance steps
that pay an SPP. No tests here."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.accounts.roles import Role
from kampung.assistance.models import Case, CaseStatus, Programme
from kampung.assistance.tests.factories import household, make_case
from kampung.regions.models import Region

REGENCY = "35.10"
PERBUP = "Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017"


def delegate_decision(world: Any, act: str = "assistance.rtlh.decide") -> Any:
    """A Perbup delegating ``act`` from the bupati to every village head of the regency."""
    from kampung.authority.models import DelegationKind, InstrumentKind, TargetScope
    from kampung.authority.register import DelegationInput, delegation_create, instrument_create

    admin = world.user(Role.ADMIN, REGENCY)
    regency = Region.objects.get(code=REGENCY)
    instrument = instrument_create(
        actor=admin,
        regency=regency,
        kind=InstrumentKind.PERBUP,
        number="12",
        date=dt.date(2017, 4, 8),
        title="Pelimpahan Sebagian Kewenangan Bupati kepada Kepala Desa",
    )
    return delegation_create(
        actor=admin,
        instrument=instrument,
        data=DelegationInput(
            kind=DelegationKind.DELEGASI,
            from_role=Role.BUPATI,
            from_region=regency,
            to_role=Role.HEAD,
            to_region=regency,
            to_scope=TargetScope.VILLAGES_UNDER,
            acts=[act],
            valid_from=dt.date(2017, 5, 1),
        ),
    )


def prioritised(world: Any, programme: Programme, village: str, n: int) -> list[Case]:
    """``n`` households of ``village`` prioritised by the Musdes in order 1..n."""
    cases = []
    for i in range(n):
        family, head = household(world, village, members=3)
        cases.append(
            make_case(programme, family, head, status=CaseStatus.PRIORITISED, score=80 - i, priority=i + 1)
        )
    return cases


def decided(world: Any, programme: Programme, village: str, amount: int = 17_500_000) -> Case:
    """A beneficiary named in an issued decision whose numbered document has its PDF (the
    basis finance needs to pay it)."""
    from kampung.assistance.models import Decision, DecisionStatus
    from kampung.documents.models import SeriesKind
    from kampung.documents.services import Signer, document_attach_pdf, document_issue

    family, head = household(world, village, members=3)
    region = Region.objects.get(code=village)
    head_user = world.user(Role.HEAD, village)
    document = document_issue(
        actor=head_user,
        village=region,
        kind=SeriesKind.DECREE,
        title=f"Keputusan Kepala Desa tentang Penetapan Penerima {programme.name}",
        classification="400.9.14",
        signer=Signer(name="Kepala Desa Uji", title=f"Kepala Desa {region.name}"),
    )
    document_attach_pdf(document=document, pdf_bytes=b"%PDF-1.4\n% keputusan uji\n")
    decision = Decision.objects.create(
        programme=programme,
        year=2026,
        village=region,
        title=document.title,
        status=DecisionStatus.ISSUED,
        document=document,
        beneficiary_count=1,
        total_amount=Decimal(amount),
        decided_on=dt.date(2026, 6, 1),
    )
    case = make_case(programme, family, head, status=CaseStatus.DECIDED, amount=amount)
    case.decision = decision
    case.save(update_fields=["decision"])
    return case


def jpeg(
    *, gps: bool = True, when: str = "2026:06:20 09:30:00", name: str = "foto.jpg"
) -> SimpleUploadedFile:
    """A small JPEG as a phone takes it: EXIF time and (``gps``) GPS position in Banyuwangi."""
    from PIL import Image

    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "S", 2: (8.0, 35.0, 0.0), 3: "E", 4: (114.0, 2.0, 0.0)}
    exif[0x8769] = {36867: when}
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (120, 90, 40)).save(buffer, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf_upload(name: str = "ba-penerimaan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% uji\n", content_type="application/pdf")


def pay_spp(world: Any, spp: Any, village: str, *, day: dt.date) -> None:
    """Finance's path for an SPP LS: the received-goods minutes attached, then the secretary
    submits and verifies, the head approves, the treasurer pays."""
    from kampung.finance.models import AttachmentKind
    from kampung.finance.services import payments as fin

    secretary = world.user(Role.SECRETARY, village)
    fin.attachment_add(actor=secretary, spp=spp, kind=AttachmentKind.HANDOVER, upload=pdf_upload())
    fin.spp_submit(actor=secretary, spp=spp)
    fin.spp_verify(actor=secretary, spp=spp, complete=True, correct=True, funds=True)
    fin.spp_approve(actor=world.user(Role.HEAD, village), spp=spp)
    fin.spp_pay(
        actor=world.user(Role.TREASURER, village), spp=spp, date=day, method="transfer", reference="TRX-1"
    )


def money(value: int) -> Decimal:
    return Decimal(value)


def signing_ready(settings: Any, tmp_path: Any) -> None:
    """Private media and a signing key for the regency (the QR of an issued document)."""
    from kampung.documents import keys

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEYS_DIR = tmp_path / "keys"
    settings.PUBLIC_BASE_URL = "https://desa.example.go.id"
    keys.key_generate(regency=REGENCY)
