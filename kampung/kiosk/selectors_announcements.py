"""Reading announcements: what is in force for a region, and what a staff member may manage.

:func:`in_force` is the one read of "the announcements shown for a region" used by the
public pages, the kiosk and the lounge; nothing else filters announcements by date.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.kiosk.models import Announcement
from kampung.regions.models import Region


def _codes_shown(region: Region | str) -> list[str]:
    """A region shows its own announcements and its regency's."""
    code = region.code if isinstance(region, Region) else str(region)
    return sorted({code, code[:5]})


def in_force_q(today: datetime.date) -> Q:
    """Published on or before ``today`` and not yet past its last day."""
    return Q(publish_from__lte=today) & (Q(publish_until__isnull=True) | Q(publish_until__gte=today))


def in_force(
    region: Region | str, today: datetime.date, *, limit: int | None = None
) -> QuerySet[Announcement]:
    """Announcements in force on ``today`` for ``region`` (its own plus its regency's):
    pinned first, then newest first."""
    qs = (
        Announcement.objects.filter(region_id__in=_codes_shown(region))
        .filter(in_force_q(today))
        .select_related("region")
        .order_by("-pinned", "-publish_from", "-pk")
    )
    if limit is not None:
        qs = qs[: max(int(limit), 0)]
    return qs


# -- staff -----------------------------------------------------------------------------------

STATE_CHOICES: tuple[tuple[str, str], ...] = (
    ("", "Semua"),
    ("berlaku", "Sedang tampil"),
    ("mendatang", "Belum tampil"),
    ("lewat", "Sudah berakhir"),
)


def postable_regions(*, actor: Any) -> list[Region]:
    """The regions ``actor`` may post announcements for: each regency where they are the
    admin (and its villages), and each village where they are head, secretary or operator."""
    from kampung.kiosk.services_announcements import POSTERS

    scope = scope_for(actor)
    codes = {c for c in scope.region_codes(Role.ADMIN) if len(c) == 5}
    codes |= set(scope.village_codes(*POSTERS))
    if not codes:
        return []
    return list(Region.objects.filter(code__in=sorted(codes)).select_related("parent").order_by("code"))


def managed_list(
    *, actor: Any, today: datetime.date, region: str = "", state: str = "", search: str = ""
) -> QuerySet[Announcement]:
    """The announcements ``actor`` may manage, filtered by region, state and a search in the
    title and body; pinned first, newest first."""
    codes = [r.code for r in postable_regions(actor=actor)]
    qs = Announcement.objects.filter(region_id__in=codes).select_related("region", "created_by")
    if region:
        qs = qs.filter(region_id=region)
    if state == "berlaku":
        qs = qs.filter(in_force_q(today))
    elif state == "mendatang":
        qs = qs.filter(publish_from__gt=today)
    elif state == "lewat":
        qs = qs.filter(publish_until__lt=today)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search))
    return qs.order_by("-pinned", "-publish_from", "-pk")


def managed_or_404(*, actor: Any, pk: int) -> Announcement:
    """One announcement ``actor`` may manage, or "not found" (also when it is out of scope)."""
    codes = [r.code for r in postable_regions(actor=actor)]
    found = Announcement.objects.filter(pk=pk, region_id__in=codes).select_related("region").first()
    if found is None:
        raise Http404("Pengumuman tidak ditemukan.")
    return found
