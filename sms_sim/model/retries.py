"""The retry line: messages waiting out their backoff, the earliest due
first (ties by id), each held in what the model needs of it.

A waiting retry needs its id, its bits, its form (what its sending costs),
its next attempt's number and its send time so far; its text none, and its
phone only for the ``--log``.  When every send takes no time, all the
fresh messages go first and about half a million failures may wait at
once: as whole tuples, with their messages, they took about 500 bytes
each.  So the line keeps the retries put in line lately in a small heap,
and seals them, a thousand at a time, into a *run*: sorted columns in
arrays, 30 bytes a retry, 22 where every send took no time (more with
phones; ids past 2**32 take four bytes more).  The runs are merged
lazily through a heap of their heads.  The order is the heap's order
either way: by due moment, then id (a message has one retry in line at
most, so the pair is unique).

Runs sealed together span the same stretch of due moments, so they are
taken from together, and a run's arrays would be freed only once its
last retry is taken: while the line drains, the retries taken and those
failing again would both be held.  So once the runs hold more retries
taken than waiting, each run taken from past half is cut, in place, to
what is left of it.
"""
from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Iterator
from typing import NamedTuple

from sms_sim.model.encoding import Form
from sms_sim.model.message import Message, message_of

SEAL_AT = 1024
"""Retries the small heap holds before they are sealed into a run: enough
that a run's own cost (its arrays) is a few bytes a retry, few enough that
the whole retries in it stay small next to the runs."""

ID_LIMIT = 1 << 32
"""Ids below it are held in four bytes (a run of larger ones, in eight).
"""

Retry = tuple[float, int, Message, int, float]
"""``(ready_at_s, message id, message, attempt, spent_s)``: a message
waiting out its backoff, its next attempt's number, and the send time of
its attempts so far."""


class _Run(NamedTuple):
    """Sealed retries, sorted by (due moment, id), a column an array."""

    ready_s: array[float]
    ids: array[int]
    seeds: array[int]
    attempts: array[int]
    spent_s: array[float] | None
    """None where every one is 0: when every send takes no time, all
    the retries are in line at once, and this column would be over a
    quarter of their memory (``benchmarks/README.md``)."""
    forms: array[int]
    """Each its index in the line's table of forms (a run has few)."""
    phones: list[str] | None
    arrivals: tuple[array[int], array[float]] | None
    """With ``--traffic``: each message's class and arrival moment."""


_Head = tuple[float, int, int, _Run]
"""``(ready_at_s, id, position, run)``: a run's next retry.  Ids are
unique, so a comparison never reaches the position or the run."""


class RetryLine:
    """The retries in line; ``first_s`` is when the earliest falls due
    (infinity with none).  Not thread-safe: the schedule's lock guards it.
    """

    def __init__(self, keep_phones: bool = True,
                 keep_arrivals: bool = False) -> None:
        """``keep_arrivals``: hold each message's class and arrival too
        (``--traffic``); without, a sealed one's are the defaults."""
        self._keep_phones = keep_phones
        self._keep_arrivals = keep_arrivals
        self._forms: list[Form] = []
        self._form_index: dict[Form, int] = {}
        self._recent: list[Retry] = []
        """A heap of the retries put in line since the last seal."""
        self._heads: list[_Head] = []
        """A heap of each run's next retry."""
        self.first_s = math.inf
        self.count = 0
        self.held = 0
        """Retries in the runs' arrays, taken or waiting."""
        self._until_cut = 0
        """Retries to take from the runs before the next cut: a cut
        looks at every run, so there is one run's worth of takes at least
        between two."""

    def __len__(self) -> int:
        return self.count

    def push(self, ready_s: float, message: Message, attempt: int,
             spent_s: float) -> None:
        """Put ``message`` in line, due at ``ready_s`` for ``attempt``."""
        recent = self._recent
        heapq.heappush(recent, (ready_s, message.id, message, attempt,
                                spent_s))
        self.count += 1
        if ready_s < self.first_s:
            self.first_s = ready_s
        if len(recent) >= SEAL_AT:
            self._seal()

    def pop(self) -> tuple[float, Message, int, float]:
        """The retry due first: ``(ready_at_s, message, attempt,
        spent_s)``.  A sealed one's message has no text, and no phone
        unless the line keeps them."""
        recent, heads = self._recent, self._heads
        # (due, id) compared field by field: slices would build tuples.
        if heads and (not recent or heads[0][0] < recent[0][0] or (
                heads[0][0] == recent[0][0] and heads[0][1] < recent[0][1])):
            ready_s, id_, position, run = heads[0]
            phone = "" if run.phones is None else run.phones[position]
            seed, form = run.seeds[position], self._forms[run.forms[position]]
            if run.arrivals is None:  # message_of: Message's own is slower
                message = message_of((id_, phone, "", seed, form, 0, 0.0))
            else:
                classes, arrived_s = run.arrivals
                message = message_of((id_, phone, "", seed, form,
                                      classes[position], arrived_s[position]))
            attempt = run.attempts[position]
            spent_s = 0.0 if run.spent_s is None else run.spent_s[position]
            position += 1
            if position < len(run.ids):
                heapq.heapreplace(heads, (run.ready_s[position],
                                          run.ids[position], position, run))
            else:
                heapq.heappop(heads)
                self.held -= len(run.ids)
            self.count -= 1
            self._until_cut -= 1
            # Only a run taken from past half is cut (an array gives its
            # memory back only then): more taken than waiting means one is.
            if self._until_cut <= 0 and self.held > 2 * (
                    self.count - len(recent)):
                self._cut()
        else:
            ready_s, _, message, attempt, spent_s = heapq.heappop(recent)
            self.count -= 1
        # The earlier of the two heaps' heads (min() is a call more).
        first_s = recent[0][0] if recent else math.inf
        if heads and heads[0][0] < first_s:
            first_s = heads[0][0]
        self.first_s = first_s
        return ready_s, message, attempt, spent_s

    def drain(self) -> Iterator[tuple[Message, int, float]]:
        """Every retry in line, ``(message, attempt, spent_s)``, in order,
        leaving the line empty."""
        while self.count:
            _, message, attempt, spent_s = self.pop()
            yield message, attempt, spent_s

    def _cut(self) -> None:
        """The runs taken from past half cut, in place, to the retries in
        them that wait.  Each keeps its head, so the heap of heads keeps
        its order."""
        heads = self._heads
        for index, (ready_s, id_, position, run) in enumerate(heads):
            if position * 2 >= len(run.ids):
                _cut(run, position)
                heads[index] = (ready_s, id_, 0, run)
        self.held = sum(len(run.ids) for _, _, _, run in heads)
        self._until_cut = len(heads)

    def _seal(self) -> None:
        """The recent retries, sorted, become a run."""
        retries = sorted(self._recent)
        self._recent = []
        index = self._form_index
        for retry in retries:
            if retry[2].form not in index:
                index[retry[2].form] = len(self._forms)
                self._forms.append(retry[2].form)
        spent_s = [r[4] for r in retries]
        run = _Run(array("d", [r[0] for r in retries]),
                   _ids([r[1] for r in retries]),
                   array("Q", [r[2].seed for r in retries]),
                   array("B", [r[3] for r in retries]),
                   array("d", spent_s) if any(spent_s) else None,
                   array("B" if len(index) <= 256 else "H",
                         [index[r[2].form] for r in retries]),
                   [r[2].phone for r in retries]
                   if self._keep_phones else None,
                   (array("H", [r[2].class_index for r in retries]),
                    array("d", [r[2].arrived_s for r in retries]))
                   if self._keep_arrivals else None)
        self.held += len(retries)
        heapq.heappush(self._heads, (run.ready_s[0], run.ids[0], 0, run))


def _cut(run: _Run, position: int) -> None:
    """``run`` without its first ``position`` retries.  In place: an
    array cut by half or more shrinks where it lies, and its memory goes
    back to the allocator's pool it came from (a copy would take new
    memory from the pool of the thread that cuts, and the pools grow)."""
    columns: list[array[int] | array[float] | list[str]] = [
        run.ready_s, run.ids, run.seeds, run.attempts, run.forms]
    if run.spent_s is not None:
        columns.append(run.spent_s)
    if run.phones is not None:
        columns.append(run.phones)
    if run.arrivals is not None:
        columns += run.arrivals
    for column in columns:
        del column[:position]


def _ids(ids: list[int]) -> array[int]:
    """Ids in an array of the fewest bytes that holds them all."""
    return array("I" if max(ids) < ID_LIMIT else "q", ids)
