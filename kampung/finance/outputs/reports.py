"""PDF (F4) and Excel versions of the realisation reports: the LRA (Permendagri 20/2018
layout: Kode Rekening, Uraian, Anggaran, Realisasi, Lebih/(Kurang), %; signed by the Kepala
Desa), the activity realisation, the LPJ package (LRA of the year, activity realisation,
SiLPA per source and the asset report) and the district/regency realisation summary.

Every figure comes from :mod:`kampung.finance.selectors.realisation`, so the page, the PDF and
the workbook cannot disagree.
"""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from kampung.core.formatting import tanggal
from kampung.core.pdf import PdfResult, render_pdf
from kampung.finance.outputs.documents import head_signer, kop_for, treasurer_signer
from kampung.finance.outputs.excel import BOLD, HEADER_FILL, XLSX_CONTENT_TYPE, _intro, _money, _save
from kampung.finance.selectors.realisation import (
    DETAIL,
    GROUP,
    HEAD,
    TOTAL,
    ActivityRealisation,
    Lra,
    RegencyRealisation,
    activity_realisation,
    lra,
    silpa_by_source,
)
from kampung.regions.models import Region

PERCENT = "0.00"


# -- the LPJ package ------------------------------------------------------------------------------


def asset_report_or_none(village_code: str, year: int) -> Any | None:
    """Part D's Laporan Kekayaan Milik Desa, or None when that module is not installed."""
    try:
        module = importlib.import_module("kampung.finance.selectors.assets")
    except ImportError:
        return None
    builder = getattr(module, "asset_report", None)
    return builder(village_code, year) if builder is not None else None


class LpjPackage:
    """Everything the LPJ carries: the year's LRA, the activity realisation, SiLPA per source
    and the asset report."""

    def __init__(self, village_code: str, year: int) -> None:
        self.year = year
        self.lra: Lra = lra(village_code, year)
        self.village: Region = self.lra.village
        self.activities: ActivityRealisation = activity_realisation(village_code, year)
        self.silpa: dict[str, Decimal] = silpa_by_source(village_code, year)
        self.assets = asset_report_or_none(village_code, year)

    @property
    def silpa_total(self) -> Decimal:
        return sum(self.silpa.values(), Decimal("0"))


def _footer(title: str, village: Region) -> str:
    return f"{title} — Desa {village.name} — dicetak {timezone.localtime():%d-%m-%Y %H.%M}"


def _signers(village: Region) -> dict[str, Any]:
    return {
        "head": head_signer(village),
        "treasurer": treasurer_signer(village),
        "place_date": f"{village.name}, {tanggal(timezone.localdate())}",
    }


def _report_pdf(
    template: str, village: Region, title: str, orientation: str, context: dict[str, Any]
) -> PdfResult:
    """Render a report of ``village`` on F4 paper with its kop, footer and signers."""
    return render_pdf(
        template,
        {
            **context,
            "kop": kop_for(village),
            "title": title,
            "paper": "F4",
            "orientation": orientation,
            "footer_left": _footer(title, village),
            **_signers(village),
        },
    )


def lra_pdf(report: Lra) -> PdfResult:
    return _report_pdf(
        "finance/reports/print_lra.html",
        report.village,
        "Laporan Realisasi Pelaksanaan APBDes",
        "portrait",
        {"r": report},
    )


def activities_pdf(result: ActivityRealisation) -> PdfResult:
    return _report_pdf(
        "finance/reports/print_activities.html",
        result.village,
        "Laporan Realisasi Kegiatan",
        "landscape",
        {"a": result},
    )


def lpj_pdf(package: LpjPackage) -> PdfResult:
    return _report_pdf(
        "finance/reports/print_lpj.html",
        package.village,
        f"LPJ Realisasi Pelaksanaan APBDes {package.year}",
        "portrait",
        {"p": package, "r": package.lra, "a": package.activities},
    )


# -- Excel -----------------------------------------------------------------------------------------


def _workbook(title: str) -> tuple[Workbook, Any]:
    """A new workbook and its first sheet, named ``title``."""
    wb = Workbook()
    ws: Any = wb.active
    ws.title = title
    return wb, ws


def _headers(ws: Any, row: int, headers: list[tuple[str, int]], *, freeze: int = 0) -> None:
    """Column headers on ``row`` (label, width); with ``freeze`` the rows above the first
    entry and the columns before ``freeze`` stay in view."""
    for col, (label, width) in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    if freeze:
        ws.freeze_panes = ws.cell(row=row + 1, column=freeze)


def _percent(ws: Any, row: int, col: int, value: Decimal | None) -> None:
    if value is None:
        return
    cell = ws.cell(row=row, column=col, value=float(value))
    cell.number_format = PERCENT


def _place(village: Region) -> str:
    kop = kop_for(village)
    return f"Desa {village.name}, Kecamatan {kop['district']}, {kop['regency']}"


def _lra_figures(ws: Any, r: int, row: Any, *, bold: bool = False) -> None:
    """An LRA row's Anggaran, Realisasi, Lebih/(Kurang) and % columns."""
    _money(ws, r, 3, row.budget, bold=bold)
    _money(ws, r, 4, row.realised, bold=bold)
    _money(ws, r, 5, row.difference, bold=bold)
    _percent(ws, r, 6, row.percent)


def _lra_sheet(ws: Any, report: Lra) -> None:
    title = "LAPORAN REALISASI PELAKSANAAN APBDes"
    if report.source:
        title += f" — SUMBER DANA {report.source_label.upper()}"
    start = _intro(ws, [title, report.period_label, _place(report.village)])
    _headers(
        ws,
        start,
        [
            ("Kode Rekening", 14),
            ("Uraian", 60),
            ("Anggaran (Rp)", 18),
            ("Realisasi (Rp)", 18),
            ("Lebih/(Kurang) (Rp)", 18),
            ("%", 9),
        ],
        freeze=1,
    )
    r = start + 1
    for row in report.rows:
        bold = row.kind in (HEAD, GROUP, TOTAL)
        ws.cell(row=r, column=1, value=row.code)
        name = ws.cell(row=r, column=2, value=("  " * row.depth) + row.name)
        if bold:
            name.font = BOLD
        if row.key != "blank":
            _lra_figures(ws, r, row, bold=bold)
        r += 1
    r += 1
    ws.cell(row=r, column=2, value="Belanja menurut jenis").font = BOLD
    r += 1
    for row in report.spending_by_jenis:
        ws.cell(row=r, column=1, value=row.code)
        ws.cell(row=r, column=2, value=("  " * (row.depth - 1)) + row.name)
        _lra_figures(ws, r, row)
        r += 1


def lra_workbook(report: Lra) -> bytes:
    wb, ws = _workbook("LRA Semester I" if report.semester else "LRA")
    _lra_sheet(ws, report)
    return _save(wb)


def _activities_sheet(ws: Any, result: ActivityRealisation) -> None:
    start = _intro(
        ws, ["LAPORAN REALISASI KEGIATAN", f"Tahun Anggaran {result.year}", _place(result.village)]
    )
    _headers(
        ws,
        start,
        [
            ("Kode", 11),
            ("Kegiatan", 48),
            ("Pelaksana", 22),
            ("Anggaran (Rp)", 18),
            ("Realisasi (Rp)", 18),
            ("Sisa (Rp)", 18),
            ("% Realisasi", 10),
            ("Target keluaran", 12),
            ("Satuan", 10),
            ("Keluaran terealisasi", 12),
            ("% Keluaran", 10),
            ("Kemajuan (%)", 10),
            ("Laporan terakhir", 14),
        ],
        freeze=1,
    )
    r = start + 1
    for row in result.rows:
        ws.cell(row=r, column=1, value=row.code)
        ws.cell(row=r, column=2, value=row.name)
        ws.cell(row=r, column=3, value=row.executor)
        _money(ws, r, 4, row.budget)
        _money(ws, r, 5, row.realised)
        _money(ws, r, 6, row.remaining)
        _percent(ws, r, 7, row.percent)
        ws.cell(row=r, column=8, value=float(row.output_volume) if row.output_volume else None)
        ws.cell(row=r, column=9, value=row.output_unit)
        ws.cell(
            row=r, column=10, value=float(row.output_realised) if row.output_realised is not None else None
        )
        _percent(ws, r, 11, row.output_percent)
        _percent(ws, r, 12, row.progress)
        ws.cell(row=r, column=13, value=tanggal(row.last_report) if row.last_report else "")
        r += 1
    ws.cell(row=r, column=2, value="JUMLAH").font = BOLD
    _money(ws, r, 4, result.budget, bold=True)
    _money(ws, r, 5, result.realised, bold=True)
    _money(ws, r, 6, result.budget - result.realised, bold=True)
    _percent(ws, r, 7, result.percent)


def activities_workbook(result: ActivityRealisation) -> bytes:
    wb, ws = _workbook("Realisasi Kegiatan")
    _activities_sheet(ws, result)
    return _save(wb)


def lpj_workbook(package: LpjPackage) -> bytes:
    wb, ws = _workbook("LRA")
    _lra_sheet(ws, package.lra)
    _activities_sheet(wb.create_sheet("Realisasi Kegiatan"), package.activities)
    silpa: Any = wb.create_sheet("SiLPA")
    start = _intro(
        silpa, ["SiLPA PER SUMBER DANA", f"Tahun Anggaran {package.year}", _place(package.village)]
    )
    _headers(silpa, start, [("Sumber dana", 16), ("SiLPA (Rp)", 20)])
    r = start + 1
    for code, amount in package.silpa.items():
        silpa.cell(row=r, column=1, value=code or "(tanpa sumber)")
        _money(silpa, r, 2, amount)
        r += 1
    silpa.cell(row=r, column=1, value="JUMLAH").font = BOLD
    _money(silpa, r, 2, package.silpa_total, bold=True)
    assets: Any = wb.create_sheet("Kekayaan Desa")
    start = _intro(
        assets, ["LAPORAN KEKAYAAN MILIK DESA", f"per 31 Desember {package.year}", _place(package.village)]
    )
    if package.assets is None:
        assets.cell(row=start, column=1, value="Laporan kekayaan milik desa belum tersedia.")
    else:
        _headers(
            assets,
            start,
            [
                ("Golongan", 34),
                ("Saldo awal (Rp)", 18),
                ("Penambahan (Rp)", 18),
                ("Pengurangan (Rp)", 18),
                ("Saldo akhir (Rp)", 18),
            ],
        )
        r = start + 1
        for row in [*package.assets.rows, package.assets.total]:
            assets.cell(row=r, column=1, value=row.label)
            for col, value in enumerate((row.opening, row.additions, row.removals, row.closing), start=2):
                _money(assets, r, col, value, bold=row is package.assets.total)
            r += 1
    return _save(wb)


def regency_workbook(result: RegencyRealisation) -> bytes:
    wb, ws = _workbook("Realisasi APBDes")
    start = _intro(ws, [f"REALISASI APBDes {result.year}", str(result.root.name)])
    _headers(
        ws,
        start,
        [
            ("Kode", 14),
            ("Desa", 24),
            ("Kecamatan", 12),
            ("Anggaran pendapatan", 18),
            ("Realisasi pendapatan", 18),
            ("% pendapatan", 10),
            ("Anggaran belanja", 18),
            ("Realisasi belanja", 18),
            ("% belanja", 10),
            ("Dana Desa diterima", 18),
            ("Dana Desa dibelanjakan", 18),
            ("Kas + bank", 18),
            ("Ditutup sampai", 12),
            ("Laporan semester I", 14),
            ("LPJ", 14),
        ],
        freeze=3,
    )
    r = start + 1
    for row in result.villages:
        ws.cell(row=r, column=1, value=row.code)
        ws.cell(row=r, column=2, value=row.name)
        ws.cell(row=r, column=3, value=row.district_code)
        _money(ws, r, 4, row.revenue.budget)
        _money(ws, r, 5, row.revenue.realised)
        _percent(ws, r, 6, row.revenue.percent)
        _money(ws, r, 7, row.spending.budget)
        _money(ws, r, 8, row.spending.realised)
        _percent(ws, r, 9, row.spending.percent)
        _money(ws, r, 10, row.dd_received)
        _money(ws, r, 11, row.dd_spent)
        _money(ws, r, 12, row.cash_bank)
        ws.cell(row=r, column=13, value=row.closed_label)
        ws.cell(row=r, column=14, value=tanggal(row.semester_on) if row.semester_on else "belum")
        ws.cell(row=r, column=15, value=tanggal(row.lpj_on) if row.lpj_on else "belum")
        r += 1
    t = result.total
    ws.cell(row=r, column=2, value="JUMLAH").font = BOLD
    _money(ws, r, 4, t.revenue_budget, bold=True)
    _money(ws, r, 5, t.revenue_realised, bold=True)
    _percent(ws, r, 6, t.revenue_percent)
    _money(ws, r, 7, t.spending_budget, bold=True)
    _money(ws, r, 8, t.spending_realised, bold=True)
    _percent(ws, r, 9, t.spending_percent)
    _money(ws, r, 10, t.dd_received, bold=True)
    _money(ws, r, 11, t.dd_spent, bold=True)
    _money(ws, r, 12, t.cash_bank, bold=True)
    return _save(wb)


__all__ = [
    "DETAIL",
    "LpjPackage",
    "XLSX_CONTENT_TYPE",
    "activities_pdf",
    "activities_workbook",
    "lpj_pdf",
    "lpj_workbook",
    "lra_pdf",
    "lra_workbook",
    "regency_workbook",
]
