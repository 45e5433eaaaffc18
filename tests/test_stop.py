import threading

import pytest

from sms_sim.run.stop import StopEvent


def test_is_an_event_and_times_out_false() -> None:
    stop = StopEvent()
    assert isinstance(stop, threading.Event)
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


def test_set_twice_is_harmless_and_clear_is_refused() -> None:
    stop = StopEvent()
    stop.wait(0)
    stop.set()
    stop.set()
    assert stop.wait(0) is True
    with pytest.raises(RuntimeError):
        stop.clear()
