"""Two-factor sign-in (TOTP) for the officials who sign, approve or pay.

After the password, a holder of a role in ``settings.KAMPUNG_TWO_FACTOR_ROLES`` confirms the
sign-in with a 6-digit code from an authenticator app (RFC 6238, django-otp's TOTP device),
or with one of ten one-time backup codes. Until then the session can reach nothing but the
two-factor step and logout (``middleware.TwoFactorMiddleware``).

The session remembers ``[epoch, state]``: the user's ``two_factor_epoch`` when the state was
decided and the state itself. The middleware compares that epoch with the user row it has
loaded anyway, so the check costs no query; a reset by the admin raises the epoch and every
older session must verify again.

Wrong codes are counted on the user's TOTP device and lock the step after
``AXES_FAILURE_LIMIT`` failures for ``AXES_COOLOFF_TIME``, the same rule as wrong passwords,
keyed on the account (never on the office's shared address). Every failure and every lock
is written to the audit trail.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kampung.accounts.models import User
from kampung.accounts.scope import _CACHE_ATTR, forget_scope, scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError

SESSION_KEY = "kampung_2fa"
NOT_NEEDED = "tidak_perlu"
PENDING = "menunggu"
VERIFIED = "terverifikasi"

DEVICE_NAME = "Aplikasi autentikator"
BACKUP_DEVICE_NAME = "Kode cadangan"
BACKUP_CODES = 10

WRONG_CODE = "Kode salah atau sudah kedaluwarsa. Lihat kode terbaru di aplikasi autentikator lalu coba lagi."
NO_DEVICE = "Akun ini belum memasang aplikasi autentikator."


class TwoFactorLocked(KampungError):
    """Too many wrong codes: the step is locked for the account for a while."""

    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"Terlalu banyak kode yang salah. Verifikasi dua langkah untuk akun ini dikunci "
            f"{minutes} menit. Tunggu lalu masuk lagi, atau minta admin kabupaten memeriksa akun Anda.",
            code="dua_langkah_dikunci",
        )
        self.minutes = minutes


def two_factor_roles() -> frozenset[str]:
    return frozenset(settings.KAMPUNG_TWO_FACTOR_ROLES)


def needs_two_factor(user: Any) -> bool:
    """Does the user hold (today) a role that must sign in with a second factor?

    Leaves no scope cached on ``user`` that was not there before: at sign-in the object is
    the caller's own (a test's, a service's), whose roles may still change afterwards."""
    had_scope = has_cached_scope(user)
    needs = scope_for(user).has_role(*two_factor_roles())
    if not had_scope:
        forget_scope(user)
    return needs


def has_cached_scope(user: Any) -> bool:
    return hasattr(user, _CACHE_ATTR)


# --- The session's state --------------------------------------------------------------


def session_state_decide(session: SessionBase, user: Any) -> str:
    """Decide and remember whether this session must still pass the code step (at sign-in,
    or when the user's epoch has moved since). One query (the user's roles)."""
    state = PENDING if needs_two_factor(user) else NOT_NEEDED
    session[SESSION_KEY] = [user.two_factor_epoch, state]
    return state


def session_state(session: SessionBase, user: Any) -> str:
    """The session's two-factor state, from values in memory; decided afresh (one query)
    only when the session has none or the user's epoch has changed."""
    stored = session.get(SESSION_KEY)
    if isinstance(stored, list) and len(stored) == 2 and stored[0] == user.two_factor_epoch:
        return str(stored[1])
    return session_state_decide(session, user)


def session_mark_verified(session: SessionBase, user: Any) -> None:
    session[SESSION_KEY] = [user.two_factor_epoch, VERIFIED]


# --- Devices ----------------------------------------------------------------------------


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user: Any) -> TOTPDevice:
    """The unconfirmed device the user is setting up (made on first visit, kept until confirmed,
    so reloading the page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii")


def secret_grouped(device: TOTPDevice) -> str:
    """The secret as typed into an app by hand: groups of four letters or digits."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (no image request, nothing leaves the server)."""
    return str(segno.make(device.config_url, error="m", micro=False).svg_inline(scale=5, border=2))


@dataclass(frozen=True)
class TwoFactorStatus:
    required: bool
    device: TOTPDevice | None
    backup_codes_left: int

    @property
    def enrolled(self) -> bool:
        return self.device is not None


def two_factor_status(user: Any) -> TwoFactorStatus:
    device = confirmed_device(user)
    left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count() if device else 0
    return TwoFactorStatus(required=needs_two_factor(user), device=device, backup_codes_left=left)


# --- Checking codes ---------------------------------------------------------------------


def _limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def _cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def is_locked(device: TOTPDevice) -> bool:
    failed_at = device.throttling_failure_timestamp
    if device.throttling_failure_count < _limit() or failed_at is None:
        return False
    return timezone.now() < failed_at + settings.AXES_COOLOFF_TIME


def _home_regency(user: Any) -> str | None:
    code = User.objects.filter(pk=user.pk).values_list("assignments__region_id", flat=True).first()
    return code[:5] if code else None


def _audit(user: Any, act: str, after: dict[str, Any] | None = None, *, actor: Any = None) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor if actor is not None else user,
            act=act,
            region=_home_regency(user),
            object_type="accounts.User",
            object_id=user.pk,
            after=after,
        )


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch not in " -").lower()[:32]


def _check_code(user: Any, device: TOTPDevice, code: str, *, allow_backup: bool, step: str) -> str:
    """Verify one code against ``device`` (and the backup codes when allowed). Returns how it
    passed ("totp" or "backup"); raises KampungError for a wrong code and TwoFactorLocked
    when this failure (or an earlier one) locks the step. Failures are counted on ``device``
    and never rolled back."""
    if is_locked(device):
        raise TwoFactorLocked(_cooloff_minutes())
    if device.throttling_failure_count >= _limit():
        device.throttle_reset()  # an earlier lock has run out: a fresh set of attempts
    value = _normalise(code)
    if len(value) == 6 and value.isdigit():
        if device.verify_token(value):  # counts a failure itself, resets on success
            return "totp"
    elif allow_backup and len(value) == 8:
        backup = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if backup is not None and backup.verify_token(value):
            device.throttle_reset()
            _audit(user, "accounts.two_factor.backup_used", {"step": step})
            return "backup"
        device.throttle_increment()
    else:
        device.throttle_increment()
    failures = device.throttling_failure_count
    _audit(user, "accounts.two_factor.failure", {"step": step, "failures": failures})
    if failures >= _limit():
        _audit(user, "accounts.two_factor.lockout", {"step": step, "minutes": _cooloff_minutes()})
        raise TwoFactorLocked(_cooloff_minutes())
    left = _limit() - failures
    raise KampungError(f"{WRONG_CODE} Sisa percobaan: {left}.", code="kode_salah")


def _new_backup_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < BACKUP_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in codes])
    return codes


def two_factor_verify(*, user: Any, code: str) -> str:
    """The sign-in step: a 6-digit code from the app or one unused backup code."""
    device = confirmed_device(user)
    if device is None:
        raise KampungError(NO_DEVICE, code="belum_dipasang")
    how = _check_code(user, device, code, allow_backup=True, step="masuk")
    _audit(user, "accounts.two_factor.verify", {"with": how})
    return how


def two_factor_enrol_confirm(*, user: Any, code: str) -> list[str]:
    """Confirm the app the user has just set up with its first code; returns the ten backup
    codes, shown once. Wrong codes count towards the lock like at sign-in."""
    if confirmed_device(user) is not None:
        raise KampungError("Aplikasi autentikator sudah terpasang untuk akun ini.", code="sudah_dipasang")
    device = enrolment_device(user)
    _check_code(user, device, code, allow_backup=False, step="pemasangan")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_backup_codes(user)
        audit_record(
            actor=user,
            act="accounts.two_factor.enrol",
            region=_home_regency(user),
            object_type="accounts.User",
            object_id=user.pk,
        )
    return codes


def two_factor_backup_codes_renew(*, user: Any, code: str) -> list[str]:
    """Ten new backup codes (the old ones stop working), after a code from the app."""
    device = confirmed_device(user)
    if device is None:
        raise KampungError(NO_DEVICE, code="belum_dipasang")
    _check_code(user, device, code, allow_backup=False, step="kode_cadangan")
    with transaction.atomic():
        codes = _new_backup_codes(user)
        audit_record(
            actor=user,
            act="accounts.two_factor.backup_renew",
            region=_home_regency(user),
            object_type="accounts.User",
            object_id=user.pk,
        )
    return codes


@transaction.atomic
def two_factor_reset(*, actor: Any, user: User) -> None:
    """The regency admin removes a user's authenticator and backup codes (a lost phone).
    Every session of the user loses its verification; at the next sign-in the user sets up
    an app again. Only an admin who manages the user; never for oneself."""
    from kampung.accounts.services import _check_manages_user

    _check_manages_user(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise KampungError("Verifikasi dua langkah akun Anda sendiri tidak dapat diatur ulang di sini.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    two_factor_epoch_raise(user)
    audit_record(
        actor=actor,
        act="accounts.two_factor.reset",
        region=_home_regency(user),
        object_type="accounts.User",
        object_id=user.pk,
    )


def two_factor_epoch_raise(user: Any) -> None:
    """Every session of ``user`` must decide its two-factor state again (reset, new role)."""
    User.objects.filter(pk=user.pk).update(two_factor_epoch=F("two_factor_epoch") + 1)
    user.two_factor_epoch = User.objects.values_list("two_factor_epoch", flat=True).get(pk=user.pk)
