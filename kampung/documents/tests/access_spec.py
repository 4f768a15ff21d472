"""Access matrix spec for the documents app (see kampung/core/tests/matrix.py).

The verification pages (/dokumen/cek/) and the public keys are public: they print only what
the document itself prints. The village registers are scoped: the outgoing register
(buku agenda surat keluar) is read by the village's operator, secretary and head, the
district and the regency admin (``selectors.REGISTER_READERS``); the incoming register by
the village's operator, secretary and head (who also write it) and the regency admin
(``selectors.INCOMING_READERS``). The numbering page is read by the village staff and the
roles above them (docs/letters.md: "other staff of the village read it"), not by residents
or the BPD.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_STAFF, Role
from kampung.core.tests.matrix import PUBLIC, Route, Side, code_and, roles, village_code

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

REGISTER_READERS = roles(
    Role.OPERATOR, Role.SECRETARY, Role.HEAD, Role.CAMAT, Role.DISTRICT_OFFICER, Role.ADMIN
)
INCOMING_WRITERS = roles(Role.OPERATOR, Role.SECRETARY, Role.HEAD)
INCOMING_READERS = roles(INCOMING_WRITERS, Role.ADMIN)
SERIES_READERS = roles(VILLAGE_STAFF, DISTRICT_ROLES, REGENCY_ROLES)


def seed(side: Side) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kampung.documents import keys
    from kampung.documents.services import (
        IncomingData,
        Signer,
        document_attach_pdf,
        document_issue,
        incoming_create,
    )
    from kampung.documents.tokens import token_for

    if not keys.key_list(regency=side.regency.code):
        keys.key_generate(regency=side.regency.code)
    head = side.user(Role.HEAD)
    document = document_issue(
        actor=head,
        village=side.village,
        kind="surat_keluar",
        title=side.text("Surat Keterangan", 200),
        classification="400.12.2.1",
        subject_name=side.text("Pemegang", 150),
        subject_nik=f"{side.village.code.replace('.', '')[:6]}4506900002",
        signer=Signer(
            name=side.text("Penanda tangan", 150),
            title=side.text("Kepala Desa", 300),
            legal_basis=side.text("Dasar hukum"),
        ),
    )
    document_attach_pdf(document=document, pdf_bytes=PDF_BYTES)
    today = timezone.localdate()
    incoming = incoming_create(
        actor=side.user(Role.OPERATOR),
        village=side.village,
        data=IncomingData(
            received_on=today,
            sender=side.text("Pengirim", 200),
            letter_number=side.text("005/12", 120, script=False),
            letter_date=today,
            subject=side.text("Perihal", 300),
            disposition=side.text("Disposisi"),
        ),
        scan=SimpleUploadedFile("surat.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    return {"doc_outgoing": document, "doc_token": token_for(document), "doc_incoming": incoming}


ROUTES: list[Route] = [
    # -- public verification ----------------------------------------------------------------
    Route(
        "documents:verify_code",
        readers=PUBLIC,
        query=lambda side: f"?kode={side['doc_outgoing'].verification_code}",
        note="anyone holding the code reads what the document prints (NIK masked)",
    ),
    Route(
        "documents:verify_token",
        kwargs=lambda side: {"token": side["doc_token"]},
        readers=PUBLIC,
        note="the QR's signed link: public by design",
    ),
    Route("documents:public_keys", readers=PUBLIC),
    # -- outgoing register ------------------------------------------------------------------
    Route("documents:outgoing_list", kwargs=village_code, readers=REGISTER_READERS),
    Route(
        "documents:outgoing_detail",
        kwargs=code_and("doc_outgoing"),
        readers=REGISTER_READERS,
        note="GET shows the document; its revoke form posts to the same URL",
    ),
    Route("documents:outgoing_pdf", kwargs=code_and("doc_outgoing"), readers=REGISTER_READERS),
    # -- incoming register ------------------------------------------------------------------
    Route("documents:incoming_list", kwargs=village_code, readers=INCOMING_READERS),
    Route("documents:incoming_add", kwargs=village_code, readers=INCOMING_WRITERS),
    Route("documents:incoming_edit", kwargs=code_and("doc_incoming"), readers=INCOMING_WRITERS),
    Route(
        "documents:incoming_delete",
        kwargs=code_and("doc_incoming"),
        readers=INCOMING_WRITERS,
        note="GET asks for confirmation; the POST to the same URL deletes",
    ),
    Route("documents:incoming_scan", kwargs=code_and("doc_incoming"), readers=INCOMING_READERS),
    # -- numbering ---------------------------------------------------------------------------
    Route("documents:series_list", kwargs=village_code, readers=SERIES_READERS),
]
