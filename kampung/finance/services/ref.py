"""Writes of the regency's finance reference data. Only the regency's DPMD staff or admin
(``REGENCY_FINANCE_ADMINS``) may write; every write is audited on the regency's chain.

- Local codes: the Lampiran of Permendagri 20/2018 leaves the 90–99 range of each object
  account (``x.x.x.90``) and of each sub-bidang's kegiatan (``xx.xx.90``) to the regency.
- SSH (standar satuan harga): the regency's unit-price list per budget year (Permendagri
  20/2018 Pasal 31 ayat 2 points RAB prices at it).
- Calendar: the deadlines of domain.md §1.7, configurable per regency and year.
- Ceilings (pagu indikatif): the regency tells each desa its transfer amounts before the RKPDes
  is enacted (Permendagri 114/2014 Pasal 45; PP 43/2014 Pasal 96–98 for ADD and tax share).
- Earmark rules: the yearly Dana Desa usage rules (PMK of the year; domain.md §3.3).
Uploads check every row first and write all or nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance import excel_ref
from kampung.finance.access import REGENCY_FINANCE_ADMINS
from kampung.finance.loader import read_csv
from kampung.finance.models.ref import (
    Account,
    ActivityCode,
    CalendarDeadline,
    CalendarEvent,
    Ceiling,
    EarmarkRule,
    FundSource,
    RuleKind,
    UnitPrice,
)
from kampung.regions.models import Kind, Level, Region

MAX_AMOUNT = Decimal("1e15")
LOCAL_RANGE = range(90, 100)


class ImportRejected(KampungError):
    """An upload with problems: nothing was written; ``problems`` lists each one with its row."""

    code = "impor_ditolak"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"Berkas ditolak: {len(problems)} masalah ditemukan, tidak ada data yang diubah.")
        self.problems = problems


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"{self.created} data baru, {self.updated} diperbarui, {self.unchanged} tidak berubah."


def _role(actor: Any, regency_code: str) -> str:
    scope = scope_for(actor)
    roles = sorted(scope.roles_at(regency_code) & set(REGENCY_FINANCE_ADMINS))
    if not roles:
        raise NotPermitted("Hanya petugas DPMD atau admin kabupaten yang dapat mengubah data ini.")
    return roles[0]


def _audit(actor: Any, role: str, act: str, regency: Region | str, obj: Any = None, **kw: Any) -> None:
    audit_record(
        actor=actor,
        act=act,
        region=regency,
        role=role,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "pk", "") if obj is not None else "",
        **kw,
    )


def _year(year: int) -> int:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise KampungError("Tahun anggaran tidak sah.")
    return year


# -- local codes ----------------------------------------------------------------------------


def _local_suffix(code: str, parent: str) -> int | None:
    match = re.fullmatch(re.escape(parent) + r"\.(\d{2})", code)
    if not match:
        return None
    number = int(match.group(1))
    return number if number in LOCAL_RANGE else None


@transaction.atomic
def local_account_save(
    *, actor: Any, regency: Region, code: str, name: str, account: Account | None = None
) -> Account:
    """A regency's own object account in the 90–99 range of a level-3 account whose Lampiran
    row keeps that range (``<jenis>.90``–``<jenis>.99``, Permendagri 20/2018 Lampiran)."""
    role = _role(actor, regency.code)
    code, name = code.strip(), " ".join(name.split())
    if not name:
        raise KampungError("Nama kode rekening wajib diisi.")
    parent = code.rsplit(".", 1)[0] if "." in code else ""
    has_range = Account.objects.filter(
        level=4, regency__isnull=True, parent_code=parent, is_local_range=True
    ).exists()
    if not has_range or _local_suffix(code, parent) is None:
        raise KampungError(
            f"Kode {code or '(kosong)'} tidak sah: kode lokal kabupaten harus <jenis>.90 sampai <jenis>.99 "
            "pada rekening jenis (tingkat 3) yang menyediakan rentang 90–99, misalnya 5.2.1.91."
        )
    clash = Account.objects.filter(code=code, regency=regency)
    if account is not None:
        if account.regency_id != regency.code:
            raise KampungError("Kode nasional tidak dapat diubah; hanya kode lokal kabupaten.")
        clash = clash.exclude(pk=account.pk)
    if clash.exists():
        raise KampungError(f"Kode {code} sudah dipakai kabupaten ini.")
    before = {"code": account.code, "name": account.name} if account else None
    if account is None:
        account = Account(regency=regency, level=4, source="kabupaten")
    account.code, account.name, account.lampiran_name, account.parent_code = code, name[:255], "", parent
    account.save()
    _audit(
        actor,
        role,
        "finance.local_account.save",
        regency,
        account,
        before=before,
        after={"code": code, "name": account.name},
    )
    return account


@transaction.atomic
def local_account_set_active(*, actor: Any, account: Account, active: bool) -> Account:
    if account.regency_id is None:
        raise KampungError("Kode nasional tidak dapat dinonaktifkan; hanya kode lokal kabupaten.")
    role = _role(actor, account.regency_id)
    account.active = active
    account.save(update_fields=["active"])
    _audit(
        actor, role, "finance.local_account.set_active", account.regency_id, account, after={"active": active}
    )
    return account


@transaction.atomic
def local_activity_save(
    *, actor: Any, regency: Region, code: str, name: str, activity: ActivityCode | None = None
) -> ActivityCode:
    """A regency's own kegiatan code ``<sub-bidang>.90``–``.99`` (Permendagri 20/2018 Lampiran)."""
    role = _role(actor, regency.code)
    code, name = code.strip(), " ".join(name.split())
    if not name:
        raise KampungError("Nama kegiatan wajib diisi.")
    parent = code.rsplit(".", 1)[0] if "." in code else ""
    is_sub = ActivityCode.objects.filter(code=parent, level="sub_bidang", regency__isnull=True).exists()
    if not is_sub or _local_suffix(code, parent) is None:
        raise KampungError(
            f"Kode {code or '(kosong)'} tidak sah: kegiatan lokal kabupaten harus <sub bidang>.90 sampai "
            "<sub bidang>.99, misalnya 03.01.91."
        )
    clash = ActivityCode.objects.filter(code=code, regency=regency)
    if activity is not None:
        if activity.regency_id != regency.code:
            raise KampungError("Kode nasional tidak dapat diubah; hanya kode lokal kabupaten.")
        clash = clash.exclude(pk=activity.pk)
    if clash.exists():
        raise KampungError(f"Kode {code} sudah dipakai kabupaten ini.")
    before = {"code": activity.code, "name": activity.name} if activity else None
    if activity is None:
        activity = ActivityCode(regency=regency, level="kegiatan", source="kabupaten")
    activity.code, activity.name, activity.short_name, activity.parent_code = code, name[:400], "", parent
    activity.save()
    _audit(
        actor,
        role,
        "finance.local_activity.save",
        regency,
        activity,
        before=before,
        after={"code": code, "name": activity.name},
    )
    return activity


@transaction.atomic
def local_activity_set_active(*, actor: Any, activity: ActivityCode, active: bool) -> ActivityCode:
    if activity.regency_id is None:
        raise KampungError("Kode nasional tidak dapat dinonaktifkan; hanya kode lokal kabupaten.")
    role = _role(actor, activity.regency_id)
    activity.active = active
    activity.save(update_fields=["active"])
    _audit(
        actor,
        role,
        "finance.local_activity.set_active",
        activity.regency_id,
        activity,
        after={"active": active},
    )
    return activity


@transaction.atomic
def local_activities_load_example(*, actor: Any, regency: Region) -> int:
    """Add the example 90–99 kegiatan (one kabupaten's list shipped with OpenSID) as the
    regency's own; codes the regency already has are left as they are. Returns rows added."""
    role = _role(actor, regency.code)
    have = set(ActivityCode.objects.filter(regency=regency).values_list("code", flat=True))
    subs = set(
        ActivityCode.objects.filter(level="sub_bidang", regency__isnull=True).values_list("code", flat=True)
    )
    new = [
        ActivityCode(
            code=row["kode"],
            level="kegiatan",
            name=row["nama"][:400],
            parent_code=row["parent"],
            regency=regency,
            source=row["sumber"][:200],
        )
        for row in read_csv("bidang_kegiatan_lokal_opensid.csv")
        if row["kode"] not in have and row["parent"] in subs and _local_suffix(row["kode"], row["parent"])
    ]
    ActivityCode.objects.bulk_create(new)
    _audit(actor, role, "finance.local_activity.load_example", regency, after={"added": len(new)})
    return len(new)


# -- SSH ------------------------------------------------------------------------------------


@dataclass
class UnitPriceData:
    code: str
    name: str
    specification: str
    unit: str
    price: Decimal
    account_code: str
    active: bool = True


def _check_unit_price(data: UnitPriceData, valid_accounts: set[str]) -> list[str]:
    problems = []
    if not data.code or len(data.code) > 30 or not re.fullmatch(r"[0-9A-Za-z.\-/]+", data.code):
        problems.append("kode wajib diisi (huruf, angka, titik, garis; paling panjang 30)")
    if not data.name:
        problems.append("uraian wajib diisi")
    if not data.unit or len(data.unit) > 30:
        problems.append("satuan wajib diisi (paling panjang 30)")
    if data.price is None or data.price <= 0 or data.price >= MAX_AMOUNT:
        problems.append("harga satuan harus angka lebih dari 0")
    if data.account_code and data.account_code not in valid_accounts:
        problems.append(f"kode rekening {data.account_code} tidak dikenal (harus rekening belanja tingkat 4)")
    return problems


def _spending_accounts(regency_code: str) -> set[str]:
    return set(
        Account.objects.filter(level=4, active=True, code__startswith="5.")
        .filter(Q(regency__isnull=True) | Q(regency_id=regency_code))
        .values_list("code", flat=True)
    )


def _ssh_fields(data: UnitPriceData) -> dict[str, Any]:
    return {
        "name": data.name[:255],
        "specification": data.specification[:255],
        "unit": data.unit,
        "price": data.price,
        "account_code": data.account_code,
        "active": data.active,
    }


@transaction.atomic
def unit_price_save(
    *, actor: Any, regency: Region, year: int, data: UnitPriceData, item: UnitPrice | None = None
) -> UnitPrice:
    role = _role(actor, regency.code)
    _year(year)
    problems = _check_unit_price(data, _spending_accounts(regency.code))
    if problems:
        raise KampungError("Item SSH tidak dapat disimpan: " + "; ".join(problems) + ".")
    clash = UnitPrice.objects.filter(regency=regency, year=year, code=data.code)
    if item is not None:
        if item.regency_id != regency.code:
            raise KampungError("Item SSH bukan milik kabupaten ini.")
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise KampungError(f"Kode {data.code} sudah ada di SSH {year}.")
    before = _snapshot(item) if item else None
    if item is None:
        item = UnitPrice(regency=regency, year=year)
    item.code = data.code
    for key, value in _ssh_fields(data).items():
        setattr(item, key, value)
    item.save()
    _audit(actor, role, "finance.ssh.save", regency, item, before=before, after=_snapshot(item))
    return item


def _snapshot(item: UnitPrice) -> dict[str, Any]:
    return {
        "year": item.year,
        "code": item.code,
        "name": item.name,
        "unit": item.unit,
        "price": str(item.price),
        "account_code": item.account_code,
        "active": item.active,
    }


@transaction.atomic
def unit_price_set_active(*, actor: Any, item: UnitPrice, active: bool) -> UnitPrice:
    role = _role(actor, item.regency_id)
    item.active = active
    item.save(update_fields=["active", "updated_at"])
    _audit(actor, role, "finance.ssh.set_active", item.regency_id, item, after={"active": active})
    return item


_YES = {"", "ya", "y", "aktif", "1", "true", "benar"}
_NO = {"tidak", "t", "n", "no", "nonaktif", "0", "false", "salah"}


@transaction.atomic
def unit_prices_import(*, actor: Any, regency: Region, year: int, file: Any) -> ImportResult:
    """Upload of the SSH for ``year``: every row is checked first; any problem rejects the whole
    file. Existing codes are updated, new codes added; items not in the file are kept."""
    role = _role(actor, regency.code)
    _year(year)
    rows = excel_ref.read_upload(file, required=["Kode", "Uraian", "Satuan", "Harga satuan"])
    if not rows:
        raise KampungError("Berkas tidak berisi baris data.")
    accounts = _spending_accounts(regency.code)
    problems: list[str] = []
    parsed: dict[str, UnitPriceData] = {}
    seen_rows: dict[str, int] = {}
    for number, record in rows:
        active_text = excel_ref.text(record.get("aktif")).lower()
        price = excel_ref.amount(record.get("harga satuan"))
        data = UnitPriceData(
            code=excel_ref.text(record.get("kode")),
            name=" ".join(excel_ref.text(record.get("uraian")).split()),
            specification=excel_ref.text(record.get("spesifikasi"))[:255],
            unit=excel_ref.text(record.get("satuan")),
            price=price if price is not None else Decimal(-1),
            account_code=excel_ref.text(record.get("kode rekening")),
            active=active_text not in _NO,
        )
        row_problems = _check_unit_price(data, accounts)
        if active_text not in _YES | _NO:
            row_problems.append("kolom Aktif harus 'ya' atau 'tidak'")
        if data.code in seen_rows:
            row_problems.append(f"kode {data.code} sudah ada di baris {seen_rows[data.code]}")
        elif data.code:
            seen_rows[data.code] = number
        problems.extend(f"Baris {number}: {p}." for p in row_problems)
        if not row_problems:
            parsed[data.code] = data
    if problems:
        raise ImportRejected(problems)
    existing = {
        i.code: i for i in UnitPrice.objects.filter(regency=regency, year=year, code__in=list(parsed))
    }
    result = ImportResult()
    new, changed = [], []
    for code, data in parsed.items():
        item = existing.get(code)
        if item is None:
            new.append(UnitPrice(regency=regency, year=year, code=code, **_ssh_fields(data)))
            continue
        fields = _ssh_fields(data)
        if all(getattr(item, k) == v for k, v in fields.items()):
            result.unchanged += 1
            continue
        for key, value in fields.items():
            setattr(item, key, value)
        changed.append(item)
    UnitPrice.objects.bulk_create(new)
    if changed:
        UnitPrice.objects.bulk_update(
            changed, ["name", "specification", "unit", "price", "account_code", "active"]
        )
    result.created, result.updated = len(new), len(changed)
    _audit(
        actor,
        role,
        "finance.ssh.import",
        regency,
        after={
            "year": year,
            "created": result.created,
            "updated": result.updated,
            "file": getattr(file, "name", ""),
        },
    )
    return result


@transaction.atomic
def unit_prices_copy(*, actor: Any, regency: Region, from_year: int, to_year: int) -> int:
    """Copy the year's active SSH items to another year; codes already there are kept."""
    role = _role(actor, regency.code)
    _year(from_year), _year(to_year)
    if from_year == to_year:
        raise KampungError("Tahun asal dan tahun tujuan harus berbeda.")
    have = set(UnitPrice.objects.filter(regency=regency, year=to_year).values_list("code", flat=True))
    new = [
        UnitPrice(
            regency=regency,
            year=to_year,
            code=i.code,
            name=i.name,
            specification=i.specification,
            unit=i.unit,
            price=i.price,
            account_code=i.account_code,
        )
        for i in UnitPrice.objects.filter(regency=regency, year=from_year, active=True)
        if i.code not in have
    ]
    if not new and not have:
        raise KampungError(f"SSH {from_year} kosong; tidak ada yang disalin.")
    UnitPrice.objects.bulk_create(new)
    _audit(
        actor,
        role,
        "finance.ssh.copy",
        regency,
        after={"from": from_year, "to": to_year, "added": len(new)},
    )
    return len(new)


# -- calendar -------------------------------------------------------------------------------


@transaction.atomic
def calendar_save(*, actor: Any, regency: Region, year: int, due_dates: dict[str, dt.date]) -> int:
    """Save the regency's deadlines for budget ``year`` (domain.md §1.7); returns rows changed."""
    role = _role(actor, regency.code)
    _year(year)
    valid = set(CalendarEvent.values)
    unknown = set(due_dates) - valid
    if unknown:
        raise KampungError("Tahapan tidak dikenal: " + ", ".join(sorted(unknown)) + ".")
    for event, due in due_dates.items():
        if not year - 3 <= due.year <= year + 2:
            raise KampungError(
                f"Batas waktu {CalendarEvent(event).label} ({due:%d-%m-%Y}) terlalu jauh dari tahun anggaran {year}."
            )
    existing = {d.event: d for d in CalendarDeadline.objects.filter(regency=regency, year=year)}
    changed: dict[str, str] = {}
    before: dict[str, str] = {}
    for event, due in due_dates.items():
        row = existing.get(event)
        if row is None:
            CalendarDeadline.objects.create(regency=regency, year=year, event=event, due_date=due)
            changed[event] = due.isoformat()
        elif row.due_date != due:
            before[event] = row.due_date.isoformat()
            row.due_date = due
            row.save(update_fields=["due_date", "updated_at"])
            changed[event] = due.isoformat()
    if changed:
        _audit(
            actor,
            role,
            "finance.calendar.save",
            regency,
            before={"year": year, **before},
            after={"year": year, **changed},
        )
    return len(changed)


# -- ceilings -------------------------------------------------------------------------------


def _desa_of_regency(village: Region, regency_code: str) -> None:
    if village.level != Level.VILLAGE or village.regency_code != regency_code:
        raise KampungError(f"Desa {village.code} bukan desa di kabupaten ini.")
    if not village.keeps_apbdes:
        raise KampungError(f"{village} adalah kelurahan; kelurahan tidak memiliki APBDes dan pagu desa.")


@transaction.atomic
def ceiling_set(
    *, actor: Any, village: Region, year: int, source_code: str, amount: Decimal, note: str = ""
) -> Ceiling:
    """Set a desa's indicative ceiling for one transfer source (Permendagri 114/2014 Pasal 45:
    the regency tells each desa its ceilings). Only desa, only transfer sources, amount ≥ 0."""
    role = _role(actor, village.regency_code)
    _year(year)
    _desa_of_regency(village, village.regency_code)
    source = FundSource.objects.filter(code=source_code, is_transfer=True).first()
    if source is None:
        raise KampungError(f"Sumber dana {source_code} bukan dana transfer yang memiliki pagu.")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise KampungError("Pagu harus angka 0 atau lebih.")
    amount = amount.quantize(Decimal("0.01"))
    row = Ceiling.objects.select_for_update().filter(village=village, year=year, source=source).first()
    before = str(row.amount) if row else None
    if row is None:
        row = Ceiling(village=village, year=year, source=source)
    row.amount, row.note, row.set_by = amount, note[:255], actor
    row.save()
    _audit(
        actor,
        role,
        "finance.ceiling.set",
        village,
        row,
        before={"amount": before},
        after={"year": year, "source": source.code, "amount": str(amount)},
    )
    return row


@transaction.atomic
def ceilings_import(*, actor: Any, regency: Region, year: int, file: Any) -> ImportResult:
    """Upload of the ceilings of ``year``: one row per desa, one column per transfer source.
    Every row is checked (unknown, kelurahan or other-regency codes, duplicate rows, negative or
    non-numeric amounts); any problem rejects the whole file. A blank cell leaves that ceiling
    as it is."""
    role = _role(actor, regency.code)
    _year(year)
    sources = list(FundSource.objects.filter(is_transfer=True).order_by("order", "code"))
    rows = excel_ref.read_upload(file, required=["Kode desa"])
    header_keys = set().union(*(r.keys() for _, r in rows)) if rows else set()
    columns = [s for s in sources if s.code.lower() in header_keys]
    if not rows:
        raise KampungError("Berkas tidak berisi baris data.")
    if not columns:
        raise KampungError(
            "Tidak ada kolom sumber dana (" + ", ".join(s.code for s in sources) + ") di baris 1."
        )
    codes = [excel_ref.text(r.get("kode desa")) for _, r in rows]
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for c in codes if c])}
    problems: list[str] = []
    values: dict[tuple[str, str], Decimal] = {}
    seen: dict[str, int] = {}
    for (number, record), code in zip(rows, codes, strict=True):
        region = regions.get(code)
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
            problems.append(f"Baris {number}: {region} adalah kelurahan; kelurahan tidak memiliki pagu desa.")
            continue
        if code in seen:
            problems.append(f"Baris {number}: desa {code} sudah ada di baris {seen[code]}.")
            continue
        seen[code] = number
        for source in columns:
            raw = record.get(source.code.lower())
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            value = excel_ref.amount(raw)
            if value is None:
                problems.append(f"Baris {number}: pagu {source.code} '{excel_ref.text(raw)}' bukan angka.")
            elif value < 0:
                problems.append(f"Baris {number}: pagu {source.code} tidak boleh negatif.")
            elif value >= MAX_AMOUNT:
                problems.append(f"Baris {number}: pagu {source.code} terlalu besar.")
            else:
                values[(code, source.code)] = value
    if problems:
        raise ImportRejected(problems)
    existing = {
        (c.village_id, c.source_id): c
        for c in Ceiling.objects.filter(year=year, village_id__in=list(seen), source__in=columns)
    }
    result = ImportResult()
    new, changed = [], []
    for (code, source_code), amount in values.items():
        row = existing.get((code, source_code))
        if row is None:
            new.append(
                Ceiling(village_id=code, year=year, source_id=source_code, amount=amount, set_by=actor)
            )
        elif row.amount != amount:
            row.amount, row.set_by = amount, actor
            changed.append(row)
        else:
            result.unchanged += 1
    Ceiling.objects.bulk_create(new)
    if changed:
        Ceiling.objects.bulk_update(changed, ["amount", "set_by"])
    result.created, result.updated = len(new), len(changed)
    _audit(
        actor,
        role,
        "finance.ceiling.import",
        regency,
        after={
            "year": year,
            "created": result.created,
            "updated": result.updated,
            "file": getattr(file, "name", ""),
        },
    )
    return result


# -- earmark rules --------------------------------------------------------------------------


def _check_earmark(percent: Decimal, prefixes: str, kind: str, regency: Region) -> str:
    if kind not in RuleKind.values:
        raise KampungError("Jenis ketentuan tidak dikenal.")
    if percent is None or not percent.is_finite() or percent < 0 or percent > 100:
        raise KampungError("Persen harus antara 0 dan 100.")
    parts = [p for p in prefixes.replace(",", " ").split() if p]
    if not parts:
        raise KampungError("Isi paling sedikit satu kode kegiatan atau sub bidang.")
    known = set(
        ActivityCode.objects.filter(code__in=parts)
        .filter(Q(regency__isnull=True) | Q(regency=regency))
        .values_list("code", flat=True)
    )
    unknown = [p for p in parts if p not in known]
    if unknown:
        raise KampungError("Kode kegiatan tidak dikenal: " + ", ".join(unknown) + ".")
    return " ".join(dict.fromkeys(parts))


@transaction.atomic
def earmark_save(
    *,
    actor: Any,
    regency: Region,
    year: int,
    label: str,
    kind: str,
    percent: Decimal,
    activity_prefixes: str,
    basis: str = "",
    rule: EarmarkRule | None = None,
) -> EarmarkRule:
    """A yearly Dana Desa usage rule (PMK of the year, domain.md §3.3). The table is national
    (one set per year); the regency's DPMD/admin keeps it."""
    role = _role(actor, regency.code)
    _year(year)
    label = " ".join(label.split())
    if not label:
        raise KampungError("Nama ketentuan wajib diisi.")
    prefixes = _check_earmark(percent, activity_prefixes, kind, regency)
    before = _earmark_snapshot(rule) if rule else None
    rule = rule or EarmarkRule()
    rule.year, rule.label, rule.kind, rule.percent = year, label[:200], kind, percent
    rule.activity_prefixes, rule.basis = prefixes[:400], basis.strip()[:200]
    rule.save()
    _audit(
        actor,
        role,
        "finance.earmark.save",
        regency,
        rule,
        before=before,
        after=_earmark_snapshot(rule),
    )
    return rule


def _earmark_snapshot(rule: EarmarkRule) -> dict[str, Any]:
    return {
        "year": rule.year,
        "label": rule.label,
        "kind": rule.kind,
        "percent": str(rule.percent),
        "prefixes": rule.activity_prefixes,
        "basis": rule.basis,
    }


@transaction.atomic
def earmark_delete(*, actor: Any, regency: Region, rule: EarmarkRule) -> None:
    role = _role(actor, regency.code)
    _audit(actor, role, "finance.earmark.delete", regency, rule, before=_earmark_snapshot(rule))
    rule.delete()


@transaction.atomic
def earmarks_copy(*, actor: Any, regency: Region, from_year: int, to_year: int) -> int:
    """Copy a year's rules to another year; labels already there are kept."""
    role = _role(actor, regency.code)
    _year(from_year), _year(to_year)
    if from_year == to_year:
        raise KampungError("Tahun asal dan tahun tujuan harus berbeda.")
    have = set(EarmarkRule.objects.filter(year=to_year).values_list("label", flat=True))
    source = list(EarmarkRule.objects.filter(year=from_year))
    if not source:
        raise KampungError(f"Belum ada ketentuan tahun {from_year}; tidak ada yang disalin.")
    new = [
        EarmarkRule(
            year=to_year,
            label=r.label,
            kind=r.kind,
            percent=r.percent,
            activity_prefixes=r.activity_prefixes,
            basis=f"mengikuti {from_year}" + (f" ({r.basis})" if r.basis else ""),
        )
        for r in source
        if r.label not in have
    ]
    EarmarkRule.objects.bulk_create(new)
    _audit(
        actor,
        role,
        "finance.earmark.copy",
        regency,
        after={"from": from_year, "to": to_year, "added": len(new)},
    )
    return len(new)
