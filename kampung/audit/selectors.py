"""Reads of the audit trail: a regency admin sees the chains of their regency."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.models import AuditAnchor, AuditEntry
from kampung.audit.services import UPPER_SUFFIX


def _chain_filter(actor: Any) -> Q | None:
    regencies = scope_for(actor).region_codes(Role.ADMIN)
    if not regencies:
        return None
    condition = Q()
    for code in regencies:
        condition |= Q(chain__startswith=code + ".") | Q(chain=code + UPPER_SUFFIX)
    return condition


def entry_list(*, actor: Any, search: str = "", act: str = "", chain: str = "") -> QuerySet[AuditEntry]:
    condition = _chain_filter(actor)
    if condition is None:
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.filter(condition).order_by("-at", "-pk")
    if chain:
        qs = qs.filter(chain=chain)
    if act:
        qs = qs.filter(act__startswith=act)
    if search:
        qs = qs.filter(
            Q(actor_label__icontains=search) | Q(object_id=search) | Q(region_code__startswith=search)
        )
    return qs


def anchor_list(*, actor: Any) -> QuerySet[AuditAnchor]:
    condition = _chain_filter(actor)
    if condition is None:
        return AuditAnchor.objects.none()
    return AuditAnchor.objects.filter(condition).order_by("chain", "-seq")
