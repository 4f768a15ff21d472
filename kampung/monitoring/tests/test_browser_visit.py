"""Browser test (phone-sized screen): a district officer opens a kegiatan from the district's
list, records a visit with a photo taken by the camera (a JPEG with EXIF GPS), and reads the
visit, its place and its photo in the timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, VILLAGE_A1
from kampung.conftest import browser_login as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_district_officer_records_a_visit_on_a_phone(
    browser: Any, live_server: Any, world: Any, settings: Any, tmp_path: Path
) -> None:
    from django.utils import timezone

    from kampung.monitoring.models import FieldVisit, PhotoLocation
    from kampung.monitoring.tests.test_visits_support import ROAD, enacted, figure, jpeg

    settings.MEDIA_ROOT = tmp_path / "media"
    year = timezone.localdate().year  # the visit is dated today (the form's default)
    enacted(VILLAGE_A1, year)
    figure(VILLAGE_A1, year=year, name="Rabat beton Dusun Krajan")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID")
    page = context.new_page()
    base = live_server.url
    try:
        _login(page, base, world.user(Role.DISTRICT_OFFICER, DISTRICT_A))
        page.goto(f"{base}/pemantauan/{DISTRICT_A}/lapangan/?tahun={year}")
        page.get_by_role("link", name=f"{ROAD} Rabat beton Dusun Krajan").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/pemantauan/desa/{VILLAGE_A1}/kegiatan/{year}/{ROAD}/")
        # Long kegiatan names wrap: nothing is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        form = page.get_by_test_id("visit-form")
        box = form.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        photos = page.locator('input[name="photos"]')
        assert photos.get_attribute("capture") == "environment"
        assert photos.get_attribute("accept") == "image/*"
        page.get_by_label("Kemajuan fisik (%)").fill("35")
        photos.set_input_files({"name": "IMG_20260610.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
        page.get_by_label("Catatan").fill("Pengecoran ruas pertama selesai.")
        page.get_by_label("Temuan dan tindak lanjut").fill("Drainase samping belum digali.")
        page.get_by_test_id("visit-save").click()
        page.wait_for_load_state()
        visit = FieldVisit.objects.get()
        assert f"#kunjungan-{visit.pk}" in page.url
        assert "Kunjungan lapangan tercatat." in page.content()
        entry = page.locator(f"#kunjungan-{visit.pk}")
        assert "Drainase samping belum digali." in entry.inner_text()
        assert "35" in entry.get_by_test_id("timeline-percent").inner_text()
        assert "-8.553428, 114.175000" in entry.get_by_test_id("photo-facts").inner_text()
        image = entry.locator("img").first
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10_000
        )
        photo = visit.photos.get()
        assert photo.location_source == PhotoLocation.EXIF and photo.latitude is not None
    finally:
        context.close()
