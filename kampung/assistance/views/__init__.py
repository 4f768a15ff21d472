"""Assistance views; helpers shared by their modules."""

from __future__ import annotations

from django.http import HttpRequest


def search_query(request: HttpRequest, limit: int = 80) -> str:
    """The ``q`` search text, trimmed to ``limit``, without NUL characters (PostgreSQL refuses
    them in a query parameter: a pasted ``%00`` must find nothing, not fail)."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:limit]
