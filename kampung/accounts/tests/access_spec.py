"""Access matrix spec for accounts: sign-in, home, the regency admin's user management and the
village officials (perangkat) pages (see kampung/core/tests/matrix.py)."""

from __future__ import annotations

from typing import Any

from kampung.accounts.models import RoleAssignment
from kampung.accounts.roles import Role
from kampung.accounts.services import official_save
from kampung.core.tests.matrix import PUBLIC, SIGNED_IN, VILLAGE, Route, Side, roles, village_code

ADMIN = roles(Role.ADMIN)
# Anyone who holds a role over the village sees its officials (kampung.accounts.views_officials).
VILLAGE_SEERS = roles(VILLAGE, Role.CAMAT, Role.DISTRICT_OFFICER, Role.DPMD, Role.ADMIN, Role.BUPATI)
OFFICIAL_EDITORS = roles(Role.ADMIN, Role.HEAD, Role.SECRETARY)


def seed(side: Side) -> dict[str, Any]:
    member = side.user(Role.OPERATOR)
    official = official_save(
        actor=None,
        village=side.village,
        name=side.text("Perangkat", 100),
        position=side.text("Kasi Pemerintahan", 100),
        order=20,
    )
    return {
        "acc_user": member,
        "acc_assignment": RoleAssignment.objects.filter(user=member).first(),
        "acc_official": official,
    }


def _user(side: Side) -> dict[str, Any]:
    return {"pk": side["acc_user"].pk}


def _assignment(side: Side) -> dict[str, Any]:
    return {"pk": side["acc_user"].pk, "assignment_pk": side["acc_assignment"].pk}


def _official(side: Side) -> dict[str, Any]:
    return {"code": side.village.code, "pk": side["acc_official"].pk}


ROUTES: list[Route] = [
    # Signing in: the form for anyone; a signed-in visitor is sent on to their home.
    Route("accounts:login", readers=PUBLIC, ok=(200, 302)),
    # Logging out is a POST (Django's LogoutView); a GET is refused with 405 for everyone.
    Route("accounts:logout", readers=frozenset(), denied=(405,), note="GET is never a logout"),
    # A resident is sent to the portal's own PIN change.
    Route("accounts:password_change", readers=SIGNED_IN, ok=(200, 302)),
    # The code step after the password: a session that has passed it (or needs none) is sent on.
    Route("accounts:two_factor", readers=SIGNED_IN, ok=(302,)),
    # Everyone's own two-factor page (status; backup codes for those who use it).
    Route("accounts:two_factor_settings", readers=SIGNED_IN),
    # Home: a user of one village is sent to the village's page, a resident to the portal.
    Route("accounts:home", readers=SIGNED_IN, ok=(200, 302)),
    # The regency admin's user management: other users get "not found".
    Route("accounts:user_list", readers=ADMIN, foreign=True),
    Route("accounts:user_export", readers=ADMIN),
    Route("accounts:user_create", readers=ADMIN),
    Route("accounts:user_import", readers=ADMIN),
    Route("accounts:user_import_template", readers=ADMIN),
    Route("accounts:user_detail", kwargs=_user, readers=ADMIN),
    Route("accounts:user_edit", kwargs=_user, readers=ADMIN),
    Route("accounts:user_set_active", kwargs=_user, readers=ADMIN, method="POST"),
    Route("accounts:user_reset_password", kwargs=_user, readers=ADMIN, method="POST"),
    Route("accounts:user_two_factor_reset", kwargs=_user, readers=ADMIN, method="POST"),
    Route("accounts:assignment_add", kwargs=_user, readers=ADMIN, method="POST"),
    Route("accounts:assignment_end", kwargs=_assignment, readers=ADMIN, method="POST"),
    # Village officials (perangkat desa): seen by everyone over the village, edited by
    # the head, the secretary and the regency admin.
    Route("regions:officials:list", kwargs=village_code, readers=VILLAGE_SEERS),
    Route("regions:officials:add", kwargs=village_code, readers=OFFICIAL_EDITORS),
    Route("regions:officials:edit", kwargs=_official, readers=OFFICIAL_EDITORS),
]
