"""Four treasurers pay the approved SPP of one kegiatan at the same moment, from separate
processes: together they never spend more than the budget (issue #7, "two treasurers paying
at once cannot overspend a kegiatan"). Every SPP is paid at most once; the others are refused
with a clear message (the budget, or "already paid").

Runs on SQLite (a file database of its own, WAL + BEGIN IMMEDIATE as in production) always,
and on PostgreSQL when the suite runs on PostgreSQL — the processes then share the test
database. Not timed.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from kampung.conftest import VILLAGE_A1
from kampung.finance.tests import payments_concurrency_worker as worker

ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
MODULE = "kampung.finance.tests.payments_concurrency_worker"
BUDGET = Decimal(12_000_000)
CAN_PAY = int(BUDGET // worker.SPP_AMOUNT)  # 3


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        KAMPUNG_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="kampung.config.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run_workers(env: dict[str, str], tmp_path: Path) -> list[str]:
    start = tmp_path / "start"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", MODULE, "pay", VILLAGE_A1, username, str(start)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username in worker.TREASURERS
    ]
    # Start together once every worker has loaded Django and its SPP list.
    deadline = time.monotonic() + 300
    while not all((tmp_path / f"ready-{u}").exists() for u in worker.TREASURERS):
        if time.monotonic() > deadline or any(p.poll() not in (None, 0) for p in procs):
            break
        time.sleep(0.01)
    start.touch()
    outputs, failures = [], []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            failures.append(err[-3000:])
        outputs += [line for line in out.splitlines() if line.strip()]
    assert not failures, failures
    return outputs


def _check_outputs(outputs: list[str]) -> None:
    paid = [line.split()[1] for line in outputs if line.startswith("paid ")]
    refused = [line for line in outputs if line.startswith("refused ")]
    assert len(outputs) == len(worker.TREASURERS) * worker.SPP_COUNT, "\n".join(outputs)
    assert len(paid) == CAN_PAY and len(set(paid)) == CAN_PAY  # each SPP at most once
    for line in refused:
        assert ("melebihi sisa anggaran" in line) or ("tidak dapat dibayar" in line), line
    # Every treasurer who lost on the budget was told so.
    assert any("melebihi sisa anggaran" in line for line in refused)


def test_sqlite_four_treasurers_cannot_overspend_a_kegiatan(tmp_path: Path) -> None:
    db_file = tmp_path / "payments.sqlite3"
    env = _env(f"sqlite:///{db_file}", tmp_path)
    subprocess.run(
        [sys.executable, "-m", MODULE, "setup", VILLAGE_A1], env=env, cwd=ROOT, check=True, timeout=600
    )
    outputs = _run_workers(env, tmp_path)
    _check_outputs(outputs)
    with sqlite3.connect(db_file) as conn:
        (spent,) = conn.execute(
            "SELECT COALESCE(SUM(debit), 0) - COALESCE(SUM(credit), 0) FROM finance_journalline "
            "WHERE activity_code = ? AND account_code LIKE '5%'",
            (worker.ACTIVITY,),
        ).fetchone()
        statuses = conn.execute("SELECT status, COUNT(*) FROM finance_spp GROUP BY status").fetchall()
        entries = conn.execute(
            "SELECT COUNT(*) FROM finance_journalentry WHERE kind = 'pembayaran'"
        ).fetchone()
    assert Decimal(str(spent)) == CAN_PAY * worker.SPP_AMOUNT <= BUDGET
    assert dict(statuses) == {"dibayar": CAN_PAY, "disetujui": worker.SPP_COUNT - CAN_PAY}
    assert entries == (CAN_PAY,)


if ON_POSTGRES:

    @pytest.mark.django_db(transaction=True)
    def test_postgresql_four_treasurers_cannot_overspend_a_kegiatan(tmp_path: Path) -> None:
        from django.db import connection
        from django.db.models import Sum

        from kampung.finance.models import JournalEntry, JournalLine, Spp

        s = connection.settings_dict
        assert connection.vendor == "postgresql"
        worker.build(VILLAGE_A1)
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        outputs = _run_workers(_env(url, tmp_path), tmp_path)
        _check_outputs(outputs)
        sums = JournalLine.objects.filter(
            activity_code=worker.ACTIVITY, account_code__startswith="5"
        ).aggregate(d=Sum("debit"), c=Sum("credit"))
        assert (sums["d"] or 0) - (sums["c"] or 0) == CAN_PAY * worker.SPP_AMOUNT
        assert Spp.objects.filter(status="dibayar").count() == CAN_PAY
        assert JournalEntry.objects.filter(kind="pembayaran").count() == CAN_PAY
