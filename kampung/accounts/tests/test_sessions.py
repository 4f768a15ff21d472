"""Sessions: a new key at sign-in, cleared at logout, ended after idle minutes and after the
absolute age, with a clear message."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.middleware import LOGIN_AT_KEY, SEEN_KEY
from kampung.accounts.roles import Role
from kampung.conftest import PASSWORD, VILLAGE_A1

PAGE = "population:resident_list"


def test_sign_in_gives_a_new_session_key_and_logout_clears_the_session(client, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    client.get(reverse("accounts:login"))
    session = client.session
    session["jejak"] = "sebelum masuk"
    session.save()
    before = session.session_key
    client.post(reverse("accounts:login"), {"username": operator.username, "password": PASSWORD})
    after = client.session
    assert after.session_key != before and after.get("_auth_user_id") == str(operator.pk)
    assert isinstance(after.get(LOGIN_AT_KEY), int) and isinstance(after.get(SEEN_KEY), int)

    from django.contrib.sessions.models import Session

    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=after.session_key).exists()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse(PAGE)).status_code == 302


def test_an_idle_session_ends_with_a_clear_message(client, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    idle = dt.timedelta(minutes=settings.KAMPUNG_SESSION_IDLE_MINUTES)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(operator)
        assert client.get(reverse(PAGE)).status_code == 200
    # Busy: a request every few minutes keeps the session going past the idle limit.
    for minutes in range(10, int(idle.total_seconds() // 60) * 3, 10):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse(PAGE)).status_code == 200
    last = start + dt.timedelta(minutes=minutes)
    with time_machine.travel(last + idle + dt.timedelta(minutes=1), tick=False):
        response = client.get(reverse(PAGE), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
        html = response.content.decode()
        assert "Sesi Anda berakhir" in html and "tidak ada aktivitas" in html
        assert "_auth_user_id" not in client.session


def test_a_session_ends_after_the_absolute_age_however_busy(client, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(operator)
    step = dt.timedelta(minutes=max(1, settings.KAMPUNG_SESSION_IDLE_MINUTES - 5))
    at = start
    limit = start + dt.timedelta(hours=settings.KAMPUNG_SESSION_HOURS)
    while at + step <= limit:
        at += step
        with time_machine.travel(at, tick=False):
            assert client.get(reverse(PAGE)).status_code == 200
    with time_machine.travel(at + step, tick=False):
        response = client.get(reverse(PAGE), follow=True)
        assert "_auth_user_id" not in client.session
        assert f"lebih dari {settings.KAMPUNG_SESSION_HOURS} jam" in response.content.decode()


def test_the_last_seen_time_is_written_at_most_once_a_minute(client, world):
    """Not a session write on every request: the check costs nothing on a busy page."""
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(operator)
        stamp = client.session[SEEN_KEY]
        client.get(reverse(PAGE))
        assert client.session[SEEN_KEY] == stamp
    with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
        client.get(reverse(PAGE))
        assert client.session[SEEN_KEY] == stamp + 90
