"""Test doubles shared by the test modules: simulated time and results."""
from __future__ import annotations

import threading

from sms_sim.config import SenderGroup, SimulationConfig
from sms_sim.sender import Result


class FakeTime:
    """A clock and a wait in simulated time: ``wait(s)`` returns at once
    and moves the calling thread's clock ``s`` on, so a send 'takes'
    exactly what it asked for and no test sleeps.  Each thread has a clock
    of its own, as if every thread waited in parallel."""

    def __init__(self, start: float = 100.0) -> None:
        self._start = start
        self._local = threading.local()
        self._lock = threading.Lock()
        self.waits: list[float] = []

    def clock(self) -> float:
        return self._start + getattr(self._local, "elapsed", 0.0)

    def wait(self, seconds: float) -> bool:
        with self._lock:
            self.waits.append(seconds)
        self.advance(seconds)
        return False

    def advance(self, seconds: float) -> None:
        self._local.elapsed = getattr(self._local, "elapsed", 0.0) + seconds


def config(num_messages: int = 100, *groups: SenderGroup,
           interval_s: float = 1.0, seed: int | None = 1) -> SimulationConfig:
    return SimulationConfig(num_messages,
                            groups or (SenderGroup(4, 0.0, 0.0, 0.25),),
                            interval_s, seed)


def results(group: int, *seconds: float, first_id: int = 0) -> list[Result]:
    return [Result(first_id + i, group, s) for i, s in enumerate(seconds)]
