"""``kampung restore ARCHIVE``: check an archive made by ``kampung backup`` and restore it.

Stop the app (web workers, senders, workers) first. See kampung/core/backup.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampung.core.backup import (
    ENGINE_LABELS,
    RestoreError,
    RestorePlan,
    archive_inspect,
    restore_archive,
)
from kampung.core.formatting import number_id


class Command(BaseCommand):
    help = (
        "Restore an archive of `kampung backup`: checks every member's SHA-256 first, refuses a "
        "database that already holds data unless --force, then checks row counts, migrations and "
        "the audit chains. Stop the app first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz made by `kampung backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument(
            "--force", action="store_true", help="replace a database and media folder that already hold data"
        )
        parser.add_argument(
            "--check", action="store_true", help="only check the archive against its manifest; change nothing"
        )
        parser.add_argument(
            "--database-url",
            default="",
            help="restore into this database instead of the configured one (a restore drill)",
        )
        parser.add_argument("--media-root", default="", help="restore media here instead of MEDIA_ROOT")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"]).expanduser()
        try:
            if options["check"]:
                manifest = archive_inspect(archive)
                self.stdout.write(
                    f"Arsip utuh: {len(manifest['files'])} berkas cocok dengan manifest "
                    f"({ENGINE_LABELS[manifest['engine']]}, dibuat {manifest['created_at']}, "
                    f"Kampung {manifest['app_version']})."
                )
                return
            target = dict(dj_database_url.parse(options["database_url"])) if options["database_url"] else None
            media_root = Path(options["media_root"]).expanduser() if options["media_root"] else None
            result = restore_archive(
                archive,
                target=target,
                media_root=media_root,
                force=options["force"],
                confirm=None if options["yes"] else self._confirm,
                say=self.stdout.write,
            )
        except RestoreError as exc:
            raise CommandError(exc.message) from exc
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Pemulihan selesai dari cadangan {manifest['created_at']} "
                f"(Kampung {manifest['app_version']})."
            )
        )
        self.stdout.write(
            f"  basis data: {result.tables} tabel, {number_id(result.rows)} baris — sama dengan manifest"
        )
        self.stdout.write(f"  berkas media: {result.media_files}")
        self.stdout.write(
            f"  jejak audit utuh: {result.audit_chains} rantai, {result.audit_entries} entri diperiksa"
        )
        for path in result.moved_aside:
            self.stdout.write(f"  isi lama disimpan di {path} (hapus bila tidak diperlukan)")
        if result.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"  {result.pending_migrations} migrasi versi ini belum diterapkan: "
                    "jalankan `kampung migrate`."
                )
            )
        if result.unknown_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"  {result.unknown_migrations} migrasi di arsip tidak dikenal versi ini: "
                    "arsip dari versi Kampung yang lebih baru; pasang versi itu sebelum menjalankan aplikasi."
                )
            )
        keys = manifest["keys"]
        if result.keys_missing:
            self.stdout.write(
                self.style.WARNING(
                    f"  kunci tanda tangan: {len(result.keys_missing)} dari {len(keys['keys'])} kunci yang "
                    f"dicatat arsip tidak ada di {keys['dir']} ({', '.join(result.keys_missing)}). "
                    "Kunci tidak ada di arsip: pulihkan folder kunci dari cadangan kuncinya sebelum "
                    "menandatangani surat."
                )
            )
        else:
            self.stdout.write(
                f"  kunci tanda tangan: {len(keys['keys'])} kunci yang dicatat arsip ada di {keys['dir']}"
            )

    def _confirm(self, plan: RestorePlan, manifest: dict[str, Any]) -> bool:
        what = f"mengganti {plan.describe()}" if plan.occupied else "mengisi basis data yang kosong"
        self.stdout.write(
            f"Arsip utuh ({ENGINE_LABELS[manifest['engine']]}, dibuat {manifest['created_at']}). "
            f"Pemulihan akan {what}."
        )
        if not sys.stdin.isatty():
            raise RestoreError(
                "Tidak ada konfirmasi (bukan terminal); ulangi dengan --yes. Tidak ada yang diubah."
            )
        answer = input("Ketik 'ya' untuk melanjutkan: ")
        return answer.strip().lower() == "ya"
