"""Every step of a case is audited and shows on its timeline: one call does both, inside
the step's own transaction."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kampung.assistance.models import Case, CaseEvent
from kampung.audit.services import audit_record

OBJECT_TYPE = "assistance.Case"

# What the case's timeline calls each act (an act not listed shows its code).
ACT_LABELS = {
    "assistance.case.register": "Didaftarkan",
    "assistance.case.cancel": "Dibatalkan",
    "assistance.photo.add": "Foto diunggah",
    "assistance.photo.remove": "Foto dihapus",
    "assistance.survey.save": "Draf survei disimpan",
    "assistance.survey.submit": "Survei dikirim",
    "assistance.deliberation.prioritise": "Prioritas musyawarah desa",
    "assistance.deliberation.unrank": "Tidak diprioritaskan musyawarah desa",
    "assistance.decision.draft": "Diusulkan dalam rancangan keputusan",
    "assistance.decision.cancel": "Rancangan keputusan dibatalkan",
    "assistance.decision.route": "Keputusan diteruskan kepada pemegang kewenangan",
    "assistance.decision.refuse": "Keputusan tidak disetujui",
    "assistance.decision.issue": "Ditetapkan sebagai penerima",
    "assistance.case.spp": "SPP bantuan diajukan",
    "assistance.case.paid": "Dana bantuan dibayarkan",
    "assistance.case.unpaid": "Pembayaran dibatalkan (jurnal balik)",
    "assistance.case.progress": "Laporan kemajuan pekerjaan",
    "assistance.case.handover": "Serah terima rumah",
    "assistance.blt.request": "BLT bulanan diajukan dalam SPP",
    "assistance.blt.paid": "SPP BLT dibayar",
    "assistance.blt.unpaid": "Pembayaran SPP BLT dibatalkan (jurnal balik)",
    "assistance.blt.distribute": "BLT bulanan diterima",
    "assistance.blt.not_collected": "BLT bulanan tidak diambil",
}


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
