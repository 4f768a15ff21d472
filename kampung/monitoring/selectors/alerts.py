"""Reads for alerts: a user's own list (open alerts under their scope, of the kinds their
role acts on) and a region's open alerts.

Which kinds each role sees in its own list (:data:`ROLE_KINDS`) — what the role can fix or
must follow up:

- kepala desa / lurah, sekretaris desa: every kind of their village;
- kaur keuangan: finance (reports, APBDes, advances, spending out of pattern);
- operator desa: letters overdue and stalled assistance cases;
- petugas lapangan desa: stalled assistance cases and physical kegiatan;
- pelaksana kegiatan: physical kegiatan and open advances;
- BPD (oversight): reports, APBDes, physical kegiatan and spending out of pattern;
- staf kecamatan, camat: every kind of their district's villages;
- DPMD, admin kabupaten, bupati: every kind of the regency's villages;
- residents: none (the list is "not found" for them).

A region's page (``<code>/peringatan/``) shows every open alert of the region to whoever may
open the region's dashboard: it is the region's picture, not a to-do list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.monitoring.models import Alert, AlertKind
from kampung.regions.models import Level, Region

ALL_KINDS: tuple[str, ...] = tuple(AlertKind.values)
FINANCE_KINDS: tuple[str, ...] = (
    AlertKind.REPORT_LATE,
    AlertKind.APBDES_LATE,
    AlertKind.ADVANCE_OPEN,
    AlertKind.SPENDING_PATTERN,
)
ROLE_KINDS: dict[str, tuple[str, ...]] = {
    Role.HEAD: ALL_KINDS,
    Role.SECRETARY: ALL_KINDS,
    Role.TREASURER: FINANCE_KINDS,
    Role.OPERATOR: (AlertKind.LETTERS_OVERDUE, AlertKind.CASES_STALLED),
    Role.FIELD_OFFICER: (AlertKind.CASES_STALLED, AlertKind.PROJECT_STALLED),
    Role.EXECUTOR: (AlertKind.PROJECT_STALLED, AlertKind.ADVANCE_OPEN),
    Role.BPD: (
        AlertKind.REPORT_LATE,
        AlertKind.APBDES_LATE,
        AlertKind.PROJECT_STALLED,
        AlertKind.SPENDING_PATTERN,
    ),
    Role.DISTRICT_OFFICER: ALL_KINDS,
    Role.CAMAT: ALL_KINDS,
    Role.DPMD: ALL_KINDS,
    Role.ADMIN: ALL_KINDS,
    Role.BUPATI: ALL_KINDS,
}
KIND_CHOICES: tuple[tuple[str, str], ...] = tuple((str(k), str(label)) for k, label in AlertKind.choices)


def region_q(code: str) -> Q:
    """Alerts of the villages under (or being) the region ``code``."""
    parts = code.count(".")
    if parts >= 3:
        return Q(village_id=code)
    if parts == 2:
        return Q(district_code=code)
    return Q(district_code__startswith=code + ".")


def kinds_for(user: Any) -> tuple[str, ...]:
    """Every kind the user's roles see, in :class:`AlertKind` order."""
    held: set[str] = set()
    for grant in scope_for(user).grants:
        held.update(ROLE_KINDS.get(grant.role, ()))
    return tuple(k for k in ALL_KINDS if k in held)


def user_alert_q(user: Any) -> Q | None:
    """The open alerts the user's own list holds (None: the user has no such list)."""
    condition: Q | None = None
    for grant in scope_for(user).grants:
        kinds = ROLE_KINDS.get(grant.role)
        if not kinds:
            continue
        part = region_q(grant.region_code) & Q(kind__in=kinds)
        condition = part if condition is None else condition | part
    return condition


def _open() -> QuerySet[Alert]:
    return Alert.objects.filter(resolved_at__isnull=True).select_related("village", "village__parent")


def _by_kind(qs: QuerySet[Alert], kind: str) -> QuerySet[Alert]:
    if kind in ALL_KINDS:
        qs = qs.filter(kind=kind)
    return qs.order_by("-first_seen_at", "district_code", "village_id", "key")


def user_alerts(*, user: Any, kind: str = "") -> QuerySet[Alert] | None:
    condition = user_alert_q(user)
    if condition is None:
        return None
    return _by_kind(_open().filter(condition), kind)


def region_alerts(*, region: Region, kind: str = "") -> QuerySet[Alert]:
    if region.level not in (Level.REGENCY, Level.DISTRICT, Level.VILLAGE):
        return Alert.objects.none()
    return _by_kind(_open().filter(region_q(region.code)), kind)


def kind_counts(qs: QuerySet[Alert]) -> dict[str, int]:
    """Open alerts per kind of an (unfiltered by kind) list, one query."""
    from django.db.models import Count

    rows = qs.order_by().values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows}
