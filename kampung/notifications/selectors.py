"""Reads for notifications. The outbox list is the regency admin's: messages of villages in
the admin's regency, plus messages tied to no village (system messages)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kampung.accounts.scope import scope_for
from kampung.notifications.models import OutboxMessage, Status
from kampung.notifications.services import ADMIN_ROLES


def may_manage(actor: Any) -> bool:
    return scope_for(actor).has_role(*ADMIN_ROLES)


def _scoped(actor: Any | None) -> QuerySet[OutboxMessage]:
    """``actor=None`` is the system (management commands): every message."""
    qs = OutboxMessage.objects.all()
    if actor is None:
        return qs
    codes = scope_for(actor).region_codes(*ADMIN_ROLES)
    if not codes:
        return qs.none()
    condition = Q(region_code="")
    for code in codes:
        condition |= Q(region_code=code) | Q(region_code__startswith=code + ".")
    return qs.filter(condition)


def outbox_list(
    *, actor: Any, status: str = "", channel: str = "", search: str = ""
) -> QuerySet[OutboxMessage]:
    qs = _scoped(actor)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if search:
        qs = qs.filter(
            Q(recipient_name__icontains=search)
            | Q(subject__icontains=search)
            | Q(recipient__icontains=search)
            | Q(region_code__startswith=search)
        )
    return qs.order_by("-created_at", "-id")


def outbox_counts(*, actor: Any | None = None) -> dict[str, int]:
    """Messages per status (every status present, zero when none)."""
    rows = _scoped(actor).order_by().values("status").annotate(n=Count("id"))
    counts = {status.value: 0 for status in Status}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def message_get_or_404(*, actor: Any, pk: int) -> OutboxMessage:
    message = _scoped(actor).filter(pk=pk).first()
    if message is None:
        raise Http404("Pesan tidak ditemukan.")
    return message
