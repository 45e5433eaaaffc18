"""A sender thread: carries out the schedule's decisions in real time.

The schedule decides every simulated fact of a send (``schedule.py``).
A thread asks it for the next decisions, waits until real time catches up
with each one's end, and then releases its result, so the run goes at the
gateway's pace.  A thread that fell behind (it started late, or the
machine stalled) does not wait, and catches up.  At ``--speed max``
nothing waits.  Real time changes when a result comes out, never what it
says.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from operator import attrgetter

from sms_sim.model.result import SENT, Result
from sms_sim.model.result import Decided
from sms_sim.model.schedule import Schedule
from sms_sim.run.channels import Channels, SenderExit, Stopped, fault_text
from sms_sim.run.clock import Pacing
from sms_sim.run.tuning import Tuning

_DONE_AT = attrgetter("done_at_s")


class Sender:
    """A sender thread's state; :meth:`run` is the thread's whole life."""

    def __init__(self, name: str, schedule: Schedule, channels: Channels,
                 pacing: Pacing, tuning: Tuning) -> None:
        self.name = name
        self._schedule = schedule
        self._channels = channels
        self._pacing = pacing
        self._batch = tuning.batch
        self.lag_s = 0.0
        """The longest, in simulated seconds, that a result came out after
        its simulated moment: set as the result is queued."""
        self._horizon_s = -math.inf
        """Results due by then may come out without a wait: the clock as
        last read, plus the slack: the clock is read only when a result
        may lie beyond it."""
        self._sent: list[Result] = []
        self._failed: list[Result] = []
        self._earliest_s = math.inf
        """The earliest simulated moment among the results in hand."""
        self._latest_s = -math.inf
        """The latest simulated moment among the results in hand: what
        ``channels.Cut`` measures a post by."""

    def run(self) -> None:
        """Carry out decisions until there are none left or the run is
        stopped; then post what is in hand and say goodbye."""
        fault = None
        stop, in_flight = self._channels.stop, self._channels.in_flight
        try:
            while granted := in_flight.reserve(self._batch, stop):
                decided = None
                try:
                    decided = self._schedule.decide(granted)
                finally:
                    in_flight.settle(granted, 0 if decided is None else
                                     len(decided.sent) + len(decided.failed))
                if decided is None:
                    in_flight.close()  # no decision is left: none waits
                    break
                self._release(decided)
                self._flush()
        except Stopped:
            pass  # decisions not yet due stay unsent
        except Exception:
            # A fault ends the run: going on without this thread would
            # leave the decisions it held undone and the run waiting.
            fault = fault_text()
            stop.set()
        finally:
            try:
                self._flush()
            except Exception:
                # Its goodbye must go out all the same: without it the
                # fault would vanish, and the run pass for interrupted.
                # The results it held count as unsent.
                fault = (fault or "") + fault_text()
                stop.set()
            self._channels.notices.put(SenderExit(self.name, fault))

    def _release(self, decided: Decided) -> None:
        """Take the results of ``decided`` in hand as each falls due,
        earliest first."""
        paced = self._pacing.clock.paced
        if decided.last_s <= self._horizon_s or not paced:
            # All due (zero delay, or the slack covers them): no wait,
            # and no sort; at --speed max, nothing is ever late.
            if paced and decided.first_s < self._earliest_s:
                self._earliest_s = decided.first_s
            if decided.last_s > self._latest_s:
                self._latest_s = decided.last_s
            self._sent += decided.sent
            self._failed += decided.failed
            return
        ordered = sorted(decided.sent + decided.failed, key=_DONE_AT)
        for index, result in enumerate(ordered):
            done_s = result.done_at_s
            if done_s > self._horizon_s:
                try:
                    self._release_at(done_s)
                except Stopped:
                    # Posted up to the stop's cut (channels.Cut): another
                    # sender may have posted a later attempt of one.
                    self._hold(ordered[index:])
                    raise
            self._hold((result,))

    def _hold(self, results: Sequence[Result]) -> None:
        """Take ``results`` in hand, to be posted at the next flush."""
        for result in results:
            if result.done_at_s < self._earliest_s:
                self._earliest_s = result.done_at_s
            if result.done_at_s > self._latest_s:
                self._latest_s = result.done_at_s
            (self._sent if result.outcome == SENT
             else self._failed).append(result)

    def _release_at(self, done_s: float) -> None:
        """Let real time catch up with a result due at simulated ``done_s``.

        Waits only when the result is more than the slack ahead, and then
        until it is due, so the results due within the next slack come out
        without another wake-up.  Results are posted before every wait, so
        the monitor sees them when they are due.  Raises ``Stopped`` if the
        run was stopped first.
        """
        pacing = self._pacing
        now = pacing.clock.now()
        if done_s > now + pacing.slack_s:
            self._flush()
            if pacing.clock.wait_until(done_s, pacing.wait):
                raise Stopped
            now = pacing.clock.now()
        self._horizon_s = now + pacing.slack_s

    def _flush(self) -> None:
        """Post the results in hand.  Each is late by the time now less its
        simulated moment: the earliest is the latest."""
        if not (self._sent or self._failed):
            return
        channels, clock = self._channels, self._pacing.clock
        if clock.paced:
            lag = clock.now() - self._earliest_s
            if lag > self.lag_s:
                self.lag_s = lag
            self._earliest_s = math.inf
        latest_s, self._latest_s = self._latest_s, -math.inf
        if self._sent:
            if sent := channels.cut.admit(self._sent, latest_s):
                channels.sent.put(sent)
            self._sent = []
        if self._failed:
            if failed := channels.cut.admit(self._failed, latest_s):
                channels.failed.put(failed)
            self._failed = []
