"""Access matrix spec for the audit trail pages (see kampung/core/tests/matrix.py)."""

from kampung.accounts.roles import Role
from kampung.core.tests.matrix import Route, roles

ROUTES: list[Route] = [
    # The regency admin reads the trail of their own regency only.
    Route("audit:entry_list", readers=roles(Role.ADMIN)),
    Route("audit:anchor_list", readers=roles(Role.ADMIN)),
]
