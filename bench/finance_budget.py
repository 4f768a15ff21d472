"""Village budgets at regency scale: build all 189 demo APBDes, then time the budget summary.

A fresh database (a new SQLite file in a temporary directory, or with
``BENCH_DATABASE_URL=postgres://.../name`` a PostgreSQL database of that name that this
benchmark creates and drops) gets Kabupaten Banyuwangi's regions (25 kecamatan, 189 desa, 28
kelurahan) and the finance reference data (migrations). Then, in one child process:

- ``build``: :func:`kampung.demo.finance.finance_fill` for every village of the regency — the
  SSH list, the calendar, each desa's ceilings, an enacted RKPDes and an enacted APBDes with
  about 35 budget lines (written in bulk), one audit entry per village. Kelurahan are skipped.
  Afterwards every budget must pass :func:`kampung.finance.checks.apbdes_problems`.
- ``summary``: a DPMD user requests ``/keuangan/ringkasan/`` (the regency's 189 desa per
  kecamatan) ``REQUESTS`` times through Django's test client (the whole request: session,
  scope, queries, template); the first ``WARMUP`` requests are timed apart. The same for the
  district view of one kecamatan, and the selector alone.

Target: the regency summary under 200 ms (median and p95).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from bench.common import Recorder, django_setup, measure_in_scratch, percentile

NAME = "finance_budget"
REGENCY = "35.10"
DISTRICT = "35.10.15"
SEED = 2018
REQUESTS = 30
WARMUP = 3


def _timed(call: Any, times: int) -> dict[str, float]:
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    warm = timings[WARMUP:]
    return {
        "cold_ms": statistics.mean(timings[:WARMUP]),
        "median_ms": statistics.median(warm),
        "p95_ms": percentile(warm, 95),
        "max_ms": max(warm),
    }


def measure() -> dict[str, Any]:
    import datetime as dt

    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from kampung.accounts.roles import Role
    from kampung.accounts.services import user_create
    from kampung.demo.finance import finance_fill
    from kampung.finance.checks import apbdes_problems, blocking
    from kampung.finance.models import Apbdes, BudgetLine
    from kampung.finance.selectors.summary import budget_summary
    from kampung.regions.models import Level, Region
    from kampung.regions.services import regions_load

    started = time.perf_counter()
    regions_load(prefix=REGENCY)
    regions_s = time.perf_counter() - started
    villages = list(
        Region.objects.filter(code__startswith=REGENCY + ".", level=Level.VILLAGE).values_list(
            "code", flat=True
        )
    )
    year = timezone.localdate().year
    started = time.perf_counter()
    result = finance_fill(village_codes=villages, seed=SEED, year=year)
    build_s = time.perf_counter() - started
    budgets = list(Apbdes.objects.filter(year=year))
    failing = [b.village_id for b in budgets if blocking(apbdes_problems(b))]
    if failing:
        raise SystemExit(f"demo budgets with blocking problems: {failing[:5]}")
    regency = Region.objects.get(code=REGENCY)
    user = user_create(
        actor=None,
        username="dpmd.bench",
        full_name="DPMD Bench",
        role=Role.DPMD,
        region=regency,
        valid_from=dt.date(2020, 1, 1),
        password="bench-finance-2026",
    ).user
    setup_test_environment()
    client = Client()
    client.force_login(user)

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    page = _timed(lambda: get(f"/keuangan/ringkasan/?tahun={year}"), REQUESTS + WARMUP)
    district = _timed(
        lambda: get(f"/keuangan/ringkasan/?tahun={year}&kecamatan={DISTRICT}"), REQUESTS + WARMUP
    )
    today = timezone.localdate()
    selector = _timed(lambda: budget_summary(root=regency, year=year, today=today), REQUESTS + WARMUP)
    return {
        "regions_s": regions_s,
        "build_s": build_s,
        "budgets": result.budgets,
        "lines": BudgetLine.objects.filter(activity__apbdes__year=year).count(),
        "page": page,
        "district": district,
        "selector": selector,
    }


def run() -> None:
    kind, figures = measure_in_scratch("bench.finance_budget")
    recorder = Recorder(NAME, kind, scale={"villages": figures["budgets"], "lines": figures["lines"]})
    recorder.record("build_s", figures["build_s"], "s")
    recorder.record("budgets", figures["budgets"], "budgets")
    recorder.record("lines", figures["lines"], "lines")
    for name in ("page", "district", "selector"):
        for metric in ("median_ms", "p95_ms", "cold_ms"):
            recorder.record(f"{name}_{metric}", figures[name][metric], "ms")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--measure":
        django_setup()
        print(json.dumps(measure()))
    else:
        run()
