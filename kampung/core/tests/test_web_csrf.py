"""CSRF everywhere: every route in the URL configuration, posted without a CSRF token, is
refused (403, or 405 for a view that takes no POST), for a signed-in user and for an
anonymous visitor. The routes are read from the URL configuration, so a new view is covered
the day it is added; a view exempt from Django's CSRF check must be listed below with why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1

# route prefix -> why Django's CSRF check does not apply there.
CSRF_EXEMPT = {
    "api/v1/": (
        "django-ninja marks its views csrf_exempt. A call with a token sends it in the "
        "Authorization header (Bearer), which a browser never adds by itself; a call with the "
        "browser's session is checked by ninja's SessionAuth (csrf=True) - asserted below."
    ),
}


def _sample(name: str, converter: Any) -> str:
    if isinstance(converter, IntConverter):
        return "1"
    if isinstance(converter, UUIDConverter):
        return "00000000-0000-4000-8000-000000000000"
    if isinstance(converter, SlugConverter):
        return "x"
    if isinstance(converter, PathConverter):
        return "x.png"
    if isinstance(converter, StringConverter) and name == "code":
        return VILLAGE_A1  # most codes are region codes; others just miss (404 after the check)
    return "x"


def routes() -> Iterator[tuple[str, Any]]:
    """(path, view) for every route, with sample values for its parameters."""

    def walk(patterns: list[Any], prefix: str, converters: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        for entry in patterns:
            pattern = entry.pattern
            route = str(pattern)
            found = dict(converters, **getattr(pattern, "converters", {}))
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + route, found)
            elif isinstance(entry, URLPattern):
                yield prefix + route, entry.callback, found

    for route, view, converters in walk(get_resolver().url_patterns, "", {}):
        path = _regex_sample(route)
        for name, converter in converters.items():
            path = path.replace(f"<{_kind(converter)}:{name}>", _sample(name, converter))
            path = path.replace(f"<{name}>", _sample(name, converter))
        assert "<" not in path and "^" not in path, f"route not understood: {route}"
        yield "/" + path, view


def _regex_sample(route: str) -> str:
    """A path for a ``re_path`` route: each named group becomes its first alternative."""
    if "^" not in route and "$" not in route:
        return route
    route = re.sub(r"\(\?P<\w+>([\w-]+)(?:\|[^)]*)?\)", r"\1", route)
    return route.replace("^", "").replace("$", "").replace("\\", "")


def _kind(converter: Any) -> str:
    return {
        IntConverter: "int",
        UUIDConverter: "uuid",
        SlugConverter: "slug",
        PathConverter: "path",
        StringConverter: "str",
    }.get(type(converter), "str")


def _exempt_reason(path: str) -> str | None:
    for prefix, reason in CSRF_EXEMPT.items():
        if path.startswith("/" + prefix):
            return reason
    return None


def test_routes_are_found() -> None:
    found = list(routes())
    assert len(found) > 300, len(found)
    assert any(p == "/akun/masuk/" for p, _ in found)


def test_no_unlisted_csrf_exempt_view() -> None:
    unlisted = [
        path
        for path, view in routes()
        if getattr(view, "csrf_exempt", False) and _exempt_reason(path) is None
    ]
    assert not unlisted, (
        f"csrf_exempt views not listed in CSRF_EXEMPT (say why, or remove the exemption): {unlisted}"
    )


def _refusals(client: Client) -> list[str]:
    wrong = []
    for path, view in routes():
        if getattr(view, "csrf_exempt", False):
            continue
        response = client.post(path, {"x": "1"})
        if response.status_code not in (403, 405):
            wrong.append(f"{path} -> {response.status_code}")
    return wrong


@pytest.mark.django_db
def test_every_route_refuses_a_post_without_token_anonymous() -> None:
    client = Client(enforce_csrf_checks=True)
    assert _refusals(client) == []


def test_every_route_refuses_a_post_without_token_signed_in(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    assert _refusals(client) == []


def test_a_post_with_the_token_passes_the_check(world: Any) -> None:
    """The refusals above are the CSRF check, not something else: with the token the same
    kind of post gets through to the view."""
    client = Client(enforce_csrf_checks=True)
    client.get("/akun/masuk/")
    token = client.cookies["csrftoken"].value
    response = client.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    refused = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en"})
    assert refused.status_code == 403


def test_api_session_posts_need_the_csrf_token(world: Any) -> None:
    """The API's exemption is only for token calls: the browser's session is CSRF-checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    api_posts = []
    for path, _view in routes():
        if _exempt_reason(path) is None:
            continue
        response = client.post(path, "{}", content_type="application/json")
        api_posts.append((path, response.status_code))
        assert response.status_code in (401, 403, 405), (path, response.status_code, response.content[:200])
    assert api_posts
