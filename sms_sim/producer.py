"""The producer: streams generated messages into the bounded inbox, and
puts each retry back in line when its backoff ends."""
from __future__ import annotations

import heapq
import queue
import random
from collections import deque
from operator import attrgetter

from sms_sim.channels import Channels, Retry, Work
from sms_sim.clock import SimClock
from sms_sim.message import Message, generate_messages
from sms_sim.tuning import POLL_S

GENERATE_CHUNK = 256
"""Messages generated per call: large enough that the bulk generator's
per-call cost vanishes, small enough that the first batch is ready at once.
Fixed, so that a seed gives the same messages whatever the batch size."""


_READY_AT = attrgetter("ready_at_s")


class _Backlog:
    """Retries waiting out their backoff, earliest first.  One already due
    when it comes back (common when sends are quick) skips the heap."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Retry]] = []
        self._due: deque[Retry] = deque()
        self._count = 0

    def push(self, retries: list[Retry], now_s: float) -> None:
        if max(map(_READY_AT, retries), default=now_s) <= now_s:  # in C
            self._due.extend(retries)
            return
        for retry in retries:
            if retry.ready_at_s <= now_s:
                self._due.append(retry)
                continue
            self._count += 1  # a tie-breaker: retries never compare
            heapq.heappush(self._heap, (retry.ready_at_s, self._count, retry))

    def next_due_s(self) -> float | None:
        if self._due:
            return 0.0
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now_s: float, limit: int) -> list[Retry]:
        take = self._due.popleft
        due = [take() for _ in range(min(limit, len(self._due)))]
        while self._heap and self._heap[0][0] <= now_s and len(due) < limit:
            due.append(heapq.heappop(self._heap)[2])
        return due


class Producer:
    """Feeds the inbox until there is nothing more to feed, or the run is
    stopped.

    Fresh messages are all ready at the first simulated instant; they go
    in as fast as the inbox has room.  A failed attempt comes back on the
    retry queue and goes in line again once simulated time reaches the end
    of its backoff.  Only the monitor knows when every message has an
    outcome, so with ``retries`` the producer runs until ``stop``.
    Without, it ends the inbox (``None``) after the last message: each
    sender then finishes as it runs out of work, while the others still
    send, rather than all at once after the last send.
    """

    def __init__(self, channels: Channels, clock: SimClock,
                 rng: random.Random, num_messages: int, batch: int, *,
                 retries: bool = True) -> None:
        self._channels = channels
        self._clock = clock
        self._rng = rng
        self._num_messages = num_messages
        self._batch = batch
        self._retries = retries
        self._backlog = _Backlog()

    def run(self) -> None:
        stop = self._channels.stop
        fresh: list[Message] = []
        taken = 0  # of fresh
        next_id = 0
        while not stop.is_set():
            self._collect_retries(block=False)
            due = self._backlog.pop_due(self._clock.now(), self._batch)
            if due:
                self._put(Work([], due))
            elif taken < len(fresh) or next_id < self._num_messages:
                if taken == len(fresh):
                    fresh = generate_messages(self._rng, next_id, min(
                        GENERATE_CHUNK, self._num_messages - next_id))
                    taken = 0
                    next_id += len(fresh)
                batch = fresh[taken:taken + self._batch]
                self._put(Work(batch, []))
                taken += len(batch)
            elif self._retries:
                self._collect_retries(block=True)
            else:
                self._put(None)
                return

    def _put(self, work: Work | None) -> None:
        """Put ``work``, blocking while the inbox is full, for at most
        ``POLL_S`` at a time between looks at ``stop``; once stopped, the
        work stays unsent."""
        channels = self._channels
        while not channels.stop.is_set():
            try:
                channels.inbox.put(work, timeout=POLL_S)
                return
            except queue.Full:
                continue

    def _collect_retries(self, block: bool) -> None:
        """Move the failed attempts sent back so far into the backlog.

        With ``block``, first wait for some to arrive or for the earliest
        to fall due, for at most ``POLL_S``.
        """
        retries = self._channels.retries
        if block:
            timeout = POLL_S
            due_s = self._backlog.next_due_s()
            if due_s is not None:
                timeout = min(timeout, max(
                    0.0, (due_s - self._clock.now()) / self._clock.speed))
            try:
                returned = retries.get(timeout=timeout)
            except queue.Empty:
                return
            if returned is not None:
                self._backlog.push(returned, self._clock.now())
        if retries.empty():  # the common case, without an exception
            return
        now_s = self._clock.now()
        while not retries.empty():  # the only reader: get never blocks
            returned = retries.get_nowait()
            if returned is not None:
                self._backlog.push(returned, now_s)
