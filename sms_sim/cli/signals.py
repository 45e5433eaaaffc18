"""The stop signals, recorded while a run or a plan goes on, for it to
stop on and report what it did; a second one ends the process at once."""
from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from sms_sim.cli.status import ExitStatus

STOP_SIGNALS = tuple(getattr(signal, name) for name in
                     ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
REPEAT_GRACE_S = 0.5
"""A repeat of the first signal within this long is the same request:
``timeout`` and some supervisors signal the process and then its whole
process group, so the program receives the signal twice at once."""


def end_at_once(status: int) -> None:
    """End the process now with ``status``, threads and all
    (``os._exit``); first remove the folder ``multiprocessing`` made for
    it, if it made one (a plan's fork server keeps its socket there):
    its own clean-up at exit would, and ``os._exit`` skips it."""
    _remove_temp_dir()
    os._exit(status)


def _remove_temp_dir() -> None:
    util = sys.modules.get("multiprocessing.util")
    if util is None:
        return
    # Not shutil.rmtree: shutil loads the compression modules, and a
    # single run loads nothing it does not use (test_quick_start).
    folder = util.get_temp_dir()
    try:
        for name in os.listdir(folder):  # sockets: no folders in it
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)
    except OSError:
        pass  # the process ends anyway


@contextmanager
def recorded(abandon: Callable[[], None],
             monotonic: Callable[[], float] = time.monotonic,
             end: Callable[[int], None] = end_at_once
             ) -> Iterator[list[int]]:
    """While inside, SIGINT, SIGTERM and SIGHUP are recorded in the list
    given, for the run to stop on (``simulation.run`` looks at it every
    ``POLL_S``).  A second one ends the process at once (``end``), after
    ``abandon`` has left the screen sane, with the signal's status
    (``ExitStatus.of_signal``); except a repeat of the first within
    ``REPEAT_GRACE_S``, which is ignored.

    The handler only appends to a list: it never takes a lock.  It runs in
    the main thread between two of its steps, and a lock the main thread
    holds there (setting the stop Event takes one) would never be let go.
    """
    received: list[int] = []
    first_at: list[float] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        if received:
            if signum == received[0] and \
                    monotonic() - first_at[0] < REPEAT_GRACE_S:
                return
            abandon()
            end(ExitStatus.of_signal(signum))
        first_at.append(monotonic())
        received.append(signum)

    # A signal this process was started ignoring (nohup's SIGHUP, a
    # shell's trap '' INT) stays ignored: whoever started it asked that.
    previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS
                if signal.getsignal(sig) != signal.SIG_IGN}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            # None: a handler set outside Python, which cannot be set
            # again from it; the default is the nearest.
            signal.signal(sig, signal.SIG_DFL if handler is None
                          else handler)
