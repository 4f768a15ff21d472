"""``kampung demo [--no-serve] [--seed N] [--scale small|regency] [--reset]``.

Builds the demo regency (or reuses it), prints the logins, then serves it with gunicorn.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from tqdm import tqdm

from kampung.core.errors import KampungError
from kampung.core.formatting import number_id
from kampung.demo.population import VillagePlan
from kampung.demo.services import DEFAULT_SEED, SCALE_SMALL, SCALES, DemoResult, Login, demo_build

HOST = "127.0.0.1"
PORT = 8000
WORKERS = 2


class Command(BaseCommand):
    help = (
        "Build the demo regency (Kabupaten Banyuwangi: regions, accounts, officials, synthetic "
        "residents) or reuse it when built, print the logins, and serve it with gunicorn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="build only; do not start gunicorn")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2018)")
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default=SCALE_SMALL,
            help="small: a few hundred residents in each demo village; regency: about 1.7 million in all 217",
        )
        parser.add_argument("--reset", action="store_true", help="drop the demo data and build it again")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        _migrate_if_needed()
        if options["reset"]:
            self.stdout.write("Menghapus data demo lama...")
        bar: list[tqdm[Any]] = []

        def on_start(total: int) -> None:
            if total:
                bar.append(tqdm(total=total, unit=" penduduk", desc="Membangun penduduk", file=sys.stderr))

        def on_village(plan: VillagePlan, families: int, residents: int) -> None:
            if bar:
                bar[0].set_postfix_str(plan.name, refresh=False)
                bar[0].update(residents)
                if bar[0].n >= (bar[0].total or 0):
                    bar[0].close()  # the accounts come next: do not leave the bar running

        try:
            result = demo_build(
                seed=options["seed"],
                scale=options["scale"],
                reset=options["reset"],
                on_start=on_start,
                on_village=on_village,
            )
        except KampungError as exc:
            raise CommandError(exc.message) from exc
        finally:
            if bar:
                bar[0].close()
        self._report(result, time.perf_counter() - started, options["seed"])
        if not options["no_serve"]:
            self._serve()

    def _report(self, result: DemoResult, seconds: float, requested_seed: int) -> None:
        write = self.stdout.write
        if result.created_anything:
            made = result.population
            write(
                f"Demo dibangun dalam {seconds:.1f} detik (seed {result.seed}, skala {result.scale}): "
                f"{number_id(made.residents)} penduduk dalam {number_id(made.families)} keluarga di {made.villages} desa/kelurahan, "
                f"{result.users_created} akun dan {result.officials_created} perangkat baru."
            )
            if result.events.events:
                kinds = result.events.by_kind
                write(
                    f"Peristiwa setahun terakhir: {number_id(kinds['lahir'])} kelahiran, "
                    f"{number_id(kinds['mati'])} kematian, {number_id(kinds['pindah'])} pindah keluar, "
                    f"{number_id(kinds['datang'])} pindah datang, {number_id(kinds['ganti_kk'])} perubahan keluarga."
                )
            if result.finance.budgets or result.execution.entries:
                write(
                    f"Keuangan desa: {number_id(result.finance.budgets)} APBDes; pelaksanaan "
                    f"{number_id(result.execution.villages)} desa dengan {number_id(result.execution.entries)} "
                    f"jurnal, {number_id(result.execution.spps)} SPP dan {number_id(result.execution.receipts)} penerimaan."
                )
            if result.assistance.cases:
                made_a = result.assistance
                write(
                    f"Program bantuan: {made_a.cases} kasus RTLH dan BLT di {made_a.villages} desa, "
                    f"{made_a.decisions} keputusan, {made_a.spps} SPP, {made_a.payments} pembayaran BLT bulanan."
                )
            bulk = result.monitoring
            if bulk.letters.requests or bulk.cases.cases:
                write(
                    f"Seluruh kabupaten: {number_id(bulk.letters.requests)} permohonan surat di "
                    f"{bulk.letters.villages} desa/kelurahan dan {number_id(bulk.cases.cases)} kasus bantuan di "
                    f"{bulk.cases.villages} desa (catatan tanpa PDF, untuk dasbor pemantauan)."
                )
            if result.reset:
                write(
                    f"Data demo lama dihapus: {number_id(result.reset['residents'])} penduduk, "
                    f"{number_id(result.reset['families'])} keluarga, {result.reset['users']} akun."
                )
        else:
            write(
                f"Demo sudah tersedia; tidak ada data baru ({seconds:.1f} detik). Pakai --reset untuk membangun ulang."
            )
        _report_letters(write, result)
        if result.population.skipped and result.population.villages:
            write(f"{result.population.skipped} desa/kelurahan sudah berisi penduduk dan dilewati.")
        write(
            f"Kabupaten Banyuwangi: {result.districts} kecamatan, {result.villages} desa/kelurahan, "
            f"{number_id(result.residents)} penduduk dalam {number_id(result.families)} keluarga."
        )
        base = f"http://{HOST}:{PORT}"
        write("")
        write(f"Situs publik kabupaten: {base}/publik/35.10/   Layar informasi (TV lobi): {base}/layar/")
        write(
            f"Anjungan desa Kemiren: {base}/anjungan/35.10.15.2004/   "
            f"Layar antrian Kemiren: {base}/antrian/35.10.15.2004/layar/"
        )
        write("")
        write(_table(result.logins))
        if any(x.totp_secret for x in result.logins):
            write(
                "Akun yang menandatangani, menyetujui atau membayar diminta kode 6 angka setelah kata sandi: "
                "masukkan kunci TOTP ke aplikasi autentikator, atau jalankan `kampung demo_totp NAMA_PENGGUNA`."
            )
        if result.letters.resident_logins:
            write("")
            write("Akun warga (masuk di /warga/ dengan NIK dan PIN):")
            rows = [Login(x.nik, x.pin, x.name, x.region) for x in result.letters.resident_logins]
            write(_table(rows, header=("NIK", "PIN", "Nama", "Wilayah")))

    def _serve(self) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()
        self.stdout.write(f"Kampung berjalan di http://{HOST}:{PORT}/  (Ctrl+C untuk berhenti)")
        self.stdout.flush()
        sys.stderr.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "kampung.config.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(WORKERS),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
        os.execv(sys.executable, argv)  # replaces this process: Ctrl+C stops gunicorn


def _report_letters(write: Any, result: DemoResult) -> None:
    from django.conf import settings

    letters = result.letters
    if letters.key_created:
        write(f"Kunci tanda tangan dokumen baru {letters.key_created} disimpan di {settings.KEYS_DIR}.")
    if letters.requests:
        states = ", ".join(f"{count} {status}" for status, count in sorted(letters.by_status.items()))
        write(f"Permohonan surat contoh: {letters.requests} di {letters.villages} desa/kelurahan ({states}).")


def _migrate_if_needed() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def _table(
    logins: list[Login],
    header: tuple[str, ...] = ("Nama pengguna", "Kata sandi", "Peran", "Wilayah"),
) -> str:
    rows: list[tuple[str, ...]] = [header] + [(x.username, x.password, x.role, x.region) for x in logins]
    if any(x.totp_secret for x in logins):
        # Officials who sign, approve or pay confirm each sign-in with a code: the secret goes
        # into an authenticator app, or `kampung demo_totp NAME` prints the current code.
        rows = [(*header, "Kunci TOTP (verifikasi dua langkah)")] + [
            (x.username, x.password, x.role, x.region, x.totp_secret or "-") for x in logins
        ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
