"""Who is calling: an API token (``Authorization: Bearer kmp_...``) or the browser's session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from kampung.api.services import token_user


class TokenAuth(HttpBearer):
    openapi_description = "Token API dari `kampung api token create NAMA_PENGGUNA --name ...`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return token_user(token)


class ActiveSessionAuth(SessionAuth):
    """The logged-in browser session (read-only calls need no CSRF token)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
