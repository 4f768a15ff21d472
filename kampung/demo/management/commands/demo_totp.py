"""``kampung demo_totp [USERNAME]``: the current two-factor code of demo officials.

Visitors of the demo sign in as officials who must type a 6-digit code after the password;
without a phone they take it from here. Only in a database that holds the demo, and only for
the demo's own accounts: a real account's code is never printed.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kampung.demo.cast import demo_usernames
from kampung.demo.services import built_seed


class Command(BaseCommand):
    help = "Print the current two-factor (TOTP) code of the demo's officials (all, or one user name)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="one demo user name (default: every demo official)")

    def handle(self, *args: Any, **options: Any) -> None:
        if built_seed() is None:
            raise CommandError("Basis data ini tidak berisi demo; kode hanya dicetak untuk akun demo.")
        names = demo_usernames()
        wanted = options.get("username")
        if wanted:
            if wanted not in names:
                raise CommandError(f"'{wanted}' bukan akun demo; kode hanya dicetak untuk akun demo.")
            names = [wanted]
        devices = (
            TOTPDevice.objects.filter(user__username__in=names, confirmed=True)
            .select_related("user")
            .order_by("user__username")
        )
        rows = [(d.user.username, *_code_now(d)) for d in devices]
        if not rows:
            raise CommandError(
                f"'{wanted}' tidak memakai verifikasi dua langkah."
                if wanted
                else "Tidak ada akun demo dengan TOTP."
            )
        width = max(len(name) for name, _, _ in rows)
        for name, code, seconds in rows:
            self.stdout.write(f"{name.ljust(width)}  {code}  (berlaku {seconds} detik lagi)")


def _code_now(device: TOTPDevice) -> tuple[str, int]:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    left = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", left
