"""Access matrix spec for the public site, the kiosk, the queue, the lounge display and
announcements (see kampung/core/tests/matrix.py).

Public pages are public for everyone: the matrix checks they answer (and carry no stored
script); what they may show is checked by test_public_demo_no_nik and the selectors' tests.
The kiosk's request steps and a queue ticket belong to the kiosk session that made them:
opened from anywhere else (any user, any role) they send back to the start or are not found.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kampung.accounts.roles import Role
from kampung.core.tests.matrix import PUBLIC, Route, Side, roles, village_code
from kampung.kiosk.services_announcements import POSTERS, announcement_save
from kampung.kiosk.services_queue import STAFF_ROLES, services_for, ticket_take

QUEUE_STAFF = roles(STAFF_ROLES)


def seed(side: Side) -> dict[str, Any]:
    announcement = announcement_save(
        actor=side.user(Role.HEAD),
        region=side.village,
        title=side.text("Pengumuman", 150),
        body=side.text("Isi pengumuman"),
        publish_from=dt.date(2020, 1, 1),
    )
    service = services_for(side.village)[0]
    ticket = ticket_take(side.village, service)
    return {"kio_announcement": announcement, "kio_ticket": ticket}


def _pk(name: str) -> Any:
    return lambda side: {"pk": side[name].pk}


def _programme(side: Side) -> dict[str, Any]:
    programme = side.get("as_programme")
    return {"code": side.village.code, "programme_pk": programme.pk if programme else 999_999}


def _slug(side: Side) -> dict[str, Any]:
    return {"code": side.village.code, "slug": "sktm"}


ROUTES: list[Route] = [
    # --- the public site: anyone, no login ---
    Route("public:home", readers=PUBLIC),
    Route("public:announcement", kwargs=_pk("kio_announcement"), readers=PUBLIC),
    Route("public:region", kwargs=village_code, readers=PUBLIC),
    # A village has no list of villages; its district has.
    Route("public:villages", kwargs=lambda s: {"code": s.district.code}, readers=PUBLIC),
    Route("public:population", kwargs=village_code, readers=PUBLIC),
    Route("public:budget", kwargs=village_code, readers=PUBLIC),
    Route("public:projects", kwargs=village_code, readers=PUBLIC),
    Route("public:programmes", kwargs=village_code, readers=PUBLIC),
    # Names are public only where the regency publishes them for the programme.
    Route("public:beneficiaries", kwargs=_programme, readers=PUBLIC, ok=(200, 404)),
    Route("public:services", kwargs=village_code, readers=PUBLIC),
    Route("public:announcements", kwargs=village_code, readers=PUBLIC),
    # --- the kiosk: anyone at the screen ---
    # One served regency: straight to its kiosk; several: a chooser.
    Route("kiosk:root", readers=PUBLIC, ok=(200, 302)),
    Route("kiosk:home", kwargs=village_code, readers=PUBLIC),
    Route("kiosk:reset", kwargs=village_code, readers=PUBLIC, ok=(302,)),
    Route("kiosk:request_start", kwargs=village_code, readers=PUBLIC),
    # Without the kiosk session's NIK+PIN step the later steps send back to the start.
    Route("kiosk:request_type", kwargs=village_code, readers=PUBLIC, ok=(302,)),
    Route("kiosk:request_form", kwargs=_slug, readers=PUBLIC, ok=(302,)),
    Route("kiosk:request_confirm", kwargs=_slug, readers=PUBLIC, ok=(302,)),
    Route(
        "kiosk:request_done",
        kwargs=lambda s: {"code": s.village.code, "tracking": "ABCD2345"},
        readers=PUBLIC,
        ok=(302,),
        note="a tracking code this kiosk session did not make sends to the status page",
    ),
    Route("kiosk:status", kwargs=village_code, readers=PUBLIC),
    Route("kiosk:verify", kwargs=village_code, readers=PUBLIC),
    Route("kiosk:info_home", kwargs=village_code, readers=PUBLIC),
    Route("kiosk:info", kwargs=lambda s: {"code": s.village.code, "page": "layanan"}, readers=PUBLIC),
    # --- the queue ---
    Route("queue:take", kwargs=village_code, readers=PUBLIC),
    Route("queue:display", kwargs=village_code, readers=PUBLIC),
    Route("queue:display_data", kwargs=village_code, readers=PUBLIC),
    # A ticket's slip is shown only to the kiosk session that took it: 404 for everyone else.
    Route(
        "queue:ticket",
        kwargs=lambda s: {"code": s.village.code, "pk": s["kio_ticket"].pk},
        readers=frozenset(),
        note="only the session that took the ticket",
    ),
    Route("queue:desk", kwargs=village_code, readers=QUEUE_STAFF),
    Route("queue:desk_action", kwargs=village_code, readers=QUEUE_STAFF, method="POST"),
    Route("queue:services", kwargs=village_code, readers=QUEUE_STAFF),
    # --- the lounge display ---
    Route("lounge:home", readers=PUBLIC),
    Route("lounge:region", kwargs=village_code, readers=PUBLIC),
    # --- announcements (staff) ---
    Route("announcements:list", readers=roles(POSTERS)),
    Route("announcements:add", readers=roles(POSTERS)),
    Route("announcements:edit", kwargs=_pk("kio_announcement"), readers=roles(POSTERS)),
    Route("announcements:delete", kwargs=_pk("kio_announcement"), readers=roles(POSTERS)),
]
