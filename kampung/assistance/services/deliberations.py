"""The village deliberation (Musyawarah Desa) that puts the eligible households in order.

domain.md §6.3 (3): the Musdes prioritises the verified RTLH households before the decision;
§3.3: BLT Dana Desa beneficiaries are agreed in a special Musdes (Musyawarah Desa Khusus)
before the Perkades. Issue #8 step 4: "the Musdes prioritisation is recorded".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kampung.accounts.scope import scope_for
from kampung.assistance.access import DELIBERATION_RECORDERS
from kampung.assistance.models import (
    Case,
    CaseStatus,
    Deliberation,
    DeliberationKind,
    Programme,
    ProgrammeKind,
)
from kampung.assistance.timeline import case_event
from kampung.core.errors import KampungError, NotPermitted
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

__all__ = ["RANKABLE", "deliberation_record"]

# The cases a Musdes may put in order: eligible ones and those an earlier Musdes ranked.
RANKABLE = (CaseStatus.ELIGIBLE, CaseStatus.PRIORITISED)


def _role(actor: Any, village: Region) -> str:
    held = scope_for(actor).roles_at(village.code)
    for role in DELIBERATION_RECORDERS:
        if role in held:
            return role
    raise NotPermitted("Hanya sekretaris, operator atau kepala desa ini yang dapat mencatat musyawarah desa.")


@transaction.atomic
def deliberation_record(
    *,
    actor: Any,
    programme: Programme,
    year: int,
    village: Region,
    kind: str,
    held_on: dt.date,
    place: str,
    minutes_number: str,
    attendees: int,
    chair_name: str,
    notes: str,
    order: list[int],
) -> Deliberation:
    """Record a Musdes and the priority it agreed: ``order`` lists case ids, first priority
    first, each an eligible (or earlier prioritised) case of this village, programme and year.
    They become ``prioritas`` with priority 1..n; a case an earlier Musdes prioritised and this
    one leaves out goes back to ``layak``. BLT needs a special Musdes (``musdesus``,
    domain.md §3.3)."""
    role = _role(actor, village)
    if kind not in DeliberationKind.values:
        raise KampungError("Jenis musyawarah tidak dikenal.")
    if programme.kind == ProgrammeKind.CASH and kind != DeliberationKind.SPECIAL:
        raise KampungError("Penerima BLT Dana Desa ditetapkan dalam Musyawarah Desa Khusus (Musdesus).")
    if held_on > local_today(village):
        raise KampungError("Tanggal musyawarah tidak boleh di masa depan.")
    if held_on.year not in (year, year - 1):
        raise KampungError(
            f"Musyawarah untuk program tahun {year} diadakan pada tahun {year - 1} atau {year}."
        )
    errors = []
    place, minutes_number, chair_name = place.strip(), minutes_number.strip(), chair_name.strip()
    if not place:
        errors.append("Tempat musyawarah wajib diisi.")
    if not minutes_number:
        errors.append("Nomor berita acara wajib diisi.")
    if not chair_name:
        errors.append("Nama pimpinan musyawarah wajib diisi.")
    if attendees < 1:
        errors.append("Jumlah peserta paling sedikit 1.")
    if errors:
        raise KampungError(" ".join(errors))
    if not order:
        raise KampungError("Urutkan paling sedikit satu keluarga yang layak.")
    if len(set(order)) != len(order):
        raise KampungError("Satu kasus hanya boleh muncul sekali dalam urutan prioritas.")
    rankable = {
        c.pk: c
        for c in Case.objects.select_for_update().filter(
            programme=programme, year=year, village=village, status__in=RANKABLE
        )
    }
    strangers = [pk for pk in order if pk not in rankable]
    if strangers:
        raise KampungError(
            "Sebagian kasus dalam urutan bukan kasus layak desa ini untuk program dan tahun ini "
            "(mungkin sudah diusulkan atau dibatalkan). Muat ulang halaman lalu urutkan lagi."
        )
    deliberation = Deliberation.objects.create(
        programme=programme,
        year=year,
        village=village,
        kind=kind,
        held_on=held_on,
        place=place[:160],
        minutes_number=minutes_number[:80],
        attendees=attendees,
        chair_name=chair_name[:150],
        notes=(notes or "").strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    label = deliberation.get_kind_display()
    for priority, pk in enumerate(order, start=1):
        case = rankable[pk]
        source = case.status
        case.status = CaseStatus.PRIORITISED
        case.priority = priority
        case.deliberation = deliberation
        case.save(update_fields=["status", "priority", "deliberation", "updated_at"])
        case_event(
            case,
            actor=actor,
            act="assistance.deliberation.prioritise",
            source=source,
            target=CaseStatus.PRIORITISED,
            note=f"{label} {held_on:%d-%m-%Y} (BA {deliberation.minutes_number}): prioritas ke-{priority}.",
            role=role,
            after={"deliberation": deliberation.pk, "priority": priority},
        )
    listed = set(order)
    for pk, case in rankable.items():
        if pk in listed or case.status != CaseStatus.PRIORITISED:
            continue
        case.status = CaseStatus.ELIGIBLE
        case.priority = None
        case.deliberation = deliberation
        case.save(update_fields=["status", "priority", "deliberation", "updated_at"])
        case_event(
            case,
            actor=actor,
            act="assistance.deliberation.unrank",
            source=CaseStatus.PRIORITISED,
            target=CaseStatus.ELIGIBLE,
            note=f"{label} {held_on:%d-%m-%Y} (BA {deliberation.minutes_number}) tidak memprioritaskan kasus ini.",
            role=role,
            after={"deliberation": deliberation.pk},
        )
    return deliberation
