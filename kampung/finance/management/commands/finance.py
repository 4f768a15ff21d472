"""``kampung finance deem-approved [--date YYYY-MM-DD]`` (run daily) and
``kampung finance check --village CODE --year N``: APBDes housekeeping from the command line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kampung.core.formatting import tanggal
from kampung.finance.checks import apbdes_problems
from kampung.finance.models import Apbdes
from kampung.finance.services.apbdes import apbdes_deem_overdue


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Tanggal '{value}' tidak sah; tulis YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Village finance: 'deem-approved' approves drafts unanswered for 20 working days; 'check' lists problems."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        deem = sub.add_parser(
            "deem-approved", help="submitted APBDes drafts past their evaluation deadline become approved"
        )
        deem.add_argument("--date", default="", help="the day to judge by (default: today)")
        check = sub.add_parser("check", help="print the problems of one village's current APBDes")
        check.add_argument("--village", required=True, help="village code, e.g. 35.10.01.2001")
        check.add_argument("--year", required=True, type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "deem-approved":
            today = _date(options["date"]) if options["date"] else timezone.localdate()
            done = apbdes_deem_overdue(today=today)
            for apbdes in done:
                self.stdout.write(
                    f"{apbdes.village_id} {apbdes}: batas evaluasi {tanggal(apbdes.evaluation_due)} lewat, "
                    "dianggap disetujui."
                )
            self.stdout.write(f"{len(done)} APBDes dianggap disetujui per {tanggal(today)}.")
        elif options["action"] == "check":
            found = (
                Apbdes.objects.filter(village_id=options["village"], year=options["year"])
                .order_by("-is_current", "-revision")
                .first()
            )
            if found is None:
                raise CommandError("APBDes desa dan tahun itu tidak ada.")
            problems = apbdes_problems(found)
            for problem in problems:
                self.stdout.write(
                    f"{'MASALAH' if problem.blocking else 'PERHATIAN'} [{problem.code}] {problem.message}"
                )
            blocking = [p for p in problems if p.blocking]
            if blocking:
                raise CommandError(f"{len(blocking)} masalah harus diperbaiki.")
            self.stdout.write(f"{found}: semua pemeriksaan terpenuhi.")
