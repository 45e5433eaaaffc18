"""What the threads of a run share, and what travels between them.

::

    producer ─[Message]─▶ inbox ─▶ senders ─[Result]─▶ sent / failed ─▶ monitor
                                  (schedule)   └──SenderExit─▶ notices ──┘

The senders take fresh messages from the inbox inside the schedule's
decisions (``schedule.py``), where retries wait too.
"""
from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sms_sim.model.message import Message
from sms_sim.model.result import Result
from sms_sim.run.tuning import POLL_S


class Stop(Protocol):
    """The run's stop signal, as every thread sees it: set by anyone,
    once, and never cleared (``stop.StopEvent``; any Event in tests)."""

    def is_set(self) -> bool: ...

    def set(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until it is set or ``timeout`` seconds pass; whether it
        is set."""
        ...


class Stopped(Exception):
    """The run was stopped while a thread waited."""


@dataclass(frozen=True, slots=True)
class SenderExit:
    """A sender's last word, whatever ends it; every result it produced was
    queued before it.  ``fault`` is the traceback of the error that retired
    the sender, if one did."""

    name: str
    fault: str | None = None


def fault_text() -> str:
    """The traceback of the error being handled, as a fault says it.
    traceback (and the textwrap it loads) is imported for a fault alone:
    a run without one starts without them."""
    import traceback
    return traceback.format_exc()


Inbox = queue.Queue["list[Message] | None"]
"""Fresh messages in id order, a chunk an item; ``None`` after the last."""
ResultQueue = queue.SimpleQueue[list[Result]]
NoticeQueue = queue.SimpleQueue["SenderExit | None"]
"""Sender exits, and ``None`` from a fleet that waits for the monitor to
take results: either way the monitor should look at the results now."""


class InFlight:
    """The budget of results in flight, shared by the whole fleet: decided
    and not yet taken from the queues by the monitor.

    A sender reserves room before it decides, and waits while there is
    none, holding nothing; the monitor gives room back as it takes
    results.  So the memory that decisions hold is bounded for the run,
    however many senders there are.  Only the last bulk of expiries may
    go over the budget (the schedule expires what is left at once).

    It also says when another sender thread is wanted (:meth:`wanted`):
    while senders wait for room, another would only wait with them, and
    its stack is memory too.
    """

    def __init__(self, capacity: int, nudge: Callable[[], None]) -> None:
        self.capacity = capacity
        self._nudge = nudge
        """Wakes the monitor: it drains only now and then otherwise."""
        self._nudged = False
        """Whether the monitor was woken since it last took results: a
        fleet waiting for room wakes it once, not once a sender."""
        lock = threading.Lock()
        self._room = threading.Condition(lock)
        """Senders waiting for room wait on it."""
        self._starter = threading.Condition(lock)
        """The thread that starts senders waits on it (:meth:`wanted`)."""
        self._waiting = 0
        """Senders waiting for room."""
        self._closed = False
        self.results = 0
        """Results in flight."""

    def reserve(self, want: int, stop: Stop) -> int:
        """Room for up to ``want`` results, waiting while there is none;
        0 once the run is stopped or nothing is left to decide."""
        with self._room:
            while self.results >= self.capacity and not self._closed \
                    and not stop.is_set():
                if not self._nudged:
                    self._nudged = True
                    self._nudge()
                # No timeout: thousands of senders polling would keep the
                # interpreter lock busy.  A stop is followed by close.
                self._waiting += 1
                self._room.wait()
                self._waiting -= 1
            if self._closed or stop.is_set():
                return 0
            granted = min(want, self.capacity - self.results)
            self.results += granted
            self._has_room()
            return granted

    def settle(self, granted: int, used: int) -> None:
        """A sender reserved ``granted`` and decided ``used`` (fewer when
        the schedule ran short, more for the last expiries)."""
        if used != granted:
            self.taken(granted - used)

    def taken(self, count: int) -> None:
        """``count`` results left the flight (the monitor took them)."""
        with self._room:
            self.results -= count
            if count > 0:
                self._nudged = False
                self._has_room()

    def _has_room(self) -> None:
        """Under the lock: wake whoever may use the room left, a waiting
        sender first (each wakes the next while room is left)."""
        if self.results >= self.capacity:
            return
        if self._waiting:
            self._room.notify()
        else:
            self._starter.notify()

    def wanted(self, timeout: float) -> bool:
        """Whether another sender thread would find room at once, with no
        sender waiting for it; waits up to ``timeout`` seconds for that."""
        with self._room:
            if not self._wants():
                self._starter.wait(timeout)
            return self._wants()

    def _wants(self) -> bool:
        return not (self._closed or self._waiting
                    or self.results >= self.capacity)

    def close(self) -> None:
        """Nothing is left to decide, or the run is stopped: every waiting
        sender may go, and no other is wanted."""
        with self._room:
            self._closed = True
            self._room.notify_all()


class Cut:
    """What of the results in the senders' hands counts once the run is
    stopped: those that end by the latest result posted before the stop.

    Each sender sees the stop at its own moment, and one may already
    have posted a result that another, its thread not yet woken, held
    back: a message's retry counted without the failure before it.  A
    result posted before the stop is at most the cut, and every sender
    posts all it holds up to it, so a message's every attempt before a
    counted one counts too.  Once every message has its outcome
    (``complete``), all counts: what is left is only late in real time.
    """

    def __init__(self, stop: Stop, complete: threading.Event) -> None:
        self._stop, self._complete = stop, complete
        self._lock = threading.Lock()
        self._latest_s = -math.inf
        self._cut_s: float | None = None

    def admit(self, results: list[Result], last_s: float) -> list[Result]:
        """``results``, the latest ending at ``last_s``, less those past
        the cut."""
        with self._lock:
            if self._cut_s is None:
                if not self._stop.is_set():
                    if last_s > self._latest_s:
                        self._latest_s = last_s
                    return results
                self._cut_s = self._latest_s  # the first post after it
            cut_s = self._cut_s
        if last_s <= cut_s or self._complete.is_set():
            return results
        return [result for result in results if result.done_at_s <= cut_s]


@dataclass(frozen=True, slots=True)
class Channels:
    """The queues and the stop signal that every thread of a run shares.
    Each is thread-safe on its own; nothing else is shared."""

    inbox: Inbox
    sent: ResultQueue
    failed: ResultQueue
    notices: NoticeQueue
    in_flight: InFlight
    stop: Stop
    complete: threading.Event
    """Set by the monitor once every message has its outcome, before the
    stop that ends the run: a stop then interrupts nothing, so a sender
    that was late in real time still posts the attempts it decided."""
    cut: Cut
    """What counts of the results posted after a stop."""

    @classmethod
    def create(cls, inbox_items: int, stop: Stop,
               in_flight: int = 1 << 30) -> Channels:
        """``in_flight``: the budget of results in flight (``InFlight``).
        """
        notices: NoticeQueue = queue.SimpleQueue()
        complete = threading.Event()
        return cls(queue.Queue(maxsize=inbox_items), queue.SimpleQueue(),
                   queue.SimpleQueue(), notices,
                   InFlight(in_flight, lambda: notices.put(None)), stop,
                   complete, Cut(stop, complete))

    def take_fresh(self) -> list[Message] | None:
        """The next chunk of fresh messages, or None after the last.
        Blocks until the producer has made it, looking at ``stop`` every
        ``POLL_S``; raises :class:`Stopped` once it is set."""
        # Stop is looked at before each wait, not only after one: a
        # stopped run's senders pass through here one at a time, under
        # the schedule's lock, and must not wait out a poll each.
        while not self.stop.is_set():
            try:
                return self.inbox.get(timeout=POLL_S)
            except queue.Empty:
                continue
        raise Stopped
