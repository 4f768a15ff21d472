"""Village books at regency scale: a year of transactions for the 189 desa, then the LRA of one
village and the regency's realisation summary.

A fresh database (a new SQLite file in a temporary directory, or with
``BENCH_DATABASE_URL=postgres://.../name`` a PostgreSQL database of that name that this
benchmark creates and drops) gets Kabupaten Banyuwangi's regions and the finance reference
data (migrations). Then, in one child process:

- ``budgets``: :func:`kampung.demo.finance.finance_fill` for every village (the enacted
  APBDes of the year, as in ``finance_budget``); not the figure of interest, timed apart.
- ``build``: :func:`kampung.demo.finance_execution.execution_fill` for every village — an
  approved RAK and DPAs for each budget, then the year from 1 January to the benchmark's
  "today" (``BENCH_TODAY`` as YYYY-MM-DD, default the real date, as the demo does): receipts, LS and UM payments with SPJ and returns, taxes and
  their deposits, cash/bank moves, a reversal, months closed, the semester report, progress
  reports and assets. Counts of entries, journal lines and SPPs are recorded with it.
- ``lra``: :func:`kampung.finance.selectors.realisation.lra` of one desa for the year,
  ``REQUESTS`` calls after ``WARMUP`` (median, p95, queries per call); also the Dana Desa LRA.
- ``regency``: :func:`kampung.finance.selectors.realisation.regency_realisation` of the
  regency (189 desa), the same way; also of one kecamatan.

Targets: one village's LRA under 100 ms, the regency summary under 200 ms (median and p95).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from typing import Any

from bench.common import Recorder, django_setup, measure_in_scratch, percentile

NAME = "finance_ledger"
REGENCY = "35.10"
DISTRICT = "35.10.15"
VILLAGE = "35.10.01.2001"  # Sarongan
SEED = 2018
REQUESTS = 30
WARMUP = 3


def _timed(call: Any, times: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], []
    for _ in range(times):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    warm = timings[WARMUP:]
    return {
        "cold_ms": statistics.mean(timings[:WARMUP]),
        "median_ms": statistics.median(warm),
        "p95_ms": percentile(warm, 95),
        "max_ms": max(warm),
        "queries": float(max(queries[WARMUP:])),
    }


def _today() -> Any:
    import datetime as dt

    from django.utils import timezone

    text = os.environ.get("BENCH_TODAY", "")
    if text:
        return dt.date.fromisoformat(text)
    return timezone.localdate()


def measure() -> dict[str, Any]:
    from kampung.demo.finance import finance_fill
    from kampung.demo.finance_execution import execution_fill
    from kampung.finance.models import JournalEntry, JournalLine, Spp
    from kampung.finance.selectors.realisation import lra, regency_realisation
    from kampung.regions.models import Level, Region
    from kampung.regions.services import regions_load

    regions_load(prefix=REGENCY)
    villages = list(
        Region.objects.filter(code__startswith=REGENCY + ".", level=Level.VILLAGE).values_list(
            "code", flat=True
        )
    )
    today = _today()
    year = today.year
    started = time.perf_counter()
    budgets = finance_fill(village_codes=villages, seed=SEED, year=year)
    budgets_s = time.perf_counter() - started
    started = time.perf_counter()
    result = execution_fill(village_codes=villages, seed=SEED, today=today)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    again = execution_fill(village_codes=villages, seed=SEED, today=today)
    rerun_s = time.perf_counter() - started
    if again.entries:
        raise SystemExit("a second run added entries")
    times = REQUESTS + WARMUP
    return {
        "budgets_s": budgets_s,
        "budgets": budgets.budgets,
        "build_s": build_s,
        "rerun_s": rerun_s,
        "villages": result.villages,
        "entries": JournalEntry.objects.count(),
        "lines": JournalLine.objects.count(),
        "spps": Spp.objects.count(),
        "lra": _timed(lambda: lra(VILLAGE, year), times),
        "lra_dds": _timed(lambda: lra(VILLAGE, year, through_month=6, source="DDS"), times),
        "regency": _timed(lambda: regency_realisation(REGENCY, year, today=today), times),
        "district": _timed(lambda: regency_realisation(DISTRICT, year, today=today), times),
    }


def run() -> None:
    kind, figures = measure_in_scratch("bench.finance_ledger")
    recorder = Recorder(
        NAME,
        kind,
        scale={"villages": figures["villages"], "entries": figures["entries"], "lines": figures["lines"]},
    )
    recorder.record("budgets_s", figures["budgets_s"], "s")
    recorder.record("build_s", figures["build_s"], "s")
    recorder.record("rerun_s", figures["rerun_s"], "s")
    recorder.record("entries", figures["entries"], "entries")
    recorder.record("lines", figures["lines"], "lines")
    recorder.record("spps", figures["spps"], "spps")
    for name in ("lra", "lra_dds", "regency", "district"):
        for metric in ("median_ms", "p95_ms", "cold_ms"):
            recorder.record(f"{name}_{metric}", figures[name][metric], "ms")
        recorder.record(f"{name}_queries", figures[name]["queries"], "queries")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--measure":
        django_setup()
        print(json.dumps(measure()))
    else:
        run()
