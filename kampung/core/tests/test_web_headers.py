"""Security headers and the Content-Security-Policy on every response; no template carries
inline script; ``kampung check --deploy`` is clean with the production environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kampung.accounts.roles import Role
from kampung.conftest import REGENCY, VILLAGE_A1
from kampung.core.tests.test_web_csrf import routes
from kampung.core.uploads import IMAGE_POLICY, PDF_POLICY

ROOT = Path(settings.BASE_DIR)

# The policy, written out here on purpose: a change to it must change this test too.
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-elem": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "media-src": "'self'",
    "frame-src": "'self'",
    "worker-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
FILE_POLICIES = {IMAGE_POLICY, PDF_POLICY}


def parse_policy(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";") if p.strip()]
    return {p.split(" ", 1)[0]: (p.split(" ", 1)[1] if " " in p else "") for p in parts}


# Pages that widen the policy, each with its one change and why.
POLICY_EXCEPTIONS = {
    # The letter template editor's live preview frame carries the letter's print styles.
    re.compile(r"^/surat/katalog/[^/]+/templat/$"): {"style-src-elem": "'self' 'unsafe-inline'"},
}


def assert_page_headers(response: Any, where: str) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"{where}: no Content-Security-Policy"
    if header not in FILE_POLICIES:
        allowed = [dict(POLICY)]  # a refused request (404) gets the plain policy
        for pattern, change in POLICY_EXCEPTIONS.items():
            if pattern.match(where):
                allowed.append({**POLICY, **change})
        assert parse_policy(header) in allowed, f"{where}: {header}"
    assert "nonce-" not in header and "unsafe-eval" not in header
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where
    permissions = response["Permissions-Policy"]
    assert "geolocation=(self)" in permissions and "camera=()" in permissions, where


# -- templates ---------------------------------------------------------------------------------

TEMPLATE_DIRS = [ROOT / "kampung" / "templates", *sorted((ROOT / "kampung").glob("*/templates"))]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*?\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)

# Templates with a <style> element that a browser may see, each with why. Everything under a
# print/ folder is rendered to PDF by WeasyPrint and never served as a page.
STYLE_ELEMENT_ALLOWED = {
    "letters/print/letter.html": (
        "the letter page; also shown in the template editor's sandboxed preview frame "
        "(srcdoc), where the editor page's policy applies - see docs/security.md"
    ),
}


def templates() -> list[tuple[str, str]]:
    found = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            found.append((str(path.relative_to(folder)), path.read_text(encoding="utf-8")))
    return found


def test_templates_are_found() -> None:
    names = [name for name, _ in templates()]
    assert len(names) > 200 and "base.html" in names and "kiosk/kiosk/base.html" in names


def test_no_template_has_inline_script_or_event_handlers() -> None:
    problems = []
    for name, text in templates():
        for regex, what in (
            (INLINE_SCRIPT, "inline <script>"),
            (EVENT_HANDLER, "on*= handler"),
            (JS_URL, "javascript: URL"),
        ):
            for match in regex.finditer(text):
                problems.append(f"{name}: {what}: {match.group(0)[:80]!r}")
    assert not problems, "\n".join(problems)


def test_no_served_template_has_a_style_element() -> None:
    problems = [
        name
        for name, text in templates()
        if STYLE_ELEMENT.search(text) and "/print/" not in f"/{name}" and name not in STYLE_ELEMENT_ALLOWED
    ]
    assert not problems, f"<style> in served templates (move it to a static .css file): {problems}"


def test_the_scan_catches_what_it_looks_for() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<SCRIPT type="module">x</SCRIPT>')
    assert not INLINE_SCRIPT.search('<script src="/static/a.js" defer></script>')
    assert EVENT_HANDLER.search('<button class="x"\n onclick="go()">')
    assert EVENT_HANDLER.search("<img src=x onerror=alert(1)>")
    assert not EVENT_HANDLER.search("<p>Kirim ke petugas online=ya</p>")
    assert JS_URL.search('<a href="javascript:void(0)">')


def test_every_static_script_is_a_file_under_static() -> None:
    """Every <script src> points into our own static files (no CDN, no inline data URL)."""
    for name, text in templates():
        for match in re.finditer(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", text):
            assert match.group(1).startswith("{% static "), f"{name}: {match.group(0)}"


# -- headers on every response -------------------------------------------------------------------


def _sweep(client: Client) -> tuple[int, list[str]]:
    seen, problems = 0, []
    for path, _view in routes():
        response = client.get(path)
        seen += 1
        if response.status_code >= 500:
            problems.append(f"{path} -> {response.status_code}")
            continue
        try:
            assert_page_headers(response, path)
        except AssertionError as exc:
            problems.append(str(exc))
    return seen, problems


def test_every_route_sends_the_policy_anonymous(db: Any) -> None:
    client = Client(raise_request_exception=False)
    seen, problems = _sweep(client)
    assert seen > 300 and not problems, "\n".join(problems)


def test_every_route_sends_the_policy_signed_in(world: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    seen, problems = _sweep(client)
    assert seen > 300 and not problems, "\n".join(problems)


@pytest.mark.parametrize("path", [f"/publik/{REGENCY}/", f"/publik/{VILLAGE_A1}/apbdes/", "/layar/"])
def test_cached_public_pages_keep_the_policy(world: Any, path: str) -> None:
    client = Client()
    first = client.get(path, follow=True)
    assert first.status_code == 200
    assert_page_headers(first, path)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(first.request["PATH_INFO"])
    assert again.status_code == 200 and again.content == first.content
    assert len(queries) < 3, "the second request should be served from the cache"
    assert_page_headers(again, f"{path} (cached)")
    assert "public" in again["Cache-Control"]


def test_error_pages_keep_the_policy(db: Any) -> None:
    response = Client().get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert_page_headers(response, "404")


def test_api_docs_keep_the_policy(world: Any) -> None:
    client = Client()
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_page_headers(response, "/api/v1/docs")
    html = response.content.decode()
    # ninja's own static files, no CDN; the settings are JSON data, not script
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert not INLINE_SCRIPT.search(html.replace('<script type="application/json"', "<data"))


# -- check --deploy ------------------------------------------------------------------------------

PRODUCTION = {
    "KAMPUNG_DEBUG": "false",
    "KAMPUNG_SECURE_COOKIES": "true",
    "KAMPUNG_SECRET_KEY": "uji-" + "k7Qm2vX9pL4tR8wZ1nB6cF3hJ5sD0gY" * 2,
    "KAMPUNG_ALLOWED_HOSTS": "kampung.banyuwangikab.go.id",
    "KAMPUNG_HSTS_SECONDS": "31536000",
    "KAMPUNG_SSL_REDIRECT": "true",
    "KAMPUNG_BEHIND_HTTPS_PROXY": "true",
}


def _check_deploy(extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    skip = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the browser tests set the latter
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUNG_") and k not in skip}
    env.update(
        {
            "KAMPUNG_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "kampung", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_is_clean_with_the_production_environment(tmp_path: Path) -> None:
    result = _check_deploy(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_reports_the_insecure_defaults(tmp_path: Path) -> None:
    result = _check_deploy({"KAMPUNG_DEBUG": "true"}, tmp_path)
    assert result.returncode != 0
    for issue in ("security.W004", "security.W008", "security.W012", "security.W016", "security.W018"):
        assert issue in result.stderr + result.stdout, issue


def test_boolean_switches_are_strict(tmp_path: Path) -> None:
    result = _check_deploy({**PRODUCTION, "KAMPUNG_SSL_REDIRECT": "ja"}, tmp_path)
    assert result.returncode != 0
    assert "KAMPUNG_SSL_REDIRECT must be true or false" in result.stderr
