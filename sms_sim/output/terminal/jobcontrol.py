"""Ctrl-Z and ``fg`` for a view that redraws in place.

Ctrl-Z (SIGTSTP) leaves the screen sane before the process stops, and on
``fg`` (SIGCONT) the view starts afresh below what the shell printed
meanwhile.  The handlers run in the main thread and the draws in the
monitor's: the view's drawing lock keeps a draw whole, so that the process
never stops between where a frame's cursor movement was decided and where
it was written.
"""
from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

LOCK_TIMEOUT_S = 1.0
"""Longest a handler waits for a draw in progress to end."""


class JobControl:
    """The handlers of one view: ``on_stop`` before the process stops
    (show the cursor), ``on_resume`` once it is continued (start a new
    frame), each while holding ``drawing``.  Both are called from signal
    handlers: they may write only past the stream's buffer."""

    def __init__(self, drawing: threading.RLock, on_stop: Callable[[], None],
                 on_resume: Callable[[], None]) -> None:
        self._drawing = drawing
        self._on_stop = on_stop
        self._on_resume = on_resume
        self._own_stop = False
        """Set by the SIGTSTP handler: the SIGCONT that follows is its."""

    @contextmanager
    def handled(self) -> Iterator[None]:
        """Handlers for SIGTSTP (Ctrl-Z) and SIGCONT (``fg``) while inside;
        the previous ones after.  Only in the main thread, where handlers
        can be set, and never where SIGTSTP was ignored by whoever started
        the process."""
        tstp = getattr(signal, "SIGTSTP", None)
        cont = getattr(signal, "SIGCONT", None)
        if tstp is None or cont is None or \
                threading.current_thread() is not threading.main_thread():
            yield
            return
        handlers = {cont: self.on_cont}
        if signal.getsignal(tstp) is not signal.SIG_IGN:
            handlers[tstp] = self.on_tstp
        previous = {sig: signal.signal(sig, handler)
                    for sig, handler in handlers.items()}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, signal.SIG_DFL if handler is None
                              else handler)

    def on_tstp(self, signum: int, frame: FrameType | None) -> None:
        with holding(self._drawing):
            self._on_stop()
            self._own_stop = True
            stop_process(signum, self.on_tstp)
            # Continued (the SIGCONT handler, run meanwhile or later, leaves
            # this one to us), and still holding the lock: no draw can go
            # up over what the shell printed.
            self._on_resume()

    def on_cont(self, signum: int, frame: FrameType | None) -> None:
        with holding(self._drawing):
            if self._own_stop:
                self._own_stop = False
            else:  # stopped by another signal, e.g. SIGSTOP or SIGTTOU
                self._on_resume()


@contextmanager
def holding(lock: threading.RLock) -> Iterator[None]:
    """``lock`` if it comes within LOCK_TIMEOUT_S (a draw blocked on a
    terminal paused with Ctrl-S might hold it longer), else nothing."""
    acquired = lock.acquire(timeout=LOCK_TIMEOUT_S)
    try:
        yield
    finally:
        if acquired:
            lock.release()


def stop_process(signum: int,
                 handler: Callable[[int, FrameType | None], None]) -> None:
    """Stop the process as ``signum`` does by default; return once it is
    continued, ``handler`` installed again."""
    signal.signal(signum, signal.SIG_DFL)
    try:
        os.kill(os.getpid(), signum)
    finally:
        signal.signal(signum, handler)
