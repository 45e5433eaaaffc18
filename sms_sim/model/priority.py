"""Priorities among ``--traffic``'s classes (``priority=P``,
``--priority strict|weighted``, ``weight=W``).

A class's messages wait in a line of their own once they have arrived,
and its retries in a retry line of their own.  A sender that could start
at ``t`` starts at the earliest moment anything is ready (``t``, or the
next arrival or retry due after it), and takes, among the classes with
something ready then:

- ``strict``: the most urgent class (the lowest ``priority``);
- ``weighted``: the class whose share of the sends so far, over its
  ``weight``, is the least after this send (ties: the most urgent, then
  the class given first), so that every class ready gets its share and
  none starves.  A class that becomes ready starts level with those
  already ready, not with the credit of its idle time.

Within a class, and among classes of one priority with ``strict``, a
retry due goes first (the earliest due), then the earliest arrival (then
the lowest id): with every class of one priority, the rule of
``lines.py``.  A send in progress is never pre-empted.

The messages that have arrived and wait are held in memory, as a
provider's queue holds them: a large backlog of a class that a more
urgent one overtakes takes memory in proportion.  Runs whose classes
share one priority, without ``weighted``, keep ``lines.py``'s line,
which holds none.

Thread safety: used only inside ``Schedule.decide``, under its lock.
"""
from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Sequence

from sms_sim.model.lines import Fresh, Lines, Taken
from sms_sim.model.message import Message
from sms_sim.model.retries import RetryLine
from sms_sim.model.traffic import DEFAULT_CLASS, WEIGHTED, TrafficClass


class ClassRetries(RetryLine):
    """The retries in line, a :class:`RetryLine` per class; as a whole,
    a retry line like any other (``first_s``, ``count``, ``pop``)."""

    def __init__(self, classes: int, keep_phones: bool = True) -> None:
        super().__init__(keep_phones, True)
        self.lines = [RetryLine(keep_phones, True) for _ in range(classes)]

    def push(self, ready_s: float, message: Message, attempt: int,
             spent_s: float) -> None:
        self.lines[message.class_index].push(ready_s, message, attempt,
                                             spent_s)
        self.count += 1
        if ready_s < self.first_s:
            self.first_s = ready_s

    def pop(self) -> tuple[float, Message, int, float]:
        """The retry due first of all classes (ties: the class first)."""
        return self.pop_class(min(range(len(self.lines)),
                                  key=lambda index: self.lines[index].first_s))

    def pop_class(self, index: int) -> tuple[float, Message, int, float]:
        """Class ``index``'s retry due first."""
        popped = self.lines[index].pop()
        self.count -= 1
        self.first_s = min(line.first_s for line in self.lines)
        return popped


class PriorityLines(Lines):
    """Each class's arrived messages and retries, and the rule of which
    class a free sender serves (see the module)."""

    def __init__(self, source: Fresh, retries: ClassRetries,
                 classes: Sequence[TrafficClass], mode: str,
                 until: Sequence[float] = ()) -> None:
        super().__init__(source, [klass.validity_s for klass in classes],
                         until)
        self._retries = retries
        self._waiting: list[deque[Message]] = [deque() for _ in classes]
        self._priority = [klass.priority for klass in classes]
        self._cost = [1 / klass.weight for klass in classes]
        self._weighted = mode == WEIGHTED
        self._served = [0.0] * len(classes)
        """Each class's sends over its weight (weighted)."""
        self._was_ready = [False] * len(classes)
        self.exact_next = False  # the classes' rule: only a take can tell

    def _take(self, earliest_s: float, retries: RetryLine) -> Taken | None:
        """What a sender that could start at ``earliest_s`` sends next,
        validity aside, taken out of line; None once nothing is left.
        (``retries`` is the schedule's, this line's own.)"""
        lines, waiting = self._retries.lines, self._waiting
        head = self._peek()
        at_s = earliest_s
        if not any(waiting):
            at_s = max(earliest_s, min(
                math.inf if head is None else head.arrived_s,
                self._retries.first_s))
            if at_s == math.inf:
                return None
        while head is not None and head.arrived_s <= at_s:
            waiting[head.class_index].append(head)
            self._head = None
            head = self._peek()
        ready = [index for index, line in enumerate(lines)
                 if waiting[index] or line.first_s <= at_s]
        index = self._choose(ready, at_s)
        self._served[index] += self._cost[index]
        if lines[index].first_s <= at_s:
            ready_s, message, attempt, spent_s = \
                self._retries.pop_class(index)
            return Taken(message, attempt, spent_s, at_s, ready_s, True)
        message = waiting[index].popleft()
        return Taken(message, 1, 0.0, at_s, message.arrived_s)

    def _choose(self, ready: list[int], at_s: float) -> int:
        """The class of ``ready`` that a sender serves at ``at_s``."""
        if self._weighted:
            served, was_ready = self._served, self._was_ready
            level = [served[index] for index in ready if was_ready[index]]
            for index in ready:  # the newly ready start level
                if not was_ready[index] and level:
                    served[index] = max(served[index], min(level))
            self._was_ready = [index in ready for index in range(
                len(served))]
            return min(ready, key=lambda index: (
                served[index] + self._cost[index], self._priority[index],
                index))
        lines, waiting = self._retries.lines, self._waiting

        def key(index: int) -> tuple[int, int, float, int]:
            due_s = lines[index].first_s
            if due_s <= at_s:
                return (self._priority[index], 0, due_s, index)
            first = waiting[index][0]
            return (self._priority[index], 1, first.arrived_s, first.id)

        return min(ready, key=key)

    def _unserved(self, message: Message) -> None:
        self._served[message.class_index] -= self._cost[message.class_index]

    def put_back(self, taken: Taken, retries: RetryLine) -> None:
        message = taken.message
        self._unserved(message)
        if not taken.retried:
            self._waiting[message.class_index].appendleft(message)
        else:
            self._retries.push(taken.ready_s, message, taken.attempt,
                               taken.spent_s)

    def rest(self, taken: Taken | None,
             retries: list[tuple[Message, int, float]]) -> list[Message]:
        waiting = [message for line in self._waiting for message in line]
        for line in self._waiting:
            line.clear()
        return waiting + super().rest(taken, retries)


def lines_for(source: Fresh, classes: Sequence[TrafficClass], mode: str,
              keep_phones: bool, deadline_s: float = math.inf,
              held_s: float = math.inf) -> tuple[RetryLine, Lines | None]:
    """The retry line and the line of a run of ``classes`` (none without
    ``--traffic``): one line in order of arrival where the classes share
    one priority without ``weighted``, else a line of each class.  The
    latest start ``deadline_s`` is the positional class's alone; the
    providers' validity ``held_s`` (``route.provider_validity``) bounds
    every class's own."""
    if not classes:
        return RetryLine(keep_phones), None
    if held_s < math.inf:
        classes = [dataclasses.replace(klass, validity_s=min(
            held_s, math.inf if klass.validity_s is None
            else klass.validity_s)) for klass in classes]
    until = [deadline_s if klass.name == DEFAULT_CLASS else math.inf
             for klass in classes]
    if mode != WEIGHTED and len({klass.priority for klass in classes}) == 1:
        return RetryLine(keep_phones, True), Lines(
            source, [klass.validity_s for klass in classes], until)
    retries = ClassRetries(len(classes), keep_phones)
    return retries, PriorityLines(source, retries, classes, mode, until)
