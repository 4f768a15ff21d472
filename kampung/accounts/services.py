"""Writes for accounts: users, role assignments, passwords, village officials."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kampung.accounts.models import Official, RoleAssignment, User
from kampung.accounts.roles import ROLE_LEVEL, Appointment, Role, role_label
from kampung.accounts.scope import forget_scope, scope_for
from kampung.accounts.services_two_factor import two_factor_epoch_raise, two_factor_roles
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.regions.models import Kind, Level, Region

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
    _check_manages_user(actor, user)
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
    _check_manages_user(actor, user)
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
    if role in two_factor_roles():
        # Sessions opened before this role was given must pass the two-factor step now.
        two_factor_epoch_raise(user)
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
def assignment_end(
    *, actor: Any, assignment: RoleAssignment, valid_until: dt.date | None = None
) -> RoleAssignment:
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


OFFICIAL_EDITORS = (Role.ADMIN, Role.HEAD, Role.SECRETARY)


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
    if actor is not None and not scope_for(actor).covers(village.code, *OFFICIAL_EDITORS):
        raise NotPermitted("Anda tidak berwenang mengubah perangkat desa ini.")
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


# --- User management by the regency admin ---------------------------------------------


def _check_manages_user(actor: Any, user: User) -> None:
    """``actor`` is an admin of a regency where ``user`` holds (or held) a role, or ``user`` has
    no role anywhere yet. ``actor=None`` is the system."""
    from kampung.accounts.selectors_admin import managed_user_list

    if actor is None:
        return
    if not managed_user_list(actor=actor).filter(pk=user.pk).exists():
        raise NotPermitted("Pengguna ini tidak dikelola oleh kabupaten Anda.")


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Deactivate or reactivate an account. Accounts are never deleted: the audit trail and
    signed documents keep pointing at them. An admin cannot lock themself out."""
    _check_manages_user(actor, user)
    if not active and actor is not None and actor.pk == user.pk:
        raise KampungError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if user.is_active == active:
        return user
    return user_update(actor=actor, user=user, data={"is_active": active})


# Bulk creation from a spreadsheet. The labels are the column headers of the template and
# name the column in every error message.
IMPORT_FIELDS: dict[str, str] = {
    "username": "Nama pengguna",
    "full_name": "Nama lengkap",
    "email": "Surel",
    "phone": "Telepon",
    "position_title": "Jabatan",
    "staff_number": "NIP/NIPD",
    "role": "Peran",
    "region_code": "Kode wilayah",
    "valid_from": "Berlaku mulai",
    "appointment": "Jenis penugasan",
    "decree": "Dasar SK",
}
IMPORT_REQUIRED = ("username", "full_name", "role", "region_code")
MAX_IMPORT_ROWS = 2000
_MAX_LENGTHS = {
    "username": 150,
    "full_name": 150,
    "email": 254,
    "phone": 30,
    "position_title": 150,
    "staff_number": 30,
    "decree": 150,
}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
EARLIEST_DATE = dt.date(1950, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class UserImportRow:
    """One row as read from the sheet: text as typed, except a date cell may be a date."""

    number: int
    username: str = ""
    full_name: str = ""
    email: str = ""
    phone: str = ""
    position_title: str = ""
    staff_number: str = ""
    role: str = ""
    region_code: str = ""
    valid_from: dt.date | str | None = None
    appointment: str = ""
    decree: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str  # a key of IMPORT_FIELDS; empty when the whole row is meant
    message: str

    @property
    def column(self) -> str:
        return IMPORT_FIELDS.get(self.field, "")


class ImportRejected(KampungError):
    """At least one row is wrong; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        super().__init__(
            f"Ada {len(errors)} kesalahan pada {rows} baris. Tidak ada pengguna yang dibuat: "
            "perbaiki baris-baris tersebut lalu unggah ulang seluruh berkas."
        )
        self.errors = errors


@dataclass(frozen=True)
class PreparedUser:
    row: int
    username: str
    full_name: str
    email: str
    phone: str
    position_title: str
    staff_number: str
    role: str
    region: Region
    valid_from: dt.date
    appointment: str
    decree: str


@dataclass(frozen=True)
class ImportedUser:
    row: int
    user: User
    password: str
    role: str
    region: Region

    @property
    def role_label(self) -> str:
        return role_label(self.role, kelurahan=self.region.kind == Kind.KELURAHAN)


def _role_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for role in Role:
        lookup[role.value.lower()] = role.value
        lookup[str(role.label).lower()] = role.value
    lookup["kepala desa"] = Role.HEAD
    lookup["lurah"] = Role.HEAD
    return lookup


def _appointment_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {"": Appointment.DEFINITIVE}
    for item in Appointment:
        lookup[item.value.lower()] = item.value
        lookup[str(item.label).lower()] = item.value
    lookup.update({"plt.": Appointment.PLT, "pj.": Appointment.PJ, "pelaksana tugas": Appointment.PLT})
    lookup["penjabat"] = Appointment.PJ
    return lookup


def parse_import_date(value: dt.date | str | None) -> dt.date | None:
    """A date from a cell: a real date cell, or text as 2025-01-31, 31-01-2025 or 31/01/2025.
    Empty means today. Raises KampungError with the accepted forms."""
    if value is None or value == "":
        return timezone.localdate()
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        for fmt in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
                break
            except ValueError:
                continue
        else:
            raise KampungError(
                f"Tanggal '{text[:40]}' tidak dikenali; tulis seperti 2025-01-31 atau 31/01/2025."
            )
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise KampungError(f"Tanggal {day.isoformat()} di luar rentang yang wajar (1950-2100).")
    return day


@dataclass
class _ImportContext:
    regions: dict[str, Region]
    taken: set[str]
    seen: dict[str, int]
    roles: dict[str, str]
    appointments: dict[str, str]


def _check_import_row(row: UserImportRow, ctx: _ImportContext) -> tuple[PreparedUser | None, list[RowError]]:
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.validators import validate_email

    errors: list[RowError] = []

    def fail(field: str, message: str) -> None:
        errors.append(RowError(row.number, field, message))

    values = {name: str(getattr(row, name) or "").strip() for name in (*_MAX_LENGTHS, "role", "region_code")}
    for name in IMPORT_REQUIRED:
        if not values[name]:
            fail(name, f"{IMPORT_FIELDS[name]} wajib diisi.")
    for name, limit in _MAX_LENGTHS.items():
        if len(values[name]) > limit:
            fail(name, f"{IMPORT_FIELDS[name]} paling panjang {limit} karakter.")
    username = values["username"].lower()
    if username and len(username) <= _MAX_LENGTHS["username"]:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            fail(
                "username", "Nama pengguna hanya boleh berisi huruf, angka dan tanda @ . + - _ (tanpa spasi)."
            )
        if username in ctx.seen:
            fail("username", f"Nama pengguna '{username}' sudah dipakai di baris {ctx.seen[username]}.")
        elif username in ctx.taken:
            fail("username", f"Nama pengguna '{username}' sudah terdaftar; pilih nama lain.")
        ctx.seen.setdefault(username, row.number)
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            fail("email", f"Alamat surel '{values['email'][:60]}' tidak sah.")
    role = ctx.roles.get(values["role"].lower()) if values["role"] else None
    if values["role"] and role is None:
        fail("role", f"Peran '{values['role'][:40]}' tidak dikenal; lihat lembar 'Peran' pada templat.")
    region = ctx.regions.get(values["region_code"]) if values["region_code"] else None
    if values["region_code"] and region is None:
        fail("region_code", f"Kode wilayah '{values['region_code'][:20]}' tidak ditemukan di kabupaten Anda.")
    if role is not None and region is not None:
        try:
            check_role_region(role, region)
        except KampungError as exc:
            fail("region_code", exc.message)
    appointment = ctx.appointments.get(str(row.appointment or "").strip().lower())
    if appointment is None:
        fail("appointment", "Jenis penugasan harus Definitif, Plt. atau Pj. (atau dikosongkan).")
    valid_from: dt.date | None = None
    try:
        valid_from = parse_import_date(row.valid_from)
    except KampungError as exc:
        fail("valid_from", exc.message)
    if errors or role is None or region is None or valid_from is None or appointment is None:
        return None, errors
    prepared = PreparedUser(
        row=row.number,
        username=username,
        full_name=values["full_name"],
        email=values["email"],
        phone=values["phone"],
        position_title=values["position_title"],
        staff_number=values["staff_number"],
        role=role,
        region=region,
        valid_from=valid_from,
        appointment=appointment,
        decree=values["decree"],
    )
    return prepared, errors


def users_import_check(*, actor: Any, rows: list[UserImportRow]) -> tuple[list[PreparedUser], list[RowError]]:
    """Check every row before anything is written: required values, lengths, user-name form,
    e-mail, role, region in the admin's regency at the role's level, date, and user names
    that repeat in the file or already exist. Returns the rows ready to create and the errors.
    ``actor=None`` (the system) may place users anywhere."""
    from django.db.models.functions import Lower

    from kampung.accounts.selectors_admin import admin_regency_codes, admin_regions

    if actor is not None and not admin_regency_codes(actor):
        raise NotPermitted("Hanya admin kabupaten yang dapat mengimpor pengguna.")
    if len(rows) > MAX_IMPORT_ROWS:
        raise KampungError(
            f"Paling banyak {MAX_IMPORT_ROWS} baris per impor; bagi berkas menjadi beberapa bagian."
        )
    if not rows:
        raise KampungError("Tidak ada baris data untuk diimpor.")
    if actor is not None:
        regions = {r.code: r for r in admin_regions(actor=actor)}
    else:
        codes = {str(row.region_code or "").strip() for row in rows}
        regions = Region.objects.in_bulk(sorted(codes))
    wanted = {str(row.username or "").strip().lower() for row in rows} - {""}
    taken = set(
        User.objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=sorted(wanted))
        .values_list("lower_name", flat=True)
    )
    ctx = _ImportContext(
        regions=regions, taken=taken, seen={}, roles=_role_lookup(), appointments=_appointment_lookup()
    )
    prepared: list[PreparedUser] = []
    errors: list[RowError] = []
    for row in rows:
        item, row_errors = _check_import_row(row, ctx)
        errors.extend(row_errors)
        if item is not None:
            prepared.append(item)
    return prepared, errors


class _OneTimePasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds, for machine-made one-time passwords only.

    Key stretching protects passwords people choose. A one-time password is 12 random
    characters from 62 (about 71 bits), out of reach of guessing at any round count, and it
    is replaced when the user sets their own at first login (Django also re-hashes it with
    the full count on that login). With the full count a 2,000-row import would hash for
    twenty minutes inside one request.
    """

    iterations = 5_000


def _one_time_password_hash(secret: str) -> str:
    if isinstance(get_hasher("default"), PBKDF2PasswordHasher):
        return make_password(secret, hasher=_OneTimePasswordHasher())
    return make_password(secret)


def users_import(*, actor: Any, rows: list[UserImportRow]) -> list[ImportedUser]:
    """Create many accounts, each with one role and a one-time password, all or nothing.

    Every row is checked first (:func:`users_import_check`); if any is wrong,
    :class:`ImportRejected` lists them all and nothing is written. The passwords are
    returned once and stored nowhere but as hashes. They are hashed before the transaction
    opens, so the write lock is held only for the writes themselves.
    """
    prepared, errors = users_import_check(actor=actor, rows=rows)
    if errors:
        raise ImportRejected(errors)
    secrets_ = [one_time_password() for _ in prepared]
    hashes = [_one_time_password_hash(secret) for secret in secrets_]
    return _users_import_write(actor=actor, prepared=prepared, secrets_=secrets_, hashes=hashes)


@transaction.atomic
def _users_import_write(
    *, actor: Any, prepared: list[PreparedUser], secrets_: list[str], hashes: list[str]
) -> list[ImportedUser]:
    created: list[ImportedUser] = []
    for item, secret, hashed in zip(prepared, secrets_, hashes, strict=True):
        user = User(
            username=item.username,
            full_name=item.full_name,
            email=item.email,
            position_title=item.position_title,
            staff_number=item.staff_number,
            phone=item.phone,
            must_change_password=True,
            password=hashed,
        )
        try:
            # Uniqueness was checked for the whole file at once; a name taken since then
            # fails the insert (IntegrityError) and rolls everything back.
            user.full_clean(exclude=["password"], validate_unique=False)
            user.save()
            audit_record(
                actor=actor,
                act="accounts.user.create",
                region=item.region.code[:5],
                object_type="accounts.User",
                object_id=user.pk,
                after={**_user_snapshot(user), "import_row": item.row},
            )
            assignment_add(
                actor=actor,
                user=user,
                role=item.role,
                region=item.region,
                valid_from=item.valid_from,
                appointment=item.appointment,
                decree=item.decree,
            )
        except ValidationError as exc:
            # Raising leaves the transaction: every user made before this row is rolled back.
            raise ImportRejected([RowError(item.row, "", " ".join(exc.messages))]) from exc
        except IntegrityError as exc:
            message = (
                f"Nama pengguna '{item.username}' baru saja dipakai orang lain; perbaiki lalu unggah ulang."
            )
            raise ImportRejected([RowError(item.row, "username", message)]) from exc
        except KampungError as exc:
            raise ImportRejected([RowError(item.row, "", exc.message)]) from exc
        created.append(ImportedUser(item.row, user, secret, item.role, item.region))
    audit_record(
        actor=actor,
        act="accounts.user.import",
        region=prepared[0].region.code[:5] if prepared else None,
        object_type="accounts.User",
        after={"count": len(created)},
    )
    return created
