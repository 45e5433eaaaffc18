import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import pytest

from sms_sim import simulation
from sms_sim.config import SenderGroup, SimulationConfig
from sms_sim.message import Message, generate_messages
from sms_sim.producer import GENERATE_CHUNK
from sms_sim.sender import Result, Wait
from sms_sim.simulation import (MAX_BATCH, MAX_SWITCH_INTERVAL_S,
                                SWITCH_INTERVAL_PER_THREAD_S, Outcome,
                                batch_size, switch_interval_for)
from sms_sim.stats import Snapshot, Stats
from sms_sim.stop import StopEvent
from tests.helpers import FakeTime, config

TIMEOUT_S = 10


def run_bounded(cfg: SimulationConfig, stop: StopEvent | None = None,
                clock: Callable[[], float] = time.monotonic,
                wait: Wait | None = None) -> Outcome:
    """Run in a helper thread so that a hang fails the test, not the suite."""
    outcome: list[Outcome] = []
    runner = threading.Thread(target=lambda: outcome.append(simulation.run(
        cfg, lambda snap: None, stop=stop, clock=clock, wait=wait)),
        daemon=True)
    runner.start()
    runner.join(TIMEOUT_S)
    assert not runner.is_alive(), "the simulation did not finish"
    return outcome[0]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[int]:
    """How often each message id reached the statistics."""
    seen: Counter[int] = Counter()
    add = Stats.add

    def recording(self: Stats, results: Iterable[Result], ok: bool) -> None:
        results = list(results)
        seen.update(r.message_id for r in results)
        add(self, results, ok)

    monkeypatch.setattr(Stats, "add", recording)
    return seen


def seeded_messages(seed: int, total: int) -> list[Message]:
    """The messages a run seeded with ``seed`` produces."""
    rng = random.Random(seed)
    return [m for first in range(0, total, GENERATE_CHUNK)
            for m in generate_messages(rng, first,
                                       min(GENERATE_CHUNK, total - first))]


@pytest.mark.parametrize("mean", [0.0, 0.01])
def test_a_seeded_run_sends_everything_with_predictable_failures(
        mean: float, counted: Counter[int]) -> None:
    fake = FakeTime()
    cfg = config(1000, SenderGroup(4, mean, mean / 2, 0.3), seed=42)
    snap = run_bounded(cfg, clock=fake.clock, wait=fake.wait).snapshot
    assert snap.final and not snap.interrupted
    assert (snap.processed, snap.unsent) == (1000, 0)
    messages = seeded_messages(42, 1000)
    assert snap.failed == sum(m.fail_draw < 0.3 for m in messages)
    assert sorted(counted) == list(range(1000))
    assert set(counted.values()) == {1}
    # Each send waits mean - dev + 2 * dev * delay_draw on simulated time.
    expected = [mean / 2 + mean * m.delay_draw for m in messages]
    assert snap.avg_send_s == pytest.approx(sum(expected) / 1000)
    assert snap.min_s == pytest.approx(min(expected))
    assert snap.max_s == pytest.approx(max(expected))


def test_groups_keep_their_own_settings() -> None:
    fake = FakeTime()
    # Simulated sends are instant, so hold each sender's first send until
    # all four run; otherwise the first started could take every message.
    everyone = threading.Barrier(4)
    started = threading.local()

    def wait(seconds: float) -> bool:
        if not getattr(started, "yes", False):
            started.yes = True
            everyone.wait(TIMEOUT_S)
        return fake.wait(seconds)

    cfg = config(600, SenderGroup(2, 0.001, 0.0, 0.0),
                 SenderGroup(2, 0.002, 0.0, 1.0))
    snap = run_bounded(cfg, clock=fake.clock, wait=wait).snapshot
    first, second = snap.groups
    assert first.failed == 0 and second.sent == 0
    assert first.processed + second.processed == 600
    assert first.avg_send_s == pytest.approx(0.001)
    assert second.avg_send_s == pytest.approx(0.002)


def test_real_waits_take_their_time() -> None:
    """One small run on the real clock and the real stop.wait."""
    cfg = config(40, SenderGroup(4, 0.002, 0.0005, 0.0))
    snap = run_bounded(cfg).snapshot
    assert snap.sent == 40
    assert snap.min_s is not None and snap.min_s >= 0.0015 * 0.9
    assert snap.elapsed_s >= 40 * 0.0015 / 4


def test_zero_messages() -> None:
    snap = run_bounded(config(0)).snapshot
    assert snap.processed == 0 and snap.unsent == 0 and snap.final


class Interrupter:
    """A wait and a clock that set ``stop`` at the ``at``-th call of either,
    so the interrupt lands at a chosen, reproducible point of the run."""

    def __init__(self, stop: threading.Event, at: int) -> None:
        self.fake = FakeTime()
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
        return self.fake.clock()

    def wait(self, seconds: float) -> bool:
        self._tick()
        self.fake.wait(seconds)
        return self.stop.is_set()


def test_nothing_is_lost_or_counted_twice_whenever_the_run_is_stopped(
        counted: Counter[int]) -> None:
    rng = random.Random(2024)
    for _ in range(40):
        counted.clear()
        groups = tuple(
            SenderGroup(rng.randint(1, 6), mean, mean * rng.random(),
                        rng.random())
            for mean in (rng.choice([0.0, 0.001, 0.01])
                         for _ in range(rng.randint(1, 3))))
        total = rng.randint(0, 3000)
        stop = StopEvent()
        at = rng.randint(1, 3 * total + 2)
        timing = Interrupter(stop, at)
        cfg = SimulationConfig(total, groups, 1.0, rng.randrange(1000))
        snap = run_bounded(cfg, stop=stop, clock=timing.clock,
                           wait=timing.wait).snapshot
        assert snap.sent + snap.failed + snap.unsent == total
        assert snap.processed == sum(counted.values())
        assert set(counted.values()) <= {1}
        assert all(0 <= i < total for i in counted)
        assert snap.interrupted == (snap.unsent > 0 and stop.is_set())


def test_a_faulty_sender_fails_its_message_and_the_others_finish() -> None:
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
    outcome = run_bounded(cfg, clock=fake.clock, wait=wait)
    snap = outcome.snapshot
    assert (snap.sent, snap.failed, snap.unsent) == (199, 1, 0)
    assert len(outcome.faults) == 1
    assert "RuntimeError: injected" in outcome.faults[0]


def test_when_every_sender_dies_the_rest_is_reported_unsent() -> None:
    def wait(seconds: float) -> bool:
        raise RuntimeError("always")

    cfg = config(500, SenderGroup(3, 0.01, 0.0, 0.0))
    outcome = run_bounded(cfg, wait=wait)
    snap = outcome.snapshot
    assert (snap.sent, snap.failed, snap.unsent) == (0, 3, 497)
    assert len(outcome.faults) == 3 and not snap.interrupted


def test_a_producer_fault_stops_the_run_without_hanging(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise OSError("no entropy")

    monkeypatch.setattr("sms_sim.producer.generate_messages", broken)
    outcome = run_bounded(config(100))
    assert outcome.snapshot.unsent == 100
    assert "OSError: no entropy" in outcome.faults[0]


def test_progress_is_reported_while_running() -> None:
    reports: list[Snapshot] = []
    release = threading.Event()
    stop = StopEvent()

    def on_progress(snap: Snapshot) -> None:
        reports.append(snap)
        release.set()

    def wait(seconds: float) -> bool:
        # Hold every send until the first report, so there is one.
        release.wait(TIMEOUT_S)
        return stop.is_set()

    cfg = config(20, SenderGroup(2, 0.01, 0.0, 0.0), interval_s=0.01)
    outcome: list[Outcome] = []
    runner = threading.Thread(target=lambda: outcome.append(simulation.run(
        cfg, on_progress, stop=stop, wait=wait)))
    runner.start()
    runner.join(TIMEOUT_S)
    assert outcome and outcome[0].snapshot.sent == 20
    assert reports and reports[0].processed == 0


@pytest.mark.parametrize("groups, total, expected", [
    ((SenderGroup(4, 0.0, 0.0, 0.0),), 10**6, MAX_BATCH),
    ((SenderGroup(4, 0.0, 0.0, 0.0),), 100, 12),  # everyone gets work
    ((SenderGroup(4, 0.01, 0.001, 0.0),), 10**6, 1),
    ((SenderGroup(1000, 0.1, 0.01, 0.0),), 20000, 1),
    ((SenderGroup(1000, 0.01, 0.001, 0.0),), 100000, 10),
    ((SenderGroup(2000, 0.01, 0.001, 0.0),), 100000, 20),
    ((SenderGroup(1, 0.0, 0.0, 0.0), SenderGroup(1, 1.0, 0.0, 0.0)),
     10**6, MAX_BATCH),
])
def test_batch_size_follows_demand(groups: tuple[SenderGroup, ...],
                                   total: int, expected: int) -> None:
    assert batch_size(SimulationConfig(total, groups)) == expected


def test_batch_size_is_at_least_one() -> None:
    cfg = SimulationConfig(1, (SenderGroup(10, 0.0, 0.0, 0.0),))
    assert batch_size(cfg) == 1


@pytest.fixture
def switch_interval() -> Iterator[float]:
    """CPython's default switch interval for the test; the interval it
    replaced is put back after it."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    yield 0.005
    sys.setswitchinterval(before)


@pytest.mark.parametrize("threads, expected", [
    (4, 0.005),  # a few threads: never shorter than it was
    (400, 400 * SWITCH_INTERVAL_PER_THREAD_S),
    (10_000, MAX_SWITCH_INTERVAL_S),
])
def test_the_switch_interval_scales_with_threads_and_is_restored(
        switch_interval: float, threads: int, expected: float) -> None:
    with switch_interval_for(threads) as interval:
        assert interval == pytest.approx(expected)
        assert sys.getswitchinterval() == pytest.approx(expected)
    assert sys.getswitchinterval() == pytest.approx(switch_interval)


def test_the_switch_interval_is_restored_after_an_error(
        switch_interval: float) -> None:
    with pytest.raises(KeyError), switch_interval_for(1000):
        raise KeyError
    assert sys.getswitchinterval() == pytest.approx(switch_interval)


def test_a_run_scales_the_switch_interval_while_its_threads_run(
        switch_interval: float) -> None:
    seen: list[float] = []
    cfg = config(400, SenderGroup(398, 0.0, 0.0, 0.0))  # 400 threads in all
    outcome = simulation.run(cfg, lambda snap: seen.append(
        sys.getswitchinterval()))
    assert outcome.snapshot.sent == 400
    assert seen and all(
        s == pytest.approx(400 * SWITCH_INTERVAL_PER_THREAD_S) for s in seen)
    assert sys.getswitchinterval() == pytest.approx(switch_interval)
