"""The monitoring dashboards at full demo scale.

Needs the regency-scale demo (``kampung demo --no-serve --scale regency``: 217 villages and
kelurahan, 1.7 million residents, a year of finance for the 189 desa, a year of letter
requests in every village and RTLH/BLT cases in every desa). The database is
``BENCH_DATABASE_URL`` (PostgreSQL or SQLite URL); by default the SQLite file
``var/bench/monitoring_dashboard/kampung.sqlite3`` (git-ignored), built on the first run
(several minutes) and kept for the next.

Then, in one process: ``kampung monitoring rebuild`` timed (``rebuild_s``); the alerts
refreshed from the roll-ups as the nightly job does (``alerts_refresh_s``); one village's
area recomputed as a write would do it (``apply_<area>_ms``, median of 20); and each
dashboard page of the regency requested as the DPMD officer through Django's test client
(3 warm-up requests, then 30 measured): ``<page>_p50_ms``, ``<page>_p95_ms`` and
``<page>_queries``. The district overview of Glagah likewise. Target: the regency dashboard
under 200 ms at the 95th percentile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from bench.common import ROOT, Recorder, database_kind, kept_database, percentile

NAME = "monitoring_dashboard"
MIN_RESIDENTS = 1_000_000
MIN_REQUESTS = 50_000
WARM, RUNS = 3, 30
REGENCY = "35.10"
DISTRICT = "35.10.15"  # Glagah
VILLAGE = "35.10.15.2004"  # Kemiren
USER = "dpmd"
PAGES = (
    ("overview", "monitoring:region"),
    ("finance", "monitoring:finance"),
    ("letters", "monitoring:letters"),
    ("programmes", "monitoring:programmes"),
    ("population", "monitoring:population"),
    ("projects", "monitoring:projects"),
    ("alerts", "monitoring:region_alerts"),
)


# -- in the measuring process ---------------------------------------------------------------


def _time_page(client: Any, url: str) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM):
        client.get(url)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return timings, len(queries), len(response.content)


def measure() -> dict[str, Any]:
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from kampung.accounts.models import User
    from kampung.letters.models_requests import LetterRequest
    from kampung.monitoring.models import Area
    from kampung.monitoring.rollup import area_specs, rollup_rebuild
    from kampung.population.models import Resident

    report: dict[str, Any] = {
        "residents": Resident.objects.count(),
        "requests": LetterRequest.objects.count(),
        "figures": {},
    }
    figures = report["figures"]
    started = time.perf_counter()
    rollup_rebuild()
    figures["rebuild_s"] = (time.perf_counter() - started, "s")
    today = timezone.localdate()
    from kampung.monitoring.services.alerts import alerts_refresh

    started = time.perf_counter()
    alerts = alerts_refresh(today=today)
    figures["alerts_refresh_s"] = (time.perf_counter() - started, "s")
    report["alerts"] = str(alerts)
    for area in Area.values:
        compute = area_specs()[area].compute
        timings = []
        for _ in range(20):
            began = time.perf_counter()
            compute([VILLAGE], today)
            timings.append((time.perf_counter() - began) * 1000)
        figures[f"apply_{area}_ms"] = (percentile(timings, 50), "ms")

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(username=USER))
    for key, name in PAGES:
        timings, queries, size = _time_page(client, reverse(name, args=[REGENCY]))
        figures[f"{key}_p50_ms"] = (percentile(timings, 50), "ms")
        figures[f"{key}_p95_ms"] = (percentile(timings, 95), "ms")
        figures[f"{key}_queries"] = (queries, "queries")
        figures[f"{key}_kb"] = (size / 1024, "KB")
    timings, queries, _ = _time_page(client, reverse("monitoring:region", args=[DISTRICT]))
    figures["district_overview_p50_ms"] = (percentile(timings, 50), "ms")
    figures["district_overview_p95_ms"] = (percentile(timings, 95), "ms")
    figures["district_overview_queries"] = (queries, "queries")
    return report


# -- the benchmark --------------------------------------------------------------------------


def _count(env: dict[str, str], model: str) -> int:
    module, name = model.rsplit(".", 1)
    code = f"from {module} import {name}; print({name}.objects.count())"
    done = subprocess.run(
        [sys.executable, "-m", "kampung", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def _ensure_demo(env: dict[str, str]) -> float | None:
    """Build (or complete) the regency-scale demo; the build's wall time when one ran."""
    subprocess.run(
        [sys.executable, "-m", "kampung", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    if (
        _count(env, "kampung.population.models.Resident") >= MIN_RESIDENTS
        and _count(env, "kampung.letters.models_requests.LetterRequest") >= MIN_REQUESTS
    ):
        return None
    print("Building the regency-scale demo first (several minutes)...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kampung", "demo", "--no-serve", "--scale", "regency"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def run() -> None:
    url, env = kept_database(NAME, os.environ.get("BENCH_DATABASE_URL", ""))
    kind = database_kind(url)
    built = _ensure_demo(env)
    done = subprocess.run(
        [sys.executable, "-m", "bench.monitoring_dashboard", "--measure"],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    recorder = Recorder(
        NAME, kind, scale={"residents": report["residents"], "requests": report["requests"], "villages": 217}
    )
    if built is not None:
        recorder.record("demo_build_s", built, "s")
    for metric, (value, unit) in report["figures"].items():
        recorder.record(metric, value, unit)
    print(f"   alerts: {report['alerts']}")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        print(json.dumps(measure()))
    else:
        run()
