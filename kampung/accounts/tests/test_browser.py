"""Browser tests: Playwright drives Debian's Chromium against the live server."""

import pytest

from kampung.accounts.roles import Role
from kampung.conftest import PASSWORD, VILLAGE_A1

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_operator_logs_in_and_sees_the_village_home_page(page, live_server, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    # A visitor who is not signed in lands on the public site, which links to the login.
    page.goto(f"{live_server.url}/")
    assert "/publik/" in page.url
    page.get_by_role("link", name="Masuk petugas").click()
    page.wait_for_url("**/akun/masuk/**")
    page.get_by_label("Nama pengguna").fill(operator.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"**/wilayah/{VILLAGE_A1}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Desa Sarongan"
    assert page.get_by_text("Penduduk hidup").is_visible()
    # The stylesheet is served (no asset comes from outside the server).
    colour = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert colour == "rgb(11, 110, 79)"
    # The menu offers the village's pages, not the admin's.
    nav = page.get_by_role("navigation", name="Menu utama")
    assert nav.get_by_role("link", name="Wilayah").is_visible()
    assert nav.get_by_role("link", name="Pengguna").count() == 0


def test_page_fits_a_phone_screen(page, live_server, world):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/akun/masuk/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
