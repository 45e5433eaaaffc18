"""A carrier's held messages (``carriers.py``), oldest first, each kept
as what the model needs of it, in columns.

A carrier whose cap holds its messages back may hold a large share of a
blast at once: with 40% of a million recipients on a carrier capped at
75/s, some 400,000 wait in its line while the others are sent.  As
``Taken`` tuples with their messages they took some 400 bytes each.  A
held message needs what a retry in line needs (``retries.py``): its id,
bits, form, attempt, whether it was a retry, time spent and when it was
ready; its text never, its phone only for the ``--log``, its class and
arrival only with ``--traffic``.  Here those are arrays, about 36 bytes
a message, and a message is rebuilt from them when it leaves the line,
as a sealed retry's is.

A cap above the carrier's share of the pace holds only the messages that
come within a slot of the one before: its line holds a few at a time.  So
the newest ``WHOLE_AT`` are held whole, as they came, in a deque, and go
to the columns only when more come: a column's append and a message
rebuilt cost twelve times a deque's (``benchmarks/README.md``, the
carriers' cost).

Thread safety: used only inside ``Schedule.decide``, under its lock.
"""
from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterator

from sms_sim.model.encoding import Form
from sms_sim.model.lines import Taken
from sms_sim.model.message import message_of

COMPACT_AT = 4096
"""Messages taken from the front before their columns are dropped, once
they are half of them: a few bytes a message, and no copy per take."""
WHOLE_AT = 256
"""The newest messages held whole, at some 400 bytes each, before they
go to the columns."""


class HeldLine:
    """One carrier's held messages: appended at the back, taken from the
    front (and the one just taken given back there).  The oldest are in
    the columns, the newest whole."""

    __slots__ = ("_ids", "_seeds", "_forms", "_attempts", "_retried",
                 "_spent_s", "_ready_s", "_phones", "_classes", "_arrived_s",
                 "_head", "_form_list", "_form_index", "_whole",
                 "_whole_taken")

    def __init__(self, keep_phones: bool, keep_arrivals: bool) -> None:
        """``keep_phones``: hold each one's phone (for the log);
        ``keep_arrivals``: its class and arrival (``--traffic``)."""
        self._ids = array("q")
        self._seeds = array("Q")
        self._forms = array("H")
        """Each its index in ``_form_list`` (a run has few forms)."""
        self._attempts = array("B")
        self._retried = array("B")
        self._spent_s = array("d")
        self._ready_s = array("d")
        self._phones: list[str] | None = [] if keep_phones else None
        self._classes = array("H") if keep_arrivals else None
        self._arrived_s = array("d") if keep_arrivals else None
        self._head = 0
        """The position of the oldest held message."""
        self._form_list: list[Form] = []
        self._form_index: dict[Form, int] = {}
        self._whole: deque[Taken] = deque()
        """The newest held, as they came, after those in the columns."""
        self._whole_taken = False
        """Whether the message taken last came from ``_whole``."""

    def __len__(self) -> int:
        return len(self._ids) - self._head + len(self._whole)

    @property
    def first_ready_s(self) -> float:
        """When the oldest held message was ready."""
        if self._head < len(self._ids):
            return self._ready_s[self._head]
        return self._whole[0].ready_s

    def append(self, taken: Taken) -> None:
        """Hold ``taken`` at the back."""
        whole = self._whole
        if len(whole) >= WHOLE_AT:
            while whole:
                self._to_columns(whole.popleft())
        whole.append(taken)

    def _to_columns(self, taken: Taken) -> None:
        """Hold ``taken`` at the back of the columns."""
        if self._head >= COMPACT_AT and 2 * self._head >= len(self._ids):
            self._drop_front()
        message = taken.message
        self._ids.append(message.id)
        self._seeds.append(message.seed)
        self._forms.append(self._form_of(message.form))
        self._attempts.append(taken.attempt)
        self._retried.append(taken.retried)
        self._spent_s.append(taken.spent_s)
        self._ready_s.append(taken.ready_s)
        if self._phones is not None:
            self._phones.append(message.phone)
        if self._classes is not None and self._arrived_s is not None:
            self._classes.append(message.class_index)
            self._arrived_s.append(message.arrived_s)

    def popleft(self, start_s: float | None = None) -> Taken:
        """The oldest held message, out of line, to start at ``start_s``
        if given (from the columns: a copy less for the caller), else its
        start to be given by the caller.  From the columns, its message
        has no text, and no phone unless the line keeps them."""
        at = self._head
        self._whole_taken = at == len(self._ids)
        if self._whole_taken:
            return self._whole.popleft()
        self._head += 1
        id_, seed = self._ids[at], self._seeds[at]
        phone = "" if self._phones is None else self._phones[at]
        form = self._form_list[self._forms[at]]
        if self._classes is None or self._arrived_s is None:
            # message_of: Message's own __new__ is slower.
            message = message_of((id_, phone, "", seed, form, 0, 0.0))
        else:
            message = message_of((id_, phone, "", seed, form,
                                  self._classes[at], self._arrived_s[at]))
        ready_s = self._ready_s[at]
        return Taken(message, self._attempts[at], self._spent_s[at],
                     ready_s if start_s is None else start_s, ready_s,
                     bool(self._retried[at]))

    def appendleft(self, taken: Taken) -> None:
        """Give back the message ``popleft`` just gave: its columns are
        still there, as nothing is dropped from the front but by
        ``append``."""
        if self._whole_taken:
            self._whole.appendleft(taken)
            return
        assert self._head > 0 and self._ids[self._head - 1] == \
            taken.message.id, "only the message just taken goes back"
        self._head -= 1

    def drain(self) -> Iterator[Taken]:
        """Every held message, oldest first, leaving the line empty."""
        while len(self):
            yield self.popleft()
        self._drop_front()

    def _drop_front(self) -> None:
        """Forget the columns of the messages taken."""
        head = self._head
        for column in (self._ids, self._seeds, self._forms, self._attempts,
                       self._retried, self._spent_s, self._ready_s,
                       self._classes, self._arrived_s):
            if column is not None:
                del column[:head]
        if self._phones is not None:
            del self._phones[:head]
        self._head = 0

    def _form_of(self, form: Form) -> int:
        index = self._form_index.get(form)
        if index is None:
            index = self._form_index[form] = len(self._form_list)
            self._form_list.append(form)
        return index
