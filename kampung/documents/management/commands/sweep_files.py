"""``kampung sweep_files [--hours 1]``: delete document PDFs that no document names.

A process killed between writing a letter's PDF and committing the row that names it leaves
such a file behind (the retry writes a new one); see ``document_orphans_remove``. Run it
daily from cron; it prints what it removed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kampung.documents.services import document_orphans_remove


class Command(BaseCommand):
    help = "Hapus berkas PDF dokumen yang tidak dirujuk dokumen mana pun (sisa proses yang terhenti)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours", type=int, default=1, help="hanya berkas yang lebih tua dari sekian jam (bawaan 1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = max(0, options["hours"])
        removed = document_orphans_remove(older_than=dt.timedelta(hours=hours))
        for name in removed:
            self.stdout.write(f"dihapus: {name}")
        self.stdout.write(f"{len(removed)} berkas tanpa dokumen dihapus.")
