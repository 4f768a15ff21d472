"""Browser test: an operator takes a counter request, the village head signs it, the PDF opens."""

from __future__ import annotations

from typing import Any

import pytest

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.conftest import browser_login as _login
from kampung.letters.models_requests import LetterRequest
from kampung.letters.tests.requests_support import (
    DOMISILI,
    letters_env,  # noqa: F401 - fixture
    person,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("letters_env"),
]


def test_operator_takes_a_counter_request_and_the_head_signs_it(
    page: Any, live_server: Any, world: Any
) -> None:
    from kampung.letters.loader import catalogue_ensure

    catalogue_ensure()
    siti = person(world, name="Siti Browser Lestari")
    base = live_server.url

    _login(page, base, world.user(Role.OPERATOR, VILLAGE_A1))
    page.goto(f"{base}/surat/permohonan/")
    page.get_by_role("link", name="Catat permohonan di loket").click()
    page.get_by_label("Nama, NIK atau nomor KK").fill("Siti Browser")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("link", name="Pilih").click()
    page.get_by_role("link", name="Keterangan Domisili", exact=True).click()
    page.get_by_label("Keperluan").fill("Mendaftar kerja")
    page.get_by_role("button", name="Simpan permohonan").click()
    page.wait_for_url("**/surat/permohonan/*/")
    request = LetterRequest.objects.get(requester=siti, letter_type__slug=DOMISILI)
    assert page.get_by_test_id("req-code").inner_text() == request.code_display
    page.get_by_role("button", name="Verifikasi (data sesuai buku induk)").click()
    assert page.get_by_test_id("req-status").inner_text().startswith("Diverifikasi")

    _login(page, base, world.user(Role.HEAD, VILLAGE_A1))
    page.goto(f"{base}/surat/permohonan/?antrian=tandatangan")
    assert page.get_by_test_id("count-tandatangan").inner_text() == "1"
    page.get_by_role("button", name="Tanda tangani").click()
    page.wait_for_load_state()
    request.refresh_from_db()
    assert request.status == "ditandatangani" and request.document is not None
    page.goto(f"{base}/surat/permohonan/{request.code}/")
    assert page.get_by_test_id("req-number").inner_text() == request.document.number
    href = page.get_by_test_id("req-pdf").get_attribute("href")
    response = page.request.get(f"{base}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
