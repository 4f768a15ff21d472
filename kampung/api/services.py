"""Making, revoking and checking API tokens, personal and of integration clients.

A personal token (``kmp_...``) acts as one user, with that user's roles. A client token
(``kmpk_...``) belongs to an integration client registered by the regency admin: it carries
scopes and a mandatory expiry, and reads only inside the client's region. A token is ``kmp_<prefix>_<secret>``: the prefix finds the row, and only the SHA-256 of the
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
from kampung.accounts.roles import Role
from kampung.accounts.scope import _CACHE_ATTR as _SCOPE_CACHE_ATTR
from kampung.accounts.scope import Grant, Scope, scope_for
from kampung.api.models import ApiClient, ApiClientToken, ApiToken
from kampung.api.scopes import SCOPES
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError
from kampung.regions.models import Level, Region

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


def _new_prefix() -> str:
    """A prefix no token (personal or client) has yet."""
    while True:
        prefix = secrets.token_hex(4)
        taken = ApiToken.objects.filter(prefix=prefix).exists()
        if not taken and not ApiClientToken.objects.filter(prefix=prefix).exists():
            return prefix


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
    prefix = _new_prefix()
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
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1].isalnum():
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


# -- integration clients --------------------------------------------------------------------

CLIENT_TOKEN_PREFIX = "kmpk"
# A client token always expires; a year is the longest an admin may choose.
MAX_CLIENT_TOKEN_DAYS = 365
CLIENT_REGION_LEVELS = (Level.REGENCY, Level.DISTRICT, Level.VILLAGE)


@dataclass(frozen=True)
class IssuedClientToken:
    token: ApiClientToken
    plain: str  # shown once; never stored


class ClientActor:
    """Who calls with a client token. Not a user: it reads as a regency reader would (the
    DPMD role) inside the client's region only, so selectors scope it like anyone else and
    NIK/KK numbers reach it masked (whole numbers are for the village's own staff)."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False

    def __init__(self, token: ApiClientToken) -> None:
        self.token = token
        self.client = token.client
        self.scopes = frozenset(token.scopes)
        region = self.client.region
        # The scope is fixed here instead of read from role assignments (a client holds
        # none): ``scope_for`` returns what is cached on the actor.
        setattr(self, _SCOPE_CACHE_ATTR, Scope(grants=(Grant(Role.DPMD, region.code, region.level),)))

    @property
    def display_name(self) -> str:
        return f"klien API {self.client.name}"

    @property
    def audit_label(self) -> str:
        """How the audit trail names this caller (it has no user row to point at)."""
        return f"klien API {self.client.name} (token {self.token.prefix})"

    def __str__(self) -> str:
        return self.display_name


def _normalised(text: str) -> str:
    return " ".join((text or "").split())


def _require_regency_admin(actor: Any, regency_code: str) -> None:
    """Clients are managed by the regency's admin (or from the server console: actor None)."""
    if actor is None:
        return
    if not scope_for(actor).covers(regency_code, Role.ADMIN):
        raise KampungError("Hanya admin kabupaten ini yang dapat mengelola klien API.")


def _client_fields(
    *, regency: Region, name: str, organisation: str, contact: str, purpose: str, region: Region
) -> dict[str, Any]:
    name, organisation, contact = _normalised(name), _normalised(organisation), _normalised(contact)
    purpose = (purpose or "").strip()
    if not name:
        raise KampungError("Nama aplikasi wajib diisi.")
    if len(name) > 100:
        raise KampungError("Nama aplikasi paling panjang 100 karakter.")
    if not organisation:
        raise KampungError("Instansi pemilik aplikasi wajib diisi.")
    if len(organisation) > 150 or len(contact) > 150:
        raise KampungError("Instansi dan kontak masing-masing paling panjang 150 karakter.")
    if not contact:
        raise KampungError("Kontak penanggung jawab wajib diisi (nama dan surel atau telepon).")
    if not purpose:
        raise KampungError("Keperluan wajib diisi: untuk apa aplikasi ini membaca data.")
    if len(purpose) > 1000:
        raise KampungError("Keperluan paling panjang 1.000 karakter.")
    if regency.level != Level.REGENCY:
        raise KampungError("Klien API harus milik sebuah kabupaten/kota.")
    inside = region.code == regency.code or region.code.startswith(regency.code + ".")
    if not inside or region.level not in CLIENT_REGION_LEVELS:
        raise KampungError(
            f"Wilayah yang boleh dibaca harus {regency.name} sendiri, atau kecamatan/desa di dalamnya."
        )
    return {
        "regency": regency,
        "name": name,
        "organisation": organisation,
        "contact": contact,
        "purpose": purpose,
        "region": region,
    }


def _client_snapshot(client: ApiClient) -> dict[str, Any]:
    return {
        "name": client.name,
        "organisation": client.organisation,
        "contact": client.contact,
        "purpose": client.purpose,
        "region": client.region_id,
        "is_active": client.is_active,
    }


def _real_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def api_client_create(
    *,
    actor: Any,
    regency: Region,
    name: str,
    organisation: str,
    contact: str,
    purpose: str,
    region: Region,
) -> ApiClient:
    """Register another system that may read the API inside ``region`` of ``regency``."""
    _require_regency_admin(actor, regency.code)
    fields = _client_fields(
        regency=regency, name=name, organisation=organisation, contact=contact, purpose=purpose, region=region
    )
    if ApiClient.objects.filter(regency=regency, name__iexact=fields["name"]).exists():
        raise KampungError(f"Klien API bernama '{fields['name']}' sudah ada; pilih nama lain.")
    client = ApiClient.objects.create(**fields, created_by=_real_user(actor))
    audit_record(
        actor=_real_user(actor),
        act="api.client.create",
        region=regency.code,
        object_type="api.ApiClient",
        object_id=client.pk,
        after=_client_snapshot(client),
    )
    return client


@transaction.atomic
def api_client_update(
    *,
    actor: Any,
    client: ApiClient,
    name: str,
    organisation: str,
    contact: str,
    purpose: str,
    region: Region,
) -> ApiClient:
    """Change a client's details or region (its tokens read the new region from then on)."""
    client = ApiClient.objects.select_for_update().select_related("regency").get(pk=client.pk)
    _require_regency_admin(actor, client.regency_id)
    fields = _client_fields(
        regency=client.regency,
        name=name,
        organisation=organisation,
        contact=contact,
        purpose=purpose,
        region=region,
    )
    clash = ApiClient.objects.filter(regency=client.regency, name__iexact=fields["name"]).exclude(
        pk=client.pk
    )
    if clash.exists():
        raise KampungError(f"Klien API bernama '{fields['name']}' sudah ada; pilih nama lain.")
    before = _client_snapshot(client)
    for key, value in fields.items():
        setattr(client, key, value)
    client.save()
    audit_record(
        actor=_real_user(actor),
        act="api.client.update",
        region=client.regency_id,
        object_type="api.ApiClient",
        object_id=client.pk,
        before=before,
        after=_client_snapshot(client),
    )
    return client


@transaction.atomic
def api_client_set_active(*, actor: Any, client: ApiClient, active: bool) -> ApiClient:
    """Deactivate a client (all its tokens are refused at once) or activate it again."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    _require_regency_admin(actor, client.regency_id)
    if client.is_active == active:
        raise KampungError("Klien ini sudah aktif." if active else "Klien ini sudah nonaktif.")
    client.is_active = active
    client.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=_real_user(actor),
        act="api.client.activate" if active else "api.client.deactivate",
        region=client.regency_id,
        object_type="api.ApiClient",
        object_id=client.pk,
        after={"is_active": active},
    )
    return client


def _expiry_instant(expires_on: dt.date) -> dt.datetime:
    """A token chosen to run "until 31 March" works through that whole day, local time."""
    next_day = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(next_day)


@transaction.atomic
def api_client_token_create(
    *, actor: Any, client: ApiClient, name: str, scopes: list[str], expires_on: dt.date
) -> IssuedClientToken:
    """Issue a token for ``client`` with ``scopes``, valid through ``expires_on``.

    The expiry is mandatory and at most :data:`MAX_CLIENT_TOKEN_DAYS` ahead; the plain
    token is returned once and only its hash is kept.
    """
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    _require_regency_admin(actor, client.regency_id)
    if not client.is_active:
        raise KampungError("Klien ini nonaktif; aktifkan dulu sebelum membuat token.")
    name = _normalised(name)
    if not name:
        raise KampungError("Keterangan token wajib diisi (misalnya 'server produksi').")
    if len(name) > 100:
        raise KampungError("Keterangan token paling panjang 100 karakter.")
    chosen = sorted(set(scopes))
    if not chosen:
        raise KampungError("Pilih paling sedikit satu izin untuk token ini.")
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise KampungError(f"Izin tidak dikenal: {', '.join(unknown)}.")
    today = timezone.localdate()
    if not today < expires_on <= today + dt.timedelta(days=MAX_CLIENT_TOKEN_DAYS):
        raise KampungError(
            f"Tanggal berakhir harus setelah hari ini dan paling lama {MAX_CLIENT_TOKEN_DAYS} hari lagi."
        )
    prefix = _new_prefix()
    plain = f"{CLIENT_TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiClientToken.objects.create(
        client=client,
        name=name,
        prefix=prefix,
        secret_hash=_hash(plain),
        scopes=chosen,
        expires_at=_expiry_instant(expires_on),
        created_by=_real_user(actor),
    )
    audit_record(
        actor=_real_user(actor),
        act="api.client.token.create",
        region=client.regency_id,
        object_type="api.ApiClientToken",
        object_id=token.pk,
        after={
            "client": client.name,
            "name": name,
            "prefix": prefix,
            "scopes": chosen,
            "expires_at": token.expires_at,
        },
    )
    return IssuedClientToken(token=token, plain=plain)


@transaction.atomic
def api_client_token_revoke(*, actor: Any, token: ApiClientToken) -> ApiClientToken:
    """Revoke a client token for good."""
    token = ApiClientToken.objects.select_for_update().select_related("client").get(pk=token.pk)
    _require_regency_admin(actor, token.client.regency_id)
    if token.revoked_at is not None:
        raise KampungError(f"Token {token.prefix} sudah dicabut pada {token.revoked_at:%d-%m-%Y %H:%M}.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=_real_user(actor),
        act="api.client.token.revoke",
        region=token.client.regency_id,
        object_type="api.ApiClientToken",
        object_id=token.pk,
        after={"client": token.client.name, "prefix": token.prefix},
    )
    return token


def client_actor(plain: str) -> ClientActor | None:
    """The client a presented client token speaks for, or None when the token is unknown,
    revoked or expired, or its client is deactivated."""
    parts = plain.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != CLIENT_TOKEN_PREFIX or not parts[1].isalnum():
        return None
    token = ApiClientToken.objects.select_related("client", "client__region").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(plain.strip())):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.client.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiClientToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return ClientActor(token)
