"""Reads of the documents app. Registers are scoped to the actor (another village is
"not found"); the public verification lookups are not, and return only what the public
page prints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from kampung.accounts.roles import Role
from kampung.accounts.scope import filter_by_village, get_in_scope_or_404
from kampung.documents.models import Document, IncomingLetter
from kampung.documents.services import INCOMING_WRITERS, code_normalise
from kampung.regions.models import Region

REGISTER_READERS = (
    Role.OPERATOR,
    Role.SECRETARY,
    Role.HEAD,
    Role.CAMAT,
    Role.DISTRICT_OFFICER,
    Role.ADMIN,
)
INCOMING_READERS = (*INCOMING_WRITERS, Role.ADMIN)


def month_parse(text: str) -> tuple[int, int] | None:
    """``2025-04`` -> (2025, 4); anything else -> None (the filter is then ignored)."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        return None
    return year, month


def document_list(
    *, actor: Any, village: Region, month: str = "", kind: str = "", q: str = ""
) -> QuerySet[Document]:
    """The buku agenda surat keluar of ``village``: newest first."""
    qs = filter_by_village(Document.objects.all(), actor, roles=REGISTER_READERS).filter(village=village)
    parsed = month_parse(month)
    if parsed:
        qs = qs.filter(issued_at__year=parsed[0], issued_at__month=parsed[1])
    if kind:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(subject_name__icontains=q)
            | Q(verification_code=code_normalise(q))
        )
    return qs.select_related("village").order_by("-issued_at", "-pk")


def document_get_or_404(*, actor: Any, village: Region, pk: int) -> Document:
    return get_in_scope_or_404(
        Document.objects.select_related("village", "revoked_by"),
        actor,
        roles=REGISTER_READERS,
        village=village,
        pk=pk,
    )


def document_by_code(code: str) -> Document | None:
    """The document with this verification code, for the public page (no scope: the code
    itself is the key, and the page shows only what is printed on the document)."""
    normalised = code_normalise(code)
    if len(normalised) != 10:
        return None
    return (
        Document.objects.select_related("village", "village__parent")
        .filter(verification_code=normalised)
        .first()
    )


def incoming_list(*, actor: Any, village: Region, month: str = "", q: str = "") -> QuerySet[IncomingLetter]:
    qs = filter_by_village(IncomingLetter.objects.all(), actor, roles=INCOMING_READERS).filter(
        village=village
    )
    parsed = month_parse(month)
    if parsed:
        qs = qs.filter(received_on__year=parsed[0], received_on__month=parsed[1])
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(sender__icontains=q) | Q(subject__icontains=q) | Q(letter_number__icontains=q))
    return qs.order_by("-agenda_year", "-agenda_number")


def incoming_get_or_404(
    *, actor: Any, village: Region, pk: int, roles: tuple[str, ...] = INCOMING_READERS
) -> IncomingLetter:
    return get_in_scope_or_404(IncomingLetter.objects.all(), actor, roles=roles, village=village, pk=pk)
