"""Writes of the Dana Desa tranche rules (a yearly table, domain.md §3.2) and of each desa's
status (IDM) per year, by the regency's DPMD staff or admin (``REGENCY_FINANCE_ADMINS``).

The tranche table is national (the PMK of the year): any regency's DPMD may keep it, and each
change is audited on that regency's chain. A part's tranches are saved together, because their
percents must add up to exactly 100; a save that breaks that is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from kampung.audit.services import audit_record
from kampung.core.errors import KampungError
from kampung.finance import excel_ref
from kampung.finance.models import DesaStatus, TranchePart, TrancheRule, VillageStatus
from kampung.finance.services.ref import ImportRejected, ImportResult, _role, _year
from kampung.regions.models import Kind, Level, Region

HUNDRED = Decimal("100")
MAX_TRANCHES = 6
STATUS_BY_TEXT = {
    **{value: value for value in DesaStatus.values},
    **{str(label).lower(): value for value, label in DesaStatus.choices},
    "sangat tertinggal": DesaStatus.VERY_LEFT_BEHIND,
}


@dataclass
class TrancheRow:
    """One tranche as entered in the part's form."""

    tranche: int
    percent: Decimal
    earliest_month: int | None = None
    latest_month: int | None = None
    requires_apbdes: bool = False
    requires_previous_year_report: bool = False
    min_absorption: Decimal | None = None
    min_output: Decimal | None = None
    basis: str = ""


def _percent(value: Any, label: str, *, optional: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None
        raise KampungError(f"{label} wajib diisi.")
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise KampungError(f"{label} harus berupa angka.") from exc
    if not amount.is_finite() or amount < 0 or amount > HUNDRED or amount != amount.quantize(Decimal("0.01")):
        raise KampungError(f"{label} harus antara 0 dan 100.")
    return amount


def _check_rows(part: str, rows: list[TrancheRow]) -> list[TrancheRow]:
    if part not in TranchePart.values:
        raise KampungError("Bagian Dana Desa tidak dikenal.")
    if not rows:
        raise KampungError("Isi paling sedikit satu tahap.")
    if len(rows) > MAX_TRANCHES:
        raise KampungError(f"Paling banyak {MAX_TRANCHES} tahap.")
    seen: set[int] = set()
    for row in rows:
        if not isinstance(row.tranche, int) or not 1 <= row.tranche <= MAX_TRANCHES:
            raise KampungError(f"Nomor tahap harus 1 sampai {MAX_TRANCHES}.")
        if row.tranche in seen:
            raise KampungError(f"Tahap {row.tranche} tercantum dua kali.")
        seen.add(row.tranche)
        label = f"Tahap {row.tranche}"
        row.percent = _percent(row.percent, f"{label}: persentase")  # type: ignore[assignment]
        if row.percent <= 0:
            raise KampungError(f"{label}: persentase harus lebih dari 0.")
        row.min_absorption = _percent(row.min_absorption, f"{label}: penyerapan minimal", optional=True)
        row.min_output = _percent(row.min_output, f"{label}: capaian keluaran minimal", optional=True)
        for name in ("earliest_month", "latest_month"):
            month = getattr(row, name)
            if month is not None and (not isinstance(month, int) or not 1 <= month <= 12):
                raise KampungError(f"{label}: bulan harus 1 sampai 12.")
        if row.earliest_month and row.latest_month and row.earliest_month > row.latest_month:
            raise KampungError(f"{label}: bulan paling cepat tidak boleh setelah bulan paling lambat.")
        row.basis = (row.basis or "").strip()
        if len(row.basis) > 200:
            raise KampungError(f"{label}: dasar paling panjang 200 karakter.")
    numbers = sorted(seen)
    if numbers != list(range(1, len(numbers) + 1)):
        raise KampungError("Nomor tahap harus berurutan mulai dari 1 (1, 2, 3, …).")
    total = sum((r.percent for r in rows), Decimal(0))
    if total != HUNDRED:
        label = dict(TranchePart.choices)[part]
        raise KampungError(
            f"Jumlah persentase tahap bagian “{label}” {total.normalize():f}%, harus tepat 100%. "
            "Tidak ada yang disimpan."
        )
    return sorted(rows, key=lambda r: r.tranche)


@transaction.atomic
def tranche_part_save(
    *, actor: Any, regency: Region, year: int, part: str, rows: list[TrancheRow]
) -> list[TrancheRule]:
    """Replace the tranches of one part of ``year`` (their percents must add up to 100)."""
    role = _role(actor, regency.code)
    _year(year)
    rows = _check_rows(part, rows)
    existing = {r.tranche: r for r in TrancheRule.objects.select_for_update().filter(year=year, part=part)}
    before = {str(t): str(r.percent) for t, r in existing.items()}
    saved = []
    for row in rows:
        rule = existing.pop(row.tranche, None) or TrancheRule(year=year, part=part, tranche=row.tranche)
        for name in (
            "percent",
            "earliest_month",
            "latest_month",
            "requires_apbdes",
            "requires_previous_year_report",
            "min_absorption",
            "min_output",
            "basis",
        ):
            setattr(rule, name, getattr(row, name))
        rule.save()
        saved.append(rule)
    for leftover in existing.values():
        leftover.delete()
    audit_record(
        actor=actor,
        act="finance.tranche.save",
        region=regency,
        role=role,
        object_type=TrancheRule._meta.label,
        object_id=f"{year}/{part}",
        before=before,
        after={str(r.tranche): str(r.percent) for r in saved},
    )
    return saved


@transaction.atomic
def tranche_year_copy(*, actor: Any, regency: Region, from_year: int, to_year: int) -> int:
    """Copy the whole table of ``from_year`` to ``to_year`` (which must have no rows yet)."""
    role = _role(actor, regency.code)
    _year(from_year)
    _year(to_year)
    if from_year == to_year:
        raise KampungError("Tahun asal dan tahun tujuan sama.")
    source = list(TrancheRule.objects.filter(year=from_year).order_by("part", "tranche"))
    if not source:
        raise KampungError(f"Belum ada aturan tahap tahun {from_year} untuk disalin.")
    if TrancheRule.objects.filter(year=to_year).exists():
        raise KampungError(f"Aturan tahap tahun {to_year} sudah ada; ubah per bagian, bukan menyalin ulang.")
    for rule in source:
        rule.pk = None
        rule.year = to_year
        rule.basis = (rule.basis or f"disalin dari {from_year}")[:200]
        rule._state.adding = True
        rule.save()
    audit_record(
        actor=actor,
        act="finance.tranche.copy",
        region=regency,
        role=role,
        object_type=TrancheRule._meta.label,
        object_id=str(to_year),
        after={"from": from_year, "to": to_year, "rows": len(source)},
    )
    return len(source)


def _desa_of(regency: Region, code: str) -> Region:
    village = Region.objects.filter(code=code, level=Level.VILLAGE).first()
    if village is None or village.regency_code != regency.code:
        raise KampungError(f"Desa {code} tidak ditemukan di {regency.name}.")
    if not village.keeps_apbdes:
        raise KampungError(f"{village} adalah kelurahan; status IDM dan Dana Desa hanya untuk desa.")
    return village


@transaction.atomic
def village_status_set(
    *, actor: Any, regency: Region, village_code: str, year: int, status: str
) -> VillageStatus | None:
    """Set (or, with ``status`` "", clear) a desa's status for ``year``."""
    role = _role(actor, regency.code)
    _year(year)
    village = _desa_of(regency, village_code)
    if status and status not in DesaStatus.values:
        raise KampungError("Status desa tidak dikenal.")
    row = VillageStatus.objects.select_for_update().filter(village=village, year=year).first()
    before = row.status if row else ""
    if not status:
        if row is not None:
            row.delete()
        result = None
    else:
        if row is None:
            row = VillageStatus(village=village, year=year)
        row.status = status
        row.save()
        result = row
    audit_record(
        actor=actor,
        act="finance.village_status.set",
        region=village.code,
        role=role,
        object_type=VillageStatus._meta.label,
        object_id=f"{village.code}/{year}",
        before={"status": before},
        after={"status": status, "year": year},
    )
    return result


@transaction.atomic
def village_status_import(*, actor: Any, regency: Region, year: int, file: Any) -> ImportResult:
    """Upload of the statuses of ``year``: columns "Kode desa" and "Status". Every row is checked
    (unknown, kelurahan or other-regency codes, duplicates, unknown status); any problem rejects
    the whole file."""
    role = _role(actor, regency.code)
    _year(year)
    rows = excel_ref.read_upload(file, required=["Kode desa", "Status"])
    if not rows:
        raise KampungError("Berkas tidak berisi baris data.")
    codes = [excel_ref.text(r.get("kode desa")) for _, r in rows]
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for c in codes if c])}
    problems: list[str] = []
    values: dict[str, str] = {}
    seen: dict[str, int] = {}
    for (number, record), code in zip(rows, codes, strict=True):
        region = regions.get(code)
        raw = excel_ref.text(record.get("status")).lower()
        if not code:
            problems.append(f"Baris {number}: kode desa kosong.")
            continue
        if region is None or region.level != Level.VILLAGE:
            problems.append(f"Baris {number}: kode desa {code} tidak dikenal.")
            continue
        if region.regency_code != regency.code:
            problems.append(f"Baris {number}: desa {code} bukan desa di {regency.name}.")
            continue
        if region.kind not in (Kind.DESA, Kind.DESA_ADAT):
            problems.append(f"Baris {number}: {region} adalah kelurahan; status IDM hanya untuk desa.")
            continue
        if code in seen:
            problems.append(f"Baris {number}: desa {code} sudah ada di baris {seen[code]}.")
            continue
        seen[code] = number
        if not raw:
            continue  # blank: leave as it is
        status = STATUS_BY_TEXT.get(raw)
        if status is None:
            problems.append(
                f"Baris {number}: status '{excel_ref.text(record.get('status'))}' tidak dikenal "
                "(sangat tertinggal, tertinggal, berkembang, maju, mandiri)."
            )
            continue
        values[code] = str(status)
    if problems:
        raise ImportRejected(problems)
    existing = {s.village_id: s for s in VillageStatus.objects.filter(year=year, village_id__in=list(values))}
    result = ImportResult()
    new, changed = [], []
    for code, status in values.items():
        row = existing.get(code)
        if row is None:
            new.append(VillageStatus(village_id=code, year=year, status=status))
        elif row.status != status:
            row.status = status
            changed.append(row)
        else:
            result.unchanged += 1
    VillageStatus.objects.bulk_create(new)
    if changed:
        VillageStatus.objects.bulk_update(changed, ["status"])
    result.created, result.updated = len(new), len(changed)
    audit_record(
        actor=actor,
        act="finance.village_status.import",
        region=regency,
        role=role,
        object_type=VillageStatus._meta.label,
        object_id=str(year),
        after={
            "year": year,
            "created": result.created,
            "updated": result.updated,
            "file": getattr(file, "name", ""),
        },
    )
    return result


def status_template(regency: Region, year: int) -> bytes:
    """The upload template: every desa of the regency with its current status for ``year``."""
    current = dict(
        VillageStatus.objects.filter(year=year, village__code__startswith=regency.code + ".").values_list(
            "village_id", "status"
        )
    )
    desa = Region.objects.filter(
        level=Level.VILLAGE, code__startswith=regency.code + ".", kind__in=(Kind.DESA, Kind.DESA_ADAT)
    ).select_related("parent")
    rows = (
        (v.code, v.name, v.parent.name if v.parent else "", current.get(v.code, ""))
        for v in desa.order_by("code")
    )
    return excel_ref.build_workbook(
        f"Status desa {year}",
        (("Kode desa", 16), ("Nama desa", 26), ("Kecamatan", 20), ("Status", 20)),
        rows,
    )
