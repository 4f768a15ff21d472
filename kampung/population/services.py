"""Writes to the population register: residents, families and their life events.

Every service is one transaction with its audit entry. Only the village's operator,
secretary or head may write (Permendagri 47/2016 on village administration: the village
government keeps the Buku Induk and Buku Mutasi Penduduk). The audit entry names the fields
and numbers involved, masked; the values themselves live in the register and its events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.population.checks import kk_check, mask_nik, name_key, name_tokens, nik_check
from kampung.population.models import (
    BasicStatus,
    Family,
    LifeEvent,
    LifeEventKind,
    Resident,
    ResidentNameToken,
)
from kampung.regions.models import Level, Region

WRITER_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.HEAD)
RELATION_HEAD = 1
RELATION_CHILD = 4

# Attributes a caller may set besides the identity fields (nik, name, birth date, sex).
ATTRIBUTE_FIELDS = (
    "birth_place",
    "religion",
    "marital_status",
    "family_relation",
    "education",
    "occupation",
    "citizenship",
    "blood_type",
    "disability",
    "dusun",
    "rw",
    "rt",
    "phone",
)
CORRECTABLE_FIELDS = ("nik", "name", "birth_date", "sex", *ATTRIBUTE_FIELDS)


# -- helpers -------------------------------------------------------------------------------


def _role_for(actor: Any, village_code: str) -> str:
    """The writer role the actor holds at the village, or NotPermitted."""
    scope = scope_for(actor)
    if not scope.covers(village_code, *WRITER_ROLES):
        raise NotPermitted(
            "Anda tidak berwenang mengubah data penduduk desa ini: hanya operator, sekretaris "
            "atau kepala desa setempat."
        )
    roles = scope.roles_at(village_code)
    return next(r for r in WRITER_ROLES if r in roles)


def _today() -> dt.date:
    return timezone.localdate()


def _refuse(label: str, errors: list[str]) -> KampungError:
    return KampungError(f"{label} ditolak: " + " ".join(errors), code="nomor_tidak_sah")


def _attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    values = dict(attributes or {})
    unknown = sorted(set(values) - set(ATTRIBUTE_FIELDS))
    if unknown:
        raise KampungError(f"Kolom tidak dikenal: {', '.join(unknown)}.")
    return values


def _ensure_nik_free(nik: str, *, village: Region, exclude_pk: int | None = None) -> None:
    """A NIK belongs to one living person only, across the whole regency (and beyond)."""
    living = Resident.objects.filter(nik=nik, basic_status=BasicStatus.LIVING)
    if exclude_pk is not None:
        living = living.exclude(pk=exclude_pk)
    other = living.values_list("village_id", flat=True).first()
    if other is None:
        return
    where = "di desa ini" if other == village.code else "di desa/kelurahan lain"
    raise KampungError(
        f"NIK {nik} sudah terdaftar atas penduduk yang masih hidup {where}. Satu NIK hanya untuk "
        "satu orang: periksa NIK-nya, atau catat dulu kematian/kepindahan pada data yang lama.",
        code="nik_terdaftar",
    )


def _duplicate_flags(key: str, birth_date: dt.date, *, exclude_pk: int | None = None) -> list[str]:
    same = Resident.objects.filter(name_key=key, birth_date=birth_date).exclude(
        basic_status=BasicStatus.INVALID
    )
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return [
        f"Kemungkinan data ganda: nama dan tanggal lahir sama dengan penduduk #{pk} "
        f"(NIK {mask_nik(nik)}); periksa, jangan digabung otomatis."
        for pk, nik in same.order_by("pk").values_list("pk", "nik")[:5]
    ]


def _write_tokens(resident: Resident) -> None:
    ResidentNameToken.objects.filter(resident=resident).delete()
    ResidentNameToken.objects.bulk_create(
        ResidentNameToken(
            resident=resident, village_id=resident.village_id, token=token, name_key=resident.name_key
        )
        for token in dict.fromkeys(name_tokens(resident.name))
    )


def _set_review(obj: Resident | Family, flags: list[str]) -> None:
    if flags:
        obj.needs_review = True
        notes = [n for n in obj.review_notes.splitlines() if n.strip()]
        obj.review_notes = "\n".join(dict.fromkeys([*notes, *flags]))


def _event(
    *,
    kind: str,
    resident: Resident,
    actor: Any,
    event_date: dt.date,
    reported_date: dt.date | None,
    reporter_name: str,
    reporter: Resident | None,
    family: Family | None = None,
    details: dict[str, Any] | None = None,
) -> LifeEvent:
    reported = reported_date or _today()
    if event_date > _today():
        raise KampungError("Tanggal peristiwa tidak boleh di masa depan.")
    if reported < event_date:
        raise KampungError("Tanggal lapor tidak boleh sebelum tanggal peristiwa.")
    event = LifeEvent(
        kind=kind,
        resident=resident,
        village_id=resident.village_id,
        family=family,
        event_date=event_date,
        reported_date=reported,
        reporter_name=(reporter_name or (reporter.name if reporter else "")).strip()[:150],
        reporter=reporter,
        actor=actor if getattr(actor, "pk", None) else None,
        details=details or {},
    )
    event.save()
    return event


def _create_resident(
    *,
    village: Region,
    family: Family | None,
    nik: str,
    name: str,
    birth_date: dt.date,
    sex: int,
    attributes: Mapping[str, Any] | None,
) -> tuple[Resident, list[str]]:
    if village.level != Level.VILLAGE:
        raise KampungError("Penduduk dicatat pada desa/kelurahan, bukan kecamatan atau kabupaten.")
    if family is not None and family.village_id != village.code:
        raise KampungError("Keluarga (KK) itu bukan dari desa ini.")
    nik, name = nik.strip(), " ".join(name.split())
    if not name:
        raise KampungError("Nama wajib diisi.")
    if birth_date > _today():
        raise KampungError("Tanggal lahir tidak boleh di masa depan.")
    check = nik_check(nik, birth_date=birth_date, sex=sex)
    if check.errors:
        raise _refuse("NIK", check.errors)
    _ensure_nik_free(nik, village=village)
    key = name_key(name)
    flags = [*check.flags, *_duplicate_flags(key, birth_date)]
    values = _attributes(attributes)
    if family is not None:
        for part in ("dusun", "rw", "rt"):
            values.setdefault(part, getattr(family, part))
    resident = Resident(
        village=village,
        family=family,
        nik=nik,
        name=name,
        name_key=key,
        birth_date=birth_date,
        sex=sex,
        **values,
    )
    _set_review(resident, flags)
    try:
        with transaction.atomic():
            resident.save(force_insert=True)
    except IntegrityError as exc:  # another clerk registered the same NIK a moment ago
        raise KampungError(
            f"NIK {nik} sudah terdaftar atas penduduk yang masih hidup.", code="nik_terdaftar"
        ) from exc
    _write_tokens(resident)
    if family is not None and resident.family_relation == RELATION_HEAD and family.head_id is None:
        # The family's head pointer follows its member registered as head (a KK has one).
        family.head = resident
        family.save(update_fields=["head", "updated_at"])
    return resident, flags


def _audit(
    *, actor: Any, role: str, act: str, resident: Resident, before: Any = None, after: Any = None
) -> None:
    audit_record(
        actor=actor,
        act=act,
        role=role,
        region=resident.village_id,
        object_type="population.Resident",
        object_id=resident.pk,
        before=before,
        after=after,
    )


def _living(resident: Resident, what: str) -> None:
    if resident.basic_status != BasicStatus.LIVING:
        raise KampungError(
            f"{what} hanya untuk penduduk berstatus hidup; status {resident.name} sekarang: "
            f"{resident.get_basic_status_display()}."
        )


# -- residents -----------------------------------------------------------------------------


@transaction.atomic
def resident_create(
    *,
    actor: Any,
    village: Region,
    nik: str,
    name: str,
    birth_date: dt.date,
    sex: int,
    family: Family | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Resident:
    """Register a resident (Buku Induk Penduduk).

    Refuses a NIK with a structural error (domain.md §5.4) and a NIK already held by a
    living person anywhere (UU 24/2013 Pasal 13: one NIK per person, for life). A district
    code not in the national list, a NIK disagreeing with the birth date or sex, and a
    possible duplicate (same name and birth date) are accepted and flagged for review.
    """
    role = _role_for(actor, village.code)
    resident, flags = _create_resident(
        village=village,
        family=family,
        nik=nik,
        name=name,
        birth_date=birth_date,
        sex=sex,
        attributes=attributes,
    )
    _audit(
        actor=actor,
        role=role,
        act="population.resident.create",
        resident=resident,
        after={"nik": mask_nik(resident.nik), "family": family.pk if family else None, "flags": flags},
    )
    return resident


@transaction.atomic
def resident_update(
    *,
    actor: Any,
    resident: Resident,
    changes: Mapping[str, Any],
    reason: str,
    event_date: dt.date | None = None,
    reported_date: dt.date | None = None,
    reporter_name: str = "",
    reporter: Resident | None = None,
) -> Resident:
    """Correct a resident's data; kept as a correction event with the values before and after.

    A corrected NIK is checked like a new one (structure, one living person per NIK).
    """
    role = _role_for(actor, resident.village_id)
    if not reason.strip():
        raise KampungError("Alasan pembetulan wajib diisi.")
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise KampungError(f"Kolom tidak dapat dibetulkan di sini: {', '.join(unknown)}.")
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    values = dict(changes)
    if "name" in values:
        values["name"] = " ".join(str(values["name"]).split())
        if not values["name"]:
            raise KampungError("Nama wajib diisi.")
    if "nik" in values:
        values["nik"] = str(values["nik"]).strip()
    before = {f: getattr(resident, f) for f, v in values.items() if getattr(resident, f) != v}
    after = {f: values[f] for f in before}
    if not after:
        raise KampungError("Tidak ada data yang berubah.")
    for field_name, value in after.items():
        setattr(resident, field_name, value)
    flags: list[str] = []
    if {"nik", "birth_date", "sex"} & set(after):
        check = nik_check(resident.nik, birth_date=resident.birth_date, sex=resident.sex)
        if check.errors:
            raise _refuse("NIK", check.errors)
        flags.extend(check.flags)
    if "nik" in after and resident.basic_status == BasicStatus.LIVING:
        _ensure_nik_free(resident.nik, village=resident.village, exclude_pk=resident.pk)
    if {"name", "birth_date"} & set(after):
        resident.name_key = name_key(resident.name)
        flags.extend(_duplicate_flags(resident.name_key, resident.birth_date, exclude_pk=resident.pk))
    _set_review(resident, flags)
    resident.save()
    if "name" in after:
        _write_tokens(resident)
    _event(
        kind=LifeEventKind.CORRECTION,
        resident=resident,
        actor=actor,
        event_date=event_date or _today(),
        reported_date=reported_date,
        reporter_name=reporter_name,
        reporter=reporter,
        family=resident.family,
        details={"reason": reason.strip(), "before": _plain(before), "after": _plain(after)},
    )
    _audit(
        actor=actor,
        role=role,
        act="population.resident.correct",
        resident=resident,
        after={"fields": sorted(after), "flags": flags},
    )
    return resident


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


# -- families ------------------------------------------------------------------------------


@transaction.atomic
def family_create(
    *,
    actor: Any,
    village: Region,
    kk_number: str,
    address: str = "",
    dusun: str = "",
    rw: str = "",
    rt: str = "",
) -> Family:
    """Register a family under its Kartu Keluarga (Permendagri 109/2019). The KK number is
    checked for structure (domain.md §5.4); an unknown issuing district is flagged."""
    role = _role_for(actor, village.code)
    if village.level != Level.VILLAGE:
        raise KampungError("Keluarga dicatat pada desa/kelurahan.")
    kk_number = kk_number.strip()
    check = kk_check(kk_number)
    if check.errors:
        raise _refuse("Nomor KK", check.errors)
    if Family.objects.filter(kk_number=kk_number).exists():
        raise KampungError(f"Nomor KK {kk_number} sudah terdaftar.", code="kk_terdaftar")
    family = Family(village=village, kk_number=kk_number, address=address.strip(), dusun=dusun, rw=rw, rt=rt)
    _set_review(family, check.flags)
    family.save(force_insert=True)
    audit_record(
        actor=actor,
        act="population.family.create",
        role=role,
        region=village,
        object_type="population.Family",
        object_id=family.pk,
        after={"kk": mask_nik(kk_number), "flags": check.flags},
    )
    return family


# -- life events ---------------------------------------------------------------------------


@transaction.atomic
def birth_record(
    *,
    actor: Any,
    family: Family,
    nik: str,
    name: str,
    birth_date: dt.date,
    sex: int,
    reported_date: dt.date | None = None,
    reporter_name: str = "",
    reporter: Resident | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Resident:
    """Record a birth: a new resident in the family (as a child unless said otherwise) and
    a birth event (Buku Mutasi Penduduk)."""
    role = _role_for(actor, family.village_id)
    values = {"family_relation": RELATION_CHILD, **dict(attributes or {})}
    resident, flags = _create_resident(
        village=family.village,
        family=family,
        nik=nik,
        name=name,
        birth_date=birth_date,
        sex=sex,
        attributes=values,
    )
    _event(
        kind=LifeEventKind.BIRTH,
        resident=resident,
        actor=actor,
        event_date=birth_date,
        reported_date=reported_date,
        reporter_name=reporter_name,
        reporter=reporter,
        family=family,
    )
    _audit(
        actor=actor,
        role=role,
        act="population.birth.record",
        resident=resident,
        after={"nik": mask_nik(resident.nik), "family": family.pk, "flags": flags},
    )
    return resident


@transaction.atomic
def death_record(
    *,
    actor: Any,
    resident: Resident,
    death_date: dt.date,
    reported_date: dt.date | None = None,
    reporter_name: str = "",
    reporter: Resident | None = None,
    place: str = "",
    cause: str = "",
) -> Resident:
    """Record a death: the resident stays in the register with status dead."""
    if death_date < resident.birth_date:
        raise KampungError("Tanggal kematian tidak boleh sebelum tanggal lahir.")
    return _leave_register(
        actor=actor,
        resident=resident,
        what="Pencatatan kematian",
        kind=LifeEventKind.DEATH,
        status=BasicStatus.DEAD,
        act="population.death.record",
        event_date=death_date,
        reported_date=reported_date,
        reporter_name=reporter_name,
        reporter=reporter,
        details={"place": place.strip(), "cause": cause.strip()},
    )


@transaction.atomic
def move_out_record(
    *,
    actor: Any,
    resident: Resident,
    move_date: dt.date,
    destination: str,
    reported_date: dt.date | None = None,
    reporter_name: str = "",
    reporter: Resident | None = None,
    reason: str = "",
) -> Resident:
    """Record a move away: the resident stays in the register with status moved."""
    if not destination.strip():
        raise KampungError("Alamat tujuan pindah wajib diisi.")
    return _leave_register(
        actor=actor,
        resident=resident,
        what="Pencatatan pindah keluar",
        kind=LifeEventKind.MOVE_OUT,
        status=BasicStatus.MOVED,
        act="population.move_out.record",
        event_date=move_date,
        reported_date=reported_date,
        reporter_name=reporter_name,
        reporter=reporter,
        details={"destination": destination.strip(), "reason": reason.strip()},
    )


def _leave_register(
    *,
    actor: Any,
    resident: Resident,
    what: str,
    kind: str,
    status: int,
    act: str,
    event_date: dt.date,
    reported_date: dt.date | None,
    reporter_name: str,
    reporter: Resident | None,
    details: dict[str, Any],
) -> Resident:
    """A living resident leaves the count (death, move away) but stays in the register."""
    role = _role_for(actor, resident.village_id)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    _living(resident, what)
    _event(
        kind=kind,
        resident=resident,
        actor=actor,
        event_date=event_date,
        reported_date=reported_date,
        reporter_name=reporter_name,
        reporter=reporter,
        family=resident.family,
        details=details,
    )
    resident.basic_status = status
    resident.save(update_fields=["basic_status", "updated_at"])
    _audit(actor=actor, role=role, act=act, resident=resident)
    return resident


@transaction.atomic
def move_in_record(
    *,
    actor: Any,
    village: Region,
    nik: str,
    name: str,
    birth_date: dt.date,
    sex: int,
    move_date: dt.date,
    origin: str,
    family: Family | None = None,
    reported_date: dt.date | None = None,
    reporter_name: str = "",
    reporter: Resident | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Resident:
    """Record a person moving in: a new resident record here and a move-in event. Someone
    still living in another village's register must first be moved out there."""
    role = _role_for(actor, village.code)
    if not origin.strip():
        raise KampungError("Alamat asal wajib diisi.")
    resident, flags = _create_resident(
        village=village,
        family=family,
        nik=nik,
        name=name,
        birth_date=birth_date,
        sex=sex,
        attributes=attributes,
    )
    _event(
        kind=LifeEventKind.MOVE_IN,
        resident=resident,
        actor=actor,
        event_date=move_date,
        reported_date=reported_date,
        reporter_name=reporter_name,
        reporter=reporter,
        family=family,
        details={"origin": origin.strip()},
    )
    _audit(
        actor=actor,
        role=role,
        act="population.move_in.record",
        resident=resident,
        after={"nik": mask_nik(resident.nik), "family": family.pk if family else None, "flags": flags},
    )
    return resident


@transaction.atomic
def family_change(
    *,
    actor: Any,
    resident: Resident,
    family: Family | None,
    relation: int,
    change_date: dt.date,
    reported_date: dt.date | None = None,
    reporter_name: str = "",
    reporter: Resident | None = None,
    reason: str = "",
) -> Resident:
    """Move a resident to another family of the same village (or out of any), with its
    relation to the head. Becoming head (relation 1) makes them the family's head."""
    role = _role_for(actor, resident.village_id)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    _living(resident, "Perubahan keluarga")
    if family is not None and family.village_id != resident.village_id:
        raise KampungError(
            "Keluarga tujuan ada di desa lain: catat pindah keluar di sini dan pindah datang di sana."
        )
    before = {"family": resident.family_id, "relation": resident.family_relation}
    old_family = resident.family
    resident.family = family
    resident.family_relation = relation
    if family is not None:
        resident.dusun, resident.rw, resident.rt = family.dusun, family.rw, family.rt
    resident.save()
    if old_family is not None and old_family.head_id == resident.pk and old_family != family:
        old_family.head = None
        old_family.save(update_fields=["head", "updated_at"])
    if family is not None and relation == RELATION_HEAD:
        family.head = resident
        family.save(update_fields=["head", "updated_at"])
    after = {"family": resident.family_id, "relation": relation}
    _event(
        kind=LifeEventKind.FAMILY_CHANGE,
        resident=resident,
        actor=actor,
        event_date=change_date,
        reported_date=reported_date,
        reporter_name=reporter_name,
        reporter=reporter,
        family=family,
        details={"before": before, "after": after, "reason": reason.strip()},
    )
    _audit(
        actor=actor, role=role, act="population.family.change", resident=resident, before=before, after=after
    )
    return resident
