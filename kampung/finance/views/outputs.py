"""Printed outputs of an APBDes version: the Lampiran Perdes, the Penjabaran, the RAB per
kegiatan and the RAK, each as PDF or Excel. Readable by every finance reader in scope
(village staff and BPD, the district, the regency); another village or a kelurahan → 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from kampung.core.pdf import PDF_CONTENT_TYPE, pdf_filename
from kampung.finance.access import FINANCE_READERS, desa_in_scope_or_404
from kampung.finance.models import Apbdes, BudgetActivity
from kampung.finance.outputs import documents, excel, pdf

FORMATS = ("pdf", "xlsx")


def apbdes_or_404(request: HttpRequest, pk: int) -> Apbdes:
    apbdes = Apbdes.objects.filter(pk=pk).first()
    if apbdes is None:
        raise Http404("APBDes tidak ditemukan.")
    desa_in_scope_or_404(request.user, apbdes.village_id, *FINANCE_READERS)
    return apbdes


def _file(content: bytes, fmt: str, *parts: str) -> HttpResponse:
    name = pdf_filename(*parts)
    if fmt == "pdf":
        response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name[:-4]}.xlsx"'
    return response


def _fmt_or_404(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("Format tidak dikenal.")
    return fmt


def _version(apbdes: Apbdes) -> str:
    return f"{apbdes.year}" + (f"-perubahan-{apbdes.revision}" if apbdes.revision else "")


def _budget(request: HttpRequest, pk: int, fmt: str, *, detail: bool) -> HttpResponse:
    _fmt_or_404(fmt)
    apbdes = apbdes_or_404(request, pk)
    doc = documents.budget_document(apbdes, detail=detail)
    content = (
        pdf.budget_pdf(doc, detail=detail).content
        if fmt == "pdf"
        else excel.budget_workbook(doc, detail=detail)
    )
    what = "penjabaran-apbdes" if detail else "lampiran-apbdes"
    return _file(content, fmt, what, doc.village.name, _version(apbdes))


@login_required
@require_GET
def print_attachment(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return _budget(request, pk, fmt, detail=False)


@login_required
@require_GET
def print_penjabaran(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return _budget(request, pk, fmt, detail=True)


@login_required
@require_GET
def print_rab(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """``pk`` is the kegiatan (BudgetActivity)."""
    _fmt_or_404(fmt)
    activity = (
        BudgetActivity.objects.filter(pk=pk).select_related("apbdes", "activity_code", "executor").first()
    )
    if activity is None:
        raise Http404("Kegiatan tidak ditemukan.")
    desa_in_scope_or_404(request.user, activity.apbdes.village_id, *FINANCE_READERS)
    doc = documents.rab_document(activity)
    content = pdf.rab_pdf(doc).content if fmt == "pdf" else excel.rab_workbook(doc)
    return _file(
        content, fmt, "rab", activity.activity_code.code, doc.village.name, _version(activity.apbdes)
    )


@login_required
@require_GET
def print_rak(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _fmt_or_404(fmt)
    apbdes = apbdes_or_404(request, pk)
    village = desa_in_scope_or_404(request.user, apbdes.village_id, *FINANCE_READERS)
    grid = documents.rak_grid(apbdes)
    if fmt == "pdf":
        content = pdf.rak_pdf(grid, village).content
    else:
        title = f"Rencana Anggaran Kas Desa Tahun Anggaran {apbdes.year}"
        content = excel.rak_workbook(grid, title, f"Desa {village.name}")
    return _file(content, fmt, "rak", village.name, _version(apbdes))
