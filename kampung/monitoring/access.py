"""Who may do what in monitoring. Scope comes from the role assignments
(:mod:`kampung.accounts.scope`): a village role sees its village, a district role its
district's villages, a regency role the whole regency; anything else is "not found"."""

from __future__ import annotations

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_READERS, Role

# The dashboards: village staff and BPD see their own village's page; the district its
# villages; DPMD, the admin and the bupati the regency.
DASHBOARD_ROLES: tuple[str, ...] = (*VILLAGE_READERS, *sorted(DISTRICT_ROLES), *sorted(REGENCY_ROLES))
# Field visits to a physical kegiatan: the district's officers (and DPMD's monitoring team).
VISIT_RECORDERS: tuple[str, ...] = (Role.DISTRICT_OFFICER, Role.CAMAT, Role.DPMD)
# The regency's monitoring thresholds.
SETTINGS_EDITORS: tuple[str, ...] = (Role.DPMD, Role.ADMIN)
