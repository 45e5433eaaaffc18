"""The gateway's senders, over every group: how each sends, and when each
is next free."""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from sms_sim.config import SenderGroup


@dataclass(frozen=True, slots=True)
class SenderProfile:
    """How one sender sends: its group's settings, as a send applies them.
    """

    group: int
    """The index of its group."""
    low_s: float
    """Its shortest send: the mean less the deviation."""
    span_s: float
    """Its longest send less its shortest."""
    failure_rate: float
    gap_s: float
    """The least time between the starts of two of its sends (one over its
    ``tps`` cap); 0 without a cap."""

    @classmethod
    def of(cls, group_index: int, group: SenderGroup) -> SenderProfile:
        return cls(group_index, group.mean_s - group.max_deviation_s,
                   2 * group.max_deviation_s, group.failure_rate,
                   0.0 if group.tps is None else 1 / group.tps)


FreeSender = tuple[float, int, int, SenderProfile]
"""``(free_at_s, turn, index, profile)``: a sender, the simulated moment it
is next free, and its turn among senders free at the same moment (the one
free longest goes first).  Turns are unique, so a comparison never
reaches the profile."""


class Fleet:
    """Every sender of the gateway from the first simulated instant, each
    with a clock of its own: when it is next free.

    A thread that has a message to send takes the sender free first, in
    any group (the greedy schedule of a real gateway, where a message goes
    to the first connection free), sends as that sender's settings say,
    and gives the sender back with its new time.  Threads are thus mere
    executors: the schedule is the model's however they run, and a thread
    that started late, or a machine that fell behind, changes when results
    come out in real time, never the simulated times they carry.  Among
    senders free at the same moment the one given back first goes first,
    so that zero-time sends go round the whole fleet rather than all to
    one sender.

    Threads share it without a lock: ``heappop``, ``heappush`` and the
    turn counter are each one call into C, which CPython's interpreter
    lock never interrupts, and a sender taken is out of the heap until it
    is given back.  A lock here made a zero-delay run 2.5 times as slow
    (see the README).
    """

    def __init__(self, groups: Sequence[SenderGroup]) -> None:
        # All free at 0, in the order of their turns: a sorted list, and
        # so a heap as it stands.
        self._free: list[FreeSender] = []
        for group_index, group in enumerate(groups):
            profile = SenderProfile.of(group_index, group)
            first = len(self._free) + 1
            self._free += [(0.0, first + i, first + i, profile)
                           for i in range(group.count)]
        self._turns = count(len(self._free) + 1)

    def take(self) -> FreeSender:
        """The sender free first, until given back."""
        return heapq.heappop(self._free)

    def give(self, free_at_s: float, index: int,
             profile: SenderProfile) -> None:
        """Give sender ``index`` back, next free at ``free_at_s``."""
        heapq.heappush(self._free,
                       (free_at_s, next(self._turns), index, profile))
