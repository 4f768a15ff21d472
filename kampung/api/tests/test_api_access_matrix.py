"""The API access matrix: every operation of the OpenAPI schema, every kind of caller, on
village A's objects and on village B's.

The table below says, for each operation (method and path as the schema names them), how to
aim it at one village's objects and which scope a client token needs. The test fails when the
schema has an operation the table lacks, or the table names one the schema no longer has, so
a new endpoint cannot ship without its row.

For each operation:
- every role's user of village A (and of district A), by personal token and by session, on
  B's objects: 404 and none of B's data in the body; on A's objects: 200 for the roles that
  read the register, 404 for the others;
- a client whose region is village A or district A: with the scope, 200 on A and 404 on B;
  without it, 403 on both; never B's data;
- anonymous, expired, revoked, and an inactive client's token: 401.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.api.api import api
from kampung.api.models import ApiClientToken, ApiToken
from kampung.api.scopes import FAMILIES_READ, RESIDENTS_READ, SCOPES
from kampung.api.services import api_client_set_active, api_client_token_revoke, api_token_create
from kampung.api.tests.conftest import B_MARKERS, Register, bearer, client_token, make_client
from kampung.conftest import (
    DISTRICT_A,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_B1,
    VILLAGE_ROLES_IN_WORLD,
    make_other_regency,
)
from kampung.population.selectors import READER_ROLES

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Entry:
    scope: str
    # (register, "A" or "B") -> (path parameters, query parameters) aiming at that side's objects
    target: Callable[[Register, str], tuple[dict[str, Any], dict[str, str]]]


def _village(side: str) -> str:
    return VILLAGE_A1 if side == "A" else VILLAGE_B1


MATRIX: dict[tuple[str, str], Entry] = {
    ("GET", "/api/v1/penduduk"): Entry(RESIDENTS_READ, lambda r, side: ({}, {"village": _village(side)})),
    ("GET", "/api/v1/penduduk/{resident_id}"): Entry(
        RESIDENTS_READ,
        lambda r, side: ({"resident_id": (r.a_resident if side == "A" else r.b_resident).pk}, {}),
    ),
    ("GET", "/api/v1/keluarga"): Entry(FAMILIES_READ, lambda r, side: ({}, {"village": _village(side)})),
    ("GET", "/api/v1/keluarga/{family_id}"): Entry(
        FAMILIES_READ,
        lambda r, side: ({"family_id": (r.a_family if side == "A" else r.b_family).pk}, {}),
    ),
}

# Users "of village A": every village role there, and the district above it.
A_USERS = [(role, VILLAGE_A1) for role in VILLAGE_ROLES_IN_WORLD] + [
    (Role.CAMAT, DISTRICT_A),
    (Role.DISTRICT_OFFICER, DISTRICT_A),
]
REGENCY_USERS = [(Role.DPMD, REGENCY), (Role.ADMIN, REGENCY), (Role.BUPATI, REGENCY)]


def schema_operations() -> dict[tuple[str, str], dict[str, Any]]:
    # As served (JSON keys are strings): the same document /api/v1/openapi.json gives.
    paths = json.loads(json.dumps(api.get_openapi_schema()))["paths"]
    return {(method.upper(), path): op for path, methods in paths.items() for method, op in methods.items()}


def _url(path: str, params: dict[str, Any], query: dict[str, str]) -> str:
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"path parameter left unfilled in {path}"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def _call(http: Any, key: tuple[str, str], register: Register, side: str, **auth: Any) -> Any:
    method, path = key
    params, query = MATRIX[key].target(register, side)
    return http.generic(method, _url(path, params, query), **auth)


def _assert_no_b_data(response: Any, register: Register, who: str) -> None:
    body = response.content.decode()
    for secret in (*B_MARKERS, *register.b_numbers):
        assert secret not in body, f"{who}: {secret!r} leaked in {response.request['PATH_INFO']}"


def test_matrix_covers_exactly_the_schema():
    operations = schema_operations()
    assert set(MATRIX) == set(operations), (
        "Every API operation needs a row in MATRIX (and no row may outlive its operation): "
        f"missing {sorted(set(operations) - set(MATRIX))}, stale {sorted(set(MATRIX) - set(operations))}"
    )
    for key, operation in operations.items():
        # The scope the table expects is the one the endpoint enforces and documents.
        assert operation.get("x-kampung-scope") == MATRIX[key].scope, key
        assert MATRIX[key].scope in SCOPES
        assert operation.get("security"), f"{key} answers without authentication"
        assert {"401", "403", "404", "422"} <= set(operation["responses"]), key


@pytest.fixture
def register_world(world, register):
    return world, register


@pytest.mark.parametrize("how", ["token", "sesi"])
def test_users_of_village_a_never_see_village_b(client, register_world, how):
    world, register = register_world
    for role, region in A_USERS:
        user = world.user(role, region)
        if how == "token":
            auth = bearer(api_token_create(actor=None, user=user, name="matriks").plain)
        else:
            client.force_login(user)
            auth = {}
        reads = role in READER_ROLES
        for key in MATRIX:
            who = f"{role}@{region} ({how}) {key}"
            other = _call(client, key, register, "B", **auth)
            assert other.status_code == 404, (who, other.status_code)
            assert other.json()["code"] == "tidak_ditemukan"
            _assert_no_b_data(other, register, who)
            own = _call(client, key, register, "A", **auth)
            assert own.status_code == (200 if reads else 404), (who, own.status_code)
            _assert_no_b_data(own, register, who)
            if reads and own.json().get("items") is not None:
                assert own.json()["items"], f"{who}: A's own list is empty"
            # An unfiltered list is scoped too.
            method, path = key
            if "{" not in path:
                _assert_no_b_data(client.generic(method, path, **auth), register, who)
        if how == "sesi":
            client.logout()


def test_regency_readers_see_both_and_other_regency_sees_neither(client, register_world):
    world, register = register_world
    for role, region in REGENCY_USERS:
        token = bearer(api_token_create(actor=None, user=world.user(role, region), name="matriks").plain)
        for key in MATRIX:
            for side in ("A", "B"):
                assert _call(client, key, register, side, **token).status_code == 200, (role, key, side)
    other_admin, _ = make_other_regency()
    token = bearer(api_token_create(actor=None, user=other_admin, name="matriks").plain)
    for key in MATRIX:
        for side in ("A", "B"):
            response = _call(client, key, register, side, **token)
            assert response.status_code == 404, (key, side)
            _assert_no_b_data(response, register, f"admin lain {key}")


@pytest.mark.parametrize("region", [VILLAGE_A1, DISTRICT_A])
def test_clients_of_village_or_district_a(client, register_world, region):
    _, register = register_world
    app = make_client(region, name=f"Klien {region}")
    for key, entry in MATRIX.items():
        with_scope = bearer(client_token(app, [entry.scope]))
        others = [s for s in SCOPES if s != entry.scope]
        without = bearer(client_token(app, others))
        who = f"klien {region} {key}"
        own = _call(client, key, register, "A", **with_scope)
        assert own.status_code == 200, (who, own.status_code)
        _assert_no_b_data(own, register, who)
        other = _call(client, key, register, "B", **with_scope)
        assert other.status_code == 404, (who, other.status_code)
        _assert_no_b_data(other, register, who)
        for side in ("A", "B"):
            refused = _call(client, key, register, side, **without)
            assert refused.status_code == 403, (who, side, refused.status_code)
            assert refused.json()["code"] == "izin_kurang" and entry.scope in refused.json()["detail"]
            _assert_no_b_data(refused, register, who)


def test_client_numbers_are_masked_like_a_regency_reader(client, register_world):
    _, register = register_world
    token = bearer(client_token(make_client(VILLAGE_A1)))
    resident = register.a_resident
    body = client.get(f"/api/v1/penduduk/{resident.pk}", **token).json()
    assert body["name"] == "Ahmad Slamet"
    assert body["nik"] == resident.nik[:4] + "*" * 8 + resident.nik[12:]
    kk = register.a_family.kk_number
    family = client.get(f"/api/v1/keluarga/{register.a_family.pk}", **token).json()
    assert family["kk_number"] == kk[:4] + "*" * 8 + kk[12:]
    assert all("*" in m["nik"] for m in family["member_list"])
    assert resident.nik not in client.get("/api/v1/penduduk", **token).content.decode()


def test_refused_credentials_get_401_everywhere(client, register_world):
    world, register = register_world
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    expired_personal = api_token_create(actor=None, user=operator, name="lama", days=1)
    ApiToken.objects.filter(pk=expired_personal.token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    app = make_client(REGENCY)
    expired = client_token(app)
    ApiClientToken.objects.filter(prefix=expired.split("_")[1]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    revoked = client_token(app)
    api_client_token_revoke(actor=None, token=ApiClientToken.objects.get(prefix=revoked.split("_")[1]))
    inactive_app = make_client(REGENCY, name="Klien nonaktif")
    of_inactive = client_token(inactive_app)
    assert _call(client, ("GET", "/api/v1/penduduk"), register, "A", **bearer(of_inactive)).status_code == 200
    api_client_set_active(actor=None, client=inactive_app, active=False)
    wrong_secret = client_token(app)[:-3] + "xyz"
    cases = {
        "anonim": {},
        "token pribadi kedaluwarsa": bearer(expired_personal.plain),
        "token klien kedaluwarsa": bearer(expired),
        "token klien dicabut": bearer(revoked),
        "token klien nonaktif": bearer(of_inactive),
        "rahasia salah": bearer(wrong_secret),
        "bukan token": bearer("kmpk_\x00_x"),
    }
    for key in MATRIX:
        for label, auth in cases.items():
            for side in ("A", "B"):
                response = _call(client, key, register, side, **auth)
                assert response.status_code == 401, (label, key, side, response.status_code)
                assert response.json()["code"] == "belum_masuk"
                _assert_no_b_data(response, register, label)
