"""``kampung monitoring work [--loop] [--interval 30]``, ``kampung monitoring rebuild``,
``kampung monitoring daily`` and ``kampung monitoring status``.

- ``work`` applies the roll-up marks waiting in the outbox (the ones a request did not apply
  itself: imports, commands, a failed apply). As a service (``--loop``) or from cron every
  minute.
- ``rebuild`` throws every roll-up away and computes it again from the source records.
- ``daily`` (cron, once a night): recomputes the figures that move with the calendar alone
  (ages, stalled cases, tranche windows, open advances), refreshes the alerts and queues
  their notifications.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from kampung.monitoring.marks import WorkReport, rollup_work
from kampung.monitoring.models import Area, RollupMark, RollupState
from kampung.monitoring.rollup import rollup_rebuild, rollup_refresh


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Tanggal '{text}' tidak dikenal; tulis TTTT-BB-HH.") from exc


class Command(BaseCommand):
    help = "Ringkasan pemantauan: terapkan perubahan, bangun ulang, atau jalankan tugas harian."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        work = sub.add_parser("work", help="Terapkan tanda perubahan yang menunggu.")
        work.add_argument("--loop", action="store_true", help="Terus berjalan (untuk layanan systemd).")
        work.add_argument("--interval", type=float, default=30.0, help="Jeda antar putaran, detik (30).")
        rebuild = sub.add_parser("rebuild", help="Bangun ulang semua ringkasan dari data sumber.")
        rebuild.add_argument("--area", action="append", choices=Area.values, help="Hanya bagian ini.")
        rebuild.add_argument("--today", type=_date, help="Hitung per tanggal ini (uji).")
        daily = sub.add_parser("daily", help="Tugas harian: angka yang berubah karena waktu, peringatan.")
        daily.add_argument("--today", type=_date, help="Hitung per tanggal ini (uji).")
        sub.add_parser("status", help="Tanda yang menunggu dan waktu hitung terakhir per bagian.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self._status()
        elif action == "rebuild":
            started = time.perf_counter()
            done = rollup_rebuild(today=options["today"], areas=options["area"])
            parts = ", ".join(f"{Area(a).label}: {n} desa/kelurahan" for a, n in done.items())
            self.stdout.write(
                f"Ringkasan dibangun ulang dalam {time.perf_counter() - started:.1f} detik ({parts})."
            )
        elif action == "daily":
            self._daily(options["today"] or timezone.localdate())
        elif options["loop"]:
            if options["interval"] <= 0:
                raise CommandError("--interval harus lebih dari 0.")
            self._loop(options["interval"])
        else:
            self._report(rollup_work())

    def _report(self, report: WorkReport) -> None:
        if report.marks:
            self.stdout.write(
                f"{report.marks} tanda diterapkan; {report.applied} ringkasan desa dihitung ulang."
            )

    def _status(self) -> None:
        waiting = RollupMark.objects.count()
        self.stdout.write(f"Tanda menunggu: {waiting}")
        for area in Area:
            latest = (
                RollupState.objects.filter(area=area)
                .order_by("-computed_at")
                .values_list("computed_at", flat=True)
                .first()
            )
            when = timezone.localtime(latest).strftime("%Y-%m-%d %H:%M") if latest else "belum pernah"
            self.stdout.write(f"{area.label:<18} {when}")

    def _daily(self, today: dt.date) -> None:
        from kampung.monitoring.services.alerts import alerts_notify, alerts_refresh

        self._report(rollup_work(today=today))
        done = rollup_refresh(today=today)
        self.stdout.write("Dihitung ulang: " + ", ".join(f"{Area(a).label} {n}" for a, n in done.items()))
        report = alerts_refresh(today=today)
        self.stdout.write(f"Peringatan: {report}")
        queued = alerts_notify()
        self.stdout.write(f"Pesan peringatan diantrekan: {queued}")

    def _loop(self, interval: float) -> None:
        stop = threading.Event()

        def _request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, _request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"Penerap ringkasan berjalan (jeda {interval:g} detik). Hentikan dengan SIGTERM.")
        try:
            while not stop.is_set():
                if not connection.in_atomic_block:
                    close_old_connections()
                try:
                    self._report(rollup_work())
                except Exception as exc:  # noqa: BLE001 - a database hiccup must not end the service
                    self.stderr.write(f"Putaran gagal: {exc}")
                stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Penerap ringkasan berhenti.")
