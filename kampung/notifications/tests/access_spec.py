"""Access matrix spec for the notifications app (see kampung/core/tests/matrix.py).

The outbox is the regency admin's (``services.ADMIN_ROLES``): the messages about villages of
the admin's own regency. Everyone else, the village and district included, gets "not found";
an admin of another regency does not see (or retry, or cancel) this regency's messages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kampung.accounts.roles import Role
from kampung.core.tests.matrix import Route, Side, obj, roles

ADMIN = roles(Role.ADMIN)


def seed(side: Side) -> dict[str, Any]:
    from kampung.notifications.services import message_queue
    from kampung.population.tests.factories import make_resident

    # A message is about something of a village (its source): a resident of the side.
    resident = make_resident(
        side.world, side.village.code, name=side.text("Penerima", 150), birth=dt.date(1979, 8, 17)
    )
    waiting = message_queue(
        recipient_name=side.text("Penerima", 150),
        email=f"warga.{side.key}@example.id",
        subject=side.text("Judul pesan", 200),
        body=side.text("Isi pesan"),
        source=resident,
    )
    assert waiting, "the e-mail channel must take the message"
    return {"ntf_message": waiting[0]}


ROUTES: list[Route] = [
    Route(
        "notifications:outbox_list",
        readers=ADMIN,
        note="a regency-wide list: the admin of another regency must not see this one's messages",
    ),
    Route("notifications:message_retry", kwargs=obj("ntf_message"), readers=ADMIN, method="POST"),
    Route("notifications:message_cancel", kwargs=obj("ntf_message"), readers=ADMIN, method="POST"),
]
