"""Excel exports of the two registers (built in memory, returned as bytes)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kampung.documents.models import Document, IncomingLetter
from kampung.population.checks import mask_nik
from kampung.regions.models import Region

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBE4")


def _sheet(
    wb: Workbook, title: str, village: Region, heading: str, columns: Sequence[tuple[str, int]]
) -> Worksheet:
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append([f"{heading} — {village}"])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([f"Diunduh {timezone.localtime():%d-%m-%Y %H.%M}"])
    ws.append([])
    ws.append([name for name, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        cell = ws.cell(row=4, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A5"
    return ws


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def outgoing_xlsx(village: Region, documents: Iterable[Document]) -> bytes:
    wb = Workbook()
    columns = [
        ("No.", 6),
        ("Tanggal", 12),
        ("Nomor surat", 38),
        ("Kode klasifikasi", 16),
        ("Jenis", 34),
        ("Nama yang bersangkutan", 28),
        ("NIK", 20),
        ("Penanda tangan", 28),
        ("Status", 12),
        ("Kode verifikasi", 14),
    ]
    ws = _sheet(wb, "Surat keluar", village, "Buku Agenda Surat Keluar", columns)
    for index, doc in enumerate(documents, start=1):
        ws.append(
            [
                index,
                timezone.localtime(doc.issued_at).date(),
                doc.number,
                doc.classification,
                doc.title,
                doc.subject_name,
                mask_nik(doc.subject_nik) if doc.subject_nik else "",
                doc.signer_name,
                doc.effective_status(),
                doc.code_display,
            ]
        )
        ws.cell(row=ws.max_row, column=2).number_format = "DD-MM-YYYY"
    return _bytes(wb)


def incoming_xlsx(village: Region, letters: Iterable[IncomingLetter]) -> bytes:
    wb = Workbook()
    columns = [
        ("No. agenda", 11),
        ("Tanggal diterima", 14),
        ("Pengirim", 30),
        ("Nomor surat", 30),
        ("Tanggal surat", 14),
        ("Perihal", 40),
        ("Kode klasifikasi", 16),
        ("Disposisi", 40),
        ("Pindaian", 10),
    ]
    ws = _sheet(wb, "Surat masuk", village, "Buku Agenda Surat Masuk", columns)
    for letter in letters:
        ws.append(
            [
                f"{letter.agenda_number}/{letter.agenda_year}",
                letter.received_on,
                letter.sender,
                letter.letter_number,
                letter.letter_date,
                letter.subject,
                letter.classification,
                letter.disposition,
                "ada" if letter.scan else "-",
            ]
        )
        ws.cell(row=ws.max_row, column=2).number_format = "DD-MM-YYYY"
        ws.cell(row=ws.max_row, column=5).number_format = "DD-MM-YYYY"
    return _bytes(wb)
