"""Two-factor sign-in (TOTP) for the officials who sign, approve or pay: enrolment, the code
step, backup codes, the lock on wrong codes, the admin's reset, and the middleware's cost."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kampung.accounts import services_two_factor as tf
from kampung.accounts.models import User
from kampung.accounts.roles import Role
from kampung.accounts.services import assignment_add, user_create
from kampung.audit.models import AuditEntry
from kampung.conftest import (
    DISTRICT_A,
    PASSWORD,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    login_with_code,
    make_other_regency,
    totp_code,
)
from kampung.regions.models import Region

STEP = reverse("accounts:two_factor")


def _code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _wrong_code(user: Any) -> str:
    right = totp_code(user)
    return "000000" if right != "000000" else "111111"


def _login(client: Client, user: Any) -> Any:
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})


def _new_head(username: str = "kades.baru") -> Any:
    return user_create(
        actor=None,
        username=username,
        full_name="Kades Baru",
        role=Role.HEAD,
        region=Region.objects.get(code=VILLAGE_A2),
        valid_from=dt.date(2020, 1, 1),
        password=PASSWORD,
    ).user


def test_by_default_the_officials_who_sign_approve_or_pay_need_it():
    assert set(settings.KAMPUNG_TWO_FACTOR_ROLES) == {
        Role.HEAD,
        Role.SECRETARY,
        Role.TREASURER,
        Role.CAMAT,
        Role.DPMD,
        Role.ADMIN,
        Role.BUPATI,
    }


def test_first_sign_in_sets_up_the_app_and_shows_backup_codes_once(client, world):
    head = _new_head()
    response = _login(client, head)
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    # Until the step is passed, nothing else opens; the page asked for is kept for afterwards.
    blocked = client.get(reverse("population:resident_list"))
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{STEP}?{urlencode({'next': reverse('population:resident_list')})}"
    assert client.get(reverse("accounts:password_change")).status_code == 302
    api = client.get("/api/v1/regions/")
    assert api.status_code == 401 and api.json()["code"] == "verifikasi_dua_langkah"

    page = client.get(blocked["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Pasang verifikasi dua langkah" in html
    assert "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    secret = tf.secret_base32(device)
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", html)
    assert tf.secret_grouped(device).replace(" ", "") == secret
    assert "otpauth" not in html  # the link is inside the QR code only
    # Reloading shows the same secret (the device waits for its first code).
    assert tf.secret_grouped(device) in client.get(STEP).content.decode()

    wrong = client.post(STEP, {"code": "12345", "next": reverse("population:resident_list")})
    assert wrong.status_code == 200 and "Kode salah" in wrong.content.decode()
    assert AuditEntry.objects.filter(act="accounts.two_factor.failure", object_id=str(head.pk)).count() == 1

    done = client.post(STEP, {"code": _code_for(device), "next": reverse("population:resident_list")})
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == tf.BACKUP_CODES == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed and device.throttling_failure_count == 0
    assert set(StaticToken.objects.filter(device__user=head).values_list("token", flat=True)) == set(codes)
    assert AuditEntry.objects.filter(act="accounts.two_factor.enrol", object_id=str(head.pk)).exists()
    # Verified: the page asked for opens (a head of A2 reads its residents).
    assert client.get(reverse("population:resident_list")).status_code == 200
    # The codes are never shown again: the step now simply sends the user on.
    assert client.get(STEP).status_code == 302


def test_code_step_with_the_app_or_a_backup_code(client, world):
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    response = _login(client, secretary)
    assert response["Location"].startswith(STEP)
    key_before = client.session.session_key
    page = client.get(response["Location"])
    assert "Verifikasi dua langkah" in page.content.decode() and "<svg" not in page.content.decode()
    done = client.post(response["Location"], {"code": totp_code(secretary)})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:home")
    assert client.session.session_key != key_before  # a verified session gets a new key
    assert client.get(reverse("population:resident_list")).status_code == 200
    # The same code is not accepted twice (replay).
    client.post(reverse("accounts:logout"))
    device = TOTPDevice.objects.get(user=secretary)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + device.last_t * device.step
    _login(client, secretary)
    replay = client.post(STEP, {"code": f"{totp.token():06d}"})
    assert replay.status_code == 200 and "Kode salah" in replay.content.decode()

    codes = tf._new_backup_codes(secretary)
    with_backup = client.post(STEP, {"code": codes[0].upper()[:4] + "-" + codes[0][4:]})
    assert with_backup.status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert AuditEntry.objects.filter(
        act="accounts.two_factor.backup_used", object_id=str(secretary.pk)
    ).exists()
    client.post(reverse("accounts:logout"))
    _login(client, secretary)
    used_again = client.post(STEP, {"code": codes[0]})
    assert used_again.status_code == 200 and "Kode salah" in used_again.content.decode()


def test_roles_without_the_requirement_go_straight_in(client, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    response = _login(client, operator)
    assert response.status_code == 302 and not response["Location"].startswith(STEP)
    assert client.get(reverse("population:resident_list")).status_code == 200
    assert client.get(STEP).status_code == 302  # nothing to do there


def test_wrong_codes_lock_the_step_for_the_account_not_the_office(client, world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    limit = settings.AXES_FAILURE_LIMIT
    _login(client, head)
    answers = [client.post(STEP, {"code": _wrong_code(head)}) for _ in range(limit)]
    assert all(a.status_code == 200 for a in answers[:-1])
    assert "Sisa percobaan" in answers[0].content.decode()
    locked = answers[-1]
    assert locked.status_code == 429 and "dikunci" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # the session ended
    failures = AuditEntry.objects.filter(act="accounts.two_factor.failure", object_id=str(head.pk))
    assert failures.count() == limit
    assert AuditEntry.objects.filter(act="accounts.two_factor.lockout", object_id=str(head.pk)).count() == 1

    # Signing in again with the password leads to the same lock, even with the right code.
    _login(client, head)
    again = client.post(STEP, {"code": totp_code(head)})
    assert again.status_code == 429
    # A colleague at the same office (same address) is not affected.
    colleague = Client()
    assert login_with_code(colleague, world.user(Role.SECRETARY, VILLAGE_A1)).status_code == 302
    assert colleague.get(reverse("population:resident_list")).status_code == 200

    # After the cool-off the right code works and the count starts again.
    later = timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        fresh = Client()
        assert login_with_code(fresh, head).status_code == 302
        assert fresh.get(reverse("population:resident_list")).status_code == 200
    assert TOTPDevice.objects.get(user=head).throttling_failure_count == 0


def test_admin_resets_a_users_two_factor_and_open_sessions_must_enrol_again(client, world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    head_client = Client()
    head_client.force_login(head)
    assert head_client.get(reverse("population:resident_list")).status_code == 200
    tf._new_backup_codes(head)

    admin = world.user(Role.ADMIN, REGENCY)
    client.force_login(admin)
    detail = client.get(reverse("accounts:user_detail", args=[head.pk])).content.decode()
    assert "Terpasang sejak" in detail and "Atur ulang verifikasi dua langkah" in detail
    response = client.post(reverse("accounts:user_two_factor_reset", args=[head.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=head).exists()
    assert not StaticDevice.objects.filter(user=head).exists()
    assert AuditEntry.objects.filter(act="accounts.two_factor.reset", object_id=str(head.pk)).exists()
    detail = client.get(reverse("accounts:user_detail", args=[head.pk])).content.decode()
    assert "Wajib, belum dipasang" in detail

    # The head's open session lost its verification and goes to set up an app again.
    blocked = head_client.get(reverse("population:resident_list"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(STEP)
    assert "Pasang verifikasi dua langkah" in head_client.get(STEP).content.decode()

    # Not for oneself; and another regency's admin does not even find the user.
    own = client.post(reverse("accounts:user_two_factor_reset", args=[admin.pk]), follow=True)
    assert "tidak dapat diatur ulang" in own.content.decode()
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    other_admin, _operator = make_other_regency()
    outsider = Client()
    outsider.force_login(other_admin)
    assert outsider.post(reverse("accounts:user_two_factor_reset", args=[admin.pk])).status_code == 404
    # Nor does a non-admin.
    camat = Client()
    camat.force_login(world.user(Role.CAMAT, DISTRICT_A))
    assert camat.post(reverse("accounts:user_two_factor_reset", args=[head.pk])).status_code == 404


def test_user_sees_the_status_and_renews_backup_codes_after_a_code(client, world):
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    old = tf._new_backup_codes(treasurer)
    client.force_login(treasurer)
    url = reverse("accounts:two_factor_settings")
    page = client.get(url).content.decode()
    assert "Terpasang sejak" in page and "10 dari 10" in page
    wrong = client.post(url, {"code": _wrong_code(treasurer)})
    assert wrong.status_code == 200 and "Kode salah" in wrong.content.decode()
    backup_instead = client.post(url, {"code": old[0]})  # only a code from the app renews them
    assert backup_instead.status_code == 200 and "Kode salah" in backup_instead.content.decode()
    renewed = client.post(url, {"code": totp_code(treasurer)})
    assert renewed.status_code == 200 and "no-store" in renewed["Cache-Control"]
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", renewed.content.decode())
    assert len(codes) == 10 and not set(codes) & set(old)
    assert set(StaticToken.objects.filter(device__user=treasurer).values_list("token", flat=True)) == set(
        codes
    )
    assert AuditEntry.objects.filter(act="accounts.two_factor.backup_renew").count() == 1
    # An operator is told the step is not required.
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    assert "Tidak" in client.get(url).content.decode()


def test_a_role_that_needs_it_given_during_a_session_applies_at_once(client, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A2)
    client.force_login(operator)
    assert client.get(reverse("population:resident_list")).status_code == 200
    assignment_add(
        actor=world.user(Role.ADMIN, REGENCY),
        user=operator,
        role=Role.SECRETARY,
        region=Region.objects.get(code=VILLAGE_A1),
    )
    response = client.get(reverse("population:resident_list"))
    assert response.status_code == 302 and response["Location"].startswith(STEP)


def test_the_check_costs_no_query_per_request(client, world):
    """The code step's state lives in the session: a verified official's page costs what an
    operator's does, and no query touches the devices."""

    def queries_for(user: Any) -> list[str]:
        c = Client()
        c.force_login(user)
        c.get(reverse("accounts:password_change"))  # warm up (the last-seen time is set)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("accounts:password_change")).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    operator = queries_for(world.user(Role.OPERATOR, VILLAGE_A1))
    head = queries_for(world.user(Role.HEAD, VILLAGE_A1))
    assert len(head) == len(operator)
    assert not [q for q in head if "otp_" in q]


def test_bad_input_on_the_step_gets_a_message_not_an_error(client, world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    _login(client, head)
    for code in ("", "x" * 500, "12 34 56 78 90", "\x00", "ＡＢＣ"):
        response = client.post(STEP, {"code": code})
        assert response.status_code in (200, 429)
    # An outside "next" is never followed.
    assert client.post(STEP, {"code": totp_code(head), "next": "https://example.org/"})[
        "Location"
    ] == reverse("accounts:home")


def test_unknown_roles_in_the_setting_are_refused():
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured
    from django.test import override_settings

    with (
        override_settings(KAMPUNG_TWO_FACTOR_ROLES=["kades", "raja"]),
        pytest.raises(ImproperlyConfigured, match="raja"),
    ):
        apps.get_app_config("accounts").ready()


@pytest.mark.django_db
def test_new_users_of_other_roles_have_no_device():
    user = user_create(actor=None, username="tanpa.peran", full_name="Tanpa Peran", password=PASSWORD).user
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert User.objects.get(pk=user.pk).two_factor_epoch == 0
