"""The regency's monitoring thresholds (:class:`MonitoringSetting`): read with defaults, and
changed by the DPMD or the admin with an audit entry."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.monitoring.access import SETTINGS_EDITORS
from kampung.monitoring.models import MonitoringSetting
from kampung.regions.models import Level, Region

# (field, lowest, highest) for the whole-number thresholds.
_LIMITS: dict[str, tuple[int, int]] = {
    "visit_days": (1, 366),
    "behind_points": (1, 100),
    "ahead_points": (1, 100),
    "stalled_days": (1, 366),
}
FIELDS: tuple[str, ...] = (
    "physical_prefixes",
    "visit_days",
    "behind_points",
    "ahead_points",
    "spending_factor",
    "spending_floor",
    "stalled_days",
)
MAX_FACTOR = Decimal("100")
MAX_FLOOR = Decimal("1000000000000")


def setting_for(regency_code: str) -> MonitoringSetting:
    """The regency's thresholds, or an unsaved instance with the defaults when it has none."""
    found = MonitoringSetting.objects.filter(regency_id=regency_code).first()
    return found if found is not None else MonitoringSetting(regency_id=regency_code)


def settings_for(regency_codes: list[str] | set[str]) -> dict[str, MonitoringSetting]:
    """:func:`setting_for` for several regencies in one query."""
    codes = sorted(set(regency_codes))
    found = {s.regency_id: s for s in MonitoringSetting.objects.filter(regency_id__in=codes)}
    return {code: found.get(code) or MonitoringSetting(regency_id=code) for code in codes}


def physical_prefixes(setting: MonitoringSetting) -> tuple[str, ...]:
    return tuple(p.strip() for p in (setting.physical_prefixes or "").split(",") if p.strip())


def _label(name: str) -> str:
    field = MonitoringSetting._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _snapshot(setting: MonitoringSetting) -> dict[str, str]:
    return {name: str(getattr(setting, name)) for name in FIELDS}


def _prefixes(raw: Any) -> str:
    parts = [p.strip() for p in str(raw or "").split(",") if p.strip()]
    if not parts:
        raise KampungError("Isi paling sedikit satu awalan kode kegiatan fisik, misalnya 02.")
    for part in parts:
        if not all(ch.isdigit() or ch == "." for ch in part) or not part[0].isdigit() or len(part) > 12:
            raise KampungError(
                f"Awalan kode kegiatan “{part[:20]}” tidak sah: pakai angka dan titik, misalnya 02. atau 02.03."
            )
    text = ",".join(dict.fromkeys(parts))
    if len(text) > 100:
        raise KampungError("Daftar awalan kode kegiatan terlalu panjang (paling banyak 100 karakter).")
    return text


def _whole(name: str, raw: Any, label: str) -> int:
    low, high = _LIMITS[name]
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError) as exc:
        raise KampungError(f"{label} harus bilangan bulat.") from exc
    if not low <= value <= high:
        raise KampungError(f"{label} harus antara {low} dan {high}.")
    return value


def _decimal(raw: Any, label: str, low: Decimal, high: Decimal, places: int) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise KampungError(f"{label} harus angka.") from exc
    if not value.is_finite() or not low <= value <= high:
        raise KampungError(f"{label} harus antara {low} dan {high}.")
    quantum = Decimal(1).scaleb(-places)
    if value != value.quantize(quantum):
        raise KampungError(f"{label} paling banyak {places} angka di belakang koma.")
    return value.quantize(quantum)


@transaction.atomic
def setting_save(*, actor: Any, regency: Region, **values: Any) -> MonitoringSetting:
    """Save the regency's thresholds (DPMD or admin of the regency). Every value is checked
    (whole numbers in their range, a factor of 1–100, a positive floor, kegiatan code
    prefixes); a refusal changes nothing. The change is audited with before and after."""
    if regency.level != Level.REGENCY or not scope_for(actor).covers(regency.code, *SETTINGS_EDITORS):
        raise NotPermitted("Anda tidak berwenang mengubah pengaturan pemantauan kabupaten ini.")
    clean: dict[str, Any] = {"physical_prefixes": _prefixes(values.get("physical_prefixes"))}
    for name in _LIMITS:
        clean[name] = _whole(name, values.get(name), _label(name))
    clean["spending_factor"] = _decimal(
        values.get("spending_factor"), "Kelipatan belanja tak wajar", Decimal("1"), MAX_FACTOR, 1
    )
    clean["spending_floor"] = _decimal(
        values.get("spending_floor"), "Batas bawah belanja tak wajar", Decimal("0"), MAX_FLOOR, 2
    )
    setting = MonitoringSetting.objects.select_for_update().filter(regency=regency).first()
    before = _snapshot(setting) if setting is not None else None
    if setting is None:
        setting = MonitoringSetting(regency=regency)
    for name, value in clean.items():
        setattr(setting, name, value)
    setting.save()
    audit_record(
        actor=actor,
        act="monitoring.setting.save",
        region=regency,
        object_type="monitoring.MonitoringSetting",
        object_id=setting.pk,
        before=before,
        after=_snapshot(setting),
    )
    return setting
