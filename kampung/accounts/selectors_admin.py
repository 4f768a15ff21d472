"""Reads for the management pages: the users a regency admin manages, and village officials.

Which users an admin manages (the rule :func:`managed_user_list` and the services share):

- users holding, or having held, any role at a region in a regency where the actor holds
  the admin role (the regency itself, its districts and villages). Ended roles count, so an
  admin can still find and reactivate someone whose roles have all ended;
- users with no role anywhere yet (an account whose only role was never given). Every admin
  sees these: nothing ties them to one regency, and leaving them invisible would strand them;
- never superusers: those are the server operator's accounts, managed from the command line.

Everything else is "not found".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kampung.accounts.models import Official, RoleAssignment, User
from kampung.accounts.roles import Appointment, Role, role_label
from kampung.accounts.scope import filter_by_village, get_in_scope_or_404, scope_for
from kampung.regions.models import Kind, Level, Region


def admin_regency_codes(actor: Any) -> list[str]:
    """Codes of the regencies where ``actor`` holds the admin role today."""
    return scope_for(actor).region_codes(Role.ADMIN)


def _under(codes: Iterable[str], field: str = "region__code") -> Q:
    condition = Q()
    for code in codes:
        condition |= Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})
    return condition


def admin_regions(*, actor: Any) -> list[Region]:
    """The regencies where ``actor`` is admin, with all their districts and villages, by code."""
    codes = admin_regency_codes(actor)
    if not codes:
        return []
    return list(Region.objects.filter(_under(codes, "code")).order_by("code"))


def managed_user_list(
    *,
    actor: Any,
    search: str = "",
    role: str = "",
    region_code: str = "",
    active: bool | None = None,
) -> QuerySet[User]:
    """Users ``actor`` manages (see the module docstring), filtered.

    ``role`` and ``region_code`` match roles held today: a district code matches roles at
    the district and at its villages. Each user carries ``current_assignments``: the roles
    they hold today inside the actor's regencies, with their regions (one query per page).
    """
    codes = admin_regency_codes(actor)
    if not codes:
        return User.objects.none()
    today = timezone.localdate()
    in_regency = RoleAssignment.objects.filter(_under(codes), user_id=OuterRef("pk"))
    anywhere = RoleAssignment.objects.filter(user_id=OuterRef("pk"))
    qs = User.objects.filter(Exists(in_regency) | ~Exists(anywhere), is_superuser=False)
    if search:
        qs = qs.filter(
            Q(username__icontains=search) | Q(full_name__icontains=search) | Q(staff_number__icontains=search)
        )
    if role or region_code:
        held = RoleAssignment.objects.active_on(today).filter(_under(codes), user_id=OuterRef("pk"))
        if role:
            held = held.filter(role=role)
        if region_code:
            held = held.filter(_under([region_code]))
        qs = qs.filter(Exists(held))
    if active is not None:
        qs = qs.filter(is_active=active)
    current = (
        RoleAssignment.objects.active_on(today)
        .filter(_under(codes))
        .select_related("region")
        .order_by("region_id", "role")
    )
    return qs.prefetch_related(
        Prefetch("assignments", queryset=current, to_attr="current_assignments")
    ).order_by("username")


def managed_user_get_or_404(*, actor: Any, pk: int) -> User:
    user = managed_user_list(actor=actor).filter(pk=pk).first()
    if user is None:
        raise Http404("Pengguna tidak ditemukan.")
    return user


_SHORT_APPOINTMENT: dict[str, str] = {Appointment.PLT: "Plt.", Appointment.PJ: "Pj."}


@dataclass(frozen=True)
class RoleHeld:
    role: str
    label: str
    region: Region
    appointment: str

    @property
    def appointment_short(self) -> str:
        """ "Plt." or "Pj." for acting holders, empty for definitive ones."""
        return _SHORT_APPOINTMENT.get(self.appointment, "")


@dataclass(frozen=True)
class UserRow:
    user: User
    roles: list[RoleHeld]


def _held(assignment: RoleAssignment) -> RoleHeld:
    region = assignment.region
    label = role_label(assignment.role, kelurahan=region.kind == Kind.KELURAHAN)
    return RoleHeld(assignment.role, label, region, assignment.appointment)


def user_rows(users: Iterable[User]) -> list[UserRow]:
    """Rows for a list or an export, from users of :func:`managed_user_list`."""
    return [UserRow(u, [_held(a) for a in getattr(u, "current_assignments", [])]) for u in users]


@dataclass(frozen=True)
class AssignmentRow:
    assignment: RoleAssignment
    label: str
    status: str  # "aktif", "berakhir" or "akan datang"

    @property
    def is_active(self) -> bool:
        return self.status == "aktif"


def user_assignments(*, actor: Any, user: User) -> list[AssignmentRow]:
    """All of ``user``'s roles (past, present and future) inside the actor's regencies;
    roles elsewhere are not shown."""
    codes = admin_regency_codes(actor)
    if not codes:
        return []
    today = timezone.localdate()
    rows = []
    qs = RoleAssignment.objects.filter(_under(codes), user=user).select_related("region")
    for a in qs.order_by("-valid_from", "region_id", "role"):
        if a.valid_from > today:
            status = "akan datang"
        elif a.is_active_on(today):
            status = "aktif"
        else:
            status = "berakhir"
        rows.append(AssignmentRow(a, _held(a).label, status))
    return rows


def assignment_get_or_404(*, actor: Any, user: User, pk: int) -> RoleAssignment:
    codes = admin_regency_codes(actor)
    assignment = None
    if codes:
        assignment = (
            RoleAssignment.objects.filter(_under(codes), user=user, pk=pk).select_related("region").first()
        )
    if assignment is None:
        raise Http404("Penugasan tidak ditemukan.")
    return assignment


# --- Village officials (perangkat desa) ----------------------------------------------------


def official_list_all(*, actor: Any, village: Region) -> list[Official]:
    """Every official of a village in scope, active or not, in display order."""
    qs = filter_by_village(Official.objects.filter(village=village), actor)
    return list(qs.select_related("user").order_by("-active", "order", "name"))


def official_get_or_404(*, actor: Any, village: Region, pk: int, roles: Iterable[str] = ()) -> Official:
    return get_in_scope_or_404(Official.objects.filter(village=village), actor, roles=roles, pk=pk)


def village_account_choices(*, village: Region) -> QuerySet[User]:
    """Accounts that hold a role at this village today (an official may be linked to one)."""
    if village.level != Level.VILLAGE:
        return User.objects.none()
    today = timezone.localdate()
    held = RoleAssignment.objects.active_on(today).filter(region=village, user_id=OuterRef("pk"))
    return User.objects.filter(Exists(held), is_active=True).order_by("full_name", "username")
