"""Every login form locks an account after the configured number of failures (django-axes),
answers a locked account with its lockout page (429, never a 500), and keys the lock on the
account: a colleague or neighbour behind the same office or kiosk address still gets in.
(The two-factor code step has its own count: test_two_factor.py.)"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import PASSWORD, VILLAGE_A1
from kampung.kiosk.tests.test_kiosk import PIN, identify, resident_with_pin
from kampung.letters.tests.requests_support import person
from kampung.population import portal

OFFICE = {"REMOTE_ADDR": "10.20.30.40"}


def _staff_login(client: Client, username: str, password: str) -> object:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **OFFICE)


def test_staff_login_locks_the_account_not_the_office(world):
    victim = world.user(Role.OPERATOR, VILLAGE_A1)
    colleague = world.user(Role.FIELD_OFFICER, VILLAGE_A1)
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    answers = [_staff_login(client, victim.username, "salah-sekali") for _ in range(limit)]
    assert all(a.status_code == 200 for a in answers[:-1])
    assert answers[-1].status_code == 429
    locked = _staff_login(client, victim.username, PASSWORD)  # the right password while locked
    assert locked.status_code == 429 and "dikunci sementara" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username=victim.username)
    assert attempt.failures_since_start >= limit
    assert _staff_login(Client(), colleague.username, PASSWORD).status_code == 302


def _portal_login(client: Client, nik: str, pin: str) -> object:
    return client.post(reverse("portal:login"), {"nik": nik, "pin": pin}, **OFFICE)


def test_resident_portal_locks_the_account_not_the_address(world):
    siti = resident_with_pin(world)
    neighbour = person(world, name="Budi Santoso")
    account, one_time = portal.account_activate(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=neighbour
    )
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    answers = [_portal_login(client, siti.nik, "902817") for _ in range(limit)]
    assert answers[-1].status_code == 429
    locked = _portal_login(client, siti.nik, PIN)
    assert locked.status_code == 429 and "dikunci" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert _portal_login(Client(), neighbour.nik, one_time).status_code == 302


def test_kiosk_pin_locks_the_account_not_the_kiosk(world):
    siti = resident_with_pin(world)
    neighbour = resident_with_pin(world, name="Budi Santoso")
    kiosk = Client()
    limit = settings.AXES_FAILURE_LIMIT
    answers = [identify(kiosk, siti.nik, "902817") for _ in range(limit)]
    assert answers[-1].status_code == 429
    locked = identify(kiosk, siti.nik, PIN)
    assert locked.status_code == 429 and "dikunci" in locked.content.decode()
    # The next resident at the same kiosk (same address) is served.
    assert identify(kiosk, neighbour.nik, PIN).status_code == 302
