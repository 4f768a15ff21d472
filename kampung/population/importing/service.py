"""The import service: check a file, or check it and write it, all or nothing.

Independent of HTTP: the import page and ``kampung population import`` call the same two
functions with the file's bytes and name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.population.importing import layouts
from kampung.population.importing.reading import read_table
from kampung.population.importing.validation import Checked, Problem, check_table
from kampung.population.importing.writing import write_checked
from kampung.population.services import WRITER_ROLES
from kampung.regions.models import Level, Region


@dataclass
class ImportReport:
    """What a check found, or what an import wrote."""

    file_name: str
    village_code: str
    layout: str = ""
    rows: int = 0
    families_new: int = 0
    families_existing: int = 0
    residents: int = 0
    residents_flagged: int = 0
    families_flagged: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def layout_label(self) -> str:
        return layouts.LAYOUT_LABELS.get(self.layout, "")


class ImportRejected(KampungError):
    """The file has problems; nothing was written. ``problems`` lists every one."""

    code = "impor_ditolak"

    def __init__(self, report: ImportReport) -> None:
        count = len(report.problems)
        super().__init__(
            f"Impor ditolak: {count} masalah dalam berkas {report.file_name}. Tidak ada data yang disimpan; "
            "perbaiki semua masalah lalu impor lagi."
        )
        self.report = report
        self.problems = report.problems


def _writer_role(actor: Any, village: Region) -> str:
    scope = scope_for(actor)
    if not scope.covers(village.code, *WRITER_ROLES):
        raise NotPermitted(
            "Anda tidak berwenang mengimpor data penduduk desa ini: hanya operator, sekretaris atau "
            "kepala desa setempat."
        )
    if village.level != Level.VILLAGE:
        raise KampungError("Penduduk diimpor ke satu desa/kelurahan, bukan kecamatan atau kabupaten.")
    roles = scope.roles_at(village.code)
    return next(str(r) for r in WRITER_ROLES if r in roles)


def _check(
    content: bytes, file_name: str, village: Region, layout: str | None
) -> tuple[Checked, ImportReport]:
    if layout not in (None, "", layouts.KAMPUNG, layouts.OPENSID):
        raise KampungError(f"Format {layout!r} tidak dikenal: pilih kampung atau opensid.")
    table = read_table(content, file_name)
    checked = check_table(table, village_code=village.code, layout=layout or None)
    report = ImportReport(
        file_name=file_name,
        village_code=village.code,
        layout=checked.layout,
        rows=len(table.rows),
        problems=sorted(checked.problems, key=lambda p: (p.row, p.column)),
        ignored_columns=checked.ignored_columns,
    )
    if report.ok:
        report.residents = len(checked.rows)
        report.families_new = sum(1 for f in checked.families.values() if f.is_new)
        report.families_existing = len(checked.families) - report.families_new
        report.residents_flagged = sum(1 for r in checked.rows if r.flags)
        report.families_flagged = sum(1 for f in checked.families.values() if f.is_new and f.flags)
    return checked, report


def population_import_check(
    *, actor: Any, village: Region, content: bytes, file_name: str, layout: str | None = None
) -> ImportReport:
    """Check a resident file without writing anything ("Periksa"): every problem, or what
    an import would add."""
    _writer_role(actor, village)
    return _check(content, file_name, village, layout)[1]


@transaction.atomic
def population_import(
    *, actor: Any, village: Region, content: bytes, file_name: str, layout: str | None = None
) -> ImportReport:
    """Import residents and families from a file, all or nothing (Permendagri 47/2016: the
    village government keeps the Buku Induk Penduduk; a village leaving OpenSID brings it).

    Every row is checked with the register's rules before anything is written; a single
    problem rejects the whole file (``ImportRejected`` with every problem). The rows are
    checked and written in one transaction, so a failure or a killed process leaves nothing
    behind. Rows that only need review (NIK disagreeing with birth date or sex, an unknown
    district code, a possible duplicate) are imported and marked, as the services do. One
    audit entry records the import; no life events are made up for it.
    """
    role = _writer_role(actor, village)
    checked, report = _check(content, file_name, village, layout)
    if not report.ok:
        raise ImportRejected(report)
    try:
        with transaction.atomic():
            written = write_checked(checked, village_code=village.code)
    except IntegrityError as exc:  # a clerk registered one of these NIK/KK while we checked
        raise KampungError(
            "Data penduduk berubah selama impor (NIK atau nomor KK yang sama baru saja didaftarkan). "
            "Tidak ada yang disimpan; periksa dan impor lagi.",
            code="impor_bentrok",
        ) from exc
    report.families_new = written.families_new
    report.families_existing = written.families_existing
    report.residents = written.residents
    report.residents_flagged = written.residents_flagged
    report.families_flagged = written.families_flagged
    report.written = True
    audit_record(
        actor=actor,
        act="population.import",
        role=role,
        region=village,
        object_type="population.Resident",
        object_id=village.code,
        after={
            "file": file_name,
            "layout": report.layout,
            "rows": report.rows,
            "residents": report.residents,
            "families_new": report.families_new,
            "families_existing": report.families_existing,
            "residents_flagged": report.residents_flagged,
            "families_flagged": report.families_flagged,
        },
    )
    return report
