"""Writes to the delegation register: instruments, delegations, revocations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from kampung.accounts.roles import ROLE_LEVEL, Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.authority.acts import all_families, get_act
from kampung.authority.models import Delegation, DelegationKind, Instrument, InstrumentKind, TargetScope
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.formatting import tanggal
from kampung.regions.models import Level, Region

_VILLAGE_INSTRUMENTS = {InstrumentKind.SK_KADES}


def _may_keep_register(actor: Any, region: Region, kind: str) -> None:
    """The regency admin keeps the register; a village head records their own SK (mandat
    to their staff) for their village only."""
    if actor is None:
        return
    scope = scope_for(actor)
    if scope.covers(region.code, Role.ADMIN):
        return
    if (
        kind in _VILLAGE_INSTRUMENTS
        and region.level == Level.VILLAGE
        and scope.covers(region.code, Role.HEAD)
    ):
        return
    raise NotPermitted("Hanya admin kabupaten yang mencatat instrumen pelimpahan kewenangan.")


@transaction.atomic
def instrument_create(
    *,
    actor: Any,
    regency: Region,
    kind: str,
    number: str,
    date: dt.date,
    title: str,
    issuer_name: str = "",
    file: Any = None,
    for_region: Region | None = None,
) -> Instrument:
    """Record a legal instrument (Perbup, Kepbup, SK...) under which powers are passed."""
    if regency.level != Level.REGENCY:
        raise KampungError("Instrumen dicatat pada kabupaten/kota.")
    _may_keep_register(actor, for_region or regency, kind)
    if kind not in InstrumentKind.values:
        raise KampungError("Jenis instrumen tidak dikenal.")
    if not number.strip() or not title.strip():
        raise KampungError("Nomor dan judul instrumen wajib diisi.")
    if Instrument.objects.filter(regency=regency, kind=kind, number=number.strip(), date=date).exists():
        raise KampungError("Instrumen dengan jenis, nomor dan tanggal itu sudah tercatat.")
    instrument = Instrument(
        regency=regency,
        kind=kind,
        number=number.strip(),
        date=date,
        title=title.strip(),
        issuer_name=issuer_name.strip(),
    )
    if file:
        instrument.file = file
    instrument.full_clean()
    instrument.save()
    audit_record(
        actor=actor,
        act="authority.instrument.create",
        region=for_region or regency,
        object_type="authority.Instrument",
        object_id=instrument.pk,
        after={"kind": kind, "number": instrument.number, "date": date, "title": instrument.title},
    )
    return instrument


def _check_acts(acts: list[str]) -> list[str]:
    cleaned = sorted({a.strip() for a in acts if a.strip()})
    if not cleaned:
        raise KampungError("Pilih paling sedikit satu tindakan yang dilimpahkan.")
    families = {f.code for f in all_families()}
    for code in cleaned:
        if code in families:
            continue
        if code.endswith("*"):
            raise KampungError(f"Pola tindakan '{code}' tidak dikenal.")
        if get_act(code) is None:
            raise KampungError(f"Tindakan '{code}' tidak dikenal.")
    return cleaned


@dataclass(frozen=True)
class DelegationInput:
    kind: str
    from_role: str
    from_region: Region
    to_role: str
    to_region: Region
    to_scope: str
    acts: list[str]
    valid_from: dt.date
    valid_until: dt.date | None = None
    amount_ceiling: Decimal | None = None
    parent: Delegation | None = None


@transaction.atomic
def delegation_create(*, actor: Any, instrument: Instrument, data: DelegationInput) -> Delegation:
    """Record one delegation or mandat under an instrument, refusing what the law does not
    allow: a recipient at the wrong level, a mandat passed on as a delegasi or outside its
    office, a delegation from someone who does not hold the power."""
    _may_keep_register(actor, data.from_region, instrument.kind)
    if data.kind not in DelegationKind.values:
        raise KampungError("Jenis pelimpahan harus delegasi atau mandat.")
    if data.from_role not in ROLE_LEVEL or data.to_role not in ROLE_LEVEL:
        raise KampungError("Peran pemberi atau penerima tidak dikenal.")
    if data.from_region.level != ROLE_LEVEL[data.from_role]:
        raise KampungError(f"{Role(data.from_role).label} tidak berkedudukan di {data.from_region}.")
    to_level = ROLE_LEVEL[data.to_role]
    expected_by_scope: dict[str, int] = {
        TargetScope.REGION: data.to_region.level,
        TargetScope.VILLAGES_UNDER: Level.VILLAGE,
        TargetScope.DISTRICTS_UNDER: Level.DISTRICT,
    }
    expected = expected_by_scope.get(data.to_scope)
    if expected is None:
        raise KampungError("Cakupan penerima tidak dikenal.")
    if to_level != expected or (data.to_scope != TargetScope.REGION and data.to_region.level >= expected):
        raise KampungError(f"{Role(data.to_role).label} tidak berkedudukan pada cakupan yang dipilih.")
    if not (
        data.to_region.code == data.from_region.code
        or data.to_region.code.startswith(data.from_region.code + ".")
    ):
        raise KampungError("Penerima harus berada di wilayah pemberi kewenangan.")
    if data.from_role == data.to_role and data.to_region.code == data.from_region.code:
        raise KampungError("Pemberi dan penerima kewenangan tidak boleh sama.")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise KampungError("Tanggal akhir tidak boleh sebelum tanggal mulai.")
    if data.amount_ceiling is not None and data.amount_ceiling <= 0:
        raise KampungError("Batas nilai harus lebih dari nol, atau kosongkan bila tanpa batas.")
    regency = instrument.regency_id
    if not (data.from_region.code == regency or data.from_region.code.startswith(regency + ".")):
        raise KampungError("Pemberi kewenangan harus berada di kabupaten yang menetapkan instrumen.")
    acts = _check_acts(data.acts)
    parent = data.parent
    if parent is not None:
        if parent.to_role != data.from_role or not parent.covers_target(data.from_region.code):
            raise KampungError("Pemberi harus penerima pada pelimpahan asal.")
        if parent.kind == DelegationKind.MANDAT and (
            data.kind != DelegationKind.MANDAT or data.to_region.code != data.from_region.code
        ):
            raise KampungError(
                "Mandat tidak dapat dilimpahkan lebih lanjut; hanya dapat diteruskan sebagai mandat di kantor yang sama (u.b.)."
            )
        outside = [a for a in acts if not parent.covers_act(a.rstrip("*")) and a not in parent.acts]
        if outside:
            raise KampungError(f"Tindakan {', '.join(outside)} tidak termasuk dalam pelimpahan asal.")
    else:
        for code in acts:
            act = get_act(code.replace("*", "x")) if "*" in code else get_act(code)
            if act is not None and act.holder_role != data.from_role:
                raise KampungError(
                    f"{Role(data.from_role).label} bukan pemegang kewenangan '{code}' "
                    f"(pemegangnya {Role(act.holder_role).label}); catat pelimpahan asalnya dulu."
                )
    delegation = Delegation(
        instrument=instrument,
        kind=data.kind,
        from_role=data.from_role,
        from_region=data.from_region,
        to_role=data.to_role,
        to_region=data.to_region,
        to_scope=data.to_scope,
        acts=acts,
        amount_ceiling=data.amount_ceiling,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        parent=parent,
    )
    delegation.full_clean()
    delegation.save()
    audit_record(
        actor=actor,
        act="authority.delegation.create",
        region=data.from_region,
        object_type="authority.Delegation",
        object_id=delegation.pk,
        after={
            "instrument": str(instrument),
            "kind": data.kind,
            "from": f"{data.from_role}@{data.from_region.code}",
            "to": f"{data.to_role}@{data.to_region.code}/{data.to_scope}",
            "acts": acts,
            "ceiling": data.amount_ceiling,
            "valid_from": data.valid_from,
            "valid_until": data.valid_until,
        },
    )
    return delegation


@transaction.atomic
def delegation_revoke(
    *,
    actor: Any,
    delegation: Delegation,
    revoked_on: dt.date,
    reason: str,
    revoking_instrument: Instrument | None = None,
) -> Delegation:
    """Revoke from a date. Acts done before it stay valid and keep their basis."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    _may_keep_register(actor, delegation.from_region, delegation.instrument.kind)
    if delegation.revoked_on is not None:
        raise KampungError(f"Pelimpahan ini sudah dicabut sejak {tanggal(delegation.revoked_on)}.")
    if revoking_instrument is not None and revoking_instrument.regency_id != delegation.instrument.regency_id:
        raise KampungError("Instrumen pencabut harus dari kabupaten yang sama.")
    if not reason.strip():
        raise KampungError("Alasan pencabutan wajib diisi.")
    if revoked_on < delegation.valid_from:
        raise KampungError("Tanggal pencabutan tidak boleh sebelum pelimpahan berlaku.")
    delegation.revoked_on = revoked_on
    delegation.revoke_reason = reason.strip()
    delegation.revoking_instrument = revoking_instrument
    delegation.save(update_fields=["revoked_on", "revoke_reason", "revoking_instrument", "updated_at"])
    audit_record(
        actor=actor,
        act="authority.delegation.revoke",
        region=delegation.from_region,
        object_type="authority.Delegation",
        object_id=delegation.pk,
        after={
            "revoked_on": revoked_on,
            "reason": delegation.revoke_reason,
            "instrument": str(revoking_instrument) if revoking_instrument else "",
        },
    )
    return delegation


MANDATE_RECIPIENTS = (Role.SECRETARY, Role.TREASURER, Role.OPERATOR, Role.EXECUTOR, Role.FIELD_OFFICER)


def _probe(code: str) -> str:
    return code.replace("*", "contoh")


@transaction.atomic
def village_mandate_give(
    *,
    actor: Any,
    village: Region,
    number: str,
    date: dt.date,
    title: str,
    to_role: str,
    acts: list[str],
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    file: Any = None,
) -> list[Delegation]:
    """A village head gives a staff member of the same office a mandat by their own SK.

    Acts the head holds by law are given directly; an act the head holds under a delegasi is
    passed on under that delegation (so the signature cites its instrument). One SK, one
    mandat per source of the power.
    """
    from kampung.authority.services import Basis, may_act, office_title, region_at_level

    if village.level != Level.VILLAGE or not scope_for(actor).covers(village.code, Role.HEAD):
        raise NotPermitted("Hanya kepala desa/lurah yang dapat memberi mandat di desanya.")
    if to_role not in MANDATE_RECIPIENTS:
        raise KampungError(
            "Mandat hanya dapat diberikan kepada perangkat di kantor desa yang sama: sekretaris, "
            "kaur keuangan, operator, pelaksana kegiatan atau petugas lapangan."
        )
    codes = list(dict.fromkeys(a.strip() for a in acts if a.strip()))
    if not codes:
        raise KampungError("Pilih paling sedikit satu tindakan yang dimandatkan.")
    if valid_until is not None and valid_until < valid_from:
        raise KampungError("Tanggal akhir tidak boleh sebelum tanggal mulai.")
    groups: dict[int | None, list[str]] = {}
    for code in codes:
        decision = may_act(actor, _probe(code), village, at=valid_from)
        if not decision.allowed or decision.role != Role.HEAD or decision.basis == Basis.MANDAT:
            raise KampungError(
                f"Anda tidak memegang kewenangan '{code}' sebagai kepala desa/lurah pada {tanggal(valid_from)}; "
                "hanya kewenangan menurut undang-undang atau delegasi yang dapat dimandatkan."
            )
        parent = decision.delegation_id if decision.basis == Basis.DELEGASI else None
        groups.setdefault(parent, []).append(code)
    regency = Region.objects.filter(code=region_at_level(village.code, Level.REGENCY)).first()
    if regency is None:
        raise KampungError("Kabupaten/kota desa ini tidak ditemukan.")
    instrument = instrument_create(
        actor=actor,
        regency=regency,
        kind=InstrumentKind.SK_KADES,
        number=number,
        date=date,
        title=title,
        issuer_name=office_title(Role.HEAD, village),
        file=file,
        for_region=village,
    )
    made = []
    for parent_id, codes in groups.items():
        made.append(
            delegation_create(
                actor=actor,
                instrument=instrument,
                data=DelegationInput(
                    kind=DelegationKind.MANDAT,
                    from_role=Role.HEAD,
                    from_region=village,
                    to_role=to_role,
                    to_region=village,
                    to_scope=TargetScope.REGION,
                    acts=codes,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    parent=Delegation.objects.get(pk=parent_id) if parent_id else None,
                ),
            )
        )
    return made
