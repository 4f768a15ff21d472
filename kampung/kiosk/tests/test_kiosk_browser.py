"""The kiosk by touch in Chromium, at portrait 1080x1920 and landscape 1920x1080: request a
letter with the on-screen keypads, see the tracking code and print the slip, check its
status, verify a document, take a queue ticket, and the idle reset. Every key is tapped;
every page is scanned by axe-core and its touch targets measured; screenshots are kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kampung.conftest import REGENCY, VILLAGE_A1
from kampung.kiosk.tests.support import assert_accessible, screenshot
from kampung.kiosk.tests.test_kiosk import PIN, issued_letter, person, resident_with_pin
from kampung.letters.models_requests import Channel, LetterRequest
from kampung.letters.tests.requests_support import DOMISILI, letters_env  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("letters_env"),
]

ORIENTATIONS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
MIN_TARGET = 48

# Every visible link, button and pad key, with its size (hidden ones and the printed-only
# slip have no box).
SMALL_TARGETS_JS = """(min) => Array.from(document.querySelectorAll('a[href], button, [role=button]'))
  .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const r = el.getBoundingClientRect();
               return {text: (el.textContent || '').trim().slice(0, 40), w: r.width, h: r.height}; })
  .filter(b => b.w < min || b.h < min)"""


@pytest.fixture
def kiosk_page(browser: Any, request: Any) -> Iterator[Any]:
    width, height = ORIENTATIONS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, locale="id-ID")
    # The receipt printer: count the prints instead of opening a dialog.
    context.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page = context.new_page()
    page.orientation = request.param
    yield page
    context.close()


def check(page: Any, step: str) -> None:
    """Screenshot, accessibility scan and touch-target sizes of the page as it is now."""
    screenshot(page, f"kiosk-{page.orientation}-{step}")
    assert_accessible(page, f"kiosk {step} ({page.orientation})")
    small = page.evaluate(SMALL_TARGETS_JS, MIN_TARGET)
    assert not small, f"touch targets under {MIN_TARGET} px on {step} ({page.orientation}): {small}"


def tap_keys(page: Any, field: Any, keys: str) -> None:
    """Touch the field (its pad opens), tap every key on the screen's pad, then OK."""
    field.tap()
    pad = page.locator(".pad")
    pad.wait_for(state="visible")
    for key in keys:
        pad.locator(f'button[data-key="{key}"]').tap()
    pad.locator('button[data-key="ok"]').tap()
    pad.wait_for(state="hidden")


def tap_and_wait(page: Any, target: Any, url_glob: str) -> None:
    with page.expect_navigation(url=url_glob):
        target.tap()


@pytest.mark.parametrize("kiosk_page", list(ORIENTATIONS), indirect=True)
def test_kiosk_by_touch(kiosk_page: Any, live_server: Any, world: Any, settings: Any) -> None:
    from kampung.letters.loader import catalogue_ensure

    catalogue_ensure()  # the live server's tests flush the database, the catalogue with it
    page = kiosk_page
    siti = resident_with_pin(world, name="Siti Anjungan")
    document = issued_letter(world, person(world, name="Pemegang Surat"))
    home = f"{live_server.url}/anjungan/{VILLAGE_A1}/"

    page.goto(home)
    check(page, "01-home")

    # Request a letter: NIK and PIN on the number pad.
    tap_and_wait(page, page.get_by_test_id("tile-request"), "**/surat/")
    tap_keys(page, page.get_by_label("NIK (16 angka di KTP)", exact=True), siti.nik)
    page.get_by_label("PIN (6 angka)", exact=True).tap()
    screenshot(page, f"kiosk-{page.orientation}-02-pin-pad")
    assert_accessible(page, "kiosk PIN pad")
    for key in PIN:
        page.locator(f'.pad button[data-key="{key}"]').tap()
    page.locator('.pad button[data-key="ok"]').tap()
    assert page.get_by_label("NIK (16 angka di KTP)", exact=True).input_value() == siti.nik
    check(page, "03-identify")
    tap_and_wait(page, page.get_by_role("button", name="Lanjut"), "**/surat/jenis/")
    check(page, "04-type")
    tap_and_wait(
        page, page.get_by_role("link", name="Keterangan Domisili", exact=False).first, f"**/{DOMISILI}/"
    )
    tap_keys(page, page.get_by_label("Keperluan", exact=True), "KERJA")
    assert page.get_by_label("Keperluan", exact=True).input_value() == "Kerja"
    check(page, "05-form")
    tap_and_wait(page, page.get_by_role("button", name="Lanjut: periksa"), "**/periksa/")
    check(page, "06-confirm")
    tap_and_wait(page, page.get_by_role("button", name="Ya, ajukan"), "**/surat/selesai/*/")
    request = LetterRequest.objects.get(requester=siti)
    assert request.channel == Channel.KIOSK and request.purpose == "Kerja"
    assert page.get_by_test_id("tracking-code").inner_text() == request.code_display
    check(page, "07-done")
    page.get_by_role("button", name="Cetak slip").tap()
    assert page.evaluate("window.__printed") == 1
    assert page.locator(".k-slip").get_attribute("aria-label") == "Slip permohonan"

    # Its status, typed on the code pad (the dash comes by itself).
    tap_and_wait(page, page.get_by_role("link", name="⌂ Beranda"), home)
    tap_and_wait(page, page.get_by_test_id("tile-status"), "**/status/")
    tap_keys(page, page.get_by_label("Kode permohonan (di slip)", exact=True), request.code)
    assert page.get_by_label("Kode permohonan (di slip)", exact=True).input_value() == request.code_display
    tap_and_wait(page, page.get_by_role("button", name="Cek status"), "**/status/?kode=*")
    assert page.get_by_test_id("status-label").inner_text() == "Diajukan"
    assert siti.name not in page.content()
    check(page, "08-status")

    # Verify a document by its code.
    tap_and_wait(page, page.get_by_role("link", name="⌂ Beranda"), home)
    tap_and_wait(page, page.get_by_test_id("tile-verify"), "**/cek/")
    code_field = page.get_by_label("Kode verifikasi (di bawah kode QR)", exact=True)
    tap_keys(page, code_field, document.verification_code[:3] + "Z")
    code_field.tap()
    page.locator('.pad button[data-key="hapus"]').tap()  # a slip of the finger, taken back
    for key in document.verification_code[3:]:
        page.locator(f'.pad button[data-key="{key}"]').tap()
    page.locator('.pad button[data-key="ok"]').tap()
    assert code_field.input_value() == document.code_display
    tap_and_wait(page, page.get_by_role("button", name="Cek dokumen"), "**/cek/?kode=*")
    assert page.get_by_test_id("verify-number").inner_text() == document.number
    check(page, "09-verify")

    # A queue ticket (no NIK or PIN needed).
    tap_and_wait(page, page.get_by_role("link", name="⌂ Beranda"), home)
    tap_and_wait(page, page.get_by_test_id("tile-queue"), "**/antrian/*/ambil/")
    check(page, "10-queue")
    tap_and_wait(page, page.locator("button[data-testid^=take-]").first, "**/antrian/*/tiket/*/")
    check(page, "11-ticket")

    # Idle: the screen forgets the resident and goes home by itself.
    settings.KAMPUNG_KIOSK_IDLE_SECONDS = 3
    page.goto(f"{home}surat/")
    tap_keys(page, page.get_by_label("NIK (16 angka di KTP)", exact=True), siti.nik)
    tap_keys(page, page.get_by_label("PIN (6 angka)", exact=True), PIN)
    tap_and_wait(page, page.get_by_role("button", name="Lanjut"), "**/surat/jenis/")
    assert page.locator("body").get_attribute("data-idle") == "3"
    settings.KAMPUNG_KIOSK_IDLE_SECONDS = 60  # the home page it returns to keeps still
    page.wait_for_url(home, timeout=10_000)
    check(page, "12-idle-home")
    page.goto(f"{home}surat/jenis/")
    assert page.url == f"{home}surat/"  # forgotten on the server too
    assert "Waktu sesi habis" in page.content()

    # The regency's kiosk: a district, then a village, by touch.
    page.goto(f"{live_server.url}/anjungan/{REGENCY}/")
    check(page, "13-regency")
    tap_and_wait(page, page.get_by_role("link", name="Pesanggaran").first, "**/?kecamatan=*")
    check(page, "14-district")
    tap_and_wait(page, page.get_by_role("link", name="Desa Sarongan"), home)
