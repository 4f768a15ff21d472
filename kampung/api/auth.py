"""Who is calling: an API token (``Authorization: Bearer kmp_...`` or ``kmpk_...``) or the
browser's session.

Each endpoint builds its own :func:`endpoint_auth` with the scope it needs: a client token
without that scope is refused with 403 (:class:`ScopeMissing`) before anything else runs.
Personal tokens and sessions act as their user and carry no scopes; the user's roles decide.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from kampung.api.scopes import SCOPES, scope_label
from kampung.api.services import CLIENT_TOKEN_PREFIX, client_actor, token_user


class ScopeMissing(Exception):
    """A valid client token that lacks the scope the endpoint needs (answered with 403)."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


class TokenAuth(HttpBearer):
    openapi_description = (
        "Token API. Token klien integrasi (`kmpk_...`) dibuat admin kabupaten di menu Klien API "
        "dan membawa izin (scope); token pribadi (`kmp_...`) dibuat dari konsol server."
    )

    def __init__(self, scope: str | None = None) -> None:
        if scope is not None and scope not in SCOPES:
            raise ValueError(f"unknown API scope {scope!r}")
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if token.startswith(CLIENT_TOKEN_PREFIX + "_"):
            actor = client_actor(token)
            if actor is None:
                return None
            if self.scope is None or self.scope not in actor.scopes:
                raise ScopeMissing(self.scope or "")
            return actor
        return token_user(token)


class ActiveSessionAuth(SessionAuth):
    """The logged-in browser session (read-only calls need no CSRF token)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def endpoint_auth(scope: str) -> list[Any]:
    """The authentication of an endpoint that needs ``scope`` from client tokens."""
    return [TokenAuth(scope=scope), ActiveSessionAuth()]


def scope_missing_message(scope: str) -> str:
    if not scope:
        return "Token klien ini tidak boleh memakai alamat ini."
    return (
        f"Token klien ini tidak punya izin '{scope}' ({scope_label(scope)}). "
        "Minta admin kabupaten membuat token dengan izin tersebut."
    )
