"""What each role sees in the menu: only what it may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_STAFF, Role
from kampung.accounts.scope import Scope


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def nav_items(scope: Scope) -> list[NavItem]:
    roles = scope.roles
    if roles == {Role.RESIDENT}:
        # A resident's own pages: their data and their letter requests.
        return [
            NavItem(_("Data saya"), reverse("portal:home"), "portal"),
            NavItem(_("Permohonan surat"), reverse("letters:portal_list"), "letters_portal"),
            NavItem(_("Usulan kegiatan"), reverse("finance_portal:list"), "finance_portal"),
            NavItem(_("Bantuan"), reverse("assistance_portal:list"), "assistance_portal"),
        ]
    items = [NavItem(_("Beranda"), reverse("accounts:home"), "home")]
    if roles & (VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES | {Role.BPD}):
        items.append(NavItem(_("Wilayah"), reverse("regions:village_list"), "regions"))
    if roles & (VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES):
        items.append(NavItem(_("Penduduk"), reverse("population:resident_list"), "population"))
    if roles & {Role.OPERATOR, Role.SECRETARY, Role.HEAD}:
        items.append(NavItem(_("Permohonan surat"), reverse("letters:queue"), "letters_requests"))
    # The counter's queue desk (kiosk app): the village's front-office staff.
    queue_villages = scope.region_codes(Role.OPERATOR, Role.SECRETARY, Role.HEAD)
    if queue_villages:
        items.append(NavItem(_("Antrian"), reverse("queue:desk", args=[queue_villages[0]]), "queue"))
    if roles & (VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES | {Role.BPD}):
        items.append(NavItem(_("Keuangan"), reverse("finance:home"), "finance"))
    if roles & (VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES):
        items.append(NavItem(_("Bantuan"), reverse("assistance:home"), "assistance"))
    if roles & (VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES | {Role.BPD}):
        items.append(NavItem(_("Pemantauan"), reverse("monitoring:home"), "monitoring"))
    if Role.DPMD in roles and Role.ADMIN not in roles:
        items.append(NavItem(_("Referensi keuangan"), reverse("finance:ref_home"), "finance_ref"))
    if roles & {Role.ADMIN, Role.DPMD, Role.BUPATI}:
        items.append(NavItem(_("Kewenangan"), reverse("authority:register"), "authority"))
    if roles - {Role.RESIDENT}:
        items.append(NavItem(_("Kewenangan saya"), reverse("authority:my_powers"), "my_powers"))
    if roles & (VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES):
        items.append(NavItem(_("Antrean keputusan"), reverse("authority:matter_queue"), "matter_queue"))
    # Announcements for the public pages, the kiosk and the lounge (kiosk app).
    if roles & {Role.ADMIN, Role.HEAD, Role.SECRETARY, Role.OPERATOR}:
        items.append(NavItem(_("Pengumuman"), reverse("announcements:list"), "announcements"))
    if Role.ADMIN in roles:
        items.append(NavItem(_("Katalog surat"), reverse("letters:catalogue"), "letters_catalogue"))
        items.append(NavItem(_("Pesan keluar"), reverse("notifications:outbox_list"), "notifications"))
        items.append(NavItem(_("Pengguna"), reverse("accounts:user_list"), "users"))
        items.append(NavItem(_("Klien API"), reverse("api_clients:list"), "api_clients"))
        items.append(NavItem(_("Referensi keuangan"), reverse("finance:ref_home"), "finance_ref"))
        items.append(NavItem(_("Kalender kerja"), reverse("regions:holiday_list"), "calendar"))
        items.append(NavItem(_("Jejak audit"), reverse("audit:entry_list"), "audit"))
    return items
