from __future__ import annotations

import bisect
import math
import random

import pytest

from sms_sim.measure.histogram import DISTRIBUTION_ROWS, Bin, Histogram
from sms_sim.measure.stats import SEND_DECADES

HALF_A_PERCENT = 0.005
"""Buckets 1% wide, read at their geometric middle: sqrt(1.01) - 1."""


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def true_counts(values: list[float], bins: tuple[Bin, ...]) -> list[int]:
    """How many of ``values`` each row holds: ``[low, high)``, the last
    row's ``high`` included."""
    ordered = sorted(values)
    starts = [bisect.bisect_left(ordered, b.low_s) for b in bins]
    return [end - start for start, end in zip(starts, starts[1:]
                                              + [len(ordered)])]


def binned(values: list[float], longest_s: float) -> tuple[Bin, ...]:
    """The rows a final snapshot shows, from a histogram with the bounds
    that a run whose longest send is ``longest_s`` has."""
    histogram = Histogram(longest_s * 10.0 ** -SEND_DECADES, longest_s)
    histogram.add(values)
    [p99] = histogram.percentiles(0.99)
    assert p99 is not None
    return histogram.bins(p99)


def test_uniform_values_fill_rows_equal_to_a_bucket_exactly() -> None:
    # Sends of 10 ms +- 5 ms: each row is made of whole 1%-wide buckets,
    # so that it counts its values exactly; its edges are within half a
    # bucket of equal rows'.
    rng = random.Random(7)
    values = [rng.uniform(0.005, 0.015) for _ in range(100_000)]
    bins = binned(values, 0.015)
    assert len(bins) == DISTRIBUTION_ROWS and not any(b.tail for b in bins)
    assert (bins[0].low_s, bins[-1].high_s) == (min(values), max(values))
    equal = (max(values) - min(values)) / DISTRIBUTION_ROWS
    for row, b in enumerate(bins):
        assert b.low_s == pytest.approx(min(values) + row * equal,
                                        rel=HALF_A_PERCENT)
    assert all(a.high_s == b.low_s for a, b in zip(bins, bins[1:]))
    assert [b.count for b in bins] == true_counts(values, bins)


def test_a_long_tail_gets_one_row_no_narrower_than_the_others() -> None:
    rng = random.Random(8)
    values = [0.01 * rng.lognormvariate(0, 0.5) for _ in range(50_000)]
    values.append(1.0)  # one slow outlier, far beyond the rest
    bins = binned(values, 1.0)
    *equal, tail = bins
    assert tail.tail and not any(b.tail for b in equal)
    assert (tail.high_s, len(equal)) == (1.0, DISTRIBUTION_ROWS - 1)
    widths = [b.high_s - b.low_s for b in equal]
    assert widths == pytest.approx([widths[0]] * len(equal), rel=0.05)
    assert tail.high_s - tail.low_s >= max(widths)
    # The equal rows end at the p99: the tail has the slowest 1%.
    assert tail.low_s == pytest.approx(nearest_rank(values, 0.99),
                                       rel=2 * HALF_A_PERCENT)
    assert [b.count for b in bins] == true_counts(values, bins)


def test_rows_that_would_share_a_bucket_merge() -> None:
    # A spread of 2% touches three buckets at most: three rows at most,
    # not six, each exact.
    values = [1.0, 1.005, 1.01, 1.015, 1.02]
    bins = binned(values, 2.0)
    assert 1 <= len(bins) <= 3
    assert [b.count for b in bins] == true_counts(values, bins)
    assert (bins[0].low_s, bins[-1].high_s) == (1.0, 1.02)


@pytest.mark.parametrize("slowest, tail", [(1.1, False), (1.3, True)])
def test_a_tail_is_set_apart_only_when_wider_than_a_row(
        slowest: float, tail: bool) -> None:
    # 99 values spread evenly from 0 to 1 (the p99), and one beyond: set
    # apart from five rows 0.2 wide only if further than 0.2 beyond.
    values = [i / 98 for i in range(99)] + [slowest]
    bins = binned(values, 2.0)
    assert [b.tail for b in bins] == [False] * (DISTRIBUTION_ROWS - 1) + [tail]
    assert (bins[0].low_s, bins[-1].high_s) == (0.0, slowest)
    assert bins[-1].count >= 1


def test_histogram_ranks_beyond_the_count_are_none() -> None:
    histogram = Histogram(1e-3, 1e3)
    histogram.add([3.0, 1.0, 2.0])
    ranked = histogram.at_ranks([1, 2, 3, 4])
    assert ranked[3] is None
    for found, truth in zip(ranked, (1.0, 2.0, 3.0)):
        assert found == pytest.approx(truth, rel=HALF_A_PERCENT)
    assert (histogram.count, histogram.min, histogram.max) == (3, 1.0, 3.0)
    assert Histogram(1e-3, 1e3).percentiles(0.5, 0.99) == [None, None]


def test_a_value_lands_in_the_same_bucket_whatever_its_batch() -> None:
    rng = random.Random(8)
    # Zero, and values below, at and above the histogram's bounds.
    values = [0.0, 1e-5, 1e-3, 1e3, 5e3]
    values += [rng.lognormvariate(0, 2) for _ in range(3000)]
    rng.shuffle(values)
    one_by_one, batched = Histogram(1e-3, 1e3), Histogram(1e-3, 1e3)
    for value in values:
        one_by_one.add([value])
    batched.add(values[:1000])
    batched.add(values[1000:])
    ranks = list(range(1, len(values) + 1))
    assert batched.at_ranks(ranks) == one_by_one.at_ranks(ranks)
    assert (batched.count, batched.min, batched.max) == \
        (len(values), 0.0, 5e3)


def test_the_first_and_last_ranks_are_the_exact_extremes() -> None:
    # So that, with every message sent, the 100% delivery moment is the
    # last one sent, as the report's "last" says.
    histogram = Histogram(1e-3, 1e3)
    histogram.add([3.0, 1.0, 2.0])
    assert histogram.at_ranks([1, 3]) == [1.0, 3.0]


def test_histogram_percentiles_stay_accurate_over_many_values() -> None:
    rng = random.Random(6)
    values = [rng.expovariate(10.0) for _ in range(20000)]
    histogram = Histogram(1e-7, 1e4)
    histogram.add(values[:5000])
    histogram.add(values[5000:])
    histogram.add([])
    shares = (0.01, 0.25, 0.5, 0.75, 0.9, 0.999)
    for share, found in zip(shares, histogram.percentiles(*shares)):
        assert found == pytest.approx(nearest_rank(values, share),
                                      rel=HALF_A_PERCENT)
