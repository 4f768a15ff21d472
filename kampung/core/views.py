"""Small pieces every app's views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from kampung.core.errors import KampungError


def run_service(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    """Run a service call for a form's button: its refusal becomes an error message (nothing
    changed), its success a success message. True when it went through."""
    try:
        call()
    except KampungError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True
