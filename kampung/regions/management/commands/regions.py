"""``kampung regions load [--prefix 35.10]``: load the Kemendagri region list."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampung.core.errors import KampungError
from kampung.regions.services import regions_load


class Command(BaseCommand):
    help = "Region tree: 'load' loads the national Kemendagri code list (all, or one prefix)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load or refresh regions from the shipped list")
        load.add_argument(
            "--prefix", default="", help="a region code such as 35 or 35.10; none = all of Indonesia"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            started = time.perf_counter()
            try:
                result = regions_load(prefix=options["prefix"] or None)
            except KampungError as exc:
                raise CommandError(exc.message) from exc
            levels = ", ".join(f"tingkat {lvl}: {n}" for lvl, n in sorted(result.by_level.items()))
            self.stdout.write(
                f"{result.total} wilayah dimuat ({result.created} baru; {levels}) "
                f"dalam {time.perf_counter() - started:.1f} detik."
            )
