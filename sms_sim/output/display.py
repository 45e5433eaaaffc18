"""Views: where progress and the final report go, in one of three modes.

* :class:`LiveView` redraws one block in place on a terminal;
* :class:`LineView` writes one plain line per interval (pipes, files, CI,
  and terminals that cannot move the cursor);
* :class:`JsonView` writes one JSON object per line.

A view whose reader has gone (a closed pipe) goes quiet and calls
``on_closed`` once, so that the run can stop: nobody is watching any more.
On a pipe, a socket or a FIFO, :meth:`View.running` also watches for the
reader going away between reports, so that ``| head -1`` ends the run at
once even with a long interval.
"""
from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from sms_sim.measure.checks import Check
from sms_sim.measure.curve import Curve, Mark
from sms_sim.measure.progress import Progress
from sms_sim.measure.summary import Summary
from sms_sim.output.chart import chart
from sms_sim.output.report import (PLAIN, PlanStatus, Style, clock_time, count,
                                   final_report, fit, live_frame, percent,
                                   progress_json, progress_line, status_frame,
                                   status_line, summary_json, wrap)

if TYPE_CHECKING:  # plans alone need it: not imported for one run
    from sms_sim.output.plan_report import PlanReport

HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"
ERASE_DOWN = "\x1b[J"
DUMB_TERMS = ("", "dumb")
"""TERM values (unset counts as "") of terminals that get plain lines."""
WATCH_TIMEOUT_S = 0.5
"""Longest a watcher's wait for a gone reader lasts before it looks again
at whether the run is over (it is woken at once when it is)."""
LOCK_TIMEOUT_S = 1.0
"""Longest a job-control handler waits for a draw in progress to end."""
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_TOKEN = re.compile(f"{_ESCAPE.pattern}|.", re.DOTALL)


class View(Protocol):
    closed: bool
    """True once the output has gone (a closed pipe, or an error)."""
    error: str | None
    """Why the output could not be written, unless its reader just left."""

    def running(self) -> AbstractContextManager[None]:
        """A context for the run: installs what the view needs meanwhile
        (signal handlers, watchers); entered in the main thread."""

    def progress(self, snap: Progress) -> None: ...

    def final(self, snap: Summary, checks: Sequence[Check] = (),
              marks: Sequence[Mark] = ()) -> None:
        """The final report; a completed run's with its reach curve, and
        ``marks`` (the deadline, a target) on it."""

    def plan_progress(self, status: PlanStatus) -> None: ...
    def plan_final(self, report: PlanReport) -> None: ...
    def close(self) -> None: ...

    def abandon(self) -> None:
        """Leave the screen sane at once, from a signal handler, before the
        process ends without a report: no buffered (re-entrant) writes."""


class _Output:
    """Writes to a stream, and goes quiet for good once its reader is gone
    or it cannot be written (``error`` then says why).
    """

    def __init__(self, stream: TextIO, on_closed: Callable[[], None],
                 interval_s: float = 1.0) -> None:
        self._stream = stream
        self._on_closed = on_closed
        self._interval_s = interval_s
        self._closing = threading.Lock()
        self.closed = False
        self.error: str | None = None

    def write(self, text: str) -> None:
        if self.closed:
            return
        try:
            self._stream.write(text)
            self._stream.flush()
        except OSError as error:
            self._gone(None if isinstance(error, BrokenPipeError)
                       else error.strerror or str(error))

    def _gone(self, error: str | None) -> None:
        """Go quiet for good, and say so once, whichever thread (a writer,
        the watcher) finds out first."""
        with self._closing:
            if self.closed:
                return
            self.error = error
            self.closed = True
        _silence(self._stream)
        self._on_closed()

    @contextmanager
    def running(self) -> Iterator[None]:
        """While the run goes on (entered in the main thread): on a pipe,
        notice its reader leaving without waiting for the next write."""
        with _watch_reader(self._stream, lambda: self._gone(None)):
            yield

    def close(self) -> None:
        pass

    def abandon(self) -> None:
        pass

    def _raw(self, text: str) -> None:
        """Write past the stream's buffer: safe in a signal handler."""
        if self.closed:
            return
        try:
            os.write(self._stream.fileno(), text.encode())
        except (OSError, ValueError):
            pass  # nothing more can be done for an output that is gone


def _silence(stream: TextIO) -> None:
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
def _watch_reader(stream: TextIO, on_gone: Callable[[], None]
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


class LiveView(_Output):
    """A block redrawn in place: cursor up over the last frame, erase, draw.
    The cursor is hidden while drawing and shown again by :meth:`close`.

    A frame never has more lines than the terminal has rows, less one for
    the cursor (else each redraw would push a line into the scrollback),
    and no line is wider than the terminal (else the terminal wraps it and
    the cursor goes up too few rows): the rows of sender groups go first,
    as many as need be, a line saying how many are left out; then the
    frame shrinks to one line.

    While :meth:`running`, Ctrl-Z shows the cursor before the process
    stops, and on ``fg`` the cursor is hidden again and a new frame starts
    below what the shell printed meanwhile.  The handlers run in the main
    thread and the draws in the monitor's: a lock keeps a draw whole, so
    that the process never stops between where a frame's cursor movement
    was decided and where it was written.
    """

    def __init__(self, stream: TextIO, style: Style,
                 on_closed: Callable[[], None],
                 width: Callable[[], int] | None = None,
                 interval_s: float = 1.0,
                 height: Callable[[], int] | None = None) -> None:
        super().__init__(stream, on_closed, interval_s)
        self._style = style
        self._width = width or (lambda: shutil.get_terminal_size().columns)
        self._rows = height or (lambda: shutil.get_terminal_size().lines)
        self._height = 0
        """Rows of the frame on screen, that the next draw goes up over."""
        self._drawing = threading.RLock()
        self._own_stop = False
        """Set by the SIGTSTP handler: the SIGCONT that follows is its."""

    def progress(self, snap: Progress) -> None:
        width = self._width()
        with self._drawing:
            self._draw(self._frame(snap, width, self._rows()))

    def _frame(self, snap: Progress, width: int, rows: int) -> list[str]:
        """The frame for a terminal ``width`` columns by ``rows`` rows (no
        limit when <= 0), one string per row."""
        width = max(1, width)
        limit = rows - 1 if rows > 0 else sys.maxsize
        if len(_rows(live_frame(snap, width, self._style, 0), width)) > limit:
            return [_one_line(snap, width, self._style)]
        height = limit
        while True:  # ends: with no room for groups, the frame fits
            fitted = _rows(live_frame(snap, width, self._style, height),
                           width)
            if len(fitted) <= limit:
                return fitted
            # A field wider than the terminal took more than one row:
            # leave the group rows that much less room.
            height -= len(fitted) - limit

    def final(self, snap: Summary, checks: Sequence[Check] = (),
              marks: Sequence[Mark] = ()) -> None:
        # The block is drawn a last time with the final figures and stays
        # on screen; the report goes below it.
        width = max(1, self._width())
        with self._drawing:
            self._draw(_rows(live_frame(snap, width, self._style)
                             + [""] + final_report(snap, width, self._style,
                                                   self._interval_s, checks)
                             + _curve_chart(snap, width, self._style, marks),
                             width))
            self._height = 0

    def plan_progress(self, status: PlanStatus) -> None:
        width = max(1, self._width())
        with self._drawing:
            self._draw([status_frame(status, width, self._style)])

    def plan_final(self, report: PlanReport) -> None:
        width = max(1, self._width())
        with self._drawing:
            self._draw(_rows(report.lines(width, self._style), width))
            self._height = 0

    def close(self) -> None:
        self.write(SHOW_CURSOR)

    def abandon(self) -> None:
        self._raw(f"\n{SHOW_CURSOR}")

    @contextmanager
    def running(self) -> Iterator[None]:
        with ExitStack() as stack:
            stack.enter_context(super().running())
            stack.enter_context(self._job_control())
            yield

    def _draw(self, lines: list[str]) -> None:
        up = f"\x1b[{self._height}F" if self._height else HIDE_CURSOR
        self.write(up + ERASE_DOWN + "".join(f"{line}\n" for line in lines))
        self._height = len(lines)

    @contextmanager
    def _job_control(self) -> Iterator[None]:
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
        handlers = {cont: self._on_cont}
        if signal.getsignal(tstp) is not signal.SIG_IGN:
            handlers[tstp] = self._on_tstp
        previous = {sig: signal.signal(sig, handler)
                    for sig, handler in handlers.items()}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, signal.SIG_DFL if handler is None
                              else handler)

    def _on_tstp(self, signum: int, frame: FrameType | None) -> None:
        with _holding(self._drawing):
            self._raw(SHOW_CURSOR)
            self._own_stop = True
            _stop_process(signum, self._on_tstp)
            # Continued (the SIGCONT handler, run meanwhile or later, leaves
            # this one to us), and still holding the lock: no draw can go
            # up over what the shell printed.
            self._resumed()

    def _on_cont(self, signum: int, frame: FrameType | None) -> None:
        with _holding(self._drawing):
            if self._own_stop:
                self._own_stop = False
            else:  # stopped by another signal, e.g. SIGSTOP or SIGTTOU
                self._resumed()

    def _resumed(self) -> None:
        self._height = 0  # a new frame, below the shell's "Stopped" lines
        self._raw(HIDE_CURSOR)


@contextmanager
def _holding(lock: threading.RLock) -> Iterator[None]:
    """``lock`` if it comes within LOCK_TIMEOUT_S (a draw blocked on a
    terminal paused with Ctrl-S might hold it longer), else nothing."""
    acquired = lock.acquire(timeout=LOCK_TIMEOUT_S)
    try:
        yield
    finally:
        if acquired:
            lock.release()


def _stop_process(signum: int,
                  handler: Callable[[int, FrameType | None], None]) -> None:
    """Stop the process as ``signum`` does by default; return once it is
    continued, ``handler`` installed again."""
    signal.signal(signum, signal.SIG_DFL)
    try:
        os.kill(os.getpid(), signum)
    finally:
        signal.signal(signum, handler)


def _rows(lines: list[str], width: int) -> list[str]:
    """``lines`` as rows of at most ``width`` columns, so that every row
    counts when the cursor goes back up.  The report wraps between fields
    but keeps a field wider than the terminal whole, on a line of its own;
    such a line is broken here between words, or else before a number (at
    ``1,234/`` ``5,678``).  A number is broken only where it is wider than
    the terminal itself, where the terminal would break it."""
    return [row for line in lines for row in _broken(line, width)]


def _broken(line: str, width: int) -> list[str]:
    """One line as rows, its escape codes kept, each with the character
    after it (or at the end of the last row)."""
    tokens = _TOKEN.findall(line)
    text = "".join(t for t in tokens if not _ESCAPE.fullmatch(t))
    if len(text) <= width:
        return [line]
    spans = _spans(text, width)
    owner = [-1] * len(text)  # the row of each visible character, if any
    for row, (start, end) in enumerate(spans):
        owner[start:end] = [row] * (end - start)
    rows: list[list[str]] = [[] for _ in spans]
    codes: list[str] = []
    place = 0
    for token in tokens:
        if _ESCAPE.fullmatch(token):
            codes.append(token)
            continue
        if owner[place] >= 0:  # not a space dropped at a break
            rows[owner[place]] += [*codes, token]
            codes = []
        place += 1
    rows[-1] += codes
    return ["".join(row) for row in rows]


def _spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where ``text`` (no escape codes) breaks into rows of at most
    ``width``: at the last space that fits, else before the last number
    that does not; indentation goes before a word is broken."""
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > width:
        end = start + width  # the first character that does not fit
        words = [at for at in range(start + 1, end + 1)
                 if " " in text[at - 1:at + 1]]
        numbers = [at for at in range(start + 1, end + 1)
                   if text[at].isdigit() and not text[at - 1].isalnum()
                   and text[at - 1] not in ",."]
        cut = next((at for at in [*reversed(words), *reversed(numbers)]
                    if text[start:at].strip()), None)
        if cut is None and text[start] == " ":
            start = len(text) - len(text[start:].lstrip(" "))
            continue
        cut = end if cut is None else cut
        spans.append((start, len(text[:cut].rstrip(" "))))
        start = len(text) - len(text[cut:].lstrip(" "))
    spans.append((start, len(text)))
    return spans


def _one_line(snap: Progress, width: int, style: Style) -> str:
    """The least a frame can be: done, counts and eta, as many whole fields
    as fit ``width``; cut only on a terminal narrower than the first."""
    line = wrap("", [
        style.bold(percent(snap.done_share)),
        f"{count(snap.processed)}/{count(snap.total)}",
        f"sent {style.paint(count(snap.sent), 'green')}",
        f"failed {style.paint(count(snap.failed), 'red')}",
        f"eta {clock_time(snap.eta_s)}"], width, sep="  ")[0]
    return fit(line, width)


class LineView(_Output):
    """Plain lines, never wrapped or cut: whatever reads them does that."""

    def progress(self, snap: Progress) -> None:
        self.write(progress_line(snap) + "\n")

    def final(self, snap: Summary, checks: Sequence[Check] = (),
              marks: Sequence[Mark] = ()) -> None:
        lines = final_report(snap, None, PLAIN, self._interval_s, checks)
        lines += _curve_chart(snap, PIPED_CHART_WIDTH, PLAIN, marks)
        self.write("".join(f"{line}\n" for line in lines))

    def plan_progress(self, status: PlanStatus) -> None:
        self.write(status_line(status) + "\n")

    def plan_final(self, report: PlanReport) -> None:
        lines = report.lines(None, PLAIN)
        self.write("".join(f"{line}\n" for line in lines))


class JsonView(_Output):
    def progress(self, snap: Progress) -> None:
        self._emit(progress_json(snap))

    def final(self, snap: Summary, checks: Sequence[Check] = (),
              marks: Sequence[Mark] = ()) -> None:
        self._emit(summary_json(snap, checks))

    def plan_progress(self, status: PlanStatus) -> None:
        self._emit({"event": "progress", "runs_done": status.done,
                    "runs": status.total,
                    "elapsed_s": round(status.elapsed_s, 3),
                    "eta_s": None if status.eta_s is None
                    else round(status.eta_s, 3)})

    def plan_final(self, report: PlanReport) -> None:
        for obj in report.json():
            self._emit(obj)

    def _emit(self, obj: dict[str, Any]) -> None:
        self.write(json.dumps(obj) + "\n")


PIPED_CHART_WIDTH = 80
"""The width of the reach curve's chart where no terminal sets one."""


def _curve_chart(snap: Summary, width: int, style: Style,
                 marks: Sequence[Mark]) -> list[str]:
    """A completed run's reach curve (the phones reached, with a carrier),
    under a blank line; nothing for a run stopped early, or too narrow a
    terminal."""
    curves = snap.reached_curves if snap.carrier else snap.curves
    if snap.stopped is not None or not curves:
        return []
    if len(curves) == 1:  # no legend label needed: it is the run's
        curves = (Curve("", curves[0].points),)
    lines = chart(curves, width, style, marks)
    title = ("reached the phones" if snap.carrier else "delivered") + \
        ", share of all messages by simulated time"
    return ["", *wrap("  ", title.split(" "), width, sep=" "), *lines] \
        if lines else []


def terminal_style(stream: TextIO, environ: Mapping[str, str]) -> Style:
    """Colour only for a terminal, and never when NO_COLOR is set and not
    empty (no-color.org); bold and dim stay, as they carry no hue."""
    encoding = (getattr(stream, "encoding", None) or "").lower()
    return Style(colour=not environ.get("NO_COLOR"), emphasis=True,
                 unicode=encoding.replace("-", "") == "utf8")


def make_view(json_lines: bool, on_closed: Callable[[], None],
              stream: TextIO | None = None,
              environ: Mapping[str, str] | None = None,
              interval_s: float = 1.0) -> View:
    """The view that suits ``stream``: JSON if asked, live on a terminal
    that can move its cursor, plain lines anywhere else.

    A terminal whose TERM is ``dumb`` cannot (Emacs' shell, some CI
    consoles), and neither, as far as anyone can tell, can one with TERM
    unset or empty: a terminal emulator always sets it, so a terminal
    without it is one that nothing describes (a bare serial console, a
    ``setsid``/``env -i`` context): plain lines are always readable there,
    escape codes might not be.
    """
    stream = sys.stdout if stream is None else stream
    environ = os.environ if environ is None else environ
    if json_lines:
        return JsonView(stream, on_closed, interval_s)
    if stream.isatty() and environ.get("TERM", "") not in DUMB_TERMS:
        return LiveView(stream, terminal_style(stream, environ), on_closed,
                        interval_s=interval_s)
    return LineView(stream, on_closed, interval_s)
