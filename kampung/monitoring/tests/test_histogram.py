"""Time-to-issue histograms: buckets, labels, merging, and percentiles that stay exact when
villages' histograms are added up."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kampung.monitoring import histogram as hist
from kampung.monitoring.models import HISTOGRAM_BUCKETS, HISTOGRAM_FIELDS, HISTOGRAM_HOURS, LetterMonth


def test_a_duration_lands_in_the_first_bucket_whose_limit_it_does_not_exceed() -> None:
    assert hist.bucket_of(0) == 0
    assert hist.bucket_of(-3) == 0  # a clock set wrong still counts somewhere
    assert hist.bucket_of(0.5) == 0
    for index, limit in enumerate(HISTOGRAM_HOURS):
        assert hist.bucket_of(limit) == index  # "<= limit" holds the limit itself
        assert hist.bucket_of(limit + 1e-6) == index + 1
    assert hist.bucket_of(HISTOGRAM_HOURS[-1] * 10) == HISTOGRAM_BUCKETS - 1


def test_histogram_counts_durations_per_bucket() -> None:
    counts = hist.histogram([0.2, 1, 1.5, 23, 24, 25, 10_000])
    assert len(counts) == HISTOGRAM_BUCKETS and sum(counts) == 7
    assert counts[0] == 2 and counts[1] == 1 and counts[4] == 2 and counts[5] == 1
    assert counts[-1] == 1


def test_labels_in_indonesian_with_days_from_a_day_up() -> None:
    labels = [hist.bucket_label(i) for i in range(HISTOGRAM_BUCKETS)]
    assert labels == [
        "≤ 1 jam",
        "≤ 2 jam",
        "≤ 4 jam",
        "≤ 8 jam",
        "≤ 1 hari",
        "≤ 2 hari",
        "≤ 3 hari",
        "≤ 5 hari",
        "≤ 7 hari",
        "≤ 14 hari",
        "≤ 30 hari",
        "> 30 hari",
    ]
    with pytest.raises(ValueError):
        hist.bucket_label(HISTOGRAM_BUCKETS)
    with pytest.raises(ValueError):
        hist.bucket_label(-1)


def test_merge_adds_element_wise_and_refuses_other_shapes() -> None:
    a = [1] * HISTOGRAM_BUCKETS
    b = list(range(HISTOGRAM_BUCKETS))
    assert hist.merge([a, b]) == [1 + i for i in range(HISTOGRAM_BUCKETS)]
    assert hist.merge([]) == [0] * HISTOGRAM_BUCKETS
    with pytest.raises(ValueError):
        hist.merge([[1, 2, 3]])


def test_counts_of_reads_a_model_row_or_a_dict() -> None:
    values = {name: i * 2 for i, name in enumerate(HISTOGRAM_FIELDS)}
    row = LetterMonth(village_id="35.10.01.2001", year=2026, month=1, letter_type="x", **values)
    assert hist.counts_of(row) == [i * 2 for i in range(HISTOGRAM_BUCKETS)]
    assert hist.counts_of(values) == [i * 2 for i in range(HISTOGRAM_BUCKETS)]
    assert hist.counts_of({"h03": 4, "h11": None}) == [0, 0, 0, 4] + [0] * (HISTOGRAM_BUCKETS - 4)


def test_percentile_bucket_nearest_rank() -> None:
    assert hist.percentile_bucket([0] * HISTOGRAM_BUCKETS, 0.5) is None
    counts = [0] * HISTOGRAM_BUCKETS
    counts[2], counts[6] = 9, 1  # ten letters: nine within 4 hours, one within 3 days
    assert hist.percentile_bucket(counts, 0.5) == 2
    assert hist.percentile_bucket(counts, 0.9) == 2  # rank 9 of 10, not 10 (0.9 * 10 in floats)
    assert hist.percentile_bucket(counts, 0.91) == 6
    assert hist.percentile_bucket(counts, 1) == 6
    for bad in (0, -0.1, 1.5):
        with pytest.raises(ValueError):
            hist.percentile_bucket(counts, bad)


def _raw_percentile(durations: list[float], q: Fraction) -> float:
    """Nearest rank on the raw durations: the k-th smallest, k = ceil(q n)."""
    ordered = sorted(durations)
    k = max(1, math.ceil(q * len(ordered)))
    return ordered[k - 1]


durations = st.floats(min_value=0, max_value=2_000, allow_nan=False, allow_infinity=False)
# Durations right on the bucket limits are the hard case for "<=".
on_limits = st.sampled_from([float(h) for h in HISTOGRAM_HOURS])
villages = st.lists(st.lists(st.one_of(durations, on_limits), max_size=40), min_size=1, max_size=8)


@given(villages=villages, q=st.sampled_from(["0.5", "0.9", "0.25", "0.75", "0.95", "1"]))
def test_percentile_of_merged_villages_is_the_bucket_of_the_raw_percentile(
    villages: list[list[float]], q: str
) -> None:
    merged = hist.merge(hist.histogram(v) for v in villages)
    everything = [d for v in villages for d in v]
    assert sum(merged) == len(everything)
    bucket = hist.percentile_bucket(merged, float(q))
    if not everything:
        assert bucket is None
    else:
        assert bucket == hist.bucket_of(_raw_percentile(everything, Fraction(q)))


@given(villages=villages, q=st.floats(min_value=1e-6, max_value=1.0))
def test_any_percentile_of_merged_villages_is_exact(villages: list[list[float]], q: float) -> None:
    merged = hist.merge(hist.histogram(v) for v in villages)
    everything = [d for v in villages for d in v]
    bucket = hist.percentile_bucket(merged, q)
    if everything:
        assert bucket == hist.bucket_of(_raw_percentile(everything, Fraction(str(q))))
        # Merging in another order, or village by village, gives the same histogram.
        assert merged == hist.merge(reversed([hist.histogram(v) for v in villages]))
        assert merged == hist.histogram(everything)
