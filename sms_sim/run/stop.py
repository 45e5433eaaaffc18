"""The run's stop signal: a ``threading.Event`` whose waits scale.

``threading.Event.wait`` parks every waiter on one shared condition lock and,
when a timed wait expires, removes the waiter from a list of all waiters.
With a thousand senders each waking a hundred times a second, contention for
that lock and those linear removals dominate the run; the per-thread locks
used here avoid both (``benchmarks/micro.py``, case ``stop_event``).
"""
from __future__ import annotations

import threading


class StopEvent(threading.Event):
    """An Event that is set once and never cleared.

    Each waiting thread blocks on a lock of its own (created on its first
    wait), which :meth:`set` releases; the flag and :meth:`is_set` are the
    Event's own.  Only :meth:`set` and the first wait of each thread take
    the shared guard lock.
    """

    def __init__(self) -> None:
        super().__init__()
        self._guard = threading.Lock()
        self._wake_locks: list[threading.Lock] = []
        self._local = threading.local()

    def set(self) -> None:
        super().set()
        with self._guard:
            for lock in self._wake_locks:
                lock.release()
            self._wake_locks.clear()

    def clear(self) -> None:
        raise RuntimeError("a StopEvent cannot be cleared")

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
        return woken or self.is_set()

    def _register(self) -> threading.Lock:
        lock = threading.Lock()
        lock.acquire()
        with self._guard:
            # Checked under the guard, so a concurrent set() either sees
            # this lock in the list or has already set the flag seen here.
            if self.is_set():
                lock.release()
            else:
                self._wake_locks.append(lock)
        return lock
