"""Writes to the region tree: loading the national code list, profiles, the holiday calendar."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from kampung.core.errors import KampungError
from kampung.regions.models import Holiday, HolidayKind, Kind, Level, Region, TimeZoneChoice, VillageProfile

DATA_DIR = Path(__file__).resolve().parent / "data"
REGION_FILE = DATA_DIR / "kode_wilayah.csv.gz"
HOLIDAY_FILE = DATA_DIR / "hari_libur.csv"

# Provinces east of the WIB zone (UU/Keppres 41/1987): WITA = Bali, Nusa Tenggara,
# Kalimantan Selatan/Timur/Utara and Sulawesi; WIT = Maluku and Papua. The rest is WIB.
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PREFIXES = ("8", "9")


def timezone_for_code(code: str) -> str:
    province = code[:2]
    if province in _WITA_PROVINCES:
        return TimeZoneChoice.WITA
    if province.startswith(_WIT_PREFIXES):
        return TimeZoneChoice.WIT
    return TimeZoneChoice.WIB


def parse_code(code: str) -> tuple[int, str]:
    """Level and kind of a Kemendagri code, from its shape alone."""
    parts = code.split(".")
    if not all(p.isdigit() for p in parts) or [len(p) for p in parts] not in (
        [2],
        [2, 2],
        [2, 2, 2],
        [2, 2, 2, 4],
    ):
        raise KampungError(
            f"Kode wilayah '{code}' tidak sah: gunakan bentuk 35, 35.10, 35.10.15 atau 35.10.15.2004."
        )
    level = len(parts)
    if level == Level.PROVINCE:
        return level, Kind.PROVINSI
    if level == Level.REGENCY:
        return level, Kind.KOTA if int(parts[1]) >= 71 else Kind.KABUPATEN
    if level == Level.DISTRICT:
        return level, Kind.KECAMATAN
    serial = parts[3][0]
    kind = {"1": Kind.KELURAHAN, "2": Kind.DESA, "3": Kind.DESA_ADAT}.get(serial)
    if kind is None:
        raise KampungError(f"Kode desa '{code}' tidak sah: nomor urut harus diawali 1, 2 atau 3.")
    return level, kind


def normalise_prefix(prefix: str | None) -> str:
    if not prefix:
        return ""
    prefix = prefix.strip().rstrip(".")
    parse_code(prefix)
    return prefix


def iter_region_rows(path: Path = REGION_FILE) -> Iterator[tuple[str, str]]:
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield row["kode"].strip(), row["nama"].strip()


def _matches(code: str, prefix: str) -> bool:
    """Inside the prefix's subtree, or one of the prefix's ancestors (so the tree is whole)."""
    if not prefix:
        return True
    return code == prefix or code.startswith(prefix + ".") or prefix.startswith(code + ".")


@dataclass(frozen=True)
class LoadResult:
    total: int
    created: int
    by_level: dict[int, int]


def regions_load(
    *, prefix: str | None = None, path: Path = REGION_FILE, batch_size: int = 5000
) -> LoadResult:
    """Load (or refresh) regions from the national list; existing codes get the new names.

    Codes missing from a newer list are kept: other records may point at them.
    """
    prefix = normalise_prefix(prefix)
    rows: list[Region] = []
    by_level: dict[int, int] = {}
    seen: set[str] = set()
    for code, name in iter_region_rows(path):
        if not _matches(code, prefix) or code in seen:
            continue
        seen.add(code)
        level, kind = parse_code(code)
        parent = code.rsplit(".", 1)[0] if level > Level.PROVINCE else None
        rows.append(
            Region(
                code=code,
                name=name,
                level=level,
                kind=kind,
                parent_id=parent,
                timezone=timezone_for_code(code) if level == Level.REGENCY else "",
            )
        )
        by_level[level] = by_level.get(level, 0) + 1
    if not rows:
        raise KampungError(f"Tidak ada wilayah dengan kode '{prefix}' dalam daftar Kemendagri.")
    rows.sort(key=lambda r: (r.level, r.code))
    with transaction.atomic():
        before = Region.objects.count()
        for start in range(0, len(rows), batch_size):
            Region.objects.bulk_create(
                rows[start : start + batch_size],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "kind", "parent"],
            )
        after = Region.objects.count()
        regencies = [r.code for r in rows if r.level == Level.REGENCY]
        for code in regencies:
            Region.objects.filter(code=code, timezone="").update(timezone=timezone_for_code(code))
        if len(regencies) <= 20:
            for code in regencies:
                holidays_seed(regency_code=code)
    from kampung.audit.services import audit_record

    audit_record(
        actor=None,
        act="regions.load",
        region=None,
        object_type="regions.Region",
        object_id=prefix or "*",
        after={"prefix": prefix, "rows": len(rows), "created": after - before},
    )
    return LoadResult(total=len(rows), created=after - before, by_level=by_level)


def holidays_seed(*, regency_code: str, path: Path = HOLIDAY_FILE) -> int:
    """Copy the national holiday list into a regency's calendar; days already there are kept."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    items = [
        Holiday(
            regency_id=regency_code,
            date=dt.date.fromisoformat(row["tanggal"]),
            name=row["nama"],
            kind=row["jenis"],
        )
        for row in rows
    ]
    created = Holiday.objects.bulk_create(items, ignore_conflicts=True)
    return len(created)


@transaction.atomic
def holiday_save(
    *, actor: Any, regency: Region, date: dt.date, name: str, kind: str = HolidayKind.NATIONAL
) -> Holiday:
    """Add or rename a day off in the regency's calendar (admin only; the view checks scope)."""
    from kampung.audit.services import audit_record

    if regency.level != Level.REGENCY:
        raise KampungError("Kalender kerja hanya diatur untuk kabupaten/kota.")
    if not name.strip():
        raise KampungError("Keterangan hari libur wajib diisi.")
    holiday, created = Holiday.objects.update_or_create(
        regency=regency, date=date, defaults={"name": name.strip(), "kind": kind}
    )
    audit_record(
        actor=actor,
        act="regions.holiday.save",
        region=regency,
        object_type="regions.Holiday",
        object_id=str(holiday.pk),
        after={"date": date.isoformat(), "name": holiday.name, "kind": kind, "created": created},
    )
    return holiday


@transaction.atomic
def holiday_delete(*, actor: Any, holiday: Holiday) -> None:
    from kampung.audit.services import audit_record

    before = {"date": holiday.date.isoformat(), "name": holiday.name, "kind": holiday.kind}
    regency = holiday.regency
    pk = holiday.pk
    holiday.delete()
    audit_record(
        actor=actor,
        act="regions.holiday.delete",
        region=regency,
        object_type="regions.Holiday",
        object_id=str(pk),
        before=before,
    )


@transaction.atomic
def village_profile_update(*, actor: Any, village: Region, data: dict[str, Any]) -> VillageProfile:
    """Save a village's public profile; the audit entry keeps what changed."""
    from kampung.audit.services import audit_record

    if village.level != Level.VILLAGE:
        raise KampungError("Profil hanya untuk desa/kelurahan.")
    profile, _ = VillageProfile.objects.get_or_create(village=village)
    fields = [
        "address",
        "postal_code",
        "phone",
        "email",
        "website",
        "head_name",
        "latitude",
        "longitude",
        "logo",
    ]
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field in fields:
        if field not in data:
            continue
        old = getattr(profile, field)
        new = data[field]
        if field == "logo":
            if not new:
                continue
            old, new_repr = (old.name if old else ""), getattr(new, "name", str(new))
            setattr(profile, field, new)
            before[field], after[field] = old, new_repr
            continue
        if old != new:
            before[field], after[field] = old, new
            setattr(profile, field, new)
    profile.full_clean()
    profile.save()
    if after:
        audit_record(
            actor=actor,
            act="regions.profile.update",
            region=village,
            object_type="regions.VillageProfile",
            object_id=village.code,
            before=before,
            after=after,
        )
    return profile
