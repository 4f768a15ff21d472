"""Load the whole Kemendagri region list (91,599 regions) into a fresh SQLite database.

Runs ``kampung migrate`` and then ``kampung regions load`` (no prefix: all of Indonesia) in
subprocesses against a new SQLite file in a temporary directory, and records the wall time
of the load (the issue's bound: under a minute on SQLite) and of a second, refreshing load.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench.common import ROOT, Recorder

NAME = "regions_load"


def _kampung(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kampung", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="kampung-bench-") as tmp:
        env = {**os.environ, "KAMPUNG_VAR_DIR": tmp, "DATABASE_URL": ""}
        _kampung(env, "migrate", "--verbosity", "0")
        recorder = Recorder(bench=NAME, database="sqlite", scale={"regions": 91_599})
        recorder.record("wall_s", _kampung(env, "regions", "load"), "s")
        recorder.record("reload_wall_s", _kampung(env, "regions", "load"), "s")
