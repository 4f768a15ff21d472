"""Time-to-issue histograms with fixed buckets (:data:`HISTOGRAM_HOURS`).

A village's roll-up keeps how many letters were issued within each bucket of hours. Because
the buckets are the same everywhere, a district's or the regency's histogram is the
element-wise sum of its villages' histograms, and its median or 90th percentile *bucket* is
exact: the bucket holding the k-th smallest duration of all the letters together is the
bucket the cumulative counts of the merged histogram reach k in.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from kampung.monitoring.models import HISTOGRAM_BUCKETS, HISTOGRAM_FIELDS, HISTOGRAM_HOURS

__all__ = [
    "bucket_label",
    "bucket_of",
    "counts_of",
    "histogram",
    "merge",
    "percentile_bucket",
]


def bucket_of(hours: float) -> int:
    """The bucket of a duration: the first ``i`` with ``hours <= HISTOGRAM_HOURS[i]``, the
    last bucket for anything longer (a negative duration, a clock set wrong, is bucket 0)."""
    return bisect.bisect_left(HISTOGRAM_HOURS, hours)


def histogram(hours: Iterable[float]) -> list[int]:
    """Counts per bucket of a collection of durations in hours."""
    counts = [0] * HISTOGRAM_BUCKETS
    for value in hours:
        counts[bucket_of(value)] += 1
    return counts


def merge(rows: Iterable[Sequence[int]]) -> list[int]:
    """Element-wise sum of histograms (a district from its villages)."""
    total = [0] * HISTOGRAM_BUCKETS
    for row in rows:
        if len(row) != HISTOGRAM_BUCKETS:
            raise ValueError(f"a histogram has {HISTOGRAM_BUCKETS} buckets, not {len(row)}")
        for i, n in enumerate(row):
            total[i] += int(n)
    return total


def percentile_bucket(counts: Sequence[int], q: float) -> int | None:
    """Nearest-rank percentile: the bucket holding the k-th smallest duration, with
    ``k = ceil(q * n)`` (at least 1) and ``q`` in (0, 1]; ``None`` when there is nothing.

    ``q`` is read as the decimal it was written as (0.9 is nine tenths), so ``0.9 * 10``
    gives rank 9, not the 10 a binary float would."""
    if not 0 < q <= 1:
        raise ValueError("q must be in (0, 1]")
    n = sum(counts)
    if n <= 0:
        return None
    k = max(1, math.ceil(Fraction(str(q)) * n))
    seen = 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= k:
            return index
    return len(counts) - 1  # unreachable: seen reaches n >= k


def _amount(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def bucket_label(index: int) -> str:
    """The bucket in plain Indonesian: "≤ 1 jam", "≤ 1 hari", "≤ 7 hari", "> 30 hari"."""
    if not 0 <= index < HISTOGRAM_BUCKETS:
        raise ValueError(f"bucket {index} does not exist")
    last = index == HISTOGRAM_BUCKETS - 1
    hours = HISTOGRAM_HOURS[-1] if last else HISTOGRAM_HOURS[index]
    text = f"{_amount(hours / 24)} hari" if hours >= 24 else f"{_amount(hours)} jam"
    return f"> {text}" if last else f"≤ {text}"


def counts_of(row: Any) -> list[int]:
    """The ``h00``..``h11`` counts of a roll-up row (a model instance or a dict of values);
    a missing or empty column counts as 0."""
    if isinstance(row, Mapping):
        return [int(row.get(name) or 0) for name in HISTOGRAM_FIELDS]
    return [int(getattr(row, name, 0) or 0) for name in HISTOGRAM_FIELDS]
