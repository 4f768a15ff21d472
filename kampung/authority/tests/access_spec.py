"""Access matrix spec for authority: the regency's register of instruments and delegations,
"Kewenangan saya", routed matters, and a village head's own mandates
(see kampung/core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kampung.accounts.roles import Role
from kampung.authority.models import DelegationKind, InstrumentKind, TargetScope
from kampung.authority.register import (
    DelegationInput,
    delegation_create,
    instrument_create,
    village_mandate_give,
)
from kampung.authority.services import matter_route
from kampung.core.tests.matrix import ALL_ROLES, SIGNED_IN, Route, Side, code_and, roles, village_code

READERS = roles(Role.ADMIN, Role.DPMD, Role.BUPATI)  # selectors.REGISTER_READERS
KEEPERS = roles(Role.ADMIN)  # selectors.REGISTER_KEEPERS
RTLH = "assistance.rtlh.decide"
EVALUATE = "finance.apbdes.evaluate"


def seed(side: Side) -> dict[str, Any]:
    # The register is the regency's: side B's instrument and delegation are another regency's.
    regency = side.regency if side.key == "a" else side["foreign_regency"]
    admin = side.world.user(Role.ADMIN, regency.code) if side.key == "a" else None
    perbup = instrument_create(
        actor=admin,
        regency=regency,
        kind=InstrumentKind.PERBUP,
        number=f"12-{side.key}",
        date=dt.date(2017, 4, 8),
        title=side.text("Pelimpahan kewenangan Bupati", 200),
    )
    delegation = delegation_create(
        actor=admin,
        instrument=perbup,
        data=DelegationInput(
            kind=DelegationKind.DELEGASI,
            from_role=Role.BUPATI,
            from_region=regency,
            to_role=Role.HEAD,
            to_region=regency,
            to_scope=TargetScope.VILLAGES_UNDER,
            acts=[RTLH],
            valid_from=dt.date(2017, 5, 1),
        ),
    )
    head = side.user(Role.HEAD)
    mandates = village_mandate_give(
        actor=head,
        village=side.village,
        number=f"3-{side.key}",
        date=dt.date(2024, 1, 5),
        title=side.text("Mandat tanda tangan surat", 200),
        to_role=Role.SECRETARY,
        acts=["letters.sign.*"],
        valid_from=dt.date(2024, 1, 5),
    )
    matter = matter_route(
        actor=head,
        act=EVALUATE,
        region=side.village,
        object_type="uji",
        object_id=f"matrix-{side.key}",
        title=side.text("Evaluasi APBDes", 200),
    )
    return {
        "auth_instrument": perbup,
        "auth_delegation": delegation,
        "auth_mandate": mandates[0],
        "auth_matter": matter,
    }


def _pk(name: str) -> Any:
    return lambda side: {"pk": side[name].pk}


ROUTES: list[Route] = [
    Route("authority:register", readers=READERS),
    Route("authority:instrument_create", readers=KEEPERS),
    Route("authority:instrument_detail", kwargs=_pk("auth_instrument"), readers=READERS),
    # The seeded instrument has no file: readers get "not found" for its download.
    Route("authority:instrument_file", kwargs=_pk("auth_instrument"), readers=READERS, ok=(404,)),
    Route("authority:delegation_create", kwargs=_pk("auth_instrument"), readers=KEEPERS),
    Route("authority:delegation_detail", kwargs=_pk("auth_delegation"), readers=READERS),
    Route("authority:delegation_revoke", kwargs=_pk("auth_delegation"), readers=KEEPERS),
    Route("authority:expiring", readers=READERS),
    Route("authority:village_powers", readers=READERS),
    # "Kewenangan saya": every office holds some power by law; a resident holds none (404).
    Route("authority:my_powers", readers=ALL_ROLES - {Role.RESIDENT}),
    # The queue of matters addressed to the user's powers, and the matters they sent: every
    # signed-in user with a role (an empty list for most).
    Route("authority:matter_queue", readers=SIGNED_IN),
    Route("authority:matter_decide", kwargs=_pk("auth_matter"), readers=roles(Role.BUPATI), method="POST"),
    Route("authority:matter_sent", readers=SIGNED_IN),
    Route("authority:village_mandates", kwargs=village_code, readers=roles(Role.HEAD)),
    Route("authority:village_mandate_create", kwargs=village_code, readers=roles(Role.HEAD)),
    Route("authority:village_mandate_revoke", kwargs=code_and("auth_mandate"), readers=roles(Role.HEAD)),
]
