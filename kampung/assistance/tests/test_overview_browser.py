"""In a browser on a phone-sized screen: the regency follows a programme from the assistance
home into a district, and the admin changes a weight on the criteria sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kampung.accounts.roles import Role
from kampung.assistance.models import Case, CaseStatus, Criterion
from kampung.assistance.tests.factories import household, make_case, programmes
from kampung.conftest import REGENCY, VILLAGE_A1
from kampung.conftest import browser_login as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page: Any) -> bool:
    """Nothing but the tables' own scroll boxes is wider than the screen."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_regency_drills_into_a_district_and_admin_edits_a_weight(
    page: Any, live_server: Any, world: Any
) -> None:
    rtlh, _ = programmes()
    year = dt.date.today().year
    family, head = household(world, VILLAGE_A1)
    case = make_case(rtlh, family, head, status=CaseStatus.DONE, amount=17_500_000, year=year)
    Case.objects.filter(pk=case.pk).update(stage_since=case.created_at)
    page.set_viewport_size(PHONE)
    base = live_server.url

    _login(page, base, world.user(Role.DPMD, REGENCY))
    page.get_by_role("link", name="Bantuan", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("home-programme").first.is_visible()
    page.get_by_test_id("home-programme").filter(has_text="Bedah Rumah").get_by_role(
        "link", name="Lihat ringkasan"
    ).click()
    page.wait_for_load_state()
    assert "Per kecamatan" in page.content()
    assert _fits(page)
    page.get_by_test_id("overview-table").get_by_role("link", name="Pesanggaran").click()
    page.wait_for_load_state()
    row = page.get_by_test_id("overview-table").locator("tr", has_text="Sarongan")
    assert "Rp 17.500.000" in row.inner_text()
    assert _fits(page)

    _login(page, base, world.user(Role.ADMIN, REGENCY))
    page.goto(f"{base}/bantuan/program/rtlh/kriteria/")
    criterion = Criterion.objects.get(programme=rtlh, code="RTLH-R01")
    page.get_by_label("Bobot RTLH-R01").fill("25")
    page.locator(f"#k{criterion.pk}").get_by_role("button", name="Simpan").click()
    page.wait_for_load_state()
    assert "Kriteria RTLH-R01 disimpan" in page.content()
    criterion.refresh_from_db()
    assert criterion.weight == 25
