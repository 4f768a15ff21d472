"""Residents' own accounts: log in with NIK and a 6-digit PIN (services and reads).

The operator of the resident's village activates the account and hands over a printed PIN
slip; the resident must choose their own PIN at first login. A forgotten PIN is reset at the
village counter after the operator has seen the resident's KTP (no e-mail: many residents
have none). The PIN is the linked user's password, kept only as a hash by Django's password
hashers; repeated wrong PINs lock the account through django-axes like any other login.

Only residents who hold (or may hold) a KTP get an account: Indonesian citizens aged 17 or
older, or younger but married or once married (UU 23/2006 jo. UU 24/2013 Pasal 63 ayat 1).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kampung.accounts.models import RoleAssignment, User
from kampung.accounts.roles import Role
from kampung.accounts.scope import filter_by_village, forget_scope, scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.population import codes
from kampung.population.checks import mask_nik, nik_check
from kampung.population.models import BasicStatus, Resident, ResidentAccount
from kampung.population.services import WRITER_ROLES

PIN_LENGTH = 6
USERNAME_PREFIX = "nik-"
GENERIC_LOGIN_ERROR = "NIK atau PIN salah. Periksa kembali lalu coba lagi."
CLOSED_ACCOUNT = (
    "Akun warga Anda tidak aktif (misalnya karena data kependudukan Anda sudah berubah). "
    "Silakan datang ke kantor desa/kelurahan."
)
KTP_AGE = 17
NEVER_MARRIED = 1  # status_kawin 1 = BELUM KAWIN; 2-4 are married, divorced or widowed


def username_for(nik: str) -> str:
    """The login name behind a resident account; the resident only ever types the NIK."""
    return f"{USERNAME_PREFIX}{nik.strip()}"


def cooloff_minutes() -> int:
    """How long a locked account stays locked (django-axes), in whole minutes, as told to residents."""
    from django.conf import settings

    cooloff = settings.AXES_COOLOFF_TIME
    return max(1, int(cooloff.total_seconds() // 60)) if cooloff else 0


# -- PINs ----------------------------------------------------------------------------------


def _repeats_a_block(pin: str) -> bool:
    """111111, 121212, 123123: one short block of digits over and over."""
    return any(pin == pin[:size] * (len(pin) // size) for size in (1, 2, 3))


def _is_sequence(pin: str) -> bool:
    """012345, 123456, 987654, 456789...: each digit one more (or one less) than the last."""
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {-1})


def pin_problem(pin: str, *, birth_date: dt.date | None = None) -> str | None:
    """Why a PIN someone chose is refused (Indonesian message), or None if it may be used."""
    if len(pin) != PIN_LENGTH or not pin.isdigit():
        return f"PIN harus {PIN_LENGTH} angka."
    if _repeats_a_block(pin):
        return "PIN terlalu mudah ditebak (angka berulang). Pilih PIN lain."
    if _is_sequence(pin):
        return "PIN terlalu mudah ditebak (angka berurutan). Pilih PIN lain."
    if birth_date is not None and pin in {
        birth_date.strftime("%d%m%y"),
        birth_date.strftime("%y%m%d"),
        birth_date.strftime("%m%d%y"),
    }:
        return "PIN tidak boleh tanggal lahir Anda. Pilih PIN lain."
    return None


def pin_generate(*, birth_date: dt.date | None = None) -> str:
    """A random 6-digit PIN from the OS's secure source, never one a resident could not choose."""
    while True:
        pin = f"{secrets.randbelow(10**PIN_LENGTH):0{PIN_LENGTH}d}"
        if pin_problem(pin, birth_date=birth_date) is None:
            return pin


# -- helpers -------------------------------------------------------------------------------


def _writer_role(actor: Any, resident: Resident) -> str:
    scope = scope_for(actor)
    if not scope.covers(resident.village_id, *WRITER_ROLES):
        raise NotPermitted(
            "Anda tidak berwenang mengelola akun warga desa ini: hanya operator, sekretaris atau "
            "kepala desa setempat."
        )
    roles = scope.roles_at(resident.village_id)
    return next(r for r in WRITER_ROLES if r in roles)


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _check_may_hold_account(resident: Resident) -> None:
    if resident.basic_status != BasicStatus.LIVING:
        raise KampungError(
            f"Akun warga hanya untuk penduduk berstatus hidup; status {resident.name} sekarang: "
            f"{resident.get_basic_status_display()}."
        )
    check = nik_check(resident.nik)
    if not check.ok:
        raise KampungError(
            "NIK penduduk ini tidak sah, jadi tidak dapat dipakai untuk masuk. Betulkan dulu NIK-nya: "
            + " ".join(check.errors),
            code="nomor_tidak_sah",
        )
    today = timezone.localdate()
    if _age_on(resident.birth_date, today) < KTP_AGE and resident.marital_status == NEVER_MARRIED:
        raise KampungError(
            "Akun warga hanya untuk pemegang KTP: berumur 17 tahun ke atas, atau sudah/pernah kawin. "
            f"{resident.name} belum memenuhi syarat itu."
        )


def _audit(
    *, actor: Any, role: str, act: str, account: ResidentAccount, after: dict[str, Any] | None = None
) -> None:
    resident = account.resident
    audit_record(
        actor=actor,
        act=act,
        role=role,
        region=resident.village_id,
        object_type="population.ResidentAccount",
        object_id=account.pk,
        after={"resident": resident.pk, "nik": mask_nik(resident.nik), **(after or {})},
    )


def _issue_pin(user: User, resident: Resident) -> str:
    pin = pin_generate(birth_date=resident.birth_date)
    user.set_password(pin)
    user.must_change_password = True
    return pin


def _grant_resident_role(user: User, resident: Resident) -> None:
    today = timezone.localdate()
    held = (
        RoleAssignment.objects.filter(user=user, role=Role.RESIDENT, region_id=resident.village_id)
        .active_on(today)
        .exists()
    )
    if not held:
        RoleAssignment.objects.create(
            user=user, role=Role.RESIDENT, region_id=resident.village_id, valid_from=today
        )
    forget_scope(user)


def _end_resident_role(user: User) -> None:
    """The warga role ends yesterday (a role given today is removed: it was never used)."""
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    current = RoleAssignment.objects.filter(user=user, role=Role.RESIDENT).active_on(today)
    current.filter(valid_from__gte=today).delete()
    current.filter(valid_from__lt=today).update(valid_until=yesterday)
    forget_scope(user)


def _free_username(username: str) -> None:
    """A NIK is reused when its holder moves back in or is registered again after a mistake:
    the old record's account (of a resident no longer living, or closed) gives up the name."""
    taken = User.objects.select_for_update().filter(username__iexact=username).first()
    if taken is None:
        return
    old = ResidentAccount.objects.filter(user=taken).select_related("resident").first()
    if old is None or (old.active and old.resident.basic_status == BasicStatus.LIVING):
        raise KampungError(
            "NIK ini sudah dipakai oleh akun lain. Hubungi admin kabupaten untuk memeriksanya.",
            code="akun_ganda",
        )
    taken.username = f"{username}-x{old.pk}"[:150]
    taken.is_active = False
    taken.save(update_fields=["username", "is_active"])
    if old.active:
        old.active = False
        old.save(update_fields=["active", "updated_at"])
    _end_resident_role(taken)


# -- services ------------------------------------------------------------------------------


@transaction.atomic
def account_activate(*, actor: Any, resident: Resident) -> tuple[ResidentAccount, str]:
    """Open (or reopen) a resident's account and return it with a new random PIN.

    Only the village's operator, secretary or head, for a living resident with a valid NIK
    who holds a KTP. The PIN is returned once, for the printed slip, and kept only as a hash;
    the resident must change it at first login. The audit entry never holds the PIN.
    """
    role = _writer_role(actor, resident)
    resident = Resident.objects.select_for_update().select_related("village").get(pk=resident.pk)
    _check_may_hold_account(resident)
    now = timezone.now()
    account = ResidentAccount.objects.select_related("user").filter(resident=resident).first()
    reopened = account is not None
    if account is not None:
        if account.active:
            raise KampungError(
                f"{resident.name} sudah punya akun warga yang aktif. Jika PIN-nya lupa, gunakan "
                "Atur ulang PIN.",
                code="akun_sudah_ada",
            )
        user = account.user
        user.is_active = True
        pin = _issue_pin(user, resident)
        user.save(update_fields=["password", "must_change_password", "is_active"])
        account.active = True
        account.activated_by = actor if getattr(actor, "pk", None) else None
        account.pin_issued_at = now
        account.save(update_fields=["active", "activated_by", "pin_issued_at", "updated_at"])
        axes_reset(username=user.username)
    else:
        username = username_for(resident.nik)
        _free_username(username)
        user = User(username=username, full_name=resident.name, email="")
        pin = _issue_pin(user, resident)
        user.full_clean(exclude=["password"])
        user.save()
        try:
            with transaction.atomic():
                account = ResidentAccount.objects.create(
                    resident=resident,
                    user=user,
                    activated_by=actor if getattr(actor, "pk", None) else None,
                    pin_issued_at=now,
                    active=True,
                )
        except IntegrityError as exc:
            raise KampungError(
                f"{resident.name} baru saja diberi akun oleh petugas lain. Muat ulang halaman.",
                code="akun_sudah_ada",
            ) from exc
    _grant_resident_role(user, resident)
    account.resident = resident
    _audit(
        actor=actor,
        role=role,
        act="population.account.activate",
        account=account,
        after={"reopened": reopened},
    )
    return account, pin


@transaction.atomic
def pin_reset(*, actor: Any, resident: Resident, identity_checked: bool) -> str:
    """Give a resident who forgot their PIN a new one, at the village counter.

    The operator must confirm they saw the resident's own KTP: the PIN opens personal data.
    The lockout after wrong PINs is lifted and the resident must change the PIN again.
    """
    role = _writer_role(actor, resident)
    if not identity_checked:
        raise KampungError(
            "Periksa dulu identitas warga dengan KTP aslinya, lalu centang 'Identitas sudah diperiksa'."
        )
    resident = Resident.objects.select_for_update().select_related("village").get(pk=resident.pk)
    account = ResidentAccount.objects.select_related("user").filter(resident=resident, active=True).first()
    if account is None:
        raise KampungError(f"{resident.name} belum punya akun warga yang aktif. Aktifkan akunnya dulu.")
    _check_may_hold_account(resident)
    user = account.user
    pin = _issue_pin(user, resident)
    user.save(update_fields=["password", "must_change_password"])
    account.pin_issued_at = timezone.now()
    account.save(update_fields=["pin_issued_at", "updated_at"])
    axes_reset(username=user.username)
    account.resident = resident
    _audit(
        actor=actor,
        role=role,
        act="population.account.pin_reset",
        account=account,
        after={"identity_checked": True},
    )
    return pin


@transaction.atomic
def account_deactivate(*, actor: Any, resident: Resident, reason: str = "") -> ResidentAccount:
    """Close a resident's account: it can no longer log in, and its warga role ends."""
    role = _writer_role(actor, resident)
    account = (
        ResidentAccount.objects.select_for_update()
        .select_related("user", "resident")
        .filter(resident_id=resident.pk)
        .first()
    )
    if account is None or not account.active:
        raise KampungError(f"{resident.name} tidak punya akun warga yang aktif.")
    account.active = False
    account.save(update_fields=["active", "updated_at"])
    user = account.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_resident_role(user)
    _audit(
        actor=actor,
        role=role,
        act="population.account.deactivate",
        account=account,
        after={"reason": reason.strip()[:255]},
    )
    return account


@transaction.atomic
def pin_change(*, user: Any, old_pin: str, new_pin: str) -> None:
    """The resident chooses their own PIN (required at first login and after a reset)."""
    account = portal_account(user)
    if account is None:
        raise KampungError("Akun warga ini tidak aktif. Hubungi kantor desa.")
    if not user.check_password(old_pin):
        raise KampungError("PIN lama salah.", code="pin_salah")
    if new_pin == old_pin:
        raise KampungError("PIN baru harus berbeda dengan PIN lama.")
    problem = pin_problem(new_pin, birth_date=account.resident.birth_date)
    if problem:
        raise KampungError(problem, code="pin_lemah")
    user.set_password(new_pin)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=user,
        act="population.account.pin_change",
        role=Role.RESIDENT,
        region=account.resident.village_id,
        object_type="population.ResidentAccount",
        object_id=account.pk,
    )


# -- reads ---------------------------------------------------------------------------------


def portal_account(user: Any) -> ResidentAccount | None:
    """The user's resident account if it may be used now: open, and the resident still living
    in the register (a death or a move away closes the door without anyone having to act)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        ResidentAccount.objects.select_related("resident__village", "resident__family")
        .filter(user_id=user.pk, active=True, resident__basic_status=BasicStatus.LIVING)
        .first()
    )


def is_resident_user(user: Any) -> bool:
    """Whether the user logs in as a resident (whatever the state of the account)."""
    return bool(getattr(user, "pk", None)) and ResidentAccount.objects.filter(user_id=user.pk).exists()


def family_members(account: ResidentAccount) -> list[Resident]:
    """The other people on the resident's KK still in the register, head of family first."""
    resident = account.resident
    if resident.family_id is None:
        return []
    return list(
        Resident.objects.filter(family_id=resident.family_id, basic_status=BasicStatus.LIVING)
        .exclude(pk=resident.pk)
        .order_by("family_relation", "birth_date", "pk")
    )


def account_list(*, actor: Any, village: str = "", q: str = "") -> QuerySet[ResidentAccount]:
    """Resident accounts of villages in the actor's scope (population readers), newest first."""
    from kampung.population.selectors import READER_ROLES

    qs = filter_by_village(
        ResidentAccount.objects.all(), actor, field="resident__village", roles=READER_ROLES
    )
    if village:
        qs = qs.filter(resident__village_id=village)
    q = " ".join(q.split())
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit():
            qs = qs.filter(resident__nik=digits) if len(digits) == 16 else qs.none()
        else:
            qs = qs.filter(Q(resident__name__icontains=q) | Q(resident__name_key__icontains=q.lower()))
    return qs.select_related("resident__village", "activated_by").order_by("-pin_issued_at", "-pk")


# -- code labels for the resident's own page ------------------------------------------------


def code_label(code_list: str, value: int | None) -> str:
    """The printed name of a coded attribute (``agama_id``, ``status_kawin``, ``kk_level``...)."""
    return "-" if value is None else codes.label(code_list, value)
