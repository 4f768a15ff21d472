"""Issuing a letter: sign → number → PDF → QR, through the real service ``request_sign``.

A fresh database (a new SQLite file in a temporary directory, or with
``BENCH_DATABASE_URL=postgres://.../name`` a PostgreSQL database of that name that this
benchmark creates and drops) gets one village (Sarongan, 35.10.01.2001, with its regency's
regions), the letter catalogue, the regency's signing key generated into a temporary
``KEYS_DIR``, the village's head, secretary and operator, 200 residents, and enough
requests submitted at the counter and verified beforehand (Surat Keterangan Domisili).

Figures:

- ``latency``: one process signs ``LATENCY_LETTERS`` letters one after another as the village
  head; each call of ``request_sign`` is timed whole: the authority check, the act record
  and audit entry, the number from the village series, and — run by ``on_commit`` when the
  signing transaction commits — the token signed with the regency key, the QR code, the
  template rendered and the PDF written by WeasyPrint, hashed and stored. The first
  ``WARMUP`` letters (fonts, template compilation) are timed apart (``cold_ms``).
- ``throughput``: ``WORKERS`` processes (one per core) sign for ``SECONDS`` seconds each from
  disjoint halves of the prepared requests; letters per second over the window.

Every letter signed is checked afterwards: a PDF with its SHA-256, and the series numbers
1..n with no gap or duplicate.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from bench.common import ROOT, Recorder, database_kind, percentile

NAME = "letter_issue"
VILLAGE = "35.10.01.2001"
REGENCY = "35.10"
SLUG = "surat-keterangan-domisili"
RESIDENTS = 200
LATENCY_LETTERS = 200
WARMUP = 5
WORKERS = 2
SECONDS = 30.0
# Enough verified requests that the workers never run out (40 letters/s for 30 s each).
THROUGHPUT_REQUESTS = 2400
HEAD = "kades.bench"


# -- in the child processes ------------------------------------------------------------------


def _setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kampung.config.settings")
    import django

    django.setup()


def prepare(total: int) -> dict[str, Any]:
    """Regions, catalogue, key, staff, residents, and ``total`` verified requests."""
    import datetime as dt

    from kampung.accounts.roles import Role
    from kampung.accounts.services import user_create
    from kampung.documents import keys
    from kampung.letters import services_requests as svc
    from kampung.letters.loader import catalogue_ensure
    from kampung.letters.models import LetterType
    from kampung.letters.models_requests import Channel
    from kampung.population import services as population
    from kampung.population.models import Sex
    from kampung.regions.models import Region
    from kampung.regions.services import regions_load

    started = time.perf_counter()
    regions_load(prefix=VILLAGE)
    catalogue_ensure()
    keys.key_generate(regency=REGENCY)
    village = Region.objects.get(code=VILLAGE)
    staff = {}
    for role, username in (
        (Role.HEAD, HEAD),
        (Role.SECRETARY, "sekdes.bench"),
        (Role.OPERATOR, "operator.bench"),
    ):
        staff[role] = user_create(
            actor=None,
            username=username,
            full_name=f"{Role(role).label} Sarongan",
            staff_number="197001012000031001" if role == Role.HEAD else "",
            role=role,
            region=village,
            valid_from=dt.date(2020, 1, 1),
        ).user
    operator, secretary = staff[Role.OPERATOR], staff[Role.SECRETARY]
    residents = []
    for i in range(RESIDENTS):
        if i % 4 == 0:
            family = population.family_create(
                actor=operator,
                village=village,
                kk_number=f"351001010115{i // 4 + 1:04d}",
                dusun="Krajan",
                rw="002",
                rt="004",
            )
        sex = Sex.MALE if i % 2 else Sex.FEMALE
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        day = birth.day + (40 if sex == Sex.FEMALE else 0)
        residents.append(
            population.resident_create(
                actor=operator,
                village=village,
                nik=f"351001{day:02d}{birth:%m%y}{i + 1:04d}",
                name=f"Warga Uji {i + 1}",
                birth_date=birth,
                sex=sex,
                family=family,
            )
        )
    letter_type = LetterType.objects.get(slug=SLUG)
    for i in range(total):
        request = svc.request_submit(
            actor=operator,
            village=village,
            channel=Channel.COUNTER,
            data=svc.RequestInput(
                letter_type=letter_type, requester=residents[i % RESIDENTS], purpose="Melamar pekerjaan"
            ),
        )
        svc.request_verify(actor=secretary, request=request)
    return {"requests": total, "residents": RESIDENTS, "prepare_s": time.perf_counter() - started}


def _verified_pks(part: int, parts: int) -> list[int]:
    """This worker's share: by primary key, so it stays disjoint whatever the others signed."""
    from kampung.letters.models_requests import LetterRequest, RequestStatus

    pks = (
        LetterRequest.objects.filter(status=RequestStatus.VERIFIED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [pk for pk in pks if pk % parts == part]


def _sign(head: Any, pk: int) -> None:
    from kampung.letters import services_requests as svc
    from kampung.letters.models_requests import LetterRequest

    request = LetterRequest.objects.select_related(
        "letter_type", "letter_type__classification", "village"
    ).get(pk=pk)
    svc.request_sign(actor=head, request=request)


def latency(count: int) -> dict[str, Any]:
    """Sign ``count`` letters one after another; milliseconds per letter."""
    from kampung.accounts.models import User

    head = User.objects.get(username=HEAD)
    pks = _verified_pks(0, 1)[:count]
    timings = []
    for pk in pks:
        started = time.perf_counter()
        _sign(head, pk)
        timings.append((time.perf_counter() - started) * 1000)
    warm = timings[WARMUP:]
    return {
        "letters": len(timings),
        "cold_ms": statistics.mean(timings[:WARMUP]),
        "median_ms": statistics.median(warm),
        "p95_ms": percentile(warm, 95),
        "max_ms": max(warm),
    }


def worker(part: int, parts: int, seconds: float, start_at: float) -> dict[str, Any]:
    """Sign from this worker's share of the requests for ``seconds`` from ``start_at``."""
    from kampung.accounts.models import User

    head = User.objects.get(username=HEAD)
    pks = _verified_pks(part, parts)
    # Warm up outside the window (fonts, templates, the key), then start together.
    _sign(head, pks.pop(0))
    while time.time() < start_at:
        time.sleep(0.01)
    done = 0
    started, cpu = time.perf_counter(), time.process_time()
    while pks and time.perf_counter() - started < seconds:
        _sign(head, pks.pop(0))
        done += 1
    return {
        "letters": done,
        "seconds": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "exhausted": not pks,
    }


def check() -> dict[str, Any]:
    """Every signed letter has its PDF; the series is 1..n with no gap or duplicate."""
    from kampung.documents.models import Document

    rows = list(Document.objects.filter(village_id=VILLAGE).values_list("sequence", "sha256"))
    sequences = sorted(s for s, _ in rows)
    return {
        "documents": len(rows),
        "without_pdf": sum(1 for _, digest in rows if not digest),
        "numbers_ok": sequences == list(range(1, len(rows) + 1)),
    }


# -- the benchmark --------------------------------------------------------------------------


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.letter_issue", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _workers(env: dict[str, str]) -> list[dict[str, Any]]:
    start_at = time.time() + 15  # after every worker has started Django and warmed up
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.letter_issue",
                "--worker",
                str(i),
                str(WORKERS),
                str(SECONDS),
                str(start_at),
            ],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
        )
        for i in range(WORKERS)
    ]
    results = []
    try:
        for process in processes:
            out, _ = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"a signing worker failed with exit code {process.returncode}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return results


def run() -> None:
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
        prepared = _child(env, "--prepare", str(LATENCY_LETTERS + THROUGHPUT_REQUESTS))
        print(
            f"   prepared {prepared['requests']} verified requests in {prepared['prepare_s']:.1f} s",
            flush=True,
        )
        single = _child(env, "--latency", str(LATENCY_LETTERS))
        workers = _workers(env)
        checked = _child(env, "--check")
    letters = sum(w["letters"] for w in workers)
    window = max(w["seconds"] for w in workers)
    if any(w["exhausted"] for w in workers):
        print("   warning: a worker ran out of prepared requests; throughput is a lower bound")
    if checked["without_pdf"] or not checked["numbers_ok"]:
        raise SystemExit(f"letters not issued correctly: {checked}")
    recorder = Recorder(
        NAME, kind, scale={"letters": single["letters"], "workers": WORKERS, "seconds": SECONDS}
    )
    recorder.record("median_ms", single["median_ms"], "ms")
    recorder.record("p95_ms", single["p95_ms"], "ms")
    recorder.record("max_ms", single["max_ms"], "ms")
    recorder.record("cold_ms", single["cold_ms"], "ms")
    recorder.record("letters_per_s", letters / window, "letters/s")
    recorder.record("letters_in_window", letters, "letters")
    # This process's own CPU per letter (the database server's is not in it): what a core
    # can sign when nothing else runs on it.
    recorder.record("worker_cpu_ms_per_letter", 1000 * sum(w["cpu_s"] for w in workers) / letters, "ms")
    print(
        f"   {checked['documents']} documents, each with its PDF; numbers 1..{checked['documents']} "
        "without gap or duplicate"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0].startswith("--"):
        _setup()
        if args[0] == "--prepare":
            result = prepare(int(args[1]))
        elif args[0] == "--latency":
            result = latency(int(args[1]))
        elif args[0] == "--worker":
            result = worker(int(args[1]), int(args[2]), float(args[3]), float(args[4]))
        elif args[0] == "--check":
            result = check()
        else:
            raise SystemExit(f"unknown option {args[0]}")
        print(json.dumps(result))
    else:
        run()
