"""Every place that sets a password applies the rules: the user's own change, an account made
with a password, the one-time passwords the admin and ``kampung init`` hand out, and the
resident's PIN (its own rules)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse

from kampung.accounts.models import User
from kampung.accounts.roles import Role
from kampung.accounts.services import one_time_password, user_create, user_reset_password
from kampung.conftest import PASSWORD, REGENCY, VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.population import portal


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Pendek-1", "terlalu pendek"),
        ("9081726354651", "seluruhnya terdiri dari angka"),
        ("password123", "terlalu umum"),
    ],
)
def test_own_password_change_refuses_weak_passwords(client, world, new, message):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    client.force_login(operator)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert message in response.content.decode().lower()
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD)


def test_own_password_change_refuses_one_like_the_user_name(client, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    client.force_login(operator)
    like_name = operator.username + "x"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": like_name, "new_password2": like_name},
    )
    assert response.status_code == 200 and "terlalu mirip" in response.content.decode().lower()


@pytest.mark.django_db
def test_an_account_made_with_a_password_must_meet_the_rules():
    with pytest.raises(KampungError, match="terlalu pendek"):
        user_create(actor=None, username="lemah", full_name="Sandi Lemah", password="abc123")
    assert not User.objects.filter(username="lemah").exists()


@pytest.mark.django_db
def test_one_time_passwords_meet_the_rules_and_must_be_changed(world):
    user = world.user(Role.OPERATOR, VILLAGE_A1)
    for _ in range(200):
        validate_password(one_time_password(), user)
    secret = user_reset_password(actor=world.user(Role.ADMIN, REGENCY), user=user)
    validate_password(secret, user)
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(secret)


@pytest.mark.django_db
def test_init_command_hands_out_a_one_time_password(capsys):
    from django.core.management import call_command

    from kampung.conftest import ensure_regions

    ensure_regions()
    call_command("init", "--regency", REGENCY, "--admin", "admin@kabupaten.go.id")
    admin = User.objects.get(email="admin@kabupaten.go.id")
    assert admin.must_change_password
    out = capsys.readouterr().out
    shown = [w for w in out.split() if admin.check_password(w)]
    assert len(shown) == 1
    validate_password(shown[0], admin)


@pytest.mark.parametrize("pin", ["12345", "111111", "123456", "654321", "120588"])
def test_resident_pins_follow_their_own_rules(pin):
    assert portal.pin_problem(pin, birth_date=dt.date(1988, 5, 12)) is not None


def test_a_good_pin_passes():
    assert portal.pin_problem("284719", birth_date=dt.date(1988, 5, 12)) is None
