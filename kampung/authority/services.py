"""``may_act``: may this person do this act here, and on what basis?

For now the answer comes from the act's holder by law (its default role): the basis is
always *atribusi*. The delegation register (a later part) replaces the inside of
:func:`may_act`; its signature and its callers stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kampung.accounts.scope import scope_for
from kampung.authority.acts import get_act


class Basis:
    ATRIBUSI = "atribusi"
    DELEGASI = "delegasi"
    MANDAT = "mandat"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: str = ""
    role: str = ""
    instrument: str = ""
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def may_act(actor: Any, act: str, region: Any, amount: Decimal | None = None) -> Decision:
    """Whether ``actor`` may perform ``act`` at ``region`` (a Region or code).

    Unknown acts are refused: an act must be registered before anyone can perform it.
    """
    definition = get_act(act)
    if definition is None:
        return Decision(False, reason=f"Tindakan '{act}' tidak dikenal.")
    code = region if isinstance(region, str) else getattr(region, "code", "")
    if not code:
        return Decision(False, reason="Wilayah tindakan tidak diketahui.")
    scope = scope_for(actor)
    if definition.holder_role in scope.roles_at(code):
        return Decision(True, basis=Basis.ATRIBUSI, role=definition.holder_role)
    return Decision(False, reason="Anda tidak berwenang melakukan tindakan ini di wilayah ini.")
