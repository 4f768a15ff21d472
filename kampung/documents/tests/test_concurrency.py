"""Four processes issue 250 numbers each in one village series at the same time: the
numbers must be exactly 1..1000, with no duplicate and no gap (issue #4, "Speed and safety").

Runs on SQLite (a file database of its own, WAL + BEGIN IMMEDIATE as in production) always,
and on PostgreSQL when the suite runs on PostgreSQL (CI's second pass) — the processes then
share the test database. Not timed.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kampung.conftest import VILLAGE_A1

WORKERS = 4
PER_WORKER = 250
ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

NUMBER_RE = re.compile(r"^400\.12\.2\.1/(\d{3,})/3510012001/[IVX]+/\d{4}$")


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        KAMPUNG_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="kampung.config.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run_workers(env: dict[str, str], tmp_path: Path) -> None:
    start = tmp_path / "start"
    module = "kampung.documents.tests.concurrency_worker"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", module, "issue", VILLAGE_A1, str(PER_WORKER), str(start)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    start.touch()
    failures = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0 or out.strip() != f"ok {PER_WORKER}":
            failures.append(err[-2000:])
    assert not failures, failures


def _check(rows: list[tuple[int, str]]) -> None:
    total = WORKERS * PER_WORKER
    sequences = sorted(seq for seq, _ in rows)
    assert len(rows) == total
    assert sequences == list(range(1, total + 1))  # no gap, no duplicate
    numbers = [number for _, number in rows]
    assert len(set(numbers)) == total
    for seq, number in rows:
        match = NUMBER_RE.match(number)
        assert match, number
        assert int(match.group(1)) == seq


def test_sqlite_four_processes_issue_1000_numbers_without_gap_or_duplicate(tmp_path: Path) -> None:
    db_file = tmp_path / "concurrency.sqlite3"
    env = _env(f"sqlite:///{db_file}", tmp_path)
    subprocess.run(
        [sys.executable, "-m", "kampung.documents.tests.concurrency_worker", "setup", VILLAGE_A1],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    _run_workers(env, tmp_path)
    with sqlite3.connect(db_file) as conn:
        rows = conn.execute("SELECT sequence, number FROM documents_document").fetchall()
        counters = conn.execute("SELECT last FROM documents_numbercounter").fetchall()
    _check(rows)
    assert counters == [(WORKERS * PER_WORKER,)]


if ON_POSTGRES:
    # Collected only in the PostgreSQL pass (CI runs the suite there too): the workers use
    # this test's database, so the test commits for real.
    @pytest.mark.django_db(transaction=True)
    def test_postgresql_four_processes_issue_1000_numbers_without_gap_or_duplicate(tmp_path: Path) -> None:
        from django.db import connection

        from kampung.documents.models import Document, NumberCounter

        s = connection.settings_dict
        assert connection.vendor == "postgresql"
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        _run_workers(_env(url, tmp_path), tmp_path)
        _check(list(Document.objects.values_list("sequence", "number")))
        assert list(NumberCounter.objects.values_list("last", flat=True)) == [WORKERS * PER_WORKER]
