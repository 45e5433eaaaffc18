import queue
import random
import threading
from typing import TypeVar

import pytest

from sms_sim.config import SenderGroup
from sms_sim.message import Message, generate_messages
from sms_sim.producer import Inbox
from sms_sim.sender import (MAX_CORRECTION, ExitQueue, Result, ResultQueue,
                            SenderExit, WakeLag, run_sender)
from tests.helpers import FakeTime


def queued(batches: list[list[Message]]) -> Inbox:
    inbox: Inbox = queue.Queue()
    for batch in batches:
        inbox.put(batch)
    inbox.put(None)
    return inbox


T = TypeVar("T")


def drained(items: "queue.SimpleQueue[T]") -> list[T]:
    taken: list[T] = []
    while True:
        try:
            taken.append(items.get_nowait())
        except queue.Empty:
            return taken


def flat(batches: list[list[Result]]) -> list[Result]:
    return [r for batch in batches for r in batch]


class Queues:
    """The three queues a sender writes to."""

    def __init__(self) -> None:
        self.sent: ResultQueue = queue.SimpleQueue()
        self.failed: ResultQueue = queue.SimpleQueue()
        self.exits: ExitQueue = queue.SimpleQueue()


def send(group: SenderGroup, batches: list[list[Message]],
         fake: FakeTime | None = None,
         stop: threading.Event | None = None
         ) -> tuple[list[list[Result]], list[list[Result]], list[SenderExit]]:
    fake = fake or FakeTime()
    q = Queues()
    run_sender("sender-1", 2, group, queued(batches), q.sent, q.failed,
               q.exits, stop or threading.Event(), clock=fake.clock,
               wait=fake.wait)
    return drained(q.sent), drained(q.failed), drained(q.exits)


MESSAGES = generate_messages(random.Random(11), 0, 200)


@pytest.mark.parametrize("rate", [0.0, 0.3, 1.0])
def test_routes_by_failure_rate_and_fail_draw(rate: float) -> None:
    sent, failed, exits = send(SenderGroup(1, 0.01, 0.002, rate), [MESSAGES])
    expected_failed = {m.id for m in MESSAGES if m.fail_draw < rate}
    assert {r.message_id for r in flat(failed)} == expected_failed
    assert {r.message_id for r in flat(sent)} == \
        {m.id for m in MESSAGES} - expected_failed
    assert all(r.group == 2 for r in flat(sent) + flat(failed))
    assert exits == [SenderExit("sender-1", None)]
    if rate == 0.3:
        assert 30 < len(expected_failed) < 90


def test_waits_the_drawn_duration_and_measures_it() -> None:
    fake = FakeTime()
    sent, _, _ = send(SenderGroup(1, 0.01, 0.002, 0.0), [MESSAGES[:50]],
                      fake)
    targets = [0.008 + 0.004 * m.delay_draw for m in MESSAGES[:50]]
    assert fake.waits == pytest.approx(targets, abs=1e-12)
    assert [r.seconds for r in flat(sent)] == pytest.approx(targets)
    assert min(targets) >= 0.008 and max(targets) <= 0.012


def test_zero_mean_never_waits() -> None:
    fake = FakeTime()
    sent, failed, _ = send(SenderGroup(1, 0.0, 0.0, 0.5), [MESSAGES], fake)
    assert fake.waits == []
    assert len(flat(sent)) + len(flat(failed)) == len(MESSAGES)


class LateWake(FakeTime):
    """Every wait wakes ``late_s`` after the time it asked for."""

    def __init__(self, late_s: float) -> None:
        super().__init__()
        self.late_s = late_s

    def wait(self, seconds: float) -> bool:
        super().wait(seconds)
        self.advance(self.late_s)
        return False


def test_learns_the_mean_wake_up_lag_and_corrects_for_it() -> None:
    fake = LateWake(0.0002)
    sent, _, _ = send(SenderGroup(1, 0.01, 0.0, 0.0), [MESSAGES], fake)
    seconds = [r.seconds for r in flat(sent)]
    assert seconds[0] == pytest.approx(0.0102)  # nothing learnt yet
    # As the running mean settles, sends take what they should.
    assert seconds[-1] == pytest.approx(0.01, abs=2e-5)
    assert fake.waits[-1] == pytest.approx(0.0098, abs=2e-5)


def test_correction_never_takes_more_than_its_share_of_a_wait() -> None:
    fake = LateWake(0.05)  # a pathological scheduler
    send(SenderGroup(1, 0.002, 0.0, 0.0), [MESSAGES], fake)
    assert min(fake.waits) >= 0.002 * (1 - MAX_CORRECTION) - 1e-12
    assert min(fake.waits) < 0.002  # it did correct


def test_a_lag_spike_moves_the_estimate_only_a_little() -> None:
    lag = WakeLag()
    for _ in range(600):
        lag.add(0.0001, 0.01)
    assert lag.mean_s == pytest.approx(0.0001, rel=0.01)
    lag.add(0.5, 0.01)  # counted as at most 10% of the wait
    assert lag.mean_s < 0.0001 + 0.001 * WakeLag.WEIGHT + 1e-9
    assert lag.correction(0.0005) == pytest.approx(0.00005)


def test_senders_of_a_group_learn_the_lag_together() -> None:
    fake = LateWake(0.0002)
    lag = WakeLag()
    for batch in (MESSAGES[:100], MESSAGES[100:]):
        q = Queues()
        run_sender("s", 0, SenderGroup(1, 0.01, 0.0, 0.0), queued([batch]),
                   q.sent, q.failed, q.exits, threading.Event(),
                   clock=fake.clock, wait=fake.wait, lag=lag)
    # The second sender started from what the first had learnt (a fresh
    # estimate would ask for the full 0.01 s).
    assert fake.waits[100] < 0.0099
    assert fake.waits[-1] == pytest.approx(0.0098, abs=2e-5)


def test_stop_during_a_wait_leaves_that_message_unsent() -> None:
    stop = threading.Event()
    calls = 0

    def wait(seconds: float) -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:
            stop.set()
        return stop.is_set()

    q = Queues()
    run_sender("s", 0, SenderGroup(1, 0.01, 0.0, 0.0),
               queued([MESSAGES[:5]]), q.sent, q.failed, q.exits, stop,
               wait=wait)
    assert [r.message_id for r in flat(drained(q.sent))] == [0, 1]
    assert drained(q.exits) == [SenderExit("s", None)]
    assert drained(q.failed) == []


def test_a_batch_taken_after_stop_is_not_sent() -> None:
    stop = threading.Event()
    stop.set()
    sent, failed, exits = send(SenderGroup(1, 0.0, 0.0, 0.0), [MESSAGES],
                               stop=stop)
    assert sent == [] and failed == []
    assert exits == [SenderExit("sender-1", None)]


def test_results_are_queued_once_per_batch() -> None:
    sent, failed, _ = send(SenderGroup(1, 0.0, 0.0, 0.5),
                           [MESSAGES[:100], MESSAGES[100:]])
    assert len(sent) == 2 and len(failed) == 2


def test_a_fault_fails_the_message_in_hand_and_retires_the_sender() -> None:
    fake = FakeTime()
    calls = 0

    def faulty_wait(seconds: float) -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ValueError("injected fault")
        return fake.wait(seconds)

    q = Queues()
    run_sender("sender-7", 0, SenderGroup(1, 0.01, 0.0, 0.0),
               queued([MESSAGES[:2], MESSAGES[2:4], MESSAGES[4:6]]),
               q.sent, q.failed, q.exits, threading.Event(),
               clock=fake.clock, wait=faulty_wait)
    assert [r.message_id for r in flat(drained(q.sent))] == [0, 1]
    assert [r.message_id for r in flat(drained(q.failed))] == [2]
    [exit_marker] = drained(q.exits)
    assert exit_marker.name == "sender-7"
    assert exit_marker.fault is not None
    assert "ValueError: injected fault" in exit_marker.fault


def test_waits_for_an_empty_inbox_until_stopped() -> None:
    inbox: Inbox = queue.Queue()
    stop = threading.Event()
    q = Queues()
    sender = threading.Thread(target=run_sender, args=(
        "s", 0, SenderGroup(1, 0.0, 0.0, 0.0), inbox, q.sent, q.failed,
        q.exits, stop), kwargs={"poll_s": 0.01})
    sender.start()
    stop.set()
    sender.join(timeout=5)
    assert not sender.is_alive()
    assert drained(q.exits) == [SenderExit("s", None)]
