"""Every step of a case is audited and shows on its timeline: one call does both, inside
the step's own transaction."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kampung.assistance.models import Case, CaseEvent
from kampung.audit.services import audit_record

OBJECT_TYPE = "assistance.Case"


def case_event(
    case: Case,
    *,
    actor: Any,
    act: str,
    source: str = "",
    target: str = "",
    note: str = "",
    basis: str = "",
    role: str = "",
    after: dict[str, Any] | None = None,
) -> CaseEvent:
    """Record ``act`` on ``case`` (its timeline row and its audit entry). When the stage
    changes (``target`` differs from ``source``) the case's ``stage_since`` moves too; the
    caller has already saved the new status."""
    now = timezone.now()
    if target and target != source:
        Case.objects.filter(pk=case.pk).update(stage_since=now)
        case.stage_since = now
    payload: dict[str, Any] = {"number": case.number}
    if target:
        payload["status"] = target
    if note:
        payload["note"] = note[:500]
    if basis:
        payload["basis"] = basis
    payload.update(after or {})
    audit_record(
        actor=actor,
        act=act,
        region=case.village_id,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        before={"status": source} if source else None,
        after=payload,
        role=role,
    )
    return CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        act=act,
        source=source,
        target=target,
        note=note,
        basis=basis,
    )
