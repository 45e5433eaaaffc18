"""What the threads of a run share, and what travels between them.

::

    producer ─[Message]─▶ inbox ─▶ senders ─[Result]─▶ sent / failed ─▶ monitor
                                  (schedule)   └──SenderExit─▶ notices ──┘

The senders take fresh messages from the inbox inside the schedule's
decisions (``schedule.py``), where retries wait too.
"""
from __future__ import annotations

import queue
import threading
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


Inbox = queue.Queue["list[Message] | None"]
"""Fresh messages in id order, a chunk an item; ``None`` after the last."""
ResultQueue = queue.SimpleQueue[list[Result]]
NoticeQueue = queue.SimpleQueue["SenderExit | None"]
"""Sender exits, and ``None`` from a sender that waits for the monitor to
take results: either way the monitor should look at the results now."""


class Backlog:
    """How many results wait on the sent and failed queues together: what
    a sender posts, less what the monitor has taken.  The queues count
    lists, and a list may hold one result or a chunk of expiries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # += is not atomic without the GIL
        self.results = 0
        """Read without the lock: a snapshot is enough for a bound."""

    def posted(self, count: int) -> None:
        with self._lock:
            self.results += count

    def taken(self, count: int) -> None:
        with self._lock:
            self.results -= count


@dataclass(frozen=True, slots=True)
class Channels:
    """The queues and the stop signal that every thread of a run shares.
    Each is thread-safe on its own; nothing else is shared."""

    inbox: Inbox
    sent: ResultQueue
    failed: ResultQueue
    notices: NoticeQueue
    backlog: Backlog
    stop: Stop
    complete: threading.Event
    """Set by the monitor once every message has its outcome, before the
    stop that ends the run: a stop then interrupts nothing, so a sender
    that was late in real time still posts the attempts it decided."""

    @classmethod
    def create(cls, inbox_items: int, stop: Stop) -> Channels:
        return cls(queue.Queue(maxsize=inbox_items), queue.SimpleQueue(),
                   queue.SimpleQueue(), queue.SimpleQueue(), Backlog(), stop,
                   threading.Event())

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
