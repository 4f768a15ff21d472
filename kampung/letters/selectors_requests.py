"""Reads of letter requests, scoped: village staff see their villages' requests; a resident
sees only their own. Anything else is "not found"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kampung.accounts.scope import filter_by_village, scope_for
from kampung.authority.services import may_act
from kampung.letters.models_requests import LetterRequest, RequestStatus
from kampung.letters.services_requests import (
    STAFF_ROLES,
    WORKFLOW,
    sign_act,
    tracking_code_normalise,
    verify_act,
)
from kampung.population.models import Resident

# Which statuses each queue shows.
QUEUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "verifikasi": ("Perlu diverifikasi", (RequestStatus.SUBMITTED,)),
    "tandatangan": ("Perlu ditandatangani", (RequestStatus.VERIFIED,)),
    "terbit": ("Perlu diterbitkan / diserahkan", (RequestStatus.SIGNED, RequestStatus.ISSUED)),
    "semua": ("Semua permohonan", ()),
}
WAITING = (RequestStatus.SUBMITTED, RequestStatus.VERIFIED, RequestStatus.SIGNED)


def family_lookup(resident: Resident) -> Callable[[str], Resident | None]:
    """Whom a resident asking for a letter themself (online or at the kiosk) may name on it:
    themself or a member of their own family card, by NIK; anyone else is None."""

    def lookup(nik: str) -> Resident | None:
        qs = Resident.objects.filter(village_id=resident.village_id, nik=nik)
        if resident.family_id:
            return qs.filter(family_id=resident.family_id).first()
        return qs.filter(pk=resident.pk).first()

    return lookup


def staff_requests(actor: Any) -> QuerySet[LetterRequest]:
    return filter_by_village(LetterRequest.objects.all(), actor, roles=STAFF_ROLES)


def is_request_staff(actor: Any) -> bool:
    return bool(scope_for(actor).village_codes(*STAFF_ROLES))


def request_list(
    *,
    actor: Any,
    queue: str = "semua",
    village: str = "",
    letter_type: str = "",
    q: str = "",
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[LetterRequest]:
    """The requests of the actor's villages in one queue, filtered; oldest due first."""
    today = today or timezone.localdate()
    qs = staff_requests(actor).select_related("letter_type", "requester", "village")
    statuses = QUEUES.get(queue, QUEUES["semua"])[1]
    if statuses:
        qs = qs.filter(status__in=statuses)
    if village:
        qs = qs.filter(village_id=village)
    if letter_type:
        qs = qs.filter(letter_type__slug=letter_type)
    q = " ".join(q.split())[:100]
    if q:
        code = tracking_code_normalise(q)
        qs = qs.filter(Q(code=code) | Q(requester__name__icontains=q) | Q(requester__nik=q))
    if overdue:
        qs = qs.filter(status__in=WAITING, due_on__lt=today)
    return qs.order_by("due_on", "submitted_at", "pk") if statuses else qs.order_by("-submitted_at", "-pk")


@dataclass(frozen=True)
class QueueCount:
    key: str
    label: str
    total: int
    overdue: int
    due_today: int


def queue_counts(*, actor: Any, today: dt.date | None = None) -> list[QueueCount]:
    """Per queue: how many wait, how many are past their due date, how many are due today."""
    today = today or timezone.localdate()
    rows = (
        staff_requests(actor)
        .filter(status__in=[s for _, (_, ss) in QUEUES.items() for s in ss])
        .values("status")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today, status__in=WAITING)),
            due_today=Count("pk", filter=Q(due_on=today, status__in=WAITING)),
        )
    )
    by_status = {r["status"]: r for r in rows}
    out = []
    for key, (label, statuses) in QUEUES.items():
        if not statuses:
            continue
        picked = [by_status[s] for s in statuses if s in by_status]
        out.append(
            QueueCount(
                key=key,
                label=label,
                total=sum(r["total"] for r in picked),
                overdue=sum(r["overdue"] for r in picked),
                due_today=sum(r["due_today"] for r in picked),
            )
        )
    return out


def request_for_staff(*, actor: Any, code: str) -> LetterRequest:
    obj = (
        staff_requests(actor)
        .select_related("letter_type", "letter_type__classification", "requester", "village", "document")
        .filter(code=tracking_code_normalise(code))
        .first()
    )
    if obj is None:
        raise Http404("Permohonan tidak ditemukan.")
    return obj


def request_for_resident(*, actor: Any, code: str) -> LetterRequest:
    from kampung.population.portal import portal_account

    account = portal_account(actor)
    if account is None:
        raise Http404("Permohonan tidak ditemukan.")
    obj = (
        LetterRequest.objects.select_related("letter_type", "requester", "village", "document")
        .filter(code=tracking_code_normalise(code), requester_id=account.resident_id)
        .first()
    )
    if obj is None:
        raise Http404("Permohonan tidak ditemukan.")
    return obj


def requests_of_resident(*, actor: Any) -> QuerySet[LetterRequest]:
    from kampung.population.portal import portal_account

    account = portal_account(actor)
    if account is None:
        return LetterRequest.objects.none()
    return (
        LetterRequest.objects.filter(requester_id=account.resident_id)
        .select_related("letter_type", "document")
        .order_by("-submitted_at", "-pk")
    )


@dataclass(frozen=True)
class AllowedActs:
    verify: bool
    sign: bool
    reject: bool
    issue: bool
    hand_over: bool
    cancel: bool
    sign_refusal: str


def allowed_acts(actor: Any, request: LetterRequest) -> AllowedActs:
    """Which buttons to show (the services check again when pressed)."""
    acts = set(WORKFLOW.acts_from(request.status))
    staff = scope_for(actor).covers(request.village_id, *STAFF_ROLES)
    verify = "verify" in acts and bool(may_act(actor, verify_act(request.letter_type), request.village_id))
    sign_decision = (
        may_act(actor, sign_act(request.letter_type), request.village_id) if "sign" in acts else None
    )
    sign = bool(sign_decision)
    reject = "reject" in acts and (
        verify if request.status == RequestStatus.SUBMITTED else bool(sign_decision)
    )
    return AllowedActs(
        verify=verify,
        sign=sign,
        reject=reject,
        issue="issue" in acts and staff,
        hand_over="hand_over" in acts and staff,
        cancel="cancel" in acts and staff,
        sign_refusal=sign_decision.reason if sign_decision is not None and not sign_decision.allowed else "",
    )
