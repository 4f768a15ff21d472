"""Spreadsheets for user management: the import template, reading an upload, the exports.

Only the sheet format lives here; what a row must contain is checked by
``services.users_import_check``. Workbooks are built in memory and returned as bytes:
nothing is written to disk (the password list above all).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kampung.accounts.roles import ROLE_LEVEL, Appointment, Role
from kampung.accounts.selectors_admin import UserRow
from kampung.accounts.services import (
    IMPORT_FIELDS,
    IMPORT_REQUIRED,
    MAX_IMPORT_ROWS,
    ImportedUser,
    UserImportRow,
)
from kampung.core.errors import KampungError
from kampung.core.formatting import tanggal
from kampung.regions.models import Level, Region

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A 2 MB .xlsx of plain text unpacks to a few tens of MB at most; more is a zip bomb.
_MAX_UNPACKED_BYTES = 60 * 1024 * 1024
_MAX_COLUMNS = 40
# Stop reading a sheet with endless empty (but formatted) rows instead of walking them all.
_MAX_SCANNED_ROWS = MAX_IMPORT_ROWS * 5 + 1000
IMPORT_SHEET = "Pengguna"
EXAMPLE_USERNAME = "contoh.operator"
_TEXT_COLUMNS = {"username", "phone", "staff_number", "region_code", "decree"}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBE4")


class SheetError(KampungError):
    """The upload as a whole cannot be read (not an .xlsx, too big, columns missing)."""


@dataclass(frozen=True)
class ParsedSheet:
    rows: list[UserImportRow]
    skipped_example: bool


def _normalise_header(value: Any) -> str:
    text = str(value or "").strip().lower().replace("*", "")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# A header matches a field by its label ("NIP/NIPD" -> nip_nipd) or by the field name itself.
_HEADER_KEYS: dict[str, str] = {}
for _field, _label in IMPORT_FIELDS.items():
    _HEADER_KEYS[_normalise_header(_label)] = _field
    _HEADER_KEYS[_normalise_header(_field)] = _field


def _header_label(field: str) -> str:
    label = IMPORT_FIELDS[field]
    return f"{label}*" if field in IMPORT_REQUIRED else label


def _style_header(ws: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def _to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def import_template(*, regions: Sequence[Region]) -> bytes:
    """The template: the header row and one example row, a sheet of role codes, a sheet of
    the admin's region codes, and short instructions."""
    example_region = next((r for r in regions if r.level == Level.VILLAGE), None)
    example = {
        "username": EXAMPLE_USERNAME,
        "full_name": "Siti Aminah",
        "email": "siti.aminah@example.org",
        "phone": "081234567890",
        "position_title": "Operator Desa",
        "staff_number": "",
        "role": Role.OPERATOR.value,
        "region_code": example_region.code if example_region else "35.10.01.2001",
        "valid_from": dt.date(2025, 1, 2),
        "appointment": Appointment.DEFINITIVE.value,
        "decree": "SK Kepala Desa No. 141/12/2025",
    }
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = IMPORT_SHEET
    fields = list(IMPORT_FIELDS)
    ws.append([_header_label(f) for f in fields])
    ws.append([example[f] for f in fields])
    for index, field in enumerate(fields, start=1):
        letter = get_column_letter(index)
        if field in _TEXT_COLUMNS:
            # Text, so Excel keeps a NIP's 18 digits, a phone's leading zero and "35.10" as typed.
            ws.column_dimensions[letter].number_format = "@"
            ws[f"{letter}2"].number_format = "@"
        if field == "valid_from":
            ws[f"{letter}2"].number_format = "yyyy-mm-dd"
    _style_header(ws, [22, 28, 28, 16, 24, 22, 18, 16, 15, 16, 30])

    roles = wb.create_sheet("Peran")
    roles.append(["Kode peran", "Nama peran", "Ditugaskan di tingkat"])
    for role in Role:
        roles.append([role.value, str(role.label), Level(ROLE_LEVEL[role]).label])
    roles.append([])
    roles.append(["Jenis penugasan", "Keterangan"])
    for item in Appointment:
        roles.append([item.value, str(item.label)])
    _style_header(roles, [18, 28, 24])

    places = wb.create_sheet("Wilayah")
    places.append(["Kode wilayah", "Nama", "Tingkat"])
    for region in regions:
        places.append([region.code, str(region), region.get_level_display()])
    _style_header(places, [16, 36, 18])

    notes = wb.create_sheet("Petunjuk")
    for line in (
        "Cara mengisi:",
        f"1. Isi lembar '{IMPORT_SHEET}' mulai baris 2, satu baris untuk satu pengguna. Paling banyak "
        f"{MAX_IMPORT_ROWS} baris.",
        "2. Kolom bertanda * wajib diisi. Jangan mengubah judul kolom.",
        "3. Peran: tulis kodenya dari lembar 'Peran' (misalnya operator, sekdes, kades, camat).",
        "4. Kode wilayah: dari lembar 'Wilayah'; tingkatnya harus sesuai peran "
        "(peran desa di desa/kelurahan, camat di kecamatan).",
        "5. Berlaku mulai: tanggal seperti 2025-01-31 atau 31/01/2025; kosong berarti hari ini.",
        "6. Jenis penugasan: definitif, plt atau pj; kosong berarti definitif.",
        f"7. Baris contoh (nama pengguna {EXAMPLE_USERNAME}) diabaikan saat impor; boleh dihapus.",
        "8. Jika ada satu baris saja yang salah, tidak ada pengguna yang dibuat. Perbaiki lalu unggah ulang.",
        "9. Setelah impor berhasil, setiap pengguna mendapat kata sandi sekali pakai yang wajib diganti.",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    return _to_bytes(wb)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _cell_date(value: Any) -> dt.date | str | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell_text(value)
    return text or None


def _open_workbook(data: bytes) -> Any:
    not_xlsx = SheetError(
        "Berkas bukan file Excel .xlsx yang sah. Simpan ulang sebagai 'Excel Workbook (.xlsx)' "
        "(bukan .xls, .csv atau .ods) lalu unggah lagi."
    )
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise not_xlsx
    try:
        with zipfile.ZipFile(buffer) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise not_xlsx from exc
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise not_xlsx
    if len(infos) > 500 or sum(info.file_size for info in infos) > _MAX_UNPACKED_BYTES:
        raise SheetError("Isi berkas terlalu besar untuk diimpor. Kirim hanya data pengguna.")
    buffer.seek(0)
    try:
        return load_workbook(buffer, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key, value) for a broken file
        raise not_xlsx from exc


def read_import_sheet(upload: IO[bytes], *, size: int) -> ParsedSheet:
    """Rows of the first sheet (or the one named 'Pengguna'), matched to fields by header.

    Raises :class:`SheetError` for anything that is not a readable .xlsx within the limits
    or lacks a required column; the content of each row is checked by the service.
    """
    if size > MAX_UPLOAD_BYTES:
        raise SheetError(f"Ukuran berkas paling besar {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetError(f"Ukuran berkas paling besar {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data:
        raise SheetError("Berkas kosong.")
    wb = _open_workbook(data)
    try:
        return _read_rows(wb)
    except SheetError:
        raise
    except Exception as exc:  # a malformed sheet can fail while streaming, not only on open
        raise SheetError(
            "Isi berkas tidak dapat dibaca. Simpan ulang sebagai .xlsx lalu unggah lagi."
        ) from exc
    finally:
        wb.close()


def _read_rows(wb: Any) -> ParsedSheet:
    sheets = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        raise SheetError("Berkas tidak berisi lembar kerja.")
    ws = next((s for s in sheets if s.title == IMPORT_SHEET), sheets[0])
    lines = ws.iter_rows(max_col=_MAX_COLUMNS, values_only=True)
    header = next(lines, None)
    if header is None or not any(v not in (None, "") for v in header):
        raise SheetError("Baris pertama harus berisi judul kolom seperti pada templat.")
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        field = _HEADER_KEYS.get(_normalise_header(value))
        if field is None:
            continue
        if field in positions:
            raise SheetError(f"Kolom '{IMPORT_FIELDS[field]}' muncul dua kali di baris judul.")
        positions[field] = index
    missing = [IMPORT_FIELDS[f] for f in IMPORT_REQUIRED if f not in positions]
    if missing:
        raise SheetError(
            "Kolom wajib tidak ada: "
            + ", ".join(missing)
            + ". Gunakan templat impor dan jangan mengubah judul kolom."
        )
    rows: list[UserImportRow] = []
    skipped_example = False
    for number, values in enumerate(lines, start=2):
        if number > _MAX_SCANNED_ROWS:
            raise SheetError(f"Lembar terlalu panjang: paling banyak {MAX_IMPORT_ROWS} baris data.")
        if not any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in values):
            continue

        def cell(field: str, _values: tuple[Any, ...] = values) -> Any:
            index = positions.get(field)
            return _values[index] if index is not None and index < len(_values) else None

        texts = {f: _cell_text(cell(f)) for f in IMPORT_FIELDS if f != "valid_from"}
        if texts["username"].lower() == EXAMPLE_USERNAME:
            skipped_example = True
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise SheetError(
                f"Berkas berisi lebih dari {MAX_IMPORT_ROWS} baris data. Bagi menjadi beberapa berkas lalu impor satu per satu."
            )
        rows.append(UserImportRow(number=number, valid_from=_cell_date(cell("valid_from")), **texts))
    if not rows:
        raise SheetError(f"Tidak ada baris data. Isi data pengguna mulai baris 2 lembar '{ws.title}'.")
    return ParsedSheet(rows=rows, skipped_example=skipped_example)


def _append_as_data(ws: Worksheet, row: Sequence[Any]) -> None:
    """Append values as data: openpyxl stores any text starting with "=" as a formula, so a
    name typed as "=HYPERLINK(...)" would run in the reader's Excel. Keep such text as text."""
    ws.append(list(row))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _workbook(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(list(headers))
    for row in rows:
        _append_as_data(ws, row)
    _style_header(ws, widths)
    return _to_bytes(wb)


def _roles_text(row: UserRow) -> str:
    parts = []
    for held in row.roles:
        suffix = f" ({held.appointment_short})" if held.appointment_short else ""
        parts.append(f"{held.label}{suffix} — {held.region} ({held.region.code})")
    return "; ".join(parts)


def users_export(rows: Iterable[UserRow]) -> bytes:
    """The filtered user list, one user a row, with the roles they hold today."""
    headers = [
        "Nama pengguna",
        "Nama lengkap",
        "Jabatan",
        "NIP/NIPD",
        "Surel",
        "Telepon",
        "Peran dan wilayah (aktif)",
        "Status",
        "Wajib ganti sandi",
        "Terakhir masuk",
    ]
    data = (
        [
            r.user.username,
            r.user.full_name,
            r.user.position_title,
            r.user.staff_number,
            r.user.email,
            r.user.phone,
            _roles_text(r),
            "Aktif" if r.user.is_active else "Nonaktif",
            "Ya" if r.user.must_change_password else "Tidak",
            tanggal(timezone.localtime(r.user.last_login).date()) if r.user.last_login else "",
        ]
        for r in rows
    )
    return _workbook("Pengguna", headers, data, [22, 28, 24, 22, 28, 16, 60, 10, 16, 18])


def passwords_export(created: Iterable[ImportedUser]) -> bytes:
    """The one-time passwords of an import, to hand over. Built in memory for one response."""
    headers = ["Baris", "Nama pengguna", "Nama lengkap", "Peran", "Wilayah", "Kata sandi sekali pakai"]
    data = (
        [c.row, c.user.username, c.user.full_name, c.role_label, f"{c.region} ({c.region.code})", c.password]
        for c in created
    )
    return _workbook("Kata sandi", headers, data, [8, 22, 28, 22, 36, 24])
