"""Reading an import file (.xlsx or .csv) into a header row and numbered data rows.

Excel files are read with python-calamine (a Rust reader, many times faster than openpyxl
on 100,000 rows). CSV may be UTF-8 with or without a byte-order mark, comma or semicolon
separated (the separator is sniffed from the header line, as Excel in Indonesian locales
writes semicolons).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, load_workbook

from kampung.core.errors import KampungError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
SUFFIXES = EXCEL_SUFFIXES + CSV_SUFFIXES
DATA_SHEET = "data penduduk"


@dataclass
class Table:
    """The header and the data rows; ``rows`` are (spreadsheet row number, cells)."""

    headers: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    sheet: str = ""


def suffix_of(filename: str) -> str:
    return Path(filename).suffix.lower()


def read_table(content: bytes, filename: str) -> Table:
    """The table in an uploaded file; KampungError when the file cannot be read at all."""
    suffix = suffix_of(filename)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(content)
    if suffix in CSV_SUFFIXES:
        return _read_csv(content)
    raise KampungError(
        f"Jenis berkas {suffix or '(tanpa akhiran)'} tidak dapat diimpor: pakai Excel (.xlsx) atau CSV (.csv).",
        code="berkas_tidak_dikenal",
    )


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _table(raw: list[list[Any]], sheet: str = "") -> Table:
    numbered = iter(enumerate(raw, start=1))
    for _number, cells in numbered:
        if not _blank(cells):
            table = Table(headers=list(cells), sheet=sheet)
            break
    else:
        raise KampungError("Berkas kosong: tidak ada baris judul kolom dan data.", code="berkas_kosong")
    table.rows = [(n, cells) for n, cells in numbered if not _blank(cells)]
    return table


def _read_excel(content: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(content))
        names = workbook.sheet_names
        if not names:
            raise KampungError("Berkas Excel tidak berisi lembar kerja.", code="berkas_kosong")
        # OpenSID's workbook keeps residents on "Data Penduduk"; otherwise the first sheet.
        name = next((n for n in names if n.strip().lower() == DATA_SHEET), names[0])
        raw = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise KampungError(
            "Berkas Excel tidak dapat dibaca (rusak, terkunci sandi, atau bukan .xlsx). Simpan ulang "
            "sebagai Excel Workbook (.xlsx) lalu unggah lagi.",
            code="berkas_rusak",
        ) from exc
    return _table(raw, sheet=name)


def _read_csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KampungError(
            "Berkas CSV harus berenkode UTF-8. Di Excel pilih Simpan Sebagai > CSV UTF-8 (dipisahkan koma).",
            code="berkas_rusak",
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        raw: list[list[Any]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise KampungError(f"Berkas CSV tidak dapat dibaca: {exc}.", code="berkas_rusak") from exc
    return _table(raw)
