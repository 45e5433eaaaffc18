"""The budget of results in flight, shared by the fleet: what a sender
may decide, when it waits, and when another sender thread is wanted."""
from __future__ import annotations

import dataclasses
import math
import threading

import pytest

from sms_sim.model.config import SenderGroup
from sms_sim.run import simulation
from sms_sim.run.channels import InFlight
from tests.helpers import TIMEOUT_S, config


class Budget:
    """An ``InFlight`` of ``capacity``, its monitor's wake-ups counted."""

    def __init__(self, capacity: int) -> None:
        self.nudges = 0
        self.nudged = threading.Event()
        self.stop = threading.Event()
        self.in_flight = InFlight(capacity, self.nudge)

    def nudge(self) -> None:
        self.nudges += 1
        self.nudged.set()

    def reserve_in_thread(self, want: int) -> tuple[threading.Thread,
                                                    list[int]]:
        """A sender's reservation, in a thread of its own, and what it
        got once it returns."""
        got: list[int] = []
        thread = threading.Thread(target=lambda: got.append(
            self.in_flight.reserve(want, self.stop)))
        thread.start()
        return thread, got


def test_a_reservation_gets_what_is_left_and_gives_back_what_it_did_not_use(
        ) -> None:
    budget = Budget(10)
    in_flight = budget.in_flight
    assert in_flight.reserve(8, budget.stop) == 8
    assert in_flight.reserve(8, budget.stop) == 2  # all that was left
    in_flight.settle(2, 0)  # the schedule had nothing more
    assert in_flight.results == 8
    in_flight.settle(8, 30)  # the last expiries, at once, over the budget
    assert in_flight.results == 30
    in_flight.taken(30)
    assert in_flight.results == 0 and budget.nudges == 0


def test_a_full_budget_wakes_the_monitor_once_and_the_sender_waits(
        ) -> None:
    budget = Budget(4)
    in_flight = budget.in_flight
    assert in_flight.reserve(4, budget.stop) == 4
    first, got_first = budget.reserve_in_thread(3)
    second, got_second = budget.reserve_in_thread(3)
    assert budget.nudged.wait(TIMEOUT_S)  # one waits, and woke it
    assert not in_flight.wanted(0.0)  # no room, a sender waiting
    in_flight.taken(4)  # the monitor took them: each wakes the next
    first.join(TIMEOUT_S)
    second.join(TIMEOUT_S)
    assert sorted(got_first + got_second) == [1, 3]
    assert budget.nudges == 1  # the fleet woke it once, not per sender


def test_close_lets_every_waiting_sender_go_with_nothing() -> None:
    budget = Budget(1)
    budget.in_flight.taken(-1)  # full
    threads = [budget.reserve_in_thread(5) for _ in range(3)]
    budget.stop.set()
    budget.in_flight.close()  # as the main thread does after a stop
    for thread, got in threads:
        thread.join(TIMEOUT_S)
        assert got == [0]
    assert budget.in_flight.reserve(5, threading.Event()) == 0


def test_another_sender_is_wanted_only_while_it_would_find_room() -> None:
    budget = Budget(4)
    in_flight = budget.in_flight
    assert in_flight.wanted(0.0)
    assert in_flight.reserve(4, budget.stop) == 4
    assert not in_flight.wanted(0.0)  # full: it would only wait
    in_flight.taken(1)
    assert in_flight.wanted(0.0)
    in_flight.close()
    assert not in_flight.wanted(0.0)  # nothing is left to decide


def test_the_starter_is_woken_when_room_comes_back() -> None:
    budget = Budget(2)
    in_flight = budget.in_flight
    in_flight.reserve(2, budget.stop)
    answers: list[bool] = []
    starter = threading.Thread(
        target=lambda: answers.append(in_flight.wanted(TIMEOUT_S)))
    starter.start()
    in_flight.taken(2)  # before or during its wait: either way, True
    starter.join(TIMEOUT_S)
    assert answers == [True]


def unwanted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No sender thread is ever wanted beyond the first: the names of the
    threads started."""
    started: list[str] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        started.append(thread.name)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    monkeypatch.setattr(InFlight, "wanted", lambda self, timeout: False)
    return started


def test_a_sender_thread_starts_only_when_wanted_and_the_first_does_all(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The threads only carry decisions out: one thread does the whole
    fleet's, and every figure is the one the seed fixes."""
    cfg = config(3000, SenderGroup.uniform(50, 0.01, 0.005, 0.25),
                 speed=math.inf)
    alone = unwanted(monkeypatch)
    one = simulation.run(cfg, lambda progress: None).snapshot
    monkeypatch.undo()
    every = simulation.run(cfg, lambda progress: None).snapshot
    assert alone == ["monitor", "producer", "sender-1"]
    assert dataclasses.replace(one, elapsed_s=0.0) == \
        dataclasses.replace(every, elapsed_s=0.0)
    assert one.sent + one.failed == 3000


def test_a_signal_is_heard_while_no_sender_is_wanted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0

    def signalled() -> bool:
        """A signal once the main thread waits to start sender-2: one
        look before each of the first three threads, then the wait's."""
        nonlocal calls
        calls += 1
        return calls >= 5

    started = unwanted(monkeypatch)
    cfg = config(100, SenderGroup.uniform(50, 10.0, 0.0, 0.0))  # none ends
    snap = simulation.run(cfg, lambda progress: None,
                          signalled=signalled).snapshot
    assert started == ["monitor", "producer", "sender-1"]
    assert snap.stopped == "interrupt"
    assert (snap.processed, snap.unsent) == (0, 100)
