"""Whole runs in this process: real threads, made-up time."""
from __future__ import annotations

import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable

import pytest

from sms_sim import simulation
from sms_sim.channels import RETRY, Result
from sms_sim.clock import Wait
from sms_sim.config import Backoff, Gateway, SenderGroup, SimulationConfig
from sms_sim.message import Message, generate_messages
from sms_sim.producer import GENERATE_CHUNK
from sms_sim.simulation import Outcome
from sms_sim.stats import Snapshot
from sms_sim.stop import StopEvent
from tests.helpers import TIMEOUT_S, FakeTime, attempt_draws, config


class Recorder:
    """A sink that remembers every result, to check them one by one."""

    def __init__(self) -> None:
        self.results: list[Result] = []
        self._lock = threading.Lock()

    def __call__(self, batch: Iterable[Result]) -> None:
        with self._lock:
            self.results.extend(batch)

    def outcomes(self) -> Counter[int]:
        """How often each message id reached an outcome."""
        return Counter(r.message.id for r in self.results
                       if r.outcome != RETRY)


def run_bounded(cfg: SimulationConfig, stop: StopEvent | None = None,
                monotonic: Callable[[], float] | None = None,
                wait: Wait | None = None, sink: Recorder | None = None,
                on_progress: Callable[[Snapshot], None] | None = None,
                real: bool = False) -> Outcome:
    """Run in a helper thread so that a hang fails the test, not the suite.
    Made-up time unless ``real`` or told otherwise."""
    fake = FakeTime()
    if not real:
        monotonic = monotonic or fake.clock
        wait = wait or fake.wait
    outcome: list[Outcome] = []
    runner = threading.Thread(target=lambda: outcome.append(simulation.run(
        cfg, on_progress or (lambda snap: None), stop=stop,
        monotonic=monotonic or time.monotonic, wait=wait, sink=sink)),
        daemon=True)
    runner.start()
    runner.join(TIMEOUT_S)
    assert not runner.is_alive(), "the simulation did not finish"
    return outcome[0]


def seeded_messages(seed: int, total: int) -> list[Message]:
    """The messages a run seeded with ``seed`` produces."""
    rng = random.Random(seed)
    return [m for first in range(0, total, GENERATE_CHUNK)
            for m in generate_messages(rng, first,
                                       min(GENERATE_CHUNK, total - first))]


@pytest.mark.parametrize("mean", [0.0, 0.01])
def test_a_seeded_run_sends_everything_with_predictable_outcomes(
        mean: float) -> None:
    sink = Recorder()
    cfg = config(1000, SenderGroup(4, mean, mean / 2, 0.3), seed=42)
    snap = run_bounded(cfg, sink=sink).snapshot
    assert snap.final and snap.stopped is None
    assert (snap.processed, snap.unsent) == (1000, 0)
    assert sink.outcomes() == Counter(range(1000))  # each exactly once
    messages = seeded_messages(42, 1000)
    draws = [attempt_draws(m.seed, 1) for m in messages]
    assert snap.failed == sum(fail < 0.3 for _, fail in draws)
    expected = [mean / 2 + mean * delay for delay, _ in draws]
    assert snap.avg_send_s == pytest.approx(sum(expected) / 1000)
    assert snap.min_s == pytest.approx(min(expected))
    assert snap.max_s == pytest.approx(max(expected))


def test_groups_keep_their_own_settings() -> None:
    fake = FakeTime()
    # Made-up sends are instant, so hold each sender's first send until
    # all four run; otherwise the first started could take every message.
    everyone = threading.Barrier(4)
    started = threading.local()

    def wait(seconds: float) -> bool:
        sender = threading.current_thread().name.startswith("sender")
        if sender and not getattr(started, "yes", False):
            started.yes = True
            everyone.wait(TIMEOUT_S)
        return fake.wait(seconds)

    cfg = config(600, SenderGroup(2, 0.001, 0.0, 0.0),
                 SenderGroup(2, 0.002, 0.0, 1.0))
    snap = run_bounded(cfg, monotonic=fake.clock, wait=wait).snapshot
    first, second = snap.groups
    assert first.failed == 0 and second.sent == 0
    assert first.attempts + second.attempts == 600
    assert first.avg_send_s == pytest.approx(0.001)
    assert second.avg_send_s == pytest.approx(0.002)


def test_retries_follow_each_messages_own_draws() -> None:
    """On the real clock, 1000 times as fast: which thread takes which
    attempt, and when, varies from run to run; the outcomes do not."""
    gateway = Gateway(retries=3, backoff=Backoff(0.001, 0.01))
    cfg = config(2000, SenderGroup(4, 0.001, 0.0, 0.5), seed=7,
                 speed=1000, gateway=gateway)
    first = run_bounded(cfg, real=True).snapshot
    again = run_bounded(cfg, real=True).snapshot
    assert (first.sent, first.failed, first.attempts) == \
        (again.sent, again.failed, again.attempts)
    # Each attempt fails half the time: about 1000 / 500 / 250 / 250.
    by_attempts = dict(first.attempts)
    assert set(by_attempts) == {1, 2, 3, 4}
    assert 900 < by_attempts[1] < 1100 and 180 < by_attempts[4] < 320
    assert first.failed == sum(  # the fourth attempt failed too
        attempt_draws(m.seed, 4)[1] < 0.5 for m in seeded_messages(7, 2000)
        if all(attempt_draws(m.seed, a)[1] < 0.5 for a in (1, 2, 3)))
    assert first.retries == sum((n - 1) * c for n, c in first.attempts)
    assert first.retrying == 0


def test_a_due_retry_waits_behind_little_queued_work() -> None:
    """One sender at 10 ms, 100 times as fast: a retry starts within its
    backoff plus a few sends, not behind a full inbox of fresh messages
    (1024 sends of 10 ms, as it once did)."""
    gateway = Gateway(retries=1, backoff=Backoff(0.01, 0.01))
    cfg = config(300, SenderGroup(1, 0.01, 0.0, 0.3), speed=100,
                 gateway=gateway)
    sink = Recorder()
    run_bounded(cfg, sink=sink, real=True)
    failed_at = {r.message.id: r.done_at_s for r in sink.results
                 if r.outcome == RETRY}
    gaps = [r.done_at_s - r.send_s - failed_at[r.message.id]
            for r in sink.results if r.attempts == 2 and r.send_s]
    assert len(gaps) > 50
    # The backoff, the send in progress, and at most two queued.
    assert max(gaps) <= 0.01 + 3 * 0.01 + 1e-9


def test_zero_messages() -> None:
    snap = run_bounded(config(0)).snapshot
    assert snap.processed == 0 and snap.unsent == 0 and snap.final


class Interrupter:
    """A wait and a clock that set ``stop`` at the ``at``-th call of either,
    so the interrupt lands at a chosen point of the run.  Real time, as the
    producer waits for retries in real time."""

    def __init__(self, stop: threading.Event, at: int) -> None:
        self.stop = stop
        self.at = at
        self.calls = 0
        self.lock = threading.Lock()

    def _tick(self) -> None:
        with self.lock:
            self.calls += 1
            if self.calls == self.at:
                self.stop.set()

    def clock(self) -> float:
        self._tick()
        return time.monotonic()

    def wait(self, seconds: float) -> bool:
        self._tick()
        return self.stop.wait(seconds)


def test_nothing_is_lost_or_counted_twice_whenever_the_run_is_stopped(
        ) -> None:
    rng = random.Random(2024)
    stopped = 0
    for _ in range(40):
        groups = tuple(
            SenderGroup(rng.randint(1, 6), mean, mean * rng.random(),
                        rng.random())
            for mean in (rng.choice([0.0, 0.001, 0.01])
                         for _ in range(rng.randint(1, 3))))
        gateway = Gateway(retries=rng.choice([0, 0, 2]),
                          backoff=Backoff(0.001, 0.004),
                          deadline_s=rng.choice([None, 0.5]))
        total = rng.randint(0, 3000)
        stop = StopEvent()
        timing = Interrupter(stop, rng.randint(1, total // 16 + 10))
        cfg = SimulationConfig(total, groups, 1.0, rng.randrange(1000),
                               speed=1000, gateway=gateway)
        sink = Recorder()
        snap = run_bounded(cfg, stop=stop, monotonic=timing.clock,
                           wait=timing.wait, sink=sink, real=True).snapshot
        assert snap.sent + snap.failed + snap.expired + snap.unsent == total
        outcomes = sink.outcomes()
        assert sum(outcomes.values()) == snap.processed
        assert set(outcomes.values()) <= {1}
        assert all(0 <= i < total for i in outcomes)
        assert 0 <= snap.retrying <= snap.unsent
        assert (snap.stopped == "interrupt") == (snap.unsent > 0)
        stopped += snap.unsent > 0
    assert 10 < stopped < 40  # stopped early, late, and not at all


def test_a_faulty_sender_stops_the_run_with_everything_accounted_for(
        ) -> None:
    fake = FakeTime()
    calls = 0
    lock = threading.Lock()

    def wait(seconds: float) -> bool:
        nonlocal calls
        with lock:
            calls += 1
            if calls == 10:
                raise RuntimeError("injected")
        return fake.wait(seconds)

    cfg = config(200, SenderGroup(3, 0.01, 0.0, 0.0))
    outcome = run_bounded(cfg, monotonic=fake.clock, wait=wait)
    snap = outcome.snapshot
    assert snap.stopped == "fault" and not snap.interrupted
    assert snap.sent + snap.unsent == 200 and snap.unsent > 0
    assert len(outcome.faults) == 1
    assert "RuntimeError: injected" in outcome.faults[0]


def test_a_producer_fault_stops_the_run_without_hanging(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise OSError("no entropy")

    monkeypatch.setattr("sms_sim.producer.generate_messages", broken)
    outcome = run_bounded(config(100))
    assert outcome.snapshot.unsent == 100
    assert outcome.snapshot.stopped == "fault"
    assert "producer stopped after an error" in outcome.faults[0]
    assert "OSError: no entropy" in outcome.faults[0]


def test_progress_is_reported_from_the_start() -> None:
    reports: list[Snapshot] = []
    cfg = config(20, SenderGroup(2, 0.01, 0.0, 0.0))
    outcome = run_bounded(cfg, on_progress=reports.append)
    assert outcome.snapshot.sent == 20
    assert reports and reports[0].processed == 0


def test_an_interrupt_while_senders_start_stops_the_starting() -> None:
    stop = StopEvent()
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        started.append(thread)
        if thread.name == "sender-3":
            stop.set()  # as a Ctrl-C arriving here would
        real_start(thread)

    cfg = config(100, SenderGroup(50, 10.0, 0.0, 0.0))  # none ends
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(threading.Thread, "start", start)
        snap = run_bounded(cfg, stop=stop, real=True).snapshot
    assert [t.name for t in started if t.name.startswith("sender")] == \
        ["sender-1", "sender-2", "sender-3"]
    assert snap.stopped == "interrupt"
    assert (snap.processed, snap.unsent) == (0, 100)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"),
                    reason="needs POSIX threads' signals")
def test_a_signal_another_thread_takes_is_handled_during_the_run() -> None:
    # The kernel may hand a process's signal to any thread; its Python
    # handler runs in the main thread, which must not sit in a join.
    stop = StopEvent()
    waits: list[float] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        if len(waits) == 2:  # a send in: the main thread is joining
            signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)
        return stop.wait(seconds)

    previous = signal.signal(signal.SIGUSR1, lambda *_: stop.set())
    try:
        # Without the handler the run ends complete, after 3 x 0.3 s.
        snap = simulation.run(config(3, SenderGroup(1, 0.3, 0.0, 0.0)),
                              lambda snap: None, stop=stop, wait=wait
                              ).snapshot
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert len(waits) >= 2
    assert snap.stopped == "interrupt"
    assert (snap.processed, snap.unsent) == (1, 2)


def test_the_lag_of_late_wake_ups_is_reported_in_real_seconds() -> None:
    class LateWake(FakeTime):
        def wait(self, seconds: float) -> bool:
            self.advance(0.002)  # every wake-up is 2 ms late
            return super().wait(seconds)

    fake = LateWake()
    cfg = config(50, SenderGroup(1, 0.5, 0.0, 0.0), speed=100)
    snap = run_bounded(cfg, monotonic=fake.clock, wait=fake.wait).snapshot
    assert snap.sent == 50
    assert snap.max_lag_s == pytest.approx(0.002)
