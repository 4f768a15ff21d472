"""The basis of an aid payment: the issued decree naming the beneficiaries, attached to the
SPP LS that pays them (finance accepts it in place of a goods-received record)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.assistance.models import Decision, DecisionStatus
from kampung.core.errors import KampungError


def decision_pdf_ensure(decision: Decision) -> Any:
    """The issued decision's document with its PDF, rendered now if rendering after issuing
    failed (or has not run yet)."""
    from kampung.assistance.outputs.decision import decision_pdf_render
    from kampung.documents.services import document_attach_pdf

    document = decision.document
    if decision.status != DecisionStatus.ISSUED or document is None:
        raise KampungError("Keputusan belum ditetapkan.")
    if not document.sha256:
        lines = [line.strip() for line in document.signer_title.split(" / ") if line.strip()]
        document = document_attach_pdf(
            document=document, pdf_bytes=decision_pdf_render(decision.pk, document, lines)
        )
    return document


def attach_decree(*, actor: Any, spp: Any, decision: Decision | None) -> Any:
    """Attach the PDF of ``decision`` to ``spp`` (kind ``sk_penerima``), once per SPP."""
    from kampung.finance.models import AttachmentKind, SppAttachment
    from kampung.finance.services.payments import attachment_add

    if decision is None or decision.status != DecisionStatus.ISSUED or decision.document_id is None:
        raise KampungError(
            "Bantuan hanya dibayar berdasarkan keputusan penetapan penerima yang sudah ditetapkan."
        )
    if SppAttachment.objects.filter(spp=spp, kind=AttachmentKind.DECREE).exists():
        return None
    document = decision_pdf_ensure(decision)
    with document.file.open("rb") as handle:
        data = handle.read()
    upload = SimpleUploadedFile(
        f"keputusan-{document.number.replace('/', '-')}.pdf", data, content_type="application/pdf"
    )
    return attachment_add(actor=actor, spp=spp, kind=AttachmentKind.DECREE, upload=upload)
