"""Run the benchmarks: ``python bench/run.py`` runs them all, ``python bench/run.py NAME`` one.

A benchmark is a module in ``bench/`` with a ``run()`` function; it prints its figures and
appends them to ``bench/results/<name>.jsonl``.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"__init__", "common", "run"}


def available() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if p.stem not in NOT_BENCHMARKS)


def main(argv: list[str]) -> int:
    # Run as a script, the repository root is not on the path yet.
    if str(BENCH_DIR.parent) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR.parent))
    names = argv or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(
            f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(available())}",
            file=sys.stderr,
        )
        return 2
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        module.run()
        print(f"== {name} done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
