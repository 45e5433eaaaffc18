"""A sender: takes work from the inbox and simulates sending it.

The modelled gateway has all of its senders from the first simulated
instant, each with a clock of its own (see ``Fleet``).  A send
starts when the sender free first is free and the message is ready (and,
with rate caps, when a slot is free), takes the simulated time its draw
says, and moves that sender's clock to its end.  The thread then waits
until real time catches up with that moment before it releases the result,
so the run goes at the gateway's pace; a thread that fell behind (it
started late, or the machine stalled) does not wait, and catches up.  Every
figure it reports is simulated, so none of this lateness enters a result.
"""
from __future__ import annotations

import math
import queue
import traceback
from dataclasses import dataclass

from sms_sim.channels import (EXPIRED, FAILED, RETRY, SENT, Channels, Result,
                              Retry, SenderExit, Work)
from sms_sim.clock import Pacing
from sms_sim.config import Gateway
from sms_sim.fleet import Fleet
from sms_sim.gateway import RateLimit
from sms_sim.message import (DRAW_UNIT, LOW_BITS, Message, attempt_bits,
                             retry_jitter)


@dataclass(frozen=True, slots=True)
class Rules:
    """The gateway's rules as a sender applies them."""

    gateway: Gateway
    shared_rate: RateLimit | None
    """The one ``--max-rate`` limit that every sender shares."""
    backoff_ceilings: tuple[float, ...]
    """The longest backoff before each retry, from the first."""

    @classmethod
    def of(cls, gateway: Gateway) -> Rules:
        limit = (RateLimit(gateway.max_rate)
                 if gateway.max_rate is not None else None)
        return cls(gateway, limit, tuple(
            gateway.backoff.ceiling_s(retry)
            for retry in range(1, gateway.retries + 1)))


class Stopped(Exception):
    """The run was stopped while a send was in progress."""


class Sender:
    """A sender thread's state; :meth:`run` is the thread's whole life.
    It sends for whichever sender of the fleet is free first."""

    def __init__(self, name: str, fleet: Fleet, channels: Channels,
                 pacing: Pacing, rules: Rules) -> None:
        self.name = name
        self._fleet = fleet
        self._channels = channels
        self._pacing = pacing
        self._shared_rate = rules.shared_rate
        gateway = rules.gateway
        self._retries_allowed = gateway.retries
        self._permanent = gateway.permanent
        self._backoff_ceilings = rules.backoff_ceilings
        deadline = gateway.deadline_s
        self._deadline = math.inf if deadline is None else deadline
        self.lag_s = 0.0
        """The longest, in simulated seconds, that a result came out after
        its simulated moment: set as the result is queued."""
        self._horizon_s = -math.inf
        """Results due by then may come out without a wait: the clock as
        last read, plus the slack.  (Reading the clock for every result
        cost about a tenth of a zero-delay send.)"""
        self._sent: list[Result] = []
        self._failed: list[Result] = []
        self._earliest_s = math.inf
        """The earliest simulated moment among the attempts in hand."""
        self._retries: list[Retry] = []

    def run(self) -> None:
        """Send until the inbox says finish or the run is stopped; then
        pass the finish on to the next sender and say goodbye."""
        fault = None
        try:
            while (work := self._take()) is not None:
                for message in work.fresh:
                    self._attempt(message, 1, 0.0, 0.0)
                for ready_at_s, message, attempt, spent_s in work.retries:
                    self._attempt(message, attempt, ready_at_s, spent_s)
        except Stopped:
            pass  # the message in hand, and the rest of its work, unsent
        except Exception:
            # A fault ends the run: going on without this sender would
            # leave the work it held undone and the run waiting for it.
            fault = traceback.format_exc()
            self._channels.stop.set()
        finally:
            self._flush()
            try:
                self._channels.inbox.put_nowait(None)
            except queue.Full:
                pass  # a full inbox: nobody is waiting on it
            self._channels.notices.put(SenderExit(self.name, fault))

    def _take(self) -> Work | None:
        """The next work, or None when the sender should finish.

        First posts the results of the work before.  A sender that finds
        the inbox empty tells the monitor, then blocks until work (or
        ``None``) arrives.  Work taken after ``stop`` stays unsent.
        """
        channels = self._channels
        self._flush()
        try:
            work = channels.inbox.get_nowait()
        except queue.Empty:
            channels.notices.put(None)
            work = channels.inbox.get()
        if channels.stop.is_set():
            return None
        return work

    def _attempt(self, message: Message, attempt: int, ready_at_s: float,
                 spent_s: float) -> None:
        """Make attempt number ``attempt`` at ``message``, or expire it,
        on the sender free first."""
        free_at, _, index, profile = self._fleet.take()
        start = free_at if free_at > ready_at_s else ready_at_s
        if start <= self._deadline and self._shared_rate is not None:
            start = self._shared_rate.reserve(start)
        if start > self._deadline:
            self._fleet.give(free_at, index, profile)  # unused
            self._failed.append(Result(
                message, profile.group, index, attempt - 1, None,
                self._deadline, spent_s, EXPIRED))
            return
        bits = message.seed  # attempt_bits, inlined for the first attempt
        if attempt > 1:
            bits = attempt_bits(bits, attempt)
        delay = (bits >> 32) * DRAW_UNIT  # split_draws, inlined
        fail = (bits & LOW_BITS) * DRAW_UNIT
        send_s = profile.low_s + profile.span_s * delay
        done = start + send_s
        next_start = start + profile.gap_s
        self._fleet.give(done if done > next_start else next_start, index,
                         profile)
        if done > self._horizon_s:
            self._release_at(done)
        if done < self._earliest_s:
            self._earliest_s = done
        spent_s += send_s
        if fail >= profile.failure_rate:
            self._sent.append(Result(message, profile.group, index,
                                     attempt, send_s, done, spent_s, SENT))
            return
        outcome = self._after_failure(message, attempt, done, spent_s,
                                      fail, profile.failure_rate)
        self._failed.append(Result(message, profile.group, index, attempt,
                                   send_s, done, spent_s, outcome))

    def _after_failure(self, message: Message, attempt: int, done: float,
                       spent_s: float, fail: float, rate: float) -> str:
        """What a failed attempt leads to: a retry (queued here), or the
        message's final outcome.  ``fail`` is its fail draw, below the
        failure ``rate``."""
        if attempt > self._retries_allowed:
            return FAILED
        jitter = retry_jitter(message.seed, attempt, fail, rate,
                              self._permanent)
        if jitter is None:
            return FAILED
        retry_at = done + jitter * self._backoff_ceilings[attempt - 1]
        if retry_at > self._deadline:
            return EXPIRED
        self._retries.append((retry_at, message, attempt + 1, spent_s))
        return RETRY

    def _release_at(self, done: float) -> None:
        """Let real time catch up with a result due at simulated ``done``.

        Waits only when the result is more than the slack ahead, and then
        until it is due, so the results due within the next slack come out
        without another wake-up.  Results are posted before every wait, so
        the monitor sees them when they are due.  Raises :class:`Stopped`
        if the run was stopped first.
        """
        pacing = self._pacing
        now = pacing.clock.now()
        if done > now + pacing.slack_s:
            self._flush()
            if pacing.clock.wait_until(done, pacing.wait):
                raise Stopped
            now = pacing.clock.now()
        self._horizon_s = now + pacing.slack_s

    def _flush(self) -> None:
        """Post the results and retries in hand.  Each result is late by
        the time now less its simulated moment: the earliest is the
        latest."""
        channels = self._channels
        if self._sent or self._failed:
            # Results waiting for the monitor hold their messages: when it
            # falls behind (it waits its turn for the interpreter lock),
            # wait for it, a millisecond at a time, on ``stop``.
            while channels.sent.qsize() + channels.failed.qsize() > \
                    channels.pending_batches and \
                    not channels.stop.wait(0.001):
                pass
            lag = self._pacing.clock.now() - self._earliest_s
            if lag > self.lag_s:
                self.lag_s = lag
            self._earliest_s = math.inf
            if self._sent:
                channels.sent.put(self._sent)
                self._sent = []
            if self._failed:
                channels.failed.put(self._failed)
                self._failed = []
        if self._retries:
            channels.retries.put(self._retries)
            self._retries = []
