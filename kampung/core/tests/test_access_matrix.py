"""The access matrix (see ``kampung/core/tests/matrix.py``): every route × every role,
village A's users against village B's objects, and stored scripts never reaching a page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Concat, Length
from django.test import Client, override_settings
from django.urls import reverse

from kampung.accounts.roles import ROLE_LEVEL, Role
from kampung.audit.models import AuditEntry
from kampung.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    KELURAHAN_B,
    OTHER_REGENCY,
    OTHER_VILLAGE,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    World,
    _make_user,
    ensure_regions,
)
from kampung.core.tests.matrix import (
    DELEGATED_NAMESPACES,
    PUBLIC,
    SIGNED_IN,
    TOKEN,
    XSS_ATTR,
    XSS_RAW_FRAGMENTS,
    XSS_SCRIPT,
    Route,
    Side,
    all_routes,
    load_specs,
    url_names,
)
from kampung.finance.tests.exec_factories import ensure_reference
from kampung.letters.loader import catalogue_ensure
from kampung.regions.models import Level, Region

LOGIN_PATHS = ("/akun/masuk/", "/warga/masuk/")
# The regency roles of the foreign pass sit in a third regency (Lumajang): side B's
# regency-level objects live in OTHER_REGENCY (Jember), whose own officials may see them.
THIRD_REGENCY = "35.08"
THIRD_VILLAGE = "35.08.01.2001"

# Free-text fields the generic taint leaves alone, each with its reason. Everything else that
# is free text (CharField of 60+ characters or TextField, no choices, not unique) in every
# Kampung model gets the script payload appended before the pages are opened.
TAINT_SKIP_APPS = {
    "audit": "entries are append-only and hash-chained; their text is copied from tainted objects",
}
# Per-field exceptions live in each app's spec (``TAINT_SKIP``), each with its reason.
TAINT_SKIP_FIELDS: dict[str, str] = {}
TAINT_SKIP_NAMES = ("code", "number", "nik", "hash", "prefix", "token", "key", "path", "username", "password")


def _taintable(model: type[models.Model], f: models.Field) -> bool:
    if not isinstance(f, models.CharField | models.TextField) or f.choices or f.unique or f.primary_key:
        return False
    if isinstance(f, models.EmailField | models.URLField | models.SlugField | models.GenericIPAddressField):
        return False
    if f"{model._meta.label}.{f.name}" in TAINT_SKIP_FIELDS:
        return False
    if any(part in f.name for part in TAINT_SKIP_NAMES):
        return False
    return isinstance(f, models.TextField) or (f.max_length or 0) >= 60


def taint_free_text() -> list[str]:
    """Append the script payload to every free-text value of every Kampung model (where it
    fits); returns the ``model.field`` names tainted."""
    payload = f" {XSS_SCRIPT}{XSS_ATTR}"
    tainted = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.app_config.name.startswith("kampung.") or meta.proxy or not meta.managed:
            continue
        if meta.app_label in TAINT_SKIP_APPS:
            continue
        for f in meta.concrete_fields:
            if not _taintable(model, f):
                continue
            # The plain queryset: append-only models refuse updates through their own manager.
            qs = models.QuerySet(model=model).exclude(**{f.name: ""}).exclude(**{f"{f.name}__isnull": True})
            if not isinstance(f, models.TextField):
                qs = qs.annotate(_len=Length(f.name)).filter(_len__lte=f.max_length - len(payload))
            if qs.update(**{f.name: Concat(f.name, models.Value(payload), output_field=f)}):
                tainted.append(f"{meta.label}.{f.name}")
    return tainted


@dataclass
class Env:
    world: World
    a: Side
    b: Side
    foreign_users: dict[str, Any]  # role → a user holding it "on side A" (regency roles: a third regency)
    home_users: dict[str, Any]  # role → a user holding it over side A's village
    tainted: list[str]


@pytest.fixture(autouse=True)
def _keys_outside_var() -> None:
    """Overrides kampung/conftest.py's per-test KEYS_DIR: the routes must see the signing keys
    the seeds made (the env keeps KEYS_DIR in its own temporary folder, never var/keys)."""


def _region(code: str) -> Region:
    return Region.objects.select_related("parent").get(code=code)


@pytest.fixture(scope="module")
def env(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Env]:
    """The world, both sides' objects from every app's seed, tainted; built once per module
    (per test worker) inside a transaction that is rolled back at the end."""
    from kampung.regions.services import regions_load

    keys = tmp_path_factory.mktemp("matrix-keys")
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(KEYS_DIR=keys, MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_regions()
            # Reference rows the migrations load (a transactional test that ran earlier in this
            # worker empties every table): the chart of accounts and the letter catalogue.
            ensure_reference()
            catalogue_ensure()
            regions_load(prefix=OTHER_VILLAGE)
            regions_load(prefix=THIRD_VILLAGE)
            world = World()
            for village in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):
                for role in sorted(r for r, level in ROLE_LEVEL.items() if level == Level.VILLAGE):
                    world.users[(role, village)] = _make_user(role, village)
            world.users[(Role.HEAD, KELURAHAN_B)] = _make_user(Role.HEAD, KELURAHAN_B)
            for district in (DISTRICT_A, DISTRICT_B):
                for role in (Role.CAMAT, Role.DISTRICT_OFFICER):
                    world.users[(role, district)] = _make_user(role, district)
            for role in (Role.DPMD, Role.ADMIN, Role.BUPATI):
                world.users[(role, REGENCY)] = _make_user(role, REGENCY)
                world.users[(role, OTHER_REGENCY)] = _make_user(role, OTHER_REGENCY)
                world.users[(role, THIRD_REGENCY)] = _make_user(role, THIRD_REGENCY)
            foreign_regency = _region(OTHER_REGENCY)
            a = Side(
                "a", _region(VILLAGE_A1), _region(VILLAGE_A2), _region(DISTRICT_A), _region(REGENCY), world
            )
            b = Side(
                "b", _region(VILLAGE_B1), _region(KELURAHAN_B), _region(DISTRICT_B), _region(REGENCY), world
            )
            a.objects["foreign_regency"] = b.objects["foreign_regency"] = foreign_regency
            for spec in load_specs():
                if spec.seed is None:
                    continue
                for side in (a, b):
                    made = spec.seed(side) or {}
                    clash = set(made) & set(side.objects)
                    assert not clash, f"{spec.module} seeds {sorted(clash)} already seeded by another app"
                    side.objects.update(made)
            tainted = taint_free_text()
            # A seed may provide the side's resident as a real portal account (a User linked to
            # a ResidentAccount): it then stands for the RESIDENT role on that side.
            for side in (a, b):
                if side.get("resident_user") is not None:
                    world.users[(Role.RESIDENT, side.village.code)] = side["resident_user"]
            home = {role: a.user(role) for role in Role.values}
            foreign = {
                role: (world.user(role, THIRD_REGENCY) if ROLE_LEVEL[role] == Level.REGENCY else a.user(role))
                for role in Role.values
            }
            with override_settings(KEYS_DIR=keys, MEDIA_ROOT=media):
                yield Env(world, a, b, foreign, home, tainted)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


SPECS = load_specs()
ROUTES = all_routes(SPECS)
for _spec in SPECS:
    TAINT_SKIP_FIELDS.update(_spec.taint_skip)
URLS = url_names()
CHECKED = sorted(name for name in URLS if name.split(":")[0] not in DELEGATED_NAMESPACES)


def test_every_route_is_in_the_matrix() -> None:
    missing = [f"{name}  ({URLS[name]})" for name in CHECKED if name not in ROUTES]
    stale = sorted(set(ROUTES) - set(URLS))
    assert not missing, "routes without an access spec:\n" + "\n".join(missing)
    assert not stale, f"specs for routes that no longer exist: {stale}"


def test_the_seed_is_tainted(env: Env) -> None:
    """The stored-script check is only as good as the text it planted."""
    assert len(env.tainted) >= 20, env.tainted


def _url(route: Route, side: Side) -> str:
    kwargs = route.kwargs(side)
    if route.name.startswith("path:"):  # an unnamed route: fill its pattern
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route.name[len("path:") :])
        return path + route.query_for(side)
    return reverse(route.name, kwargs=kwargs) + route.query_for(side)


def _request(client: Client, route: Route, url: str) -> Any:
    if route.method == "POST":
        return client.post(url, {})
    return client.get(url)


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return ""
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/json")):
        return ""
    return response.content.decode("utf-8", errors="replace")


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].split("?")[0].endswith(LOGIN_PATHS)


def _no_raw_script(label: str, response: Any) -> None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    body = _body(response)
    for fragment in XSS_RAW_FRAGMENTS:
        assert fragment not in body, f"{label}: a stored script reaches the page unescaped ({fragment!r})"


def _login(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _denied(route: Route, response: Any, anonymous: bool) -> bool:
    return response.status_code in route.denied or (anonymous and _is_login_redirect(response))


@pytest.mark.parametrize("name", CHECKED)
def test_route(name: str, env: Env, db: Any) -> None:
    route = ROUTES.get(name)
    if route is None:
        pytest.fail(f"{name} has no access spec (see test_every_route_is_in_the_matrix)")
    problems: list[str] = []
    url_a = _url(route, env.a)
    url_b = _url(route, env.b)
    side_specific = url_a != url_b
    audit_before = AuditEntry.objects.count()

    # 1. Foreign: A's users (and the regency roles of another regency) against B's objects.
    if route.readers != PUBLIC and route.foreign:
        for role, user in [*env.foreign_users.items(), ("anonim", None)]:
            response = _request(_login(user), route, url_b)
            label = f"{role} → {route.method} {url_b}"
            if response.status_code >= 500:
                problems.append(f"{label}: {response.status_code}")
            if side_specific and not _denied(route, response, user is None):
                problems.append(f"{label}: {response.status_code}, expected {route.denied}")
            if TOKEN["b"] in _body(response):
                problems.append(f"{label}: shows side B's data")
            _no_raw_script(label, response)

    # 2. Own: every role over A's village against A's objects.
    for role, user in [*env.home_users.items(), ("anonim", None)]:
        if route.readers == PUBLIC:
            allowed = True
        elif route.readers == SIGNED_IN:
            allowed = user is not None
        else:
            allowed = user is not None and role in route.readers
        if allowed and route.method == "POST":
            continue  # an allowed act is the app's own tests' business, not a refusal to prove
        response = _request(_login(user), route, url_a)
        label = f"{role} → {route.method} {url_a}"
        if response.status_code >= 500:
            problems.append(f"{label}: {response.status_code}")
        elif allowed and response.status_code not in route.ok:
            problems.append(f"{label}: {response.status_code}, expected {route.ok} (a reader)")
        elif not allowed and not _denied(route, response, user is None):
            problems.append(f"{label}: {response.status_code}, expected {route.denied} (not a reader)")
        if (
            route.readers != PUBLIC
            and user is not None
            and ROLE_LEVEL[role] != Level.REGENCY
            and TOKEN["b"] in _body(response)
        ):
            problems.append(f"{label}: shows side B's data")
        _no_raw_script(label, response)

    if route.method == "POST" and AuditEntry.objects.count() != audit_before:
        acts = list(AuditEntry.objects.order_by("-pk").values_list("act", flat=True)[:5])
        problems.append(f"a refused act was written to the audit trail: {acts}")
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_delegated_namespaces_exist() -> None:
    namespaces = {name.split(":")[0] for name in URLS}
    for ns in DELEGATED_NAMESPACES:
        assert ns in namespaces, f"{ns} is delegated but has no routes"
