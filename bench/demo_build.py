"""Build the regency-scale demo (about 1.7 million residents) into a fresh database.

Runs ``kampung demo --no-serve --scale regency`` in a subprocess against a new SQLite file in
a temporary directory (or, with ``BENCH_DATABASE_URL=postgres://.../name``, a PostgreSQL
database of that name that this benchmark creates and drops), after ``kampung migrate``.
Figures: wall time and peak memory of the build, the rows it made, and the time a second run
takes to find the demo already built.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import ROOT, Recorder, database_kind

NAME = "demo_build"
SEED = "2018"


def _kampung(env: dict[str, str], *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kampung", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def _timed_build(env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``kampung demo`` process."""
    args = [sys.executable, "-m", "kampung", "demo", "--no-serve", "--scale", "regency", "--seed", SEED]
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env)
    # wait4 gives this child's own ru_maxrss; getrusage(RUSAGE_CHILDREN) would be the largest
    # of all children so far (the migrate run, earlier benchmarks).
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"kampung demo failed with exit code {process.returncode}")
    return wall, _kib_to_mb(usage.ru_maxrss)


def _kib_to_mb(value: int) -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def _counts(env: dict[str, str]) -> dict[str, int]:
    code = (
        "from kampung.population.models import Family, Resident; "
        "print(Resident.objects.count(), Family.objects.count(), "
        "Resident.objects.values('village_id').distinct().count())"
    )
    output = _kampung(env, "shell", "--no-imports", "--verbosity", "0", "-c", code, capture=True)
    residents, families, villages = output.strip().splitlines()[-1].split()
    return {"residents": int(residents), "families": int(families), "villages": int(villages)}


class _ScratchPostgres:
    """Create the database named in the URL, and drop it afterwards (never an existing one)."""

    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)
        self.name = parts.path.lstrip("/")
        if not self.name:
            raise SystemExit(
                "BENCH_DATABASE_URL must name a database, e.g. postgres://postgres@127.0.0.1/kampung_bench"
            )
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))

    def _execute(self, sql: str) -> None:
        import psycopg
        from psycopg import sql as pgsql

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(pgsql.SQL(sql).format(pgsql.Identifier(self.name)))

    def __enter__(self) -> _ScratchPostgres:
        self._execute("CREATE DATABASE {}")
        return self

    def __exit__(self, *exc: Any) -> None:
        self._execute("DROP DATABASE IF EXISTS {}")


def _directory_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.glob("kampung.sqlite3*")) / (1024 * 1024)


def run() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    kind = database_kind(url)
    scratch: AbstractContextManager[Any] = _ScratchPostgres(url) if kind == "postgresql" else nullcontext()
    with tempfile.TemporaryDirectory(prefix="kampung-bench-") as tmp, scratch:
        env = dict(os.environ, KAMPUNG_VAR_DIR=tmp, PYTHONUNBUFFERED="1")
        env["DATABASE_URL"] = url or f"sqlite:///{Path(tmp) / 'kampung.sqlite3'}"
        _kampung(env, "migrate", "--verbosity", "0")
        wall, peak = _timed_build(env)
        started = time.perf_counter()
        _kampung(env, "demo", "--no-serve", "--scale", "regency", capture=True)
        reuse = time.perf_counter() - started
        counts = _counts(env)
        size = _directory_mb(Path(tmp)) if kind == "sqlite" else None
    recorder = Recorder(NAME, kind, scale={"residents": counts["residents"], "villages": counts["villages"]})
    recorder.record("wall_s", wall, "s")
    recorder.record("peak_rss_mb", peak, "MB")
    recorder.record("residents", counts["residents"], "residents")
    recorder.record("families", counts["families"], "families")
    recorder.record("residents_per_s", counts["residents"] / wall, "residents/s")
    recorder.record("reuse_wall_s", reuse, "s")
    if size is not None:
        recorder.record("db_size_mb", size, "MB")


if __name__ == "__main__":
    run()
