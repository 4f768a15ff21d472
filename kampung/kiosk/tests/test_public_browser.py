"""The public pages on a phone (390x844) and a desktop, and the kiosk's information pages on a
portrait touch screen (1080x1920) driven by taps: axe-core finds no serious or critical
violation on any of them; screenshots are kept as test artifacts."""

from __future__ import annotations

from typing import Any

import pytest

from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_A2
from kampung.kiosk.selectors_public import today
from kampung.kiosk.tests.support import assert_accessible, screenshot
from kampung.monitoring.tests import rollup_factories as rf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _data() -> None:
    from kampung.demo.finance import finance_fill
    from kampung.finance.tests.exec_factories import ensure_reference
    from kampung.monitoring.marks import rollup_work

    ensure_reference()  # an earlier transactional test empties the tables the migrations filled
    day = today()
    finance_fill(village_codes=[VILLAGE_A1], seed=5, year=day.year)
    rollup_work(today=day)
    bands = {
        (sex, band): 10 + 3 * i + sex
        for i, band in enumerate(("0-4", "5-9", "20-24", "40-44", "75+"))
        for sex in (1, 2)
    }
    for code in (VILLAGE_A1, VILLAGE_A2):
        from kampung.monitoring.models import PopulationFigure, PopulationVillage

        PopulationVillage.objects.filter(village_id=code).delete()
        PopulationFigure.objects.filter(village_id=code).delete()
        rf.population(code, families=40, bands=bands)


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.mark.parametrize(("label", "viewport"), [("ponsel", PHONE), ("desktop", DESKTOP)])
def test_public_pages_phone_and_desktop(
    browser: Any, live_server: Any, world: Any, label: str, viewport: dict[str, int]
) -> None:
    _data()
    context = browser.new_context(viewport=viewport, locale="id-ID", is_mobile=viewport is PHONE)
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/publik/")
    assert page.url.endswith(f"/publik/{REGENCY}/")
    assert page.locator("h1").count() == 1
    assert_accessible(page, f"regency page ({label})")
    screenshot(page, f"public-regency-{label}")
    page.goto(f"{base}/publik/{VILLAGE_A1}/")
    assert "Sarongan" in page.locator("h1").inner_text()
    assert_accessible(page, f"village page ({label})")
    screenshot(page, f"public-village-{label}")
    page.get_by_role("navigation", name="Halaman Desa Sarongan").get_by_role("link", name="APBDes").click()
    page.wait_for_url(f"**/publik/{VILLAGE_A1}/apbdes/")
    assert page.locator("svg.chart").count() == 3
    assert_accessible(page, f"budget page ({label})")
    screenshot(page, f"public-apbdes-{label}")
    page.get_by_role("navigation", name="Halaman Desa Sarongan").get_by_role("link", name="Penduduk").click()
    page.wait_for_url(f"**/publik/{VILLAGE_A1}/penduduk/")
    assert page.locator("svg.chart-pyramid").count() == 1
    assert_accessible(page, f"population page ({label})")
    screenshot(page, f"public-penduduk-{label}")
    context.close()


def test_kiosk_information_pages_by_taps(browser: Any, live_server: Any, world: Any) -> None:
    _data()
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True, locale="id-ID")
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/anjungan/{REGENCY}/info/")
    assert_accessible(page, "kiosk regency information")
    screenshot(page, "kiosk-info-regency-portrait")
    page.get_by_role("link", name="Desa dan kelurahan").first.tap()
    page.wait_for_url(f"**/anjungan/{REGENCY}/info/desa/")
    assert_accessible(page, "kiosk village list")
    page.locator(f'a.k-tile[href="/anjungan/{VILLAGE_A1}/info/"]').tap()
    page.wait_for_url(f"**/anjungan/{VILLAGE_A1}/info/")
    assert "Sarongan" in page.locator("h1").inner_text()
    assert_accessible(page, "kiosk village profile")
    screenshot(page, "kiosk-info-village-portrait")
    for label, slug in (("APBDes", "apbdes"), ("Penduduk", "penduduk"), ("Layanan surat", "layanan")):
        page.get_by_role("navigation", name="Informasi Desa Sarongan").get_by_role("link", name=label).tap()
        page.wait_for_url(f"**/anjungan/{VILLAGE_A1}/info/{slug}/")
        assert_accessible(page, f"kiosk {slug}")
        screenshot(page, f"kiosk-info-{slug}-portrait")
    small = page.evaluate(
        """() => [...document.querySelectorAll('.k-info-menu a, .k-info-body a.k-btn, .k-info-body a.k-tile')]
            .filter(a => { const r = a.getBoundingClientRect(); return r.height < 48 || r.width < 48; }).length"""
    )
    assert small == 0
    context.close()
