"""How the roll-ups stay current: one mechanism for every write.

Every change in Kampung is recorded in the audit chain inside the transaction that makes it
(design.md: "acts are checked, not trusted"). Monitoring listens to the audit service: for an
entry about a village's finance, letters, programmes, population or field visits it writes a
:class:`RollupMark` (an outbox row) **in the same transaction**. A rolled-back change leaves
no mark; a committed one always leaves one.

Marks are applied — the village's area recomputed from the source records — by
:func:`rollup_work`:

- right after the request that made them (:class:`RollupMiddleware`, once the view and its
  transactions are done), so a page shows the change at once;
- by ``kampung monitoring work`` (a worker, or cron every minute) for marks made outside a
  request (imports, commands) or left by a failed apply: nothing is lost, at worst late;
- at the end of ``kampung demo``.

A mark on a district or the regency (a regency-wide setting changed) applies to every
village under it. Recomputing a village's area is idempotent, so a mark applied twice is
harmless, and :func:`kampung.monitoring.rollup.rollup_rebuild` gives the same tables.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kampung.monitoring.models import Area, RollupMark, RollupState
from kampung.regions.models import Level, Region

logger = logging.getLogger(__name__)

# Which areas an audit entry touches, by the app of the object it is about.
AREAS_BY_APP: dict[str, tuple[str, ...]] = {
    "finance": (Area.FINANCE, Area.PROJECTS),
    "letters": (Area.LETTERS,),
    "assistance": (Area.PROGRAMMES,),
    "population": (Area.POPULATION,),
    "monitoring": (Area.PROJECTS,),
}
# Objects whose change touches more than their app's areas: the regency's monitoring
# thresholds decide both what counts as physical works and when a case is stalled.
AREAS_BY_OBJECT: dict[str, tuple[str, ...]] = {
    "monitoring.monitoringsetting": (Area.PROJECTS, Area.PROGRAMMES),
}
# Entries that record a look, not a change.
_READ_ACTS = ("view",)
_READ_SUFFIXES = (".view", ".export", ".download", ".print")
CHUNK = 50  # villages recomputed in one transaction

_local = threading.local()
_TABLE_READY = False


def areas_for(act: str, object_type: str) -> tuple[str, ...]:
    if act in _READ_ACTS or act.endswith(_READ_SUFFIXES):
        return ()
    label = object_type.lower()
    if label in AREAS_BY_OBJECT:
        return AREAS_BY_OBJECT[label]
    return AREAS_BY_APP.get(label.split(".", 1)[0], ())


def _marks_table_ready() -> bool:
    """False while the migrations that precede monitoring's run (data migrations of other
    apps record audit entries before the outbox table exists; the first rebuild covers
    them). Checked until it is true, then remembered."""
    global _TABLE_READY
    if not _TABLE_READY:
        connection = transaction.get_connection()
        _TABLE_READY = RollupMark._meta.db_table in connection.introspection.table_names()
    return _TABLE_READY


def _on_audit(entry: Any) -> None:
    code = (entry.region_code or "").strip()
    if not code:
        return
    areas = areas_for(entry.act, entry.object_type)
    if not areas or not _marks_table_ready():
        return
    pairs = [(code, str(area)) for area in areas]
    RollupMark.objects.bulk_create([RollupMark(region_code=c, area=a) for c, a in pairs])
    pending: set[tuple[str, str]] | None = getattr(_local, "pending", None)
    if pending is not None:
        pending.update(pairs)


def connect() -> None:
    from kampung.audit.services import on_record

    on_record(_on_audit)


# -- applying --------------------------------------------------------------------------------


@dataclass
class WorkReport:
    marks: int = 0
    villages: dict[str, int] = field(default_factory=dict)

    @property
    def applied(self) -> int:
        return sum(self.villages.values())


def villages_under(codes: Iterable[str]) -> list[str]:
    """Village codes for a mix of village, district and regency codes (one query at most)."""
    villages: set[str] = set()
    wider: list[str] = []
    for code in codes:
        if len(code) == 13:
            villages.add(code)
        else:
            wider.append(code)
    if wider:
        q = Q()
        for code in wider:
            q |= Q(code__startswith=code + ".")
        villages.update(Region.objects.filter(q, level=Level.VILLAGE).values_list("code", flat=True))
    return sorted(villages)


def rollup_apply(area: str, village_codes: list[str], *, today: dt.date | None = None) -> int:
    """Recompute ``area`` for these villages from the source records, in chunks of
    :data:`CHUNK` villages, each chunk in one transaction holding its villages' state rows."""
    from kampung.monitoring.rollup import area_specs

    spec = area_specs()[area]
    today = today or timezone.localdate()
    known = set(Region.objects.filter(code__in=village_codes).values_list("code", flat=True))
    codes = [c for c in village_codes if c in known]
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        with transaction.atomic():
            RollupState.objects.bulk_create(
                [RollupState(village_id=c, area=area) for c in chunk], ignore_conflicts=True
            )
            list(RollupState.objects.select_for_update().filter(village_id__in=chunk, area=area))
            spec.compute(chunk, today)
            RollupState.objects.filter(village_id__in=chunk, area=area).update(
                computed_at=timezone.now(), as_of=today
            )
    return len(codes)


def rollup_work(
    *, today: dt.date | None = None, only: Iterable[tuple[str, str]] | None = None, limit: int = 20_000
) -> WorkReport:
    """Apply waiting marks (all, or only those for the given (region, area) pairs) and delete
    them. A failure leaves the marks for the next run."""
    report = WorkReport()
    marks = RollupMark.objects.order_by("id")
    if only is not None:
        pairs = list(only)
        if not pairs:
            return report
        q = Q()
        for code, area in pairs:
            q |= Q(region_code=code, area=area)
        marks = marks.filter(q)
    rows = list(marks.values_list("id", "region_code", "area")[:limit])
    if not rows:
        return report
    by_area: dict[str, set[str]] = defaultdict(set)
    for _, code, area in rows:
        by_area[area].add(code)
    for area in [a for a in Area.values if a in by_area]:
        report.villages[area] = rollup_apply(area, villages_under(by_area[area]), today=today)
    ids = [pk for pk, _, _ in rows]
    for start in range(0, len(ids), 1000):
        RollupMark.objects.filter(id__in=ids[start : start + 1000]).delete()
    report.marks = len(ids)
    return report


class RollupMiddleware:
    """Applies the marks a request made once its view has returned (its transactions are
    committed by then), so the dashboards show a change at once. Errors are logged, never
    shown: the marks stay for ``kampung monitoring work``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _local.pending = set()
        try:
            response = self.get_response(request)
        finally:
            pending: set[tuple[str, str]] = _local.pending
            _local.pending = None
        if pending:
            try:
                rollup_work(only=pending)
            except Exception:  # the worker retries
                logger.exception("monitoring: applying roll-up marks after the request failed")
        return response
