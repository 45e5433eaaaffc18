"""Whole runs in this process: real threads, made-up time."""
from __future__ import annotations

import dataclasses
import math
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from sms_sim.measure.progress import Progress
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.message import GENERATE_CHUNK, Message, generate_messages
from sms_sim.model.result import EXPIRED, FAILED, RETRY, SENT, Result
from sms_sim.run import simulation
from sms_sim.run.channels import Stop
from sms_sim.run.clock import Wait
from sms_sim.run.simulation import Outcome
from sms_sim.run.stop import StopEvent
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
                on_progress: Callable[[Progress], None] | None = None,
                real: bool = False) -> Outcome:
    """Run in a helper thread so that a hang fails the test, not the suite.
    Made-up time unless ``real`` or told otherwise."""
    fake = FakeTime()
    if not real:
        monotonic = monotonic or fake.clock
        wait = wait or fake.wait
    outcome: list[Outcome] = []
    raised: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(simulation.run(
                cfg, on_progress or (lambda snap: None), stop=stop,
                monotonic=monotonic or time.monotonic, wait=wait, sink=sink))
        except BaseException as error:  # the test's failure, with its trace
            raised.append(error)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(TIMEOUT_S)
    assert not runner.is_alive(), "the simulation did not finish"
    if raised:
        raise raised[0]
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
    cfg = config(1000, SenderGroup.uniform(4, mean, mean / 2, 0.3), seed=42)
    snap = run_bounded(cfg, sink=sink).snapshot
    assert isinstance(snap, Summary) and snap.stopped is None
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
    cfg = config(600, SenderGroup.uniform(2, 0.001, 0.0, 0.0),
                 SenderGroup.uniform(2, 0.002, 0.0, 1.0))
    snap = run_bounded(cfg).snapshot
    first, second = snap.groups
    assert first.failed == 0 and second.sent == 0
    # Twice as fast, the first group's two senders make two thirds.
    assert (first.attempts, second.attempts) == (400, 200)
    assert first.avg_send_s == pytest.approx(0.001)
    assert second.avg_send_s == pytest.approx(0.002)


GATEWAY = Gateway(max_rate=300.0, retries=2, backoff=Backoff(0.05, 0.2),
                  deadline_s=9.0)
PLANNED = SimulationConfig(
    3000, (SenderGroup.uniform(10, 0.02, 0.01, 0.3),
           SenderGroup.uniform(5, 0.1, 0.05, 0.3)),
    seed=5, gateway=GATEWAY)
"""Two groups, a cap, retries and a deadline: every rule in play."""
TIED = SimulationConfig(
    2000, (SenderGroup.uniform(3, 0.125, 0.0, 0.0),
           SenderGroup.uniform(3, 0.125, 0.0, 1.0)),
    seed=6, gateway=Gateway(retries=1, backoff=Backoff(0.25, 0.25)))
"""Six senders free at the same moments, again and again: which of them
takes which message decides its fate, by the order of their turns."""


def log_and_figures(cfg: SimulationConfig, **how: Any
                    ) -> tuple[list[tuple[object, ...]], tuple[object, ...]]:
    """Every row the log would get, sorted, and every simulated figure of
    the summary, of one run of ``cfg`` carried out as ``how`` says."""
    sink = Recorder()
    snap = run_bounded(cfg, sink=sink, **how).snapshot
    rows: list[tuple[object, ...]] = sorted(
        (r.message.id, r.group, r.sender, r.attempts, r.outcome, r.send_s,
         r.done_at_s, r.spent_s) for r in sink.results)
    figures: tuple[object, ...] = (
        snap.sim_elapsed_s, snap.sent, snap.failed, snap.expired,
        snap.unsent, snap.avg_send_s, snap.min_s, snap.max_s, snap.p50_s,
        snap.p95_s, snap.p99_s, snap.delivery, snap.last_sent_s,
        snap.attempts, snap.retries, snap.first_attempt_failed,
        snap.throughput_per_s, snap.groups, snap.seed)
    return rows, figures


class Stalling(FakeTime):
    """Made-up time in which each thread stalls at random, by its own
    seeded draws: threads fall behind and catch up in another order."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self._seed = seed

    def wait(self, seconds: float) -> bool:
        name = threading.current_thread().name
        rng = getattr(self._local, "rng", None)
        if rng is None:
            rng = self._local.rng = random.Random(f"{self._seed}-{name}")
        self.advance(rng.expovariate(1 / 0.05))  # a stall of 50 ms or so
        return super().wait(seconds)


@pytest.mark.parametrize("cfg", [PLANNED, TIED], ids=["planned", "tied"])
def test_a_seed_fixes_every_simulated_figure_however_threads_run(
        cfg: SimulationConfig) -> None:
    """The same run in made-up time, with threads that stall at random in
    two different ways, at --speed max, and on the real clock: the same
    log, row for row, and the same figures, to the last bit."""
    expected = log_and_figures(cfg)
    rows, _ = expected
    assert len({row[0] for row in rows}) == cfg.num_messages
    assert {SENT, FAILED, RETRY} <= {row[4] for row in rows}
    for seed in (1, 2):
        stalling = Stalling(seed)
        assert log_and_figures(cfg, monotonic=stalling.clock,
                               wait=stalling.wait) == expected
    unpaced = dataclasses.replace(cfg, speed=math.inf)
    assert log_and_figures(unpaced) == expected
    fast = dataclasses.replace(cfg, speed=1000.0)
    assert log_and_figures(fast, real=True) == expected


def test_every_rule_is_in_play_in_the_planned_run() -> None:
    rows, _ = log_and_figures(PLANNED)
    assert {row[4] for row in rows} == {SENT, FAILED, RETRY, EXPIRED}


def test_a_seed_fixes_the_figures_whatever_order_threads_start_in(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Senders started last first: whichever thread makes a decision, the
    decision is the same."""
    expected = log_and_figures(PLANNED)
    held: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        if not thread.name.startswith("sender"):
            real_start(thread)
            return
        held.append(thread)
        if len(held) == PLANNED.num_senders:
            for later in reversed(held):
                real_start(later)

    monkeypatch.setattr(threading.Thread, "start", start)
    assert log_and_figures(PLANNED) == expected


def test_zero_messages() -> None:
    snap = run_bounded(config(0)).snapshot
    assert snap.processed == 0 and snap.unsent == 0
    assert isinstance(snap, Summary)


class Interrupter(FakeTime):
    """Made-up time that sets ``stop`` at the ``at``-th look at the clock
    or wait, so the interrupt lands at a chosen point of the run."""

    def __init__(self, stop: Stop, at: int) -> None:
        super().__init__()
        self.stop = stop
        self.at = at
        self.calls = 0
        self.ticking = threading.Lock()

    def _tick(self) -> None:
        with self.ticking:
            self.calls += 1
            if self.calls == self.at:
                self.stop.set()

    def clock(self) -> float:
        self._tick()
        return super().clock()

    def wait(self, seconds: float) -> bool:
        self._tick()
        super().wait(seconds)
        return self.stop.is_set()


def test_nothing_is_lost_or_counted_twice_whenever_the_run_is_stopped(
        ) -> None:
    rng = random.Random(2024)
    stopped = 0
    for _ in range(20):
        groups = tuple(
            SenderGroup.uniform(rng.randint(1, 6), mean,
                                mean * rng.random(), rng.random())
            for mean in (rng.choice([0.0, 0.001, 0.01])
                         for _ in range(rng.randint(1, 3))))
        gateway = Gateway(retries=rng.choice([0, 0, 2]),
                          backoff=Backoff(0.001, 0.004),
                          deadline_s=rng.choice([None, 0.5]))
        total = rng.randint(0, 3000)
        cfg = SimulationConfig(total, groups, 1.0, rng.randrange(1000),
                               speed=1000, gateway=gateway)
        # How often a whole run looks at the clock or waits; then a run
        # stopped at one of those looks, or (one in five) not at all.
        whole = Interrupter(StopEvent(), 0)
        run_bounded(cfg, monotonic=whole.clock, wait=whole.wait)
        stop = StopEvent()
        timing = Interrupter(stop, rng.choice(
            [0, *(rng.randint(1, whole.calls) for _ in range(4))]))
        sink = Recorder()
        snap = run_bounded(cfg, stop=stop, monotonic=timing.clock,
                           wait=timing.wait, sink=sink).snapshot
        assert snap.sent + snap.failed + snap.expired + snap.unsent == total
        outcomes = sink.outcomes()
        assert sum(outcomes.values()) == snap.processed
        assert set(outcomes.values()) <= {1}
        assert all(0 <= i < total for i in outcomes)
        assert 0 <= snap.retrying <= snap.unsent
        assert (snap.stopped == "interrupt") == (snap.unsent > 0)
        stopped += snap.unsent > 0
    # Stopped early, late, and not at all.  How many of the 20 a stop
    # catches with messages left depends on how the threads interleave
    # (a loaded machine makes fewer looks at the clock): 5 to 12 of them
    # here, so the bound says only that both kinds happened.
    assert 1 < stopped < 20


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

    cfg = config(200, SenderGroup.uniform(3, 0.01, 0.0, 0.0))
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

    monkeypatch.setattr("sms_sim.run.producer.generate_messages", broken)
    outcome = run_bounded(config(100))
    assert outcome.snapshot.unsent == 100
    assert outcome.snapshot.stopped == "fault"
    assert "producer stopped after an error" in outcome.faults[0]
    assert "OSError: no entropy" in outcome.faults[0]


def test_progress_is_reported_from_the_start() -> None:
    reports: list[Progress] = []
    cfg = config(20, SenderGroup.uniform(2, 0.01, 0.0, 0.0))
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

    cfg = config(100, SenderGroup.uniform(50, 10.0, 0.0, 0.0))  # none ends
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
    # handler runs in the main thread, which must not sit in a join, and
    # which turns the signal recorded into the run's stop.
    stop = StopEvent()
    waits: list[float] = []
    received: list[int] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        if len(waits) == 2:  # a send in: the main thread is joining
            signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)
        return stop.wait(seconds)

    previous = signal.signal(signal.SIGUSR1,
                             lambda signum, _: received.append(signum))
    try:
        # Without the signal the run ends complete, after 3 x 0.3 s.
        snap = simulation.run(config(3, SenderGroup.uniform(1, 0.3, 0, 0)),
                              lambda snap: None, stop=stop, wait=wait,
                              signalled=lambda: bool(received)).snapshot
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
    cfg = config(50, SenderGroup.uniform(1, 0.5, 0.0, 0.0), speed=100)
    snap = run_bounded(cfg, monotonic=fake.clock, wait=fake.wait).snapshot
    assert snap.sent == 50
    assert snap.max_lag_s == pytest.approx(0.002)


class Unstartable(threading.Thread):
    """A thread that cannot start if it is ``sender-1``, as when the
    process has reached its limit on threads (the run cannot be over
    before it: no other sender has started)."""

    def start(self) -> None:
        if self.name == "sender-1":
            raise RuntimeError("can't start new thread")
        super().start()


def test_a_thread_that_cannot_start_is_named_and_the_rest_accounted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "Thread", Unstartable)
    outcome = run_bounded(config(200, SenderGroup.uniform(3, 0.01, 0, 0)))
    snap = outcome.snapshot
    # the monitor, the producer, then sender-1: the third
    assert outcome.faults[0].startswith(
        "could not start thread 3 (sender-1: can't start new thread); ")
    assert snap.stopped == "fault" and snap.unsent == 200


def test_another_error_while_starting_is_not_called_a_thread_start(
        ) -> None:
    """Once any RuntimeError there was "could not start thread", and the
    last thread started was dropped unjoined."""
    fake = FakeTime()
    stop = StopEvent()
    calls = 0

    def signalled() -> bool:
        nonlocal calls
        calls += 1
        if calls == 4:  # after the monitor, producer and sender-1
            raise RuntimeError("a bug")
        return False

    caught: list[BaseException] = []

    def target() -> None:
        try:
            simulation.run(config(200, SenderGroup.uniform(3, 0.01, 0, 0)),
                           lambda snap: None, stop=stop,
                           signalled=signalled, monotonic=fake.clock,
                           wait=fake.wait)
        except RuntimeError as error:
            caught.append(error)

    runner = threading.Thread(target=target, daemon=True)
    runner.start()
    runner.join(TIMEOUT_S)
    assert [str(error) for error in caught] == ["a bug"]
    assert stop.is_set()  # the threads that started end
