"""Who may do what in village finance (roles; acts that need authority go through
``kampung.authority`` on top of these).

Finance is for desa only: a kelurahan has no APBDes (it is a regency unit), so every village
page of this app refuses a kelurahan with 404 via :func:`desa_in_scope_or_404`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_READERS, Role
from kampung.accounts.scope import region_in_scope_or_404
from kampung.regions.models import Region

# Drafting the plans and the budget: the secretary coordinates, the operator types, the
# treasurer and the head take part (Permendagri 20/2018 Pasal 31).
BUDGET_EDITORS = (Role.SECRETARY, Role.OPERATOR, Role.TREASURER, Role.HEAD)
PLAN_EDITORS = (Role.SECRETARY, Role.OPERATOR, Role.HEAD)
# Reading a village's plans and budget: its staff and BPD, its district and the regency.
FINANCE_READERS = (*VILLAGE_READERS, *sorted(DISTRICT_ROLES), *sorted(REGENCY_ROLES))
# The regency's finance reference data: ceilings, SSH, calendar, local codes, earmark rules.
REGENCY_FINANCE_ADMINS = (Role.DPMD, Role.ADMIN)


def desa_in_scope_or_404(user: Any, code: str, *roles: str) -> Region:
    """A desa (never a kelurahan) the user may see with one of ``roles``, or 404."""
    region = region_in_scope_or_404(user, code, *roles)
    if not region.keeps_apbdes:
        raise Http404("Kelurahan tidak memiliki APBDes.")
    return region


# Execution (finance II). The executor of a kegiatan asks for money (SPP) and reports its
# progress; the secretary may draft for them. The treasurer keeps the books: receipts,
# payments, moves between cash and bank, tax deposits, corrections and month closing.
SPP_DRAFTERS = (Role.EXECUTOR, Role.SECRETARY)
TREASURY_KEEPERS = (Role.TREASURER,)
ASSET_KEEPERS = (Role.SECRETARY, Role.OPERATOR, Role.TREASURER)
