"""What each role sees in the menu: only what it may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_STAFF, Role
from kampung.accounts.scope import Scope


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def nav_items(scope: Scope) -> list[NavItem]:
    items = [NavItem("Beranda", reverse("accounts:home"), "home")]
    roles = scope.roles
    if roles & (VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES | {Role.BPD}):
        items.append(NavItem("Wilayah", reverse("regions:village_list"), "regions"))
    if Role.ADMIN in roles:
        items.append(NavItem("Pengguna", reverse("accounts:user_list"), "users"))
        items.append(NavItem("Kalender kerja", reverse("regions:holiday_list"), "calendar"))
        items.append(NavItem("Jejak audit", reverse("audit:entry_list"), "audit"))
    return items
