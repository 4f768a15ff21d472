"""API tokens from the console (server operators).

``kampung api token create|revoke|list``: personal tokens, acting as one user.
``kampung api client list|create|token|revoke``: integration clients and their scoped,
expiring tokens (the same as the regency admin's Klien API pages; audited as "sistem").
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kampung.accounts.models import User
from kampung.api.models import ApiClient, ApiClientToken, ApiToken
from kampung.api.scopes import SCOPES
from kampung.api.services import (
    MAX_CLIENT_TOKEN_DAYS,
    api_client_create,
    api_client_token_create,
    api_client_token_revoke,
    api_token_create,
    api_token_revoke,
)
from kampung.core.errors import KampungError
from kampung.regions.models import Region


class Command(BaseCommand):
    help = "Token API: token pribadi seorang pengguna, dan klien integrasi beserta tokennya."

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

        client = topics.add_parser("client", help="klien integrasi dan tokennya")
        client_actions = client.add_subparsers(dest="action", required=True)
        client_list = client_actions.add_parser("list", help="daftar klien dan tokennya")
        client_list.add_argument("--regency", default="", help="kode kabupaten, mis. 35.10")
        client_create = client_actions.add_parser("create", help="daftarkan klien")
        client_create.add_argument(
            "--region", required=True, help="wilayah yang boleh dibaca (kabupaten, kecamatan atau desa)"
        )
        client_create.add_argument("--name", required=True, help="nama aplikasi")
        client_create.add_argument("--organisation", required=True, help="instansi")
        client_create.add_argument(
            "--contact", required=True, help="penanggung jawab: nama, surel atau telepon"
        )
        client_create.add_argument("--purpose", required=True, help="keperluan")
        client_token = client_actions.add_parser("token", help="buat token klien (ditampilkan sekali saja)")
        client_token.add_argument("client_id", type=int)
        client_token.add_argument("--name", required=True, help="keterangan token, mis. 'server produksi'")
        client_token.add_argument(
            "--scope", action="append", required=True, choices=list(SCOPES), help="izin (boleh diulang)"
        )
        client_token.add_argument(
            "--days",
            type=int,
            required=True,
            help=f"masa berlaku dalam hari (1 sampai {MAX_CLIENT_TOKEN_DAYS})",
        )
        client_revoke = client_actions.add_parser("revoke", help="cabut token klien")
        client_revoke.add_argument("prefix", help="awalan token (8 karakter setelah kmpk_)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if options["topic"] == "client":
                self._client(action, options)
            elif action == "create":
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

    def _client(self, action: str, options: dict[str, Any]) -> None:
        if action == "list":
            self._client_list(options["regency"])
        elif action == "create":
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise KampungError(f"Wilayah '{options['region']}' tidak ada.")
            regency = Region.objects.filter(code=region.code[:5]).first()
            if regency is None:
                raise KampungError(f"Kabupaten wilayah '{region.code}' tidak ada.")
            client = api_client_create(
                actor=None,
                regency=regency,
                name=options["name"],
                organisation=options["organisation"],
                contact=options["contact"],
                purpose=options["purpose"],
                region=region,
            )
            self.stdout.write(
                f"Klien {client.pk} '{client.name}' didaftarkan; membaca {region} ({region.code})."
            )
        elif action == "token":
            found = ApiClient.objects.filter(pk=options["client_id"]).first()
            if found is None:
                raise KampungError(f"Klien {options['client_id']} tidak ada.")
            days = options["days"]
            if not 1 <= days <= MAX_CLIENT_TOKEN_DAYS:
                raise KampungError(f"Masa berlaku token harus 1 sampai {MAX_CLIENT_TOKEN_DAYS} hari.")
            issued = api_client_token_create(
                actor=None,
                client=found,
                name=options["name"],
                scopes=options["scope"],
                expires_on=timezone.localdate() + dt.timedelta(days=days),
            )
            self.stdout.write(
                f"Token '{issued.token.name}' untuk klien {found.name} dibuat "
                f"(izin {', '.join(issued.token.scopes)}; berlaku sampai {issued.token.expires_at:%d-%m-%Y %H:%M} UTC)."
            )
            self.stdout.write("Simpan sekarang; token ini tidak akan ditampilkan lagi:")
            self.stdout.write(issued.plain)
        else:
            prefix = options["prefix"].removeprefix("kmpk_").split("_", 1)[0]
            token = ApiClientToken.objects.filter(prefix=prefix).first()
            if token is None:
                raise KampungError(f"Token klien berawalan '{prefix}' tidak ada.")
            api_client_token_revoke(actor=None, token=token)
            self.stdout.write(f"Token {token.prefix} ({token.name}) dicabut.")

    def _client_list(self, regency: str) -> None:
        clients = ApiClient.objects.select_related("region").order_by("regency_id", "name")
        if regency:
            clients = clients.filter(regency_id=regency)
        if not clients:
            self.stdout.write("Belum ada klien API.")
        now = timezone.now()
        for c in clients:
            state = "aktif" if c.is_active else "nonaktif"
            self.stdout.write(f"{c.pk}  {c.name}  ({c.organisation})  {c.region.code}  {state}")
            for t in c.tokens.all():
                if t.revoked_at:
                    status = "dicabut"
                elif t.expires_at <= now:
                    status = "kedaluwarsa"
                else:
                    status = f"berlaku sampai {t.expires_at:%d-%m-%Y}"
                used = f"{t.last_used_at:%d-%m-%Y %H:%M}" if t.last_used_at else "belum pernah"
                self.stdout.write(
                    f"    {t.prefix}  {t.name}  {','.join(t.scopes)}  {status}  dipakai terakhir: {used}"
                )
