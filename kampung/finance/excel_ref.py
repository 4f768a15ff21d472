"""Excel templates, exports and upload parsing for the SSH list and the ceilings (pagu indikatif).

Uploads are read here into plain rows (``(row number, {header: value})``); the services check
every row and write all or nothing. Cells that look like formulas are written as text.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kampung.core.errors import KampungError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

SSH_HEADERS: tuple[tuple[str, int], ...] = (
    ("Kode", 16),
    ("Uraian", 40),
    ("Spesifikasi", 30),
    ("Satuan", 10),
    ("Harga satuan", 16),
    ("Kode rekening", 14),
    ("Aktif", 8),
)
CEILING_FIXED_HEADERS: tuple[tuple[str, int], ...] = (("Kode desa", 16), ("Nama desa", 26), ("Kecamatan", 20))

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBE4")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def build_workbook(title: str, headers: Sequence[tuple[str, int]], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    for col, (name, width) in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=_safe(value))
            if isinstance(value, Decimal):
                cell.number_format = "#,##0"
            elif c == 1:
                cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ssh_workbook(items: Iterable[Any]) -> bytes:
    """The SSH list (export), or an empty template when ``items`` is empty."""
    rows = (
        (i.code, i.name, i.specification, i.unit, i.price, i.account_code, "ya" if i.active else "tidak")
        for i in items
    )
    return build_workbook("SSH", SSH_HEADERS, rows)


def ceiling_headers(source_codes: Sequence[str]) -> list[tuple[str, int]]:
    return [*CEILING_FIXED_HEADERS, *((code, 18) for code in source_codes)]


def ceiling_workbook(grid: Any, *, blank: bool = False) -> bytes:
    """The regency's desa with a column per transfer source; pre-filled codes and names, and the
    current amounts unless ``blank``."""
    headers = ceiling_headers([s.code for s in grid.sources])
    rows = []
    for row in grid.rows:
        amounts = [None] * len(grid.sources) if blank else row.amounts
        rows.append(
            [
                row.village.code,
                row.village.name,
                row.village.parent.name if row.village.parent else "",
                *amounts,
            ]
        )
    return build_workbook(f"Pagu {grid.year}", headers, rows)


def read_upload(upload: Any, *, required: Sequence[str]) -> list[tuple[int, dict[str, Any]]]:
    """The data rows of the first sheet, keyed by header (case-insensitive), with their Excel row
    numbers; blank rows skipped. Raises :class:`KampungError` for a file that is not a usable .xlsx."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise KampungError("Berkas harus berformat Excel .xlsx (unduh templatnya).")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise KampungError("Berkas terlalu besar (paling banyak 5 MB).")
    try:
        data = upload.read()
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError) as exc:
        raise KampungError("Berkas tidak dapat dibaca sebagai Excel .xlsx.") from exc
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        raise KampungError("Berkas Excel tidak memiliki lembar kerja.")
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if not header_row:
        raise KampungError("Baris judul kolom tidak ditemukan (baris 1).")
    headers = [str(h).strip().lower() if h is not None else "" for h in header_row]
    missing = [r for r in required if r.lower() not in headers]
    if missing:
        raise KampungError("Kolom tidak ditemukan di baris 1: " + ", ".join(missing) + " (gunakan templat).")
    result = []
    for number, values in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise KampungError(f"Terlalu banyak baris (paling banyak {MAX_ROWS}).")
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        record = {headers[i]: v for i, v in enumerate(values) if i < len(headers) and headers[i]}
        result.append((number, record))
    wb.close()
    return result


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s[1:] if s.startswith("'") else s


def amount(value: Any) -> Decimal | None:
    """A non-negative amount from a cell (number, or text with Indonesian thousands dots);
    ``None`` when it is blank or not a number. Negative numbers are returned for the caller to refuse."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            return None
    else:
        s = str(value).strip().replace("Rp", "").replace(" ", "")
        if "," in s:
            s = s.replace(".", "").replace(",", ".")
        elif s.count(".") >= 1 and all(len(p) == 3 for p in s.split(".")[1:]):
            s = s.replace(".", "")
        try:
            result = Decimal(s)
        except InvalidOperation:
            return None
    if not result.is_finite():
        return None
    return result.quantize(Decimal("0.01"))
