"""Excel (openpyxl) versions of the budget documents: the same rows as the PDF, amounts as
numbers (format ``#,##0``) so officials can add them up again, totals as values (not
formulas) taken from :func:`kampung.finance.budget.budget_totals`."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kampung.core.formatting import number_id
from kampung.finance.outputs.documents import (
    GROUP,
    HEAD,
    QUARTERS,
    TOTAL,
    Document,
    RabDocument,
    RakGrid,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBE4")


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _intro(ws: Any, lines: list[str]) -> int:
    for i, text in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=text).font = BOLD if i <= 2 else Font()
    return len(lines) + 2


def _headers(ws: Any, row: int, headers: list[tuple[str, int]]) -> None:
    for col, (label, width) in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _money(ws: Any, row: int, col: int, value: Decimal | None, *, bold: bool = False) -> None:
    if value is None:
        return
    cell = ws.cell(
        row=row, column=col, value=int(value) if value == value.to_integral_value() else float(value)
    )
    cell.number_format = MONEY
    if bold:
        cell.font = BOLD


def _region_lines(doc: Any) -> list[str]:
    kop = doc.kop
    return [f"Desa {doc.village.name}, Kecamatan {kop['district']}, {kop['regency']}"]


def budget_workbook(doc: Document, *, detail: bool) -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "Penjabaran" if detail else "Lampiran Perdes"
    start = _intro(ws, [doc.title.upper(), doc.subtitle, *_region_lines(doc)])
    headers = [("Kode Rekening", 14), ("Uraian", 60)]
    if detail:
        headers += [("Volume", 10), ("Satuan", 10), ("Harga Satuan (Rp)", 16)]
    headers += [("Anggaran (Rp)", 20), ("Sumber Dana", 14)]
    _headers(ws, start, headers)
    amount_col = 6 if detail else 3
    row = start + 1
    for item in doc.rows:
        strong = item.kind in (HEAD, GROUP, TOTAL)
        code = ws.cell(row=row, column=1, value=item.code)
        name = ws.cell(row=row, column=2, value=item.name)
        name.alignment = Alignment(indent=min(item.depth, 6), wrap_text=True)
        if strong:
            code.font = BOLD
            name.font = BOLD
        if detail and item.volume is not None:
            ws.cell(row=row, column=3, value=float(item.volume))
            ws.cell(row=row, column=4, value=item.unit)
            _money(ws, row, 5, item.unit_price)
        _money(ws, row, amount_col, item.amount, bold=strong)
        ws.cell(row=row, column=amount_col + 1, value=item.source)
        row += 1
    row += 1
    for signer in doc.signers:
        ws.cell(row=row, column=2, value=signer.title).font = BOLD
        ws.cell(row=row + 4, column=2, value=signer.name or "(.................................)")
        row += 6
    return _save(wb)


def rab_workbook(doc: RabDocument) -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "RAB"
    activity = doc.activity
    intro = [
        f"RENCANA ANGGARAN BIAYA (RAB) TAHUN ANGGARAN {doc.apbdes.year}",
        f"Desa {doc.village.name}",
        f"Bidang/Sub bidang/Kegiatan: {activity.activity_code.code} {activity.name}",
        f"Lokasi: {activity.location or '-'}",
        f"Keluaran: {number_id(activity.output_volume)} {activity.output_unit}".rstrip(),
        f"Pelaksana: {doc.executor.name or '-'}",
        f"Sumber dana: {doc.sources or '-'}",
    ]
    start = _intro(ws, intro)
    _headers(
        ws,
        start,
        [
            ("No", 5),
            ("Kode Rekening", 12),
            ("Uraian", 44),
            ("Volume", 10),
            ("Satuan", 10),
            ("Harga Satuan (Rp)", 16),
            ("Jumlah (Rp)", 18),
            ("Sumber Dana", 12),
        ],
    )
    row = start + 1
    for number, line in enumerate(doc.lines, start=1):
        ws.cell(row=row, column=1, value=number)
        ws.cell(row=row, column=2, value=line.account.code)
        ws.cell(row=row, column=3, value=line.description)
        ws.cell(row=row, column=4, value=float(line.volume))
        ws.cell(row=row, column=5, value=line.unit)
        _money(ws, row, 6, line.unit_price)
        _money(ws, row, 7, line.amount)
        ws.cell(row=row, column=8, value=line.source_id)
        row += 1
    ws.cell(row=row, column=3, value="JUMLAH").font = BOLD
    _money(ws, row, 7, doc.total, bold=True)
    row += 2
    for col, signer in ((2, doc.executor), (4, doc.secretary), (7, doc.head)):
        ws.cell(row=row, column=col, value=signer.title).font = BOLD
        ws.cell(row=row + 4, column=col, value=signer.name or "(.................................)")
    return _save(wb)


def rak_workbook(grid: RakGrid, doc_title: str, village_line: str) -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "RAK"
    start = _intro(ws, [doc_title.upper(), village_line])
    headers = [("Kegiatan", 12), ("Kode Rekening", 12), ("Uraian", 36), ("Anggaran (Rp)", 16)]
    headers += [(name, 13) for name in grid.month_names]
    headers += [(q, 14) for q in QUARTERS]
    headers += [("Jumlah (Rp)", 16)]
    _headers(ws, start, headers)
    row = start + 1
    for item in grid.rows:
        ws.cell(row=row, column=1, value=item.line.activity.activity_code.code)
        ws.cell(row=row, column=2, value=item.line.account.code)
        ws.cell(row=row, column=3, value=item.line.description)
        _money(ws, row, 4, item.line.amount)
        for i, value in enumerate([*item.months, *item.quarters, item.total]):
            _money(ws, row, 5 + i, value)
        row += 1
    ws.cell(row=row, column=3, value="JUMLAH").font = BOLD
    _money(ws, row, 4, grid.budget_total, bold=True)
    for i, value in enumerate([*grid.month_totals, *grid.quarter_totals, grid.planned_total]):
        _money(ws, row, 5 + i, value, bold=True)
    return _save(wb)
