"""Who may do what in assistance programmes (roles; the decision itself is an act of the
authority register on top of these), and the scoped look-ups every view uses.

Programmes run in desa and kelurahan alike (a kelurahan's RTLH is regency-funded), so the
village pages accept both. Another village's case is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_READERS, Role
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.assistance.models import Case, Programme
from kampung.regions.models import Region

# Registering households and cancelling a case: the village office.
REGISTRARS = (Role.OPERATOR, Role.FIELD_OFFICER, Role.SECRETARY, Role.HEAD)
# The house/household survey: the village field officer (the operator may type a paper form).
SURVEYORS = (Role.FIELD_OFFICER, Role.OPERATOR)
# Recording the Musdes and drafting the decision: the secretary, the operator, the head.
DELIBERATION_RECORDERS = (Role.SECRETARY, Role.OPERATOR, Role.HEAD)
DECISION_DRAFTERS = (Role.SECRETARY, Role.OPERATOR, Role.HEAD)
# Physical progress and its photos: the executor of the kegiatan and the field officer.
PROGRESS_REPORTERS = (Role.EXECUTOR, Role.FIELD_OFFICER, Role.OPERATOR)
# The handover minutes: the secretary or the head.
HANDOVER_RECORDERS = (Role.SECRETARY, Role.HEAD)
# BLT distribution per household and month: the treasurer (who pays) and the secretary.
DISTRIBUTORS = (Role.TREASURER, Role.SECRETARY)
READERS = (*VILLAGE_READERS, *sorted(DISTRICT_ROLES), *sorted(REGENCY_ROLES))
# Configuring programmes, criteria, yearly settings and earlier-aid records.
PROGRAMME_ADMINS = (Role.ADMIN, Role.DPMD)


def programme_or_404(code: str) -> Programme:
    programme = Programme.objects.filter(code=code).select_related("regency").first()
    if programme is None:
        raise Http404("Program tidak ditemukan.")
    return programme


def village_or_404(user: Any, code: str, *roles: str) -> Region:
    """A desa or kelurahan the user may see with one of ``roles`` (default: any reader), or 404."""
    region = region_in_scope_or_404(user, code, *(roles or READERS))
    if not region.is_village:
        raise Http404("Wilayah bukan desa/kelurahan.")
    return region


def case_or_404(user: Any, pk: int, *roles: str) -> Case:
    """A case of a village the user may see with one of ``roles`` (default: any reader)."""
    case = Case.objects.select_related("programme", "village", "family", "beneficiary").filter(pk=pk).first()
    if case is None or not scope_for(user).covers(case.village_id, *(roles or READERS)):
        raise Http404("Kasus tidak ditemukan.")
    return case


def may(user: Any, village_code: str, *roles: str) -> bool:
    return scope_for(user).covers(village_code, *roles)
