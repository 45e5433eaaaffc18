"""A histogram of values in log-spaced buckets, and the rows of a coarse
distribution read from it.

Memory is the number of buckets, whatever the number of values, and any
percentile read from it is within half a percent of the true value.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HISTOGRAM_GROWTH = 1.01
"""Each bucket is 1% wider than the one before, so reporting a bucket's
geometric middle is off by at most sqrt(1.01) - 1, about 0.5%."""
DISTRIBUTION_ROWS = 6


@dataclass(frozen=True, slots=True)
class Bin:
    """One row of a coarse distribution: ``count`` values in
    ``[low_s, high_s)``, the last row's ``high_s`` (the maximum) included.
    A ``tail`` row holds the slowest values, beyond the equal rows."""

    low_s: float
    high_s: float
    count: int
    tail: bool = False


class Histogram:
    """Counts of values in buckets 1% wide from ``lowest`` to ``highest``,
    with the exact count, minimum and maximum.  Values below ``lowest``
    (zero included) share the first bucket, values above ``highest`` the
    last; the minimum and maximum keep percentiles true at both ends."""

    def __init__(self, lowest: float, highest: float) -> None:
        self._log_lowest = math.log(lowest)
        self._log_growth = math.log(HISTOGRAM_GROWTH)
        self._top = math.ceil(
            math.log(highest / lowest) / self._log_growth) + 1
        self._buckets = [0] * (self._top + 1)
        self._edges = _edges(lowest, self._top)
        """Where each bucket ends: bucket ``i`` holds the values from
        ``edges[i - 1]`` (none for the first) up to ``edges[i]``, the
        last every value from its start."""
        self.count = 0
        self.min = math.inf
        self.max = -math.inf

    def add(self, values: Iterable[float]) -> None:
        """Count ``values``.

        Sorts them (in C), then counts each bucket's share with two
        searches: one for the bucket of its first value, one for the first
        value past it.  Per bucket a batch touches, not per value; a batch
        of results, which end close together, touches few (per value, this
        was the monitor's largest cost).  Each value's bucket is found
        against the same edges whatever else is in its batch, so the
        counts do not depend on how results were batched.
        """
        ordered = sorted(values)
        if not ordered:
            return
        end = len(ordered)
        self.count += end
        self.min = min(self.min, ordered[0])
        self.max = max(self.max, ordered[-1])
        buckets, edges, top = self._buckets, self._edges, self._top
        first = 0
        while first < end:
            index = bisect.bisect_right(edges, ordered[first])
            if index >= top:
                buckets[top] += end - first
                return
            after = bisect.bisect_left(ordered, edges[index], first + 1)
            buckets[index] += after - first
            first = after

    def count_upto(self, value: float) -> float:
        """About how many values are at most ``value``: every bucket below
        it, and of the bucket it falls in the share below it, as if that
        bucket's values were spread evenly.  Exact outside the values
        seen."""
        if value >= self.max:
            return self.count
        if value < self.min:
            return 0
        edges = self._edges
        index = bisect.bisect_right(edges, value)
        start = max(edges[index - 1] if index else self.min, self.min)
        end = min(edges[index] if index < self._top else self.max, self.max)
        inside = (value - start) / (end - start) if end > start else 1.0
        return sum(self._buckets[:index]) + self._buckets[index] * inside

    def _middle(self, index: int) -> float:
        """Bucket ``i`` holds ``[lowest * g**(i-1), lowest * g**i)``; this
        is its geometric middle, clamped to the values seen."""
        middle = math.exp(self._log_lowest + (index - 0.5) * self._log_growth)
        return min(max(middle, self.min), self.max)

    def at_ranks(self, ranks: Sequence[int]) -> list[float | None]:
        """For each rank in ascending order (1 for the smallest value), the
        value of that rank, or None beyond the count; one pass."""
        found: list[float | None] = []
        pending = iter(ranks)
        rank = next(pending, None)
        seen = 0
        for index, count in enumerate(self._buckets):
            seen += count
            while rank is not None and rank <= seen:
                found.append(self.min if rank == 1 else self.max
                             if rank == self.count else self._middle(index))
                rank = next(pending, None)
            if rank is None:
                break
        return found + [None] * (len(ranks) - len(found))

    def bucket(self, rank: int) -> tuple[float, float, int, int]:
        """Where the value of ``rank`` (1 for the smallest, at most the
        count) lies: ``(start, end, below, inside)``, its bucket's bounds
        as ``add`` counts them (``start <= value < end``; -inf and inf at
        the ends), the values below ``start``, and those in the bucket."""
        seen = 0
        for index, inside in enumerate(self._buckets):
            if rank <= seen + inside:
                start = self._edges[index - 1] if index else -math.inf
                end = self._edges[index] if index < self._top else math.inf
                return start, end, seen, inside
            seen += inside
        raise ValueError(f"rank {rank} is beyond the {seen} values")

    def percentiles(self, *shares: float) -> list[float | None]:
        """Nearest-rank percentiles of the values added."""
        if not self.count:
            return [None] * len(shares)
        return self.at_ranks([max(1, math.ceil(s * self.count))
                              for s in shares])

    def bins(self, high: float, rows: int = DISTRIBUTION_ROWS
             ) -> tuple[Bin, ...]:
        """The values in up to ``rows`` rows from the minimum to the
        maximum, for display, each counting exactly the values in it.
        When the maximum is so far beyond ``high`` (the p99) that equal
        rows would leave the values up to it fewer than ``rows - 1`` rows,
        those get ``rows - 1`` rows and one tail row has the rest: one slow
        outlier does not squash the picture, and the tail row is never
        narrower than the others.

        The rows would be of equal width; each edge between two is moved
        to the bucket edge nearest to it (half a percent of its value at
        most), since the buckets are all that is left of the values, and
        only a row made of whole buckets knows its count.  Rows that would
        share their bucket edges merge: a narrow spread has fewer rows."""
        if not self.count:
            return ()
        low, top = self.min, self.max
        if top <= low:
            return (Bin(low, top, self.count),)
        # The tail row is wider than the others exactly when equal rows
        # over it all would leave the values up to ``high`` fewer rows.
        tail = low < high and (top - high) * (rows - 1) > high - low
        end, equal = (high, rows - 1) if tail else (top, rows)
        wanted = [low + i * (end - low) / equal for i in range(1, equal)]
        if tail:
            wanted.append(end)
        indexes = sorted({index for index in map(self._nearest_edge, wanted)
                          if low < self._edges[index] < top})
        edges = [low, *(self._edges[index] for index in indexes), top]
        # Bucket ``i`` ends at edge ``i``: the values below that edge are
        # those of the buckets up to ``i``.
        upto = list(itertools.accumulate(self._buckets))
        below = [0, *(upto[index] for index in indexes), self.count]
        last = len(edges) - 2
        return tuple(Bin(a, b, after - before, tail and row == last > 0)
                     for row, (a, b, before, after) in enumerate(zip(
                         edges, edges[1:], below, below[1:])))

    def _nearest_edge(self, value: float) -> int:
        """The index of the bucket edge nearest to ``value``."""
        edges = self._edges
        index = bisect.bisect_left(edges, value)
        if index == len(edges):
            return index - 1
        if index and value - edges[index - 1] < edges[index] - value:
            return index - 1
        return index


@functools.lru_cache(maxsize=8)
def _edges(lowest: float, top: int) -> tuple[float, ...]:
    """The bucket edges of every histogram with these bounds, made once:
    a run keeps several alike (per group)."""
    log_lowest, log_growth = math.log(lowest), math.log(HISTOGRAM_GROWTH)
    return tuple(math.exp(log_lowest + i * log_growth) for i in range(top))
