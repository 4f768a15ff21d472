"""The village's population registers (Permendagri 47/2016, administrasi penduduk) as rows for
pages, PDF and Excel, and the Excel files of the statistics and monthly report.

- Buku Induk Penduduk: every resident on the register;
- Buku Mutasi Penduduk: births, deaths, arrivals and departures in a period (LifeEvent);
- Buku Rekapitulasi Jumlah Penduduk: per dusun, start/in/out/end of a month;
- Buku Penduduk Sementara: people staying without moving their KK here.

Rows are built from ``values_list`` reads in chunks, so a village of 15,000 residents never
sits in memory as model objects; PDFs of the Buku Induk are printed in parts of
:data:`PDF_PART_ROWS` rows each so one request stays bounded in memory and time.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kampung.core.formatting import MONTHS_ID
from kampung.population.checks import mask_nik
from kampung.population.models import (
    BasicStatus,
    LifeEvent,
    LifeEventKind,
    Resident,
    Sex,
    TemporaryResident,
)
from kampung.population.portal import code_label
from kampung.population.statistics import MonthlyReport, PopulationStatistics, Split
from kampung.regions.models import Kind, Region

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# WeasyPrint lays a 500-row part out in about 8 s and 250 MB (measured: 1,000 rows took 34 s,
# 370 MB, 38 pages), so the Buku Induk prints in parts of this many rows.
PDF_PART_ROWS = 500
# Rows of the Buku Induk that fit one landscape F4 page at the print size (measured: 26.3).
INDUK_ROWS_PER_PDF_PAGE = 26
# Other registers print in one go; a longer list is refused (choose a shorter period).
PDF_MAX_ROWS = 1500
MUTATION_KINDS = (LifeEventKind.BIRTH, LifeEventKind.DEATH, LifeEventKind.MOVE_IN, LifeEventKind.MOVE_OUT)
MONTHS = MONTHS_ID


def month_name(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def _date(value: dt.date | None) -> str:
    return f"{value:%d-%m-%Y}" if value else ""


def _sex(value: int | None) -> str:
    return "L" if value == Sex.MALE else "P" if value == Sex.FEMALE else ""


def address_text(dusun: str, rw: str, rt: str, extra: str = "") -> str:
    parts = [extra.strip()] if extra and extra.strip() else []
    if dusun and not any(dusun.lower() in part.lower() for part in parts):
        parts.append(f"Dusun {dusun}")
    if rt or rw:
        parts.append(f"RT {rt or '-'}/RW {rw or '-'}")
    return ", ".join(parts) or "-"


# -- letterhead -----------------------------------------------------------------------------


def village_kop(village: Region) -> dict[str, str]:
    """The lines of the register's heading: regency, district, village and office address."""
    from kampung.regions.models import VillageProfile

    district = village.parent
    regency = district.parent if district is not None else None
    profile = VillageProfile.objects.filter(village=village).first()
    kind = "Kelurahan" if village.kind == Kind.KELURAHAN else "Desa"
    address = ""
    if profile is not None:
        address = ", ".join(p for p in (profile.address, profile.phone and f"Telp. {profile.phone}") if p)
    return {
        "regency": regency.name if regency is not None else "",
        "district": district.name if district is not None else "",
        "title": f"{'Pemerintah ' if kind == 'Desa' else ''}{kind} {village.name}",
        "address": address,
    }


# -- Buku Induk Penduduk ------------------------------------------------------------------


@dataclass(frozen=True)
class InductRow:
    number: int
    name: str
    sex: str
    marital: str
    birth: str
    religion: str
    education: str
    occupation: str
    citizenship: str
    address: str
    relation: str
    nik: str
    kk: str
    note: str


INDUK_FIELDS = (
    "name",
    "sex",
    "marital_status",
    "birth_place",
    "birth_date",
    "religion",
    "education",
    "occupation",
    "citizenship",
    "dusun",
    "rw",
    "rt",
    "family__address",
    "family_relation",
    "nik",
    "family__kk_number",
    "basic_status",
)
INDUK_COLUMNS = (
    ("No.", 6),
    ("Nama lengkap", 28),
    ("Jenis kelamin", 8),
    ("Status perkawinan", 14),
    ("Tempat & tanggal lahir", 24),
    ("Agama", 12),
    ("Pendidikan terakhir", 20),
    ("Pekerjaan", 20),
    ("Kewarganegaraan", 10),
    ("Alamat", 32),
    ("Kedudukan dalam keluarga", 16),
    ("NIK", 20),
    ("Nomor KK", 20),
    ("Keterangan", 16),
)


def induk_queryset(village: Region, *, include_left: bool = False) -> QuerySet[Resident]:
    """Residents of the Buku Induk in register order (dusun, RT/RW, family, place in family).

    By default the living only; ``include_left`` adds those who died or moved away (records
    marked invalid never appear)."""
    statuses = [BasicStatus.LIVING]
    if include_left:
        statuses += [BasicStatus.DEAD, BasicStatus.MOVED, BasicStatus.MISSING, BasicStatus.GONE]
    return Resident.objects.filter(village=village, basic_status__in=statuses).order_by(
        "dusun", "rw", "rt", "family__kk_number", "family_relation", "birth_date", "pk"
    )


def induk_rows(qs: QuerySet[Resident], *, first_number: int, full_numbers: bool) -> Iterator[InductRow]:
    show = (lambda n: n) if full_numbers else (lambda n: mask_nik(n) if n else "")
    values = qs.values_list(*INDUK_FIELDS)
    for number, row in enumerate(values.iterator(chunk_size=2000), start=first_number):
        (name, sex, marital, place, born, religion, education, occupation, citizenship) = row[:9]
        dusun, rw, rt, family_address, relation, nik, kk, status = row[9:]
        yield InductRow(
            number=number,
            name=name,
            sex=_sex(sex),
            marital=code_label("status_kawin", marital),
            birth=f"{place or '-'}, {_date(born)}",
            religion=code_label("agama_id", religion),
            education=code_label("pendidikan_kk_id", education),
            occupation=code_label("pekerjaan_id", occupation),
            citizenship=code_label("warganegara_id", citizenship),
            address=address_text(dusun, rw, rt, family_address or ""),
            relation=code_label("kk_level", relation),
            nik=show(nik),
            kk=show(kk or ""),
            note="" if status == BasicStatus.LIVING else BasicStatus(status).label,
        )


def induk_cells(row: InductRow) -> list[Any]:
    return [
        row.number,
        row.name,
        row.sex,
        row.marital,
        row.birth,
        row.religion,
        row.education,
        row.occupation,
        row.citizenship,
        row.address,
        row.relation,
        row.nik,
        row.kk,
        row.note,
    ]


@dataclass(frozen=True)
class PdfPart:
    number: int
    first: int
    last: int

    @property
    def rows(self) -> int:
        return self.last - self.first + 1

    @property
    def pages(self) -> int:
        """Estimated printed pages (the real count is in the PDF's footer)."""
        return -(-self.rows // INDUK_ROWS_PER_PDF_PAGE)


def pdf_parts(total: int, size: int | None = None) -> list[PdfPart]:
    """The PDF parts of a register of ``total`` rows (at most :data:`PDF_PART_ROWS` each)."""
    size = size or PDF_PART_ROWS
    return [
        PdfPart(number=i + 1, first=start + 1, last=min(start + size, total))
        for i, start in enumerate(range(0, total, size))
    ]


# -- Buku Mutasi Penduduk -----------------------------------------------------------------


@dataclass(frozen=True)
class MutationRow:
    number: int
    date: dt.date
    kind: str
    name: str
    nik: str
    birth: str
    sex: str
    citizenship: str
    place: str
    note: str


def mutation_queryset(village: Region, first: dt.date, last: dt.date) -> QuerySet[LifeEvent]:
    return (
        LifeEvent.objects.filter(
            village=village, kind__in=MUTATION_KINDS, event_date__gte=first, event_date__lte=last
        )
        .select_related("resident")
        .order_by("event_date", "pk")
    )


def _mutation_place(event: LifeEvent) -> str:
    details = event.details if isinstance(event.details, dict) else {}
    if event.kind == LifeEventKind.MOVE_IN:
        return f"Datang dari: {details.get('origin', '') or '-'}"
    if event.kind == LifeEventKind.MOVE_OUT:
        return f"Pindah ke: {details.get('destination', '') or '-'}"
    if event.kind == LifeEventKind.DEATH and details.get("place"):
        return f"Meninggal di: {details['place']}"
    return ""


def _mutation_note(event: LifeEvent) -> str:
    details = event.details if isinstance(event.details, dict) else {}
    parts = []
    if event.kind == LifeEventKind.DEATH and details.get("cause"):
        parts.append(f"Sebab: {details['cause']}")
    if event.kind == LifeEventKind.MOVE_OUT and details.get("reason"):
        parts.append(f"Alasan: {details['reason']}")
    if event.reporter_name:
        parts.append(f"Pelapor: {event.reporter_name}")
    parts.append(f"Dilaporkan {_date(event.reported_date)}")
    return "; ".join(parts)


def mutation_rows(
    events: Iterable[LifeEvent], *, first_number: int, full_numbers: bool
) -> Iterator[MutationRow]:
    for number, event in enumerate(events, start=first_number):
        person = event.resident
        yield MutationRow(
            number=number,
            date=event.event_date,
            kind=event.get_kind_display(),
            name=person.name,
            nik=person.nik if full_numbers else mask_nik(person.nik),
            birth=f"{person.birth_place or '-'}, {_date(person.birth_date)}",
            sex=_sex(person.sex),
            citizenship=code_label("warganegara_id", person.citizenship),
            place=_mutation_place(event),
            note=_mutation_note(event),
        )


MUTATION_COLUMNS = (
    ("No.", 6),
    ("Tanggal peristiwa", 12),
    ("Peristiwa", 14),
    ("Nama lengkap", 28),
    ("NIK", 20),
    ("Tempat & tanggal lahir", 24),
    ("Jenis kelamin", 8),
    ("Kewarganegaraan", 10),
    ("Datang dari / pindah ke", 32),
    ("Keterangan", 36),
)


def mutation_cells(row: MutationRow) -> list[Any]:
    return [
        row.number,
        row.date,
        row.kind,
        row.name,
        row.nik,
        row.birth,
        row.sex,
        row.citizenship,
        row.place,
        row.note,
    ]


# -- Buku Penduduk Sementara --------------------------------------------------------------


@dataclass(frozen=True)
class TemporaryRow:
    number: int
    pk: int
    name: str
    sex: str
    nik: str
    birth: str
    occupation: str
    nationality: str
    origin: str
    purpose: str
    host: str
    address: str
    arrival: dt.date
    departure: dt.date | None
    note: str


def temporary_queryset(
    village: Region, *, present_only: bool = False, q: str = ""
) -> QuerySet[TemporaryResident]:
    qs = TemporaryResident.objects.filter(village=village)
    if present_only:
        qs = qs.filter(departure_date__isnull=True)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip()[:100])
    return qs.order_by("-arrival_date", "-pk")


def temporary_rows(
    people: Iterable[TemporaryResident], *, first_number: int, full_numbers: bool
) -> Iterator[TemporaryRow]:
    for number, person in enumerate(people, start=first_number):
        number_text = person.nik if full_numbers or not person.nik else mask_nik(person.nik)
        yield TemporaryRow(
            number=number,
            pk=person.pk,
            name=person.name,
            sex=_sex(person.sex),
            nik=number_text,
            birth=f"{person.birth_place or '-'}, {_date(person.birth_date) or '-'}",
            occupation=code_label("pekerjaan_id", person.occupation) if person.occupation else "-",
            nationality=person.nationality,
            origin=person.origin,
            purpose=person.purpose,
            host=person.host,
            address=address_text(person.dusun, person.rw, person.rt),
            arrival=person.arrival_date,
            departure=person.departure_date,
            note=person.notes,
        )


TEMPORARY_COLUMNS = (
    ("No.", 6),
    ("Nama lengkap", 26),
    ("Jenis kelamin", 8),
    ("Nomor identitas", 20),
    ("Tempat & tanggal lahir", 24),
    ("Pekerjaan", 18),
    ("Kewarganegaraan/kebangsaan", 14),
    ("Datang dari", 26),
    ("Maksud & tujuan", 24),
    ("Nama & alamat yang didatangi", 28),
    ("Tinggal di", 22),
    ("Tanggal datang", 12),
    ("Tanggal pergi", 12),
    ("Keterangan", 24),
)


def temporary_cells(row: TemporaryRow) -> list[Any]:
    return [
        row.number,
        row.name,
        row.sex,
        row.nik,
        row.birth,
        row.occupation,
        row.nationality,
        row.origin,
        row.purpose,
        row.host,
        row.address,
        row.arrival,
        row.departure,
        row.note,
    ]


# -- monthly report rows ------------------------------------------------------------------

SPLIT_PARTS = (("wna_male", "WNA L"), ("wna_female", "WNA P"), ("wni_male", "WNI L"), ("wni_female", "WNI P"))


def split_cells(split: Split) -> list[int]:
    return [split.wna_male, split.wna_female, split.wni_male, split.wni_female, split.total]


# -- Excel --------------------------------------------------------------------------------


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_only_sheet(
    wb: Workbook, title: str, heading: Sequence[str], columns: Sequence[tuple[str, int]]
) -> Worksheet:
    ws = wb.create_sheet(title[:31])
    for index, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    for line_no, line in enumerate(heading):
        cell = WriteOnlyCell(ws, value=line)
        if line_no == 0:
            cell.font = Font(bold=True, size=12)
        ws.append([cell])
    ws.append([f"Diunduh {timezone.localtime():%d-%m-%Y %H.%M}"])
    ws.append([])
    header = []
    for name, _ in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    return ws


def rows_xlsx(
    *, title: str, heading: Sequence[str], columns: Sequence[tuple[str, int]], rows: Iterable[Sequence[Any]]
) -> bytes:
    """One register as a workbook, written row by row (openpyxl write-only mode)."""
    wb = Workbook(write_only=True)
    ws = _write_only_sheet(wb, title, heading, columns)
    for row in rows:
        ws.append(list(row))
    return _bytes(wb)


def monthly_xlsx(*, heading: Sequence[str], report: MonthlyReport, labels: dict[str, str]) -> bytes:
    """The monthly report (or the Buku Rekapitulasi): one row per village or dusun and a total."""
    wb = Workbook(write_only=True)
    columns = [("Wilayah", 28)]
    for part in ("Awal bulan", "Lahir", "Datang", "Meninggal", "Pindah", "Akhir bulan"):
        columns += [(f"{part} {label}", 9) for _, label in SPLIT_PARTS] + [(f"{part} jumlah", 10)]
    columns += [("KK awal bulan", 10), ("KK akhir bulan", 10)]
    ws = _write_only_sheet(wb, "Laporan bulanan", heading, columns)
    for row in (*report.rows, report.total):
        cells: list[Any] = [labels.get(row.key, row.key or "(tanpa dusun)")]
        for split in (row.start, row.births, row.moved_in, row.deaths, row.moved_out, row.end):
            cells += split_cells(split)
        cells += [row.families_start, row.families_end]
        ws.append(cells)
    return _bytes(wb)


def statistics_xlsx(stats: PopulationStatistics) -> bytes:
    """All statistics of a region, one sheet per table."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "Ringkasan"
    bold = Font(bold=True)
    first.append([f"Statistik penduduk {stats.region_name}"])
    first["A1"].font = Font(bold=True, size=12)
    first.append([f"Penduduk hidup per {stats.on:%d-%m-%Y}; {stats.villages} desa/kelurahan"])
    first.append([])
    fam = stats.families
    for label, value in (
        ("Penduduk laki-laki", stats.total.male),
        ("Penduduk perempuan", stats.total.female),
        ("Jumlah penduduk", stats.total.total),
        ("Jumlah keluarga (KK)", fam.families),
        ("Rata-rata anggota keluarga", fam.average_size),
        ("KK dikepalai laki-laki", fam.male_headed),
        ("KK dikepalai perempuan", fam.female_headed),
        ("KK tanpa kepala keluarga tercatat", fam.without_head),
        ("Penduduk tanpa KK", fam.without_family),
    ):
        first.append([label, value])
    first.column_dimensions["A"].width = 36

    def table(title: str, head: str, rows: Iterable[Any]) -> None:
        ws = wb.create_sheet(title[:31])
        ws.append([head, "Laki-laki", "Perempuan", "Jumlah"])
        for cell in ws[1]:
            cell.font = bold
        male = female = 0
        for row in rows:
            ws.append([row.label, row.male, row.female, row.total])
            male, female = male + row.male, female + row.female
        ws.append(["Jumlah", male, female, male + female])
        for cell in ws[ws.max_row]:
            cell.font = bold
        ws.column_dimensions["A"].width = 40

    table("Kelompok umur", "Kelompok umur (tahun)", stats.pyramid)
    for dist in stats.distributions:
        table(dist.title.split(" (")[0], dist.title, dist.rows)
    return _bytes(wb)
