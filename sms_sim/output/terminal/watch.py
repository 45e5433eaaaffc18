"""A reader that leaves: noticing it between writes, and silencing its
stream for good.

On a pipe, a socket or a FIFO, a thread waits for the reader to go, so
that ``| head -1`` ends the run at once even with a long interval; a
stream whose reader has gone is pointed at /dev/null, so that the
interpreter's own flush at exit does not fail again.
"""
from __future__ import annotations

import os
import select
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

WATCH_TIMEOUT_S = 0.5
"""Longest a watcher's wait for a gone reader lasts before it looks again
at whether the run is over (it is woken at once when it is)."""


def silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at /dev/null, so that the interpreter's
    own flush at exit does not raise again (the recipe in the ``signal``
    module's notes on SIGPIPE)."""
    try:
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):
        return  # not backed by a descriptor: nothing will flush it
    try:
        os.dup2(devnull, fd)
    except OSError:
        pass
    finally:
        os.close(devnull)


def _pipe_fd(stream: TextIO) -> int | None:
    """``stream``'s descriptor if it is a pipe, a FIFO or a socket: what a
    reader can leave.  Never for a file or a terminal."""
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return None
    return fd if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) else None


@contextmanager
def watch_reader(stream: TextIO, on_gone: Callable[[], None]
                 ) -> Iterator[None]:
    """While inside, a thread waits for the reader of ``stream`` to leave
    and then calls ``on_gone``.  It waits with ``poll``: on Linux the write
    end of a pipe whose reader has closed reports POLLERR, a socket whose
    peer has closed POLLHUP.  Nothing is watched where ``select.poll`` is
    missing: the next write finds out instead."""
    fd = _pipe_fd(stream)
    if fd is None or not hasattr(select, "poll"):
        yield
        return
    done = threading.Event()
    try:
        wake = os.pipe()  # wakes the watcher when the run is over
    except OSError:
        wake = None  # it notices ``done`` within WATCH_TIMEOUT_S instead
    thread = threading.Thread(target=_watch, args=(fd, wake, done, on_gone),
                              name="output-watcher", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # "can't start new thread": the writes will tell
        pass
    try:
        yield
    finally:
        done.set()
        if wake is not None:
            try:
                os.write(wake[1], b"!")
            except OSError:
                pass
        if thread.ident is not None:  # started
            thread.join()
        if wake is not None:
            os.close(wake[0])
            os.close(wake[1])


def _watch(fd: int, wake: tuple[int, int] | None, done: threading.Event,
           on_gone: Callable[[], None]) -> None:
    poller = select.poll()
    # POLLERR and POLLHUP are reported whatever the mask; not POLLOUT.
    poller.register(fd, select.POLLERR | select.POLLHUP)
    if wake is not None:
        poller.register(wake[0], select.POLLIN)
    while not done.is_set():
        for ready, events in poller.poll(WATCH_TIMEOUT_S * 1000):
            if ready != fd:
                os.read(ready, 512)  # the wake-up: look at ``done`` again
            elif events & select.POLLNVAL:
                return  # closed under us: nothing left to watch
            elif events & (select.POLLERR | select.POLLHUP):
                on_gone()
                return
