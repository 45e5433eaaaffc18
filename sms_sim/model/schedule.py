"""The schedule: every simulated decision of a run, in one order that the
configuration and the seed fix.

A discrete-event simulation whose events are "a sender is free"; the
threads only carry its decisions out, paced in real time (``sender.py``):
which thread asks for the next decision, and when, cannot change it.

The rules, each a line of :meth:`Schedule._decide`:

- the sender free first sends next; among senders free at the same moment,
  the one given back first (the one free longest), so zero-time sends go
  round the whole fleet;
- a capped sender (``tps``) is free again at its next slot, and the
  account's slots (``max_rate``) are taken in order of start; when the
  caps count segments (``per_segment``), a message of k segments takes k
  slots of each, and k times its drawn send time;
- a send that could start at ``t`` takes a retry due by ``t`` (the
  earliest first), else the next fresh message, else the earliest retry,
  whenever it falls due (``--traffic``: ``lines.py``, ``priority.py``;
  ``--carriers``: ``carriers.py``);
- a failed attempt with attempts left and not failed for good is retried
  after a full-jitter backoff, unless that falls after the deadline;
- no attempt starts after the deadline, or the routes' validity: once
  the sender free first could not start by then, nothing can, and all
  left expires (``--traffic``: the positional class's only, ``lines.py``);
- with routes, a sender that would start while its route is closed is
  free when it opens; an outage fails what it meets (``route.py``);
- with receipts, a sent message's receipt comes too (``receipts.py``);
- with an SMSC that throttles (``accept=``), a submit its token bucket
  refuses comes back THROTTLED after one round trip, and its route's
  reaction follows (``throttle.py``);
- with windows (``window=W``), a sender is free again as soon as fewer
  than W of its submits are on the way (``windows.py``);
- with error classes (``errors=``), a failure of a class is retried by
  its retrial in the retry table (``errors.py``);
- a new latest start adds the time since to its reason (``limits.py``).

Decisions come out in order of the free sender's time, so a retry is in
line (put there as its failing attempt is decided, due no earlier than
its end) before any decision that could take it.  Ties are broken by keys
the model fixes (the order senders were given back, message ids).

Thread safety: every decision is made under the schedule's one lock, and
all of its state is read and written only there (free-threaded builds too).
"""
from __future__ import annotations

import heapq
import math
import threading
from collections.abc import Iterator, Sequence

from sms_sim.model.carriers import Carrier, lines_of
from sms_sim.model.config import SenderGroup
from sms_sim.model.errors import CLASSES, errors_of
from sms_sim.model.expiry import expiries, span
from sms_sim.model.fleet import Free, SenderProfile, next_free_s
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.limits import (BUSY, CAPS, DOWN, IDLE, RATE, THROTTLE,
                                  TPS, HeldTime)
from sms_sim.model.lines import Fresh, Taken
from sms_sim.model.message import (DRAW_UNIT, LOW_BITS, Message, attempt_bits,
                                   carrier_draw, failure_draws,
                                   retry_jitter)
from sms_sim.model.priority import lines_for
from sms_sim.model.ranked import Ranked
from sms_sim.model.receipts import Receipts, stamper
from sms_sim.model.result import (EXPIRED, FAILED, REFUSED, RETRY, SENT,
                                  Decided, Result, result_of)
from sms_sim.model.route import OUTAGE, provider_validity, routes_of
from sms_sim.model.validation import at_most
from sms_sim.model.throttle import (BACKOFF, PAUSE, REQUEUE, THROTTLED,
                                    throttling_of)
from sms_sim.model.traffic import STRICT, TrafficClass
from sms_sim.model.windows import windows_of


class Schedule:
    """The fleet of senders, the line of messages, and the caps: the whole
    state of the modelled gateway, changed one decision at a time."""

    def __init__(self, groups: Sequence[SenderGroup], gateway: Gateway,
                 fresh: Fresh, carrier: Latency | None = None,
                 ranks: Sequence[int] = (), per_segment: bool = False,
                 routing: str = "spread", keep_phones: bool = True,
                 classes: Sequence[TrafficClass] = (),
                 priority: str = STRICT, receipts: Receipts | None = None,
                 carriers: Sequence[Carrier] = ()
                 ) -> None:
        self._lock = threading.Lock()
        routes, self._routed = routes_of(groups, routing)
        self._over = False
        # All free at 0, in the order of their turns: a sorted list, and
        # so a heap as it stands.  Sender indexes count from 1.
        self._free: list[Free] = []
        for group_index, group in enumerate(groups):
            profile = SenderProfile.of(group_index, group,
                                       routes[group_index])
            first = len(self._free) + 1
            self._free += [(0.0, first + i, first + i, profile)
                           for i in range(group.count)]
        self._turn = len(self._free)
        self._paced = [(-1.0, BUSY)] * (self._turn + 1)  # late: (at_s, why)
        self.held = HeldTime([c.name for c in carriers])  # read at the end
        held_s = provider_validity(groups)  # presets' validity (route.py)
        deadline_s = min(held_s, math.inf if gateway.deadline_s is None
                         else gateway.deadline_s)
        # Phones only for the log; --traffic: the deadline is the
        # positional class's (lines.py).
        self._retries, lines = lines_for(fresh, classes, priority,
                                         keep_phones, deadline_s, held_s)
        self._deadline_s = deadline_s if lines is None else math.inf
        # --carriers: a line per carrier, over that one (carriers.py).
        self._lines, self._carriers = lines_of(fresh, lines, carriers,
                                               carrier, per_segment,
                                               keep_phones)
        self._source = fresh
        self._fresh: Iterator[Message] = iter(())
        self._fresh_done = False
        self._gap_s = (0.0 if gateway.max_rate is None
                       else 1 / gateway.max_rate)
        self._next_slot_s = 0.0
        self._retries_allowed = gateway.retries
        self._permanent = gateway.permanent
        self._ceilings = gateway.backoff_ceilings()
        self._latest_start_s = at_most(deadline_s) if lines is None \
            else math.inf  # within validation.MOMENT_TOLERANCE
        self._carrier = None if carrier is None else carrier.draw()
        self.sent_order = Ranked(ranks)
        """The moments messages were sent, in order: the exact moment
        of each of ``ranks`` (read once every sender has ended)."""
        self.reached_order = Ranked(ranks)
        """The same for the moments the carrier reached the phones."""
        self._per_segment = per_segment
        self.confirmed_order = Ranked(ranks)
        """The same for the moments a delivered receipt came back."""
        self._receipt = None if receipts is None \
            else stamper(receipts, self.confirmed_order.waiting)
        self._throttling = throttling_of(
            [group.throttle for group in groups],
            [group.send for group in groups])
        self._errors = errors_of(tuple(group.errors for group in groups))
        self._retrials = {name: gateway.retry_table.retrial(
            name, gateway.retries) for name in CLASSES}
        self._backoff = gateway.backoff
        self._windows = windows_of([1] + [
            group.window for group in groups for _ in range(group.count)])

    def decide(self, limit: int) -> Decided | None:
        """The next decisions, at most ``limit`` of them, in order; once
        nothing can start any more, every message left expires, a bulk at a
        time, whatever ``limit``.  None once every message has had its last
        decision.  Blocks while the next fresh message is not yet made;
        raises ``Stopped`` if the run is stopped meanwhile."""
        with self._lock:
            decided = self._decide(limit)
            while decided is None and self._routed and not self._over:
                # With routes, a pass may have only moved senders.
                decided = self._decide(limit)
            return decided

    def _decide(self, limit: int) -> Decided | None:
        sent: list[Result] = []
        failed: list[Result] = []
        free, retries, fresh = self._free, self._retries, self._fresh
        gap_s, latest_s = self._gap_s, self._latest_start_s
        carrier, per_segment = self._carrier, self._per_segment
        routed, lines, carriers = self._routed, self._lines, self._carriers
        receipt, errors = self._receipt, self._errors  # each set once
        throttling, windows = self._throttling, self._windows  # the same
        slot_s, turn = self._next_slot_s, self._turn
        paced, held_s, top_s = self._paced, self.held.held_s, self.held.top_s
        throttled = self.held.throttled  # a submit refused since top_s
        first_s, last_s = math.inf, -math.inf
        fresh_done = self._fresh_done  # once done, never asked again
        # Moments below the low-water mark are ranked now (ranked.py).
        sent_known: list[float] = []
        reached_known: list[float] = []
        sent_waiting, reached_waiting = \
            self.sent_order.waiting, self.reached_order.waiting
        over = False  # nothing can start any more
        try:
            for _ in range(limit):
                free_at, _, index, profile = free[0]
                # earliest_start_s, next_slot_s and next_free_s, inlined
                # (benchmarks/micro.py, case schedule_inlined); test_schedule
                # checks its every start against them.
                earliest = free_at if free_at >= slot_s else slot_s
                if routed:  # a flag: runs without routes pay one test
                    open_s = profile.route.closed_until(earliest)
                    if open_s:  # closed: free when it opens
                        turn += 1
                        paced[index] = (open_s, DOWN)
                        heapq.heapreplace(free, (open_s, turn, index,
                                                 profile))
                        continue
                chosen = lines.take(earliest, retries) if lines else None
                if earliest > latest_s or chosen and chosen.start_s > latest_s:
                    failed += (expired := self._expire_rest(chosen))
                    first_s, last_s = span(expired, first_s, last_s)
                    over = True  # nothing starts any more
                    break
                if lines is not None:  # --traffic: one test (lines.py)
                    if chosen is None:
                        over = True  # every message has its outcome
                        break
                    message, attempt, spent_s, start = chosen[:4]
                    wait_s = routed and profile.route.closed_until(start)
                    if wait_s:  # it arrives while the route is closed
                        lines.put_back(chosen, retries)
                        turn += 1
                        paced[index] = (wait_s, DOWN)
                        heapq.heapreplace(free, (wait_s, turn, index, profile))
                        continue
                    if carriers is not None and carriers.over_daily(start):
                        failed.append(carriers.refused())
                        first_s, last_s = span(failed[-1:], first_s, last_s)
                        continue  # refused at once: its sender stays free
                elif retries.first_s <= earliest:
                    _, message, attempt, spent_s = retries.pop()
                    start = earliest
                else:
                    taken = None if fresh_done else next(fresh, None)
                    if taken is None and not fresh_done:
                        taken = self._next_fresh()
                        fresh, fresh_done = self._fresh, self._fresh_done
                    if taken is not None:
                        message, attempt, spent_s, start = \
                            taken, 1, 0.0, earliest
                    elif retries.count:  # len(), a call more
                        wait_s = routed and profile.route.closed_until(
                            max(retries.first_s, earliest))
                        if wait_s:  # the retry falls due while closed
                            turn += 1
                            paced[index] = (wait_s, DOWN)
                            heapq.heapreplace(free, (wait_s, turn, index,
                                                     profile))
                            continue
                        ready_s, message, attempt, spent_s = retries.pop()
                        start = ready_s if ready_s > earliest else earliest
                    else:
                        over = True  # every message has its outcome
                        break
                # Its slots: 1, or its segments (times 1 is exact).
                slots = message.form.segments if per_segment else 1
                slot_s = start + gap_s * slots
                bits = message.seed  # attempt_bits, inlined for attempt 1
                if attempt > 1:
                    bits = attempt_bits(bits, attempt)
                if profile.draw is None:  # uniform: Latency.draw, inlined
                    send_s = profile.low_s + profile.span_s * (
                        (bits >> 32) * DRAW_UNIT)
                else:
                    send_s = profile.draw((bits >> 32) * DRAW_UNIT)
                if per_segment:
                    send_s *= slots
                if throttling is not None and not throttling.admits(
                        profile.group, start, message.id):
                    refused, free_s = self._refused(
                        message, profile, index, attempt, spent_s, start,
                        send_s, slots)
                    failed.append(refused)
                    first_s, last_s = span(failed[-1:], first_s, last_s)
                    turn, throttled = turn + 1, True
                    heapq.heapreplace(free, (free_s, turn, index, profile))
                    continue
                if start > top_s:  # what held it since (limits.py)
                    paced_s, why = paced[index]  # why its sender was late
                    why = THROTTLE if throttled else (
                        CAPS + carriers.carrier if carriers is not None
                        and carriers.capped else IDLE) \
                        if start > earliest else RATE if earliest > free_at \
                        else why if paced_s == free_at else BUSY
                    throttled = False
                    held_s[why] += start - top_s
                    top_s = start
                fail = (bits & LOW_BITS) * DRAW_UNIT
                rate = profile.failure_rate if carriers is None \
                    else carriers.failure_rate(profile.failure_rate)
                error = None
                if errors is not None and fail < rate:  # errors.py
                    error, send_s = errors.of(profile.group, fail, rate,
                                              send_s)
                done_s = start + send_s
                if routed:
                    cut_s = profile.route.cut_s(start, done_s)
                    if cut_s is not None:  # an outage ends it: fail < 0
                        done_s, send_s, fail = cut_s, cut_s - start, -1.0
                        error = None
                if done_s > last_s:
                    last_s = done_s
                if done_s < first_s:
                    first_s = done_s
                next_start = start + profile.gap_s * slots
                free_s = done_s if windows is None \
                    else windows.free_s(index, start, done_s)  # window=W
                turn += 1
                heapq.heapreplace(free, (
                    free_s if free_s > next_start else next_start,
                    turn, index, profile))
                if next_start > free_s:  # free at its tps slot
                    paced[index] = (next_start, TPS)
                spent_s += send_s
                # Built by position, here only, from a tuple of every
                # field (result_of): by keyword, or by Result's own
                # __new__, is slower on this path (benchmarks/micro.py,
                # cases result_by_position and result_of); test_schedule
                # checks each field by value.
                if fail >= rate:
                    head_s = free[0][0]
                    if done_s <= head_s:
                        sent_known.append(done_s)
                    else:
                        heapq.heappush(sent_waiting, done_s)
                    reached_s = None
                    delay = carrier if carriers is None else carriers.sent()
                    if delay is not None:
                        reached_s = done_s + delay(
                            carrier_draw(message.seed, attempt))
                        if reached_s <= head_s:
                            reached_known.append(reached_s)
                        else:
                            heapq.heappush(reached_waiting, reached_s)
                    sent.append(result_of((
                        message, profile.group, index, attempt, send_s,
                        done_s, spent_s, SENT, reached_s, None, None, None)
                        if receipt is None else (
                        message, profile.group, index, attempt, send_s,
                        done_s, spent_s, SENT, reached_s, None,
                        *receipt(message.seed, done_s if reached_s is None
                                 else reached_s))))
                elif error is not None:  # its class's retrial
                    failed.append(result_of((
                        message, profile.group, index, attempt, send_s,
                        done_s, spent_s, self._after_error(
                            message, attempt, done_s, spent_s, error), None,
                        error, None, None)))
                else:
                    failed.append(result_of((
                        message, profile.group, index, attempt, send_s,
                        done_s, spent_s, self._after_failure(
                            message, attempt, done_s, spent_s, fail,
                            rate), None,
                        None if fail >= 0.0 else OUTAGE, None, None)))
        finally:
            self._next_slot_s, self._turn, self._over = slot_s, turn, over
            self.held.top_s, self.held.throttled = top_s, throttled
            # The low-water mark: no later start precedes the first free.
            mark_s = math.inf if over else free[0][0]
            self.sent_order.release(sent_known, mark_s)
            self.reached_order.release(reached_known, mark_s)
            self.confirmed_order.release([], mark_s)
        if lines is not None and lines.expired:  # validity (lines.py)
            failed += lines.expired
            first_s, last_s = span(lines.expired, first_s, last_s)
            lines.expired = []
        return Decided(sent, failed, first_s, last_s) \
            if sent or failed else None

    def _next_fresh(self) -> Message | None:
        """The next fresh message from the source, or None after the last.
        """
        while not self._fresh_done:
            chunk = self._source()
            if chunk is None:
                self._fresh_done = True
            elif chunk:
                self._fresh = iter(chunk)
                return next(self._fresh)
        return None

    def _refused(self, message: Message, profile: SenderProfile,
                 index: int, attempt: int, spent_s: float, start_s: float,
                 send_s: float, slots: int) -> tuple[Result, float]:
        """A submit the SMSC throttled, answered after one round trip:
        its result, as its route's reaction makes it, and when its sender
        is free again (``throttle.py``)."""
        throttling = self._throttling
        assert throttling is not None
        throttle = throttling.throttles[profile.group]
        assert throttle is not None
        rtt_s = throttling.round_trip_s(
            profile.group, (attempt_bits(message.seed, attempt) >> 32)
            * DRAW_UNIT, send_s)
        done_s = start_s + rtt_s
        free_s = next_free_s(start_s, done_s if self._windows is None else
                             self._windows.free_s(index, start_s, done_s),
                             profile.gap_s, slots)
        ready_s = done_s + throttle.wait_s
        if throttle.reaction == BACKOFF:  # a failed attempt, as any
            spent_s += rtt_s
            outcome = self._after_failure(message, attempt, done_s,
                                          spent_s, -1.0, 1.0)
        elif throttle.reaction == REQUEUE and not throttling.requeue(
                message.id, throttle.times):
            outcome = FAILED
        elif ready_s > self._latest_start_s:
            outcome = EXPIRED
        else:  # due first in line once the pause or the wait is over
            if throttle.reaction == PAUSE:
                free_s = max(free_s, ready_s)
            self._retries.push(ready_s, message, attempt, spent_s)
            outcome = REFUSED
        return Result(message, profile.group, index, attempt, rtt_s,
                      done_s, spent_s, outcome, None, THROTTLED), free_s

    def _after_error(self, message: Message, attempt: int, done_s: float,
                     spent_s: float, error: str) -> str:
        """What an attempt that failed with an error class leads to, by
        its class's retrial (``errors.py``): a retry, put in line here, or
        the message's final outcome."""
        retrial = self._retrials[error]
        if attempt > retrial.count:
            return FAILED
        ready_s = done_s + (retrial.delay_s if retrial.delay_s is not None
                            else failure_draws(message.seed, attempt)[1]
                            * self._backoff.ceiling_s(attempt))
        if ready_s > self._latest_start_s:
            return EXPIRED
        self._retries.push(ready_s, message, attempt + 1, spent_s)
        return RETRY

    def _after_failure(self, message: Message, attempt: int, done_s: float,
                       spent_s: float, fail: float, rate: float) -> str:
        """What a failed attempt leads to: a retry, put in line here, or
        the message's final outcome.  ``fail`` is its fail draw, below the
        failure ``rate`` (negative where an outage ended it)."""
        if attempt > self._retries_allowed:
            return FAILED
        jitter = retry_jitter(message.seed, attempt, fail, rate,
                              self._permanent)
        if jitter is None:
            return FAILED
        # retry_ready_s, inlined (a call a failure; test_schedule checks).
        ready_s = done_s + jitter * self._ceilings[attempt - 1]
        if ready_s > self._latest_start_s:
            return EXPIRED
        self._retries.push(ready_s, message, attempt + 1, spent_s)
        return RETRY

    def _expire_rest(self, taken: Taken | None = None) -> list[Result]:
        """Nothing can start any more: ``taken`` and the rest expire."""
        retries = list(self._retries.drain())
        if self._lines is not None:
            fresh = self._lines.rest(taken, retries)
        else:
            fresh = list(self._fresh)
            if not fresh:
                first = self._next_fresh()
                fresh = [] if first is None else [first, *self._fresh]
        return expiries(self._deadline_s, retries, fresh)
