"""Throughput caps as reservations in simulated time: no timer thread, and
the cap is exact however the threads are scheduled."""
from __future__ import annotations

import threading


class RateLimit:
    """At most ``rate`` sends start per simulated second, evenly spaced,
    over every sender that shares this limit.

    A sender asks for the first free slot at or after the moment it could
    start; slots are handed out in the order senders ask, and none is
    handed out twice.
    """

    def __init__(self, rate: float) -> None:
        self._gap = 1 / rate
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def reserve(self, earliest_s: float) -> float:
        """Take the first free slot at or after ``earliest_s``; return it."""
        with self._lock:
            slot = max(earliest_s, self._next_slot)
            self._next_slot = slot + self._gap
        return slot
