"""``kampung notifications send [--loop] [--interval 30] [--limit 100]`` and
``kampung notifications status``: the outbox sender and its counts.

Loop mode is meant for a systemd service: SIGTERM or SIGINT lets the current batch finish,
then the command exits with status 0.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection

from kampung.notifications import selectors, services
from kampung.notifications.models import Status


class Command(BaseCommand):
    help = "Kirim pesan keluar yang sudah waktunya (email, SMS, WhatsApp) atau tampilkan jumlahnya."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Kirim pesan yang sudah waktunya.")
        send.add_argument("--loop", action="store_true", help="Terus berjalan (untuk layanan systemd).")
        send.add_argument("--interval", type=float, default=30.0, help="Jeda antar putaran, detik (30).")
        send.add_argument("--limit", type=int, default=100, help="Paling banyak pesan per putaran (100).")
        sub.add_parser("status", help="Jumlah pesan per status.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbose = int(options.get("verbosity", 1)) > 1
        if options["action"] == "status":
            self._status()
            return
        if options["interval"] <= 0 or options["limit"] <= 0:
            raise CommandError("--interval dan --limit harus lebih dari 0.")
        if options["loop"]:
            self._loop(options["interval"], options["limit"])
        else:
            self._once(options["limit"])

    def _status(self) -> None:
        counts = selectors.outbox_counts(actor=None)
        for status in Status:
            self.stdout.write(f"{status.label:<12} {counts[status.value]}")

    def _once(self, limit: int) -> services.SendReport:
        report = services.outbox_send_due(limit=limit)
        if report.taken or self.verbose:
            self.stdout.write(
                f"Terkirim {report.sent}, dicoba lagi nanti {report.retried}, gagal {report.failed}."
            )
        for error in report.errors:
            self.stderr.write(error)
        return report

    def _loop(self, interval: float, limit: int) -> None:
        stop = threading.Event()

        def _request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, _request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"Pengirim pesan berjalan (jeda {interval:g} detik). Hentikan dengan SIGTERM.")
        try:
            while not stop.is_set():
                # Drop a connection the database closed or that outlived CONN_MAX_AGE (never
                # inside a transaction: under the test suite the loop runs in one).
                if not connection.in_atomic_block:
                    close_old_connections()
                try:
                    report = self._once(limit)
                except Exception as exc:  # noqa: BLE001 - a database hiccup must not end the service
                    self.stderr.write(f"Putaran gagal: {exc}")
                    report = services.SendReport()
                # A full batch means more may be due: go again without waiting.
                if report.taken < limit:
                    stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Pengirim pesan berhenti.")
