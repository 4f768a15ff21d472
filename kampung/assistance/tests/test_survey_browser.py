"""Browser test (phone-sized screen): the village field officer opens a registered case, fills
the house survey, attaches the four photos taken with the camera (JPEGs with EXIF GPS), sends
it and reads the score and "Layak" on the case page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.conftest import browser_login as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_field_officer_fills_the_survey_with_photos_on_a_phone(
    browser: Any, live_server: Any, world: Any, settings: Any, tmp_path: Path
) -> None:
    from kampung.assistance.models import CasePhoto, CaseStatus, LocationSource
    from kampung.assistance.tests.factories import rtlh_answers
    from kampung.assistance.tests.test_cases_helpers import jpeg, registered_case

    settings.MEDIA_ROOT = tmp_path / "media"
    case = registered_case(world, VILLAGE_A1)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID")
    page = context.new_page()
    base = live_server.url
    try:
        _login(page, base, world.user(Role.FIELD_OFFICER, VILLAGE_A1))
        page.goto(f"{base}/bantuan/kasus/{case.pk}/")
        page.get_by_test_id("survey-link").click()
        page.wait_for_load_state()
        form = page.locator("form.survey-form")
        box = form.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        # Each camera field opens the rear camera on a phone.
        for kind in ("atap", "dinding", "lantai", "jamban"):
            field = page.locator(f'input[name="photo_{kind}"]')
            assert field.get_attribute("capture") == "environment"
            assert field.get_attribute("accept") == "image/*"
            field.set_input_files(
                {
                    "name": f"IMG_{kind}.jpg",
                    "mimeType": "image/jpeg",
                    "buffer": jpeg(color=(len(kind) * 20, 90, 60)),
                }
            )
        for code, value in rtlh_answers().items():
            if value in ("", None):
                continue
            radio = page.locator(f'#f-{code} input[type="radio"][value="{value}"]')
            if radio.count():
                radio.check()
            else:
                page.locator(f'input[name="{code}"]').fill(str(value))
        page.get_by_label("Catatan petugas").fill("Atap bocor di kamar tidur.")
        page.get_by_test_id("survey-submit").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/bantuan/kasus/{case.pk}/")
        assert "Layak" in page.get_by_test_id("case-status").inner_text()
        assert page.get_by_test_id("case-score").inner_text() == "100"
        assert page.get_by_test_id("score-section").is_visible()
        case.refresh_from_db()
        assert case.status == CaseStatus.ELIGIBLE
        photos = list(CasePhoto.objects.filter(case=case))
        assert len(photos) == 4
        assert all(p.location_source == LocationSource.EXIF and p.latitude is not None for p in photos)
        # The photos show on the case page (served through the scoped view).
        first = page.locator(".photo-grid img").first
        first.scroll_into_view_if_needed()
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=first.element_handle(), timeout=10_000
        )
    finally:
        context.close()
