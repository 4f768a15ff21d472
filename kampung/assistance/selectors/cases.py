"""Reads of a village's cases in a programme year: counts by stage, the filtered list, the
ranked list the Musdes orders, and a case's timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from kampung.assistance.models import Case, CaseEvent, CaseStatus, Programme
from kampung.assistance.timeline import ACT_LABELS
from kampung.regions.models import Region

# Tabs of the village page, in the order a case moves.
STAGES: tuple[tuple[str, str], ...] = (
    (CaseStatus.REGISTERED, "Menunggu survei"),
    (CaseStatus.ELIGIBLE, "Layak"),
    (CaseStatus.PRIORITISED, "Prioritas musdes"),
    (CaseStatus.PROPOSED, "Diusulkan"),
    (CaseStatus.DECIDED, "Ditetapkan"),
    (CaseStatus.PAID, "Disalurkan"),
    (CaseStatus.IN_PROGRESS, "Dikerjakan"),
    (CaseStatus.DONE, "Selesai"),
    (CaseStatus.REFUSED, "Ditolak"),
    (CaseStatus.CANCELLED, "Dibatalkan"),
)
RANKED = (CaseStatus.ELIGIBLE, CaseStatus.PRIORITISED)


def _cases(village: Region, programme: Programme, year: int) -> QuerySet[Case]:
    return Case.objects.filter(village=village, programme=programme, year=year)


def stage_counts(village: Region, programme: Programme, year: int) -> dict[str, int]:
    """Cases per stage (every stage present, zero when empty) plus ``total``: one query."""
    rows = _cases(village, programme, year).values("status").annotate(n=Count("pk")).order_by()
    counts = {status: 0 for status, _ in STAGES}
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s, _ in STAGES)
    return counts


def case_list(
    village: Region, programme: Programme, year: int, *, stage: str = "", q: str = ""
) -> QuerySet[Case]:
    """The village's cases of the programme year, newest number last; ``stage`` one status,
    ``q`` words of the name, a NIK/KK number or a case number. Paginate in the caller."""
    qs = _cases(village, programme, year)
    if stage in CaseStatus.values:
        qs = qs.filter(status=stage)
    q = " ".join((q or "").split())[:80]
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit() and len(digits) == 16:
            qs = qs.filter(Q(nik=digits) | Q(kk_number=digits))
        else:
            condition = Q(number__icontains=q)
            words = [w for w in q.split() if len(w) >= 2]
            if words:
                by_name = Q()
                for word in words:
                    by_name &= Q(name__icontains=word)
                condition |= by_name
            qs = qs.filter(condition)
    return qs.order_by("registered_on", "number")


def area_per_person(case: Case) -> Decimal | None:
    """Floor area per occupant from the case's survey (None when not surveyed)."""
    survey = getattr(case, "survey", None)
    answers = survey.answers if survey is not None else {}
    try:
        area = Decimal(str(answers.get("luas_lantai"))) / Decimal(int(answers.get("jumlah_penghuni") or 0))
    except (ArithmeticError, TypeError, ValueError):
        return None
    return area.quantize(Decimal("0.01"))


def rank_key(case: Case) -> tuple[Any, ...]:
    """Priority first where a Musdes recorded it; then score (high first), floor area per person
    (small first), registration date."""
    return (
        0 if case.priority is not None else 1,
        case.priority or 0,
        -(case.score or Decimal("0")),
        area if (area := area_per_person(case)) is not None else Decimal("999999"),
        case.registered_on,
        case.pk,
    )


def ranked_list(village: Region, programme: Programme, year: int) -> list[Case]:
    """Eligible and prioritised cases in ranking order (with their surveys): two queries."""
    cases = list(
        _cases(village, programme, year).filter(status__in=RANKED).select_related("survey").order_by("pk")
    )
    cases.sort(key=rank_key)
    return cases


def timeline(case: Case) -> list[CaseEvent]:
    """The case's steps, oldest first, with who took them; each carries ``label`` (the act in
    words) and ``stage_label`` (the stage it moved to, if it moved)."""
    labels = dict(CaseStatus.choices)
    events = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "pk"))
    for event in events:
        moved = event.target and event.target != event.source
        event.stage_label = str(labels.get(event.target, event.target)) if moved else ""  # type: ignore[attr-defined]
        event.label = ACT_LABELS.get(event.act, event.act)  # type: ignore[attr-defined]
    return events
