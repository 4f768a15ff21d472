"""Resident accounts: activation by the village, NIK + PIN login, PIN change and reset,
lockout, and what a logged-in resident may see."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.models import RoleAssignment, User
from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.config import env
from kampung.conftest import DISTRICT_A, VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import KampungError, NotPermitted
from kampung.population import portal, services
from kampung.population.checks import mask_nik
from kampung.population.models import Resident, ResidentAccount, Sex
from kampung.population.tests.factories import make_family, make_resident, nik_for
from kampung.population.views_accounts import SLIP_SESSION_KEY
from kampung.population.views_portal import CLOSED_ACCOUNT, GENERIC_LOGIN_ERROR
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

GOOD_PIN = "284719"


def operator(world, village=VILLAGE_A1):
    return world.user(Role.OPERATOR, village)


def activate(world, resident, village=VILLAGE_A1):
    return portal.account_activate(actor=operator(world, village), resident=resident)


def login(client, nik, pin):
    return client.post(reverse("portal:login"), {"nik": nik, "pin": pin})


def pin_change(client, old, new, again=None):
    return client.post(
        reverse("portal:pin_change"), {"old_pin": old, "new_pin": new, "new_pin_again": again or new}
    )


def audit_text(entry):
    return json.dumps([entry.before, entry.after])


@pytest.fixture
def household(world):
    """A family in Sarongan: the father (adult), his wife and a child; and a neighbour."""
    family = make_family(world, VILLAGE_A1, address="Jl. Pantai 3")
    father = make_resident(
        world, VILLAGE_A1, name="Bambang Sutrisno", birth=dt.date(1980, 3, 5), family=family
    )
    mother = make_resident(
        world,
        VILLAGE_A1,
        name="Sri Wahyuni",
        birth=dt.date(1984, 7, 9),
        sex=Sex.FEMALE,
        family=family,
        attributes={"family_relation": 3, "marital_status": 2},
    )
    neighbour = make_resident(world, VILLAGE_A1, name="Joko Santoso", birth=dt.date(1975, 11, 2))
    return {"family": family, "father": father, "mother": mother, "neighbour": neighbour}


# -- PIN rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pin",
    [
        "123456",
        "000000",
        "111111",
        "999999",
        "654321",
        "012345",
        "345678",
        "121212",
        "123123",
        "12345",
        "abcdef",
    ],
)
def test_trivial_or_malformed_pins_refused(pin):
    assert portal.pin_problem(pin) is not None


def test_birth_date_pin_refused():
    birth = dt.date(1980, 3, 5)
    assert "tanggal lahir" in portal.pin_problem("050380", birth_date=birth)
    assert portal.pin_problem("050380") is None
    assert portal.pin_problem(GOOD_PIN, birth_date=birth) is None


def test_generated_pins_are_six_digits_and_never_trivial():
    birth = dt.date(1980, 3, 5)
    pins = {portal.pin_generate(birth_date=birth) for _ in range(300)}
    assert all(len(p) == 6 and p.isdigit() for p in pins)
    assert all(portal.pin_problem(p, birth_date=birth) is None for p in pins)
    assert len(pins) > 250  # random, not a fixed sequence


# -- activation ------------------------------------------------------------------------------


def test_activation_creates_user_role_account_with_hashed_pin(world, household):
    father = household["father"]
    account, pin = activate(world, father)
    user = account.user
    assert user.username == f"nik-{father.nik}"
    assert user.email == ""
    assert user.full_name == father.name
    assert user.must_change_password
    assert user.password != pin and pin not in user.password
    assert user.password.startswith(get_hasher().algorithm + "$")
    assert user.check_password(pin)
    assert account.active and account.activated_by == operator(world)
    assert account.pin_issued_at is not None
    role = RoleAssignment.objects.get(user=user)
    assert (role.role, role.region_id, role.valid_from) == (Role.RESIDENT, VILLAGE_A1, timezone.localdate())
    entry = AuditEntry.objects.get(act="population.account.activate")
    assert entry.region_code == VILLAGE_A1
    assert entry.role == Role.OPERATOR
    assert entry.object_id == str(account.pk)
    assert pin not in audit_text(entry)
    assert father.nik not in audit_text(entry)
    assert mask_nik(father.nik) in audit_text(entry)


@pytest.mark.parametrize(
    ("role", "village"),
    [
        (Role.OPERATOR, VILLAGE_A2),  # another village
        (Role.FIELD_OFFICER, VILLAGE_A1),
        (Role.TREASURER, VILLAGE_A1),
        (Role.BPD, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
        (Role.CAMAT, DISTRICT_A),
    ],
)
def test_only_writers_of_the_village_may_activate(world, household, role, village):
    with pytest.raises(NotPermitted):
        portal.account_activate(actor=world.user(role, village), resident=household["father"])
    assert not ResidentAccount.objects.exists()
    assert not User.objects.filter(username__startswith="nik-").exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SECRETARY, Role.HEAD])
def test_writers_of_the_village_may_activate(world, household, role):
    account, _pin = portal.account_activate(actor=world.user(role, VILLAGE_A1), resident=household["father"])
    assert account.active


def test_activation_refused_for_children_allowed_for_married_minors(world):
    today = timezone.localdate()
    birth = dt.date(today.year - 12, 6, 15)
    child = make_resident(world, VILLAGE_A1, name="Adi Kecil", birth=birth)
    with pytest.raises(KampungError, match="pemegang KTP"):
        activate(world, child)
    married = make_resident(
        world,
        VILLAGE_A1,
        name="Rina Muda",
        birth=birth,
        sex=Sex.FEMALE,
        attributes={"marital_status": 2},
    )
    account, _pin = activate(world, married)
    assert account.active
    assert ResidentAccount.objects.count() == 1


def test_activation_refused_for_the_dead_invalid_nik_and_twice(world, household):
    father, neighbour, mother = household["father"], household["neighbour"], household["mother"]
    services.death_record(actor=operator(world), resident=neighbour, death_date=dt.date(2024, 1, 2))
    with pytest.raises(KampungError, match="status hidup"):
        activate(world, neighbour)
    Resident.objects.filter(pk=mother.pk).update(nik="3510010000000000")
    mother.refresh_from_db()
    with pytest.raises(KampungError, match="NIK penduduk ini tidak sah"):
        activate(world, mother)
    activate(world, father)
    with pytest.raises(KampungError, match="sudah punya akun"):
        activate(world, father)
    assert ResidentAccount.objects.count() == 1


def test_nik_reused_after_moving_back_gets_a_fresh_account(world):
    resident = make_resident(world, VILLAGE_A1, name="Hadi Purnomo", birth=dt.date(1970, 2, 2))
    old_account, _ = activate(world, resident)
    services.move_out_record(
        actor=operator(world), resident=resident, move_date=dt.date(2024, 1, 1), destination="Jember"
    )
    back = services.move_in_record(
        actor=operator(world, VILLAGE_A2),
        village=Region.objects.get(code=VILLAGE_A2),
        nik=resident.nik,
        name=resident.name,
        birth_date=resident.birth_date,
        sex=resident.sex,
        move_date=dt.date(2024, 6, 1),
        origin="Jember",
    )
    new_account, _ = activate(world, back, VILLAGE_A2)
    old_account.refresh_from_db()
    old_account.user.refresh_from_db()
    assert new_account.user.username == f"nik-{resident.nik}"
    assert old_account.user.username != new_account.user.username
    assert not old_account.user.is_active and not old_account.active


# -- login, PIN change ------------------------------------------------------------------------


def test_first_login_must_change_pin_then_sees_home(client, world, household):
    father = household["father"]
    _account, pin = activate(world, father)
    response = login(client, father.nik, pin)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:pin_change")
    # Every other page sends the resident back to the PIN change, the staff form too.
    assert client.get(reverse("portal:home"))["Location"] == reverse("portal:pin_change")
    assert client.get(reverse("accounts:password_change"))["Location"] == reverse("portal:pin_change")
    page = client.get(reverse("portal:pin_change"))
    assert page.status_code == 200
    assert 'inputmode="numeric"' in page.content.decode()

    refused = pin_change(client, pin, "123456")
    assert refused.status_code == 200
    assert "mudah ditebak" in refused.content.decode()
    refused = pin_change(client, pin, father.birth_date.strftime("%d%m%y"))
    assert "tanggal lahir" in refused.content.decode()
    refused = pin_change(client, "000001", GOOD_PIN)
    assert "PIN lama salah" in refused.content.decode()
    refused = pin_change(client, pin, GOOD_PIN, "284710")
    assert "tidak sama" in refused.content.decode()
    user = User.objects.get(username=f"nik-{father.nik}")
    assert user.must_change_password and user.check_password(pin)

    done = pin_change(client, pin, GOOD_PIN)
    assert done["Location"] == reverse("portal:home")
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(GOOD_PIN)
    assert AuditEntry.objects.filter(act="population.account.pin_change", actor=user).count() == 1
    assert client.get(reverse("portal:home")).status_code == 200  # still logged in

    client.post(reverse("portal:logout"))
    assert client.get(reverse("portal:home"))["Location"].startswith(reverse("portal:login"))
    assert login(client, father.nik, GOOD_PIN)["Location"] == reverse("portal:home")


def test_wrong_nik_and_wrong_pin_get_the_same_answer(client, world, household):
    father = household["father"]
    activate(world, father)
    unknown_nik = nik_for(VILLAGE_A2, dt.date(1960, 1, 1), Sex.MALE, serial=9999)
    for nik, pin in ((father.nik, "000001"), (unknown_nik, GOOD_PIN), (household["neighbour"].nik, GOOD_PIN)):
        response = login(client, nik, pin)
        assert response.status_code == 200
        assert GENERIC_LOGIN_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session
    malformed = login(client, "12345", "12")
    assert "NIK harus 16 angka" in malformed.content.decode()


def test_resident_login_refuses_staff_accounts(client, world):
    nik = nik_for(VILLAGE_A1, dt.date(1980, 1, 1), Sex.MALE, serial=4242)
    staff = User.objects.create_user(username=f"nik-{nik}", password="482913")
    RoleAssignment.objects.create(
        user=staff, role=Role.OPERATOR, region_id=VILLAGE_A1, valid_from=dt.date(2020, 1, 1)
    )
    response = login(client, nik, "482913")
    assert GENERIC_LOGIN_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_login_refuses_resident_accounts_and_residents_land_on_their_page(client, world, household):
    father = household["father"]
    _account, pin = activate(world, father)
    refused = client.post(reverse("accounts:login"), {"username": f"nik-{father.nik}", "password": pin})
    assert refused.status_code == 200
    assert "NIK dan PIN" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    login(client, father.nik, pin)
    pin_change(client, pin, GOOD_PIN)
    assert client.get(reverse("accounts:home"))["Location"] == reverse("portal:home")


def test_staff_get_404_on_resident_pages(client, world):
    client.force_login(operator(world))
    assert client.get(reverse("portal:home")).status_code == 404
    assert client.get(reverse("portal:pin_change")).status_code == 404


def test_lockout_after_configured_failures_and_reset_unlocks(client, world, household):
    father = household["father"]
    _account, pin = activate(world, father)
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == env.LOCKOUT_FAILURES
    responses = [login(client, father.nik, "000001") for _ in range(limit)]
    assert all(r.status_code == 200 for r in responses[:-1])
    assert responses[-1].status_code == 429
    locked = login(client, father.nik, pin)  # even the right PIN while locked
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "dikunci" in text
    assert "kantor desa" in text  # the resident's own lockout page, not the staff one
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"{minutes} menit" in text
    assert "_auth_user_id" not in client.session

    new_pin = portal.pin_reset(actor=operator(world), resident=father, identity_checked=True)
    assert new_pin != pin
    response = login(client, father.nik, new_pin)
    assert response["Location"] == reverse("portal:pin_change")
    assert "_auth_user_id" in client.session


def test_dead_or_moved_resident_cannot_log_in(client, world, household):
    father, mother = household["father"], household["mother"]
    _a, father_pin = activate(world, father)
    _b, mother_pin = activate(world, mother)
    services.death_record(actor=operator(world), resident=father, death_date=dt.date(2024, 5, 1))
    response = login(client, father.nik, father_pin)
    assert CLOSED_ACCOUNT in response.content.decode()
    assert "_auth_user_id" not in client.session

    # Already logged in when the move is recorded: the next page logs her out.
    assert login(client, mother.nik, mother_pin).status_code == 302
    pin_change(client, mother_pin, GOOD_PIN)
    assert client.get(reverse("portal:home")).status_code == 200
    services.move_out_record(
        actor=operator(world), resident=mother, move_date=dt.date(2024, 6, 1), destination="Surabaya"
    )
    response = client.get(reverse("portal:home"))
    assert response["Location"] == reverse("portal:login")
    assert "_auth_user_id" not in client.session
    assert CLOSED_ACCOUNT in login(client, mother.nik, GOOD_PIN).content.decode()


def test_deactivated_account_cannot_log_in_and_can_be_reopened(client, world, household):
    father = household["father"]
    account, pin = activate(world, father)
    portal.account_deactivate(actor=operator(world), resident=father, reason="permintaan warga")
    account.refresh_from_db()
    account.user.refresh_from_db()
    assert not account.active and not account.user.is_active
    assert not RoleAssignment.objects.filter(user=account.user).active_on(timezone.localdate()).exists()
    assert GENERIC_LOGIN_ERROR in login(client, father.nik, pin).content.decode()
    with pytest.raises(KampungError, match="tidak punya akun warga yang aktif"):
        portal.account_deactivate(actor=operator(world), resident=father)
    with pytest.raises(KampungError, match="Aktifkan akunnya dulu"):
        portal.pin_reset(actor=operator(world), resident=father, identity_checked=True)

    again, new_pin = activate(world, father)
    assert again.pk == account.pk and again.active
    assert login(client, father.nik, new_pin)["Location"] == reverse("portal:pin_change")
    entry = AuditEntry.objects.filter(act="population.account.activate").order_by("-pk").first()
    assert entry.after["reopened"] is True
    assert AuditEntry.objects.get(act="population.account.deactivate").after["reason"] == "permintaan warga"


# -- what a resident sees ----------------------------------------------------------------------


def test_home_shows_own_data_in_full_family_masked_and_no_one_else(client, world, household):
    father, mother, neighbour = household["father"], household["mother"], household["neighbour"]
    _account, pin = activate(world, father)
    login(client, father.nik, pin)
    pin_change(client, pin, GOOD_PIN)
    page = client.get(reverse("portal:home"))
    text = page.content.decode()
    assert page.status_code == 200
    assert father.nik in text  # one's own NIK in full
    assert mother.name in text
    assert mask_nik(mother.nik) in text and mother.nik not in text
    assert household["family"].kk_number not in text
    assert mask_nik(household["family"].kk_number) in text
    assert neighbour.name not in text and mask_nik(neighbour.nik) not in text
    assert 'href="/surat/warga/"' in text  # the letters section links to the real requests page
    assert "Kepala keluarga" in text and "WNI" in text  # coded attributes shown by name


def test_resident_cannot_reach_staff_pages(client, world, household):
    father, neighbour = household["father"], household["neighbour"]
    _account, pin = activate(world, father)
    login(client, father.nik, pin)
    pin_change(client, pin, GOOD_PIN)
    for url in (
        reverse("population:account_list"),
        reverse("population:account_detail", args=[father.pk]),
        reverse("population:account_detail", args=[neighbour.pk]),
        reverse("population:account_slip", args=[neighbour.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("population:account_activate", args=[neighbour.pk]))
    assert response.status_code == 404
    response = client.post(
        reverse("population:account_pin_reset", args=[neighbour.pk]), {"identity_checked": "on"}
    )
    assert response.status_code == 404
    assert not ResidentAccount.objects.filter(resident=neighbour).exists()


# -- the operator's pages ---------------------------------------------------------------------


def test_activation_over_http_shows_pin_once(client, world, household):
    father = household["father"]
    client.force_login(operator(world))
    detail = client.get(reverse("population:account_detail", args=[father.pk]))
    assert detail.status_code == 200 and "Aktifkan akun" in detail.content.decode()
    response = client.post(reverse("population:account_activate", args=[father.pk]))
    assert response["Location"] == reverse("population:account_slip", args=[father.pk])
    slip = client.get(response["Location"])
    pin = slip.context["pin"]
    text = slip.content.decode()
    user = User.objects.get(username=f"nik-{father.nik}")
    assert pin and user.check_password(pin)
    assert pin in text
    assert father.name in text and mask_nik(father.nik) in text and father.nik not in text
    assert "Sarongan" in text
    assert reverse("portal:login") in text
    assert "no-store" in slip["Cache-Control"] or "no-cache" in slip["Cache-Control"]
    assert SLIP_SESSION_KEY not in client.session
    again = client.get(reverse("population:account_slip", args=[father.pk]))
    assert again.status_code == 200
    assert again.context["pin"] is None
    assert pin not in again.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert "tidak dapat ditampilkan lagi" in again.content.decode()
    # Activating twice is refused with a message, not an error page.
    second = client.post(reverse("population:account_activate", args=[father.pk]), follow=True)
    assert "sudah punya akun" in second.content.decode()


def test_pin_reset_needs_identity_check(client, world, household):
    father = household["father"]
    _account, old_pin = activate(world, father)
    client.force_login(operator(world))
    refused = client.post(reverse("population:account_pin_reset", args=[father.pk]), {})
    assert refused.status_code == 400
    assert "KTP asli" in refused.content.decode()
    user = User.objects.get(username=f"nik-{father.nik}")
    assert user.check_password(old_pin)
    assert not AuditEntry.objects.filter(act="population.account.pin_reset").exists()
    with pytest.raises(KampungError, match="KTP aslinya"):
        portal.pin_reset(actor=operator(world), resident=father, identity_checked=False)

    response = client.post(
        reverse("population:account_pin_reset", args=[father.pk]), {"identity_checked": "on"}
    )
    slip = client.get(response["Location"])
    new_pin = slip.context["pin"]
    assert slip.context["kind"] == "reset"
    user.refresh_from_db()
    assert user.check_password(new_pin) and not user.check_password(old_pin)
    assert user.must_change_password
    entry = AuditEntry.objects.get(act="population.account.pin_reset")
    assert entry.after["identity_checked"] is True
    assert new_pin not in audit_text(entry) and old_pin not in audit_text(entry)


def test_other_village_operator_gets_404(client, world, household):
    father = household["father"]
    client.force_login(operator(world, VILLAGE_A2))
    assert client.get(reverse("population:account_detail", args=[father.pk])).status_code == 404
    assert client.post(reverse("population:account_activate", args=[father.pk])).status_code == 404
    assert client.post(reverse("population:account_deactivate", args=[father.pk])).status_code == 404
    assert not ResidentAccount.objects.exists()


def test_deactivate_over_http(client, world, household):
    father = household["father"]
    activate(world, father)
    client.force_login(operator(world))
    response = client.post(
        reverse("population:account_deactivate", args=[father.pk]), {"reason": "meninggal"}, follow=True
    )
    assert "dinonaktifkan" in response.content.decode()
    assert not ResidentAccount.objects.get(resident=father).active


def test_account_list_scoped_searchable_and_bounded(client, world, household):
    activate(world, household["father"])
    activate(world, household["mother"])
    other = make_resident(world, VILLAGE_A2, name="Wawan Setiawan", birth=dt.date(1985, 4, 4))
    activate(world, other, VILLAGE_A2)
    client.force_login(operator(world))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("population:account_list"))
    assert len(queries) <= 15
    text = page.content.decode()
    assert household["father"].name in text and household["mother"].name in text
    assert other.name not in text
    found = client.get(reverse("population:account_list"), {"q": "wahyu"}).content.decode()
    assert household["mother"].name in found and household["father"].name not in found
    by_nik = client.get(reverse("population:account_list"), {"q": household["father"].nik}).content.decode()
    assert household["father"].name in by_nik and household["mother"].name not in by_nik
    nothing = client.get(reverse("population:account_list"), {"q": "zzzqqq"}).content.decode()
    assert "Tidak ada akun warga yang cocok" in nothing
    # The district sees accounts of its villages, masked, and cannot manage them.
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    text = client.get(reverse("population:account_list")).content.decode()
    assert other.name in text and household["father"].name in text
    assert household["father"].nik not in text and mask_nik(household["father"].nik) in text
    assert "Kelola" not in text


def test_account_list_empty_state(client, world):
    client.force_login(operator(world))
    page = client.get(reverse("population:account_list"))
    assert page.status_code == 200
    assert "Belum ada akun warga" in page.content.decode()


# -- in a browser ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_activate_print_slip_and_first_login(page, live_server, world, household):
    from kampung.conftest import PASSWORD

    father = household["father"]
    page.goto(f"{live_server.url}/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(operator(world).username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/wilayah/**")
    page.goto(f"{live_server.url}{reverse('population:account_detail', args=[father.pk])}")
    page.get_by_role("button", name="Aktifkan dan cetak slip PIN").click()
    page.wait_for_url("**/slip-pin/")
    pin = page.get_by_test_id("pin").inner_text().strip()
    assert len(pin) == 6 and pin.isdigit()
    # Printed, the slip stands alone: no menu, no buttons, the PIN still there.
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.get_by_role("button", name="Cetak slip").is_visible()
    assert page.get_by_test_id("pin").is_visible()
    page.emulate_media(media="screen")
    page.reload()
    assert page.get_by_test_id("pin").count() == 0
    page.context.clear_cookies()

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}{reverse('portal:login')}")
    assert page.get_by_label("PIN (6 angka)").get_attribute("inputmode") == "numeric"
    page.get_by_label("NIK (16 angka, lihat KTP atau KK)").fill(father.nik)
    page.get_by_label("PIN (6 angka)").fill(pin)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/warga/ganti-pin/")
    page.get_by_label("PIN lama (dari slip PIN)").fill(pin)
    page.locator("#id_new_pin").fill(GOOD_PIN)
    page.get_by_label("Ulangi PIN baru").fill(GOOD_PIN)
    page.get_by_role("button", name="Simpan PIN baru").click()
    page.wait_for_url(f"**{reverse('portal:home')}")
    assert page.get_by_test_id("own-nik").inner_text() == father.nik
    assert page.get_by_text(household["mother"].name).is_visible()
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide
