"""Access matrix spec for regions: the village list and page, its profile, the regency's
working-day calendar (see kampung/core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kampung.accounts.roles import Role
from kampung.core.tests.matrix import SIGNED_IN, VILLAGE, Route, Side, roles, village_code
from kampung.regions.services import holiday_save

VILLAGE_SEERS = roles(VILLAGE, Role.CAMAT, Role.DISTRICT_OFFICER, Role.DPMD, Role.ADMIN, Role.BUPATI)
PROFILE_EDITORS = roles(Role.ADMIN, Role.HEAD, Role.SECRETARY, Role.OPERATOR)


def seed(side: Side) -> dict[str, Any]:
    # The calendar is the regency's: side B's holiday is in another regency.
    regency = side.regency if side.key == "a" else side["foreign_regency"]
    holiday = holiday_save(
        actor=None,
        regency=regency,
        date=dt.date(2026, 8, 17),
        name=side.text("Libur", 120),
        kind="libur_daerah",
    )
    return {"reg_holiday": holiday}


ROUTES: list[Route] = [
    # The list of the villages in the user's scope (a resident's own village included).
    Route("regions:village_list", readers=SIGNED_IN),
    Route("regions:village_detail", kwargs=village_code, readers=VILLAGE_SEERS),
    Route("regions:village_profile_edit", kwargs=village_code, readers=PROFILE_EDITORS),
    Route("regions:holiday_list", readers=roles(Role.ADMIN)),
    Route(
        "regions:holiday_delete",
        kwargs=lambda s: {"pk": s["reg_holiday"].pk},
        readers=roles(Role.ADMIN),
        method="POST",
    ),
]
