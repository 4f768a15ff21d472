"""Excel of the asset register (Buku Inventaris dan Kekayaan Desa) and PDF + Excel of the
year-end Laporan Kekayaan Milik Desa (part of the LPJ package, Permendagri 20/2018 Pasal 70)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment

from kampung.core.pdf import PdfResult, render_pdf
from kampung.finance.models import Asset
from kampung.finance.outputs.documents import head_signer, kop_for, secretary_signer
from kampung.finance.outputs.excel import BOLD, _headers, _intro, _money, _save
from kampung.finance.selectors.assets import AssetReport
from kampung.regions.models import Region


def report_title(year: int) -> str:
    return f"Laporan Kekayaan Milik Desa per 31 Desember {year}"


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _region_line(village: Region) -> str:
    kop = kop_for(village)
    return f"Desa {village.name}, Kecamatan {kop['district']}, {kop['regency']}"


def register_workbook(village: Region, assets: Iterable[Asset]) -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "Inventaris"
    start = _intro(ws, ["BUKU INVENTARIS DAN KEKAYAAN DESA", _region_line(village)])
    _headers(
        ws,
        start,
        [
            ("No", 6),
            ("Golongan", 22),
            ("Kode barang", 14),
            ("Nama barang", 36),
            ("Jumlah", 9),
            ("Satuan", 9),
            ("Tanggal perolehan", 14),
            ("Asal", 22),
            ("Nilai perolehan (Rp)", 18),
            ("Kondisi", 12),
            ("Lokasi", 22),
            ("Rekening", 12),
            ("Dihapus tanggal", 14),
            ("Alasan penghapusan", 28),
            ("Keterangan", 28),
        ],
    )
    row = start + 1
    for number, asset in enumerate(assets, start=1):
        values = [
            number,
            asset.get_category_display(),
            asset.code,
            asset.name,
            float(asset.quantity),
            asset.unit,
            asset.acquired_on,
            asset.get_origin_display(),
            None,
            asset.get_condition_display(),
            asset.location,
            asset.account_code,
            asset.removed_on,
            asset.removal_reason,
            asset.notes,
        ]
        for col, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = ws.cell(row=row, column=col, value=_safe(value))
            if col in (7, 13):
                cell.number_format = "DD-MM-YYYY"
        _money(ws, row, 9, asset.value)
        row += 1
    return _save(wb)


def report_workbook(report: AssetReport, village: Region) -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = f"Kekayaan {report.year}"
    start = _intro(ws, [report_title(report.year).upper(), _region_line(village)])
    _headers(
        ws,
        start,
        [
            ("No", 6),
            ("Golongan aset", 34),
            ("Saldo 1 Januari (Rp)", 20),
            ("Penambahan (Rp)", 18),
            ("Pengurangan (Rp)", 18),
            (f"Saldo 31 Desember {report.year} (Rp)", 22),
            ("Jumlah barang", 12),
        ],
    )
    row = start + 1
    for number, item in enumerate(report.rows, start=1):
        ws.cell(row=row, column=1, value=number)
        ws.cell(row=row, column=2, value=item.label)
        _money(ws, row, 3, item.opening)
        _money(ws, row, 4, item.additions)
        _money(ws, row, 5, item.removals)
        _money(ws, row, 6, item.closing)
        ws.cell(row=row, column=7, value=item.closing_count)
        row += 1
    ws.cell(row=row, column=2, value="JUMLAH").font = BOLD
    _money(ws, row, 3, report.total.opening, bold=True)
    _money(ws, row, 4, report.total.additions, bold=True)
    _money(ws, row, 5, report.total.removals, bold=True)
    _money(ws, row, 6, report.total.closing, bold=True)
    ws.cell(row=row, column=7, value=report.total.closing_count).font = BOLD
    for title, items in (("Penambahan", report.items_added), ("Pengurangan", report.items_removed)):
        row += 2
        ws.cell(row=row, column=1, value=f"Rincian {title.lower()} {report.year}").font = BOLD
        row += 1
        if not items:
            ws.cell(row=row, column=2, value="Tidak ada.")
            continue
        for asset in items:
            ws.cell(
                row=row, column=2, value=_safe(f"{asset.name} ({asset.get_category_display()})")
            ).alignment = Alignment(wrap_text=True)
            day = asset.acquired_on if title == "Penambahan" else asset.removed_on
            cell = ws.cell(row=row, column=3, value=day)
            cell.number_format = "DD-MM-YYYY"
            _money(ws, row, 4, asset.value)
            if title == "Pengurangan":
                ws.cell(row=row, column=5, value=_safe(asset.removal_reason))
            row += 1
    return _save(wb)


def report_pdf(report: AssetReport, village: Region) -> PdfResult:
    return render_pdf(
        "finance/assets/print_report.html",
        {
            "report": report,
            "village": village,
            "kop": kop_for(village),
            "title": report_title(report.year),
            "head": head_signer(village),
            "secretary": secretary_signer(village),
            "paper": "F4",
            "orientation": "portrait",
            "footer_left": (
                f"{report_title(report.year)} — Desa {village.name} — dicetak {timezone.localtime():%d-%m-%Y %H.%M}"
            ),
        },
    )
