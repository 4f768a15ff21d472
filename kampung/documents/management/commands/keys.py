"""``kampung keys generate [--regency 35.10]`` and ``kampung keys list``: the regency's
document-signing keys (files under KEYS_DIR, never in the database)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampung.core.errors import KampungError
from kampung.documents import keys
from kampung.regions.models import Level, Region


class Command(BaseCommand):
    help = "Buat atau tampilkan kunci tanda tangan dokumen kabupaten (Ed25519)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser(
            "generate", help="Buat pasangan kunci baru (kunci lama tetap dapat memverifikasi)."
        )
        generate.add_argument(
            "--regency", help="Kode kabupaten, mis. 35.10 (boleh kosong jika hanya ada satu)."
        )
        listing = sub.add_parser("list", help="Tampilkan kunci yang ada.")
        listing.add_argument("--regency", help="Hanya kabupaten ini.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "generate":
                self._generate(options.get("regency"))
            else:
                self._list(options.get("regency"))
        except KampungError as exc:
            raise CommandError(exc.message) from exc

    def _regency(self, code: str | None) -> str:
        if code:
            if not Region.objects.filter(code=code, level=Level.REGENCY).exists():
                raise CommandError(f"Kabupaten {code} tidak ada dalam daftar wilayah.")
            return code
        codes = list(Region.objects.filter(level=Level.REGENCY).values_list("code", flat=True)[:2])
        if len(codes) != 1:
            raise CommandError("Sebutkan kabupatennya: --regency KODE (mis. --regency 35.10).")
        return codes[0]

    def _generate(self, code: str | None) -> None:
        regency = self._regency(code)
        info = keys.key_generate(regency=regency)
        self.stdout.write(f"Kunci baru {info.kid} untuk {regency} disimpan di {settings.KEYS_DIR}.")
        self.stdout.write(
            "Kunci sebelumnya (jika ada) tidak dipakai lagi untuk menandatangani, tetapi tetap memverifikasi."
        )

    def _list(self, code: str | None) -> None:
        regencies = [code] if code else keys.regencies_with_keys()
        if not regencies:
            self.stdout.write("Belum ada kunci. Jalankan: kampung keys generate --regency KODE")
            return
        for regency in regencies:
            for info in keys.key_list(regency=regency):
                state = "dipakai" if info.current else f"diganti {info.retired:%Y-%m-%d}"
                self.stdout.write(f"{regency}  {info.kid}  dibuat {info.created:%Y-%m-%d}  {state}")
