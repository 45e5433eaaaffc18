"""The run's stop signal: set once, never cleared, and waits that scale.

``threading.Event.wait`` parks every waiter on one shared condition lock and,
when a timed wait expires, removes the waiter from a list of all waiters.
With a thousand senders each waking a hundred times a second, contention for
that lock and those linear removals dominate the run; the per-thread locks
used here avoid both (``benchmarks/micro.py``, case ``stop_event``).

It is not an Event: a stopped run stays stopped, so there is no ``clear``
to call by mistake.  Its users see only the ``channels.Stop`` protocol.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager


def _nothing() -> None:
    pass


class StopEvent:
    """A flag set once, and the waits on it.

    Each waiting thread blocks on a lock of its own (created on its first
    wait), which :meth:`set` releases.  The flag and the list of those
    locks change together, under a guard lock that only :meth:`set` and
    the first wait of each thread take.

    ``guard`` and ``checked`` are seams for tests: the guard lock, and a
    call made between a first wait's look at the flag and its lock's
    registration, the moment the guard protects.
    """

    def __init__(self, guard: AbstractContextManager[object] | None = None,
                 checked: Callable[[], None] = _nothing) -> None:
        self._set = False
        """Read without the guard, as ``threading.Event.is_set`` reads its
        own: a stale False only delays a look by one turn of a loop."""
        self._guard = threading.Lock() if guard is None else guard
        self._checked = checked
        self._wake_locks: list[threading.Lock] = []
        self._local = threading.local()

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        with self._guard:
            self._set = True
            for lock in self._wake_locks:
                lock.release()
            self._wake_locks.clear()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the flag is set or ``timeout`` seconds pass; return
        the flag, as ``threading.Event.wait`` does."""
        lock: threading.Lock | None = getattr(self._local, "lock", None)
        if lock is None:
            lock = self._local.lock = self._register()
        if timeout is None:
            woken = lock.acquire()
        elif timeout > 0:
            woken = lock.acquire(True, timeout)
        else:
            woken = lock.acquire(False)
        if woken:
            lock.release()  # stay released: every later wait returns at once
        return woken or self._set

    def _register(self) -> threading.Lock:
        """This thread's lock, held until :meth:`set` releases it."""
        lock = threading.Lock()
        lock.acquire()
        with self._guard:
            # Looked at and registered under the guard, so a concurrent
            # set() either finds this lock in the list or has already set
            # the flag seen here: a wake-up is never lost between the two.
            flagged = self._set
            self._checked()
            if flagged:
                lock.release()
            else:
                self._wake_locks.append(lock)
        return lock
