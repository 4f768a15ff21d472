"""The public pages under load: the production server, 32 connections, 2 cores.

Uses the regency-scale demo kept for ``monitoring_dashboard`` (``BENCH_DATABASE_URL``, or by
default ``var/bench/monitoring_dashboard/kampung.sqlite3``, built on the first run); the
public pages read the same roll-ups the dashboards do.

1. The URL set: the regency page and its village list, the 25 district pages, and for 40
   villages (desa and kelurahan, spread over the regency) each page a resident would open:
   profile, population, APBDes, projects, programmes, services, announcements; and the
   lounge display. About 330 distinct pages.
2. gunicorn (the ``make serve`` server, ``WORKERS`` sync workers, default 4) on a free port.
3. Cold: after each worker has started up (two requests per worker to ``/publik/``), every
   URL requested once, in turn (nothing cached yet): ``cold_p50_ms``, ``cold_p95_ms``,
   ``cold_max_ms`` — what the first visitor after a change waits; ``cold_errors`` counts
   answers of 400 and above (``/publik/`` itself redirects to the regency).
4. Load: 32 connections for ``BENCH_SECONDS`` (30 s) requesting the URL set round-robin:
   ``rps``, ``p50_ms``, ``p95_ms``, ``p99_ms``, ``errors`` (any status other than 200, or a
   failed connection). The load comes from ``wrk`` (Debian's package; 2 threads, a Lua
   script rotating the URLs) when it is installed, else from an asyncio client in this
   process (HTTP/1.1, a new connection per request as gunicorn's sync workers close each),
   which needs several times the CPU of wrk for the same load: with it the figures are far
   below what the server does. ``scale.client`` says which one measured. Either client
   shares the 2 cores with the server.

Target (issue #10): at least 300 requests/s with p99 under 200 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    Recorder,
    database_kind,
    free_port,
    gunicorn_start,
    kept_database,
    percentile,
    server_stop,
)

NAME = "public_pages"
DEMO_NAME = "monitoring_dashboard"  # the kept regency-scale demo this benchmark shares
CONNECTIONS = 32
VILLAGES = 40
VILLAGE_PAGES = (
    "public:region",
    "public:population",
    "public:budget",
    "public:projects",
    "public:programmes",
    "public:services",
    "public:announcements",
)


# -- in a child process with Django: the URL set ---------------------------------------------


def urls() -> list[str]:
    import django

    django.setup()
    from django.urls import NoReverseMatch, reverse

    from kampung.kiosk.site import served_regency_codes
    from kampung.regions.models import Kind, Level, Region

    regency = served_regency_codes()[0]
    out = [reverse("public:home"), reverse("public:region", kwargs={"code": regency})]
    out.append(reverse("public:villages", kwargs={"code": regency}))
    out.append(reverse("lounge:region", kwargs={"code": regency}))
    districts = list(
        Region.objects.filter(level=Level.DISTRICT, code__startswith=regency + ".").values_list(
            "code", flat=True
        )
    )
    out += [reverse("public:region", kwargs={"code": c}) for c in districts]
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=regency + ".")
        .order_by("code")
        .values_list("code", "kind")
    )
    step = max(1, len(villages) // VILLAGES)
    for code, kind in villages[::step][:VILLAGES]:
        for name in VILLAGE_PAGES:
            if name in ("public:budget", "public:projects") and kind == Kind.KELURAHAN:
                continue  # a kelurahan keeps no APBDes and has no village kegiatan
            try:
                out.append(reverse(name, kwargs={"code": code}))
            except NoReverseMatch:
                raise SystemExit(f"public_pages: no route {name}") from None
    return out


# -- the load generator ----------------------------------------------------------------------


async def _get(host: str, port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if length:
            await reader.readexactly(length)
        else:
            await reader.read()
    finally:
        writer.close()
    return status, (time.perf_counter() - started) * 1000


async def _load(host: str, port: int, paths: list[str], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    counter = 0

    async def worker(offset: int) -> None:
        nonlocal errors, counter
        i = offset
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += CONNECTIONS
            try:
                status, ms = await _get(host, port, path)
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                continue
            counter += 1
            latencies.append(ms)
            if status != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    return {"requests": counter, "errors": errors, "elapsed": elapsed, "latencies": latencies}


WRK_SCRIPT = """
local paths = %s
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, \\"non2xx\\": %%d, " ..
    "\\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _wrk(port: int, paths: list[str], seconds: float) -> dict[str, Any]:
    """The load from wrk: its own figures (latencies in microseconds) as a dict."""
    lua_paths = "{" + ", ".join(json.dumps(p) for p in paths) + "}"
    with tempfile.TemporaryDirectory(prefix="kampung-wrk-") as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(WRK_SCRIPT % lua_paths, encoding="utf-8")
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{int(seconds)}s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            check=True,
            text=True,
            capture_output=True,
        )
    line = next(x for x in done.stdout.splitlines() if x.startswith("JSON "))
    return json.loads(line[5:])


def _wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("public_pages: gunicorn did not start")


def run() -> None:
    from bench.monitoring_dashboard import _ensure_demo

    url, env = kept_database(DEMO_NAME, os.environ.get("BENCH_DATABASE_URL", ""))
    kind = database_kind(url)
    _ensure_demo(env)
    # The kiosk's own demo records (announcements) come with the demo build; a kept
    # database built before them gets them from a second run, which adds only what is missing.
    subprocess.run(
        [sys.executable, "-m", "kampung", "demo", "--no-serve", "--scale", "regency"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench.public_pages", "--urls"],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    paths = json.loads(done.stdout.strip().splitlines()[-1])
    reverse_home = paths[0]  # /publik/: a redirect, never cached
    workers = int(os.environ.get("WORKERS", "4"))
    seconds = float(os.environ.get("BENCH_SECONDS", "30"))
    port = free_port()
    server_env = dict(env, KAMPUNG_VAR_DIR=env.get("KAMPUNG_VAR_DIR", str(ROOT / "var")))
    subprocess.run(
        [sys.executable, "-m", "kampung", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=server_env,
        check=True,
    )
    subprocess.run(  # start from an empty page cache: the cold pass measures first renders
        [
            sys.executable,
            "-m",
            "kampung",
            "shell",
            "--no-imports",
            "-c",
            "from django.core.cache import cache; cache.clear()",
        ],
        cwd=ROOT,
        env=server_env,
        check=True,
    )
    server = gunicorn_start(port, workers, server_env)
    try:
        _wait_up(port)
        for _ in range(2 * workers):  # every worker's own start-up (imports, URL tables)
            asyncio.run(_get("127.0.0.1", port, reverse_home))
        cold: list[float] = []
        cold_errors = 0
        for path in paths:
            status, ms = asyncio.run(_get("127.0.0.1", port, path))
            cold.append(ms)
            if status >= 400:
                cold_errors += 1
                print(f"   cold {path}: HTTP {status}")
        slowest = sorted(zip(cold, paths, strict=True), reverse=True)[:5]
        print("   slowest first renders: " + ", ".join(f"{p} {ms:.0f} ms" for ms, p in slowest))
        if shutil.which("wrk"):
            client = "wrk"
            figures = _wrk(port, paths, seconds)
            rps = figures["requests"] / (figures["duration_us"] / 1e6)
            p50, p95, p99 = (figures[k] / 1000 for k in ("p50", "p95", "p99"))
            errors = figures["errors"] + figures["non2xx"]
        else:
            client = "asyncio"
            result = asyncio.run(_load("127.0.0.1", port, paths, seconds))
            latencies = result["latencies"]
            rps = result["requests"] / result["elapsed"]
            p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
            errors = result["errors"]
    finally:
        server_stop(server)
    recorder = Recorder(
        NAME,
        kind,
        scale={
            "pages": len(paths),
            "connections": CONNECTIONS,
            "workers": workers,
            "seconds": seconds,
            "client": client,
        },
    )
    recorder.record("cold_p50_ms", percentile(cold, 50), "ms")
    recorder.record("cold_p95_ms", percentile(cold, 95), "ms")
    recorder.record("cold_max_ms", max(cold), "ms")
    recorder.record("cold_errors", cold_errors, "requests")
    recorder.record("rps", rps, "req/s")
    recorder.record("p50_ms", p50, "ms")
    recorder.record("p95_ms", p95, "ms")
    recorder.record("p99_ms", p99, "ms")
    recorder.record("errors", errors, "requests")


if __name__ == "__main__":
    if "--urls" in sys.argv:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        print(json.dumps(urls()))
    else:
        run()
