"""A time limit on every test: one that hangs fails, with the traceback
of every thread, and the run goes on to the next test.

A watchdog thread waits out the limit; if the test is still running, it
dumps every thread's stack to stderr (which pytest shows with the
failure) and sends SIGALRM to the main thread, whose handler fails the
test where it stands.  A real signal, unlike ``_thread.interrupt_main``,
also breaks a wait the main thread is blocked in (a join, a lock, a
read); ``faulthandler.dump_traceback_later(exit=True)`` would end the
whole run instead of failing one test.
"""
from __future__ import annotations

import faulthandler
import signal
import threading
from collections.abc import Iterator
from types import FrameType

import pytest

TIME_LIMIT_S = 60.0
"""How long a test may run, unless marked ``time_limit(seconds)``."""
STDERR = 2
"""Where the tracebacks go: the file descriptor, which pytest captures
for each test whatever ``sys.stderr`` is at the time."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"time_limit(seconds): fail the test if it runs longer "
        f"(default {TIME_LIMIT_S:g} s)")


@pytest.fixture(autouse=True)
def time_limit(request: pytest.FixtureRequest) -> Iterator[None]:
    marker = request.node.get_closest_marker("time_limit")
    limit_s = TIME_LIMIT_S if marker is None else float(marker.args[0])
    done = threading.Event()
    main = threading.get_ident()

    def expire(signum: int, frame: FrameType | None) -> None:
        pytest.fail(f"ran past its time limit of {limit_s:g} s; the stack "
                    f"of every thread then is in its stderr")

    def watch() -> None:
        if not done.wait(limit_s):
            faulthandler.dump_traceback(STDERR, all_threads=True)
            signal.pthread_kill(main, signal.SIGALRM)

    previous = signal.signal(signal.SIGALRM, expire)
    watchdog = threading.Thread(target=watch, name="time-limit",
                                daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()
        try:
            watchdog.join()
        finally:  # once any signal it sent has been handled
            signal.signal(signal.SIGALRM, previous)
