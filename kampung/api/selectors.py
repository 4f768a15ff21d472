"""Reads for the integration-client pages: the clients a regency admin manages, their tokens.

Only the admin of a client's regency sees it; for anyone else it is "not found".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kampung.accounts.selectors_admin import admin_regency_codes  # the only people who manage clients
from kampung.api.models import ApiClient, ApiClientToken
from kampung.api.scopes import scope_label
from kampung.regions.models import Level, Region

# A token that ends within this many days is flagged on the pages, so the admin can issue
# the next one before the other system stops working.
EXPIRY_WARNING_DAYS = 14


def api_client_list(*, actor: Any, q: str = "") -> QuerySet[ApiClient]:
    """The actor's regencies' clients, with counts of their usable tokens, the nearest expiry
    of those, and the last use of any token (one query per page)."""
    codes = admin_regency_codes(actor)
    if not codes:
        return ApiClient.objects.none()
    now = timezone.now()
    usable = Q(tokens__revoked_at__isnull=True, tokens__expires_at__gt=now)
    qs = (
        ApiClient.objects.filter(regency_id__in=codes)
        .select_related("region")
        .annotate(
            usable_tokens=Count("tokens", filter=usable),
            next_expiry=Min("tokens__expires_at", filter=usable),
            last_used=Max("tokens__last_used_at"),
        )
        .order_by("name", "pk")
    )
    q = " ".join((q or "").split())
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(organisation__icontains=q) | Q(contact__icontains=q))
    return qs


def expires_soon(expires_at: dt.datetime | None) -> bool:
    if expires_at is None:
        return False
    now = timezone.now()
    return now < expires_at <= now + dt.timedelta(days=EXPIRY_WARNING_DAYS)


def api_client_get_or_404(*, actor: Any, pk: int) -> ApiClient:
    client = (
        ApiClient.objects.filter(regency_id__in=admin_regency_codes(actor), pk=pk)
        .select_related("region", "regency", "created_by")
        .first()
    )
    if client is None:
        raise Http404("Klien API tidak ditemukan.")
    return client


def api_client_token_get_or_404(*, actor: Any, client: ApiClient, pk: int) -> ApiClientToken:
    api_client_get_or_404(actor=actor, pk=client.pk)
    token = ApiClientToken.objects.filter(client=client, pk=pk).first()
    if token is None:
        raise Http404("Token tidak ditemukan.")
    return token


@dataclass(frozen=True)
class TokenRow:
    token: ApiClientToken
    status: str  # "aktif", "segera berakhir", "kedaluwarsa", "dicabut"
    scope_labels: list[tuple[str, str]]

    @property
    def usable(self) -> bool:
        return self.status in ("aktif", "segera berakhir")


def api_client_token_rows(*, client: ApiClient) -> list[TokenRow]:
    rows = []
    now = timezone.now()
    for token in ApiClientToken.objects.filter(client=client).select_related("created_by"):
        if token.revoked_at is not None:
            status = "dicabut"
        elif token.expires_at <= now:
            status = "kedaluwarsa"
        elif expires_soon(token.expires_at):
            status = "segera berakhir"
        else:
            status = "aktif"
        rows.append(TokenRow(token, status, [(s, scope_label(s)) for s in token.scopes]))
    return rows


def client_region_choices(*, actor: Any) -> QuerySet[Region]:
    """Regions a client of the actor's regencies may be given: a regency, a district or a
    village of it."""
    codes = admin_regency_codes(actor)
    if not codes:
        return Region.objects.none()
    under = Q()
    for code in codes:
        under |= Q(code=code) | Q(code__startswith=code + ".")
    return Region.objects.filter(under, level__in=(Level.REGENCY, Level.DISTRICT, Level.VILLAGE)).order_by(
        "code"
    )
