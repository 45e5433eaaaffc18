"""The producer: streams generated messages into the bounded inbox, and
puts each retry back in line when its backoff ends."""
from __future__ import annotations

import bisect
import heapq
import queue
import random
from itertools import count
from operator import itemgetter

from sms_sim.channels import Channels, Retry, Work
from sms_sim.clock import SimClock
from sms_sim.message import Message, generate_messages
from sms_sim.tuning import POLL_S

GENERATE_CHUNK = 256
"""Messages generated per call: large enough that the bulk generator's
per-call cost vanishes, small enough that the first batch is ready at once.
Fixed, so that a seed gives the same messages whatever the batch size."""


_READY_AT = itemgetter(0)

_Run = tuple[float, int, list[Retry], int]
"""``(due_s, turn, run, next)``: retries as one sender posted them, sorted,
of which those from ``next`` on wait; the first of them is due at
``due_s``.  ``turn`` breaks ties, so the lists never compare."""


class _Backlog:
    """Retries waiting out their backoff, earliest first.

    Each list of retries a sender posts is sorted once, in C, and kept
    whole as a *run*; the runs wait in a heap by their next retry.  Due
    retries are taken a run at a time, and then sorted, so each batch goes
    in line earliest first.  (Cheaper than a heap entry per retry; see the
    README.)  A run keeps its taken retries until the last is taken: at
    most one batch's worth, as a sender posts its retries at every take.
    """

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        self._turns = count()

    def push(self, retries: list[Retry]) -> None:
        if retries:
            retries.sort(key=_READY_AT)
            heapq.heappush(self._runs, (retries[0][0],
                                        next(self._turns), retries, 0))

    def next_due_s(self) -> float | None:
        return self._runs[0][0] if self._runs else None

    def pop_due(self, now_s: float, limit: int) -> list[Retry]:
        runs = self._runs
        due: list[Retry] = []
        merged = False  # from more than one run: to be sorted
        while runs and runs[0][0] <= now_s and len(due) < limit:
            _, turn, run, first = heapq.heappop(runs)
            end = bisect.bisect_right(
                run, now_s, first, min(len(run), first + limit - len(due)),
                key=_READY_AT)
            merged = merged or bool(due)
            due += run[first:end]
            if end < len(run):
                heapq.heappush(runs, (run[end][0], turn, run, end))
        if merged:
            due.sort(key=_READY_AT)
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
                self._backlog.push(returned)
        while not retries.empty():  # the only reader: get never blocks
            returned = retries.get_nowait()
            if returned is not None:
                self._backlog.push(returned)
