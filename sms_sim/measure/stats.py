"""The accumulator: running statistics over a run's results, from which
its live :class:`Progress` and its final :class:`Summary` are read.

Only aggregates are kept: per-group counters and time sums, and
histograms (``histogram.py``), one of simulated send times and one of the
simulated moments messages were sent.  Memory is the same for a thousand
messages as for a billion.
"""
from __future__ import annotations

import bisect
import dataclasses
import math
import sys
from collections.abc import Iterable, Sequence

from sms_sim.measure.carrier_tally import CarrierTally
from sms_sim.measure.classes import ClassFigures
from sms_sim.measure.curve import (DELIVERY_SHARES, Curve, curve_ranks,
                                   reach_curve, upto)
from sms_sim.measure.error_tally import ErrorTally
from sms_sim.measure.histogram import Histogram
from sms_sim.measure.progress import GroupCounts, Progress, fields
from sms_sim.measure.receipts import ReceiptTally
from sms_sim.measure.summary import (Checkpoint, ClassCounts, Summary,
                                     form_counts)
from sms_sim.model.config import SenderGroup
from sms_sim.model.encoding import Form
from sms_sim.model.ranked import Ranked
from sms_sim.model.result import (EXPIRED, FAILED, REFUSED, RETRY, SENT,
                                  Result)
from sms_sim.model.route import OUTAGE
from sms_sim.model.throttle import THROTTLED
from sms_sim.model.traffic import Traffic
from sms_sim.model.validation import MAX_RETRIES, at_most

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


class Stats:
    """Accumulates results; only the monitor thread touches it."""

    def __init__(self, total: int, groups: Sequence[SenderGroup],
                 speed: float = 1.0, seed: int | None = None,
                 carrier: bool = False, checkpoints: Sequence[float] = (),
                 sent_order: Ranked | None = None,
                 reached_order: Ranked | None = None,
                 send_factor: int = 1, traffic: Traffic | None = None,
                 confirmed_order: Ranked | None = None,
                 carriers: CarrierTally | None = None) -> None:
        """``send_factor``: the most drawn send times one attempt may take
        (``SimulationConfig.send_factor``).  ``traffic``: the run's
        classes, whose outcomes are counted apart.  ``confirmed_order``:
        with receipts, the schedule's ranking of delivered receipts."""
        self.total = total
        self._sent_order = sent_order
        self._reached_order = reached_order
        """The schedule's exact moments of the ranks of
        :func:`moment_ranks`, sent and reached; without them, or in a run
        stopped before every message had its outcome, the histograms'
        (within half a percent)."""
        self._confirmed_order = confirmed_order
        self._receipts = (None if confirmed_order is None
                          else ReceiptTally(checkpoints))
        self.speed = speed
        self.seed = seed
        self.carrier = carrier
        self._checkpoints = tuple(checkpoints)
        self._sent_by_checkpoint = [0] * len(checkpoints)
        self._reached_by_checkpoint = [0] * len(checkpoints)
        self._groups = tuple(groups)
        self._attempts = [0] * len(groups)
        self._sent = [0] * len(groups)
        self._failed = [0] * len(groups)
        self._send_units = [0] * len(groups)
        """Each group's send time over all attempts, in units of one over
        its ``_unit_scale``: integers, so the sum is exact whatever order
        the results arrive in, and a seed fixes it to the last bit."""
        self._unit_scale = [_unit_scale(g.send.longest_s * send_factor)
                            for g in groups]
        # Send times are known to lie below the longest a group allows:
        # the buckets span SEND_DECADES below it, whatever its scale.
        longest = max((g.send.longest_s for g in groups),
                      default=0.0) * send_factor
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
        self._forms: tuple[dict[Form, int], ...] = ({}, {}, {})
        """Messages sent, failed and expired, by their form."""
        self._outage_starts = [[o.start_s for o in g.outages]
                               for g in groups]
        self._outage_failed = [[0] * len(g.outages) for g in groups]
        """Per group and outage: attempts the outage ended."""
        self._outage_lost = [[0] * len(g.outages) for g in groups]
        """Of those, the last attempts of messages that failed for good."""
        self._traffic = traffic
        self._carriers = carriers
        self._classes = (None if traffic is None
                         else ClassFigures(traffic, checkpoints))
        self.expired = 0
        self.daily_capped = 0
        """Messages failed for good with no attempt, past their carrier's
        daily cap: failed, and in no group's counts (as the log has
        them)."""
        self.retries = 0
        self.retrying = 0
        self.first_attempts = 0
        self.first_attempt_failed = 0
        self.throttled = 0
        self._errors = ErrorTally() if any(g.errors for g in groups) else None
        self.latest_s = 0.0
        self.max_lag_s = 0.0

    @property
    def decided_s(self) -> float:
        """The schedule's low-water mark: every attempt from now on starts
        at or after it (``ranked.py``); minus infinity where it is not
        known."""
        return -math.inf if self._sent_order is None \
            else self._sent_order.low_s

    @property
    def ended(self) -> int:
        """Messages sent or failed: ended by an attempt of their own, or
        failed past their carrier's daily cap."""
        return sum(self._sent) + sum(self._failed) + self.daily_capped

    @property
    def processed(self) -> int:
        return self.ended + self.expired

    def add(self, results: Iterable[Result]) -> None:
        """Count a batch of results.  Runs once per attempt: names are
        bound locally, and counters written back once."""
        if self._carriers is not None or self._classes is not None:
            results = list(results)  # read more than once
            if self._carriers is not None:  # --carriers
                self._carriers.add(results)
            if self._classes is not None:  # --traffic
                self._classes.add(results)
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
        daily_capped = self.daily_capped
        first, first_failed = self.first_attempts, self.first_attempt_failed
        sent_forms, failed_forms, expired_forms = self._forms
        receipts: list[tuple[str, float | None]] = []
        for (message, group, _, tries, send_s, done, _, outcome, reach,
             cause, receipt, receipt_s) in results:
            if done > latest:
                latest = done
            if cause is not None and self._count_cause(group, done, outcome,
                                                       cause):
                continue  # a refused submit: not an attempt
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
            form = message.form
            if outcome == SENT:
                sent[group] += 1
                sent_forms[form] = sent_forms.get(form, 0) + 1
                delivered.append(done)
                if by_group is not None:
                    by_group[group].append(done)
                if reach is not None:
                    reached.append((group, reach))
                if receipt is not None:
                    receipts.append((receipt, receipt_s))
            elif outcome == FAILED:
                if send_s is not None:
                    failed[group] += 1
                else:  # past its carrier's daily cap: in no group's hands
                    daily_capped += 1
                failed_forms[form] = failed_forms.get(form, 0) + 1
            else:
                assert outcome == EXPIRED
                expired += 1
                expired_forms[form] = expired_forms.get(form, 0) + 1
            by_attempts[tries] += 1
            # Its retry was counted when its first attempt failed; an
            # expiry without an attempt of its own came as a retry.
            if tries >= 2 or (send_s is None and tries >= 1):
                retrying -= 1
        self.latest_s, self.retries, self.retrying, self.expired = (
            latest, retries, retrying, expired)
        self.daily_capped = daily_capped
        self.first_attempts, self.first_attempt_failed = first, first_failed
        self._send.add(sends)
        self._delivered.add(delivered)
        if by_group is not None:
            for histogram, moments in zip(self._group_delivered, by_group):
                histogram.add(moments)
        if reached:
            self._add_reached(reached)
        if self._checkpoints:
            self._count_checkpoints(delivered, reached)
        if self._receipts is not None:
            self._receipts.add(receipts)

    def _count_cause(self, group: int, done_s: float, outcome: str,
                     cause: str) -> bool:
        """A result with a cause; whether it is a refused submit, not an
        attempt (``throttle.py``).  An attempt an outage ended at
        ``done_s`` is counted in the last outage to start by then, which
        is the one that ended it."""
        if cause == OUTAGE:  # not a carrier's daily cap
            index = bisect.bisect_right(self._outage_starts[group],
                                        done_s) - 1
            self._outage_failed[group][index] += 1
            self._outage_lost[group][index] += outcome == FAILED
        self.throttled += cause == THROTTLED
        if self._errors is not None:  # errors=
            self._errors.add(cause, outcome)
        return outcome == REFUSED

    def _add_reached(self, reached: list[tuple[int, float]]) -> None:
        self._reached.add(reach for _, reach in reached)
        if self._group_reached:
            by_group: list[list[float]] = [[] for _ in self._groups]
            for group, reach in reached:
                by_group[group].append(reach)
            for histogram, moments in zip(self._group_reached, by_group):
                histogram.add(moments)

    def _count_checkpoints(self, delivered: list[float],
                           reached: list[tuple[int, float]]) -> None:
        """Exact counts at each checkpoint, a message ending on it
        included (within ``validation.MOMENT_TOLERANCE``, as float sums of
        decimal seconds drift): a percentile from a histogram is only
        within half a percent, and a check or a target must not pass by
        rounding."""
        for index, at_s in enumerate(self._checkpoints):
            upto_s = at_most(at_s)
            self._sent_by_checkpoint[index] += sum(done <= upto_s
                                                   for done in delivered)
            self._reached_by_checkpoint[index] += sum(
                reach <= upto_s for _, reach in reached)

    def _at_ranks(self, histogram: Histogram, order: Ranked | None,
                  ranks: Sequence[int]) -> list[float | None]:
        """The moment of each of ``ranks`` among ``histogram``'s values:
        exact from the schedule's ``order`` once every message has its
        outcome (then every moment it ranked came out as a result), else
        the histogram's, within half a percent."""
        count = histogram.count
        if order is None or self.processed < self.total:
            return histogram.at_ranks(ranks)
        # The last is the histogram's exact maximum: a rank the schedule
        # could not know it would need.
        return [None if rank > count else histogram.max if rank == count
                else order.at(rank) for rank in ranks]

    def _moment(self, histogram: Histogram, order: Ranked | None,
                rank: int) -> float:
        """The moment of ``rank`` among ``histogram``'s values: exact where
        ``_at_ranks`` has it, else the histogram's, but never before the
        exact moment of a lower rank (a bucket's middle may be: a run
        stopped early printed "50% by 2.728 s ... last 2.722 s")."""
        if rank >= histogram.count:
            return histogram.max
        at = histogram.at_ranks([rank])[0] or 0.0
        known = None if order is None or self.processed < self.total \
            else order.below(rank)
        if known is None:
            return at
        known_rank, known_s = known
        return known_s if known_rank == rank else max(at, known_s)

    def _curves(self, whole: Histogram, order: Ranked | None,
                groups: Sequence[Histogram], until_s: float = math.inf
                ) -> tuple[Curve, ...]:
        """The run's curve from ``whole`` (exact from ``order``), then
        each group's, if followed, from its histogram: a point per percent
        of all messages, through the moments of ``DELIVERY_SHARES`` the
        report gives; none after ``until_s``."""
        if not self.total:
            return ()

        def curve(label: str, histogram: Histogram,
                  order: Ranked | None = None) -> Curve:
            ranks = curve_ranks(self.total, histogram.count)
            return reach_curve(label, self.total, ranks, upto(
                self._at_ranks(histogram, order, ranks), until_s))

        return (curve("all", whole, order), *(
            curve(group.name or f"group {number}", histogram)
            for number, (group, histogram)
            in enumerate(zip(self._groups, groups), 1)
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
        end_s = self.latest_s
        if self._reached.count:
            end_s = max(end_s, self._reached.max)
        if self._receipts is not None and self._receipts.confirmed.count:
            end_s = max(end_s, self._receipts.confirmed.max)
        return end_s

    def progress(self, elapsed_s: float, sim_elapsed_s: float,
                 rate_per_s: float | None = None) -> Progress:
        """The figures now, as the monitor reports them: counters only,
        no pass over the histograms but the carrier's for ``reached``."""
        # A retried message's later outcome may be taken before its first
        # failure (they come on two queues, and at --speed max a sender
        # may post a batch after another posted a later attempt): for
        # that moment the count is below 0, and shown as none.
        snap = self._progress(elapsed_s, sim_elapsed_s, rate_per_s,
                              sim_elapsed_s, max(0, self.retrying))
        return snap if self._classes is None else dataclasses.replace(
            snap, waiting=self._classes.waiting(sim_elapsed_s))

    def _progress(self, elapsed_s: float, sim_elapsed_s: float,
                  rate_per_s: float | None, reach_s: float,
                  retrying: int) -> Progress:
        """The figures now, with the phones reached by ``reach_s``."""
        reached: list[int | None] = [
            round(h.count_upto(reach_s)) for h in self._group_reached
        ] or [None] * len(self._groups)
        groups = tuple(
            GroupCounts(group=group, attempts=attempts, sent=sent,
                        failed=failed, send_s=units / scale,
                        reached=group_reached,
                        outages=tuple(zip(outage_failed, outage_lost)))
            for (group, attempts, sent, failed, units, scale, group_reached,
                 outage_failed, outage_lost)
            in zip(self._groups, self._attempts, self._sent, self._failed,
                   self._send_units, self._unit_scale, reached,
                   self._outage_failed, self._outage_lost))
        return Progress(
            total=self.total, elapsed_s=elapsed_s,
            sim_elapsed_s=sim_elapsed_s, groups=groups, speed=self.speed,
            seed=self.seed, expired=self.expired,
            daily_capped=self.daily_capped,
            retries=self.retries, retrying=retrying,
            first_attempts=self.first_attempts,
            first_attempt_failed=self.first_attempt_failed,
            throttled=self.throttled if any(
                group.throttle for group in self._groups) else None,
            rate_per_s=rate_per_s, carrier=self.carrier,
            reached=self.reached_by(reach_s),
            confirmed=None if self._receipts is None
            else self._receipts.confirmed_by(reach_s),
            ends_at_s=self.end_s if self.processed == self.total else None,
            sending_s=min(self.latest_s, sim_elapsed_s),
            carriers=() if self._carriers is None
            else self._carriers.counts())

    def summary(self, elapsed_s: float, sim_elapsed_s: float,
                stopped: str | None = None) -> Summary:
        """The final figures, ``sim_elapsed_s`` the blast's duration, with
        what takes a pass over the histograms: percentiles, distributions
        and curves.  ``stopped`` says why a run ended early, if it did."""
        # A completed run is over when its last phone is reached.
        reach_s = self.end_s if stopped is None else sim_elapsed_s
        if self.retrying < 0:
            # Every result is in: a later attempt without its first
            # failure was counted twice or lost, and no figure holds.
            raise RuntimeError(f"{-self.retrying} retried messages ended "
                               "without a failed first attempt")
        base = self._progress(elapsed_s, sim_elapsed_s, None, reach_s,
                              self.retrying)
        p50, p95, p99 = self._send.percentiles(0.50, 0.95, 0.99)
        delivered, reached_at = self._delivered, self._reached
        shares = [max(1, math.ceil(share * self.total))
                  for share in DELIVERY_SHARES]
        # Sends come out as they happen, but a phone's moment is known
        # from its send on: a run stopped early shows the phones reached
        # by then, not those the carrier would have reached after.
        reach_until_s = math.inf if stopped is None else reach_s
        last_reached = base.reached if stopped else reached_at.count
        last_reached_s = (min(self._moment(reached_at, self._reached_order,
                                           last_reached), reach_until_s)
                          if last_reached else None)
        tally = self._receipts
        return Summary(
            **fields(base), stopped=stopped, max_lag_s=self.max_lag_s,
            checkpoints=tuple(map(Checkpoint, self._checkpoints,
                                  self._sent_by_checkpoint,
                                  self._reached_by_checkpoint,
                                  tally.by_checkpoint if tally
                                  else [0] * len(self._checkpoints))),
            min_s=self._send.min if self._send.count else None,
            max_s=self._send.max if self._send.count else None,
            p50_s=p50, p95_s=p95, p99_s=p99,
            distribution=self._send.bins(p99) if p99 is not None else (),
            delivery=tuple(self._at_ranks(delivered, self._sent_order,
                                          shares))
            if self.total else (),
            last_sent_s=delivered.max if delivered.count else None,
            reached_at=upto(self._at_ranks(reached_at, self._reached_order,
                                           shares), reach_until_s)
            if self.total and self.carrier else (),
            last_reached_s=last_reached_s,
            curves=self._curves(delivered, self._sent_order,
                                self._group_delivered),
            reached_curves=self._curves(reached_at, self._reached_order,
                                        self._group_reached,
                                        reach_until_s)
            if self.carrier else (),
            attempts=tuple((n, c) for n, c in enumerate(self._by_attempts)
                           if c),
            **({} if tally is None or not self.total else tally.fields(
                upto(self._at_ranks(tally.confirmed, self._confirmed_order,
                                    shares), reach_until_s),
                self._curves(tally.confirmed, self._confirmed_order, (),
                             reach_until_s), reach_until_s)),
            errors=() if self._errors is None else self._errors.counts(),
            forms=form_counts(self._forms), classes=self._class_counts(
                math.inf if self.processed == self.total
                else sim_elapsed_s))

    def _class_counts(self, until_s: float) -> tuple[ClassCounts, ...]:
        """Each class's figures, its arrivals by ``until_s`` (all of them
        in a run that completed)."""
        if self._traffic is None or self._classes is None:
            return ()
        return self._classes.counts(
            None if until_s == math.inf
            else self._traffic.arrived_by(until_s))
