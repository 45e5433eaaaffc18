"""Running statistics over results, and immutable snapshots of them.

Only aggregates are kept: per-group counters and time sums, and two
histograms with log-spaced buckets, one of simulated send times and one of
the simulated moments messages were sent.  Memory is the same for a
thousand messages as for a billion, and any percentile read from a
histogram is within half a percent of the true value.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sms_sim.measure.curve import (DELIVERY_SHARES, Curve, curve_ranks,
                                   reach_curve)
from sms_sim.model.config import SenderGroup
from sms_sim.model.result import EXPIRED, FAILED, RETRY, SENT, Result
from sms_sim.model.validation import MAX_RETRIES

HISTOGRAM_GROWTH = 1.01
"""Each bucket is 1% wider than the one before, so reporting a bucket's
geometric middle is off by at most sqrt(1.01) - 1, about 0.5%."""
DISTRIBUTION_ROWS = 6
SEND_DECADES = 11
"""Orders of magnitude of send times that the send histogram resolves, to
the longest send any group allows; shorter ones share its first bucket
(and the exact minimum keeps the shortest true)."""
MOMENTS = (1e-7, 1e9)
"""The span of the histograms of simulated moments: the horizon."""
GROUPS_FOLLOWED = 64
"""Most sender groups whose own reached counts a run follows (a
histogram each)."""
SMALLEST_FLOAT = math.ulp(0.0)
"""5e-324: the histogram's bounds must be positive, and no send is
shorter than this but zero."""


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

    def percentiles(self, *shares: float) -> list[float | None]:
        """Nearest-rank percentiles of the values added."""
        if not self.count:
            return [None] * len(shares)
        return self.at_ranks([max(1, math.ceil(s * self.count))
                              for s in shares])

    def bins(self, high: float, rows: int = DISTRIBUTION_ROWS
             ) -> tuple[Bin, ...]:
        """The values in ``rows`` rows of equal width from the minimum to
        the maximum, for display.  When the maximum is so far beyond
        ``high`` (the p99) that equal rows would leave the values up to it
        fewer than ``rows - 1`` rows, those get ``rows - 1`` equal rows and
        one tail row has the rest: one slow outlier does not squash the
        picture, and the tail row is never narrower than the others.

        A bucket that straddles an edge between rows is shared in
        proportion to the overlap, as if its values were spread evenly
        across it (a bucket is 1% wide, so they nearly are); the counts are
        rounded so that they still add up to the count."""
        if not self.count:
            return ()
        low, top = self.min, self.max
        if top <= low:
            return (Bin(low, top, self.count),)
        # The tail row is wider than the others exactly when equal rows
        # over it all would leave the values up to ``high`` fewer rows.
        tail = low < high and (top - high) * (rows - 1) > high - low
        end, equal = (high, rows - 1) if tail else (top, rows)
        edges = [low + i * (end - low) / equal for i in range(equal)]
        edges += [end, top] if tail else [top]
        shares = [0.0] * (len(edges) - 1)
        for index, count in enumerate(self._buckets):
            if count:
                self._share(index, count, edges, shares)
        counts, seen, before = [], 0.0, 0
        for share in shares[:-1]:  # rounded as running totals: no drift
            seen += share
            upto = min(round(seen), self.count)
            counts.append(upto - before)
            before = upto
        counts.append(self.count - before)
        return tuple(Bin(a, b, c, tail and row == len(counts) - 1)
                     for row, (a, b, c) in enumerate(zip(edges, edges[1:],
                                                         counts)))

    def _share(self, index: int, count: int, edges: Sequence[float],
               shares: list[float]) -> None:
        """Add bucket ``index``'s ``count`` to the rows between ``edges``
        that it overlaps, each in proportion to the overlap.  Its bounds
        are clamped to the values seen: the first and last buckets are open
        ended, and the others partly empty at the extremes."""
        log_lowest, log_growth = self._log_lowest, self._log_growth
        below = math.exp(log_lowest + (index - 1) * log_growth) \
            if index > 0 else -math.inf
        above = math.exp(log_lowest + index * log_growth) \
            if index < self._top else math.inf
        start, stop = max(below, self.min), min(above, self.max)
        if stop <= start:  # all at one value (or rounding put it here)
            row = bisect.bisect_right(edges, min(start, self.max)) - 1
            shares[min(row, len(shares) - 1)] += count
            return
        for row, (a, b) in enumerate(zip(edges, edges[1:])):
            overlap = min(b, stop) - max(a, start)
            if overlap > 0:
                shares[row] += count * overlap / (stop - start)


@functools.lru_cache(maxsize=8)
def _edges(lowest: float, top: int) -> tuple[float, ...]:
    """The bucket edges of every histogram with these bounds, made once:
    a run keeps several alike (per group)."""
    log_lowest, log_growth = math.log(lowest), math.log(HISTOGRAM_GROWTH)
    return tuple(math.exp(log_lowest + i * log_growth) for i in range(top))


@dataclass(frozen=True, slots=True)
class GroupSnapshot:
    group: SenderGroup
    attempts: int
    sent: int
    failed: int
    send_s: float
    """Simulated send time over all attempts."""
    reached: int | None = None
    """Of its sent, those the phones had by the snapshot's simulated time;
    None without a carrier, or for a run of too many groups to follow
    each (``GROUPS_FOLLOWED``)."""

    @property
    def avg_send_s(self) -> float | None:
        return self.send_s / self.attempts if self.attempts else None


@dataclass(frozen=True, slots=True)
class MarkCount:
    """How many messages had been sent, and had reached the phones, by a
    simulated moment named before the run (a check's or a target's)."""

    at_s: float
    sent: int
    reached: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state of a run at one moment.  Derived values are properties and
    are ``None`` (never a division by zero) while they are undefined.
    Times are simulated, except ``elapsed_s``, ``eta_s`` and
    ``max_lag_s``, which are real."""

    total: int
    elapsed_s: float
    sim_elapsed_s: float
    """How far the blast has got in simulated time: the moment its latest
    attempt ended (at the end, its simulated duration)."""
    groups: tuple[GroupSnapshot, ...]
    speed: float = 1.0
    """Simulated seconds per real second; ``inf`` at ``--speed max``."""
    seed: int | None = None
    """The seed of the run's generator: the same seed and settings give
    the same simulated figures."""
    expired: int = 0
    retries: int = 0
    retrying: int = 0
    """Messages with a retry ahead of them: after an interrupt, those of
    the unsent that had been tried."""
    first_attempts: int = 0
    first_attempt_failed: int = 0
    rate_per_s: float | None = None
    """Messages sent or failed per simulated second over the last
    interval."""
    # The fields from min_s on are set in final snapshots only.
    min_s: float | None = None
    max_s: float | None = None
    p50_s: float | None = None
    p95_s: float | None = None
    p99_s: float | None = None
    distribution: tuple[Bin, ...] = ()
    delivery: tuple[float | None, ...] = ()
    """The simulated moment by which each of ``DELIVERY_SHARES`` of all
    messages had been sent, or None where that share never was."""
    last_sent_s: float | None = None
    attempts: tuple[tuple[int, int], ...] = ()
    """(attempts, messages) for every message with an outcome."""
    max_lag_s: float = 0.0
    final: bool = False
    stopped: str | None = None
    """Why a run ended early: "interrupt" or "fault"; None otherwise."""
    carrier: bool = False
    """Whether the run models the carrier's delay to the phone, and so
    has the ``reached`` figures."""
    reached: int = 0
    """Messages the phones had by ``sim_elapsed_s``: sent, and the
    carrier's delay passed."""
    reached_at: tuple[float | None, ...] = ()
    """Final only: the simulated moment by which each of
    ``DELIVERY_SHARES`` of all messages had reached the phones."""
    last_reached_s: float | None = None
    ends_at_s: float | None = None
    """Once every message has its outcome, the simulated moment the blast
    ends: its last attempt's end, or its last phone reached."""
    curves: tuple[Curve, ...] = ()
    """Final only: the share of all messages sent by each simulated
    moment, the whole run's first, then each group's when there are
    several (and at most ``GROUPS_FOLLOWED``)."""
    reached_curves: tuple[Curve, ...] = ()
    """Final only, with a carrier: the same for the phones reached."""
    by_marks: tuple[MarkCount, ...] = ()
    """Exact counts at each moment the run was asked to watch."""

    @property
    def sent(self) -> int:
        return sum(g.sent for g in self.groups)

    @property
    def failed(self) -> int:
        return sum(g.failed for g in self.groups)

    @property
    def processed(self) -> int:
        """Messages with an outcome: sent, failed or expired."""
        return self.sent + self.failed + self.expired

    @property
    def unsent(self) -> int:
        return self.total - self.processed

    @property
    def interrupted(self) -> bool:
        return self.stopped == "interrupt"

    @property
    def done_share(self) -> float:
        return self.processed / self.total if self.total else 1.0

    @property
    def failure_share(self) -> float | None:
        return self.failed / self.processed if self.processed else None

    @property
    def first_attempt_failure_share(self) -> float | None:
        if not self.first_attempts:
            return None
        return self.first_attempt_failed / self.first_attempts

    @property
    def attempt_count(self) -> int:
        return sum(g.attempts for g in self.groups)

    @property
    def avg_send_s(self) -> float | None:
        """Mean simulated send time of every attempt, whatever its outcome:
        the 'average time per message' of the brief."""
        attempts = self.attempt_count
        return sum(g.send_s for g in self.groups) / attempts \
            if attempts else None

    @property
    def throughput_per_s(self) -> float | None:
        """Messages sent or failed per simulated second, over the whole
        run (an expired message took none of the gateway's time); None
        while no time has passed, or too little to give a finite rate."""
        return finite_rate(self.sent + self.failed, self.sim_elapsed_s)

    @property
    def eta_s(self) -> float | None:
        """Real seconds to go: at the real pace of the run so far, or, once
        every message has its outcome, until real time reaches the blast's
        end (its last phone, with a carrier delay)."""
        if self.final or not self.processed or self.elapsed_s <= 0:
            return None
        if self.ends_at_s is not None and math.isfinite(self.speed):
            return max(0.0, self.ends_at_s - self.sim_elapsed_s) / self.speed
        return self.unsent * self.elapsed_s / self.processed


SUM_BITS = 62
"""Binary digits that a group's longest send keeps in its exact sum."""
MAX_EXPONENT = sys.float_info.max_exp - 1


def _unit_scale(longest_s: float) -> float:
    """The power of two by which a group's send times are multiplied into
    integer units: its longest send becomes just under ``2**SUM_BITS``.
    Shorter sends keep as many digits as a float has down to 2**-10 of
    it; what lies below a unit, at most 2**-62 of the longest send, is
    dropped.  Never beyond the largest power of two a float holds, which
    sends shorter than about 1e-280 s would ask for."""
    if longest_s <= 0:
        return 1.0
    return 2.0 ** min(SUM_BITS - math.frexp(longest_s)[1], MAX_EXPONENT)


def _upto(moments: Iterable[float | None], until_s: float
          ) -> tuple[float | None, ...]:
    """``moments``, each None where it falls after ``until_s``."""
    return tuple(None if at is None or at > until_s else at
                 for at in moments)


def finite_rate(count: int, seconds: float) -> float | None:
    """``count`` per second over ``seconds``, or None when that is not a
    finite number (no time, or a subnormal sliver of it)."""
    if seconds <= 0:
        return None
    rate = count / seconds
    return rate if math.isfinite(rate) else None


class Stats:
    """Accumulates results; only the monitor thread touches it."""

    def __init__(self, total: int, groups: Sequence[SenderGroup],
                 speed: float = 1.0, seed: int | None = None,
                 carrier: bool = False, marks: Sequence[float] = ()
                 ) -> None:
        self.total = total
        self.speed = speed
        self.seed = seed
        self.carrier = carrier
        self._marks = tuple(marks)
        self._marked_sent = [0] * len(marks)
        self._marked_reached = [0] * len(marks)
        self._groups = tuple(groups)
        self._attempts = [0] * len(groups)
        self._sent = [0] * len(groups)
        self._failed = [0] * len(groups)
        self._send_units = [0] * len(groups)
        """Each group's send time over all attempts, in units of one over
        its ``_unit_scale``: integers, so the sum is exact whatever order
        the results arrive in, and a seed fixes it to the last bit."""
        self._unit_scale = [_unit_scale(g.send.longest_s) for g in groups]
        # Send times are known to lie below the longest a group allows:
        # the buckets span SEND_DECADES below it, whatever its scale.
        longest = max((g.send.longest_s for g in groups), default=0.0)
        self._send = Histogram(
            max(longest * 10.0 ** -SEND_DECADES, SMALLEST_FLOAT),
            max(longest, SMALLEST_FLOAT))
        self._delivered = Histogram(*MOMENTS)
        self._reached = Histogram(*MOMENTS)
        followed = 1 < len(groups) <= GROUPS_FOLLOWED
        self._group_delivered = (
            [Histogram(*MOMENTS) for _ in groups] if followed else [])
        self._group_reached = (
            [Histogram(*MOMENTS) for _ in groups]
            if carrier and len(groups) <= GROUPS_FOLLOWED else [])
        self._by_attempts = [0] * (MAX_RETRIES + 2)
        self.expired = 0
        self.retries = 0
        self.retrying = 0
        self.first_attempts = 0
        self.first_attempt_failed = 0
        self.latest_s = 0.0
        self.max_lag_s = 0.0

    @property
    def ended(self) -> int:
        """Messages sent or failed: ended by an attempt of their own."""
        return sum(self._sent) + sum(self._failed)

    @property
    def processed(self) -> int:
        return self.ended + self.expired

    def add(self, results: Iterable[Result]) -> None:
        """Count a batch of results.  Runs once per attempt: names are
        bound locally, and counters written back once."""
        attempts, sent, failed = self._attempts, self._sent, self._failed
        units, scales = self._send_units, self._unit_scale
        by_attempts = self._by_attempts
        sends: list[float] = []
        delivered: list[float] = []
        by_group: list[list[float]] | None = (
            [[] for _ in self._groups] if self._group_delivered else None)
        reached: list[tuple[int, float]] = []
        latest, retries, retrying, expired = (
            self.latest_s, self.retries, self.retrying, self.expired)
        first, first_failed = self.first_attempts, self.first_attempt_failed
        for _, group, _, tries, send_s, done, _, outcome, reach in results:
            if done > latest:
                latest = done
            if send_s is not None:
                attempts[group] += 1
                units[group] += int(send_s * scales[group])
                sends.append(send_s)
                if tries == 1:
                    first += 1
                    first_failed += outcome != SENT
                else:
                    retries += 1  # made: one that expired before it was not
            if outcome == RETRY:
                retrying += tries == 1
                continue
            if outcome == SENT:
                sent[group] += 1
                delivered.append(done)
                if by_group is not None:
                    by_group[group].append(done)
                if reach is not None:
                    reached.append((group, reach))
            elif outcome == FAILED:
                failed[group] += 1
            else:
                assert outcome == EXPIRED
                expired += 1
            by_attempts[tries] += 1
            # Its retry was counted when its first attempt failed; an
            # expiry without an attempt of its own came as a retry.
            if tries >= 2 or (send_s is None and tries >= 1):
                retrying -= 1
        self.latest_s, self.retries, self.retrying, self.expired = (
            latest, retries, retrying, expired)
        self.first_attempts, self.first_attempt_failed = first, first_failed
        self._send.add(sends)
        self._delivered.add(delivered)
        if by_group is not None:
            for histogram, moments in zip(self._group_delivered, by_group):
                histogram.add(moments)
        if reached:
            self._add_reached(reached)
        if self._marks:
            self._count_marks(delivered, reached)

    def _add_reached(self, reached: list[tuple[int, float]]) -> None:
        self._reached.add(reach for _, reach in reached)
        if self._group_reached:
            by_group: list[list[float]] = [[] for _ in self._groups]
            for group, reach in reached:
                by_group[group].append(reach)
            for histogram, moments in zip(self._group_reached, by_group):
                histogram.add(moments)

    def _count_marks(self, delivered: list[float],
                     reached: list[tuple[int, float]]) -> None:
        """Exact counts at each mark: a percentile from a histogram is only
        within half a percent, and a check or a target must not pass by
        rounding."""
        for index, mark in enumerate(self._marks):
            self._marked_sent[index] += sum(done <= mark
                                            for done in delivered)
            self._marked_reached[index] += sum(reach <= mark
                                               for _, reach in reached)

    def _curves(self, whole: Histogram, groups: Sequence[Histogram],
                until_s: float = math.inf) -> tuple[Curve, ...]:
        """The run's curve from ``whole``, then each group's, if followed:
        a point per percent of all messages, through the moments of
        ``DELIVERY_SHARES`` the report gives; none after ``until_s``."""
        if not self.total:
            return ()

        def curve(label: str, histogram: Histogram) -> Curve:
            ranks = curve_ranks(self.total, histogram.count)
            return reach_curve(label, self.total, ranks,
                               _upto(histogram.at_ranks(ranks), until_s))

        return (curve("all", whole), *(
            curve(f"group {number}", histogram)
            for number, histogram in enumerate(groups, 1)
            if len(groups) > 1))

    def reached_by(self, sim_s: float) -> int:
        """Messages the phones had by simulated ``sim_s``: as many as were
        sent, or, with a carrier, as the carrier had delivered by then."""
        if not self.carrier:
            return 0
        return round(self._reached.count_upto(sim_s))

    @property
    def end_s(self) -> float:
        """The simulated moment the run is over: its last attempt, or the
        last phone it reached, whichever is later."""
        if self._reached.count:
            return max(self.latest_s, self._reached.max)
        return self.latest_s

    def snapshot(self, elapsed_s: float, sim_elapsed_s: float,
                 rate_per_s: float | None = None, final: bool = False,
                 stopped: str | None = None) -> Snapshot:
        """The figures now.  Percentiles and distributions take a pass over
        the histograms and only the final report shows them, so only a
        final snapshot has them; its simulated time is the blast's
        duration."""
        # A completed run is over when its last phone is reached.
        reach_s = self.end_s if final and stopped is None else sim_elapsed_s
        reached: list[int | None] = [
            round(h.count_upto(reach_s)) for h in self._group_reached
        ] or [None] * len(self._groups)
        groups = tuple(
            GroupSnapshot(group=group, attempts=attempts, sent=sent,
                          failed=failed, send_s=units / scale,
                          reached=group_reached)
            for group, attempts, sent, failed, units, scale, group_reached
            in zip(self._groups, self._attempts, self._sent, self._failed,
                   self._send_units, self._unit_scale, reached))
        base = Snapshot(
            total=self.total, elapsed_s=elapsed_s,
            sim_elapsed_s=sim_elapsed_s, groups=groups, speed=self.speed,
            seed=self.seed, expired=self.expired,
            retries=self.retries, retrying=max(0, self.retrying),
            first_attempts=self.first_attempts,
            first_attempt_failed=self.first_attempt_failed,
            rate_per_s=rate_per_s, final=final, stopped=stopped,
            max_lag_s=self.max_lag_s, carrier=self.carrier,
            reached=self.reached_by(reach_s),
            by_marks=tuple(map(MarkCount, self._marks, self._marked_sent,
                               self._marked_reached)),
            ends_at_s=self.end_s if self.processed == self.total else None)
        if not final:
            return base
        p50, p95, p99 = self._send.percentiles(0.50, 0.95, 0.99)
        delivered, reached_at = self._delivered, self._reached
        shares = [max(1, math.ceil(share * self.total))
                  for share in DELIVERY_SHARES]
        # Sends come out as they happen, but a phone's moment is known
        # from its send on: a run stopped early shows the phones reached
        # by then, not those the carrier would have reached after.
        reach_until_s = math.inf if stopped is None else reach_s
        last_reached = base.reached if stopped else reached_at.count
        last_reached_s = (min(reached_at.at_ranks([last_reached])[0]
                              or 0.0, reach_until_s)
                          if last_reached else None)
        return dataclasses.replace(
            base, min_s=self._send.min if self._send.count else None,
            max_s=self._send.max if self._send.count else None,
            p50_s=p50, p95_s=p95, p99_s=p99,
            distribution=self._send.bins(p99) if p99 is not None else (),
            delivery=tuple(delivered.at_ranks(shares))
            if self.total else (),
            last_sent_s=delivered.max if delivered.count else None,
            reached_at=_upto(reached_at.at_ranks(shares), reach_until_s)
            if self.total and self.carrier else (),
            last_reached_s=last_reached_s,
            curves=self._curves(delivered, self._group_delivered),
            reached_curves=self._curves(reached_at, self._group_reached,
                                        reach_until_s)
            if self.carrier else (),
            attempts=tuple((n, c) for n, c in enumerate(self._by_attempts)
                           if c))
