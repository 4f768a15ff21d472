"""The village's register of assets (Buku Inventaris dan Kekayaan Desa, Permendagri 1/2016
on Pengelolaan Aset Desa; Permendagri 47/2016 on Administrasi Pemerintahan Desa).

The secretary, the operator or the treasurer (``ASSET_KEEPERS``) add items, correct them and
write them off. An item is never deleted: a write-off (penghapusan) keeps the row with its date
and reason, so the year-end report (Laporan Kekayaan Milik Desa) can still show it among the
year's removals. Capital spending (belanja modal, 5.3) adds to the register: an item may point
at the SPP that paid for it and the 5.3 account it was booked on.

Every refusal raises :class:`~kampung.core.errors.KampungError` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.access import ASSET_KEEPERS
from kampung.finance.models import Asset, AssetCategory, AssetCondition, AssetOrigin, Spp
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

MAX_VALUE = Decimal("9999999999999999")
MAX_QUANTITY = Decimal("9999999999")

# The jenis of capital spending (5.3.x) → the register's golongan (Permendagri 20/2018 Lampiran).
CATEGORY_BY_JENIS = {
    "5.3.1": AssetCategory.LAND,  # pengadaan tanah
    "5.3.2": AssetCategory.EQUIPMENT,  # peralatan, mesin dan alat berat
    "5.3.3": AssetCategory.EQUIPMENT,  # kendaraan
    "5.3.4": AssetCategory.BUILDING,  # gedung, bangunan dan taman
    "5.3.5": AssetCategory.NETWORK,  # jalan/prasarana jalan
    "5.3.6": AssetCategory.NETWORK,  # jembatan
    "5.3.7": AssetCategory.NETWORK,  # irigasi/embung/air sungai/drainase/air limbah/persampahan
    "5.3.8": AssetCategory.NETWORK,  # jaringan/instalasi
    "5.3.9": AssetCategory.OTHER_FIXED,  # aset tetap lainnya
}

FIELDS = (
    "category",
    "code",
    "name",
    "quantity",
    "unit",
    "acquired_on",
    "value",
    "origin",
    "condition",
    "location",
    "notes",
    "spp",
    "account_code",
)


def guess_category(account_code: str) -> str:
    """The golongan a capital-spending account most likely belongs to ("" when not 5.3)."""
    jenis = ".".join((account_code or "").split(".")[:3])
    return str(CATEGORY_BY_JENIS.get(jenis, ""))


def _village(village_code: str) -> Region:
    village = Region.objects.filter(code=village_code).first()
    if village is None or not village.keeps_apbdes:
        raise KampungError("Register aset hanya untuk desa.")
    return village


def keeper_role(actor: Any, village_code: str) -> str:
    held = scope_for(actor).roles_at(village_code)
    for role in ASSET_KEEPERS:
        if role in held:
            return role
    raise NotPermitted(
        "Hanya sekretaris desa, operator atau kaur keuangan yang dapat mengubah register aset."
    )


def _decimal(value: Any, label: str) -> Decimal:
    if isinstance(value, Decimal):
        amount = value
    else:
        try:
            amount = Decimal(str(value).strip())
        except (InvalidOperation, ValueError) as exc:
            raise KampungError(f"{label} harus berupa angka.") from exc
    if not amount.is_finite():
        raise KampungError(f"{label} harus berupa angka.")
    return amount


def _clean(village: Region, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Checked and normalised fields, or a refusal naming the first problem."""
    out = dict(data)
    name = str(out.get("name") or "").strip()
    if not name:
        raise KampungError("Nama barang wajib diisi.")
    if len(name) > 200:
        raise KampungError("Nama barang paling panjang 200 karakter.")
    out["name"] = name
    if out.get("category") not in AssetCategory.values:
        raise KampungError("Pilih golongan aset.")
    if out.get("origin") not in AssetOrigin.values:
        raise KampungError("Pilih asal perolehan aset.")
    if out.get("condition") not in AssetCondition.values:
        raise KampungError("Pilih kondisi aset.")
    acquired = out.get("acquired_on")
    if not isinstance(acquired, dt.date):
        raise KampungError("Tanggal perolehan wajib diisi.")
    if acquired > today:
        raise KampungError("Tanggal perolehan tidak boleh setelah hari ini.")
    if acquired.year < 1900:
        raise KampungError("Tanggal perolehan tidak sah.")
    value = _decimal(out.get("value"), "Nilai perolehan")
    if value < 0:
        raise KampungError("Nilai perolehan tidak boleh negatif.")
    if value > MAX_VALUE or value != value.quantize(Decimal("0.01")):
        raise KampungError("Nilai perolehan tidak sah.")
    out["value"] = value
    quantity = _decimal(out.get("quantity", 1), "Jumlah barang")
    if quantity <= 0 or quantity > MAX_QUANTITY or quantity != quantity.quantize(Decimal("0.01")):
        raise KampungError("Jumlah barang harus lebih dari nol.")
    out["quantity"] = quantity
    for key, limit, label in (
        ("code", 40, "Kode barang"),
        ("unit", 30, "Satuan"),
        ("location", 200, "Lokasi"),
        ("account_code", 20, "Rekening belanja modal"),
    ):
        text = str(out.get(key) or "").strip()
        if len(text) > limit:
            raise KampungError(f"{label} paling panjang {limit} karakter.")
        out[key] = text
    out["unit"] = out["unit"] or "unit"
    out["notes"] = str(out.get("notes") or "").strip()
    spp = out.get("spp")
    if spp is not None:
        if not isinstance(spp, Spp) or spp.book.village_id != village.code:
            raise KampungError("SPP tidak ditemukan di desa ini.")
    account = out["account_code"]
    if account and not account.startswith("5.3"):
        raise KampungError("Rekening belanja modal harus rekening 5.3 (belanja modal).")
    return out


def _snapshot(asset: Asset) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in FIELDS:
        value = getattr(asset, "spp_id" if key == "spp" else key)
        out[key] = None if value is None else str(value)
    return out


@transaction.atomic
def asset_create(
    *,
    actor: Any,
    village_code: str,
    category: str,
    name: str,
    acquired_on: dt.date,
    value: Decimal,
    origin: str,
    quantity: Decimal | int = 1,
    unit: str = "unit",
    code: str = "",
    condition: str = AssetCondition.GOOD,
    location: str = "",
    notes: str = "",
    spp: Spp | None = None,
    account_code: str = "",
) -> Asset:
    """Add an item to the register."""
    village = _village(village_code)
    role = keeper_role(actor, village.code)
    data = _clean(
        village,
        {
            "category": category,
            "name": name,
            "acquired_on": acquired_on,
            "value": value,
            "origin": origin,
            "quantity": quantity,
            "unit": unit,
            "code": code,
            "condition": condition,
            "location": location,
            "notes": notes,
            "spp": spp,
            "account_code": account_code,
        },
        local_today(village),
    )
    asset = Asset.objects.create(village=village, recorded_by=actor, **data)
    audit_record(
        actor=actor,
        act="finance.asset.create",
        region=village.code,
        role=role,
        object_type=asset._meta.label,
        object_id=str(asset.pk),
        after=_snapshot(asset),
    )
    return asset


@transaction.atomic
def asset_update(*, actor: Any, asset: Asset, **changes: Any) -> Asset:
    """Correct an item (any of :data:`FIELDS`). A written-off item is not changed any more."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise KampungError("Isian tidak dikenal: " + ", ".join(sorted(unknown)))
    village = _village(asset.village_id)
    role = keeper_role(actor, village.code)
    current = Asset.objects.select_for_update().get(pk=asset.pk)
    if current.removed_on is not None:
        raise KampungError("Aset yang sudah dihapus dari register tidak dapat diubah.")
    data = {key: getattr(current, key) for key in FIELDS}
    data.update(changes)
    data = _clean(village, data, local_today(village))
    before = _snapshot(current)
    for key, value in data.items():
        setattr(current, key, value)
    current.save()
    audit_record(
        actor=actor,
        act="finance.asset.update",
        region=village.code,
        role=role,
        object_type=current._meta.label,
        object_id=str(current.pk),
        before=before,
        after=_snapshot(current),
    )
    asset.refresh_from_db()
    return current


@transaction.atomic
def asset_remove(*, actor: Any, asset: Asset, date: dt.date, reason: str) -> Asset:
    """Write an item off (penghapusan: sold, destroyed, lost, handed over) with a date and reason."""
    village = _village(asset.village_id)
    role = keeper_role(actor, village.code)
    current = Asset.objects.select_for_update().get(pk=asset.pk)
    if current.removed_on is not None:
        raise KampungError(f"Aset ini sudah dihapus pada {current.removed_on:%d-%m-%Y}.")
    reason = (reason or "").strip()
    if not reason:
        raise KampungError("Alasan penghapusan wajib diisi.")
    if len(reason) > 300:
        raise KampungError("Alasan penghapusan paling panjang 300 karakter.")
    if not isinstance(date, dt.date):
        raise KampungError("Tanggal penghapusan wajib diisi.")
    if date < current.acquired_on:
        raise KampungError("Tanggal penghapusan tidak boleh sebelum tanggal perolehan.")
    if date > local_today(village):
        raise KampungError("Tanggal penghapusan tidak boleh setelah hari ini.")
    current.removed_on, current.removal_reason = date, reason
    current.save(update_fields=["removed_on", "removal_reason", "updated_at"])
    audit_record(
        actor=actor,
        act="finance.asset.remove",
        region=village.code,
        role=role,
        object_type=current._meta.label,
        object_id=str(current.pk),
        after={"removed_on": date.isoformat(), "reason": reason, "value": str(current.value)},
    )
    asset.refresh_from_db()
    return current
