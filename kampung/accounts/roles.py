"""The roles people hold, and the level of region each is assigned at."""

from __future__ import annotations

from django.db import models

from kampung.regions.models import Level


class Role(models.TextChoices):
    RESIDENT = "warga", "Warga"
    OPERATOR = "operator", "Operator desa"
    FIELD_OFFICER = "petugas_lapangan", "Petugas lapangan desa"
    SECRETARY = "sekdes", "Sekretaris desa"
    TREASURER = "kaur_keuangan", "Kaur keuangan"
    EXECUTOR = "pelaksana", "Pelaksana kegiatan"
    HEAD = "kades", "Kepala desa / Lurah"
    BPD = "bpd", "BPD"
    DISTRICT_OFFICER = "staf_kecamatan", "Staf kecamatan"
    CAMAT = "camat", "Camat"
    DPMD = "dpmd", "Petugas DPMD"
    ADMIN = "admin", "Admin kabupaten"
    BUPATI = "bupati", "Bupati"


ROLE_LEVEL: dict[str, int] = {
    Role.RESIDENT: Level.VILLAGE,
    Role.OPERATOR: Level.VILLAGE,
    Role.FIELD_OFFICER: Level.VILLAGE,
    Role.SECRETARY: Level.VILLAGE,
    Role.TREASURER: Level.VILLAGE,
    Role.EXECUTOR: Level.VILLAGE,
    Role.HEAD: Level.VILLAGE,
    Role.BPD: Level.VILLAGE,
    Role.DISTRICT_OFFICER: Level.DISTRICT,
    Role.CAMAT: Level.DISTRICT,
    Role.DPMD: Level.REGENCY,
    Role.ADMIN: Level.REGENCY,
    Role.BUPATI: Level.REGENCY,
}

VILLAGE_STAFF = frozenset(
    {Role.OPERATOR, Role.FIELD_OFFICER, Role.SECRETARY, Role.TREASURER, Role.EXECUTOR, Role.HEAD}
)
# Who reads a village's work (plans, budget, cases): its staff and its BPD.
VILLAGE_READERS = (
    Role.OPERATOR,
    Role.FIELD_OFFICER,
    Role.SECRETARY,
    Role.TREASURER,
    Role.EXECUTOR,
    Role.HEAD,
    Role.BPD,
)
VILLAGE_ROLES = frozenset(r for r, level in ROLE_LEVEL.items() if level == Level.VILLAGE)
DISTRICT_ROLES = frozenset(r for r, level in ROLE_LEVEL.items() if level == Level.DISTRICT)
REGENCY_ROLES = frozenset(r for r, level in ROLE_LEVEL.items() if level == Level.REGENCY)


def role_label(role: str, *, kelurahan: bool = False) -> str:
    if role == Role.HEAD:
        return "Lurah" if kelurahan else "Kepala desa"
    return str(Role(role).label)


class Appointment(models.TextChoices):
    """Acting heads (Plt., Pj.) hold the same role; the appointment says how."""

    DEFINITIVE = "definitif", "Definitif"
    PLT = "plt", "Pelaksana Tugas (Plt.)"
    PJ = "pj", "Penjabat (Pj.)"
