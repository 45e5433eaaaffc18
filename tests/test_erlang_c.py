"""Queueing theory's check of arrivals over time (issue 26): Poisson
arrivals at c senders of exponential sends are the M/M/c queue, whose mean
wait Erlang's C formula gives exactly, and Little's law L = lambda W holds
for the number waiting over time.

The issue's check (lambda = 90/s for an hour on c = 10 senders of mean
0.1 s, rho = 0.9; 5 replications within 5%) takes 1.6 million messages:
marked ``stress``, run by ``.ci/run``.  The default suite runs a shorter
one whose tolerance follows from its standard error (below).
"""
from __future__ import annotations

import math
import statistics
import threading
from collections.abc import Iterable

import pytest

from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.result import SENT, Result
from sms_sim.model.traffic import TrafficClass
from sms_sim.run import simulation


def erlang_c(servers: int, load: float) -> float:
    """C(c, a): the chance that an arrival waits, at c servers offered
    a = lambda / mu erlangs (a < c)."""
    busy = load ** servers / math.factorial(servers) \
        * servers / (servers - load)
    return busy / (sum(load ** k / math.factorial(k)
                       for k in range(servers)) + busy)


def mean_wait_s(servers: int, rate: float, mean_send_s: float) -> float:
    """W_q = C(c, lambda / mu) / (c mu - lambda)."""
    mu = 1 / mean_send_s
    return erlang_c(servers, rate / mu) / (servers * mu - rate)


class Waiting:
    """A sink that sums the time messages wait within ``[0, until_s]``:
    the integral of the number waiting over that time."""

    def __init__(self, until_s: float) -> None:
        self.until_s = until_s
        self.integral_s = 0.0
        self.waited = 0
        """Messages that started after they arrived."""
        self._lock = threading.Lock()  # senders post their own batches

    def __call__(self, batch: Iterable[Result]) -> None:
        until, total, waited = self.until_s, 0.0, 0
        for result in batch:
            assert result.outcome == SENT and result.send_s is not None
            start = result.done_at_s - result.send_s  # its only attempt
            arrived = result.message.arrived_s
            total += max(0.0, min(start, until) - min(arrived, until))
            waited += start > arrived
        with self._lock:
            self.integral_s += total
            self.waited += waited


def replication(servers: int, rate: float, mean_send_s: float,
                for_s: float, seed: int
                ) -> tuple[float, float, float, float]:
    """One run's mean wait (the program's); and, from each message's
    arrival and start, the mean number waiting over the arrivals' period,
    the share of messages that waited, and the rate they arrived at."""
    config = SimulationConfig(
        0, (SenderGroup(servers, Latency.exponential(mean_send_s), 0.0),),
        seed=seed, speed=math.inf, gateway=Gateway(),
        traffic=(TrafficClass("p", rate_per_s=rate, for_s=for_s),))
    waiting = Waiting(for_s)
    # Unpaced, the run has no real time to wait: no helper thread.
    snap = simulation.run(config, lambda progress: None,
                          sink=waiting).snapshot
    (klass,) = snap.classes
    assert klass.sent == klass.messages and klass.waiting is not None
    return (klass.waiting.mean_s, waiting.integral_s / for_s,
            waiting.waited / klass.sent, klass.sent / for_s)


def check(servers: int, rate: float, mean_send_s: float, for_s: float,
          seeds: Iterable[int], wait_within: float,
          chance_within: float) -> None:
    runs = [replication(servers, rate, mean_send_s, for_s, seed)
            for seed in seeds]
    assert statistics.fmean(run[0] for run in runs) == pytest.approx(
        mean_wait_s(servers, rate, mean_send_s), rel=wait_within)
    assert statistics.fmean(run[2] for run in runs) == \
        pytest.approx(erlang_c(servers, rate * mean_send_s),
                      rel=chance_within)
    # Little's law, run by run: the number waiting over time is the rate
    # of arrivals times the mean wait (within 5%, what the period's end
    # leaves out: waits that cross it).
    for wait, number, _, arrived in runs:
        assert number == pytest.approx(arrived * wait, rel=0.05)


def test_erlang_c_is_the_formula() -> None:
    """One server is M/M/1: the chance to wait is rho, and W_q =
    rho / (mu - lambda)."""
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert mean_wait_s(1, 5.0, 0.1) == pytest.approx(0.5 / 5)
    assert 0.66 < erlang_c(10, 9.0) < 0.67  # the issue's case


def test_an_mm2_queue_waits_as_erlang_c_says() -> None:
    """Two senders of mean 0.1 s, 10 arrivals a second (rho = 0.5) for
    800 s: W_q = 1/30 s, and a third of the messages wait.  Over 30 seeds,
    a run's mean wait spread with a standard deviation of 10% of W_q and
    its share that waited 4% of C: the bounds are 3 of them."""
    check(2, 10.0, 0.1, 800.0, [1], wait_within=0.30, chance_within=0.13)


@pytest.mark.stress
@pytest.mark.time_limit(900)
def test_the_issues_mmc_queue_waits_as_erlang_c_says() -> None:
    """The issue's check: lambda = 90/s for an hour on 10 senders of mean
    0.1 s (rho = 0.9), 5 replications: the mean wait within 5% of W_q,
    the share that waited within 5% of C(10, 9)."""
    check(10, 90.0, 0.1, 3600.0, range(1, 6), wait_within=0.05,
          chance_within=0.05)
