"""Browser test of the counter's queue: a resident taps a service on the portrait kiosk and
gets a ticket, the counter staff call it, and the waiting-room TV shows it by itself."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1, browser_login
from kampung.kiosk import services_queue as svc
from kampung.kiosk.models import QueueTicket, TicketStatus
from kampung.kiosk.tests.support import assert_accessible, screenshot
from kampung.regions.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_take_a_ticket_call_it_and_see_it_on_the_display(browser: Any, live_server: Any, world: Any) -> None:
    base = live_server.url
    svc.services_for(Region.objects.get(code=VILLAGE_A1))

    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True, locale="id-ID")
    tv = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="id-ID")
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    try:
        page = kiosk.new_page()
        page.goto(f"{base}/antrian/{VILLAGE_A1}/ambil/")
        expect(page.get_by_role("heading", name="Ambil nomor antrian")).to_be_visible()
        assert_accessible(page, "queue take (kiosk, portrait)")
        screenshot(page, "queue-take-portrait")
        page.get_by_test_id("take-A").tap()
        page.wait_for_url("**/tiket/*/")
        expect(page.get_by_test_id("ticket-label")).to_have_text("A-001")
        expect(page.get_by_test_id("ticket-ahead")).to_have_text("Anda berikutnya")
        expect(page.get_by_role("button", name="Cetak tiket")).to_be_visible()
        assert_accessible(page, "queue ticket (kiosk, portrait)")
        screenshot(page, "queue-ticket-portrait")
        # A second tap on the same service shows the same ticket, not a new number.
        page.goto(f"{base}/antrian/{VILLAGE_A1}/ambil/")
        page.get_by_test_id("take-A").tap()
        page.wait_for_url("**/tiket/*/")
        expect(page.get_by_test_id("ticket-label")).to_have_text("A-001")
        assert QueueTicket.objects.count() == 1

        screen = tv.new_page()
        screen.goto(f"{base}/antrian/{VILLAGE_A1}/layar/")
        expect(screen.get_by_test_id("now-label")).to_have_text("—")
        assert_accessible(screen, "queue display (1920x1080)")

        staff = desk.new_page()
        browser_login(staff, base, world.user(Role.OPERATOR, VILLAGE_A1))
        staff.goto(f"{base}/antrian/{VILLAGE_A1}/loket/")
        staff.get_by_label("Loket Anda").select_option("2")
        staff.get_by_role("button", name="Pakai loket ini").click()
        expect(staff.get_by_test_id("desk-counter")).to_contain_text("Loket 2")
        expect(staff.get_by_test_id("waiting-A")).to_have_text("1")
        staff.get_by_role("button", name="Panggil berikutnya: Surat-menyurat").click()
        expect(staff.get_by_role("status").first).to_contain_text("Memanggil A-001 ke Loket 2.")
        expect(staff.get_by_test_id("called-A-001")).to_be_visible()
        assert_accessible(staff, "queue desk")
        screenshot(staff, "queue-desk")

        # The TV polls its feed every few seconds and shows the call without a reload.
        expect(screen.get_by_test_id("now-label")).to_have_text("A-001", timeout=15_000)
        expect(screen.locator("[data-q=now-counter]")).to_have_text("silakan ke Loket 2")
        assert_accessible(screen, "queue display with a call")
        screenshot(screen, "queue-display-landscape")

        staff.get_by_role("button", name="Selesai A-001").click()
        expect(staff.get_by_role("status").first).to_contain_text("A-001 selesai dilayani.")
        assert QueueTicket.objects.get().status == TicketStatus.DONE
    finally:
        kiosk.close()
        tv.close()
        desk.close()
