"""The treasurer's books printed: the monthly Buku Kas Umum and the Buku Pembantu Pajak as PDF
(F4, in the column layout of Permendagri 20/2018) and Excel, and the Buku Pembantu Bank,
Panjar and Kegiatan as Excel. Every figure comes from :mod:`kampung.finance.selectors.books`,
so the printed books cannot disagree with the pages or the journal."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from kampung.core.formatting import tanggal
from kampung.core.pdf import PdfResult, render_pdf
from kampung.finance.ledger import month_name
from kampung.finance.models import Book
from kampung.finance.outputs.documents import Signer, head_signer, kop_for, treasurer_signer
from kampung.finance.outputs.excel import _headers, _intro, _money, _save
from kampung.finance.selectors import books
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

BOLD = Font(bold=True)


@dataclass
class BookDocument:
    village: Region
    year: int
    month: int | None
    title: str
    period: str
    kop: dict[str, str]
    treasurer: Signer
    head: Signer
    place_date: str


def period_label(year: int, month: int | None) -> str:
    return f"Bulan {month_name(month)} {year}" if month else f"Tahun Anggaran {year}"


def book_document(village: Region, year: int, month: int | None, title: str) -> BookDocument:
    today = local_today(village)
    if month:
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
    else:
        end = dt.date(year, 12, 31)
    signed = min(end, today)
    kop = kop_for(village)
    return BookDocument(
        village=village,
        year=year,
        month=month,
        title=title,
        period=period_label(year, month),
        kop=kop,
        treasurer=treasurer_signer(village),
        head=head_signer(village),
        place_date=f"{village.name.title()}, {tanggal(signed)}",
    )


def _village_line(doc: BookDocument) -> str:
    return f"Desa {doc.village.name}, Kecamatan {doc.kop.get('district', '')}, {doc.kop.get('regency', '')}"


def _pdf(template: str, doc: BookDocument, context: dict[str, Any]) -> PdfResult:
    return render_pdf(
        template,
        {
            "doc": doc,
            "kop": doc.kop,
            "title": doc.title,
            "paper": "F4",
            "orientation": "landscape",
            "footer_left": f"{doc.title} — Desa {doc.village.name} — {doc.period}",
            **context,
        },
    )


def _sheet(
    doc: BookDocument, name: str, columns: list[tuple[str, int]], *, subtitle: str = ""
) -> tuple[Workbook, Any, int]:
    """A workbook whose one sheet ``name`` opens with the book's title, the village, an
    optional ``subtitle`` and the period, then the column headers. Returns the workbook, the
    sheet and the row of the first entry."""
    wb = Workbook()
    ws: Any = wb.active
    ws.title = name
    start = _intro(ws, [doc.title.upper(), _village_line(doc), *([subtitle] if subtitle else []), doc.period])
    _headers(ws, start, columns)
    return wb, ws, start + 1


def _described(row: Any) -> str:
    """A row's description, marked when its entry is a correction."""
    return row.description + (" (koreksi)" if row.reversal else "")


def _doc_cells(ws: Any, r: int, number: int, row: Any, description: str) -> None:
    """The first four columns of a book's row: No, Tanggal, No. Bukti, Uraian."""
    ws.cell(row=r, column=1, value=number)
    ws.cell(row=r, column=2, value=row.date).number_format = "DD-MM-YYYY"
    ws.cell(row=r, column=3, value=row.doc_number)
    ws.cell(row=r, column=4, value=description)


def _total_row(ws: Any, r: int, amounts: dict[int, Decimal]) -> None:
    """The JUMLAH row: the label under Uraian and each column's total in bold."""
    ws.cell(row=r, column=4, value="JUMLAH").font = BOLD
    for col, amount in amounts.items():
        _money(ws, r, col, amount, bold=True)


def _column_sums(rows: list[Any], first: int, attrs: tuple[str, ...]) -> dict[int, Decimal]:
    """Column (from ``first`` on) → the sum of one attribute over ``rows``."""
    return {
        col: sum((getattr(x, attr) for x in rows), Decimal(0)) for col, attr in enumerate(attrs, start=first)
    }


# -- BKU -----------------------------------------------------------------------------------


def bku_pdf(village: Region, book: Book | None, year: int, month: int | None) -> PdfResult:
    rows = books.bku_rows(book, month)
    doc = book_document(village, year, month, "Buku Kas Umum")
    return _pdf("finance/books/print_bku.html", doc, {"rows": rows, "totals": books.totals(rows)})


def _signatures(ws: Any, row: int, doc: BookDocument, left: int, right: int) -> None:
    ws.cell(row=row, column=right, value=doc.place_date)
    ws.cell(row=row + 1, column=left, value="Mengetahui,")
    ws.cell(row=row + 2, column=left, value=doc.head.title).font = BOLD
    ws.cell(row=row + 2, column=right, value=doc.treasurer.title).font = BOLD
    ws.cell(row=row + 6, column=left, value=doc.head.name or "(.................................)")
    ws.cell(row=row + 6, column=right, value=doc.treasurer.name or "(.................................)")


def bku_workbook(village: Region, book: Book | None, year: int, month: int | None) -> bytes:
    rows = books.bku_rows(book, month)
    doc = book_document(village, year, month, "Buku Kas Umum")
    wb, ws, r = _sheet(
        doc,
        "BKU",
        [
            ("No", 5),
            ("Tanggal", 12),
            ("Kode Rekening", 16),
            ("Uraian", 48),
            ("Penerimaan (Rp)", 18),
            ("Pengeluaran (Rp)", 18),
            ("No. Bukti", 18),
            ("Jumlah Pengeluaran Kumulatif (Rp)", 20),
            ("Saldo (Rp)", 18),
        ],
    )
    number = 0
    for row in rows:
        if row.opening:
            ws.cell(row=r, column=4, value=row.description).font = BOLD
            _money(ws, r, 9, row.balance, bold=True)
        else:
            number += 1
            ws.cell(row=r, column=1, value=number)
            ws.cell(row=r, column=2, value=row.date)
            ws.cell(row=r, column=2).number_format = "DD-MM-YYYY"
            ws.cell(row=r, column=3, value=row.account)
            ws.cell(row=r, column=4, value=_described(row))
            _money(ws, r, 5, row.receipt)
            _money(ws, r, 6, row.payment)
            ws.cell(row=r, column=7, value=row.doc_number)
            _money(ws, r, 8, row.cumulative_payment)
            _money(ws, r, 9, row.balance)
        r += 1
    t = books.totals(rows)
    _total_row(ws, r, {5: t.receipts, 6: t.payments})
    ws.cell(row=r + 1, column=4, value="SALDO AKHIR").font = BOLD
    _money(ws, r + 1, 9, t.closing, bold=True)
    _signatures(ws, r + 3, doc, 4, 8)
    return _save(wb)


# -- tax book ------------------------------------------------------------------------------


def tax_pdf(village: Region, book: Book | None, year: int, month: int | None) -> PdfResult:
    doc = book_document(village, year, month, "Buku Pembantu Pajak")
    rows = books.tax_rows(book, month)
    return _pdf(
        "finance/books/print_tax.html",
        doc,
        {"rows": rows, "summary": books.tax_summary(book), "totals": books.totals(rows)},
    )


def tax_workbook(village: Region, book: Book | None, year: int, month: int | None) -> bytes:
    doc = book_document(village, year, month, "Buku Pembantu Pajak")
    rows = books.tax_rows(book, month)
    wb, ws, r = _sheet(
        doc,
        "Pajak",
        [
            ("No", 5),
            ("Tanggal", 12),
            ("No. Bukti", 18),
            ("Uraian", 48),
            ("Kode Pajak", 12),
            ("Pemotongan/Pemungutan (Rp)", 18),
            ("Penyetoran (Rp)", 18),
            ("Saldo Kode Pajak (Rp)", 18),
            ("Saldo (Rp)", 18),
        ],
    )
    for i, row in enumerate(rows, start=1):
        _doc_cells(ws, r, i, row, _described(row))
        ws.cell(row=r, column=5, value=row.tax_code)
        _money(ws, r, 6, row.receipt)
        _money(ws, r, 7, row.payment)
        _money(ws, r, 8, row.code_balance)
        _money(ws, r, 9, row.balance)
        r += 1
    t = books.totals(rows)
    _total_row(ws, r, {6: t.receipts, 7: t.payments})
    r += 2
    ws.cell(row=r, column=4, value="REKAPITULASI PER JENIS PAJAK (TAHUN BERJALAN)").font = BOLD
    r += 1
    for col, label in ((5, "Kode Pajak"), (6, "Dipotong/Dipungut"), (7, "Disetor"), (8, "Belum Disetor")):
        ws.cell(row=r, column=col, value=label).font = BOLD
    for item in books.tax_summary(book):
        r += 1
        ws.cell(row=r, column=5, value=item.code)
        _money(ws, r, 6, item.withheld)
        _money(ws, r, 7, item.deposited)
        _money(ws, r, 8, item.outstanding)
    _signatures(ws, r + 2, doc, 4, 8)
    return _save(wb)


# -- the other books (Excel) ---------------------------------------------------------------


def bank_workbook(village: Region, book: Book | None, year: int, month: int | None) -> bytes:
    doc = book_document(village, year, month, "Buku Pembantu Bank")
    rows = books.bank_rows(book, month)
    wb, ws, r = _sheet(
        doc,
        "Bank",
        [
            ("No", 5),
            ("Tanggal", 12),
            ("No. Bukti", 18),
            ("Uraian", 48),
            ("Pemasukan (Rp)", 18),
            ("Pengeluaran (Rp)", 18),
            ("Saldo (Rp)", 18),
        ],
    )
    number = 0
    for row in rows:
        if row.opening:
            ws.cell(row=r, column=4, value=row.description).font = BOLD
        else:
            number += 1
            _doc_cells(ws, r, number, row, row.description)
            _money(ws, r, 5, row.receipt)
            _money(ws, r, 6, row.payment)
        _money(ws, r, 7, row.balance, bold=row.opening)
        r += 1
    t = books.totals(rows)
    _total_row(ws, r, {5: t.receipts, 6: t.payments, 7: t.closing})
    _signatures(ws, r + 2, doc, 4, 6)
    return _save(wb)


def advance_workbook(village: Region, book: Book | None, year: int) -> bytes:
    doc = book_document(village, year, None, "Buku Pembantu Panjar")
    rows = books.advance_rows(book)
    wb, ws, r = _sheet(
        doc,
        "Panjar",
        [
            ("No", 5),
            ("No. SPP", 18),
            ("Kegiatan", 12),
            ("Nama Kegiatan", 40),
            ("Tanggal Panjar", 12),
            ("Batas SPJ", 12),
            ("Panjar Diberikan (Rp)", 18),
            ("Di-SPJ-kan (Rp)", 18),
            ("Dikembalikan (Rp)", 18),
            ("Sisa (Rp)", 18),
            ("Saldo Panjar (Rp)", 18),
        ],
    )
    for i, row in enumerate(rows, start=1):
        ws.cell(row=r, column=1, value=i)
        ws.cell(row=r, column=2, value=row.number)
        ws.cell(row=r, column=3, value=row.activity_code)
        ws.cell(row=r, column=4, value=row.activity_name)
        ws.cell(row=r, column=5, value=row.paid_on).number_format = "DD-MM-YYYY"
        ws.cell(row=r, column=6, value=row.spj_due).number_format = "DD-MM-YYYY"
        for col, value in zip(
            range(7, 12), (row.given, row.accounted, row.returned, row.outstanding, row.balance), strict=True
        ):
            _money(ws, r, col, value)
        r += 1
    _total_row(ws, r, _column_sums(rows, 7, ("given", "accounted", "returned", "outstanding")))
    _signatures(ws, r + 2, doc, 4, 9)
    return _save(wb)


def activity_workbook(
    village: Region, book: Book | None, year: int, activity_code: str, activity_name: str, month: int | None
) -> bytes:
    doc = book_document(village, year, month, "Buku Pembantu Kegiatan")
    rows = books.activity_rows(book, activity_code, month)
    wb, ws, r = _sheet(
        doc,
        "Kegiatan",
        [
            ("No", 5),
            ("Tanggal", 12),
            ("No. Bukti", 18),
            ("Uraian", 48),
            ("Diterima dari Kaur Keuangan (Rp)", 18),
            ("Belanja (Rp)", 18),
            ("Dikembalikan (Rp)", 18),
            ("Saldo (Rp)", 18),
        ],
        subtitle=f"Kegiatan {activity_code} {activity_name}",
    )
    for i, row in enumerate(rows, start=1):
        _doc_cells(ws, r, i, row, _described(row))
        for col, value in zip(range(5, 9), (row.received, row.spent, row.returned, row.balance), strict=True):
            _money(ws, r, col, value)
        r += 1
    _total_row(ws, r, _column_sums(rows, 5, ("received", "spent", "returned")))
    _signatures(ws, r + 2, doc, 4, 7)
    return _save(wb)
