"""Windows of outstanding submits (``window=W``): a connection may have up
to ``W`` submits on the way at once, each taking its own round trip, so
that it carries up to ``W`` over the round trip a second, under its caps.

Each connection keeps the ends of its submits still on the way, in a
heap of at most ``W``.  After a submit from ``start`` to ``done``, the
ends by ``start`` are over; with fewer than ``W`` left, the connection
may submit again at once, else when the earliest of them ends.  With
``W`` = 1 that is the submit's end: the model without windows.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence

MAX_WINDOW = 10_000
"""The largest window: far beyond any SMSC's (Kannel allows 10)."""


class Windows:
    """The submits each sender (a connection) has on the way: the
    schedule's, changed under its lock."""

    def __init__(self, sizes: Sequence[int]) -> None:
        """``sizes``: each sender's window, by its index."""
        self._sizes = tuple(sizes)
        self._ends: list[list[float]] = [[] for _ in sizes]

    def free_s(self, index: int, start_s: float, done_s: float) -> float:
        """When sender ``index``, having submitted from ``start_s`` to
        ``done_s``, may submit again, its caps aside."""
        ends = self._ends[index]
        while ends and ends[0] <= start_s:
            heapq.heappop(ends)
        heapq.heappush(ends, done_s)
        return start_s if len(ends) < self._sizes[index] else ends[0]


def windows_of(sizes: Sequence[int]) -> Windows | None:
    """The run's windows; None where every one is 1, so that the
    schedule's loop pays one test."""
    return None if all(size == 1 for size in sizes) else Windows(sizes)
