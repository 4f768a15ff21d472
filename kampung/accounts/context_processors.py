from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kampung.accounts.navigation import nav_items
from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_for(user)
    # Residents change their PIN and sign out on their own pages.
    return {"nav_items": nav_items(scope), "is_resident": scope.roles == {Role.RESIDENT}}
