"""PDF versions of the budget documents (WeasyPrint via :mod:`kampung.core.pdf`), printed on F4
like the population registers: the Lampiran and the RAB portrait, the Penjabaran and the RAK
landscape (they carry more columns)."""

from __future__ import annotations

from django.utils import timezone

from kampung.core.pdf import PdfResult, render_pdf
from kampung.finance.models import Rak
from kampung.finance.outputs.documents import (
    Document,
    RabDocument,
    RakGrid,
    head_signer,
    kop_for,
    secretary_signer,
    treasurer_signer,
)
from kampung.regions.models import Region


def _footer(title: str, village: Region) -> str:
    return f"{title} — Desa {village.name} — dicetak {timezone.localtime():%d-%m-%Y %H.%M}"


def budget_pdf(doc: Document, *, detail: bool) -> PdfResult:
    return render_pdf(
        "finance/print/budget.html",
        {
            "doc": doc,
            "detail": detail,
            "kop": doc.kop,
            "title": doc.title,
            "paper": "F4",
            "orientation": "landscape" if detail else "portrait",
            "footer_left": _footer("Penjabaran APBDes" if detail else "Lampiran Perdes APBDes", doc.village),
        },
    )


def rab_pdf(doc: RabDocument) -> PdfResult:
    return render_pdf(
        "finance/print/rab.html",
        {
            "doc": doc,
            "kop": doc.kop,
            "title": f"RAB {doc.activity.activity_code.code}",
            "paper": "F4",
            "orientation": "portrait",
            "footer_left": _footer(f"RAB {doc.activity.activity_code.code}", doc.village),
        },
    )


def rak_pdf(grid: RakGrid, village: Region) -> PdfResult:
    rak = Rak.objects.filter(apbdes=grid.apbdes).first()
    return render_pdf(
        "finance/print/rak.html",
        {
            "grid": grid,
            "village": village,
            "kop": kop_for(village),
            "title": f"RAK Desa {grid.apbdes.year}",
            "rak_status": rak.get_status_display() if rak else "belum disusun",
            "treasurer": treasurer_signer(village),
            "secretary": secretary_signer(village),
            "head": head_signer(village),
            "paper": "F4",
            "orientation": "landscape",
            "footer_left": _footer("RAK Desa", village),
        },
    )
