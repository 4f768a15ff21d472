"""The blank import templates offered for download: .xlsx (with the code lists) and .csv."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kampung.population.importing.layouts import KAMPUNG_COLUMNS, LIST_LABELS, code_lists

DATA_SHEET_TITLE = "Data Penduduk"
CODES_SHEET_TITLE = "Kode Data"
HELP_SHEET_TITLE = "Petunjuk"
TEXT_FORMAT = "@"


def template_headers() -> list[str]:
    return [c.label for c in KAMPUNG_COLUMNS]


def template_csv() -> bytes:
    """The header row of our template as CSV (UTF-8 with BOM, so Excel reads it correctly)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(template_headers())
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """Three sheets: the empty data sheet (NIK/KK/RT/RW cells formatted as text, so Excel keeps
    all 16 digits and leading zeros), the code lists, and what to write in each column."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = DATA_SHEET_TITLE
    data.append(template_headers())
    bold = Font(bold=True)
    for index, column in enumerate(KAMPUNG_COLUMNS, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = bold
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = max(12, len(column.label) + 4)
        if column.kind in ("nik", "kk", "area"):
            data.column_dimensions[letter].number_format = TEXT_FORMAT
            for row in range(2, 1002):
                data.cell(row=row, column=index).number_format = TEXT_FORMAT
    data.freeze_panes = "A2"

    codes = workbook.create_sheet(CODES_SHEET_TITLE)
    codes.append(["Daftar", "Kolom", "Kode", "Nama"])
    for cell in codes[1]:
        cell.font = bold
    column_of = {c.codes: c.label for c in KAMPUNG_COLUMNS if c.codes}
    lists = code_lists()
    for daftar, label in LIST_LABELS.items():
        if daftar not in column_of:
            continue
        for code, name in sorted(lists[daftar].items()):
            codes.append([label, column_of[daftar], code, name])
    for letter, width in zip("ABCD", (24, 24, 8, 48), strict=True):
        codes.column_dimensions[letter].width = width

    guide = workbook.create_sheet(HELP_SHEET_TITLE)
    guide.append(["Kolom", "Wajib", "Isi"])
    for cell in guide[1]:
        cell.font = bold
    for column in KAMPUNG_COLUMNS:
        what = column.hint
        if column.codes:
            what = (what + "; " if what else "") + "kode atau nama dari lembar Kode Data"
        guide.append([column.label, "ya" if column.required else "", what])
    guide.append([])
    guide.append(
        ["Satu baris satu penduduk. Isi data mulai baris 2 lembar Data Penduduk; jangan ubah judul kolom."]
    )
    guide.append(
        ["Satu kesalahan saja membuat seluruh berkas ditolak; semua kesalahan ditampilkan sekaligus."]
    )
    for letter, width in zip("ABC", (26, 8, 80), strict=True):
        guide.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
