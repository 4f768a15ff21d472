"""``kampung backup [--output PATH]``: one archive of the database, the media files and notes
on the signing keys (the keys themselves are not in it). See kampung/core/backup.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampung.core.backup import ENGINE_LABELS, BackupError, backup_create, default_backup_dir
from kampung.core.formatting import number_id


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump), every file under MEDIA_ROOT and "
        "a manifest to one .tar.gz (mode 0600). Signing keys are NOT included: back up KEYS_DIR apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            default="",
            help=f"a file ending in .tar.gz, or a folder for a dated file (default: {default_backup_dir()})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]).expanduser() if options["output"] else None
        try:
            result = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        manifest = result.manifest
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        rows = sum(manifest["tables"].values())
        entries = sum(head[0] for head in manifest["audit_heads"].values())
        keys = manifest["keys"]
        self.stdout.write(f"Cadangan selesai: {result.path} ({_size(result.size)})")
        self.stdout.write(
            f"  basis data {ENGINE_LABELS[manifest['engine']]}: {len(manifest['tables'])} tabel, "
            f"{number_id(rows)} baris"
        )
        self.stdout.write(f"  berkas media: {media}")
        self.stdout.write(f"  jejak audit: {len(manifest['audit_heads'])} rantai, {entries} entri")
        self.stdout.write(
            f"  kunci tanda tangan: {len(keys['keys'])} kunci di {keys['dir']} — TIDAK ikut dicadangkan; "
            "cadangkan folder itu terpisah (lihat docs/operations.md, Backups)."
        )
