"""Running statistics over send results, and immutable snapshots of them.

Only aggregates are kept: per-group counters and time sums, the overall
min and max, and a histogram with log-spaced buckets.  Memory is the same
for a thousand messages as for a billion, and any percentile read from the
histogram is within half a percent of the true value.
"""
from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sms_sim.config import SenderGroup
from sms_sim.sender import Result

HISTOGRAM_LOWEST_S = 1e-7
HISTOGRAM_HIGHEST_S = 1e4
HISTOGRAM_GROWTH = 1.01
"""Each bucket is 1% wider than the one before, so reporting a bucket's
geometric middle is off by at most sqrt(1.01) - 1, about 0.5%."""

_LOG_GROWTH = math.log(HISTOGRAM_GROWTH)
_LOG_LOWEST = math.log(HISTOGRAM_LOWEST_S)
_BUCKETS = math.ceil(
    math.log(HISTOGRAM_HIGHEST_S / HISTOGRAM_LOWEST_S) / _LOG_GROWTH) + 2
DISTRIBUTION_ROWS = 6


def _bucket_middle(index: int) -> float:
    """Bucket 0 holds times below the lowest bound and the last one times
    above the highest; bucket ``i`` holds ``[lowest * g**(i-1),
    lowest * g**i)``, whose geometric middle this is."""
    return math.exp(_LOG_LOWEST + (index - 0.5) * _LOG_GROWTH)


def _edges(low: float, high: float, rows: int) -> list[float]:
    width = (high - low) / rows
    return [low + i * width for i in range(rows)] + [high]


@dataclass(frozen=True, slots=True)
class GroupSnapshot:
    group: SenderGroup
    sent: int
    failed: int
    total_s: float

    @property
    def processed(self) -> int:
        return self.sent + self.failed

    @property
    def avg_send_s(self) -> float | None:
        return self.total_s / self.processed if self.processed else None


@dataclass(frozen=True, slots=True)
class Bin:
    """One row of the coarse send-time distribution: ``[low_s, high_s)``."""

    low_s: float
    high_s: float
    count: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state of a run at one moment.  Derived values are properties and
    are ``None`` (never a division by zero) while they are undefined."""

    total: int
    elapsed_s: float
    groups: tuple[GroupSnapshot, ...]
    # min_s to distribution are set in final snapshots only.
    min_s: float | None = None
    max_s: float | None = None
    p50_s: float | None = None
    p95_s: float | None = None
    p99_s: float | None = None
    distribution: tuple[Bin, ...] = ()
    rate_per_s: float | None = None
    """Messages processed per second over the last interval."""
    final: bool = False
    interrupted: bool = False

    @property
    def sent(self) -> int:
        return sum(g.sent for g in self.groups)

    @property
    def failed(self) -> int:
        return sum(g.failed for g in self.groups)

    @property
    def processed(self) -> int:
        return self.sent + self.failed

    @property
    def unsent(self) -> int:
        return self.total - self.processed

    @property
    def done_share(self) -> float:
        return self.processed / self.total if self.total else 1.0

    @property
    def failure_share(self) -> float | None:
        return self.failed / self.processed if self.processed else None

    @property
    def avg_send_s(self) -> float | None:
        """Mean measured send time of every processed message, sent or
        failed: the 'average time per message' of the brief."""
        total_s = sum(g.total_s for g in self.groups)
        return total_s / self.processed if self.processed else None

    @property
    def throughput_per_s(self) -> float | None:
        """Messages processed per second of wall time, over the whole run."""
        if self.elapsed_s <= 0:
            return None
        return self.processed / self.elapsed_s

    @property
    def eta_s(self) -> float | None:
        throughput = self.throughput_per_s
        if self.final or not throughput:
            return None
        return self.unsent / throughput


class Stats:
    """Accumulates results; only the monitor thread touches it."""

    def __init__(self, total: int, groups: Sequence[SenderGroup]) -> None:
        self.total = total
        self._groups = tuple(groups)
        self._sent = [0] * len(groups)
        self._failed = [0] * len(groups)
        self._total_s = [0.0] * len(groups)
        self._buckets = [0] * _BUCKETS
        self._min = math.inf
        self._max = -math.inf

    @property
    def processed(self) -> int:
        return sum(self._sent) + sum(self._failed)

    def add(self, results: Iterable[Result], ok: bool) -> None:
        """Count ``results`` as sent (``ok``) or failed.

        The hot loop of the monitor: names are bound locally and the bucket
        arithmetic is inlined, as it runs once per message.
        """
        counts = self._sent if ok else self._failed
        total_s = self._total_s
        buckets = self._buckets
        lowest, top = HISTOGRAM_LOWEST_S, _BUCKETS - 1
        log, log_lowest, log_growth = math.log, _LOG_LOWEST, _LOG_GROWTH
        low, high = self._min, self._max
        for _, group, seconds in results:
            counts[group] += 1
            total_s[group] += seconds
            if seconds < low:
                low = seconds
            if seconds > high:
                high = seconds
            if seconds < lowest:
                buckets[0] += 1
            else:
                index = int((log(seconds) - log_lowest) / log_growth) + 1
                buckets[index if index < top else top] += 1
        self._min, self._max = low, high

    def percentiles(self, *shares: float) -> list[float | None]:
        """For each share in ascending order, the smallest time with at least
        that share of the results at or below it (nearest rank), read from
        the histogram in one pass and clamped to the min and max seen."""
        processed = self.processed
        if not processed:
            return [None] * len(shares)
        found: list[float | None] = []
        ranks = iter(max(1, math.ceil(s * processed)) for s in shares)
        rank = next(ranks, None)
        seen = 0
        for index, count in enumerate(self._buckets):
            seen += count
            while rank is not None and seen >= rank:
                found.append(min(max(_bucket_middle(index), self._min),
                                 self._max))
                rank = next(ranks, None)
            if rank is None:
                break
        return found

    def distribution(self, p99: float | None,
                     rows: int = DISTRIBUTION_ROWS) -> tuple[Bin, ...]:
        """The histogram folded into a few rows for display: equal widths
        from min to p99, then one row for the slowest 1% up to max, so that
        a single slow outlier does not squash the picture.  Each fine bucket
        lands in the row holding its middle."""
        if p99 is None:
            return ()
        low, high = self._min, self._max
        if high <= low:
            return (Bin(low, high, self.processed),)
        tail = p99 < high
        edges = _edges(low, p99 if tail else high, rows - 1 if tail else rows)
        if tail:
            edges.append(high)
        counts = [0] * (len(edges) - 1)
        for index, count in enumerate(self._buckets):
            if count:
                middle = min(max(_bucket_middle(index), low), high)
                row = bisect.bisect_right(edges, middle) - 1
                counts[min(row, len(counts) - 1)] += count
        return tuple(Bin(a, b, c) for a, b, c in zip(edges, edges[1:], counts))

    def snapshot(self, elapsed_s: float, rate_per_s: float | None = None,
                 final: bool = False, interrupted: bool = False) -> Snapshot:
        """The figures now.  Percentiles and the distribution take a pass
        over the histogram and only the final report shows them, so only a
        final snapshot has them."""
        groups = tuple(
            GroupSnapshot(group, sent, failed, total_s)
            for group, sent, failed, total_s in zip(
                self._groups, self._sent, self._failed, self._total_s))
        base = Snapshot(total=self.total, elapsed_s=elapsed_s, groups=groups,
                        rate_per_s=rate_per_s, final=final,
                        interrupted=interrupted)
        if not final or not self.processed:
            return base
        p50, p95, p99 = self.percentiles(0.50, 0.95, 0.99)
        return dataclasses.replace(
            base, min_s=self._min, max_s=self._max, p50_s=p50, p95_s=p95,
            p99_s=p99, distribution=self.distribution(p99))
