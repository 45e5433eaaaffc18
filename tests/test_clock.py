"""Simulated time, backoff and message draws: the model's arithmetic."""
from __future__ import annotations

import math
import random

import pytest

from sms_sim.model.gateway import Backoff
from sms_sim.model.message import failure_draws, generate_messages
from sms_sim.run.clock import LONGEST_WAIT_S, SimClock
from tests.helpers import FakeTime, attempt_draws


def test_simulated_time_runs_speed_times_as_fast() -> None:
    fake = FakeTime()
    clock = SimClock.started(50.0, fake.clock)
    fake.advance(0.2)
    assert clock.now() == pytest.approx(10.0)
    assert clock.real_elapsed() == pytest.approx(0.2)


def test_wait_until_waits_the_real_time_left_once() -> None:
    fake = FakeTime()
    clock = SimClock.started(10.0, fake.clock)
    assert clock.wait_until(3.0, fake.wait) is False
    assert fake.waits == pytest.approx([0.3])
    assert clock.wait_until(2.0, fake.wait) is False  # passed: no wait
    assert len(fake.waits) == 1


def test_a_very_slow_clock_waits_in_bounded_turns() -> None:
    fake = FakeTime()
    clock = SimClock.started(1e-6, fake.clock)
    assert clock.wait_until(1.0, fake.wait) is False
    assert max(fake.waits) == LONGEST_WAIT_S
    assert sum(fake.waits) == pytest.approx(1e6)


def test_wait_until_reports_a_stop() -> None:
    clock = SimClock.started(1.0, FakeTime().clock)
    assert clock.wait_until(5.0, lambda seconds: True) is True


def test_an_unpaced_clock_never_waits() -> None:
    fake = FakeTime()
    clock = SimClock.started(math.inf, fake.clock)
    assert not clock.paced
    assert clock.wait_until(1e6, fake.wait) is False
    assert fake.waits == []


@pytest.mark.parametrize("retry, ceiling", [
    (1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (200, 3.0)])
def test_backoff_doubles_up_to_its_cap(retry: int, ceiling: float) -> None:
    assert Backoff(0.5, 3.0).ceiling_s(retry) == ceiling


def test_draws_are_uniform_and_differ_by_attempt() -> None:
    messages = generate_messages(random.Random(3), 0, 4000)
    for attempt in (1, 2, 3):
        draws = [attempt_draws(m.seed, attempt) for m in messages]
        for values in zip(*draws):
            assert all(0 <= v < 1 for v in values)
            assert 0.47 < sum(values) / len(values) < 0.53
            assert sum(v < 0.1 for v in values) / len(values) == \
                pytest.approx(0.1, abs=0.02)
    seed = messages[0].seed
    assert len({attempt_draws(seed, a) for a in range(1, 50)}) == 49
    assert failure_draws(seed, 1) != attempt_draws(seed, 1)
    assert attempt_draws(seed, 2) == attempt_draws(seed, 2)  # pure


def test_the_draws_of_successive_attempts_are_independent() -> None:
    """What retries rely on: a message that failed once is no likelier to
    fail again (a hash that does not mix fails this by six sigma)."""
    seeds = [m.seed for m in generate_messages(random.Random(4), 0, 20000)]
    for first, second in ((1, 2), (2, 3), (3, 4)):
        both = sum(attempt_draws(seed, first)[1] < 0.5
                   and attempt_draws(seed, second)[1] < 0.5
                   for seed in seeds)
        assert both / len(seeds) == pytest.approx(0.25, abs=0.015)
        jitter_and_fail = sum(failure_draws(seed, first)[1] < 0.5
                              and attempt_draws(seed, second)[1] < 0.5
                              for seed in seeds)
        assert jitter_and_fail / len(seeds) == pytest.approx(0.25, abs=0.015)
