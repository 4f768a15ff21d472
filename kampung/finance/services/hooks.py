"""Other apps hear about payments here, inside the paying transaction: an assistance case
paid through an SPP moves to "paid" in the same commit as the journal entry, and back when
the treasurer reverses that payment (a hook may refuse the reversal by raising
``KampungError``: the aid was already handed out)."""

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


ReversedHook = Callable[[Any, Any], None]
_REVERSED: list[ReversedHook] = []


def on_spp_payment_reversed(hook: ReversedHook) -> None:
    """Call ``hook(spp, actor)`` when an SPP's payment entry is reversed (the SPP is back to
    approved)."""
    if hook not in _REVERSED:
        _REVERSED.append(hook)


def spp_payment_reversed_notify(spp: Any, actor: Any) -> None:
    for hook in _REVERSED:
        hook(spp, actor)
