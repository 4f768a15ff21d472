"""Shared pieces for benchmarks: recording a figure, and where and on what it was measured."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def git_commit() -> str:
    """The short hash of the checked-out commit, or 'unknown' outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def cpu_count() -> int:
    """CPUs this process may run on (a container's limit, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine() -> dict[str, Any]:
    return {"cpus": cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def database_kind(url: str) -> str:
    """'sqlite', 'postgresql', ... from a DATABASE_URL (empty means the default SQLite file)."""
    scheme = urlsplit(url).scheme if url else "sqlite"
    if scheme.startswith(("postgres", "pgsql")):
        return "postgresql"
    return scheme or "sqlite"


@dataclass
class Recorder:
    """Prints each figure and appends it as one JSON line to ``results/<bench>.jsonl``."""

    bench: str
    database: str
    scale: dict[str, Any] = field(default_factory=dict)
    results_dir: Path = RESULTS_DIR

    def __post_init__(self) -> None:
        self._commit = git_commit()
        self._machine = machine()

    @property
    def path(self) -> Path:
        return self.results_dir / f"{self.bench}.jsonl"

    def record(self, metric: str, value: float, unit: str) -> dict[str, Any]:
        line = {
            "bench": self.bench,
            "metric": metric,
            "value": round(value, 3) if isinstance(value, float) else value,
            "unit": unit,
            "database": self.database,
            "scale": self.scale,
            "date": utc_now(),
            "commit": self._commit,
            "machine": self._machine,
        }
        self.results_dir.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        print(f"{self.bench:<12} {metric:<16} {line['value']:>14} {unit:<10} ({self.database})")
        return line


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile by rank (nearest rank, as the recorded figures use)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def django_setup() -> None:
    """Set Django up in a child process started with ``python -m bench.<name> --measure``."""
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kampung.config.settings")
    import django

    django.setup()


def measure_in_scratch(module: str) -> tuple[str, dict[str, Any]]:
    """Run ``python -m <module> --measure`` against a fresh, migrated database (a temporary
    SQLite file, or a scratch PostgreSQL database when BENCH_DATABASE_URL names one) and return
    the database kind and the JSON figures the child printed last."""
    import sys
    import tempfile
    from contextlib import AbstractContextManager, nullcontext

    from bench.demo_build import _ScratchPostgres

    url = os.environ.get("BENCH_DATABASE_URL", "")
    kind = database_kind(url)
    scratch: AbstractContextManager[Any] = _ScratchPostgres(url) if kind == "postgresql" else nullcontext()
    with tempfile.TemporaryDirectory(prefix="kampung-bench-") as tmp, scratch:
        env = dict(
            os.environ,
            KAMPUNG_VAR_DIR=tmp,
            KAMPUNG_KEYS_DIR=str(Path(tmp) / "keys"),
            KAMPUNG_MEDIA_ROOT=str(Path(tmp) / "media"),
            PYTHONUNBUFFERED="1",
            DJANGO_SETTINGS_MODULE="kampung.config.settings",
        )
        env["DATABASE_URL"] = url or f"sqlite:///{Path(tmp) / 'kampung.sqlite3'}"
        subprocess.run(
            [sys.executable, "-m", "kampung", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )
        done = subprocess.run(
            [sys.executable, "-m", module, "--measure"],
            cwd=ROOT,
            env=env,
            check=True,
            text=True,
            capture_output=True,
        )
    return kind, json.loads(done.stdout.strip().splitlines()[-1])


def kept_database(name: str, url: str) -> tuple[str, dict[str, str]]:
    """The database a benchmark builds once and keeps: ``url`` (a BENCH_DATABASE_URL), or by
    default the SQLite file ``var/bench/<name>/kampung.sqlite3``; and the environment for
    ``kampung`` commands on it (the SQLite default also keeps its files in that folder)."""
    folder = ROOT / "var" / "bench" / name
    url = url or f"sqlite:///{folder / 'kampung.sqlite3'}"
    env = dict(os.environ, PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="kampung.config.settings")
    if database_kind(url) == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        env["KAMPUNG_VAR_DIR"] = str(folder)
    env["DATABASE_URL"] = url
    return url, env


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a server a benchmark starts)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gunicorn_start(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The production server (``make serve``'s gunicorn, sync workers) on 127.0.0.1:``port``."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kampung.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def server_stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
