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

A class may have a validity (``validity=D``): a message of it that
could not start within D of its arrival expires then, as a provider's
queue fails what it could not send in time.  The positional class may
have a deadline (``--deadline``): one that could not start by then
expires then too; the other classes go on.

With every arrival at 0 that is the schedule's own rule: a retry due by
``t``, else the next fresh message, else the earliest retry.  Decisions
still come out in order of start: a start is the earliest moment at
which the sender free first has something to send, and anything put in
line later is due after the start that put it there.

Thread safety: used only inside ``Schedule.decide``, under its lock.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from sms_sim.model.message import Message
from sms_sim.model.result import EXPIRED, NO_GROUP, Result
from sms_sim.model.retries import RetryLine
from sms_sim.model.validation import at_most

Fresh = Callable[[], "list[Message] | None"]
"""The schedule's source of fresh messages: the next ones, in id order,
or None after the last.  May block; raises ``Stopped`` if the run is
stopped meanwhile (``Channels.take_fresh``)."""


class Taken(NamedTuple):
    """What a send takes from the line, and when it may start."""

    message: Message
    attempt: int
    spent_s: float
    start_s: float
    ready_s: float
    """When it was ready: its arrival, or its retry's due time."""
    retried: bool = False
    """Whether it came from the retry line.  Its attempt cannot say: a
    submit the SMSC throttled goes back there with the same attempt, 1
    for a fresh message (``throttle.py``)."""


class Lines:
    """The fresh messages in order of arrival, taken one at a time."""

    def __init__(self, source: Fresh,
                 validity: Sequence[float | None] = (),
                 until: Sequence[float] = ()) -> None:
        """``validity``: each class's ``validity_s``, if any has one;
        ``until``: each class's latest start, if any has one (the
        positional class's ``--deadline``)."""
        self._source = source
        self._chunk: Iterator[Message] = iter(())
        self._head: Message | None = None
        self._done = False
        limited = any(valid_s is not None for valid_s in validity) \
            or any(until_s < math.inf for until_s in until)
        self._validity = (
            [math.inf if valid_s is None else valid_s
             for valid_s in validity] if limited else None)
        self._until = list(until) or [math.inf] * len(validity)
        self.exact_next = not limited
        """Whether ``next_start`` tells when a take's message would start
        (not where one may lapse, nor for the classes' own rule)."""
        self.expired: list[Result] = []
        """Messages that could not start within their class's validity
        of their arrival, for the schedule to take with its decisions."""

    def take(self, earliest_s: float, retries: RetryLine) -> Taken | None:
        """What a sender that could start at ``earliest_s`` sends next
        (see the module's rule), taken out of line; None once nothing is
        left, fresh or retried.  A message whose class has a validity
        and that could not start within it of its arrival expires (at
        that moment, or as its retry falls due), and the next is taken."""
        taken = self._take(earliest_s, retries)
        if self._validity is None:
            return taken
        while taken is not None:
            if not self.lapsed(taken):
                return taken
            taken = self._take(earliest_s, retries)
        return None

    def lapsed(self, taken: Taken, start_s: float | None = None) -> bool:
        """Whether ``taken`` could not start within its class's validity
        of its arrival (at ``start_s``, if not its own start); if so, it
        expires (in ``expired``)."""
        validity = self._validity
        if validity is None:
            return False
        message = taken.message
        index = message.class_index
        valid_s = min(message.arrived_s + validity[index], self._until[index])
        if (taken.start_s if start_s is None else start_s) <= \
                at_most(valid_s):
            return False
        self.expired.append(Result(
            message=message, group=NO_GROUP, sender=0,
            attempts=taken.attempt - 1, send_s=None,
            done_at_s=max(valid_s, taken.ready_s),
            spent_s=taken.spent_s, outcome=EXPIRED, reached_at_s=None))
        self._unserved(message)
        return True

    def _unserved(self, message: Message) -> None:
        """``message`` was taken but not sent (``priority.py`` counts the
        sends of each class)."""

    def taker(self) -> Callable[[float, RetryLine], Taken | None]:
        """``take``, or, where no class has a validity, its choice alone,
        a call fewer (``carriers.py`` takes through it)."""
        return self.take if self._validity is not None else self._take

    def _take(self, earliest_s: float, retries: RetryLine) -> Taken | None:
        """``take``'s choice, validity aside."""
        head = self._head  # _peek, inlined where the head is in hand
        if head is None:
            head = self._peek()
        if retries.count:
            arrival_s = math.inf if head is None else head.arrived_s
            if retries.first_s <= (earliest_s if earliest_s >= arrival_s
                                   else arrival_s):
                ready_s, message, attempt, spent_s = retries.pop()
                return Taken(message, attempt, spent_s,
                             ready_s if ready_s > earliest_s else earliest_s,
                             ready_s, True)
        if head is None:
            return None
        self._head = None
        arrival_s = head.arrived_s
        return Taken(head, 1, 0.0,
                     arrival_s if arrival_s > earliest_s else earliest_s,
                     arrival_s)

    def next_start(self, earliest_s: float, retries: RetryLine
                   ) -> float | None:
        """When what ``take`` would give a sender free at ``earliest_s``
        could start (infinity once nothing is left), without taking it;
        None where only a take can tell (a class has a validity, and a
        message that lapsed would be passed over)."""
        if not self.exact_next:
            return None
        head = self._head  # _peek, inlined as in _take
        if head is None:
            head = self._peek()
        arrival_s = math.inf if head is None else head.arrived_s
        if earliest_s > arrival_s:
            arrival_s = earliest_s
        if retries.count and retries.first_s <= arrival_s:
            return retries.first_s if retries.first_s > earliest_s \
                else earliest_s
        return arrival_s

    def put_back(self, taken: Taken, retries: RetryLine) -> None:
        """Put what ``take`` just gave back where it was: its sender
        cannot start then after all (its route is closed)."""
        if not taken.retried:
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
        if taken is not None and not taken.retried:
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
