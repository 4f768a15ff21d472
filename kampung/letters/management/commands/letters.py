"""``kampung letters load``: load or top up the letter catalogue's reference data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kampung.letters.loader import catalogue_load


class Command(BaseCommand):
    help = "Letter catalogue: 'load' adds missing classification codes, requirements and letter types."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = catalogue_load()
        self.stdout.write(
            f"{result.classifications} kode klasifikasi, {result.requirements_created} persyaratan baru, "
            f"{result.types_created} jenis surat baru, {result.templates_filled} templat bawaan diisi."
        )
