"""Making, revoking and checking API tokens.

A token is ``kmp_<prefix>_<secret>``: the prefix finds the row, and only the SHA-256 of the
whole token is stored (the secret has 256 bits of randomness, so a slow password hash adds
nothing). The token is shown once, when it is made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kampung.accounts.models import User
from kampung.accounts.scope import scope_for
from kampung.api.models import ApiToken
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError

TOKEN_PREFIX = "kmp"
MAX_DAYS = 3650
# Writing ``last_used_at`` on every request would turn each read into a write; once a
# minute is precise enough to tell a token still in use from an abandoned one.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plain: str  # shown once; never stored


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def _region_for(user: Any) -> str:
    """The audit chain of a token: the widest region the user holds a role at."""
    grants = sorted(scope_for(user).grants, key=lambda g: (g.level, g.region_code))
    return grants[0].region_code if grants else ""


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str, days: int | None = None) -> IssuedToken:
    """Make a token for ``user``; the plain token is returned once and only its hash is kept.

    Only an active user who holds a role may have one (a token acts with that user's scope).
    """
    name = " ".join(name.split())
    if not name:
        raise KampungError("Nama token wajib diisi (misalnya nama aplikasi yang memakainya).")
    if len(name) > 100:
        raise KampungError("Nama token paling panjang 100 karakter.")
    if not user.is_active:
        raise KampungError(f"Pengguna {user.username} tidak aktif; token tidak dapat dibuat.")
    if scope_for(user).is_empty:
        raise KampungError(f"Pengguna {user.username} tidak memegang peran apa pun; token tidak berguna.")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise KampungError(f"Masa berlaku token harus 1 sampai {MAX_DAYS} hari.")
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():  # pragma: no cover - 1 in 4 billion
        prefix = secrets.token_hex(4)
    plain = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, secret_hash=_hash(plain), expires_at=expires
    )
    audit_record(
        actor=actor if getattr(actor, "pk", None) else None,
        act="api.token.create",
        region=_region_for(user),
        object_type="api.ApiToken",
        object_id=token.pk,
        after={"user": user.username, "name": name, "prefix": prefix, "expires_at": expires},
    )
    return IssuedToken(token=token, plain=plain)


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token for good (a revoked token is refused from then on)."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        raise KampungError(f"Token {token.prefix} sudah dicabut pada {token.revoked_at:%d-%m-%Y %H:%M}.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=actor if getattr(actor, "pk", None) else None,
        act="api.token.revoke",
        region=_region_for(token.user),
        object_type="api.ApiToken",
        object_id=token.pk,
        after={"user": token.user.username, "prefix": token.prefix},
    )
    return token


def token_user(plain: str) -> User | None:
    """The user a presented token acts as, or None when it is unknown, revoked or expired."""
    parts = plain.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(plain.strip())):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
