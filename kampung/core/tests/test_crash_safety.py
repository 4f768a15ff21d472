"""Crash safety (issue #11): a process is killed (SIGKILL) in the middle of an import, a
payment and a letter signing; after the restart nothing is half done and nothing is lost.

Each test copies a prepared database (migrated once per module by ``crash_worker setup``:
a SQLite file, and a PostgreSQL template database when the suite runs on PostgreSQL), starts
``crash_worker run`` as a separate process, which completes one operation (committed) and
then starts a second one through the same service with a pause planted at a chosen point
inside it. When the worker's marker file appears the test kills it with SIGKILL. A new
process (``crash_worker recover``) then reads the state, checks it is whole, runs the
operation again and reports; the test checks every invariant on the state before and after.

Not timed: the waits have generous limits only so that a broken worker cannot hang the suite.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from kampung.core.tests import crash_worker as worker

ROOT = Path(__file__).resolve().parents[3]
MODULE = "kampung.core.tests.crash_worker"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
BACKENDS = ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"]
PG_PREFIX = "kampung_h_crash"
WAIT_LIMIT = 300  # seconds; a safety net against a hung worker, never a measurement

SIGNED, VERIFIED = "ditandatangani", "diverifikasi"
PAID, APPROVED = "dibayar", "disetujui"


# -- databases -------------------------------------------------------------------------------


def _pg_url(name: str) -> str:
    parts = urlsplit(DATABASE_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)  # names below are made here, from a fixed prefix and numbers


class Databases:
    """One prepared database per backend (built on first use), copied for every test."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.keys = base / "keys"
        self.built: set[str] = set()
        self.pg_names: list[str] = []
        self.counter = itertools.count(1)
        self.pg_template = f"{PG_PREFIX}_{os.getpid()}_tpl"

    def _env(self, url: str, var: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            DATABASE_URL=url,
            KAMPUNG_VAR_DIR=str(var),
            KAMPUNG_MEDIA_ROOT=str(var / "media"),
            KAMPUNG_KEYS_DIR=str(self.keys),
            KAMPUNG_SECRET_KEY="crash-safety-test-key",
            KAMPUNG_PUBLIC_BASE_URL="https://desa.example.go.id",
            DJANGO_SETTINGS_MODULE="kampung.config.settings",
            PYTHONPATH=str(ROOT),
        )
        return env

    def _build(self, backend: str) -> None:
        var = self.base / f"template-{backend}"
        var.mkdir()
        if backend == "sqlite":
            url = f"sqlite:///{var / 'template.sqlite3'}"
        else:
            _pg_admin(f"DROP DATABASE IF EXISTS {self.pg_template} WITH (FORCE)")
            _pg_admin(f"CREATE DATABASE {self.pg_template}")
            self.pg_names.append(self.pg_template)
            url = _pg_url(self.pg_template)
        done = subprocess.run(
            [sys.executable, "-m", MODULE, "setup"],
            env=self._env(url, var),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        self.built.add(backend)

    def fresh(self, backend: str, var: Path) -> tuple[dict[str, str], Path | None]:
        """A copy of the prepared database for one test: its environment, and its SQLite file."""
        if backend not in self.built:
            self._build(backend)
        if backend == "sqlite":
            db = var / "kampung.sqlite3"
            template = self.base / "template-sqlite" / "template.sqlite3"
            assert not Path(f"{template}-wal").exists()  # the setup process closed cleanly
            shutil.copyfile(template, db)
            return self._env(f"sqlite:///{db}", var), db
        name = f"{PG_PREFIX}_{os.getpid()}_{next(self.counter)}"
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {self.pg_template}")
        self.pg_names.append(name)
        return self._env(_pg_url(name), var), None

    def drop_all(self) -> None:
        for name in reversed(self.pg_names):
            _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("crash"))
    yield dbs
    dbs.drop_all()


# -- the worker ------------------------------------------------------------------------------


def run_until_killed(env: dict[str, str], operation: str, point: str, tmp_path: Path) -> dict[str, Any]:
    """Start the operation in its own process, wait until it reports from the chosen point
    (inside its transaction), kill it with SIGKILL. Returns what it reported."""
    marker = tmp_path / f"{operation}-{point}.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", MODULE, "run", operation, point, str(marker)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + WAIT_LIMIT
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"the worker never reached {point} (exit {proc.returncode}):\n{out}\n{err[-3000:]}")
        time.sleep(0.02)
    info: dict[str, Any] = json.loads(marker.read_text(encoding="utf-8"))
    assert info["pid"] == proc.pid
    os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=WAIT_LIMIT)
    assert proc.returncode == -signal.SIGKILL, err[-3000:]
    assert "committed" in out.split(), err[-3000:]  # the first operation finished before the kill
    return info


def recover(env: dict[str, str], operation: str) -> dict[str, Any]:
    """The restart: a new process checks the state and runs the operation again."""
    done = subprocess.run(
        [sys.executable, "-m", MODULE, "recover", operation],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT_LIMIT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- letters ---------------------------------------------------------------------------------


def check_letters(state: dict[str, Any]) -> set[str]:
    """Every invariant of signed letters; returns the files on disk no document names."""
    assert state["audit_ok"], state["audit_problems"]
    documents = {d["pk"]: d for d in state["documents"]}
    requests = state["requests"]
    # A request is signed exactly when it has its document, and each document has its request.
    for request in requests:
        assert (request["status"] == SIGNED) == (request["document"] is not None), request
    assert sorted(r["document"] for r in requests if r["document"]) == sorted(documents)
    for request in requests:
        if request["document"]:
            assert documents[request["document"]]["source"] == str(request["pk"])
    # Numbers: 1..n, no gap, no duplicate, and the counter agrees (no number consumed in vain).
    sequences = sorted(d["sequence"] for d in documents.values())
    assert sequences == list(range(1, len(documents) + 1))
    assert len({d["number"] for d in documents.values()}) == len(documents)
    assert state["counters"] == ([len(documents)] if documents else [])
    # A document names a file only when it is there, whole (its SHA-256 matches).
    for doc in documents.values():
        if doc["file"] or doc["sha256"]:
            assert doc["file"] and doc["sha256"] and doc["file_sha256"] == doc["sha256"], doc
    # Every act is in the audit trail exactly once, and only acts that happened.
    signed = sorted(str(r["pk"]) for r in requests if r["status"] == SIGNED)
    assert sorted(state["audit"]["issue"]) == sorted(str(pk) for pk in documents)
    assert sorted(state["audit"]["sign"]) == signed
    assert sorted(state["act_records"]) == signed
    assert sorted(state["audit"]["attach"]) == sorted(str(d["pk"]) for d in documents.values() if d["sha256"])
    named = {d["file"] for d in documents.values() if d["file"]}
    assert named <= set(state["files_on_disk"])
    return set(state["files_on_disk"]) - named


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("point", worker.POINTS["letter"])
def test_letter_signing_killed_midway(databases: Databases, backend: str, point: str, tmp_path: Path) -> None:
    """Killed after the number is reserved, after the document row and its audit entry,
    while the PDF is rendered (after the signing committed), and after the PDF file is
    written but before its row commits."""
    env, _ = databases.fresh(backend, tmp_path)
    info = run_until_killed(env, "letter", point, tmp_path)
    result = recover(env, "letter")
    before, after = result["before"], result["after"]

    orphans = check_letters(before)
    first, second, third = before["requests"]
    # Nothing lost: the letter signed before the kill keeps its number 1 and its whole PDF.
    [doc1] = [d for d in before["documents"] if d["pk"] == first["document"]]
    assert first["status"] == SIGNED and doc1["sequence"] == 1 and doc1["sha256"]
    assert third["status"] == VERIFIED
    if point in ("number_reserved", "document_recorded"):
        # The signing transaction never committed: no document, the number is given back.
        assert info["sequence"] == 2
        assert second["status"] == VERIFIED and len(before["documents"]) == 1
    else:
        # The signing committed; the PDF did not: the document has its number and no file.
        assert second["status"] == SIGNED
        [doc2] = [d for d in before["documents"] if d["pk"] == second["document"]]
        assert doc2["sequence"] == 2 and doc2["sha256"] == "" and doc2["file"] == ""
    if point == "pdf_written":
        # The file was on disk when the process died; no document names it, and the
        # restart's cleanup removes it.
        assert info["on_disk"] and info["bytes"] > 0
        assert orphans == {info["file"]}
        assert result["removed"] == [info["file"]]
    else:
        assert orphans == set() and result["removed"] == []

    # After the restart: the killed letter is signed (or rendered) once, the next one gets
    # the next number; signing the killed one again is refused.
    assert check_letters(after) == set()
    assert [r["status"] for r in after["requests"]] == [SIGNED, SIGNED, SIGNED]
    by_request = {d["source"]: d for d in after["documents"]}
    assert [by_request[str(r["pk"])]["sequence"] for r in after["requests"]] == [1, 2, 3]
    assert all(d["sha256"] for d in after["documents"])
    if "number" in info:
        assert by_request[str(second["pk"])]["number"] == info["number"]
    assert "Ditandatangani" in result["refused"]


# -- payments --------------------------------------------------------------------------------


def check_payments(state: dict[str, Any]) -> None:
    assert state["audit_ok"], state["audit_problems"]
    entries = state["entries"]
    # The journal is numbered 1..n with no gap, and the book's counter agrees.
    assert [e["number"] for e in entries] == list(range(1, len(entries) + 1))
    assert state["next_number"] == len(entries) + 1
    for entry in entries:
        assert entry["lines"] >= 2 and Decimal(entry["debit"]) == Decimal(entry["credit"]) > 0, entry
    paid = [s for s in state["spps"] if s["status"] == PAID]
    payments = {e["doc_id"]: e for e in entries if e["kind"] == "pembayaran"}
    # A paid SPP has exactly one payment entry, its audit entry and its act record; an
    # unpaid one has none of them.
    assert sorted(payments) == sorted(str(s["pk"]) for s in paid)
    for spp in state["spps"]:
        if spp["status"] == PAID:
            assert spp["entry"] == payments[str(spp["pk"])]["pk"] and spp["paid_on"]
        else:
            assert spp["status"] == APPROVED and spp["entry"] is None and not spp["paid_on"]
    assert sorted(state["pay_audits"]) == sorted(str(s["pk"]) for s in paid)
    assert sorted(state["act_records"]) == sorted(str(s["pk"]) for s in paid)
    assert Decimal(state["bank"]) == worker.BANK_MONEY - len(paid) * worker.SPP_AMOUNT


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("point", worker.POINTS["payment"])
def test_payment_killed_midway(databases: Databases, backend: str, point: str, tmp_path: Path) -> None:
    """Killed after the journal entry's header (before its lines), after the whole entry
    (before the SPP is marked paid), and after the SPP is paid with its audit entry and act
    record (before the commit)."""
    env, _ = databases.fresh(backend, tmp_path)
    info = run_until_killed(env, "payment", point, tmp_path)
    result = recover(env, "payment")
    before, after = result["before"], result["after"]

    # Inside the killed transaction the work was under way.
    assert info["entries"] == 3  # the receipt, the first payment, the killed one's entry
    assert info["status"] == (PAID if point == "status_changed" else APPROVED)
    check_payments(before)
    assert [s["status"] for s in before["spps"]] == [PAID, APPROVED, APPROVED]  # first kept, second undone
    assert len(before["entries"]) == 2

    check_payments(after)
    assert [s["status"] for s in after["spps"]] == [PAID, PAID, APPROVED]
    assert len(after["entries"]) == 3
    assert "tidak dapat dibayar" in result["refused"]


# -- population import -----------------------------------------------------------------------


def check_import(state: dict[str, Any]) -> None:
    assert state["audit_ok"], state["audit_problems"]
    assert state["distinct_niks"] == state["residents"]
    assert state["residents_without_family"] == 0 and state["families_without_head"] == 0
    assert state["tokens"] == 2 * state["residents"]  # every name here has two words
    # The audit trail records each import that is in the register, with its count.
    imported = sum(a["residents"] for a in state["import_audits"])
    assert imported == state["first_file_present"] + state["killed_file_present"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("point", worker.POINTS["import"])
def test_import_killed_midway(databases: Databases, backend: str, point: str, tmp_path: Path) -> None:
    """Killed after the families are written, after half of the residents (2 of 4 batches),
    and after every row and the audit entry (before the commit). The import is one
    transaction: the restart finds none of the file, and importing it again writes it whole."""
    env, _ = databases.fresh(backend, tmp_path)
    info = run_until_killed(env, "import", point, tmp_path)
    result = recover(env, "import")
    before, after = result["before"], result["after"]
    first = worker.FIRST_FILE_FAMILIES * 3
    killed = worker.KILLED_FILE_FAMILIES * 3
    already = 1 + first  # the letters' resident, and the file imported before the kill

    # Inside the killed transaction rows had been written.
    expected_inside = {
        "families_written": already,
        "half_residents": already + 2 * worker.IMPORT_BATCH,
        "audit_written": already + killed,
    }
    assert info["residents"] == expected_inside[point]
    families_inside = worker.IMPORT_BATCH if point == "families_written" else worker.KILLED_FILE_FAMILIES
    assert info["families"] == 1 + worker.FIRST_FILE_FAMILIES + families_inside

    check_import(before)
    assert before["residents"] == already and before["first_file_present"] == first
    assert before["killed_file_present"] == 0 and len(before["import_audits"]) == 1

    assert result["imported"] == killed
    check_import(after)
    assert after["residents"] == already + killed and after["killed_file_present"] == killed
    assert [a["file"] for a in after["import_audits"]] == ["warga-1.csv", "warga-2.csv"]
    # Importing the same file once more is refused and changes nothing.
    assert "Impor ditolak" in result["refused"]
    assert result["after_refusal"] == after


# -- SQLite durability -----------------------------------------------------------------------


def test_sqlite_commits_survive_a_killed_process(databases: Databases, tmp_path: Path) -> None:
    """The production settings (WAL, synchronous=NORMAL): a committed transaction survives the
    process being killed; it is in the WAL file, and the next connection reads it.

    Trade-off (docs/security.md): with synchronous=NORMAL the WAL is not synced at every
    commit, so a power cut or an operating-system crash may lose the last transactions
    (never corrupt the database); a killed process loses nothing it committed.
    """
    env, db = databases.fresh("sqlite", tmp_path)
    assert db is not None
    marker = tmp_path / "wal.json"
    count = 40
    proc = subprocess.Popen(
        [sys.executable, "-m", MODULE, "wal", str(count), str(marker)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + WAIT_LIMIT
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(proc.communicate()[1][-3000:])
        time.sleep(0.02)
    info = json.loads(marker.read_text(encoding="utf-8"))
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=WAIT_LIMIT)
    assert proc.returncode == -signal.SIGKILL
    assert info["journal_mode"] == "wal" and info["synchronous"] == 1  # 1 = NORMAL
    wal = Path(f"{db}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the commits were left in the WAL
    with sqlite3.connect(db) as conn:
        seqs = [r[0] for r in conn.execute("SELECT seq FROM audit_auditentry WHERE act = 'crash.wal'")]
        (check,) = conn.execute("PRAGMA integrity_check").fetchone()
    assert len(seqs) == count and check == "ok"


# -- files left by a killed attachment -------------------------------------------------------


@pytest.mark.django_db
def test_orphan_cleanup_keeps_named_and_recent_files(settings: Any, tmp_path: Path) -> None:
    """``document_orphans_remove`` deletes only files no document names, and only once they
    are older than the grace period (a PDF still inside its transaction keeps its file)."""
    from django.db import transaction

    from kampung.documents.services import (
        Signer,
        document_attach_pdf,
        document_issue,
        document_orphans_remove,
    )
    from kampung.regions.models import Region

    settings.MEDIA_ROOT = tmp_path / "media"
    with transaction.atomic():
        document = document_issue(
            actor=None,
            village=Region.objects.get(code=worker.VILLAGE),
            kind="surat_keluar",
            title="Surat Keterangan Uji",
            classification="400.12.2.1",
            signer=Signer(name="Kepala Uji", title="Kepala Desa Uji"),
        )
    document = document_attach_pdf(document=document, pdf_bytes=b"%PDF-1.4\n% uji\n")
    named = Path(document.file.path)
    folder = named.parent
    old_orphan, new_orphan = folder / "mati-lama.pdf", folder / "mati-baru.pdf"
    for path in (old_orphan, new_orphan):
        path.write_bytes(b"%PDF-1.4\n% setengah")
    two_hours_ago = old_orphan.stat().st_mtime - 2 * 3600
    os.utime(old_orphan, (two_hours_ago, two_hours_ago))
    os.utime(named, (two_hours_ago, two_hours_ago))

    removed = document_orphans_remove()

    assert removed == [old_orphan.relative_to(settings.MEDIA_ROOT).as_posix()]
    assert not old_orphan.exists() and new_orphan.exists() and named.exists()

    # The daily command does the same sweep and says what it removed.
    from io import StringIO

    from django.core.management import call_command

    os.utime(new_orphan, (two_hours_ago, two_hours_ago))
    out = StringIO()
    call_command("sweep_files", stdout=out)
    assert not new_orphan.exists() and named.exists()
    assert "1 berkas tanpa dokumen dihapus." in out.getvalue()
