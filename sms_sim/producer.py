"""The producer: streams generated messages into the bounded inbox, and
puts each retry back in line when its backoff ends."""
from __future__ import annotations

import heapq
import queue
import random
from collections import deque

from sms_sim.channels import Channels, Retry, Work
from sms_sim.clock import SimClock
from sms_sim.message import Message, generate_messages
from sms_sim.tuning import POLL_S

GENERATE_CHUNK = 256
"""Messages generated per call: large enough that the bulk generator's
per-call cost vanishes, small enough that the first batch is ready at once.
Fixed, so that a seed gives the same messages whatever the batch size."""


class _Backlog:
    """Retries waiting out their backoff, earliest first.  One already due
    when it comes back (common when sends are quick) skips the heap."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Retry]] = []
        self._due: deque[Retry] = deque()
        self._count = 0

    def push(self, retry: Retry, now_s: float) -> None:
        if retry.ready_at_s <= now_s:
            self._due.append(retry)
            return
        self._count += 1  # a tie-breaker: retries never compare themselves
        heapq.heappush(self._heap, (retry.ready_at_s, self._count, retry))

    def next_due_s(self) -> float | None:
        if self._due:
            return 0.0
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now_s: float, limit: int) -> list[Retry]:
        due: list[Retry] = []
        while self._due and len(due) < limit:
            due.append(self._due.popleft())
        while self._heap and self._heap[0][0] <= now_s and len(due) < limit:
            due.append(heapq.heappop(self._heap)[2])
        return due


class Producer:
    """Feeds the inbox until the run is stopped.

    Fresh messages are all ready at the first simulated instant; they go
    in as fast as the inbox has room.  A failed attempt comes back on the
    retry queue and goes in line again once simulated time reaches the end
    of its backoff.  Only the monitor knows when every message has an
    outcome, so the producer runs until ``stop``.
    """

    def __init__(self, channels: Channels, clock: SimClock,
                 rng: random.Random, num_messages: int, num_senders: int,
                 batch: int) -> None:
        self._channels = channels
        self._clock = clock
        self._rng = rng
        self._num_messages = num_messages
        self._num_senders = num_senders
        self._batch = batch
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
                batch = fresh[taken:taken + self._batch_now(
                    len(fresh) - taken + self._num_messages - next_id)]
                self._put(Work(batch, []))
                taken += len(batch)
            else:
                self._collect_retries(block=True)

    def _batch_now(self, remaining: int) -> int:
        """Shrink batches as the run nears its end (guided scheduling), so
        that no sender is left holding a long tail while others idle."""
        return max(1, min(self._batch, remaining // (2 * self._num_senders)))

    def _put(self, work: Work) -> None:
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

        With ``block``, first wait for one to arrive or for the earliest
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
                retry = retries.get(timeout=timeout)
            except queue.Empty:
                return
            if retry is not None:
                self._backlog.push(retry, self._clock.now())
        if retries.empty():  # the common case, without an exception
            return
        now_s = self._clock.now()
        while not retries.empty():  # the only reader: get never blocks
            retry = retries.get_nowait()
            if retry is not None:
                self._backlog.push(retry, now_s)
