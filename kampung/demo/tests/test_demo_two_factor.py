"""Demo officials who sign, approve or pay have an authenticator whose secret the demo prints,
and ``kampung demo_totp`` prints their current code, for demo accounts only."""

from __future__ import annotations

from base64 import b32encode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kampung.accounts.models import User
from kampung.accounts.services import user_create
from kampung.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_prints_each_officials_secret_and_the_current_code(capsys):
    call_command("demo", "--no-serve", "--seed", "5")
    out = capsys.readouterr().out
    head = User.objects.get(username="kades.sarongan")
    device = TOTPDevice.objects.get(user=head, confirmed=True)
    secret = b32encode(device.bin_key).decode()
    assert "Kunci TOTP" in out and "kampung demo_totp" in out
    head_line = next(line for line in out.splitlines() if line.startswith("kades.sarongan "))
    assert secret in head_line
    operator_line = next(line for line in out.splitlines() if line.startswith("operator.sarongan "))
    assert operator_line.rstrip().endswith("-")
    assert not TOTPDevice.objects.filter(user__username="operator.sarongan").exists()

    call_command("demo_totp", "kades.sarongan")
    printed = capsys.readouterr().out.split()
    assert printed[0] == "kades.sarongan"
    code = printed[1]
    assert len(code) == 6 and code.isdigit()

    client = Client()
    login = client.post(reverse("accounts:login"), {"username": "kades.sarongan", "password": DEMO_PASSWORD})
    assert login.status_code == 302 and login["Location"].startswith(reverse("accounts:two_factor"))
    assert client.post(login["Location"], {"code": code}).status_code == 302
    assert client.get(reverse("population:resident_list")).status_code == 200

    call_command("demo_totp")
    every = capsys.readouterr().out
    assert "bupati" in every and "camat.glagah" in every and "operator.sarongan" not in every
    # A second build reuses the devices: the secrets stay.
    call_command("demo", "--no-serve")
    assert secret in capsys.readouterr().out


def test_demo_totp_prints_nothing_for_other_accounts():
    with pytest.raises(CommandError, match="tidak berisi demo"):
        call_command("demo_totp", "kades.sarongan")
    call_command("demo", "--no-serve", "--seed", "5")
    with pytest.raises(CommandError, match="bukan akun demo"):
        call_command("demo_totp", "orang-lain")
    with pytest.raises(CommandError, match="tidak memakai"):
        call_command("demo_totp", "operator.sarongan")
    user_create(actor=None, username="orang-lain", full_name="Orang Lain", password="sandi-Panjang-123")
    with pytest.raises(CommandError, match="bukan akun demo"):
        call_command("demo_totp", "orang-lain")
