"""A carrier's held messages in columns (``model/held.py``): they leave
in the order they came, as what the model needs of them."""
from __future__ import annotations

import random

import pytest

from sms_sim.model.held import COMPACT_AT, WHOLE_AT, HeldLine
from sms_sim.model.lines import Taken
from sms_sim.model.message import Message, generate_messages


def held(message: Message, attempt: int = 1) -> Taken:
    # A throttled submit is retried with its attempt: any attempt may be
    # a retry.
    return Taken(message, attempt, 0.25 * (attempt - 1), 9.0,
                 message.arrived_s + attempt, message.id % 3 == 0)


def kept(taken: Taken) -> tuple[object, ...]:
    """What a held message keeps at least: all but its text and phone
    (and its start, which the caller gives it)."""
    message = taken.message._replace(text="", phone="")
    return (message, taken.attempt, taken.spent_s, taken.ready_s,
            taken.retried)


@pytest.mark.parametrize("count", [50, 3 * WHOLE_AT + 50])
def test_held_messages_leave_oldest_first_as_the_model_needs_them(
        count: int) -> None:
    """A few held whole; more, most in the columns."""
    messages = [m._replace(class_index=i % 3, arrived_s=i / 8)
                for i, m in enumerate(generate_messages(random.Random(2),
                                                        0, count))]
    for phones in (True, False):
        line = HeldLine(phones, True)
        takens = [held(m, 1 + i % 4) for i, m in enumerate(messages)]
        for taken in takens:
            line.append(taken)
        assert len(line) == count
        assert line.first_ready_s == takens[0].ready_s
        out = [line.popleft() for _ in range(20)]
        assert line.first_ready_s == takens[20].ready_s
        out += line.drain()
        assert len(line) == 0
        assert [kept(t) for t in out] == [kept(t) for t in takens]
        assert all(t.message.phone in (m.phone, "" if not phones else
                                       m.phone)
                   for t, m in zip(out, messages))


@pytest.mark.parametrize("count", [2, WHOLE_AT + 2])
def test_the_one_just_taken_goes_back_first(count: int) -> None:
    """Whole, and from the columns (the first of more than are held
    whole)."""
    line = HeldLine(False, False)
    messages = generate_messages(random.Random(3), 0, count)
    for message in messages:
        line.append(held(message))
    taken = line.popleft()
    line.appendleft(taken._replace(start_s=4.0))
    assert [t.message.id for t in line.drain()] == [m.id for m in messages]


def test_the_taken_are_forgotten_without_losing_the_rest() -> None:
    line = HeldLine(True, False)
    messages = generate_messages(random.Random(4), 0, 3 * COMPACT_AT)
    ids = []
    for index, message in enumerate(messages):
        line.append(held(message))
        if index % 3:  # two taken for every three held
            ids.append(line.popleft().message.id)
    ids += [t.message.id for t in line.drain()]
    assert ids == [m.id for m in messages]
    # Dropped from the front: what is held is what is left.
    assert len(line._ids) == 0


def test_one_taken_from_the_columns_gets_the_start_asked_for() -> None:
    """From the columns a held message is built anew, so it is built with
    its start; one held whole keeps its own, for the caller to replace."""
    line = HeldLine(False, False)
    messages = generate_messages(random.Random(5), 0, WHOLE_AT + 1)
    for message in messages:
        line.append(held(message))  # the first WHOLE_AT go to the columns
    from_columns = line.popleft(7.5)
    assert (from_columns.message.id, from_columns.start_s) == (0, 7.5)
    second = line.popleft()  # no start asked for: its ready moment
    assert (second.message.id, second.start_s) == (1, second.ready_s)
    for _ in range(WHOLE_AT - 2):
        line.popleft()
    whole = line.popleft(7.5)
    assert (whole.message.id, whole.start_s) == (WHOLE_AT, 9.0)
    assert len(line) == 0
