"""The retry line: the order of a plain heap, in compact runs."""
from __future__ import annotations

import heapq
import random

import pytest

from sms_sim.model.config import SenderGroup
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.message import Message, generate_messages
from sms_sim.model.result import Result
from sms_sim.model.retries import SEAL_AT, RetryLine
from sms_sim.model.schedule import Schedule

MESSAGES = generate_messages(random.Random(3), 0, 3 * SEAL_AT)


@pytest.mark.parametrize("keep_phones", [True, False])
@pytest.mark.parametrize("spent_every", [1, 2 * SEAL_AT, 0])
def test_retries_come_out_as_a_heap_of_whole_ones_would_give_them(
        keep_phones: bool, spent_every: int) -> None:
    """Pushes and pops interleaved at random, through several seals, and
    ties of due moments: the same retries in the same order as a heap of
    (due, id, ...) tuples, each with what the model needs of it.  Send
    time spent so far in every retry, in every ``spent_every``-th (so
    that the first and third runs have some, the second none, which a
    run does not hold), or in none."""
    rng = random.Random(5)
    line = RetryLine(keep_phones)
    plain: list[tuple[float, int, Message, int, float]] = []
    popped, expected = [], []
    for message in MESSAGES:
        ready_s = rng.choice((0.5, 1.0, rng.random()))  # ties, too
        attempt = rng.randrange(2, 5)
        spent_s = rng.random() if spent_every and not (
            message.id % spent_every) else 0.0
        line.push(ready_s, message, attempt, spent_s)
        heapq.heappush(plain, (ready_s, message.id, message, attempt,
                               spent_s))
        assert line.first_s == plain[0][0]
        if rng.random() < 0.3:
            popped.append(line.pop())
            expected.append(heapq.heappop(plain))
    assert len(line) == len(plain) > SEAL_AT  # some were sealed
    drained = list(line.drain())
    assert len(line) == 0 and line.first_s == float("inf")
    popped += [(0.0, *retry) for retry in drained]
    expected += [heapq.heappop(plain) for _ in range(len(drained))]
    for (ready_s, message, attempt, spent_s), whole in zip(
            popped, expected):
        assert (message.id, attempt, spent_s) == (whole[1], whole[3],
                                                  whole[4])
        assert ready_s in (0.0, whole[0])  # drained ones give no moment
        assert (message.seed, message.form) == (whole[2].seed,
                                                whole[2].form)
        assert message.phone in ((whole[2].phone,) if keep_phones
                                 else ("", whole[2].phone))
    assert len(popped) == len(MESSAGES)


def decide_all(keep_phones: bool) -> list[Result]:
    chunks: list[list[Message] | None] = [list(MESSAGES), None]
    plan = Schedule((SenderGroup.uniform(4, 0.0, 0.0, 0.5),),
                    Gateway(retries=3, backoff=Backoff(0.001)),
                    lambda: chunks.pop(0), keep_phones=keep_phones)
    results: list[Result] = []
    while (take := plan.decide(128)) is not None:
        results += take.sent + take.failed
    return results


def test_a_schedule_without_phones_decides_the_same() -> None:
    """Thousands of retries waiting at once (every send takes no time):
    the decisions are the same whether the line keeps the phones (for the
    log) or not; only the phone of a retried message is missing."""
    kept, slim = decide_all(True), decide_all(False)
    assert len(kept) == len(slim) > len(MESSAGES)
    assert sum(r.attempts > 1 for r in kept) > SEAL_AT
    for with_phone, without in zip(kept, slim):
        assert with_phone[1:] == without[1:]  # all but the message
        assert with_phone.message.phone == MESSAGES[
            with_phone.message.id].phone
        assert (with_phone.message.id, with_phone.message.seed) == (
            without.message.id, without.message.seed)
        if without.attempts == 1:
            assert without.message == with_phone.message


def test_a_draining_line_holds_at_most_about_twice_what_waits() -> None:
    """Runs sealed together span the same due moments and drain
    together: once more is taken than waits, the runs past half are cut,
    in place, and the order stays the heap's."""
    rng = random.Random(8)
    line = RetryLine(False)
    due = [(rng.random(), message.id) for message in MESSAGES]
    for (ready_s, _), message in zip(due, MESSAGES):
        line.push(ready_s, message, 2, 0.0)
    order = sorted(due)
    taken = []
    while len(line):
        assert line.held <= 2 * len(line) + 2 * SEAL_AT
        ready_s, message, _, _ = line.pop()
        taken.append((ready_s, message.id))
    assert taken == order
    assert line.held == 0
