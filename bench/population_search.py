"""Resident search at regency scale: 1,000 queries through ``resident_search_page``, first page.

Needs the regency-scale demo (``kampung demo --no-serve --scale regency``, 1.7 million
residents). The database is ``BENCH_DATABASE_URL`` (a PostgreSQL URL, or a SQLite URL); by
default the SQLite file ``var/bench/population_search/kampung.sqlite3`` (git-ignored). When
that database has no regency-scale demo yet, the benchmark builds it first (about 3-4
minutes) and keeps it for the next run.

Queries are drawn from the demo's own names (seeded, so every run asks the same): whole
common and rare name words, 3+ letter prefixes of one word and of two words of one person's
name, full NIKs and full KK numbers. Each query set is run twice as a warm-up pass and a
measured pass, as (a) a village operator (one village, queries drawn from that village) and
(b) a regency DPMD officer (all 217 villages, queries drawn from the whole regency). Every
query fetches the first page the way the list page and the API do
(``resident_search_page(..., offset=0, limit=25)``: 25 rows plus one to know whether there
is a next page; a name search in name order comes from the token index alone). Figures:
p50/p95/p99 in milliseconds per query kind and overall.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any

from bench.common import ROOT, Recorder, database_kind, kept_database, percentile

NAME = "population_search"
QUERIES = 1000
PAGE = 25
SEED = 20
MIN_RESIDENTS = 1_000_000
OPERATOR = "operator.sarongan"  # 35.10.01.2001
REGENCY_USER = "dpmd"
# Share of each kind of query in a set of 1,000.
MIX = {
    "word_common": 0.20,
    "word_rare": 0.15,
    "prefix_1": 0.25,
    "prefix_2": 0.20,
    "nik": 0.10,
    "kk": 0.10,
}


# -- in the measuring process ---------------------------------------------------------------


def _queries(rng: random.Random, village: str | None) -> list[tuple[str, str]]:
    """(kind, q) pairs drawn from the residents of ``village`` (or of the whole regency)."""
    from django.db.models import Count

    from kampung.population.checks import name_tokens
    from kampung.population.models import Family, Resident, ResidentNameToken

    tokens = ResidentNameToken.objects.all()
    residents = Resident.objects.all()
    families = Family.objects.all()
    if village:
        tokens, residents, families = (
            tokens.filter(village_id=village),
            residents.filter(village_id=village),
            families.filter(village_id=village),
        )
    frequency = list(tokens.order_by().values("token").annotate(n=Count("pk")).values_list("token", "n"))
    frequency.sort(key=lambda row: (-row[1], row[0]))
    common = [t for t, _ in frequency[:50] if len(t) >= 3]
    # The least frequent fifth of the words (the pools are finite: no word is unique).
    usable = [t for t, _ in frequency if len(t) >= 3]
    rare = usable[-max(1, len(usable) // 5) :]
    words = [t for t, _ in frequency if len(t) >= 3]
    weights = [n for t, n in frequency if len(t) >= 3]
    low, high = (
        residents.order_by("pk").values_list("pk", flat=True)[0],
        residents.order_by("-pk").values_list("pk", flat=True)[0],
    )

    def some_residents(n: int) -> list[tuple[str, str, int | None]]:
        found: list[tuple[str, str, int | None]] = []
        while len(found) < n:
            pk = rng.randint(low, high)
            row = residents.filter(pk__gte=pk).order_by("pk").values_list("name", "nik", "family_id").first()
            if row is not None:
                found.append(row)
        return found

    counts = {kind: round(share * QUERIES) for kind, share in MIX.items()}
    counts["prefix_1"] += QUERIES - sum(counts.values())
    result: list[tuple[str, str]] = []
    result += [("word_common", rng.choice(common)) for _ in range(counts["word_common"])]
    result += [("word_rare", rng.choice(rare)) for _ in range(counts["word_rare"])]
    for word in rng.choices(words, weights=weights, k=counts["prefix_1"]):
        result.append(("prefix_1", word[: rng.randint(3, len(word))]))
    for name, _, _ in some_residents(counts["prefix_2"]):
        parts = [w for w in name_tokens(name) if len(w) >= 3]
        if len(parts) < 2:
            parts = (parts * 2) or ["sit", "nur"]
        first, second = rng.sample(parts, 2) if len(parts) >= 2 else parts[:2]
        q = f"{first[: rng.randint(3, len(first))]} {second[: rng.randint(3, len(second))]}"
        result.append(("prefix_2", q))
    result += [("nik", nik) for _, nik, _ in some_residents(counts["nik"])]
    family_pks = list(
        families.order_by("pk").values_list("pk", flat=True)[:: max(1, families.count() // 2000)]
    )
    for pk in rng.sample(family_pks, min(counts["kk"], len(family_pks))):
        result.append(("kk", Family.objects.values_list("kk_number", flat=True).get(pk=pk)))
    rng.shuffle(result)
    return result


def _time(actor: Any, queries: list[tuple[str, str]]) -> tuple[dict[str, list[float]], dict[str, int]]:
    from kampung.population.selectors import resident_search_page

    timings: dict[str, list[float]] = defaultdict(list)
    found: dict[str, int] = defaultdict(int)
    for kind, q in queries:
        started = time.perf_counter()
        rows = resident_search_page(actor=actor, q=q, offset=0, limit=PAGE).rows
        timings[kind].append((time.perf_counter() - started) * 1000)
        found[kind] += bool(rows)
    return timings, found


def measure() -> dict[str, Any]:
    import django

    django.setup()
    from kampung.accounts.models import User
    from kampung.accounts.scope import scope_for
    from kampung.population.models import Resident

    residents = Resident.objects.count()
    report: dict[str, Any] = {"residents": residents, "actors": {}}
    for username in (OPERATOR, REGENCY_USER):
        actor = User.objects.get(username=username)
        villages = sorted(scope_for(actor).village_codes())
        rng = random.Random(f"{SEED}:{username}")
        queries = _queries(rng, villages[0] if len(villages) == 1 else None)
        _time(actor, queries)  # warm-up: caches, and the database's pages in memory
        load_before = os.getloadavg()[0]
        timings, found = _time(actor, queries)
        every = [t for values in timings.values() for t in values]
        figures: dict[str, Any] = {
            "villages": len(villages),
            "queries": len(every),
            "kinds": {},
            # The machine's 1-minute load average around the measured pass (other work on a
            # shared machine shows up in the figures).
            "load": (load_before, os.getloadavg()[0]),
        }
        for kind in [*MIX, "all"]:
            values = every if kind == "all" else timings[kind]
            figures["kinds"][kind] = {
                "n": len(values),
                "hits": sum(found.values()) if kind == "all" else found[kind],
                "p50": percentile(values, 50),
                "p95": percentile(values, 95),
                "p99": percentile(values, 99),
                "max": max(values),
            }
        report["actors"][username] = figures
    return report


# -- the benchmark --------------------------------------------------------------------------


def _residents(env: dict[str, str]) -> int:
    code = "from kampung.population.models import Resident; print(Resident.objects.count())"
    done = subprocess.run(
        [sys.executable, "-m", "kampung", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def _ensure_demo(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "kampung", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    if _residents(env) >= MIN_RESIDENTS:
        return
    print("Building the regency-scale demo first (a few minutes)...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "kampung", "demo", "--no-serve", "--scale", "regency"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run() -> None:
    url, env = kept_database(NAME, os.environ.get("BENCH_DATABASE_URL", ""))
    kind = database_kind(url)
    _ensure_demo(env)
    done = subprocess.run(
        [sys.executable, "-m", "bench.population_search", "--measure"],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for username, figures in report["actors"].items():
        recorder = Recorder(
            NAME,
            kind,
            scale={"residents": report["residents"], "villages": figures["villages"], "actor": username},
        )
        for query_kind, row in figures["kinds"].items():
            for p in ("p50", "p95", "p99"):
                recorder.record(f"{query_kind}_{p}_ms", row[p], "ms")
        recorder.record("load_1m_before", figures["load"][0], "load")
        recorder.record("load_1m_after", figures["load"][1], "load")
        hits = figures["kinds"]["all"]
        print(f"   {username}: {hits['hits']} of {hits['n']} queries found someone")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        print(json.dumps(measure()))
    else:
        run()
