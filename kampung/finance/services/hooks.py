"""Other apps hear about payments here, inside the paying transaction: an assistance case
paid through an SPP moves to "paid" in the same commit as the journal entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

PaidHook = Callable[[Any, Any, dt.date], None]
_PAID: list[PaidHook] = []


def on_spp_paid(hook: PaidHook) -> None:
    """Call ``hook(spp, actor, paid_on)`` whenever an SPP is paid (registered once per app)."""
    if hook not in _PAID:
        _PAID.append(hook)


def spp_paid_notify(spp: Any, actor: Any, day: dt.date) -> None:
    for hook in _PAID:
        hook(spp, actor, day)
