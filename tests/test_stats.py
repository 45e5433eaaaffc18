import math
import random

import pytest

from sms_sim.config import SenderGroup
from sms_sim.stats import Snapshot, Stats
from tests.helpers import results

GROUPS = (SenderGroup(2, 0.01, 0.002, 0.2), SenderGroup(1, 0.02, 0.0, 1.0))


def test_counts_sums_and_extremes_per_group() -> None:
    stats = Stats(10, GROUPS)
    stats.add(results(0, 0.01, 0.03), ok=True)
    stats.add(results(0, 0.02, first_id=2), ok=False)
    stats.add(results(1, 0.04, 0.05, first_id=3), ok=False)
    progress = stats.snapshot(2.0)
    assert progress.eta_s == pytest.approx(2.0)  # 5 left at 2.5 a second
    assert progress.min_s is None and progress.p50_s is None
    snap = stats.snapshot(2.0, final=True)
    assert (snap.sent, snap.failed, snap.processed, snap.unsent) == \
        (2, 3, 5, 5)
    assert snap.avg_send_s == pytest.approx(0.03)
    assert (snap.min_s, snap.max_s) == (0.01, 0.05)
    first, second = snap.groups
    assert (first.sent, first.failed) == (2, 1)
    assert first.avg_send_s == pytest.approx(0.02)
    assert (second.sent, second.failed) == (0, 2)
    assert second.avg_send_s == pytest.approx(0.045)
    assert snap.failure_share == pytest.approx(0.6)
    assert snap.throughput_per_s == pytest.approx(2.5)
    assert snap.eta_s is None  # the run is over


def test_empty_snapshot_is_safe_everywhere() -> None:
    snap = Stats(0, GROUPS).snapshot(0.0, final=True)
    assert snap.processed == snap.unsent == 0
    for value in (snap.avg_send_s, snap.min_s, snap.p50_s, snap.p99_s,
                  snap.max_s, snap.failure_share, snap.throughput_per_s,
                  snap.eta_s, snap.groups[0].avg_send_s):
        assert value is None
    assert snap.done_share == 1.0 and snap.distribution == ()


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def test_percentiles_are_within_one_percent_of_the_truth() -> None:
    rng = random.Random(4)
    fast = [rng.uniform(0.008, 0.012) for _ in range(9000)]
    slow = [0.02] * 1000
    stats = Stats(10000, GROUPS)
    stats.add(results(0, *fast), ok=True)
    stats.add(results(1, *slow), ok=False)
    snap = stats.snapshot(1.0, final=True)
    truth = fast + slow
    for value, share in ((snap.p50_s, 0.5), (snap.p95_s, 0.95),
                         (snap.p99_s, 0.99)):
        assert value == pytest.approx(nearest_rank(truth, share), rel=0.01)
    assert snap.min_s == min(fast) and snap.max_s == 0.02
    ordered = [snap.min_s, snap.p50_s, snap.p95_s, snap.p99_s, snap.max_s]
    assert ordered == sorted(v for v in ordered if v is not None)


@pytest.mark.parametrize("value", [0.0, 1e-9, 3e-7, 0.5, 12.0, 5e4])
def test_percentiles_of_extreme_values_are_clamped_to_what_was_seen(
        value: float) -> None:
    stats = Stats(3, GROUPS)
    stats.add(results(0, value, value, value), ok=True)
    snap = stats.snapshot(1.0, final=True)
    assert snap.p50_s == snap.p99_s == value


def test_distribution_rows_cover_min_to_p99_then_a_tail_row() -> None:
    rng = random.Random(5)
    values = [rng.uniform(0.001, 0.002) for _ in range(5000)]
    stats = Stats(5000, GROUPS)
    stats.add(results(0, *values), ok=True)
    snap = stats.snapshot(1.0, final=True)
    bins = snap.distribution
    assert sum(b.count for b in bins) == 5000
    assert bins[0].low_s == min(values)
    assert bins[-2].high_s == pytest.approx(snap.p99_s)
    assert bins[-1].high_s == max(values)
    assert all(a.high_s == pytest.approx(b.low_s)
               for a, b in zip(bins, bins[1:]))
    # Uniform: ~990 in each of the five equal rows and the slowest 1% in
    # the tail row, give or take the 1%-wide bucket that straddles p99.
    assert all(850 < b.count < 1150 for b in bins[:-1])
    assert 10 < bins[-1].count < 250


def test_distribution_of_identical_values_is_one_row() -> None:
    stats = Stats(3, GROUPS)
    stats.add(results(0, 0.01, 0.01, 0.01), ok=True)
    snap = stats.snapshot(1.0, final=True)
    assert [b.count for b in snap.distribution] == [3]


def test_memory_does_not_grow_with_results() -> None:
    stats = Stats(10**6, GROUPS)
    size = len(stats._buckets)
    for _ in range(100):
        stats.add(results(0, *([0.01] * 1000)), ok=True)
    assert len(stats._buckets) == size
    assert stats.processed == 100000


def test_snapshot_is_immutable() -> None:
    snap = Snapshot(total=1, elapsed_s=0.0, groups=())
    with pytest.raises(AttributeError):
        snap.total = 2  # type: ignore[misc]
