"""``kampung population import FILE --village CODE --as USERNAME``: import residents and families.

The same service as the import page: every problem is printed (row, column, what is wrong)
and nothing is written, or the whole file goes in as one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampung.core.errors import KampungError
from kampung.population.importing import (
    KAMPUNG,
    OPENSID,
    ImportRejected,
    ImportReport,
    population_import,
    population_import_check,
)
from kampung.regions.models import Region


class Command(BaseCommand):
    help = (
        "Population register: 'import' reads residents and families from .xlsx or .csv; "
        "'statistics-warm' recounts the cached wide-area statistics."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("import", help="import residents and families, all or nothing")
        run.add_argument("file", help="an .xlsx or .csv file (Kampung template or OpenSID layout)")
        run.add_argument("--village", required=True, help="the village code, e.g. 35.10.01.2001")
        run.add_argument("--as", dest="username", required=True, help="the user importing (a village writer)")
        run.add_argument(
            "--layout", choices=[KAMPUNG, OPENSID], default=None, help="default: from the headers"
        )
        run.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        sub.add_parser(
            "statistics-warm",
            help="recount the cached district and regency statistics (run every few minutes)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
        elif options["action"] == "statistics-warm":
            from kampung.population.statistics import statistics_warm

            for stats in statistics_warm():
                self.stdout.write(f"{stats.region_code} {stats.region_name}: {stats.total.total} penduduk")

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas {path} tidak ditemukan.")
        actor = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"Pengguna aktif {options['username']!r} tidak ditemukan.")
        village = Region.objects.filter(code=options["village"]).first()
        if village is None:
            raise CommandError(f"Wilayah {options['village']} tidak ditemukan.")
        service = population_import_check if options["dry_run"] else population_import
        try:
            report = service(
                actor=actor,
                village=village,
                content=path.read_bytes(),
                file_name=path.name,
                layout=options["layout"],
            )
        except ImportRejected as exc:
            self._problems(exc.report)
            raise CommandError(exc.message) from exc
        except KampungError as exc:
            raise CommandError(exc.message) from exc
        if not report.ok:
            self._problems(report)
            raise CommandError(f"Berkas tidak lolos pemeriksaan: {len(report.problems)} masalah.")
        verb = "Lolos pemeriksaan (tidak ada yang disimpan)" if options["dry_run"] else "Impor selesai"
        self.stdout.write(
            f"{verb}: {report.layout_label}, {report.rows} baris, {report.residents} penduduk, "
            f"{report.families_new} keluarga baru, {report.families_existing} keluarga yang sudah ada; "
            f"{report.residents_flagged} penduduk dan {report.families_flagged} keluarga perlu diperiksa."
        )
        if report.ignored_columns:
            self.stdout.write(f"Kolom tidak disimpan: {', '.join(report.ignored_columns)}.")

    def _problems(self, report: ImportReport) -> None:
        for problem in report.problems:
            self.stderr.write(f"baris {problem.row}\t{problem.column or '-'}\t{problem.message}")
