"""Writes for accounts: users, role assignments, passwords, village officials."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kampung.accounts.models import Official, RoleAssignment, User
from kampung.accounts.roles import ROLE_LEVEL, Appointment, Role
from kampung.accounts.scope import forget_scope, scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.regions.models import Level, Region

_PASSWORD_ALPHABET = string.ascii_letters + string.digits


def one_time_password(length: int = 12) -> str:
    """A random password to hand over once; the user must change it at first login."""
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "position_title": user.position_title,
        "staff_number": user.staff_number,
        "email": user.email,
        "phone": user.phone,
        "is_active": user.is_active,
    }


def _admin_region(actor: Any, region: Region) -> str:
    """The admin grant that lets ``actor`` manage users at ``region`` (its regency)."""
    scope = scope_for(actor)
    if not scope.covers(region.code, Role.ADMIN):
        raise NotPermitted("Hanya admin kabupaten yang dapat mengelola pengguna di wilayah ini.")
    return region.code[:5]


def check_role_region(role: str, region: Region) -> None:
    if role not in ROLE_LEVEL:
        raise KampungError(f"Peran '{role}' tidak dikenal.")
    expected = ROLE_LEVEL[role]
    if region.level != expected:
        level_name = Level(expected).label
        raise KampungError(
            f"Peran {Role(role).label} ditugaskan di tingkat {level_name}, bukan {region.get_level_display()}."
        )


@dataclass(frozen=True)
class CreatedUser:
    user: User
    password: str


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str = "",
    position_title: str = "",
    staff_number: str = "",
    phone: str = "",
    role: str | None = None,
    region: Region | None = None,
    valid_from: dt.date | None = None,
    appointment: str = Appointment.DEFINITIVE,
    decree: str = "",
    password: str | None = None,
) -> CreatedUser:
    """Create an account (and its first role). Without a password a one-time password is
    made; the user must change it at first login. ``actor=None`` is the system (set-up).
    """
    username = username.strip().lower()
    if not username:
        raise KampungError("Nama pengguna wajib diisi.")
    if not full_name.strip():
        raise KampungError("Nama lengkap wajib diisi.")
    if User.objects.filter(username__iexact=username).exists():
        raise KampungError(f"Nama pengguna '{username}' sudah dipakai.")
    if role is not None:
        if region is None:
            raise KampungError("Wilayah penugasan wajib dipilih.")
        check_role_region(role, region)
        if actor is not None:
            _admin_region(actor, region)
    one_time = password is None
    secret = password or one_time_password()
    user = User(
        username=username,
        full_name=full_name.strip(),
        email=email.strip(),
        position_title=position_title.strip(),
        staff_number=staff_number.strip(),
        phone=phone.strip(),
        must_change_password=one_time,
    )
    if not one_time:
        try:
            validate_password(secret, user)
        except ValidationError as exc:
            raise KampungError(" ".join(exc.messages)) from exc
    user.set_password(secret)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        act="accounts.user.create",
        region=region.code[:5] if region is not None else None,
        object_type="accounts.User",
        object_id=user.pk,
        after=_user_snapshot(user),
    )
    if role is not None and region is not None:
        assignment_add(
            actor=actor,
            user=user,
            role=role,
            region=region,
            valid_from=valid_from,
            appointment=appointment,
            decree=decree,
        )
    return CreatedUser(user=user, password=secret)


@transaction.atomic
def user_update(*, actor: Any, user: User, data: dict[str, Any]) -> User:
    before = _user_snapshot(user)
    for field in ("full_name", "email", "position_title", "staff_number", "phone", "is_active"):
        if field in data:
            value = data[field]
            setattr(user, field, value.strip() if isinstance(value, str) else value)
    if not user.full_name:
        raise KampungError("Nama lengkap wajib diisi.")
    user.full_clean(exclude=["password"])
    user.save()
    after = _user_snapshot(user)
    changed_before = {k: v for k, v in before.items() if after[k] != v}
    if changed_before:
        audit_record(
            actor=actor,
            act="accounts.user.update",
            region=_home_regency(user),
            object_type="accounts.User",
            object_id=user.pk,
            before=changed_before,
            after={k: after[k] for k in changed_before},
        )
    return user


def _home_regency(user: User) -> str | None:
    code = user.assignments.values_list("region_id", flat=True).first()
    return code[:5] if code else None


@transaction.atomic
def user_reset_password(*, actor: Any, user: User) -> str:
    """Give the user a new one-time password (the admin hands it over in person)."""
    secret = one_time_password()
    user.set_password(secret)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=actor,
        act="accounts.user.reset_password",
        region=_home_regency(user),
        object_type="accounts.User",
        object_id=user.pk,
    )
    return secret


@transaction.atomic
def password_changed(*, user: User) -> None:
    """Record a password the user chose (the form has checked and saved it)."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit_record(
        actor=user,
        act="accounts.user.change_password",
        region=_home_regency(user),
        object_type="accounts.User",
        object_id=user.pk,
    )


@transaction.atomic
def assignment_add(
    *,
    actor: Any,
    user: User,
    role: str,
    region: Region,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    appointment: str = Appointment.DEFINITIVE,
    decree: str = "",
) -> RoleAssignment:
    """Give ``user`` a role at ``region`` for a period. Acting heads (Plt./Pj.) are the
    same role with another appointment."""
    check_role_region(role, region)
    if actor is not None:
        _admin_region(actor, region)
    start = valid_from or timezone.localdate()
    if valid_until is not None and valid_until < start:
        raise KampungError("Tanggal akhir penugasan tidak boleh sebelum tanggal mulai.")
    overlapping = RoleAssignment.objects.filter(user=user, role=role, region=region).active_on(start).exists()
    if overlapping:
        raise KampungError("Pengguna ini sudah memegang peran tersebut di wilayah ini.")
    assignment = RoleAssignment(
        user=user,
        role=role,
        region=region,
        valid_from=start,
        valid_until=valid_until,
        appointment=appointment,
        decree=decree.strip(),
    )
    assignment.full_clean()
    assignment.save()
    forget_scope(user)
    audit_record(
        actor=actor,
        act="accounts.assignment.add",
        region=region,
        object_type="accounts.RoleAssignment",
        object_id=assignment.pk,
        after={
            "user": user.username,
            "role": role,
            "region": region.code,
            "valid_from": start,
            "valid_until": valid_until,
            "appointment": appointment,
            "decree": assignment.decree,
        },
    )
    return assignment


@transaction.atomic
def assignment_end(*, actor: Any, assignment: RoleAssignment, valid_until: dt.date | None = None) -> RoleAssignment:
    """End a role on a date (today by default). Assignments are ended, never deleted."""
    if actor is not None:
        _admin_region(actor, assignment.region)
    end = valid_until or timezone.localdate()
    if end < assignment.valid_from:
        raise KampungError("Tanggal akhir penugasan tidak boleh sebelum tanggal mulai.")
    before = assignment.valid_until
    assignment.valid_until = end
    assignment.save(update_fields=["valid_until", "updated_at"])
    forget_scope(assignment.user)
    audit_record(
        actor=actor,
        act="accounts.assignment.end",
        region=assignment.region,
        object_type="accounts.RoleAssignment",
        object_id=assignment.pk,
        before={"valid_until": before},
        after={"valid_until": end},
    )
    return assignment


@transaction.atomic
def official_save(
    *,
    actor: Any,
    village: Region,
    name: str,
    position: str,
    staff_number: str = "",
    order: int = 10,
    active: bool = True,
    user: User | None = None,
    official: Official | None = None,
) -> Official:
    """Add or change a member of the village government (perangkat desa)."""
    if village.level != Level.VILLAGE:
        raise KampungError("Perangkat hanya dicatat untuk desa/kelurahan.")
    if not name.strip() or not position.strip():
        raise KampungError("Nama dan jabatan perangkat wajib diisi.")
    before = None
    if official is None:
        official = Official(village=village)
    else:
        before = {"name": official.name, "position": official.position, "active": official.active}
    official.name = name.strip()
    official.position = position.strip()
    official.staff_number = staff_number.strip()
    official.order = order
    official.active = active
    official.user = user
    official.full_clean()
    official.save()
    audit_record(
        actor=actor,
        act="accounts.official.save",
        region=village,
        object_type="accounts.Official",
        object_id=official.pk,
        before=before,
        after={"name": official.name, "position": official.position, "active": official.active},
    )
    return official
