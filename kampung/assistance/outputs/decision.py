"""The Keputusan naming a programme year's beneficiaries, printed with its number, the
signature formula of its basis (atribusi, "berdasarkan <Perbup>" under a delegasi, "a.n."
under a mandat) and the QR of its verification page. The decree is an official document:
full NIKs are printed here, never on public pages."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kampung.assistance.models import Decision
from kampung.core.formatting import rupiah, tanggal
from kampung.core.pdf import render_pdf
from kampung.finance.outputs.documents import kop_for


def decision_context(decision: Decision, document: Any, lines: list[str]) -> dict[str, Any]:
    from kampung.documents.tokens import document_verification_url, qr_data_uri

    cases = list(
        decision.cases.select_related("beneficiary").order_by("priority", "-score", "registered_on", "pk")
    )
    programme = decision.programme
    issued = timezone.localtime(document.issued_at).date() if document is not None else decision.decided_on
    return {
        "title": decision.title,
        "kop": kop_for(decision.village),
        "decision": decision,
        "programme": programme,
        "document": document,
        "number": document.number if document is not None else "",
        "issued_on": tanggal(issued) if issued else "",
        "cases": cases,
        "total": rupiah(decision.total_amount),
        "signature_lines": lines or ([document.signer_title] if document is not None else []),
        "signer_name": document.signer_name if document is not None else "",
        "legal_basis": document.legal_basis if document is not None else "",
        "verification_code": document.code_display if document is not None else "",
        "qr": qr_data_uri(document_verification_url(document), scale=3) if document is not None else "",
        "footer_left": f"Keputusan {document.number}" if document is not None else "",
    }


def decision_pdf_render(decision_pk: int, document: Any, lines: list[str]) -> bytes:
    """PDF bytes of an issued decision (``document`` is its numbered document)."""
    decision = Decision.objects.select_related("programme", "village", "village__parent").get(pk=decision_pk)
    return render_pdf("assistance/print/decision.html", decision_context(decision, document, lines)).content
