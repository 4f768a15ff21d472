"""The books of one village and year (BKU, Bank, Pajak, Panjar, Kegiatan): pages with a month
filter, Excel for every book and PDF for the BKU and the tax book. Every finance reader in
scope may read them; another village or a kelurahan → 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kampung.core.pdf import PDF_CONTENT_TYPE, pdf_filename
from kampung.finance.ledger import month_name
from kampung.finance.outputs import books as out
from kampung.finance.outputs.excel import XLSX_CONTENT_TYPE
from kampung.finance.selectors import books
from kampung.finance.views.treasury import Page

KINDS = {
    "bku": "Buku Kas Umum",
    "bank": "Buku Pembantu Bank",
    "pajak": "Buku Pembantu Pajak",
    "panjar": "Buku Pembantu Panjar",
    "kegiatan": "Buku Pembantu Kegiatan",
}
PDF_KINDS = ("bku", "pajak")


def _month(request: HttpRequest) -> int | None:
    raw = request.GET.get("bulan", "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 12 else None


def _activity(request: HttpRequest, page: Page) -> tuple[str, str, list[tuple[str, str]]]:
    choices = books.activity_choices(page.book)
    wanted = request.GET.get("kegiatan", "")
    names = dict(choices)
    code = wanted if wanted in names else (choices[0][0] if choices else "")
    return code, names.get(code, ""), choices


def _base(page: Page, kind: str, month: int | None, **extra: Any) -> dict[str, Any]:
    return page.context(
        kind=kind,
        kind_label=KINDS[kind],
        month=month,
        month_label=month_name(month) if month else "",
        months=[(i, month_name(i)) for i in range(1, 13)],
        kinds=list(KINDS.items()),
        has_pdf=kind in PDF_KINDS,
        **extra,
    )


@login_required
@require_GET
def book_page(request: HttpRequest, code: str, year: int, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("Buku tidak dikenal.")
    page = Page(request, code, year)
    month = _month(request)
    context: dict[str, Any]
    if kind == "bku":
        rows = books.bku_rows(page.book, month)
        context = _base(page, kind, month, rows=rows, totals=books.totals(rows))
    elif kind == "bank":
        rows = books.bank_rows(page.book, month)
        context = _base(page, kind, month, rows=rows, totals=books.totals(rows))
    elif kind == "pajak":
        rows = books.tax_rows(page.book, month)
        context = _base(
            page, kind, month, rows=rows, totals=books.totals(rows), summary=books.tax_summary(page.book)
        )
    elif kind == "panjar":
        context = _base(page, kind, None, advances=books.advance_rows(page.book))
    else:
        activity_code, activity_name, choices = _activity(request, page)
        context = _base(
            page,
            kind,
            month,
            activity_rows=books.activity_rows(page.book, activity_code, month),
            activity_code=activity_code,
            activity_name=activity_name,
            activities=choices,
        )
    return render(request, f"finance/books/{kind}.html", context)


@login_required
@require_GET
def book_export(request: HttpRequest, code: str, year: int, kind: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in ("pdf", "xlsx") or (fmt == "pdf" and kind not in PDF_KINDS):
        raise Http404("Format tidak dikenal.")
    page = Page(request, code, year)
    month = _month(request)
    village, book = page.village, page.book
    parts = [kind, village.name, str(year)] + ([f"{month:02d}"] if month and kind != "panjar" else [])
    if fmt == "pdf":
        builder = out.bku_pdf if kind == "bku" else out.tax_pdf
        response = HttpResponse(builder(village, book, year, month).content, content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{pdf_filename("buku", *parts)}"'
        return response
    if kind == "bku":
        content = out.bku_workbook(village, book, year, month)
    elif kind == "bank":
        content = out.bank_workbook(village, book, year, month)
    elif kind == "pajak":
        content = out.tax_workbook(village, book, year, month)
    elif kind == "panjar":
        content = out.advance_workbook(village, book, year)
    else:
        activity_code, activity_name, _ = _activity(request, page)
        if not activity_code:
            raise Http404("Kegiatan tidak dikenal.")
        parts.insert(1, activity_code)
        content = out.activity_workbook(village, book, year, activity_code, activity_name, month)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename("buku", *parts)[:-4]}.xlsx"'
    return response
