"""The sender thread: carries out decisions in made-up time, exactly."""
from __future__ import annotations

import math
import random
import threading
from collections.abc import Sequence

import pytest

from sms_sim.model.config import SenderGroup
from sms_sim.model.gateway import Gateway
from sms_sim.model.message import Message, generate_messages
from sms_sim.model.result import FAILED, RETRY, SENT, Result
from sms_sim.model.schedule import Schedule
from sms_sim.run.channels import Channels, SenderExit, Stop
from sms_sim.run.clock import Pacing, SimClock, Wait
from sms_sim.run.sender import Sender
from sms_sim.run.tuning import Tuning
from tests.helpers import FakeTime, drained, results

MESSAGES = generate_messages(random.Random(11), 0, 200)


class Rig:
    """One sender thread over a schedule of ``messages``, run in the test's
    own thread, on made-up time."""

    def __init__(self, messages: Sequence[Message], group: SenderGroup,
                 speed: float = 1.0, slack_s: float = 0.0,
                 fake: FakeTime | None = None, wait: Wait | None = None,
                 batch: int = 1, in_flight: int = 1 << 30,
                 stop: Stop | None = None,
                 gateway: Gateway = Gateway()) -> None:
        self.fake = fake or FakeTime()
        self.channels = Channels.create(4, stop or threading.Event(),
                                        in_flight)
        chunks: list[list[Message] | None] = [list(messages), None]
        self.schedule = Schedule((group,), gateway, lambda: chunks.pop(0))
        self.clock = SimClock.started(speed, self.fake.clock)
        self.sender = Sender(
            "sender-1", self.schedule, self.channels,
            Pacing(self.clock, wait or self.fake.wait, slack_s),
            Tuning(batch=batch, inbox_items=4,
                   in_flight=in_flight, slack_s=slack_s))

    def run(self) -> list[Result]:
        self.sender.run()
        return results(self.channels)

    def exits(self) -> list[SenderExit]:
        return [n for n in drained(self.channels.notices) if n is not None]


def test_results_come_out_when_real_time_reaches_their_end() -> None:
    rig = Rig(MESSAGES[:20], SenderGroup.uniform(1, 0.01, 0.0, 0.0))
    done = rig.run()
    assert rig.fake.waits == pytest.approx([0.01] * 20)
    assert [r.done_at_s for r in done] == pytest.approx(
        [0.01 * (i + 1) for i in range(20)])
    assert rig.exits() == [SenderExit("sender-1", None)]
    assert rig.sender.lag_s == pytest.approx(0.0, abs=1e-9)  # never behind


def test_speed_scales_the_waits_not_the_figures() -> None:
    rig = Rig(MESSAGES[:10], SenderGroup.uniform(1, 0.5, 0.0, 0.0), speed=100)
    done = rig.run()
    assert rig.fake.waits == pytest.approx([0.005] * 10)
    assert done[-1].done_at_s == pytest.approx(5.0)


def test_at_max_speed_nothing_waits() -> None:
    rig = Rig(MESSAGES[:50], SenderGroup.uniform(1, 0.5, 0.0, 0.3),
              speed=math.inf,
              batch=7)
    done = rig.run()
    assert rig.fake.waits == []
    assert len(done) == 50 and rig.sender.lag_s == 0.0
    assert max(r.done_at_s for r in done) == pytest.approx(25.0)


def test_the_slack_releases_several_results_per_wake_up() -> None:
    rig = Rig(MESSAGES[:60], SenderGroup.uniform(1, 0.01, 0.0, 0.0),
              slack_s=0.05)
    done = rig.run()
    # Wake at 0.01, then release up to 0.06 at once: 6 results a wake-up.
    assert len(rig.fake.waits) == 10
    assert [r.done_at_s for r in done] == pytest.approx(
        [0.01 * (i + 1) for i in range(60)])


def test_a_take_of_several_decisions_comes_out_in_order_of_end() -> None:
    """Three senders, sends of 0.1 to 0.3 s, decided three at a time: the
    results of a take come out as each falls due, the earliest first, and
    real time ends with the blast."""
    rig = Rig(MESSAGES[:30], SenderGroup.uniform(3, 0.2, 0.1, 0.0), batch=3)
    ends = [r.done_at_s for r in rig.run()]
    assert len(ends) == 30
    for take in range(0, 30, 3):
        assert ends[take:take + 3] == sorted(ends[take:take + 3])
    assert sum(rig.fake.waits) == pytest.approx(max(ends))


def test_a_late_starting_thread_catches_up_without_waiting() -> None:
    fake = FakeTime()
    rig = Rig(MESSAGES[:15], SenderGroup.uniform(1, 0.1, 0.0, 0.0), fake=fake)
    fake.advance(1.0)  # the thread starts a second into the run
    done = rig.run()
    # The first ten were due by now: out at once, and the times exact.
    assert fake.waits == pytest.approx([0.1] * 5)
    assert [r.done_at_s for r in done] == pytest.approx(
        [0.1 * (i + 1) for i in range(15)])
    assert rig.sender.lag_s == pytest.approx(0.9)  # the first, 0.9 s late


def test_results_are_posted_before_each_wait_not_held() -> None:
    posted_before: list[int] = []

    class Watching(FakeTime):
        def wait(self, seconds: float) -> bool:
            posted_before.append(rig.channels.sent.qsize())
            return super().wait(seconds)

    rig = Rig(MESSAGES[:5], SenderGroup.uniform(1, 0.01, 0.0, 0.0),
              fake=Watching())
    rig.run()
    assert posted_before == [0, 1, 2, 3, 4]


def test_lag_is_how_late_results_come_out() -> None:
    class LateWake(FakeTime):
        def wait(self, seconds: float) -> bool:
            self.advance(0.002)  # every wake-up is 2 ms late
            return super().wait(seconds)

    rig = Rig(MESSAGES[:30], SenderGroup.uniform(1, 0.01, 0.0, 0.0), speed=2.0,
              fake=LateWake())
    rig.run()
    assert rig.sender.lag_s == pytest.approx(0.004)  # in simulated seconds


def test_a_stop_during_a_wait_leaves_what_is_not_yet_due_unsent() -> None:
    rig: Rig

    class Stopping(FakeTime):
        def wait(self, seconds: float) -> bool:
            super().wait(seconds)
            if len(self.waits) == 5:
                rig.channels.stop.set()
            return rig.channels.stop.is_set()

    rig = Rig(MESSAGES[:20], SenderGroup.uniform(1, 0.01, 0.0, 0.0),
              fake=Stopping())
    done = rig.run()
    assert [r.message.id for r in done] == [m.id for m in MESSAGES[:4]]
    assert rig.exits() == [SenderExit("sender-1", None)]


@pytest.mark.parametrize("complete", [True, False])
def test_a_stop_after_every_outcome_is_known_loses_no_attempt(
        complete: bool) -> None:
    """A busy machine can let one sender post a message's last attempt
    before another posts the attempt it failed first: the monitor then
    has every outcome and stops the run while that attempt waits to come
    out.  It was decided all the same, and is posted; after an interrupt
    (the run not complete), what is not yet due stays unsent."""
    rig: Rig

    class LateAndStopped(FakeTime):
        def wait(self, seconds: float) -> bool:
            super().wait(seconds)
            if complete:
                rig.channels.complete.set()
            rig.channels.stop.set()
            return True  # stopped

    rig = Rig(MESSAGES[:1], SenderGroup.uniform(1, 0.01, 0.0, 1.0),
              fake=LateAndStopped(), batch=2, gateway=Gateway(retries=1))
    done = rig.run()
    assert [(r.attempts, r.outcome) for r in done] == (
        [(1, RETRY), (2, FAILED)] if complete else [])
    assert rig.exits() == [SenderExit("sender-1", None)]


def test_nothing_is_decided_after_stop() -> None:
    stop = threading.Event()
    stop.set()
    rig = Rig(MESSAGES[:5], SenderGroup.uniform(1, 0.01, 0.0, 0.0), stop=stop)
    assert rig.run() == []
    assert rig.schedule.decide(10) is not None  # all still in line


def test_a_fault_stops_the_run_and_is_reported() -> None:
    def broken(seconds: float) -> bool:
        raise RuntimeError("injected")

    rig = Rig(MESSAGES[:5], SenderGroup.uniform(1, 0.01, 0.0, 0.0),
              wait=broken)
    rig.run()
    (notice,) = rig.exits()
    assert notice.fault is not None and "RuntimeError: injected" in \
        notice.fault
    assert rig.channels.stop.is_set()


def test_a_fault_in_the_last_flush_still_says_goodbye(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The flush after the loop, in ``finally``: a fault there must not
    swallow the sender's exit notice, or the run loses the fault."""
    def broken(self: Sender) -> None:
        raise MemoryError("injected")

    monkeypatch.setattr(Sender, "_flush", broken)
    rig = Rig(MESSAGES[:5], SenderGroup.uniform(1, 0.01, 0.0, 0.0))
    rig.run()  # returns: the fault does not escape the thread
    (notice,) = rig.exits()
    assert notice.fault is not None and "MemoryError: injected" in \
        notice.fault
    assert rig.channels.stop.is_set()


@pytest.mark.parametrize("failure_rate", [0.0, 1.0])
def test_a_sender_decides_no_more_than_the_room_in_flight(
        failure_rate: float) -> None:
    """A budget of five results in flight, batches of three: the sender
    reserves room before it decides, so that no more than five are ever
    decided and not yet taken; when there is none, it wakes the monitor
    (a thread here, that takes what is queued) and waits for room."""
    rig = Rig(MESSAGES[:12], SenderGroup.uniform(1, 0.0, 0.0, failure_rate),
              in_flight=5, batch=3)
    in_flight = rig.channels.in_flight
    taken: list[Result] = []
    seen: list[int] = []

    def monitor() -> None:
        while rig.channels.notices.get(timeout=10) is None:
            seen.append(in_flight.results)
            batch = results(rig.channels)
            taken.extend(batch)
            in_flight.taken(len(batch))

    thread = threading.Thread(target=monitor)
    thread.start()
    rig.sender.run()
    thread.join(10)
    taken += results(rig.channels)
    assert seen and max(seen) <= 5  # woken when full, never over it
    assert [r.message.id for r in taken] == [m.id for m in MESSAGES[:12]]
    assert {r.outcome for r in taken} == {SENT if failure_rate == 0.0
                                          else FAILED}


def test_a_sender_waiting_for_room_gives_up_on_close() -> None:
    """No room, and nobody takes any: the close that follows a stop lets
    the sender go, holding nothing."""
    stop = threading.Event()
    rig = Rig(MESSAGES[:3], SenderGroup.uniform(1, 0.0, 0.0, 1.0),
              in_flight=1, stop=stop)
    rig.channels.in_flight.taken(-1)  # full: one result never taken
    thread = threading.Thread(target=rig.sender.run)
    thread.start()
    assert rig.channels.notices.get(timeout=10) is None  # waits for room
    stop.set()
    rig.channels.in_flight.close()
    thread.join(10)
    assert not thread.is_alive()
    assert results(rig.channels) == []
