"""``kampung api token create|revoke|list``: API tokens from the console (server operators)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kampung.accounts.models import User
from kampung.api.models import ApiToken
from kampung.api.services import api_token_create, api_token_revoke
from kampung.core.errors import KampungError


class Command(BaseCommand):
    help = "Token API: buat, cabut, atau tampilkan token seorang pengguna."

    def add_arguments(self, parser: ArgumentParser) -> None:
        topics = parser.add_subparsers(dest="topic", required=True)
        token = topics.add_parser("token", help="token API")
        actions = token.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="buat token (ditampilkan sekali saja)")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="untuk apa token ini (nama aplikasi)")
        create.add_argument(
            "--days", type=int, default=None, help="masa berlaku dalam hari (bawaan: tanpa batas)"
        )
        revoke = actions.add_parser("revoke", help="cabut token")
        revoke.add_argument("prefix", help="awalan token (8 karakter setelah kmp_)")
        listing = actions.add_parser("list", help="daftar token seorang pengguna")
        listing.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                self._create(options["username"], options["name"], options["days"])
            elif action == "revoke":
                self._revoke(options["prefix"])
            else:
                self._list(options["username"])
        except KampungError as exc:
            raise CommandError(exc.message) from exc

    @staticmethod
    def _user(username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise KampungError(f"Pengguna '{username}' tidak ada.")
        return user

    def _create(self, username: str, name: str, days: int | None) -> None:
        issued = api_token_create(actor=None, user=self._user(username), name=name, days=days)
        token = issued.token
        until = (
            f"berlaku sampai {token.expires_at:%d-%m-%Y %H:%M} UTC"
            if token.expires_at
            else "tanpa batas waktu"
        )
        self.stdout.write(f"Token '{token.name}' untuk {username} dibuat ({until}).")
        self.stdout.write("Simpan sekarang; token ini tidak akan ditampilkan lagi:")
        self.stdout.write(issued.plain)

    def _revoke(self, prefix: str) -> None:
        prefix = prefix.removeprefix("kmp_").split("_", 1)[0]
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise KampungError(f"Token berawalan '{prefix}' tidak ada.")
        api_token_revoke(actor=None, token=token)
        self.stdout.write(f"Token {token.prefix} ({token.name}) dicabut.")

    def _list(self, username: str) -> None:
        tokens = ApiToken.objects.filter(user=self._user(username))
        if not tokens:
            self.stdout.write(f"{username} belum punya token.")
        for t in tokens:
            state = "dicabut" if t.revoked_at else "aktif"
            used = f"{t.last_used_at:%d-%m-%Y %H:%M}" if t.last_used_at else "belum pernah"
            self.stdout.write(f"{t.prefix}  {t.name}  {state}  dipakai terakhir: {used}")
