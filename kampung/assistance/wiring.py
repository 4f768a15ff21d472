"""What the assistance app hands to other apps at start-up: the authority queue's handler
for decisions routed up to the regency, and finance's callback when an SPP is paid."""

from __future__ import annotations


def register() -> None:
    from kampung.assistance.services import blt, decisions, payments

    decisions.register()
    payments.register()
    blt.register()
