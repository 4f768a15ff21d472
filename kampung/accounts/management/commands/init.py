"""``kampung init --regency 73.24 --admin EMAIL``: an empty deployment for a real regency."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampung.accounts.roles import Role
from kampung.accounts.services import user_create
from kampung.core.errors import KampungError
from kampung.regions.models import Level, Region
from kampung.regions.services import parse_code, regions_load


class Command(BaseCommand):
    help = "Set up an empty deployment: load a regency's regions and create its first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--regency", required=True, help="Kemendagri regency code, e.g. 73.24")
        parser.add_argument("--admin", required=True, help="the first admin's e-mail (also the user name)")
        parser.add_argument("--name", default="Admin Kabupaten", help="the admin's full name")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["regency"].strip()
        email = options["admin"].strip().lower()
        if "@" not in email:
            raise CommandError("--admin harus berupa alamat surel.")
        try:
            level, _ = parse_code(code)
        except KampungError as exc:
            raise CommandError(exc.message) from exc
        if level != Level.REGENCY:
            raise CommandError(f"{code} bukan kode kabupaten/kota (bentuknya 35.10).")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = regions_load(prefix=code)
        except KampungError as exc:
            raise CommandError(exc.message) from exc
        regency = Region.objects.get(code=code)
        try:
            created = user_create(
                actor=None,
                username=email,
                email=email,
                full_name=options["name"],
                position_title="Admin Kabupaten",
                role=Role.ADMIN,
                region=regency,
            )
        except KampungError as exc:
            raise CommandError(exc.message) from exc
        villages = result.by_level.get(Level.VILLAGE, 0)
        districts = result.by_level.get(Level.DISTRICT, 0)
        self.stdout.write(f"{regency}: {districts} kecamatan dan {villages} desa/kelurahan dimuat.")
        self.stdout.write(f"Admin pertama: {email}")
        self.stdout.write(f"Kata sandi sekali pakai: {created.password}  (wajib diganti saat masuk pertama)")
        self._signing_key(code)

    def _signing_key(self, regency: str) -> None:
        """The regency's document-signing key pair: made once, never replaced here."""
        from django.conf import settings

        from kampung.documents import keys

        current = [k for k in keys.key_list(regency=regency) if k.current]
        if current:
            self.stdout.write(
                f"Kunci tanda tangan dokumen {current[-1].kid} sudah ada di {settings.KEYS_DIR}."
            )
            return
        info = keys.key_generate(regency=regency)
        self.stdout.write(
            f"Kunci tanda tangan dokumen {info.kid} dibuat di {settings.KEYS_DIR} "
            "(simpan cadangannya di tempat aman; lihat docs/letters.md)."
        )
