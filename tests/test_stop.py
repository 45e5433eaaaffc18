"""The run's stop signal: waits, wake-ups, and the one ordering its guard
lock keeps."""
from __future__ import annotations

import threading

from sms_sim.run.channels import Stop
from sms_sim.run.stop import StopEvent
from tests.helpers import TIMEOUT_S


def test_is_a_stop_not_an_event_and_times_out_false() -> None:
    stop: Stop = StopEvent()  # mypy checks it keeps the protocol
    assert not isinstance(stop, threading.Event)
    assert stop.wait(0) is False
    assert stop.wait(-1) is False
    assert stop.wait(0.001) is False


def test_set_wakes_every_waiting_thread_at_once() -> None:
    stop = StopEvent()
    ready = threading.Barrier(21)
    woken: list[bool] = []

    def waiter() -> None:
        stop.wait(0)  # register this thread's lock
        ready.wait(timeout=5)
        woken.append(stop.wait(60))

    threads = [threading.Thread(target=waiter, daemon=True)
               for _ in range(20)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=5)
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    assert woken == [True] * 20


def test_waits_after_set_return_at_once_even_for_new_threads() -> None:
    stop = StopEvent()
    stop.set()
    assert stop.wait(60) is True and stop.wait(60) is True
    seen: list[bool] = []
    thread = threading.Thread(target=lambda: seen.append(stop.wait(60)),
                              daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert seen == [True]
    assert stop.is_set()


def test_set_twice_is_harmless_and_there_is_no_clear() -> None:
    stop = StopEvent()
    stop.wait(0)
    stop.set()
    stop.set()
    assert stop.wait(0) is True
    assert not hasattr(stop, "clear")  # a stopped run stays stopped


class WatchedLock:
    """A lock that tells when a thread finds it taken and must wait."""

    def __init__(self, contended: threading.Event) -> None:
        self._lock = threading.Lock()
        self._contended = contended

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            self._contended.set()
            self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def test_a_set_between_a_first_waits_look_and_its_registration_wakes_it(
        ) -> None:
    """The wake-up the guard keeps from being lost.  A thread's first wait
    finds the flag unset; right then, before its lock is registered, a
    set() runs as far as it can: to its end, were the look and the
    registration not both under the guard (and then it would release
    every registered lock but this one, and the wait would never end);
    with the guard, until it must wait for it.  The wait must end."""
    went_as_far_as_it_can = threading.Event()
    setters: list[threading.Thread] = []

    def set_now() -> None:
        stop.set()
        went_as_far_as_it_can.set()

    def between_look_and_registration() -> None:
        setter = threading.Thread(target=set_now, daemon=True)
        setters.append(setter)
        setter.start()
        assert went_as_far_as_it_can.wait(TIMEOUT_S)

    stop = StopEvent(WatchedLock(went_as_far_as_it_can),
                     between_look_and_registration)
    woken: list[bool] = []
    waiter = threading.Thread(target=lambda: woken.append(stop.wait()),
                              daemon=True)
    waiter.start()
    waiter.join(TIMEOUT_S)  # only a lost wake-up takes this long
    assert woken == [True] and len(setters) == 1
    setters[0].join(TIMEOUT_S)
    assert not setters[0].is_alive() and stop.is_set()
