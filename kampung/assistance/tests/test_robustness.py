"""Robustness of the assistance pages: no input gives a 500, a refused POST writes nothing,
every internal link on the pages answers, and nothing is shown outside its village.

The routes are read from the URL resolver (namespaces ``assistance`` and
``assistance_portal``), so a new page is covered without touching this file; the forms a
POST is tried with are read from the pages themselves. One scene of cases at every stage is
built per test with the shared builders and services.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.apps import apps
from django.contrib import messages as django_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from kampung.accounts.roles import Role
from kampung.assistance.models import (
    Case,
    CasePhoto,
    CaseStatus,
    Criterion,
    Decision,
    PhotoKind,
    Programme,
)
from kampung.assistance.tests.factories import YEAR, household, make_case, programmes, rtlh_budget
from kampung.assistance.tests.test_cases_helpers import registered_case, surveyed_case, upload
from kampung.assistance.tests.test_decisions_support import decided, jpeg, prioritised, signing_ready
from kampung.conftest import DISTRICT_A, DISTRICT_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

pytestmark = pytest.mark.django_db

NAMESPACES = ("assistance", "assistance_portal")
NOW = dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC)

# -- junk ------------------------------------------------------------------------------------

JUNK_QUERIES = (
    "?page=abc",
    "?page=-1",
    "?page=99999999999999999999",
    "?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "?format=xlsx",
    "?format=zzz",
    "?stage=zzz&tahap=zzz",
    "?kecamatan=99.99",
    "?kecamatan=35.10.15&tahun=abc",
    "?keluarga=-1&q=%00",
    "?kecamatan=%00&q=a%00b",  # PostgreSQL refuses NUL in a query parameter
    "?keluarga=%C2%B2&tahun=%C2%B2&page=%C2%B2",  # "²": str.isdigit() says yes, int() says no
)
# Every editable field of a form at once.
JUNK_ALL = (
    "abc",
    "-1",
    "NaN",
    "-1e999",
    "9" * 40,
    "x" * 100_000,
    "<script>alert(1)</script>",
    "2026-02-30",
    "zzz",
    "\x00",
    "0,5",
    "²",
)
# One field at a time, the others left as the page filled them in (so the junk reaches the
# parsing and the service behind it).
JUNK_ONE = ("-1", "NaN", "9" * 25, "x" * 5000, "zzz", "1900-01-01", "²")


def _junk_files() -> list[SimpleUploadedFile]:
    """Files a phone or a careless click may send: none is a usable photo or spreadsheet."""
    return [
        SimpleUploadedFile("foto.jpg", b"not an image at all", content_type="image/jpeg"),
        SimpleUploadedFile("foto.jpg", b"%PDF-1.4\n% a pdf named jpg\n", content_type="image/jpeg"),
        SimpleUploadedFile("rusak.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, content_type="image/jpeg"),
        SimpleUploadedFile("rusak.png", b"\x89PNG\r\n\x1a\n" + b"junk" * 8, content_type="image/png"),
        SimpleUploadedFile("kosong.jpg", b"", content_type="image/jpeg"),
        SimpleUploadedFile("data.xlsx", b"PK\x03\x04 not really a zip", content_type="application/zip"),
        SimpleUploadedFile("skrip.html", b"<script>alert(1)</script>", content_type="text/html"),
        SimpleUploadedFile("gambar.gif", b"GIF89a" + b"\x00" * 32, content_type="image/gif"),
        SimpleUploadedFile("riwayat.xlsx", _junk_workbook(), content_type="application/octet-stream"),
    ]


def _junk_workbook() -> bytes:
    """The earlier-aid import template with rows of junk under its header."""
    from openpyxl import load_workbook

    from kampung.assistance.services.programmes import aid_history_template

    wb = load_workbook(io.BytesIO(aid_history_template()))
    ws: Any = wb.worksheets[0]
    for row in (
        ["²", "²", "<script>", "²", "x" * 5000, "NaN"],
        [3510010101010001, -1, None, -2026, None, None],
        ["3510" * 10, "abc", "Nama", 1e308, "BSPS", "NaN"],
        [None, None, None, dt.date(2016, 2, 29), "", ""],
    ):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- the routes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    namespace: str
    name: str
    route: str  # the pattern under the namespace's prefix, e.g. "kasus/<int:pk>/survei/"
    params: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.namespace}:{self.name}"


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from _walk(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item


def all_routes() -> list[Route]:
    """Every named route of the two namespaces, read from the resolver."""
    routes = []
    for namespace in NAMESPACES:
        _prefix, resolver = get_resolver().namespace_dict[namespace]
        for route, pattern in _walk(resolver.url_patterns):
            assert pattern.name, f"{namespace}: unnamed route {route}"
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
            routes.append(Route(namespace, pattern.name, route, params))
    assert len(routes) > 30
    return routes


# -- the scene -------------------------------------------------------------------------------


@dataclass
class Scene:
    rtlh: Programme
    blt: Programme
    cases: dict[str, Case]  # by stage label, all of VILLAGE_A1
    decisions: dict[str, Decision]
    photos: dict[str, CasePhoto]
    criterion: Criterion
    resident: Any  # the portal user of the "eligible" case's household
    other_cases: list[Case] = field(default_factory=list)  # the neighbour's, A2's and B1's

    def objects_for(self, route: Route) -> list[Any]:
        """The objects a ``pk`` of ``route`` may point at (several stages each)."""
        if route.namespace == "assistance_portal":
            return [self.cases["eligible"]]
        head = route.route.split("/", 1)[0]
        if head == "kasus":
            return list(self.cases.values())
        if head == "keputusan":
            return list(self.decisions.values())
        if head == "foto":
            return list(self.photos.values())
        if head == "program":
            return [self.criterion]
        raise AssertionError(f"{route.full_name}: teach objects_for() what its pk names ({route.route})")


def _pay_blt_month(world: Any, blt: Programme) -> None:
    from kampung.assistance.services.blt import blt_month_request
    from kampung.assistance.tests.test_blt_services import pay_spp
    from kampung.regions.models import Region

    spp = blt_month_request(
        actor=world.user(Role.SECRETARY, VILLAGE_A1),
        programme=blt,
        village=Region.objects.get(code=VILLAGE_A1),
        year=YEAR,
        month=1,
        date=dt.date(YEAR, 1, 20),
    )
    pay_spp(world, spp)


def _resident_user(world: Any, resident: Any) -> Any:
    from kampung.population.portal import account_activate

    account, _ = account_activate(actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=resident)
    account.user.must_change_password = False
    account.user.save()
    return account.user


def build_scene(world: Any) -> Scene:
    """Cases of VILLAGE_A1 at every stage (RTLH and BLT), with their decisions and photos,
    a resident with a portal account, and a case in each other village."""
    from kampung.assistance.services.decisions import decision_draft
    from kampung.assistance.services.progress import handover_record, progress_report
    from kampung.regions.models import Region

    rtlh, blt = programmes()
    rtlh_budget(VILLAGE_A1)
    officer = world.user(Role.FIELD_OFFICER, VILLAGE_A1)
    executor = world.user(Role.EXECUTOR, VILLAGE_A1)
    cases: dict[str, Case] = {}

    registered = registered_case(world, VILLAGE_A1)
    from kampung.assistance.photos import photo_add

    survey_photo = photo_add(actor=officer, case=registered, kind=PhotoKind.ROOF, upload=upload())
    cases["registered"] = registered
    cases["eligible"] = surveyed_case(world, VILLAGE_A1)
    cases["refused"] = surveyed_case(world, VILLAGE_A1, answers=_refused_answers())
    first, second = prioritised(world, rtlh, VILLAGE_A1, 2)
    cases["prioritised"] = second
    cases["decided"] = decided(world, rtlh, VILLAGE_A1)
    building = _case(world, rtlh, CaseStatus.PAID)
    for percent, day in ((0, 5), (50, 10), (100, 12)):
        progress_report(
            actor=executor,
            case=building,
            percent=percent,
            reported_on=dt.date(YEAR, 6, day),
            photos=[jpeg()],
        )
    building.refresh_from_db()
    cases["building"] = building
    done = _case(world, rtlh, CaseStatus.PAID)
    for percent in (0, 50, 100):
        progress_report(
            actor=executor, case=done, percent=percent, reported_on=dt.date(YEAR, 6, 1), photos=[jpeg()]
        )
    handover_record(
        actor=world.user(Role.SECRETARY, VILLAGE_A1),
        case=done,
        number="01/BAST/2026",
        held_on=dt.date(YEAR, 6, 14),
        place="Rumah penerima",
        handed_by="Ketua TPK",
        received_by=done.name,
    )
    done.refresh_from_db()
    cases["done"] = done
    draft = decision_draft(
        actor=world.user(Role.SECRETARY, VILLAGE_A1),
        programme=rtlh,
        year=YEAR,
        village=Region.objects.get(code=VILLAGE_A1),
        case_ids=[first.pk],
    )
    first.refresh_from_db()
    cases["proposed"] = first
    family, head = household(world, VILLAGE_A1, name="Penerima BLT Uji")
    cases["blt"] = make_case(blt, family, head, status=CaseStatus.DECIDED, amount=3_600_000)
    _pay_blt_month(world, blt)

    resident = _resident_user(world, cases["eligible"].beneficiary)
    others = [make_case(rtlh, *household(world, VILLAGE_A1))]  # the neighbour's
    for village in (VILLAGE_A2, VILLAGE_B1):
        others.append(make_case(rtlh, *household(world, village)))
    progress_photo = CasePhoto.objects.filter(case=building, kind=PhotoKind.PROGRESS).first()
    assert progress_photo is not None
    issued = cases["decided"].decision
    assert issued is not None
    for case in cases.values():
        case.refresh_from_db()
    return Scene(
        rtlh=rtlh,
        blt=blt,
        cases=cases,
        decisions={"draft": draft, "issued": issued},
        photos={"survey": survey_photo, "progress": progress_photo},
        criterion=Criterion.objects.filter(programme=rtlh).order_by("pk").first(),  # type: ignore[arg-type]
        resident=resident,
        other_cases=others,
    )


def _refused_answers() -> dict[str, Any]:
    from kampung.assistance.tests.factories import rtlh_answers

    return rtlh_answers(status_tanah="numpang")


def _case(world: Any, programme: Programme, status: str) -> Case:
    family, head = household(world, VILLAGE_A1, members=2)
    case = make_case(programme, family, head, status=status, amount=17_500_000)
    Case.objects.filter(pk=case.pk).update(paid_on=dt.date(YEAR, 5, 30))
    case.refresh_from_db()
    return case


@pytest.fixture
def scene(world: Any, settings: Any, tmp_path: Any) -> Iterator[Scene]:
    signing_ready(settings, tmp_path)
    with time_machine.travel(NOW, tick=False):
        yield build_scene(world)


# -- kwargs and users ------------------------------------------------------------------------


def kwargs_variants(route: Route, scene: Scene) -> list[dict[str, Any]]:
    """The URL arguments ``route`` is tried with: the scene's objects (each stage), both
    programmes, VILLAGE_A1, the year of the scene."""
    variants: list[dict[str, Any]] = [{}]
    for param in route.params:
        values: list[Any]
        if param == "pk":
            values = [obj.pk for obj in scene.objects_for(route)]
        elif param == "code":
            values = [VILLAGE_A1]
        elif param == "programme":
            values = ["blt"] if "bulanan" in route.route else ["rtlh", "blt"]
        elif param == "year":
            values = [YEAR]
        elif param == "month":
            values = [1, 2]
        else:
            raise AssertionError(f"{route.full_name}: teach kwargs_variants() the parameter {param!r}")
        variants = [{**v, param: value} for v in variants for value in values]
    return variants


def junk_kwargs(route: Route) -> list[dict[str, Any]]:
    """URL arguments no page has: past the database's integers, unknown codes, months, years."""
    bad = {"pk": [0, 2**63, 10**20], "code": ["99.99", "35.10.01.9999", "\x00", VILLAGE_A1 + "\x00"]}
    bad["programme"] = ["zzz"]
    bad |= {"year": [0, 99999, 10**20], "month": [0, 13, 10**20]}
    good = {"pk": 1, "code": VILLAGE_A1, "programme": "rtlh", "year": YEAR, "month": 1}
    out = []
    for param in route.params:
        for value in bad[param]:
            out.append({p: (value if p == param else good[p]) for p in route.params})
    return out


def users_for(route: Route, world: Any, scene: Scene) -> list[Any]:
    """Who may use ``route``: the resident for the portal, DPMD and the admin for programme
    settings, DPMD and the camat for the overview, the village's staff for the rest (the roles
    that between them may take every step: the others' rights are subsets)."""
    if route.namespace == "assistance_portal":
        return [scene.resident]
    head = route.route.split("/", 1)[0]
    if head in ("program", "riwayat-bantuan"):
        return [world.user(Role.DPMD, REGENCY), world.user(Role.ADMIN, REGENCY)]
    if head == "ringkasan":
        return [world.user(Role.DPMD, REGENCY), world.user(Role.CAMAT, DISTRICT_A)]
    staff = [
        world.user(r, VILLAGE_A1) for r in (Role.SECRETARY, Role.FIELD_OFFICER, Role.HEAD, Role.TREASURER)
    ]
    if head == "":
        return [*staff[:1], world.user(Role.DPMD, REGENCY), world.user(Role.CAMAT, DISTRICT_A)]
    return staff


# -- forms on the pages ----------------------------------------------------------------------


@dataclass
class FormSpec:
    action: str  # absolute path
    defaults: dict[str, list[str]] = field(default_factory=dict)
    fixed: dict[str, list[str]] = field(default_factory=dict)  # hidden inputs and named buttons
    editable: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def key(self) -> tuple[Any, ...]:
        return (
            self.action,
            tuple(sorted(self.editable)),
            tuple(sorted(self.files)),
            repr(sorted(self.fixed.items())),
        )


class _PageParser(HTMLParser):
    """POST forms (with their fields and the values the page filled in) and links of a page."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[FormSpec] = []
        self.links: list[str] = []
        self._form: FormSpec | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "img" and a.get("src"):
            self.links.append(a["src"])
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = FormSpec(action=urljoin(self.page_path, a.get("action") or self.page_path))
            else:
                self._form = None
            return
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text").lower()
            if kind == "file":
                form.files.append(name)
            elif kind in ("hidden", "submit"):
                form.fixed.setdefault(name, []).append(a.get("value", ""))
                form.defaults.setdefault(name, []).append(a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                if name not in form.editable:
                    form.editable.append(name)
                value = a.get("value", "on")
                if kind == "radio" and ("checked" in a or name not in form.defaults):
                    form.defaults[name] = [value]
                elif kind == "checkbox" and "checked" in a:
                    form.defaults.setdefault(name, []).append(value)
            else:
                form.editable.append(name)
                form.defaults[name] = [a.get("value", "")]
        elif tag == "button" and name:
            form.fixed.setdefault(name, []).append(a.get("value", ""))
            form.defaults.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            form.editable.append(name)
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None and value:
                self._select_first = value
            if "selected" in a:
                form.defaults[self._select] = [value]
                self._select_chosen = True
        elif tag == "textarea" and name:
            form.editable.append(name)
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "form" and form is not None:
            self.forms.append(form)
            self._form = None
        elif tag == "select" and form is not None and self._select:
            if not self._select_chosen and self._select_first is not None:
                form.defaults[self._select] = [self._select_first]
            self._select = None
        elif tag == "textarea" and form is not None and self._textarea:
            form.defaults[self._textarea] = ["".join(self._text)]
            self._textarea = None


def parse_page(path: str, html: str) -> _PageParser:
    parser = _PageParser(path)
    parser.feed(html)
    return parser


def junk_bodies(
    form: FormSpec, *, thorough: bool, coarse: bool = True
) -> Iterator[tuple[str, dict[str, Any]]]:
    """POST bodies for ``form``: nothing; (``coarse``) every field junk at once; (``thorough``)
    one field junk at a time and the page's values with a junk file; an unknown action."""
    yield "empty", {}
    names = [n for n in form.editable if n not in form.fixed]
    for value in JUNK_ALL if coarse else JUNK_ALL[:1] + JUNK_ALL[-1:]:
        body: dict[str, Any] = {**form.fixed, **dict.fromkeys(names, value)}
        yield f"all={value[:12]!r}", body
    yield "lists", {**form.fixed, **{n: ["1", "abc", "-5"] for n in names}}
    if "action" in form.fixed:
        yield "action=zzz", {**form.defaults, "action": "zzz"}
    if not thorough:
        return
    for name in names:
        for value in JUNK_ONE:
            yield f"{name}={value[:12]!r}", {**form.defaults, name: value}
    for name in form.files:
        for junk in _junk_files():
            junk.seek(0)
            yield f"{name}<-{junk.name}", {**form.defaults, name: junk}
    for name in form.files:
        yield f"{name}<-huge", {**form.defaults, name: _huge_jpeg()}


def _huge_jpeg() -> SimpleUploadedFile:
    """A JPEG header followed by more than 10 MB."""
    return SimpleUploadedFile("besar.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024 + 16))


# -- counting rows ---------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Rows in every assistance table, finance's SPP and the documents register (one query)."""
    from django.db import connection

    from kampung.documents.models import Document
    from kampung.finance.models import Spp

    models = [*apps.get_app_config("assistance").get_models(), Spp, Document]
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {m._meta.label: int(n) for m, n in zip(models, row, strict=True)}


def accepted(response: Any) -> bool:
    """The page said it did something (a success or warning message) and moved on."""
    if response.status_code >= 400:
        return False
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return any(m.level in (django_messages.SUCCESS, django_messages.WARNING) for m in queued)


def _failure(method: str, path: str, who: Any, what: str, response: Any) -> str:
    detail = ""
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        detail = "".join(traceback.format_exception(*exc_info)[-3:]).strip().replace("\n", " | ")[-600:]
    return f"{method} {path} as {who.username} [{what}] -> {response.status_code} {detail}"


def client_for(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# -- 1. junk ---------------------------------------------------------------------------------


class Failures:
    """Problems found, one line per route and kind of error (the first example kept)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, ...], tuple[int, str]] = {}

    def add(self, key: tuple[str, ...], text: str) -> None:
        count, first = self.seen.get(key, (0, text))
        self.seen[key] = (count + 1, first)

    def server_error(self, route: Route, method: str, path: str, who: Any, what: str, response: Any) -> None:
        text = _failure(method, path, who, what, response)
        self.add((route.full_name, method, "500", text.rsplit("|", 1)[-1]), text)

    def report(self) -> str:
        lines = [f"{count}x {text}" for count, text in self.seen.values()]
        return f"{len(lines)} distinct failures:\n" + "\n".join(lines)


def test_junk_never_gives_a_server_error_and_a_refusal_writes_nothing(world: Any, scene: Scene) -> None:
    failures = Failures()
    forms_by_action: dict[str, dict[tuple[Any, ...], FormSpec]] = {}
    plan: list[tuple[Route, str, list[Any]]] = []
    clients: dict[int, Client] = {}
    get_status: dict[tuple[str, int], int] = {}

    def client(user: Any) -> Client:
        if user.pk not in clients:
            clients[user.pk] = client_for(user)
        return clients[user.pk]

    # GET every page as each of its users (the first one also with junk query strings, on a
    # few of the route's objects, and with junk URL arguments); keep the POST forms shown.
    for route in all_routes():
        users = users_for(route, world, scene)
        for variant, kwargs in enumerate(kwargs_variants(route, scene)):
            path = reverse(route.full_name, kwargs=kwargs)
            plan.append((route, path, users))
            for n, user in enumerate(users):
                c = client(user)
                response = c.get(path)
                get_status[(path, user.pk)] = response.status_code
                if response.status_code >= 500:
                    failures.server_error(route, "GET", path, user, "plain", response)
                    continue
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    for form in parse_page(path, response.content.decode()).forms:
                        forms_by_action.setdefault(urlsplit(form.action).path, {}).setdefault(
                            form.key(), form
                        )
                if n == 0 and variant < 3:
                    for query in JUNK_QUERIES:
                        junk = c.get(path + query)
                        if junk.status_code >= 500:
                            failures.server_error(route, "GET", path + query, user, "query", junk)
        for kwargs in junk_kwargs(route):
            path = reverse(route.full_name, kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(client(users[0]), method)(path)
                if response.status_code >= 500:
                    failures.server_error(route, method.upper(), path, users[0], "url", response)

    # POST junk to every route with the fields of the forms that post to it, as each user who
    # may use it: every variant once per route and form, the coarse ones everywhere else.
    thorough_done: set[tuple[Any, ...]] = set()
    for route, path, users in plan:
        forms = list(forms_by_action.get(path, {}).values()) or [FormSpec(action=path)]
        for n, user in enumerate(users):
            c = client(user)
            if get_status[(path, user.pk)] == 404 and c.post(path).status_code == 404:
                continue  # not this user's page
            for form in forms:
                shape = (route.full_name, *form.key()[1:])
                thorough = shape not in thorough_done
                thorough_done.add(shape)
                for label, body in junk_bodies(form, thorough=thorough, coarse=n == 0 or thorough):
                    before = row_counts()
                    response = c.post(path, body)
                    if response.status_code >= 500:
                        failures.server_error(route, "POST", path, user, label, response)
                        continue
                    if accepted(response):
                        continue
                    after = row_counts()
                    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                    if changed:
                        failures.add(
                            (route.full_name, "POST", "rows", repr(sorted(changed))),
                            f"POST {path} as {user.username} [{label}] refused "
                            f"({response.status_code}) but wrote rows: {changed}",
                        )
    assert not failures.seen, failures.report()


# -- 2. links --------------------------------------------------------------------------------

SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:", "whatsapp:")


def internal_links(page: str, html: str) -> list[str]:
    """Paths (with query) of the page's links that stay on this site: not a bare anchor, not
    mailto, not another host, not the static files, not logging out."""
    from django.conf import settings

    out = []
    for href in parse_page(page, html).links:
        href = href.strip()
        if not href or href.startswith("#") or href.lower().startswith(SKIP_SCHEMES):
            continue
        parts = urlsplit(urljoin("http://testserver" + page, href))
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue
        if parts.path.startswith(settings.STATIC_URL):
            continue
        try:
            if resolve(parts.path).url_name == "logout":
                continue
        except Resolver404:
            pass
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def test_every_internal_link_on_the_pages_answers(world: Any, scene: Scene) -> None:
    """Every page of every route (cases at each stage) as each of its users: each internal
    link and image answers below 400 for that user, redirects followed."""
    failures: list[str] = []
    pages = 0
    for route in all_routes():
        users = users_for(route, world, scene)
        for kwargs in kwargs_variants(route, scene):
            path = reverse(route.full_name, kwargs=kwargs)
            for user in users:
                c = client_for(user)
                response = c.get(path, follow=True)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                pages += 1
                page = response.wsgi_request.path
                for link in dict.fromkeys(internal_links(page, response.content.decode())):
                    key = (user.pk, link)
                    if key in _followed:
                        continue
                    _followed.add(key)
                    target = c.get(link, follow=True)
                    if target.status_code >= 400:
                        failures.append(
                            f"{page} as {user.username}: {link} -> {target.status_code} "
                            + _failure("GET", link, user, "link", target).rsplit("->", 1)[-1][:300]
                        )
    _followed.clear()
    assert pages > 40
    assert not failures, f"{len(failures)} broken links:\n" + "\n".join(failures[:60])


_followed: set[tuple[int, str]] = set()


# -- 3. access -------------------------------------------------------------------------------


def _outsiders(world: Any) -> list[Any]:
    """Staff of the neighbouring village and of a village in the other district, and the
    other district's camat."""
    return [
        *(world.user(r, VILLAGE_A2) for r in (Role.SECRETARY, Role.HEAD, Role.FIELD_OFFICER, Role.TREASURER)),
        *(world.user(r, VILLAGE_B1) for r in (Role.SECRETARY, Role.HEAD, Role.OPERATOR)),
        world.user(Role.CAMAT, DISTRICT_B),
    ]


def _is_login_redirect(response: Any) -> bool:
    if response.status_code != 302:
        return False
    try:
        return resolve(urlsplit(response["Location"]).path).url_name == "login"
    except Resolver404:
        return False


def test_other_villages_residents_and_strangers_get_not_found(world: Any, scene: Scene) -> None:
    neighbour = _resident_user(world, scene.other_cases[0].beneficiary)
    failures: list[str] = []

    def expect(ok: bool, what: str) -> None:
        if not ok:
            failures.append(what)

    for route in all_routes():
        scoped = bool({"pk", "code"} & set(route.params))
        for kwargs in kwargs_variants(route, scene):
            path = reverse(route.full_name, kwargs=kwargs)
            # Nobody logged in: the login page, never the page.
            anonymous = Client()
            for method in ("get", "post"):
                response = getattr(anonymous, method)(path)
                expect(
                    _is_login_redirect(response) or response.status_code == 405,
                    f"anonymous {method.upper()} {path} -> {response.status_code}",
                )
            if not scoped:
                continue
            outsiders = _outsiders(world)
            if route.namespace == "assistance":
                outsiders.append(scene.resident)  # a resident of the very village
            else:
                outsiders.append(neighbour)  # a resident of the village, another household
            for user in outsiders:
                c = client_for(user)
                got = c.get(path)
                posted = c.post(path, {"reason": "bukan urusan saya", "action": "request"})
                expect(
                    got.status_code in (404, 405),
                    f"{user.username} GET {path} ({route.full_name}) -> {got.status_code}",
                )
                expect(
                    posted.status_code == 404,
                    f"{user.username} POST {path} ({route.full_name}) -> {posted.status_code}",
                )

    # The resident on the staff pages without a village: not found, or sent to their portal.
    portal = reverse("assistance_portal:list")
    c = client_for(scene.resident)
    for route in all_routes():
        if route.namespace != "assistance" or {"pk", "code"} & set(route.params):
            continue
        for kwargs in kwargs_variants(route, scene):
            path = reverse(route.full_name, kwargs=kwargs)
            response = c.get(path)
            expect(
                response.status_code == 404
                or (response.status_code == 302 and response["Location"] == portal),
                f"resident GET {path} -> {response.status_code}",
            )
    assert not failures, f"{len(failures)} leaks:\n" + "\n".join(failures[:60])


def test_a_resident_sees_only_their_own_case(world: Any, scene: Scene) -> None:
    own = scene.cases["eligible"]
    c = client_for(scene.resident)
    listing = c.get(reverse("assistance_portal:list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert own.number in html
    for case in [*scene.other_cases, *(x for x in scene.cases.values() if x.family_id != own.family_id)]:
        assert case.number not in html, case.number
        assert c.get(reverse("assistance_portal:case", args=[case.pk])).status_code == 404
    page = c.get(reverse("assistance_portal:case", args=[own.pk]))
    assert page.status_code == 200 and own.number in page.content.decode()


def test_photos_are_served_only_to_the_village_district_and_regency(world: Any, scene: Scene) -> None:
    insiders = [
        world.user(Role.SECRETARY, VILLAGE_A1),
        world.user(Role.FIELD_OFFICER, VILLAGE_A1),
        world.user(Role.CAMAT, DISTRICT_A),
        world.user(Role.DPMD, REGENCY),
    ]
    for photo in scene.photos.values():
        url = reverse("assistance:photo", args=[photo.pk])
        for user in insiders:
            response = client_for(user).get(url)
            assert response.status_code == 200, (user.username, url)
            assert response["Content-Type"] == photo.content_type
            assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
        for user in [*_outsiders(world), scene.resident]:
            assert client_for(user).get(url).status_code == 404, (user.username, url)
        assert _is_login_redirect(Client().get(url)), url


def test_full_numbers_stay_in_the_village(world: Any, scene: Scene) -> None:
    """District and regency staff read masked NIK and KK on the pages and in the Excel files."""
    from openpyxl import load_workbook

    numbers = {n for case in scene.cases.values() for n in (case.nik, case.kk_number)}
    for user in (world.user(Role.CAMAT, DISTRICT_A), world.user(Role.DPMD, REGENCY)):
        c = client_for(user)
        for route in all_routes():
            if route.namespace != "assistance" or not {"pk", "code"} & set(route.params):
                continue
            for kwargs in kwargs_variants(route, scene):
                path = reverse(route.full_name, kwargs=kwargs)
                for query in ("", "?format=xlsx"):
                    response = c.get(path + query)
                    if response.status_code != 200 or response.streaming:
                        continue
                    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
                        wb = load_workbook(io.BytesIO(response.content))
                        text = " ".join(
                            str(v)
                            for ws in wb.worksheets
                            for row in ws.iter_rows(values_only=True)
                            for v in row
                        )
                    elif response["Content-Type"].startswith("text/html"):
                        text = response.content.decode()
                    else:
                        continue
                    leaked = [n for n in numbers if n and n in text]
                    assert not leaked, f"{path}{query} as {user.username} shows {leaked}"
