"""Each ``--traffic`` class's figures: its messages by outcome, and, of
those sent, the time from arrival to sent and the waiting in it (that
time less the sending: time in line, and any backoff)."""
from __future__ import annotations

import math
from collections.abc import Sequence

from sms_sim.measure.curve import Curve, curve_ranks, reach_curve
from sms_sim.measure.histogram import Histogram
from sms_sim.measure.spilled import Spilled, at_ranks
from sms_sim.measure.summary import Checkpoint, ClassCounts, Times
from sms_sim.model.receipts import DELIVERED
from sms_sim.model.result import (EXPIRED, FAILED, REFUSED, RETRY, SENT,
                                  Result)
from sms_sim.model.traffic import Arrived, Traffic
from sms_sim.model.validation import MOMENT_TOLERANCE, at_most

PERCENTILES = (0.50, 0.95, 0.99)
"""The shares whose value ``Times`` gives: the k-th smallest of N, k =
ceil(pN)."""
TIMES = ("after", "waiting", "reached_after")
"""A sent message's times: from arrival to sent, the waiting in it, and,
with a carrier, from arrival to its phone."""
OUTCOMES = (SENT, FAILED, EXPIRED)
"""The outcomes of a message, in the order its class's counts keep."""
SPAN_S = (1e-7, 1e9)
"""The histograms' span: the horizon (shorter times share the first
bucket; the exact minimum and maximum keep the ends true)."""
NANOSECOND = 1e-9
"""Sums of times are kept in whole nanoseconds, integers, so a mean is
the same whatever order the results come in."""


class ClassFigures:
    """Accumulates each class's figures; only the monitor thread touches
    it (as ``Stats``)."""

    def __init__(self, traffic: Traffic,
                 checkpoints: Sequence[float] = ()) -> None:
        """``checkpoints``: the times from arrival within which the
        messages sent, reached and confirmed are counted exactly (a class's
        check's; within ``validation.MOMENT_TOLERANCE``, as the run's
        checkpoints)."""
        count = len(traffic.classes)
        self._traffic = traffic
        self._counts = [[0] * count for _ in OUTCOMES]
        self._reached = [0] * count
        self._confirmed = [0] * count
        self._checkpoints = tuple(checkpoints)
        self._limits = [at_most(after_s) for after_s in checkpoints]
        self._within = [[[0] * len(checkpoints) for _ in range(count)]
                        for _ in range(3)]
        """Sent, reached and confirmed: per class and checkpoint."""
        self._times = [[Histogram(*SPAN_S) for _ in range(count)]
                       for _ in TIMES]
        self._sums_ns = [[0] * count for _ in TIMES]
        self._sent_at = [Histogram(*SPAN_S) for _ in range(count)]
        """Each class's moments sent: its curve."""
        self._arrived = Arrived(traffic)
        self._spilled = Spilled(count, len(TIMES))
        """Each sent message's ``TIMES`` (NaN for a phone not reached),
        by class: for their exact percentiles."""

    def waiting(self, sim_s: float) -> tuple[tuple[str, int], ...]:
        """Each class's name and its messages that had arrived by simulated
        ``sim_s`` and have no outcome yet, ``sim_s`` moving on only."""
        arrived = self._arrived.by(sim_s)
        return tuple(
            (name, max(0, came - sum(counts[index]
                                     for counts in self._counts)))
            for index, (name, came) in enumerate(zip(self._traffic.names,
                                                     arrived)))

    def add(self, results: Sequence[Result]) -> None:
        """Count a batch of results: those that ended a message.  A
        class's sent ones are counted together, in lists: one call a
        message would cost a run at full speed half its time (its
        monitor sets the pace)."""
        sent: list[list[Result]] = [[] for _ in self._traffic.classes]
        counts = self._counts
        for result in results:
            outcome = result.outcome
            if outcome == SENT:
                sent[result.message.class_index].append(result)
            elif outcome != RETRY and outcome != REFUSED:
                counts[OUTCOMES.index(outcome)][
                    result.message.class_index] += 1
        for index, batch in enumerate(sent):
            if batch:
                self._add_sent(index, batch)

    def _add_sent(self, index: int, batch: list[Result]) -> None:
        """Count class ``index``'s sent messages ``batch``, in order."""
        self._counts[OUTCOMES.index(SENT)][index] += len(batch)
        for result in batch:
            self._count_sent(index, result)
        done = [result.done_at_s for result in batch]
        after = [result.done_at_s - result.message.arrived_s
                 for result in batch]
        # The waiting is a difference of sums of float seconds: what is
        # left of nothing is a few units of the last place ("waiting p99
        # 8.8e-17 s"), zero within MOMENT_TOLERANCE of the time after.
        waiting = [wait_s if (wait_s := after_s - result.spent_s)
                   > after_s * MOMENT_TOLERANCE else 0.0
                   for after_s, result in zip(after, batch)]
        # NaN where the phone was not reached (no carrier): the spilled
        # records' width is fixed, the histograms count only numbers.
        reached_or_nan = [math.nan if result.reached_at_s is None
                          else result.reached_at_s - result.message.arrived_s
                          for result in batch]
        reached = [time_s for time_s in reached_or_nan
                   if not math.isnan(time_s)]
        self._sent_at[index].add(done)
        for field, times in enumerate((after, waiting, reached)):
            self._times[field][index].add(times)
            self._sums_ns[field][index] += sum(
                [round(time_s / NANOSECOND) for time_s in times])
        self._spilled.extend(index, [
            value for record in zip(after, waiting, reached_or_nan)
            for value in record])

    def _count_sent(self, index: int, result: Result) -> None:
        """A sent message's reach and receipt, and each within the
        checkpoints' times of its arrival."""
        reach_s = result.reached_at_s
        confirmed_s = (result.receipt_at_s if result.receipt == DELIVERED
                       else None)
        self._reached[index] += reach_s is not None
        self._confirmed[index] += confirmed_s is not None
        if not self._limits:
            return
        arrived_s = result.message.arrived_s
        for within, at_s in zip(self._within,
                                (result.done_at_s, reach_s, confirmed_s)):
            if at_s is not None:
                counts = within[index]
                for number, limit in enumerate(self._limits):
                    counts[number] += at_s - arrived_s <= limit

    def counts(self, arrived: Sequence[int] | None
               ) -> tuple[ClassCounts, ...]:
        """Each class's figures; ``arrived``: each class's arrivals by the
        run's end, None for all of them (a run that completed)."""
        traffic = self._traffic
        sent, failed, expired = self._counts
        return tuple(
            ClassCounts(name, messages, came, sent[index], failed[index],
                        expired[index],
                        after=self._exact(index, 0),
                        waiting=self._exact(index, 1),
                        reached_after=self._exact(index, 2),
                        curve=self._curve(index, name, messages),
                        reached=self._reached[index],
                        confirmed=self._confirmed[index],
                        within=tuple(map(
                            Checkpoint, self._checkpoints,
                            *(within[index] for within in self._within))))
            for index, (name, messages, came) in enumerate(zip(
                traffic.names, traffic.counts,
                traffic.counts if arrived is None else arrived)))

    def _curve(self, index: int, name: str, messages: int
               ) -> Curve | None:
        """The share of class ``index``'s messages sent by each simulated
        moment, a point per percent of them (from 1% buckets)."""
        histogram = self._sent_at[index]
        if not histogram.count:
            return None
        ranks = curve_ranks(messages, histogram.count)
        return reach_curve(name, messages, ranks, histogram.at_ranks(ranks))

    def _exact(self, index: int, field: int) -> Times | None:
        """Class ``index``'s ``TIMES[field]``: the mean to the nanosecond,
        the rest exact; None without any."""
        histogram = self._times[field][index]
        count = histogram.count
        if not count:
            return None
        p50, p95, p99 = at_ranks(
            histogram, lambda: self._spilled.column(index, field),
            [max(1, math.ceil(share * count)) for share in PERCENTILES])
        return Times(self._sums_ns[field][index] * NANOSECOND / count, p50,
                     p95, p99, histogram.max)
