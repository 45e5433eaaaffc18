"""Exact order statistics of the schedule's moments: the moment of each
chosen rank (the k-th message sent, the k-th phone reached), in memory
bounded by how far out of order the moments come, not by how many there
are.

The schedule decides attempts in order of start, and an attempt ends, and
its phone is reached, no earlier than it starts.  So once no attempt can
start before a moment (the fleet's next free time, the *low-water mark*),
every moment at or below it is known: none decided later can fall below
it.  :class:`Ranked` keeps the moments above the mark in a heap and counts
those below it in order, noting the moment at which the count reaches each
chosen rank.  Ends of sends wait at most one per sender (a sender's next
start is no earlier than its last end); phones reached wait while their
carrier's delay runs.
"""
from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable


class Ranked:
    """Moments, released in order up to a low-water mark, and the moment
    of each rank of ``ranks`` (1 for the earliest) among them.

    The schedule adds to it under its lock; a summary reads it once every
    thread that decides has ended.
    """

    def __init__(self, ranks: Iterable[int]) -> None:
        self._ranks = sorted({rank for rank in ranks if rank > 0})
        self._found: dict[int, float] = {}
        self.count = 0
        """Moments released: counted in order."""
        self.waiting: list[float] = []
        """A heap of the moments above the low-water mark when they were
        decided; the schedule pushes to it directly."""
        self.low_s = -math.inf
        """The low-water mark as last given: no attempt decided from now
        on starts before it.  Not the infinite one that ends the
        decisions: the monitor shows the clock up to this mark, and past
        the last start it would run ahead of results still on their way.
        Read by the monitor without the schedule's lock; a stale value is
        an earlier mark, still true."""

    def release(self, known: list[float], low_s: float) -> None:
        """Count ``known`` (each at most ``low_s``, and at least every
        moment released before), with the waiting moments now at most
        ``low_s``.  ``known`` is sorted, and only when a rank falls in it:
        a hundred or so times a run."""
        if low_s < math.inf:
            self.low_s = low_s
        waiting = self.waiting
        while waiting and waiting[0] <= low_s:
            known.append(heapq.heappop(waiting))
        before, count = self.count, self.count + len(known)
        ranks = self._ranks
        index = len(self._found)
        if index < len(ranks) and ranks[index] <= count:
            known.sort()
            while index < len(ranks) and ranks[index] <= count:
                self._found[ranks[index]] = known[ranks[index] - before - 1]
                index += 1
        self.count = count

    def close(self) -> None:
        """Every decision is made: count every moment still waiting.  A
        run may have every outcome in, and end, before a sender asks the
        schedule again and learns that nothing is left, the one moment
        that lifts the mark for good."""
        self.release([], math.inf)

    def at(self, rank: int) -> float:
        """The moment of ``rank``, one of those it follows and released.
        Raises ``KeyError`` otherwise."""
        return self._found[rank]

    def below(self, rank: int) -> tuple[int, float] | None:
        """The highest rank it follows and released, at most ``rank``,
        with its moment; None with none."""
        index = bisect.bisect_right(self._ranks, rank)
        while index and self._ranks[index - 1] not in self._found:
            index -= 1
        if not index:
            return None
        found = self._ranks[index - 1]
        return found, self._found[found]
