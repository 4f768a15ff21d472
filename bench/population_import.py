"""Importing 100,000 residents from one file into a fresh database (``kampung population import``).

For each of two files, a new database (a SQLite file in a temporary directory, or with
``BENCH_DATABASE_URL=postgres://.../name`` a PostgreSQL database of that name that this
benchmark creates and drops) gets ``kampung migrate``, the village's regions and one
operator; then the whole command is timed in a subprocess (Python and Django start-up,
reading, checking every row, writing in one transaction, the audit entry):

- ``xlsx``: our template as Excel, coded columns written as names (``ISLAM``, ``KAWIN``);
- ``csv``: OpenSID's import layout as CSV, coded columns as national codes.

The rows come from the demo's generator (``kampung.demo.population``): realistic families,
names, NIK and KK numbers with the real structure, seeded so every run imports the same.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from bench.common import ROOT, Recorder, database_kind
from bench.demo_build import _kampung, _kib_to_mb, _ScratchPostgres

NAME = "population_import"
ROWS = 100_000
SEED = 2018
VILLAGE = "35.10.01.2001"
USERNAME = "operator.impor"
TARGET_S = 60.0


# -- in the preparing process (Django set up) ---------------------------------------------


def prepare(directory: str) -> None:
    """Regions, the operator, and the two files; run in a subprocess against the bench database."""
    import datetime as dt

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from kampung.accounts.roles import Role
    from kampung.accounts.services import user_create
    from kampung.demo.identity import SerialBook, district_prefix
    from kampung.demo.population import VillageGenerator, VillagePlan
    from kampung.regions.models import Region
    from kampung.regions.services import regions_load

    regions_load(prefix=VILLAGE)
    village = Region.objects.get(code=VILLAGE)
    user_create(
        actor=None,
        username=USERNAME,
        full_name="Operator Impor",
        role=Role.OPERATOR,
        region=village,
        valid_from=dt.date(2020, 1, 1),
        password="bench-impor-Kampung-1",
    )
    prefix = district_prefix(VILLAGE)
    generator = VillageGenerator(
        VillagePlan(VILLAGE, village.name, "desa", ROWS),
        seed=SEED,
        niks=SerialBook(prefix),
        kks=SerialBook(prefix),
        first_family_id=1,
        first_resident_id=1,
        now=connection.ops.adapt_datetimefield_value(timezone.now()),
    )
    families, residents = generator.rows()
    kk_of = {f[0]: f[3] for f in families}
    address_of = {f[0]: f[6] for f in families}
    _write_xlsx(Path(directory) / "penduduk.xlsx", residents, kk_of, address_of)
    _write_opensid_csv(Path(directory) / "penduduk.csv", residents, kk_of, address_of)


def _write_xlsx(
    path: Path, residents: list[tuple[Any, ...]], kk_of: dict[int, str], address_of: dict[int, str]
) -> None:
    from openpyxl import Workbook

    from kampung.population.importing.layouts import code_lists
    from kampung.population.importing.templates import DATA_SHEET_TITLE, template_headers

    names = code_lists()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET_TITLE)
    sheet.append(template_headers())
    for r in residents:
        (_id, _c, _u, nik, name, place, birth, sex, religion, marital, relation, education, occupation,
         citizenship, blood, _disability, family, _village, dusun, rw, rt, phone, _status) = r  # fmt: skip
        sheet.append(
            [
                nik, name, kk_of[family], names["kk_level"][relation], "L" if sex == 1 else "P", place,
                str(birth), names["agama_id"][religion], names["status_kawin"][marital],
                names["pendidikan_kk_id"][education], names["pekerjaan_id"][occupation],
                names["warganegara_id"][citizenship], names["golongan_darah_id"][blood], "",
                address_of[family], dusun, rw, rt, phone,
            ]
        )  # fmt: skip
    workbook.save(path)


def _write_opensid_csv(
    path: Path, residents: list[tuple[Any, ...]], kk_of: dict[int, str], address_of: dict[int, str]
) -> None:
    from kampung.population.importing.layouts import opensid_columns

    columns = opensid_columns()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), restval="")
        writer.writeheader()
        for r in residents:
            writer.writerow(
                {
                    "alamat": address_of[r[16]], "dusun": r[18], "rw": r[19], "rt": r[20], "nama": r[4],
                    "no_kk": kk_of[r[16]], "nik": r[3], "sex": r[7], "tempatlahir": r[5],
                    "tanggallahir": str(r[6]), "agama_id": r[8], "pendidikan_kk_id": r[11],
                    "pekerjaan_id": r[12], "status_kawin": r[9], "kk_level": r[10], "warganegara_id": r[13],
                    "golongan_darah_id": r[14], "status_dasar": 1,
                }
            )  # fmt: skip


# -- in the measuring process ---------------------------------------------------------------


def _timed_import(env: dict[str, str], path: Path) -> tuple[float, float, str]:
    args = [sys.executable, "-m", "kampung", "population", "import", str(path), "--village", VILLAGE]
    args += ["--as", USERNAME]
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"kampung population import failed:\n{output}")
    return wall, _kib_to_mb(usage.ru_maxrss), output.strip()


def _count(env: dict[str, str]) -> tuple[int, int]:
    code = (
        "from kampung.population.models import Family, Resident; "
        "print(Resident.objects.count(), Family.objects.count())"
    )
    output = _kampung(env, "shell", "--no-imports", "--verbosity", "0", "-c", code, capture=True)
    residents, families = output.strip().splitlines()[-1].split()
    return int(residents), int(families)


def _one(kind: str, url: str, fmt: str) -> dict[str, Any]:
    scratch: AbstractContextManager[Any] = _ScratchPostgres(url) if kind == "postgresql" else nullcontext()
    with tempfile.TemporaryDirectory(prefix="kampung-bench-") as tmp, scratch:
        env = dict(os.environ, KAMPUNG_VAR_DIR=tmp, PYTHONUNBUFFERED="1")
        env["DATABASE_URL"] = url or f"sqlite:///{Path(tmp) / 'kampung.sqlite3'}"
        env["DJANGO_SETTINGS_MODULE"] = "kampung.config.settings"
        _kampung(env, "migrate", "--verbosity", "0")
        code = f"from bench.population_import import prepare; prepare({tmp!r})"
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
        path = Path(tmp) / f"penduduk.{fmt}"
        size_mb = path.stat().st_size / (1024 * 1024)
        wall, peak, output = _timed_import(env, path)
        residents, families = _count(env)
    print(f"{fmt}: {output}")
    if residents != ROWS:
        raise SystemExit(f"expected {ROWS} residents after the import, found {residents}")
    return {"wall": wall, "peak": peak, "residents": residents, "families": families, "size_mb": size_mb}


def run() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    kind = database_kind(url)
    recorder = Recorder(NAME, kind, scale={"rows": ROWS})
    slowest = 0.0
    for fmt in ("xlsx", "csv"):
        figures = _one(kind, url, fmt)
        slowest = max(slowest, figures["wall"])
        recorder.record(f"{fmt}_wall_s", figures["wall"], "s")
        recorder.record(f"{fmt}_rows_per_s", figures["residents"] / figures["wall"], "rows/s")
        recorder.record(f"{fmt}_peak_rss_mb", figures["peak"], "MB")
        recorder.record(f"{fmt}_file_mb", figures["size_mb"], "MB")
        recorder.record(f"{fmt}_families", figures["families"], "families")
    verdict = "within" if slowest < TARGET_S else "OVER"
    print(f"slowest import {slowest:.1f} s: {verdict} the {TARGET_S:.0f} s target")


if __name__ == "__main__":
    run()
