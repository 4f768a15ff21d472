"""The access matrix: every route of the URL configuration, every role, two villages.

Each app describes its routes in ``kampung/<app>/tests/access_spec.py``:

- ``seed(side)`` makes that app's objects for one side, through the app's own services and
  factories, and returns them by name. Side ``a`` is the home side (village A1 in district A),
  side ``b`` the foreign one (village B1 in district B), both in the test regency.
  Every free text it writes comes from ``side.text(...)``: it carries the side's token (so a
  leak of B's data is visible in any page, escaped or not) and a script payload (so a stored
  script that reaches a page unescaped is caught).
- ``ROUTES``: one :class:`Route` per URL name, saying how to fill its arguments from a side's
  objects and which roles may open it on their own side.

The test (``kampung/core/tests/test_access_matrix.py``) walks the URL configuration: a route
without a spec fails, a spec without a route fails. For each route:

1. *Foreign*: every role held in region A (village roles at village A1, district roles at
   district A, regency roles at a third regency) and an anonymous visitor open it with side
   B's objects: 404/403 (anonymous: the login page), and B's token never in the body.
2. *Own*: every role held over A opens it with A's objects: the route's readers get the
   route's ``ok`` status, every other role gets 403/404 (anonymous: the login page).
3. Every HTML body of both passes: no stored script came through unescaped.

POST-only routes (acts) are tried only where they must be refused (foreign users, and roles
not among the readers), and a refused act writes nothing to the audit trail.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_ROLES, Role

# Distinct tokens per side: B's must never appear in a page that A's users are refused or
# that lists A's own data. Letters only, so escaping leaves them intact.
TOKEN = {"a": "Qzaxa", "b": "Qzbxb"}
# The stored-XSS payload (in every free text of the seed). Escaped output is harmless; a page
# that carries either raw fragment would run it.
XSS_SCRIPT = "<script>kxss()</script>"
XSS_ATTR = '"><img src=x onerror=kxss()>'
XSS_RAW_FRAGMENTS = ("<script>kxss()", "<img src=x onerror=kxss()")

ALL_ROLES = frozenset(Role.values)
PUBLIC = "public"  # readers: anyone, signed in or not
SIGNED_IN = "signed_in"  # readers: anyone signed in (their own data, e.g. notifications)

SPEC_MODULES = [
    "kampung.accounts.tests.access_spec",
    "kampung.regions.tests.access_spec",
    "kampung.audit.tests.access_spec",
    "kampung.authority.tests.access_spec",
    "kampung.population.tests.access_spec",
    "kampung.documents.tests.access_spec",
    "kampung.letters.tests.access_spec",
    "kampung.notifications.tests.access_spec",
    "kampung.finance.tests.access_spec",
    "kampung.finance.tests.access_spec_exec",
    "kampung.assistance.tests.access_spec",
    "kampung.monitoring.tests.access_spec",
    "kampung.kiosk.tests.access_spec",
    "kampung.api.tests.access_spec",
    "kampung.core.tests.access_spec",
]
# The API's operations are covered by the API's own matrix, generated from its OpenAPI schema
# (kampung/api/tests/test_api_access_matrix.py), which fails on an operation it does not cover.
DELEGATED_NAMESPACES = {"api-v1": "kampung/api/tests/test_api_access_matrix.py"}


@dataclass
class Side:
    """One side's regions and objects (``side["payment"]``), and its free-text maker."""

    key: str  # "a" or "b"
    village: Any
    village2: Any  # a second village of the same district (side a: A2; side b: the kelurahan)
    district: Any
    regency: Any
    world: Any
    objects: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.objects.get(name, default)

    def __getitem__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise KeyError(
                f"side {self.key} has no seeded object {name!r} (seeded: {sorted(self.objects)})"
            ) from None

    @property
    def token(self) -> str:
        return TOKEN[self.key]

    def text(self, label: str, max_length: int | None = None, *, script: bool = True) -> str:
        """Free text for a seeded field: the label, the side's token and the XSS payload,
        cut to ``max_length`` (the token always survives the cut)."""
        value = f"{label} {self.token}"
        if script:
            value += f" {XSS_SCRIPT}{XSS_ATTR}"
        if max_length is not None:
            value = value[:max_length]
        return value

    def user(self, role: str) -> Any:
        """The world's user of this side holding ``role`` (village, district or regency level)."""
        from kampung.accounts.roles import ROLE_LEVEL
        from kampung.regions.models import Level

        level = ROLE_LEVEL[role]
        code = {Level.VILLAGE: self.village.code, Level.DISTRICT: self.district.code}.get(
            level, self.regency.code
        )
        return self.world.user(role, code)


Kwargs = Callable[[Side], dict[str, Any]]


def no_kwargs(side: Side) -> dict[str, Any]:
    return {}


def village_code(side: Side) -> dict[str, Any]:
    return {"code": side.village.code}


def district_code(side: Side) -> dict[str, Any]:
    return {"code": side.district.code}


def obj(name: str, kwarg: str = "pk", attr: str = "pk") -> Kwargs:
    """``{kwarg: side[name].<attr>}``, e.g. ``obj("payment")`` → ``{"pk": payment.pk}``."""

    def build(side: Side) -> dict[str, Any]:
        return {kwarg: getattr(side[name], attr)}

    return build


def code_and(name: str, kwarg: str = "pk", attr: str = "pk") -> Kwargs:
    """The village code plus one object: ``{"code": …, kwarg: side[name].<attr>}``."""

    def build(side: Side) -> dict[str, Any]:
        return {"code": side.village.code, kwarg: getattr(side[name], attr)}

    return build


@dataclass(frozen=True)
class Route:
    """How the matrix tries one named route.

    ``readers``: the roles that may open it on their own side's objects (a set of role
    values), or ``PUBLIC`` / ``SIGNED_IN``. ``ok``: the statuses a reader gets (a download
    or a page that redirects on GET may say 302). ``method``: ``"POST"`` for act-only routes
    (only refusals are tried). ``query``: a query string to add (e.g. ``"?unduh=xlsx"``).
    ``foreign=False`` only for routes with no side-specific object whose output is the
    caller's own (say why in ``note``). ``denied``: the statuses a non-reader gets (default
    403/404; widen only with a ``note``)."""

    name: str
    kwargs: Kwargs = no_kwargs
    readers: frozenset[str] | str = frozenset()
    ok: tuple[int, ...] = (200,)
    method: str = "GET"
    query: str | Callable[[Side], str] = ""
    foreign: bool = True
    denied: tuple[int, ...] = (403, 404)
    note: str = ""

    def query_for(self, side: Side) -> str:
        return self.query(side) if callable(self.query) else self.query


def roles(*values: Iterable[str] | str) -> frozenset[str]:
    out: set[str] = set()
    for v in values:
        out.update([v] if isinstance(v, str) else v)
    return frozenset(out)


VILLAGE = frozenset(VILLAGE_ROLES)
DISTRICT = frozenset(DISTRICT_ROLES)
REGENCY = frozenset(REGENCY_ROLES)


def url_names() -> dict[str, str]:
    """Every named route of the URL configuration → its pattern (``ns:name`` → ``/path/``);
    an unnamed route is keyed by its pattern."""
    out: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, ns: str | None) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{ns}:{entry.namespace}" if ns and entry.namespace else (entry.namespace or ns)
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                key = f"{ns}:{entry.name}" if ns and entry.name else (entry.name or f"path:{pattern}")
                yield key, pattern

    for key, pattern in walk(get_resolver().url_patterns, "/", None):
        out.setdefault(key, pattern)
    return out


@dataclass
class Spec:
    module: str
    seed: Callable[[Side], dict[str, Any]] | None
    routes: list[Route]
    taint_skip: dict[str, str]  # "app.Model.field" → why the generic taint leaves it alone


def spec_modules() -> list[str]:
    """All spec modules; while one app's spec is being written, ``KAMPUNG_MATRIX_ONLY`` (comma
    list of module names) loads only those (the full-coverage test then fails, as it should)."""
    only = [m.strip() for m in os.environ.get("KAMPUNG_MATRIX_ONLY", "").split(",") if m.strip()]
    return [m for m in SPEC_MODULES if m in only] if only else list(SPEC_MODULES)


def load_specs() -> list[Spec]:
    specs = []
    for name in spec_modules():
        module = importlib.import_module(name)
        specs.append(
            Spec(
                module=name,
                seed=getattr(module, "seed", None),
                routes=list(module.ROUTES),
                taint_skip=dict(getattr(module, "TAINT_SKIP", {})),
            )
        )
    return specs


def all_routes(specs: list[Spec]) -> dict[str, Route]:
    out: dict[str, Route] = {}
    for spec in specs:
        for route in spec.routes:
            if route.name in out:
                raise AssertionError(f"{route.name} is described twice (second time in {spec.module})")
            out[route.name] = route
    return out
