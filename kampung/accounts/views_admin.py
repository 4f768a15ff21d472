"""User management by the regency admin (placeholder list until the full pages land)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html", {})
