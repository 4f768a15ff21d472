"""Which regions may this user act on, and as which role. The one place that answers it.

Every list and detail of village-owned data goes through :func:`scope_for` (directly or via
:func:`filter_by_village` / :func:`get_in_scope_or_404`): an object outside the user's scope
is "not found", never "forbidden", so its existence is not revealed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kampung.accounts.models import RoleAssignment
from kampung.regions.models import Level, Region

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_kampung_scope"


@dataclass(frozen=True)
class Grant:
    role: str
    region_code: str
    level: int

    def covers(self, code: str) -> bool:
        return code == self.region_code or code.startswith(self.region_code + ".")


@dataclass
class Scope:
    """The active role grants of one user, and the villages they cover."""

    grants: tuple[Grant, ...]
    _villages: dict[str | None, frozenset[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.grants

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def roles_at(self, code: str) -> frozenset[str]:
        """Roles the user may act as at this region (its own grants and those above it)."""
        return frozenset(g.role for g in self.grants if g.covers(code))

    def covers(self, code: str, *roles: str) -> bool:
        return any(g.covers(code) and (not roles or g.role in roles) for g in self.grants)

    def village_codes(self, *roles: str) -> frozenset[str]:
        """Codes of all villages the user's grants (optionally: of these roles) cover."""
        key = ",".join(sorted(roles)) if roles else None
        if key not in self._villages:
            grants = [g for g in self.grants if not roles or g.role in roles]
            self._villages[key] = _villages_under(grants)
        return self._villages[key]

    def region_codes(self, *roles: str) -> list[str]:
        return sorted({g.region_code for g in self.grants if not roles or g.role in roles})

    def top_level(self) -> int | None:
        """The widest level the user holds a role at (2 regency, 3 district, 4 village)."""
        return min((g.level for g in self.grants), default=None)


def _villages_under(grants: Iterable[Grant]) -> frozenset[str]:
    codes: set[str] = set()
    condition = Q()
    wide = False
    for grant in grants:
        if grant.level == Level.VILLAGE:
            codes.add(grant.region_code)
        else:
            condition |= Q(code__startswith=grant.region_code + ".")
            wide = True
    if wide:
        codes.update(Region.objects.filter(condition, level=Level.VILLAGE).values_list("code", flat=True))
    return frozenset(codes)


def scope_for(user: Any) -> Scope:
    """The user's scope today, computed once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(grants=())
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    rows = (
        RoleAssignment.objects.active_on(today)
        .filter(user_id=user.pk)
        .values_list("role", "region_id", "region__level")
        .order_by("region_id", "role")
    )
    scope = Scope(grants=tuple(Grant(role, code, level) for role, code, level in rows))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def filter_by_village(
    qs: QuerySet[M], user: Any, *, field: str = "village", roles: Iterable[str] = ()
) -> QuerySet[M]:
    """Only the rows of villages in the user's scope (``field`` names the village FK)."""
    codes = scope_for(user).village_codes(*roles)
    if not codes:
        return qs.none()
    return qs.filter(**{f"{field}__in": sorted(codes)})


def get_in_scope_or_404(
    qs: QuerySet[M], user: Any, *, field: str = "village", roles: Iterable[str] = (), **lookup: Any
) -> M:
    """One object of a village in scope, or 404 whether it is missing or out of scope."""
    obj = filter_by_village(qs, user, field=field, roles=roles).filter(**lookup).first()
    if obj is None:
        raise Http404("Data tidak ditemukan.")
    return obj


# Kemendagri codes: 35, 35.10, 35.10.01, 35.10.01.2001 (digits and dots only).
_REGION_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")


def villages_in_scope(user: Any, *roles: str) -> QuerySet[Region]:
    codes = scope_for(user).village_codes(*roles)
    return Region.objects.filter(code__in=sorted(codes)).select_related("parent")


def region_in_scope_or_404(user: Any, code: str, *roles: str) -> Region:
    """A region the user may see: a village they cover, or a district/regency they hold a role at
    (or that lies under one they hold a role at)."""
    if not _REGION_CODE.fullmatch(code or ""):
        # Not a region code at all (PostgreSQL would even refuse a NUL in the parameter).
        raise Http404("Wilayah tidak ditemukan.")
    scope = scope_for(user)
    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None:
        raise Http404("Wilayah tidak ditemukan.")
    if region.level == Level.VILLAGE:
        if region.code in scope.village_codes(*roles):
            return region
        raise Http404("Wilayah tidak ditemukan.")
    if scope.covers(region.code, *roles):
        return region
    raise Http404("Wilayah tidak ditemukan.")


def grants_by_region(user: Any) -> dict[str, list[str]]:
    result: dict[str, list[str]] = defaultdict(list)
    for grant in scope_for(user).grants:
        result[grant.region_code].append(grant.role)
    return dict(result)
