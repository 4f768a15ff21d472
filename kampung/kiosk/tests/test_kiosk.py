"""The touch kiosk over HTTP: home screens, the letter request by NIK + PIN and every
refusal, the slip, status by tracking code and document verification."""

from __future__ import annotations

import time
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.kiosk import services_kiosk
from kampung.letters import services_requests as letters
from kampung.letters.models import LetterType, RequirementDocument
from kampung.letters.models_requests import Channel, LetterRequest
from kampung.letters.tests.requests_support import (
    DOMISILI,
    KEMATIAN,
    letters_env,  # noqa: F401 - fixture
    mark_dead,
    person,
)
from kampung.population import portal
from kampung.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_env")]

PIN = "284719"


# --- shared with the browser tests ------------------------------------------------------------


def resident_with_pin(world: Any, village: str = VILLAGE_A1, *, change_pin: bool = True, **kw: Any) -> Any:
    """A living resident with an open account; ``change_pin``: the one-time PIN was replaced
    by :data:`PIN` (else ``resident.one_time_pin`` is the PIN the operator printed)."""
    resident = person(world, village, **kw)
    account, one_time = portal.account_activate(actor=world.user(Role.OPERATOR, village), resident=resident)
    if change_pin:
        portal.pin_change(user=account.user, old_pin=one_time, new_pin=PIN)
    else:
        resident.one_time_pin = one_time
    return resident


def issued_letter(world: Any, resident: Any, village: str = VILLAGE_A1) -> Any:
    """A Keterangan Domisili taken at the counter, verified and signed by the head: the
    document it issued (numbered, with its verification code)."""
    request = letters.request_submit(
        actor=world.user(Role.OPERATOR, village),
        village=Region.objects.get(code=village),
        channel=Channel.COUNTER,
        data=letters.RequestInput(
            letter_type=LetterType.objects.get(slug=DOMISILI), requester=resident, purpose="Melamar kerja"
        ),
    )
    letters.request_verify(actor=world.user(Role.OPERATOR, village), request=request)
    letters.request_sign(actor=world.user(Role.HEAD, village), request=request)
    request.refresh_from_db()
    return request.document


# --- helpers -------------------------------------------------------------------------------------


def url(name: str, code: str = VILLAGE_A1, **kw: Any) -> str:
    return reverse(f"kiosk:{name}", kwargs={"code": code, **kw})


def identify(client: Client, nik: str, pin: str = PIN, code: str = VILLAGE_A1) -> Any:
    return client.post(url("request_start", code), {"nik": nik, "pin": pin})


def fill_domisili(client: Client, purpose: str = "Melamar pekerjaan", **extra: str) -> Any:
    return client.post(url("request_form", slug=DOMISILI), {"isian__keperluan": purpose, **extra})


def text(response: Any) -> str:
    return response.content.decode()


def nothing_written() -> None:
    assert not LetterRequest.objects.exists()


# --- home, root and reset -------------------------------------------------------------------------


def test_root_goes_to_the_served_regency(client: Client, world: Any) -> None:
    response = client.get(reverse("kiosk:root"))
    assert response.status_code == 302 and response["Location"] == url("home", REGENCY)


def test_root_without_any_served_region_is_a_friendly_page(client: Client, db: Any) -> None:
    response = client.get(reverse("kiosk:root"))
    assert response.status_code == 200 and "belum diatur" in text(response)


def test_village_home_has_the_tiles_and_no_store(client: Client, world: Any) -> None:
    response = client.get(url("home"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = text(response)
    for href in (
        url("request_start"),
        url("status"),
        url("verify"),
        reverse("queue:take", kwargs={"code": VILLAGE_A1}),
        reverse("kiosk:info", kwargs={"code": VILLAGE_A1, "page": "layanan"}),
        reverse("kiosk:info_home", kwargs={"code": VILLAGE_A1}),
        reverse("kiosk:info_home", kwargs={"code": REGENCY}),
    ):
        assert f'href="{href}"' in body
    assert 'data-idle="60"' in body


def test_regency_home_picks_a_district_then_a_village(client: Client, world: Any) -> None:
    body = text(client.get(url("home", REGENCY)))
    assert f"?kecamatan={DISTRICT_A}" in body and url("request_start", REGENCY) not in body
    body = text(client.get(url("home", REGENCY), {"kecamatan": DISTRICT_A}))
    assert f'href="{url("home", VILLAGE_A1)}"' in body and f'href="{url("home", VILLAGE_A2)}"' in body
    assert url("home", VILLAGE_B1) not in body
    # Junk or another regency's district: back to the district list, never an error.
    for junk in ("35.09.01", "x" * 500, "35.10.01\x00", "35.10.01.2001"):
        response = client.get(url("home", REGENCY), {"kecamatan": junk, "hal": "zz"})
        assert response.status_code == 200 and "Pilih kecamatan" in text(response)


@pytest.mark.parametrize("code", ["35.09", "35.10.01", "99.99.99.9999", "x" * 300, "35.10\x00"])
def test_unknown_or_district_codes_are_not_found(client: Client, world: Any, code: str) -> None:
    assert client.get(url("home", code)).status_code == 404


def test_request_pages_are_only_at_village_kiosks(client: Client, world: Any) -> None:
    assert client.get(url("request_start", REGENCY)).status_code == 404
    assert client.get(url("status", REGENCY)).status_code == 200
    assert client.get(url("verify", REGENCY)).status_code == 200


def test_reset_forgets_the_resident(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    identify(client, siti.nik)
    assert services_kiosk.SESSION_KEY in client.session
    assert client.get(url("reset")).status_code == 302  # GET: harmless, nothing forgotten
    response = client.post(url("reset"))
    assert response.status_code == 302 and response["Location"] == url("home")
    assert services_kiosk.SESSION_KEY not in client.session
    assert client.get(url("request_type")).status_code == 302


# --- the letter request -----------------------------------------------------------------------------


def test_a_resident_requests_a_letter_and_gets_the_slip(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    kk = RequirementDocument.objects.get_or_create(name="Fotokopi KK")[0]
    LetterType.objects.get(slug=DOMISILI).requirements.set([kk])

    start = client.get(url("request_start"))
    assert 'data-pad="angka"' in text(start) and 'type="password"' in text(start)
    response = identify(client, siti.nik)
    assert response.status_code == 302 and response["Location"] == url("request_type")
    assert "_auth_user_id" not in client.session  # never logged in
    visit = client.session[services_kiosk.SESSION_KEY]
    assert visit["resident"] == siti.pk and visit["village"] == VILLAGE_A1

    body = text(client.get(url("request_type")))
    assert url("request_form", slug=DOMISILI) in body
    assert url("request_form", slug=KEMATIAN) not in body  # not self-service
    assert "Fotokopi KK" in body and "hari kerja" in body

    form = text(client.get(url("request_form", slug=DOMISILI)))
    assert 'type="file"' not in form and "Bawa ke loket saat mengambil surat" in form
    assert 'data-pad="huruf"' in form and 'inputmode="none"' in form

    response = fill_domisili(client)
    assert response.status_code == 302 and response["Location"] == url("request_confirm", slug=DOMISILI)
    confirm = text(client.get(url("request_confirm", slug=DOMISILI)))
    assert "Melamar pekerjaan" in confirm and siti.name in confirm and "Ya, ajukan" in confirm
    nothing_written()

    response = client.post(url("request_confirm", slug=DOMISILI))
    request = LetterRequest.objects.get()
    assert response["Location"] == url("request_done", tracking=request.code)
    assert request.channel == Channel.KIOSK and request.requester == siti and request.created_by is None
    assert request.purpose == "Melamar pekerjaan"
    assert not request.attachments.exists()  # the copy of the KK is brought to the counter
    visit = client.session[services_kiosk.SESSION_KEY]
    assert "resident" not in visit and "draft" not in visit  # the resident is forgotten

    done = client.get(response["Location"])
    body = text(done)
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    assert request.code_display in body and "k-slip" in body and "data-print" in body
    assert "Fotokopi KK" in body and "Keterangan Domisili" in body
    assert siti.nik not in body

    # The resident must identify again for another letter.
    assert client.get(url("request_type"))["Location"] == url("request_start")


def test_the_request_joins_the_counters_queue(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    kk = RequirementDocument.objects.get_or_create(name="Fotokopi KK")[0]
    LetterType.objects.get(slug=DOMISILI).requirements.set([kk])
    identify(client, siti.nik)
    fill_domisili(client)
    client.post(url("request_confirm", slug=DOMISILI))
    request = LetterRequest.objects.get()
    staff = Client()
    staff.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    queue = text(staff.get(reverse("letters:queue"), {"antrian": "verifikasi"}))
    assert request.code_display in queue and "Anjungan mandiri" in queue
    detail = text(staff.get(reverse("letters:request_detail", kwargs={"code": request.code})))
    assert "Fotokopi KK" in detail and "belum diperiksa — dibawa pemohon ke loket" in detail


def test_a_double_tap_makes_one_request(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    identify(client, siti.nik)
    fill_domisili(client)
    before = client.session[services_kiosk.SESSION_KEY]  # what the second tap's request read
    first = client.post(url("request_confirm", slug=DOMISILI))
    session = client.session
    session[services_kiosk.SESSION_KEY] = before  # it arrives before the first one saved
    session.save()
    second = client.post(url("request_confirm", slug=DOMISILI))
    assert LetterRequest.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert client.get(second["Location"]).status_code == 200


def test_a_draft_submitted_twice_returns_the_first_request(world: Any) -> None:
    siti = resident_with_pin(world)
    village = Region.objects.get(code=VILLAGE_A1)
    data = letters.RequestInput(
        letter_type=LetterType.objects.get(slug=DOMISILI), requester=siti, purpose="Melamar kerja"
    )
    drafted = time.time() - 5
    first, created = services_kiosk.kiosk_request_submit(village=village, data=data, drafted_at=drafted)
    again, created_again = services_kiosk.kiosk_request_submit(village=village, data=data, drafted_at=drafted)
    assert created and not created_again and again.pk == first.pk
    later, created_later = services_kiosk.kiosk_request_submit(
        village=village, data=data, drafted_at=time.time()
    )
    assert created_later and later.pk != first.pk


def test_the_subject_may_be_a_family_member_only(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    child = person(world, name="Anak Siti", family=siti.family)
    stranger = person(world, name="Tetangga Jauh")
    identify(client, siti.nik)
    response = fill_domisili(client, subjek__nik_register=stranger.nik)
    assert response.status_code == 400 and "tidak ditemukan" in text(response)
    response = fill_domisili(client, subjek__nik_register=child.nik)
    assert response.status_code == 302
    confirm = text(client.get(url("request_confirm", slug=DOMISILI)))
    assert "Anak Siti" in confirm and child.nik not in confirm
    client.post(url("request_confirm", slug=DOMISILI))
    assert LetterRequest.objects.get().parties.get(key="subjek").resident == child


def test_wrong_pin_is_refused_and_counted(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    response = identify(client, siti.nik, "902817")
    assert response.status_code == 400 and "NIK atau PIN salah" in text(response)
    assert AccessAttempt.objects.get(username=portal.username_for(siti.nik)).failures_since_start == 1
    # An unknown NIK gets the very same answer.
    response = identify(client, "3510010101900001", "902817")
    assert "NIK atau PIN salah" in text(response)
    assert services_kiosk.SESSION_KEY not in client.session
    nothing_written()


def test_lockout_gets_the_kiosks_own_page(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    limit = settings.AXES_FAILURE_LIMIT
    responses = [identify(client, siti.nik, "902817") for _ in range(limit)]
    assert responses[-1].status_code == 429
    locked = identify(client, siti.nik, PIN)  # even the right PIN while locked
    body = text(locked)
    assert locked.status_code == 429 and "dikunci" in body and "k-top" in body  # the kiosk frame
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"{minutes} menit" in body
    assert services_kiosk.SESSION_KEY not in client.session


def test_success_clears_earlier_failures(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    identify(client, siti.nik, "902817")
    identify(client, siti.nik, PIN)
    assert not AccessAttempt.objects.filter(username=portal.username_for(siti.nik)).exists()


def test_a_resident_of_another_village_is_sent_to_their_own(client: Client, world: Any) -> None:
    other = resident_with_pin(world, VILLAGE_A2, name="Warga Pesanggaran")
    response = identify(client, other.nik)
    assert response.status_code == 400 and "terdaftar di desa lain" in text(response)
    assert services_kiosk.SESSION_KEY not in client.session
    nothing_written()


def test_a_resident_no_longer_living_is_refused(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    mark_dead(siti)
    response = identify(client, siti.nik)
    assert response.status_code == 400 and "masih tercatat hidup" in text(response)
    assert services_kiosk.SESSION_KEY not in client.session


def test_a_closed_account_is_refused(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    portal.account_deactivate(actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=siti)
    response = identify(client, siti.nik)
    assert response.status_code == 400 and "NIK atau PIN salah" in text(response)
    assert services_kiosk.SESSION_KEY not in client.session


def test_a_one_time_pin_must_be_changed_first(client: Client, world: Any) -> None:
    siti = resident_with_pin(world, change_pin=False)
    response = identify(client, siti.nik, siti.one_time_pin)
    body = text(response)
    assert response.status_code == 400 and "Ganti PIN dulu" in body and "petugas loket" in body
    assert reverse("queue:take", kwargs={"code": VILLAGE_A1}) in body  # still served at the counter
    assert services_kiosk.SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "nik,pin",
    [
        ("", ""),
        ("12345", PIN),
        ("351001abcdefghij", PIN),
        ("3510010101900001\x00", PIN),
        ("9" * 5000, PIN),
        ("3510010101900001", "12\x0034"),
        ("3510010101900001", "x" * 5000),
    ],
)
def test_junk_identification_is_refused_without_an_attempt(
    client: Client, world: Any, nik: str, pin: str
) -> None:
    response = identify(client, nik, pin)
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()
    assert services_kiosk.SESSION_KEY not in client.session


def test_a_stale_visit_starts_again(client: Client, world: Any, settings: Any) -> None:
    siti = resident_with_pin(world)
    identify(client, siti.nik)
    fill_domisili(client)
    session = client.session
    visit = session[services_kiosk.SESSION_KEY]
    visit["at"] = time.time() - services_kiosk.visit_ttl_seconds() - 1
    session[services_kiosk.SESSION_KEY] = visit
    session.save()
    response = client.post(url("request_confirm", slug=DOMISILI))
    assert response.status_code == 302 and response["Location"] == url("request_start")
    assert "Waktu sesi habis" in text(client.get(response["Location"]))
    nothing_written()


def test_a_visit_belongs_to_its_village(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    identify(client, siti.nik)
    response = client.get(url("request_type", VILLAGE_A2))
    assert response["Location"] == url("request_start", VILLAGE_A2)


def test_types_not_offered_or_not_self_service_are_refused(client: Client, world: Any) -> None:
    from kampung.letters.models import VillageLetterSetting

    siti = resident_with_pin(world)
    identify(client, siti.nik)
    for slug in (KEMATIAN, "tidak-ada", "x" * 80):
        response = client.get(url("request_form", slug=slug))
        assert response.status_code == 302 and response["Location"] == url("request_type")
        assert client.post(url("request_confirm", slug=slug)).status_code == 302
    VillageLetterSetting.objects.create(
        village_id=VILLAGE_A1, letter_type=LetterType.objects.get(slug=DOMISILI), enabled=False
    )
    assert fill_domisili(client)["Location"] == url("request_type")
    assert url("request_form", slug=DOMISILI) not in text(client.get(url("request_type")))
    nothing_written()


def test_missing_or_junk_fields_are_refused(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    identify(client, siti.nik)
    for data in (
        {"isian__keperluan": ""},
        {"isian__keperluan": "x" * 5000},
        {"isian__keperluan": "Kerja\x00"},
        {"isian__keperluan": "Kerja", "subjek__nik_register": "abc"},
    ):
        response = client.post(url("request_form", slug=DOMISILI), data)
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            # The form alone may pass; the confirmation re-checks and sends it back.
            confirm = client.post(url("request_confirm", slug=DOMISILI))
            assert confirm["Location"] == url("request_form", slug=DOMISILI)
    nothing_written()
    # Confirming with no draft goes back to the form.
    assert client.post(url("request_confirm", slug=DOMISILI))["Location"] == url(
        "request_form", slug=DOMISILI
    )
    nothing_written()


def test_the_done_page_is_only_for_the_screen_that_made_the_request(client: Client, world: Any) -> None:
    siti = resident_with_pin(world)
    identify(client, siti.nik)
    fill_domisili(client)
    done_url = client.post(url("request_confirm", slug=DOMISILI))["Location"]
    assert client.get(done_url).status_code == 200
    stranger = Client()
    response = stranger.get(done_url)
    assert response.status_code == 302 and response["Location"] == url("status")
    assert siti.name not in text(stranger.get(response["Location"]))
    # Not at another village's kiosk, and not after the screen was reset.
    other = done_url.replace(VILLAGE_A1, VILLAGE_A2)
    assert client.get(other).status_code == 302
    client.post(url("reset"))
    assert client.get(done_url).status_code == 302
    assert client.get(url("request_done", tracking="x" * 300)).status_code == 302


def test_methods_other_than_get_and_post_are_refused(client: Client, world: Any) -> None:
    assert client.put(url("request_start")).status_code == 405
    assert client.post(url("status")).status_code == 405
    assert client.delete(url("home")).status_code == 405


# --- status ---------------------------------------------------------------------------------------


def test_status_by_tracking_code_shows_no_personal_data(client: Client, world: Any) -> None:
    siti = resident_with_pin(world, name="Siti Rahasia Sekali")
    identify(client, siti.nik)
    fill_domisili(client, purpose="Keperluan pribadi sekali")
    client.post(url("request_confirm", slug=DOMISILI))
    request = LetterRequest.objects.get()
    letters.request_verify(actor=world.user(Role.OPERATOR, VILLAGE_A1), request=request)

    stranger = Client()
    page = text(stranger.get(url("status")))
    assert 'data-pad="kode"' in page and 'data-keys="3479ACEFHJKMNPRTWXY"' in page
    for typed in (request.code_display, request.code.lower(), request.code):
        response = stranger.get(url("status"), {"kode": typed})
        body = text(response)
        assert response.status_code == 200 and "Diverifikasi" in body
        assert "Keterangan Domisili" in body and "Sarongan" in body and "Target selesai" in body
        for secret in (siti.name, siti.nik, siti.family.kk_number, "Keperluan pribadi", "Krajan", siti.phone):
            assert secret not in body
    # At the regency kiosk too.
    assert "Diverifikasi" in text(stranger.get(url("status", REGENCY), {"kode": request.code}))


@pytest.mark.parametrize("kode", ["ACEF-3479", "", "0000-0000", "x" * 3000, "ACEF\x003479", "<script>"])
def test_unknown_or_junk_tracking_codes_get_a_clear_message(client: Client, world: Any, kode: str) -> None:
    response = client.get(url("status"), {"kode": kode})
    assert response.status_code in (400, 404)
    body = text(response)
    assert "tidak ditemukan" in body or "Kode permohonan" in body or "Masukkan kode" in body
    assert "<script>" not in body


# --- verification -----------------------------------------------------------------------------------


def test_verify_finds_an_issued_document(client: Client, world: Any) -> None:
    siti = person(world, name="Siti Pemegang Surat")
    document = issued_letter(world, siti)
    page = text(client.get(url("verify")))
    assert 'data-pad="kode"' in page and 'data-keys="23456789ABCDEFGHJKMNPQRSTUVWXYZ"' in page
    for typed in (document.code_display, document.verification_code.lower()):
        response = client.get(url("verify"), {"kode": typed})
        body = text(response)
        assert response.status_code == 200 and "Dokumen asli dan berlaku" in body
        assert document.number in body and siti.nik not in body and "no-store" in response["Cache-Control"]
    assert "Dokumen asli" in text(client.get(url("verify", REGENCY), {"kode": document.code_display}))


@pytest.mark.parametrize("kode", ["ABCDE-FGHJK", "", "x" * 3000, "ABCDE\x00FGHJK", "11111-11111"])
def test_verify_refuses_junk_and_unknown_codes(client: Client, world: Any, kode: str) -> None:
    response = client.get(url("verify"), {"kode": kode})
    assert response.status_code in (400, 404)
    body = text(response)
    assert "tidak ditemukan" in body or "Kode verifikasi" in body or "Masukkan kode" in body
