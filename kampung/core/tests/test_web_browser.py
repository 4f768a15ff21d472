"""Chromium under the real Content-Security-Policy: a page of every kind raises no
``securitypolicyviolation`` and logs no CSP error, and the script-driven parts still work
(the kiosk's on-screen pad types, the lounge rotates, the API docs render)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, browser_login
from kampung.monitoring.tests.rollup_factories import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (a DevTools init script is not subject to the page's CSP).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


AUTHORITY_CSS_LOADED = """() => [...document.styleSheets].some(
  (s) => s.href && s.href.includes('/authority/authority') && s.cssRules.length > 5)"""


class Recorder:
    def __init__(self, context: Any) -> None:
        self.console: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("console", self._console)
        self.context = context

    def _console(self, message: Any) -> None:
        text = message.text
        if (
            "Content Security Policy" in text
            or "Content-Security-Policy" in text
            or "Permissions-Policy" in text
        ):
            self.console.append(text)

    def assert_clean(self, page: Any, what: str) -> None:
        page.wait_for_load_state("load")
        events = page.evaluate("window.__csp || []")
        assert events == [] and self.console == [], f"{what}: CSP violations {events} console {self.console}"
        header = page.evaluate(
            "() => fetch(location.href, {method: 'HEAD'}).then(r => r.headers.get('content-security-policy'))"
        )
        assert header and "script-src 'self'" in header, f"{what}: {header}"


@pytest.fixture
def recorded(browser: Any) -> Iterator[tuple[Any, Recorder]]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", has_touch=True)
    recorder = Recorder(context)
    page = context.new_page()
    yield page, recorder
    context.close()


def _data() -> None:
    today = timezone.localdate()
    for code in ("35.10.01.2001", "35.10.01.2002", "35.10.15.2004"):
        fill(code, today.year, seed=4, today=today)


def test_public_pages_kiosk_and_displays(recorded: Any, live_server: Any, world: Any) -> None:
    page, recorder = recorded
    _data()
    base = live_server.url
    for path in (
        "/akun/masuk/",
        f"/publik/{REGENCY}/",
        f"/publik/{VILLAGE_A1}/apbdes/",
        f"/publik/{VILLAGE_A1}/penduduk/",
        f"/publik/{VILLAGE_A1}/pembangunan/",
        f"/antrian/{VILLAGE_A1}/layar/",
        "/tidak-ada/",
    ):
        page.goto(base + path)
        recorder.assert_clean(page, path)
    # The kiosk: a field opens the on-screen pad, its keys type.
    page.goto(f"{base}/anjungan/{VILLAGE_A1}/")
    recorder.assert_clean(page, "kiosk home")
    page.get_by_test_id("tile-request").tap()
    page.wait_for_url("**/surat/")
    field = page.get_by_label("NIK (16 angka di KTP)", exact=True)
    field.tap()
    pad = page.locator(".pad")
    pad.wait_for(state="visible")
    for key in "3510":
        pad.locator(f'button[data-key="{key}"]').tap()
    pad.locator('button[data-key="ok"]').tap()
    assert field.input_value() == "3510"
    recorder.assert_clean(page, "kiosk pad")
    # The lounge TV moves to its next panel by itself.
    page.goto(f"{base}/layar/?detik=5")
    first = page.eval_on_selector(".l-panel.l-current", "el => el.id")
    page.wait_for_function(
        "(first) => document.querySelector('.l-panel.l-current').id !== first", arg=first, timeout=12000
    )
    recorder.assert_clean(page, "lounge")


def test_staff_pages_charts_and_api_docs(recorded: Any, live_server: Any, world: Any) -> None:
    page, recorder = recorded
    _data()
    base = live_server.url
    browser_login(page, base, world.user(Role.OPERATOR, VILLAGE_A1))
    for path in (
        "/akun/",
        f"/pemantauan/{VILLAGE_A1}/",
        f"/pemantauan/{VILLAGE_A1}/keuangan/",
        "/penduduk/statistik/",
        "/kewenangan/saya/",
        f"/keuangan/desa/{VILLAGE_A1}/musdes/baru/",
    ):
        page.goto(base + path)
        assert page.url.startswith(base), path
        recorder.assert_clean(page, path)
        if path == "/kewenangan/saya/":
            # The authority pages' stylesheet (moved out of an inline <style>) is loaded.
            assert page.evaluate(AUTHORITY_CSS_LOADED), "authority.css did not load"
    # Swagger UI from django-ninja's own static files renders under the policy.
    page.goto(f"{base}/api/v1/docs")
    page.locator("#swagger-ui .info").wait_for(state="visible", timeout=15000)
    page.locator(".opblock").first.wait_for(state="visible")
    recorder.assert_clean(page, "API docs")
    # District pages: the dashboards' SVG charts and the authority timelines (style attributes).
    browser_login(page, base, world.user(Role.DISTRICT_OFFICER, DISTRICT_A))
    charts = 0
    for path in (
        f"/pemantauan/{DISTRICT_A}/",
        f"/pemantauan/{DISTRICT_A}/keuangan/",
        "/keuangan/ringkasan/",
        "/kewenangan/",
    ):
        page.goto(base + path)
        recorder.assert_clean(page, path)
        charts += page.locator("svg[role=img]").count()
    assert charts > 0, "no SVG chart was drawn on the district pages"
