"""Writes to the Buku Penduduk Sementara (temporary residents).

Permendagri 47/2016 (administrasi desa) has the village keep a register of people staying
in the village without moving their Kartu Keluarga here. Only the village's operator,
secretary or head write it (the same writers as the Buku Induk); each write is one
transaction with its audit entry, which holds the identity number masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kampung.audit.services import audit_record
from kampung.core.errors import KampungError
from kampung.population.checks import mask_nik
from kampung.population.models import Sex, TemporaryResident
from kampung.population.services import _role_for
from kampung.regions.models import Level, Region

EDITABLE_FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "occupation",
    "nationality",
    "origin",
    "purpose",
    "host",
    "dusun",
    "rw",
    "rt",
    "arrival_date",
    "notes",
)
_REQUIRED = {"name": "Nama", "origin": "Asal (datang dari)", "purpose": "Maksud dan tujuan kedatangan"}
_MAX: dict[str, int] = {
    f.name: int(getattr(f, "max_length", 0) or 0)
    for f in TemporaryResident._meta.get_fields()
    if getattr(f, "max_length", None)
}


def _clean(values: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise KampungError(f"Kolom tidak dikenal: {', '.join(unknown)}.")
    data = dict(values)
    for name, value in list(data.items()):
        if isinstance(value, str):
            data[name] = " ".join(value.split()) if name != "notes" else value.strip()
            limit = _MAX.get(name)
            if limit and len(data[name]) > limit:
                raise KampungError(f"Isian {name} terlalu panjang (paling banyak {limit} karakter).")
    for name, label in _REQUIRED.items():
        if name in data and not data[name]:
            raise KampungError(f"{label} wajib diisi.")
    if "sex" in data and data["sex"] not in (Sex.MALE, Sex.FEMALE):
        raise KampungError("Jenis kelamin tidak sah.")
    if "nik" in data and data["nik"] and not data["nik"].replace("-", "").isalnum():
        raise KampungError("Nomor identitas hanya boleh berisi huruf dan angka.")
    arrival = data.get("arrival_date")
    if "arrival_date" in data and arrival is None:
        raise KampungError("Tanggal datang wajib diisi.")
    if arrival is not None and arrival > today:
        raise KampungError("Tanggal datang tidak boleh di masa depan.")
    born = data.get("birth_date")
    if born is not None and born > today:
        raise KampungError("Tanggal lahir tidak boleh di masa depan.")
    if born is not None and arrival is not None and arrival < born:
        raise KampungError("Tanggal datang tidak boleh sebelum tanggal lahir.")
    return data


def _audit(*, actor: Any, role: str, act: str, person: TemporaryResident, after: Any = None) -> None:
    audit_record(
        actor=actor,
        act=act,
        role=role,
        region=person.village_id,
        object_type="population.TemporaryResident",
        object_id=person.pk,
        after=after,
    )


@transaction.atomic
def temporary_resident_create(*, actor: Any, village: Region, values: Mapping[str, Any]) -> TemporaryResident:
    """Add someone to the Buku Penduduk Sementara (Permendagri 47/2016): name, origin, purpose
    and arrival date are required; the arrival may not lie in the future."""
    role = _role_for(actor, village.code)
    if village.level != Level.VILLAGE:
        raise KampungError("Penduduk sementara dicatat pada desa/kelurahan.")
    missing = [label for name, label in _REQUIRED.items() if not str(values.get(name) or "").strip()]
    if missing or not values.get("arrival_date") or not values.get("sex"):
        missing += [] if values.get("arrival_date") else ["Tanggal datang"]
        missing += [] if values.get("sex") else ["Jenis kelamin"]
        raise KampungError("Wajib diisi: " + ", ".join(missing) + ".")
    data = _clean(values, today=timezone.localdate())
    person = TemporaryResident(village=village, **data)
    person.save(force_insert=True)
    _audit(
        actor=actor,
        role=role,
        act="population.temporary.create",
        person=person,
        after={"nik": mask_nik(person.nik) if person.nik else "", "arrival": person.arrival_date},
    )
    return person


@transaction.atomic
def temporary_resident_update(
    *, actor: Any, person: TemporaryResident, changes: Mapping[str, Any]
) -> TemporaryResident:
    """Correct a temporary resident's entry. A recorded departure must stay on or after the
    (corrected) arrival date."""
    role = _role_for(actor, person.village_id)
    person = TemporaryResident.objects.select_for_update().get(pk=person.pk)
    data = _clean(changes, today=timezone.localdate())
    changed = sorted(name for name, value in data.items() if getattr(person, name) != value)
    if not changed:
        raise KampungError("Tidak ada data yang berubah.")
    for name in changed:
        setattr(person, name, data[name])
    if person.departure_date is not None and person.departure_date < person.arrival_date:
        raise KampungError("Tanggal datang tidak boleh sesudah tanggal pergi yang sudah dicatat.")
    person.save()
    _audit(
        actor=actor, role=role, act="population.temporary.update", person=person, after={"fields": changed}
    )
    return person


@transaction.atomic
def temporary_resident_depart(
    *, actor: Any, person: TemporaryResident, departure_date: dt.date, note: str = ""
) -> TemporaryResident:
    """Record that a temporary resident left: on or after arrival, not in the future, once."""
    role = _role_for(actor, person.village_id)
    person = TemporaryResident.objects.select_for_update().get(pk=person.pk)
    if person.departure_date is not None:
        raise KampungError(f"Kepergian {person.name} sudah dicatat ({person.departure_date:%d-%m-%Y}).")
    if departure_date < person.arrival_date:
        raise KampungError(
            f"Tanggal pergi tidak boleh sebelum tanggal datang ({person.arrival_date:%d-%m-%Y})."
        )
    if departure_date > timezone.localdate():
        raise KampungError("Tanggal pergi tidak boleh di masa depan.")
    person.departure_date = departure_date
    note = note.strip()
    if note:
        person.notes = f"{person.notes}\n{note}".strip() if person.notes else note
    person.save()
    _audit(
        actor=actor,
        role=role,
        act="population.temporary.depart",
        person=person,
        after={"departure": departure_date},
    )
    return person
