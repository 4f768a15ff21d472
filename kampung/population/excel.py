"""The Excel export of a filtered resident list (one resident a row).

Built in memory with openpyxl's write-only workbook (up to 50,000 rows without holding every
cell object at once) and returned as bytes; nothing is written to disk. NIK and KK numbers
are whole only for the villages in ``full_villages`` (the viewer's own village staff), masked
for everyone else, and stored as text so Excel keeps all 16 digits.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kampung.population import codes
from kampung.population.checks import mask_nik
from kampung.population.models import Resident

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Penduduk"
HEADERS = (
    ("NIK", 20),
    ("Nomor KK", 20),
    ("Nama", 30),
    ("Jenis kelamin", 13),
    ("Tempat lahir", 18),
    ("Tanggal lahir", 13),
    ("Umur", 7),
    ("Agama", 12),
    ("Status perkawinan", 16),
    ("Hubungan dalam keluarga", 20),
    ("Pendidikan (dalam KK)", 24),
    ("Pekerjaan", 26),
    ("Kewarganegaraan", 14),
    ("Desa/kelurahan", 22),
    ("Dusun", 16),
    ("RW", 5),
    ("RT", 5),
    ("Status", 12),
    ("Perlu diperiksa", 14),
)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBE4")


def _age(birth_date: dt.date, today: dt.date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _cell(ws: WriteOnlyWorksheet, value: Any, *, text: bool = False, date: bool = False) -> Any:
    """A plain value where it can be (fast), a styled cell where Excel needs a format."""
    formula_like = isinstance(value, str) and value.startswith("=")
    if not (text or date or formula_like):
        return value
    cell = WriteOnlyCell(ws, value=value)
    if formula_like:
        # Text typed as "=HYPERLINK(...)" stays text, never a formula run in the reader's Excel.
        cell.data_type = "s"
    if text:
        cell.number_format = "@"
    if date:
        cell.number_format = "dd-mm-yyyy"
    return cell


def _row(ws: WriteOnlyWorksheet, r: Resident, *, full: bool, today: dt.date) -> list[Any]:
    kk = r.family.kk_number if r.family else ""
    return [
        _cell(ws, r.nik if full else mask_nik(r.nik), text=True),
        _cell(ws, (kk if full else mask_nik(kk)) if kk else "", text=True),
        _cell(ws, r.name),
        _cell(ws, codes.field_label("sex", r.sex)),
        _cell(ws, r.birth_place),
        _cell(ws, r.birth_date, date=True),
        _cell(ws, _age(r.birth_date, today)),
        _cell(ws, codes.field_label("religion", r.religion)),
        _cell(ws, codes.field_label("marital_status", r.marital_status)),
        _cell(ws, codes.field_label("family_relation", r.family_relation)),
        _cell(ws, codes.field_label("education", r.education)),
        _cell(ws, codes.field_label("occupation", r.occupation)),
        _cell(ws, codes.field_label("citizenship", r.citizenship)),
        _cell(ws, str(r.village)),
        _cell(ws, r.dusun),
        _cell(ws, r.rw, text=True),
        _cell(ws, r.rt, text=True),
        _cell(ws, r.get_basic_status_display()),
        _cell(ws, "Ya" if r.needs_review else "Tidak"),
    ]


def residents_export(residents: Iterable[Resident], *, full_villages: Sequence[str] | set[str]) -> bytes:
    """The residents as one sheet; the caller has capped the number of rows."""
    full = set(full_villages)
    today = timezone.localdate()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    for index, (_title, width) in enumerate(HEADERS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    header = []
    for title, _width in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    ws.append(header)
    for resident in residents:
        ws.append(_row(ws, resident, full=resident.village_id in full, today=today))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
