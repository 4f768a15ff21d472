"""Browser tests of the lounge display (it rotates its panels by itself, pauses under the
pointer, works without JavaScript, at both orientations) and of the announcement staff
pages; each page is scanned with axe-core and photographed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.assistance.tests.factories import programmes
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_B1, _make_user
from kampung.conftest import browser_login as _login
from kampung.kiosk.models import Announcement
from kampung.kiosk.tests.support import assert_accessible, screenshot
from kampung.monitoring.tests.rollup_factories import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VILLAGES = ("35.10.01.2001", "35.10.01.2002", "35.10.15.2004", "35.10.15.2005", "35.10.15.1002")


def _regency() -> Any:
    today = timezone.localdate()
    admin = _make_user(Role.ADMIN, REGENCY)
    programmes(today.year)
    for code in VILLAGES:
        fill(code, today.year, seed=4, today=today, desa=code[9] != "1")
    Announcement.objects.create(
        region_id=REGENCY,
        title="Pelayanan KTP keliling hari Sabtu",
        body="Dinas Dukcapil melayani perekaman KTP-el di kantor kecamatan.",
        publish_from=today,
        pinned=True,
    )
    return admin


def _settled(page: Any) -> None:
    """Let the panel's fade-in (0.6 s) finish before a contrast check."""
    page.wait_for_timeout(700)


def _current(page: Any) -> str:
    return str(page.eval_on_selector(".l-panel.l-current", "el => el.id"))


def test_lounge_rotates_by_itself(page: Any, live_server: Any) -> None:
    _regency()
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/layar/?detik=5")
    assert _current(page) == "panel-kpi"
    assert page.locator("#panel-today").is_hidden()
    _settled(page)
    assert "Panel 1 dari 5" in page.locator(".l-status").inner_text()
    assert_accessible(page, "layar informasi (angka utama)")
    screenshot(page, "lounge-1920x1080-kpi")
    page.wait_for_function(
        "() => document.querySelector('.l-panel.l-current').id === 'panel-today'", timeout=9000
    )
    assert page.locator("#panel-today").is_visible() and page.locator("#panel-kpi").is_hidden()
    _settled(page)
    assert_accessible(page, "layar informasi (layanan hari ini)")
    screenshot(page, "lounge-1920x1080-today")
    # Under the pointer the rotation waits.
    page.mouse.move(400, 400)
    page.wait_for_timeout(6000)
    assert _current(page) == "panel-today"
    for panel in ("panel-ranking", "panel-programmes", "panel-news"):
        page.keyboard.press("ArrowRight")
        assert _current(page) == panel
        _settled(page)
        assert_accessible(page, f"layar informasi ({panel})")
        screenshot(page, f"lounge-1920x1080-{panel}")
    assert "Pelayanan KTP keliling hari Sabtu" in page.locator("#panel-news").inner_text()


def test_lounge_portrait_and_without_javascript(browser: Any, live_server: Any) -> None:
    _regency()
    portrait = browser.new_context(
        viewport={"width": 1080, "height": 1920}, locale="id-ID", reduced_motion="reduce"
    )
    page = portrait.new_page()
    page.goto(f"{live_server.url}/layar/{REGENCY}/?detik=5")
    assert _current(page) == "panel-kpi"
    assert page.locator(".l-progress").is_hidden()  # reduced motion: no moving bar
    assert_accessible(page, "layar informasi tegak")
    screenshot(page, "lounge-1080x1920")
    portrait.close()

    plain = browser.new_context(viewport={"width": 1920, "height": 1080}, java_script_enabled=False)
    page = plain.new_page()
    page.goto(f"{live_server.url}/layar/{VILLAGE_B1}/")
    for panel in ("panel-kpi", "panel-today", "panel-programmes", "panel-news"):
        assert page.locator(f"#{panel}").is_visible()
    screenshot(page, "lounge-no-js-village")
    plain.close()


def test_announcement_pages_are_accessible(page: Any, live_server: Any) -> None:
    admin = _regency()
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, base, admin)
    page.goto(f"{base}/pengumuman/")
    assert_accessible(page, "daftar pengumuman")
    page.get_by_role("link", name="Tulis pengumuman").first.click()
    page.get_by_label("Judul").fill("Abc")
    page.get_by_role("button", name="Terbitkan").click()
    assert "Judul paling sedikit 5 karakter." in page.content()
    assert_accessible(page, "formulir pengumuman dengan kesalahan")
    page.get_by_label("Tampil di").select_option(VILLAGE_A1)
    page.get_by_label("Judul").fill("Musyawarah desa Sarongan")
    page.get_by_label("Isi").fill("Musdes RKPDes hari Kamis pukul 09.00 di balai desa.")
    page.get_by_role("button", name="Terbitkan").click()
    page.wait_for_url("**/pengumuman/")
    assert "Musyawarah desa Sarongan" in page.content()
    screenshot(page, "announcements-list")
    a = Announcement.objects.get(title="Musyawarah desa Sarongan")
    page.goto(f"{base}/pengumuman/{a.pk}/hapus/")
    assert_accessible(page, "konfirmasi hapus pengumuman")
    page.get_by_role("button", name="Ya, hapus pengumuman").click()
    page.wait_for_url("**/pengumuman/")
    assert not Announcement.objects.filter(pk=a.pk).exists()
    page.goto(f"{base}/layar/{VILLAGE_A1}/")
    assert "Musyawarah desa Sarongan" not in page.content()
