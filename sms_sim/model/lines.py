"""The line of a run with ``--traffic``: messages that arrive over time.

Without ``--traffic`` every fresh message is there at 0, and the
schedule takes them in id order from its source.  With it, a message
cannot start before it arrives (``Message.arrived_s``); the producer
makes them in order of arrival, so the next fresh message is always the
one that arrives first.  A send that could start at ``t`` takes:

- a retry due by the later of ``t`` and the next arrival (the earliest
  first), at the later of its due time and ``t``;
- else the next message to arrive, at the later of its arrival and
  ``t``.

With every arrival at 0 that is the schedule's own rule: a retry due by
``t``, else the next fresh message, else the earliest retry.  Decisions
still come out in order of start: a start is the earliest moment at
which the sender free first has something to send, and anything put in
line later is due after the start that put it there.

Thread safety: used only inside ``Schedule.decide``, under its lock.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import NamedTuple

from sms_sim.model.message import Message
from sms_sim.model.retries import RetryLine

Fresh = Callable[[], "list[Message] | None"]
"""The schedule's source of fresh messages (``schedule.Fresh``)."""


class Taken(NamedTuple):
    """What a send takes from the line, and when it may start."""

    message: Message
    attempt: int
    spent_s: float
    start_s: float
    ready_s: float
    """When it was ready: its arrival, or its retry's due time."""


class Lines:
    """The fresh messages in order of arrival, taken one at a time."""

    def __init__(self, source: Fresh) -> None:
        self._source = source
        self._chunk: Iterator[Message] = iter(())
        self._head: Message | None = None
        self._done = False

    def take(self, earliest_s: float, retries: RetryLine) -> Taken | None:
        """What a sender that could start at ``earliest_s`` sends next
        (see the module's rule), taken out of line; None once nothing is
        left, fresh or retried."""
        head = self._peek()
        if retries.count:
            arrival_s = math.inf if head is None else head.arrived_s
            if retries.first_s <= (earliest_s if earliest_s >= arrival_s
                                   else arrival_s):
                ready_s, message, attempt, spent_s = retries.pop()
                return Taken(message, attempt, spent_s,
                             ready_s if ready_s > earliest_s else earliest_s,
                             ready_s)
        if head is None:
            return None
        self._head = None
        arrival_s = head.arrived_s
        return Taken(head, 1, 0.0,
                     arrival_s if arrival_s > earliest_s else earliest_s,
                     arrival_s)

    def put_back(self, taken: Taken, retries: RetryLine) -> None:
        """Put what ``take`` just gave back where it was: its sender
        cannot start then after all (its route is closed)."""
        if taken.attempt == 1:
            self._head = taken.message
        else:
            retries.push(taken.ready_s, taken.message, taken.attempt,
                         taken.spent_s)

    def rest(self, taken: Taken | None,
             retries: list[tuple[Message, int, float]]) -> list[Message]:
        """Nothing can start any more: the fresh messages in hand, or,
        with none, the next chunk the source gives (the schedule asks
        again until none is left); ``taken``, what a send just took, goes
        back with them, or with the ``retries`` if it was one."""
        rest = [] if self._head is None else [self._head]
        self._head = None
        rest += self._chunk
        if not rest and not self._done:
            head = self._peek()
            self._head = None
            rest = [] if head is None else [head, *self._chunk]
        if taken is not None and taken.attempt == 1:
            rest.insert(0, taken.message)
        elif taken is not None:
            retries.append(taken[:3])
        return rest

    def _peek(self) -> Message | None:
        """The next fresh message, left at the head of the line; None
        after the last."""
        if self._head is None:
            self._head = next(self._chunk, None)
            while self._head is None and not self._done:
                chunk = self._source()
                if chunk is None:
                    self._done = True
                else:
                    self._chunk = iter(chunk)
                    self._head = next(self._chunk, None)
        return self._head
