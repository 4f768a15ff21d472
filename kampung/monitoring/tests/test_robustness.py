"""Robustness of the monitoring pages over a generated regency (:mod:`.generated_regency`):
no input gives a server error, a refused POST writes nothing, nothing is shown outside the
user's scope, and every link on the pages answers.

The routes are read from the URL resolver (namespace ``monitoring``); :data:`ROUTES` says how
to fill each one's parameters, and a test fails when a route is added without an entry.
"""

from __future__ import annotations

import io
import traceback
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib import messages as django_messages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.monitoring.models import FieldVisit, FieldVisitPhoto, MonitoringSetting
from kampung.monitoring.tests.generated_regency import (
    DISTRICT_A,
    DISTRICT_B,
    NOW,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    YEAR,
    Regency,
    regency_for_module,
)
from kampung.monitoring.tests.test_visits_support import upload

pytestmark = pytest.mark.django_db

NAMESPACE = "monitoring"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def regency(django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Regency]:
    with regency_for_module(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


@pytest.fixture(autouse=True)
def _frozen(db: Any) -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


# -- the routes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """How to fill a route's parameters: in district A (VILLAGE_A1) and in district B."""

    methods: tuple[str, ...]
    params: tuple[str, ...]
    # Which kind of region the route shows: "any" (a ``code``), "village" (a kegiatan), "photo",
    # or "" (no region in the URL).
    kind: str = ""


ROUTES: dict[str, Target] = {
    "home": Target(("GET",), ()),
    "alerts": Target(("GET",), ()),
    "settings": Target(("GET", "POST"), ()),
    "visit_photo": Target(("GET",), ("pk",), "photo"),
    "project": Target(("GET",), ("village_code", "year", "activity_code"), "village"),
    "visit_add": Target(("POST",), ("village_code", "year", "activity_code"), "village"),
    "projects": Target(("GET",), ("code",), "any"),
    "region_alerts": Target(("GET",), ("code",), "any"),
    "region": Target(("GET",), ("code",), "any"),
    "finance": Target(("GET",), ("code",), "any"),
    "letters": Target(("GET",), ("code",), "any"),
    "programmes": Target(("GET",), ("code",), "any"),
    "population": Target(("GET",), ("code",), "any"),
}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from _walk(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item


def route_names() -> dict[str, str]:
    """Every named route of the namespace and its pattern, from the resolver."""
    _prefix, resolver = get_resolver().namespace_dict[NAMESPACE]
    names: dict[str, str] = {}
    for route, pattern in _walk(resolver.url_patterns):
        assert pattern.name, f"unnamed route {route}"
        names[pattern.name] = route
    return names


def paths(name: str, regency: Regency, side: str = "A") -> list[str]:
    """The route filled with real values of district A (or B): for a region route the
    regency, the district and a village (the regency only on side A)."""
    target = ROUTES[name]
    full = f"{NAMESPACE}:{name}"
    if target.kind == "":
        return [reverse(full)] if side == "A" else []
    if target.kind == "photo":
        photo = regency.photo if side == "A" else regency.photo_b
        return [reverse(full, args=[photo.pk])]
    if target.kind == "village":
        village, code = regency.activity if side == "A" else regency.activity_b
        return [reverse(full, args=[village, YEAR, code])]
    codes = [REGENCY, DISTRICT_A, VILLAGE_A1] if side == "A" else [DISTRICT_B, VILLAGE_B1]
    return [reverse(full, args=[c]) for c in codes]


def test_every_route_has_an_entry_in_the_table() -> None:
    names = route_names()
    assert set(names) == set(ROUTES), (
        f"routes without an entry in ROUTES: {sorted(set(names) - set(ROUTES))}; "
        f"entries without a route: {sorted(set(ROUTES) - set(names))}"
    )
    for name, route in names.items():
        params = tuple(p.split(":")[-1] for p in _params(route))
        assert params == ROUTES[name].params, (name, route)


def _params(route: str) -> list[str]:
    import re

    return re.findall(r"<([^>]+)>", route)


# -- users -----------------------------------------------------------------------------------


def users(regency: Regency) -> dict[str, Any]:
    return {
        "dpmd": regency.user(Role.DPMD, REGENCY),
        "bupati": regency.user(Role.BUPATI, REGENCY),
        "camat-a": regency.user(Role.CAMAT, DISTRICT_A),
        "officer-a": regency.user(Role.DISTRICT_OFFICER, DISTRICT_A),
        "sekdes-a1": regency.user(Role.SECRETARY, VILLAGE_A1),
        "warga-a1": regency.user(Role.RESIDENT, VILLAGE_A1),
    }


def client_for(user: Any | None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _failure(method: str, path: str, who: str, what: str, response: Any) -> str:
    detail = ""
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        detail = "".join(traceback.format_exception(*exc_info)[-3:]).strip().replace("\n", " | ")[-500:]
    return f"{method} {path!r} as {who} [{what}] -> {response.status_code} {detail}"


def _is_login_redirect(response: Any) -> bool:
    if response.status_code != 302:
        return False
    try:
        return resolve(urlsplit(response["Location"]).path).url_name == "login"
    except Resolver404:
        return False


# -- 1. junk ---------------------------------------------------------------------------------

JUNK_QUERIES = (
    "?tahun=abc&periode=99&unduh=../../x&tampil=zzz&page=-1",
    "?tahun=%C2%B2%C2%B2%C2%B2%C2%B2&periode=%C2%B2&page=%C2%B2",  # "²": isdigit() yes, int() no
    "?tahun=-2026&periode=-1&page=0",
    "?tahun=99999999999999999999999&periode=13&page=99999999999999999999",
    "?tahun=%00&periode=%00&unduh=%00&tampil=%00&q=%00&jenis=%00&page=%00",  # NUL: PostgreSQL
    "?q=a%00b&tampil=kunjungan&jenis=zzz",
    "?q=" + "x" * 5000 + "&unduh=" + "y" * 3000,
    "?tahun=2026-02-30&periode=s3&unduh=serapan&unduh=spp",
    "?tahun=1999&periode=s1&unduh=proyek",
    "?tahun=2101&periode=12&unduh=peringatan",
    "?q=%3Cscript%3Ealert(1)%3C/script%3E&jenis=laporan_terlambat",
    "?tahun=&periode=&unduh=&page=",
)
JUNK_VALUES = (
    "",
    "abc",
    "-1",
    "-99999999999999999999",
    "9" * 40,
    "x" * 100_000,
    "\x00",
    "a\x00b",
    "²",
    "٣",  # an Arabic-Indic digit
    "NaN",
    "Infinity",
    "1e999",
    "2026-02-30",
    "0000-00-00",
    "<script>alert(1)</script>",
    "0,5",
)
VISIT_FIELDS = ("visited_on", "percent", "notes", "findings", "latitude", "longitude")
SETTING_FIELDS = (
    "physical_prefixes",
    "visit_days",
    "behind_points",
    "ahead_points",
    "spending_factor",
    "spending_floor",
    "stalled_days",
)
VALID_VISIT = {"visited_on": "2026-09-14", "percent": "50", "notes": "", "findings": ""}
VALID_SETTING = {
    "physical_prefixes": "02.",
    "visit_days": "60",
    "behind_points": "20",
    "ahead_points": "20",
    "spending_factor": "3",
    "spending_floor": "50000000",
    "stalled_days": "30",
}


def junk_bodies(
    fields: tuple[str, ...], valid: dict[str, str], *, photo: bool
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Nothing; every field junk at once; one field junk at a time with the others valid (and
    a real photo for a visit, so the junk reaches the service); lists for single values."""
    yield "empty", {}
    for value in JUNK_VALUES:
        yield f"all={value[:10]!r}", dict.fromkeys(fields, value)
    for name in fields:
        for value in JUNK_VALUES[1:]:
            body: dict[str, Any] = {**valid, name: value}
            if photo:
                body["photos"] = upload()
            yield f"{name}={value[:10]!r}", body
    yield "lists", {n: ["1", "abc", "\x00"] for n in fields}


def row_counts() -> dict[str, int]:
    return {
        "FieldVisit": FieldVisit.objects.count(),
        "FieldVisitPhoto": FieldVisitPhoto.objects.count(),
        "MonitoringSetting": MonitoringSetting.objects.count(),
        "AuditEntry": AuditEntry.objects.count(),
    }


def accepted(response: Any) -> bool:
    """The page said it did something (a success message) and moved on."""
    if response.status_code >= 400:
        return False
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return any(m.level == django_messages.SUCCESS for m in queued)


class Failures:
    def __init__(self) -> None:
        self.seen: dict[tuple[str, ...], tuple[int, str]] = {}

    def add(self, key: tuple[str, ...], text: str) -> None:
        count, first = self.seen.get(key, (0, text))
        self.seen[key] = (count + 1, first)

    def report(self) -> str:
        return f"{len(self.seen)} distinct failures:\n" + "\n".join(
            f"{n}x {text}" for n, text in self.seen.values()
        )


def test_junk_never_gives_a_server_error_and_a_refusal_writes_nothing(regency: Regency) -> None:
    failures = Failures()
    who = {**users(regency), "anonymous": None}
    clients = {label: client_for(user) for label, user in who.items()}
    for name, target in ROUTES.items():
        for path in paths(name, regency):
            for label, c in clients.items():
                for query in ("", *JUNK_QUERIES):
                    response = c.get(path + query)
                    if response.status_code >= 500:
                        failures.add(
                            (name, "GET", label), _failure("GET", path + query, label, "query", response)
                        )
                if "POST" not in target.methods:
                    response = c.post(path, {"x": "\x00"})
                    if response.status_code >= 500:
                        failures.add(
                            (name, "POST", label), _failure("POST", path, label, "get-only", response)
                        )
                    continue
                fields, valid = (
                    (VISIT_FIELDS, VALID_VISIT) if name == "visit_add" else (SETTING_FIELDS, VALID_SETTING)
                )
                for what, body in junk_bodies(fields, valid, photo=name == "visit_add"):
                    before = row_counts()
                    response = c.post(path, body)
                    if response.status_code >= 500:
                        failures.add(
                            (name, "POST", label, what), _failure("POST", path, label, what, response)
                        )
                        continue
                    if accepted(response):
                        continue
                    after = row_counts()
                    if before != after:
                        failures.add(
                            (name, "POST", "rows", label),
                            f"POST {path} as {label} [{what}] refused ({response.status_code}) "
                            f"but wrote rows: {before} -> {after}",
                        )
    # Junk in the URL itself, as the widest user.
    c = clients["dpmd"]
    for junk in (
        "\x00",
        "35.10%00",
        "35.10.01.2001\x00",
        "²",
        "9" * 40,
        "x" * 3000,
        "..",
        "-1",
        "35",
        "35.10.99",
    ):
        raw = quote(junk, safe="")
        for path in (
            f"/pemantauan/{raw}/",
            f"/pemantauan/{raw}/keuangan/",
            f"/pemantauan/{raw}/lapangan/",
            f"/pemantauan/{raw}/peringatan/",
            f"/pemantauan/desa/{raw}/kegiatan/{YEAR}/02.01.01/",
            f"/pemantauan/desa/{VILLAGE_A1}/kegiatan/{YEAR}/{raw}/",
        ):
            for method in ("get", "post"):
                response = getattr(c, method)(path)
                if response.status_code >= 500:
                    failures.add(
                        ("url", path, method), _failure(method.upper(), path, "dpmd", "url", response)
                    )
    for path in (
        f"/pemantauan/foto-kunjungan/{'9' * 30}/",
        f"/pemantauan/desa/{VILLAGE_A1}/kegiatan/{'9' * 30}/02.01.01/",
        f"/pemantauan/desa/{VILLAGE_A1}/kegiatan/{'9' * 30}/02.01.01/kunjungan/",
    ):
        for method in ("get", "post"):
            response = getattr(c, method)(path, VALID_VISIT) if method == "post" else c.get(path)
            if response.status_code >= 500:
                failures.add(("url", path, method), _failure(method.upper(), path, "dpmd", "huge", response))
    assert not failures.seen, failures.report()


def test_valid_posts_are_accepted_and_write(regency: Regency) -> None:
    """The junk test's "accepted" escape is real: the same forms filled in properly save."""
    village, code = regency.activity
    before = row_counts()
    c = client_for(regency.user(Role.DISTRICT_OFFICER, DISTRICT_A))
    response = c.post(
        reverse("monitoring:visit_add", args=[village, YEAR, code]), {**VALID_VISIT, "photos": upload()}
    )
    assert response.status_code == 302 and accepted(response)
    c = client_for(regency.user(Role.DPMD, REGENCY))
    response = c.post(reverse("monitoring:settings"), {**VALID_SETTING, "visit_days": "45"})
    assert response.status_code == 302 and accepted(response)
    after = row_counts()
    assert after["FieldVisit"] == before["FieldVisit"] + 1
    assert after["MonitoringSetting"] == before["MonitoringSetting"] + 1
    assert after["AuditEntry"] > before["AuditEntry"]


# -- 2. scope --------------------------------------------------------------------------------


def test_nothing_outside_the_users_scope(regency: Regency) -> None:
    problems: list[str] = []

    def expect(ok: bool, text: str) -> None:
        if not ok:
            problems.append(text)

    camat = client_for(regency.user(Role.CAMAT, DISTRICT_A))
    officer = client_for(regency.user(Role.DISTRICT_OFFICER, DISTRICT_A))
    sekdes = client_for(regency.user(Role.SECRETARY, VILLAGE_A1))
    resident = client_for(regency.user(Role.RESIDENT, VILLAGE_A1))
    anonymous = Client()
    for name, target in ROUTES.items():
        method = "post" if target.methods == ("POST",) else "get"
        body = VALID_VISIT if name == "visit_add" else {}
        # District B (and, for a district, the regency) is not the camat's.
        outside = paths(name, regency, "B")
        if target.kind == "any":
            outside.append(reverse(f"{NAMESPACE}:{name}", args=[REGENCY]))
        for path in outside:
            for label, c in (("camat-a", camat), ("officer-a", officer)):
                response = getattr(c, method)(path, body)
                expect(
                    response.status_code == 404, f"{label} {method.upper()} {path} -> {response.status_code}"
                )
        # Another village is not the secretary's; nor is the district above.
        if target.kind == "any":
            for code in (VILLAGE_A2, VILLAGE_B1, DISTRICT_A, REGENCY):
                path = reverse(f"{NAMESPACE}:{name}", args=[code])
                response = sekdes.get(path)
                expect(response.status_code == 404, f"sekdes-a1 GET {path} -> {response.status_code}")
        if target.kind in ("photo", "village"):
            for path in paths(name, regency, "B"):
                response = getattr(sekdes, method)(path, body)
                expect(
                    response.status_code == 404,
                    f"sekdes-a1 {method.upper()} {path} -> {response.status_code}",
                )
        # A resident sees no monitoring page at all, even of their own village.
        for path in [*paths(name, regency, "A"), *paths(name, regency, "B")]:
            for m in target.methods:
                response = getattr(resident, m.lower())(path, body if m == "POST" else {})
                expect(response.status_code == 404, f"warga-a1 {m} {path} -> {response.status_code}")
                response = getattr(anonymous, m.lower())(path, body if m == "POST" else {})
                expect(_is_login_redirect(response), f"anonymous {m} {path} -> {response.status_code}")
    # The settings are the regency's: not the camat's, nor the village's.
    for label, c in (("camat-a", camat), ("sekdes-a1", sekdes)):
        for m in ("get", "post"):
            response = getattr(c, m)(reverse("monitoring:settings"), VALID_SETTING if m == "post" else {})
            expect(response.status_code == 404, f"{label} {m.upper()} settings -> {response.status_code}")
    assert not MonitoringSetting.objects.exists(), "no refused settings were saved"
    assert not problems, f"{len(problems)} leaks:\n" + "\n".join(problems[:60])


def test_the_photo_is_served_to_its_district_and_the_regency(regency: Regency) -> None:
    url = reverse("monitoring:visit_photo", args=[regency.photo.pk])
    for role, code in ((Role.CAMAT, DISTRICT_A), (Role.DPMD, REGENCY), (Role.BUPATI, REGENCY)):
        response = client_for(regency.user(role, code)).get(url)
        assert response.status_code == 200, (role, url)
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


# -- 3. links --------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "").strip())


def links_of(page: str, html: str) -> list[str]:
    """The page's links to this site (absolute paths and relative ones such as the
    ``?…&unduh=`` downloads), without anchors, static files or logging out."""
    parser = _Links()
    parser.feed(html)
    out = []
    for raw in parser.links:
        if not raw or raw.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(urljoin("http://testserver" + page, raw))
        if parts.netloc != "testserver":
            continue
        path = parts.path
        href = path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(settings.STATIC_URL):
            continue
        try:
            if resolve(path).url_name == "logout":
                continue
        except Resolver404:
            pass
        out.append(href)
    return list(dict.fromkeys(out))


@dataclass
class Crawl:
    pages: int = 0
    workbooks: int = 0
    outside: int = 0
    problems: list[str] | None = None
    not_found_outside: dict[str, str] | None = None  # link -> the page it was on


def crawl(client: Client, start: str, limit: int = 400) -> Crawl:
    """Breadth first from ``start`` over monitoring pages (up to ``limit``), following every
    internal link: monitoring pages must answer 200, their Excel links a workbook openpyxl
    loads; a link to another app is tried once and must answer 200 or a redirect (a 404 is
    collected with the page that showed it)."""
    result = Crawl(problems=[], not_found_outside={})
    assert result.problems is not None and result.not_found_outside is not None
    queue: deque[tuple[str, str]] = deque([(start, "")])
    seen = {start}
    while queue and result.pages < limit:
        url, source = queue.popleft()
        inside = urlsplit(url).path.startswith("/pemantauan/")
        response = client.get(url)
        if not inside:
            result.outside += 1
            if response.status_code == 404:
                result.not_found_outside[url] = source
            elif response.status_code not in (200, 301, 302):
                result.problems.append(f"{url} (from {source}) -> {response.status_code}")
            continue
        if response.status_code in (301, 302):
            target = response["Location"]
            if target not in seen:
                seen.add(target)
                queue.append((target, url))
            continue
        if response.status_code != 200:
            result.problems.append(f"{url} (from {source}) -> {response.status_code}")
            continue
        kind = response.get("Content-Type", "")
        if "unduh=" in url or kind.startswith(XLSX):
            if not kind.startswith(XLSX):
                result.problems.append(f"{url} (from {source}) is not a workbook: {kind}")
            else:
                load_workbook(io.BytesIO(response.content))
                result.workbooks += 1
            continue
        if not kind.startswith("text/html"):
            continue  # a photo
        result.pages += 1
        for link in links_of(urlsplit(url).path, response.content.decode()):
            if link not in seen:
                seen.add(link)
                queue.append((link, url))
    return result


# Other apps' pages a monitoring page may link to that are not the DPMD's to open (filled in
# from what the crawl finds, each with its reason).
DPMD_NOT_FOUND_REASONS: dict[str, str] = {}


def test_every_link_a_dpmd_sees_answers(regency: Regency) -> None:
    result = crawl(client_for(regency.user(Role.DPMD, REGENCY)), "/pemantauan/")
    assert result.pages >= 100, result.pages
    assert result.workbooks >= 20 and result.outside >= 1, (result.workbooks, result.outside)
    assert not result.problems, f"{len(result.problems)} broken links:\n" + "\n".join(result.problems[:60])
    unexplained = {
        link: page
        for link, page in (result.not_found_outside or {}).items()
        if not any(link.startswith(prefix) for prefix in DPMD_NOT_FOUND_REASONS)
    }
    assert not unexplained, f"links to other apps that are not found for the DPMD: {unexplained}"


def test_every_link_a_camat_sees_stays_in_the_district(regency: Regency) -> None:
    result = crawl(client_for(regency.user(Role.CAMAT, DISTRICT_A)), "/pemantauan/")
    assert result.pages >= 30, result.pages
    assert not result.problems, f"{len(result.problems)} broken links:\n" + "\n".join(result.problems[:60])
    assert not result.not_found_outside, (
        f"links shown to the camat that are not found: {result.not_found_outside}"
    )
