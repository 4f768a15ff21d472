"""Access matrix spec for the regency admin's integration clients pages (``/api-klien/``;
the API's own operations have their matrix in test_api_access_matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.api.scopes import SCOPES
from kampung.api.services import api_client_create, api_client_token_create
from kampung.core.tests.matrix import Route, Side, roles

ADMIN = roles(Role.ADMIN)


def seed(side: Side) -> dict[str, Any]:
    # Clients are the regency's: side B's belongs to another regency, made by its own admin.
    regency = side.regency if side.key == "a" else side["foreign_regency"]
    admin = side.world.user(Role.ADMIN, regency.code)
    client = api_client_create(
        actor=admin,
        regency=regency,
        name=side.text("Dasbor", 100),
        organisation=side.text("Dinas", 150),
        contact=side.text("Kontak", 150),
        purpose=side.text("Keperluan"),
        region=regency,
    )
    issued = api_client_token_create(
        actor=admin,
        client=client,
        name=side.text("Server", 100),
        scopes=list(SCOPES)[:1],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    return {"api_client": client, "api_token": issued.token}


def _client(side: Side) -> dict[str, Any]:
    return {"pk": side["api_client"].pk}


def _token(side: Side) -> dict[str, Any]:
    return {"pk": side["api_client"].pk, "token_pk": side["api_token"].pk}


ROUTES: list[Route] = [
    # Issuing a credential to personal data is the regency admin's act alone.
    Route("api_clients:list", readers=ADMIN),
    Route("api_clients:create", readers=ADMIN),
    Route("api_clients:detail", kwargs=_client, readers=ADMIN),
    Route("api_clients:edit", kwargs=_client, readers=ADMIN),
    Route("api_clients:set_active", kwargs=_client, readers=ADMIN, method="POST"),
    Route("api_clients:token_create", kwargs=_client, readers=ADMIN, method="POST"),
    Route("api_clients:token_revoke", kwargs=_token, readers=ADMIN, method="POST"),
]
