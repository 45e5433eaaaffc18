"""What the threads of a run share, and what travels between them.

::

    producer ─Work─▶ inbox ─▶ senders ─[Result]─▶ sent / failed ─▶ monitor
        ▲                        │  └─────SenderExit / idle─▶ notices ─┘
        └──────Retry── retries ◀─┘
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import NamedTuple

from sms_sim.message import Message

SENT = "sent"
FAILED = "failed"
RETRY = "retry"
"""A failed attempt that will be retried: not an outcome of the message."""
EXPIRED = "expired"


Retry = tuple[float, Message, int, float]
"""A message due for another attempt: ``(ready_at_s, message, attempt,
spent_s)``.

- ``ready_at_s``: the simulated moment its backoff ends; no attempt
  starts before.  The producer's backlog keeps retries in its order.
- ``attempt``: the number of the attempt to make (2 for the first retry).
- ``spent_s``: simulated send time of its earlier attempts.

A plain tuple, unlike the other values here: one is built for every
retry, and a NamedTuple costs several times as much to build (see the
README).
"""


class Work(NamedTuple):
    """One inbox item: fresh messages (ready from the first instant, at
    their first attempt), or retries, or both."""

    fresh: list[Message]
    retries: list[Retry]


class Result(NamedTuple):
    """One attempt, or one expiry, of one message.

    Which queue holds it says whether the attempt succeeded; ``outcome``
    says what became of the message: ``SENT``, ``FAILED``, ``EXPIRED``
    (its deadline passed), or ``RETRY`` (not yet decided).
    """

    message: Message
    group: int
    sender: int
    attempts: int
    """Attempts the message has had, this one included."""
    send_s: float | None
    """This attempt's simulated send time; None for an expiry that made
    no attempt."""
    done_at_s: float
    """The simulated moment this attempt ended, or the message expired."""
    spent_s: float
    """Simulated send time over all of the message's attempts so far."""
    outcome: str


@dataclass(frozen=True, slots=True)
class SenderExit:
    """A sender's last word, whatever ends it; every result it produced was
    queued before it.  ``fault`` is the traceback of the error that retired
    the sender, if one did."""

    name: str
    fault: str | None = None


Inbox = queue.Queue["Work | None"]
"""``None`` tells the sender that takes it to pass it on and finish."""
ResultQueue = queue.SimpleQueue[list[Result]]
NoticeQueue = queue.SimpleQueue["SenderExit | None"]
"""Sender exits, and ``None`` from a sender that found the inbox empty:
either way the monitor should look at the results now."""
RetryQueue = queue.SimpleQueue["list[Retry] | None"]
"""Failed attempts on their way back to the producer; ``None`` wakes it."""


@dataclass(frozen=True, slots=True)
class Channels:
    """The queues and the stop signal that every thread of a run shares."""

    inbox: Inbox
    sent: ResultQueue
    failed: ResultQueue
    retries: RetryQueue
    notices: NoticeQueue
    stop: threading.Event
    pending_batches: int
    """Result lists on ``sent`` and ``failed`` together beyond which a
    sender waits for the monitor to take some before it posts more."""

    @classmethod
    def create(cls, inbox_items: int, stop: threading.Event,
               pending_batches: int = 1 << 30) -> Channels:
        return cls(queue.Queue(maxsize=inbox_items), queue.SimpleQueue(),
                   queue.SimpleQueue(), queue.SimpleQueue(),
                   queue.SimpleQueue(), stop, pending_batches)

    def release(self) -> None:
        """End the run for every thread: set ``stop``, wake the producer,
        and start the chain of ``None`` that releases idle senders (each
        passes it on).  Never blocks: a full inbox means no sender waits
        on it, and busy senders see ``stop`` after their current send."""
        self.stop.set()
        self.retries.put(None)
        try:
            self.inbox.put_nowait(None)
        except queue.Full:
            pass
