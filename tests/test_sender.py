"""The sender loop, driven by made-up time: every test is exact."""
from __future__ import annotations

import dataclasses
import queue
import random
import threading
from collections import Counter

import pytest

from sms_sim.channels import (EXPIRED, FAILED, RETRY, SENT, Channels, Result,
                              SenderExit, Work)
from sms_sim.clock import Pacing, SimClock, Wait
from sms_sim.config import Backoff, Gateway, SenderGroup
from sms_sim.fleet import Fleet
from sms_sim.message import Message, generate_messages, retry_jitter
from sms_sim.sender import Rules, Sender
from tests.helpers import (FakeTime, VirtualTime, attempt_draws, drained,
                           results)

MESSAGES = generate_messages(random.Random(11), 0, 200)


def channels_with(*works: Work) -> Channels:
    """Channels whose inbox holds ``works`` and then the finish."""
    channels = Channels.create(len(works) + 1, threading.Event())
    for work in works:
        channels.inbox.put(work)
    channels.inbox.put(None)
    return channels


def fresh(messages: list[Message]) -> Work:
    return Work(list(messages), [])


def sender(channels: Channels, group: SenderGroup, clock: SimClock,
           wait: Wait, slack_s: float = 0.0,
           gateway: Gateway | None = None,
           fleet: Fleet | None = None) -> Sender:
    """A thread for ``fleet``, by default one sender of ``group``."""
    fleet = fleet or Fleet((group,))
    return Sender("sender-1", fleet, channels, Pacing(clock, wait, slack_s),
                  Rules.of(gateway or Gateway()))


def run_one(group: SenderGroup, *works: Work, fake: FakeTime | None = None,
            speed: float = 1.0, slack_s: float = 0.0,
            gateway: Gateway | None = None
            ) -> tuple[list[Result], SenderExit, Channels, Sender]:
    """Run one sender over ``works`` in this thread, on made-up time."""
    fake = fake or FakeTime()
    channels = channels_with(*works)
    clock = SimClock.started(speed, fake.clock)
    one = sender(channels, group, clock, fake.wait, slack_s, gateway)
    one.run()
    (notice,) = [n for n in drained(channels.notices) if n is not None]
    return results(channels), notice, channels, one


def test_results_carry_exact_simulated_times() -> None:
    group = SenderGroup(1, 0.01, 0.002, 0.3)
    done, notice, _, one = run_one(group, fresh(MESSAGES[:50]))
    clock = 0.0
    by_id = {r.message.id: r for r in done}
    for message in MESSAGES[:50]:
        delay, fail = attempt_draws(message.seed, 1)
        clock += 0.008 + 0.004 * delay
        result = by_id[message.id]
        assert result.send_s == pytest.approx(0.008 + 0.004 * delay)
        assert result.done_at_s == pytest.approx(clock)
        assert result.outcome == (FAILED if fail < 0.3 else SENT)
        assert (result.group, result.sender, result.attempts) == (0, 1, 1)
    assert notice == SenderExit("sender-1", None)
    assert one.lag_s == pytest.approx(0.0, abs=1e-9)  # never behind


def test_waits_until_real_time_reaches_each_result() -> None:
    fake = FakeTime()
    run_one(SenderGroup(1, 0.01, 0.0, 0.0), fresh(MESSAGES[:20]), fake=fake)
    assert fake.waits == pytest.approx([0.01] * 20)


def test_speed_scales_the_waits() -> None:
    fake = FakeTime()
    done, *_ = run_one(SenderGroup(1, 0.5, 0.0, 0.0), fresh(MESSAGES[:10]),
                       fake=fake, speed=100)
    assert fake.waits == pytest.approx([0.005] * 10)
    assert done[-1].done_at_s == pytest.approx(5.0)  # simulated, unscaled


def test_the_slack_releases_several_results_per_wake_up() -> None:
    fake = FakeTime()
    done, *_ = run_one(SenderGroup(1, 0.01, 0.0, 0.0), fresh(MESSAGES[:60]),
                       fake=fake, slack_s=0.05)
    # Wake at 0.01, then release up to 0.06 at once: 6 results a wake-up.
    assert len(fake.waits) == 10
    assert [r.done_at_s for r in done] == pytest.approx(
        [0.01 * (i + 1) for i in range(60)])


def test_a_late_starting_sender_catches_up_without_waiting() -> None:
    fake = FakeTime()
    fake.advance(1.0)  # its thread starts a second into the run
    clock = SimClock(fake.clock() - 1.0, 1.0, fake.clock)
    channels = channels_with(fresh(MESSAGES[:15]))
    one = sender(channels, SenderGroup(1, 0.1, 0.0, 0.0), clock, fake.wait)
    one.run()
    done = results(channels)
    # The first ten were due by now: out at once, and its clock is exact.
    assert fake.waits == pytest.approx([0.1] * 5)
    assert [r.done_at_s for r in done] == pytest.approx(
        [0.1 * (i + 1) for i in range(15)])
    assert one.lag_s == pytest.approx(0.9)  # the first, 0.9 s late


def test_results_are_posted_before_each_take_not_held() -> None:
    # Zero delay: no result ever waits, so only the takes post them.
    fake = FakeTime()
    channels = channels_with(fresh(MESSAGES[:3]), fresh(MESSAGES[3:5]))
    one = sender(channels, SenderGroup(1, 0.0, 0.0, 0.0),
                 SimClock.started(1.0, fake.clock), fake.wait)
    one.run()
    assert [[r.message.id for r in batch]
            for batch in drained(channels.sent)] == [[0, 1, 2], [3, 4]]


def test_lag_is_how_late_results_come_out() -> None:
    class LateWake(FakeTime):
        def wait(self, seconds: float) -> bool:
            self.advance(0.002)  # every wake-up is 2 ms late
            return super().wait(seconds)

    *_, one = run_one(SenderGroup(1, 0.01, 0.0, 0.0), fresh(MESSAGES[:30]),
                      fake=LateWake(), speed=2.0)
    assert one.lag_s == pytest.approx(0.004)  # in simulated seconds


def test_an_idle_sender_starts_when_work_is_ready_a_busy_one_later() -> None:
    message = MESSAGES[0]
    retry = (5.0, message, 2, 0.01)
    idle, *_ = run_one(SenderGroup(1, 0.01, 0.0, 0.0), Work([], [retry]))
    assert idle[0].done_at_s == pytest.approx(5.01)
    assert idle[0].spent_s == pytest.approx(0.02)
    # Busy until 7.0 with 700 sends of its own, it starts the retry then.
    busy, *_ = run_one(SenderGroup(1, 0.01, 0.0, 0.0),
                       fresh(generate_messages(random.Random(1), 1, 700)),
                       Work([], [retry]))
    assert busy[-1].message == message
    assert busy[-1].done_at_s == pytest.approx(7.01)


def test_stop_during_a_wait_leaves_that_message_unsent() -> None:
    stop_at = 5

    class Stopping(FakeTime):
        def wait(self, seconds: float) -> bool:
            super().wait(seconds)
            return len(self.waits) == stop_at

    done, notice, channels, _ = run_one(
        SenderGroup(1, 0.01, 0.0, 0.0), fresh(MESSAGES[:20]),
        fake=Stopping())
    assert [r.message.id for r in done] == [m.id for m in MESSAGES[:4]]
    assert notice.fault is None
    assert drained(channels.inbox) == [None, None]  # the finish passed on


def test_work_taken_after_stop_stays_unsent() -> None:
    channels = channels_with(fresh(MESSAGES[:5]))
    channels.stop.set()
    fake = FakeTime()
    sender(channels, SenderGroup(1, 0.01, 0.0, 0.0),
           SimClock.started(1.0, fake.clock), fake.wait).run()
    assert results(channels) == []


def test_a_fault_stops_the_run_and_is_reported() -> None:
    def broken(seconds: float) -> bool:
        raise RuntimeError("injected")

    fake = FakeTime()
    channels = channels_with(fresh(MESSAGES[:5]))
    sender(channels, SenderGroup(1, 0.01, 0.0, 0.0),
           SimClock.started(1.0, fake.clock), broken).run()
    (notice,) = [n for n in drained(channels.notices) if n is not None]
    assert notice.fault is not None and "RuntimeError: injected" in \
        notice.fault
    assert channels.stop.is_set()


def failing_message() -> Message:
    """A message whose first attempt fails at any failure rate > 0.1."""
    return next(m for m in MESSAGES if attempt_draws(m.seed, 1)[1] < 0.1)


def test_a_failed_attempt_with_retries_left_goes_back_to_the_producer(
        ) -> None:
    message = failing_message()
    gateway = Gateway(retries=2, backoff=Backoff(4.0, 60.0))
    done, _, channels, _ = run_one(SenderGroup(1, 0.01, 0.0, 0.5),
                                   fresh([message]), gateway=gateway)
    (result,) = done
    assert (result.outcome, result.attempts) == (RETRY, 1)
    (returned,) = drained(channels.retries)
    assert returned is not None
    ((ready_at_s, retried, attempt, spent_s),) = returned
    assert retried == message
    assert attempt == 2 and spent_s == pytest.approx(0.01)
    # In the first backoff window, where its own fail draw puts it.
    jitter = retry_jitter(message.seed, 1, attempt_draws(message.seed, 1)[1],
                          0.5, 0.0)
    assert jitter is not None
    assert ready_at_s == pytest.approx(0.01 + jitter * 4.0)


@pytest.mark.parametrize("gateway, outcome", [
    (Gateway(retries=0), FAILED),  # out of attempts
    (Gateway(retries=3, permanent=1.0), FAILED),  # failed for good
    (Gateway(retries=3, backoff=Backoff(100.0, 100.0), deadline_s=1.0),
     EXPIRED),  # its retry would fall after the deadline
])
def test_a_failed_attempt_without_a_future_ends_the_message(
        gateway: Gateway, outcome: str) -> None:
    message = failing_message()
    if gateway.deadline_s:  # the backoff draw must land past the deadline
        fail = attempt_draws(message.seed, 1)[1]
        jitter = retry_jitter(message.seed, 1, fail, 0.5, 0.0)
        assert jitter is not None and jitter * 100 > 1.0
    done, _, channels, _ = run_one(SenderGroup(1, 0.01, 0.0, 0.5),
                                   fresh([message]), gateway=gateway)
    assert [(r.outcome, r.attempts) for r in done] == [(outcome, 1)]
    assert drained(channels.retries) == []


def test_no_attempt_starts_after_the_deadline() -> None:
    done, *_ = run_one(SenderGroup(1, 0.1, 0.0, 0.0), fresh(MESSAGES[:30]),
                       gateway=Gateway(deadline_s=1.0))
    sent = [r for r in done if r.outcome == SENT]
    expired = [r for r in done if r.outcome == EXPIRED]
    # Starts at 0.0 .. 1.0 (eleven of them: the last starts on the dot).
    assert len(sent) == 11 and sent[-1].done_at_s == pytest.approx(1.1)
    assert len(expired) == 19
    assert all(r.send_s is None and r.attempts == 0 and r.done_at_s == 1.0
               for r in expired)


def test_a_per_sender_cap_spaces_the_starts() -> None:
    done, *_ = run_one(SenderGroup(1, 0.01, 0.0, 0.0, tps=2.0),
                       fresh(MESSAGES[:5]))
    assert [r.done_at_s for r in done] == pytest.approx(
        [0.01, 0.51, 1.01, 1.51, 2.01])
    assert all(r.send_s == pytest.approx(0.01) for r in done)


def test_a_shared_cap_holds_over_all_senders() -> None:
    gateway = Gateway(max_rate=10.0)
    rules = Rules.of(gateway)
    fake = FakeTime()
    channels = channels_with(fresh(MESSAGES[:10]), fresh(MESSAGES[10:20]))
    clock = SimClock.started(1.0, fake.clock)
    fleet = Fleet((SenderGroup(2, 0.01, 0.0, 0.0),))
    for name in ("sender-1", "sender-2"):  # one after the other
        Sender(name, fleet, channels, Pacing(clock, fake.wait), rules).run()
    starts = sorted(r.done_at_s - 0.01 for r in results(channels))
    assert starts == pytest.approx([0.1 * i for i in range(20)])


def test_a_fleet_on_one_clock_follows_the_greedy_schedule() -> None:
    """1000 sends of 0.1 s over 7 senders end at 143 x 0.1 s, however the
    threads are scheduled."""
    total, senders, send_s = 1000, 7, 0.1
    time = VirtualTime(senders)
    messages = generate_messages(random.Random(5), 0, total)
    channels = channels_with(*(fresh([m]) for m in messages))
    clock = SimClock(0.0, 1.0, time.clock)
    group = SenderGroup(senders, send_s, 0.0, 0.0)
    shared = Fleet((group,))
    fleet = [sender(channels, group, clock, time.wait, fleet=shared)
             for _ in range(senders)]

    def life(one: Sender) -> None:
        try:
            one.run()
        finally:
            time.leave()

    threads = [threading.Thread(target=life, args=(one,)) for one in fleet]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    done = results(channels)
    assert len(done) == total
    assert max(r.done_at_s for r in done) == pytest.approx(143 * send_s)
    per_sender = Counter(r.sender for r in done)
    assert sorted(per_sender) == list(range(1, senders + 1))
    assert max(per_sender.values()) == 143


def test_one_thread_sends_for_every_sender_not_yet_running() -> None:
    """Three senders exist from the first instant; a lone thread sends for
    each in turn, so the schedule is theirs, not the thread's."""
    fake = FakeTime()
    channels = channels_with(fresh(MESSAGES[:7]))
    group = SenderGroup(3, 0.1, 0.0, 0.0)
    one = sender(channels, group, SimClock.started(1.0, fake.clock),
                 fake.wait)
    one.run()
    done = results(channels)
    assert [r.done_at_s for r in done] == pytest.approx(
        [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.3])
    assert [r.sender for r in done] == [1, 2, 3, 1, 2, 3, 1]


def fleet_results(groups: tuple[SenderGroup, ...],
                  messages: list[Message]) -> list[Result]:
    """The results of one thread sending ``messages`` for a fleet of
    ``groups``, in made-up time, by message id."""
    fake = FakeTime()
    channels = channels_with(fresh(messages))
    sender(channels, SenderGroup(1, 1.0, 0.0, 0.0),
           SimClock.started(1.0, fake.clock), fake.wait,
           fleet=Fleet(groups)).run()
    return sorted(results(channels), key=lambda r: r.message.id)


def test_a_message_goes_to_the_sender_free_first_in_any_group() -> None:
    """One thread, two groups: a fast sender (0.1 s) and a slow one
    (0.25 s).  Each message goes to whichever is free first, so the fast
    one sends more, whichever group the thread came from."""
    done = fleet_results((SenderGroup(1, 0.25, 0.0, 0.0),
                          SenderGroup(1, 0.1, 0.0, 0.5)), MESSAGES[:6])
    # Free at 0: sender 1 (index 1 first), then 2; then 2 at 0.1 and 0.2,
    # 1 at 0.25, 2 at 0.3 and 0.4.
    assert [(r.sender, r.group) for r in done] == [
        (1, 0), (2, 1), (2, 1), (2, 1), (1, 0), (2, 1)]
    assert [r.done_at_s for r in done] == pytest.approx(
        [0.25, 0.1, 0.2, 0.3, 0.5, 0.4])
    assert [r.send_s for r in done] == pytest.approx(
        [0.25, 0.1, 0.1, 0.1, 0.25, 0.1])


def test_zero_time_sends_go_round_the_whole_fleet() -> None:
    """Senders free at the same moment take turns, the one free longest
    first: otherwise sender 1 would make every zero-time send, and the
    first group's failure rate would be the run's."""
    done = fleet_results((SenderGroup(2, 0.0, 0.0, 0.0),
                          SenderGroup(1, 0.0, 0.0, 1.0)), MESSAGES[:9])
    assert [r.sender for r in done] == [1, 2, 3] * 3
    assert [r.outcome for r in done] == [SENT, SENT, FAILED] * 3


class Monitoring(threading.Event):
    """A stop signal whose wait does what the monitor would meanwhile:
    take the result lists off ``sent``, or, if ``stops``, stop the run."""

    def __init__(self, sent: queue.SimpleQueue[list[Result]],
                 stops: bool) -> None:
        super().__init__()
        self._sent = sent
        self._stops = stops
        self.waits = 0
        self.taken: list[Result] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits += 1
        if self._stops:
            self.set()
        else:
            self.taken += [r for batch in drained(self._sent) for r in batch]
        return self.is_set()


@pytest.mark.parametrize("stops", [False, True])
def test_a_sender_waits_for_the_monitor_to_take_results(stops: bool) -> None:
    channels = Channels.create(2, threading.Event(), pending_batches=1)
    stop = Monitoring(channels.sent, stops)
    channels = dataclasses.replace(channels, stop=stop)
    channels.inbox.put(fresh(MESSAGES[:3]))
    channels.inbox.put(None)
    channels.sent.put([])
    channels.sent.put([])  # over the limit of one
    fake = FakeTime()
    sender(channels, SenderGroup(1, 0.01, 0.0, 0.0),
           SimClock.started(1.0, fake.clock), fake.wait).run()
    # It waited: until the monitor took the lists, or the run stopped,
    # when what it held is posted all the same.
    assert stop.waits >= 1
    posted = stop.taken + [r for batch in drained(channels.sent)
                           for r in batch]
    assert [r.message.id for r in posted] == [m.id for m in MESSAGES[:3]]
