"""Public pages are rendered without the request and kept whole in Django's cache.

A public page (``/publik/...``) and the kiosk's information pages show the same thing to
everyone, so they are rendered without the visitor's session (no user, no CSRF token, no
cookie) and the rendered bytes are kept under the page's path, query and language for
``KAMPUNG_PUBLIC_CACHE_SECONDS`` (300 s by default). Browsers and proxies may keep them as
long (``Cache-Control: public``). Posting or changing an announcement bumps a version
number that is part of every key, so the next request renders afresh; the figures
themselves (roll-ups, budgets) follow within the cache time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

VERSION_KEY = "public:version"


def cache_seconds() -> int:
    return int(getattr(settings, "KAMPUNG_PUBLIC_CACHE_SECONDS", 300))


def public_cache_bump() -> None:
    """Make every cached public page stale (after an announcement or a setting changes)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def _version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, 1, None)
        return 1
    return int(value)


def _key(request: HttpRequest) -> str:
    query = sorted(request.GET.lists())
    raw = f"{request.path}?{query!r}|{translation.get_language()}"
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return f"public:{_version()}:{digest}"


def render_public(template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """Render without the request: nothing in a public page may depend on who is looking."""
    return HttpResponse(render_to_string(template, context), status=status)


def _headers(response: HttpResponse, max_age: int) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def public_page(view: Callable[..., HttpResponse] | None = None, *, max_age: int | None = None) -> Any:
    """Serve a GET from the cache, else run ``view`` (which must use :func:`render_public`)
    and keep its 200 answer. Other methods are refused with 405; error pages are not kept.

    ``@public_page`` keeps pages ``KAMPUNG_PUBLIC_CACHE_SECONDS``; ``@public_page(max_age=60)``
    keeps them at most that long (a page with "today" figures)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                response = HttpResponse("Metode tidak diizinkan.", status=405, content_type="text/plain")
                response["Allow"] = "GET, HEAD"
                return response
            seconds = cache_seconds() if max_age is None else min(max_age, cache_seconds())
            key = _key(request)
            hit = cache.get(key)
            if hit is not None:
                content, content_type = hit
                return _headers(HttpResponse(content, content_type=content_type), seconds)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]), seconds)
                return _headers(response, seconds)
            return response

        return wrapper

    return decorate if view is None else decorate(view)
