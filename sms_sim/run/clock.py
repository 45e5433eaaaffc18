"""Simulated time, and the real time that follows it.

Every figure a run reports is in the simulated gateway's own clock: it
starts at 0 when the run starts and runs ``speed`` times as fast as real
time.  Threads only ever *wait* in real time, so that real time keeps pace
with the simulation; what a send costs the machine never enters a figure.
At ``--speed max`` (an infinite speed) nothing waits at all.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

Wait = Callable[[float], bool]
"""Blocks for up to the given real seconds; True if the run was stopped."""

LONGEST_WAIT_S = 3600.0
"""Longest single real wait; longer ones are taken in turns, so that no
timeout ever exceeds what a lock accepts, however slow the clock."""


@dataclass(frozen=True, slots=True)
class SimClock:
    """Reads simulated time: real seconds since ``start``, times ``speed``.
    """

    start: float
    speed: float = 1.0
    monotonic: Callable[[], float] = time.monotonic

    @classmethod
    def started(cls, speed: float = 1.0,
                monotonic: Callable[[], float] = time.monotonic
                ) -> SimClock:
        return cls(monotonic(), speed, monotonic)

    @property
    def paced(self) -> bool:
        """Whether real time follows simulated time: a finite speed."""
        return self.speed != math.inf

    def now(self) -> float:
        """Simulated seconds since the run started; only for a paced
        clock."""
        return (self.monotonic() - self.start) * self.speed

    def real_elapsed(self) -> float:
        return self.monotonic() - self.start

    def wait_until(self, sim_s: float, wait: Wait) -> bool:
        """Block until simulated time reaches ``sim_s``; True if the run
        was stopped first.  Never blocks when that moment has passed, or
        when the clock is not paced."""
        if not self.paced:
            return False
        remaining = (sim_s - self.now()) / self.speed
        while remaining > LONGEST_WAIT_S:
            if wait(LONGEST_WAIT_S):
                return True
            remaining = (sim_s - self.now()) / self.speed
        return remaining > 0 and wait(remaining)


@dataclass(frozen=True, slots=True)
class Pacing:
    """How real time follows simulated time: the run's clock, the wait
    (``stop.wait`` outside tests) and the slack, in simulated seconds, by
    which a result may come out early so that wake-ups stay few."""

    clock: SimClock
    wait: Wait
    slack_s: float = 0.0
