"""The regency's execution settings (its Perbup on village finance) and its dated tax-rate rows.

- ``FinanceSetting``: whether a kegiatan's next-stage SPP needs the previous stage reported
  complete (Banyuwangi's e-Village Budgeting), the cash-in-hand limit of the treasurer, and the
  working days an executor has to account for an advance (Permendagri 20/2018 Pasal 55 says
  10; the regency may set 1–30).
- ``TaxRate``: national rows (``regency`` empty, loaded with the system) are read-only here; the
  regency adds its own rows (regional taxes). Rates are dated: a row is never edited in place
  once it may have been used — a change closes the old row (``valid_to``) the day before the
  new row starts. Two rows of the same code and regency may not overlap in time.

Only the regency's DPMD staff or admin (``REGENCY_FINANCE_ADMINS``) may write; every write is
audited on the regency's chain. Refusals change nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q

from kampung.audit.services import audit_record
from kampung.core.errors import KampungError
from kampung.finance.defaults import ADVANCE_WORKING_DAYS
from kampung.finance.models import FinanceSetting, TaxKind, TaxRate
from kampung.finance.services.ref import _role
from kampung.regions.models import Region

MAX_AMOUNT = Decimal("9999999999999999")
_CODE = re.compile(r"^[A-Z0-9_]{2,16}$")
ONE_DAY = dt.timedelta(days=1)


def setting_for(regency: Region) -> FinanceSetting:
    """The regency's settings as saved, or the defaults (unsaved) when never set."""
    return FinanceSetting.objects.filter(regency=regency).first() or FinanceSetting(
        regency=regency, advance_working_days=ADVANCE_WORKING_DAYS
    )


def _money(value: Any, label: str, *, optional: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None
        raise KampungError(f"{label} wajib diisi.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise KampungError(f"{label} harus berupa angka.") from exc
    if (
        not amount.is_finite()
        or amount < 0
        or amount > MAX_AMOUNT
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise KampungError(f"{label} harus angka 0 atau lebih.")
    return amount


def _audit(
    actor: Any, act: str, regency: Region, role: str, row: Any, *, after: Any, before: Any = None
) -> None:
    """Audit a write on ``row`` (a setting or a tax rate) on the regency's chain."""
    audit_record(
        actor=actor,
        act=act,
        region=regency,
        role=role,
        object_type=row._meta.label,
        object_id=str(row.pk),
        before=before,
        after=after,
    )


@transaction.atomic
def finance_setting_save(
    *,
    actor: Any,
    regency: Region,
    require_stage_complete: bool,
    cash_limit: Decimal | None,
    advance_working_days: int,
) -> FinanceSetting:
    role = _role(actor, regency.code)
    if not isinstance(advance_working_days, int) or not 1 <= advance_working_days <= 30:
        raise KampungError("Batas SPJ panjar harus 1 sampai 30 hari kerja.")
    limit = _money(cash_limit, "Batas kas tunai", optional=True)
    row = FinanceSetting.objects.select_for_update().filter(regency=regency).first()
    before = (
        {
            "require_stage_complete": row.require_stage_complete,
            "cash_limit": str(row.cash_limit) if row.cash_limit is not None else None,
            "advance_working_days": row.advance_working_days,
        }
        if row
        else None
    )
    if row is None:
        row = FinanceSetting(regency=regency)
    row.require_stage_complete = bool(require_stage_complete)
    row.cash_limit = limit
    row.advance_working_days = advance_working_days
    row.save()
    _audit(
        actor,
        "finance.setting.save",
        regency,
        role,
        row,
        before=before,
        after={
            "require_stage_complete": row.require_stage_complete,
            "cash_limit": str(limit) if limit is not None else None,
            "advance_working_days": advance_working_days,
        },
    )
    return row


# -- tax rates ------------------------------------------------------------------------------


def rates_for(regency: Region) -> list[TaxRate]:
    """National rows and the regency's own, by code then newest first."""
    return list(
        TaxRate.objects.filter(Q(regency__isnull=True) | Q(regency=regency))
        .select_related("regency")
        .order_by("code", "regency_id", "-valid_from")
    )


def _overlap(
    regency: Region, code: str, start: dt.date, end: dt.date | None, exclude: int | None = None
) -> TaxRate | None:
    qs = TaxRate.objects.filter(regency=regency, code=code).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    if end is not None:
        qs = qs.filter(valid_from__lte=end)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("valid_from").first()


def _period(row: TaxRate) -> str:
    end = f"{row.valid_to:%d-%m-%Y}" if row.valid_to else "seterusnya"
    return f"{row.valid_from:%d-%m-%Y} s.d. {end}"


def _check_rate(data: dict[str, Any]) -> dict[str, Any]:
    code = str(data.get("code") or "").strip().upper()
    if not _CODE.match(code):
        raise KampungError("Kode pajak 2–16 huruf besar, angka atau garis bawah (mis. PBJT_MAKAN).")
    data["code"] = code
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 120:
        raise KampungError("Nama pajak wajib diisi (paling panjang 120 karakter).")
    data["name"] = name
    if data.get("kind") not in TaxKind.values:
        raise KampungError("Jenis pajak tidak dikenal.")
    for key, label, optional in (("rate", "Tarif", False), ("rate_without_npwp", "Tarif tanpa NPWP", True)):
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if optional:
                data[key] = None
                continue
            raise KampungError(f"{label} wajib diisi.")
        try:
            pct = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation as exc:
            raise KampungError(f"{label} harus berupa angka.") from exc
        if not pct.is_finite() or pct < 0 or pct > 100 or pct != pct.quantize(Decimal("0.0001")):
            raise KampungError(f"{label} harus antara 0 dan 100 persen.")
        data[key] = pct
    data["threshold"] = _money(data.get("threshold") or Decimal(0), "Batas minimal dasar pengenaan")
    start, end = data.get("valid_from"), data.get("valid_to")
    if not isinstance(start, dt.date):
        raise KampungError("Tanggal mulai berlaku wajib diisi.")
    if end is not None and (not isinstance(end, dt.date) or end < start):
        raise KampungError("Tanggal akhir berlaku tidak boleh sebelum tanggal mulai.")
    for key, limit in (("deposit_code", 20), ("basis", 200), ("notes", 300)):
        text = str(data.get(key) or "").strip()
        if len(text) > limit:
            raise KampungError(f"Isian {key} paling panjang {limit} karakter.")
        data[key] = text
    return data


def _rate_dict(row: TaxRate) -> dict[str, Any]:
    return {
        "code": row.code,
        "rate": str(row.rate),
        "rate_without_npwp": str(row.rate_without_npwp) if row.rate_without_npwp is not None else None,
        "threshold": str(row.threshold),
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
    }


@transaction.atomic
def tax_rate_add(
    *,
    actor: Any,
    regency: Region,
    code: str,
    name: str,
    kind: str,
    rate: Decimal,
    valid_from: dt.date,
    rate_without_npwp: Decimal | None = None,
    threshold: Decimal = Decimal(0),
    deposit_code: str = "",
    valid_to: dt.date | None = None,
    basis: str = "",
    notes: str = "",
) -> TaxRate:
    """Add one of the regency's own dated rates (refused when it overlaps a row of the same code)."""
    role = _role(actor, regency.code)
    data = _check_rate(
        {
            "code": code,
            "name": name,
            "kind": kind,
            "rate": rate,
            "rate_without_npwp": rate_without_npwp,
            "threshold": threshold,
            "deposit_code": deposit_code,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "basis": basis,
            "notes": notes,
        }
    )
    # Lock the regency's rows of this code so two admins cannot add overlapping rows at once.
    list(TaxRate.objects.select_for_update().filter(regency=regency, code=data["code"]))
    if TaxRate.objects.filter(regency__isnull=True, code=data["code"]).exists():
        raise KampungError(
            f"Kode {data['code']} adalah tarif nasional; gunakan kode lain untuk pajak daerah kabupaten."
        )
    clash = _overlap(regency, data["code"], data["valid_from"], data["valid_to"])
    if clash is not None:
        raise KampungError(
            f"Masa berlaku bertumpang tindih dengan tarif {clash.code} yang berlaku {_period(clash)}. "
            "Akhiri tarif lama lebih dulu atau pilih tanggal lain."
        )
    row = TaxRate.objects.create(regency=regency, **data)
    _audit(actor, "finance.tax_rate.add", regency, role, row, after=_rate_dict(row))
    return row


def _own(regency: Region, rate: TaxRate) -> TaxRate:
    row = TaxRate.objects.select_for_update().filter(pk=rate.pk).first()
    if row is None or row.regency_id is None:
        raise KampungError("Tarif nasional tidak dapat diubah dari halaman kabupaten.")
    if row.regency_id != regency.code:
        raise KampungError("Tarif ini bukan milik kabupaten Anda.")
    return row


@transaction.atomic
def tax_rate_end(*, actor: Any, regency: Region, rate: TaxRate, valid_to: dt.date) -> TaxRate:
    """End one of the regency's rates on ``valid_to`` (its last valid day)."""
    role = _role(actor, regency.code)
    row = _own(regency, rate)
    if not isinstance(valid_to, dt.date):
        raise KampungError("Tanggal akhir berlaku wajib diisi.")
    if valid_to < row.valid_from:
        raise KampungError(
            f"Tanggal akhir berlaku tidak boleh sebelum tanggal mulai ({row.valid_from:%d-%m-%Y})."
        )
    if row.valid_to is not None and valid_to > row.valid_to:
        raise KampungError(
            f"Tarif ini sudah berakhir {row.valid_to:%d-%m-%Y}; masa berlaku tidak dapat diperpanjang."
        )
    before = _rate_dict(row)
    row.valid_to = valid_to
    row.save(update_fields=["valid_to", "updated_at"])
    _audit(actor, "finance.tax_rate.end", regency, role, row, before=before, after=_rate_dict(row))
    rate.refresh_from_db()
    return row


@transaction.atomic
def tax_rate_change(
    *,
    actor: Any,
    regency: Region,
    rate: TaxRate,
    valid_from: dt.date,
    rate_value: Decimal,
    rate_without_npwp: Decimal | None = None,
    threshold: Decimal = Decimal(0),
    name: str | None = None,
    deposit_code: str | None = None,
    basis: str = "",
    notes: str = "",
) -> TaxRate:
    """Change one of the regency's rates from ``valid_from``: the old row ends the day before,
    a new row starts (the old row, possibly used by past payments, keeps its figures)."""
    role = _role(actor, regency.code)
    old = _own(regency, rate)
    if not isinstance(valid_from, dt.date):
        raise KampungError("Tanggal mulai berlaku tarif baru wajib diisi.")
    if valid_from <= old.valid_from:
        raise KampungError(
            f"Tarif baru harus mulai setelah tarif lama mulai berlaku ({old.valid_from:%d-%m-%Y})."
        )
    if old.valid_to is not None and valid_from > old.valid_to + ONE_DAY:
        raise KampungError(
            f"Tarif lama sudah berakhir {old.valid_to:%d-%m-%Y}; tambahkan tarif baru, bukan mengubahnya."
        )
    data = _check_rate(
        {
            "code": old.code,
            "name": name if name is not None else old.name,
            "kind": old.kind,
            "rate": rate_value,
            "rate_without_npwp": rate_without_npwp,
            "threshold": threshold,
            "deposit_code": deposit_code if deposit_code is not None else old.deposit_code,
            "valid_from": valid_from,
            # the new row takes over the rest of the old row's period (open when it had none
            # or when the new row starts right after the old one ended)
            "valid_to": old.valid_to if old.valid_to is not None and old.valid_to >= valid_from else None,
            "basis": basis,
            "notes": notes,
        }
    )
    before = _rate_dict(old)
    old.valid_to = valid_from - ONE_DAY
    old.save(update_fields=["valid_to", "updated_at"])
    clash = _overlap(regency, old.code, valid_from, data["valid_to"], exclude=old.pk)
    if clash is not None:
        raise KampungError(
            f"Masa berlaku bertumpang tindih dengan tarif {clash.code} yang berlaku {_period(clash)}."
        )
    new = TaxRate.objects.create(regency=regency, **data)
    _audit(
        actor,
        "finance.tax_rate.change",
        regency,
        role,
        new,
        before=before,
        after={"closed": _rate_dict(old), "new": _rate_dict(new)},
    )
    rate.refresh_from_db()
    return new
