"""Views: where progress and the final report go, in one of three modes.

* :class:`LiveView` redraws one block in place on a terminal;
* :class:`LineView` writes one plain line per interval (pipes, files, CI,
  and terminals that cannot move the cursor);
* :class:`JsonView` writes one JSON object per line.

A view whose reader has gone (a closed pipe) goes quiet and calls
``on_closed`` once, so that the run can stop: nobody is watching any more.
On a pipe, a socket or a FIFO, :meth:`View.running` also watches for the
reader going away between reports (``watch.py``), so that ``| head -1``
ends the run at once even with a long interval.
"""
from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from sms_sim.measure.checks import Check
from sms_sim.measure.curve import Mark
from sms_sim.measure.progress import Progress
from sms_sim.measure.summary import Summary
from sms_sim.output.environment import Environment
from sms_sim.output.json import (plan_json, plan_status_json, progress_json,
                                 run_json, summary_json)
from sms_sim.output.terminal.jobcontrol import JobControl
from sms_sim.output.terminal.rows import screen_rows
from sms_sim.output.terminal.watch import silence, watch_reader
from sms_sim.output.text.chart import reach_chart
from sms_sim.output.text.run import (final_report, live_frame,
                                     one_line_frame, progress_line)
from sms_sim.output.text.style import PLAIN, Style

if TYPE_CHECKING:  # plans only, as text.plan is: not for one run
    from sms_sim.output.plan_figures import PlanReport, PlanStatus

HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"
ERASE_DOWN = "\x1b[J"
DUMB_TERMS = ("", "dumb")
"""TERM values (unset counts as "") of terminals that get plain lines."""
PIPED_CHART_WIDTH = 80
"""The width of the reach curve's chart where no terminal sets one."""


class View(Protocol):
    closed: bool
    """True once the output has gone (a closed pipe, or an error)."""
    error: str | None
    """Why the output could not be written, unless its reader just left."""

    def running(self) -> AbstractContextManager[None]:
        """A context for the run: installs what the view needs meanwhile
        (signal handlers, watchers); entered in the main thread."""

    def scenario(self, scenario: Mapping[str, Any]) -> None:
        """The run's every setting, before it starts (JSON only: the text
        views' reports show the command line)."""

    def progress(self, snap: Progress) -> None: ...

    def final(self, snap: Summary, checks: Sequence[Check] = (),
              marks: Sequence[Mark] = ()) -> None:
        """The final report; a completed run's with its reach curve, and
        ``marks`` (the deadline, a target) on it."""

    def plan_progress(self, status: PlanStatus) -> None: ...

    def plan_run(self, index: int, snap: Summary,
                 checks: Sequence[Check]) -> None:
        """A replication's run as it ends, in order: JSON writes it then,
        so that the plan need not keep it whole."""

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

    def scenario(self, scenario: Mapping[str, Any]) -> None:
        pass  # see View.scenario

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
        silence(self._stream)
        self._on_closed()

    @contextmanager
    def running(self) -> Iterator[None]:
        """While the run goes on (entered in the main thread): on a pipe,
        notice its reader leaving without waiting for the next write."""
        with watch_reader(self._stream, lambda: self._gone(None)):
            yield

    def close(self) -> None:
        pass

    def abandon(self) -> None:
        pass

    def plan_run(self, index: int, snap: Summary,
                 checks: Sequence[Check]) -> None:
        pass  # only JSON shows each run

    def _raw(self, text: str) -> None:
        """Write past the stream's buffer: safe in a signal handler."""
        if self.closed:
            return
        try:
            os.write(self._stream.fileno(), text.encode())
        except (OSError, ValueError):
            pass  # nothing more can be done for an output that is gone


class LiveView(_Output):
    """A block redrawn in place: cursor up over the last frame, erase, draw.
    The cursor is hidden while drawing and shown again by :meth:`close`.

    A frame never has more lines than the terminal has rows, less one for
    the cursor (else each redraw would push a line into the scrollback),
    and no line is wider than the terminal (else the terminal wraps it and
    the cursor goes up too few rows): the rows of sender groups go first,
    as many as need be, a line saying how many are left out; then the
    frame shrinks to one line.  The terminal's size is asked for at each
    draw, as it can be resized during a run.

    While :meth:`running`, Ctrl-Z shows the cursor before the process
    stops, and on ``fg`` the cursor is hidden again and a new frame starts
    below what the shell printed meanwhile (``jobcontrol.py``).
    """

    def __init__(self, stream: TextIO, style: Style,
                 on_closed: Callable[[], None],
                 terminal_size: Callable[[], os.terminal_size],
                 interval_s: float = 1.0) -> None:
        super().__init__(stream, on_closed, interval_s)
        self._style = style
        self._size = terminal_size
        self._height = 0
        """Rows of the frame on screen, that the next draw goes up over."""
        self._drawing = threading.RLock()
        self._jobs = JobControl(self._drawing,
                                on_stop=lambda: self._raw(SHOW_CURSOR),
                                on_resume=self._resumed)

    def progress(self, snap: Progress) -> None:
        size = self._size()
        with self._drawing:
            self._draw(self._frame(snap, size.columns, size.lines))

    def _frame(self, snap: Progress, width: int, rows: int) -> list[str]:
        """The frame for a terminal ``width`` columns by ``rows`` rows (no
        limit when <= 0), one string per row."""
        width = max(1, width)
        limit = rows - 1 if rows > 0 else sys.maxsize
        if len(screen_rows(live_frame(snap, width, self._style, 0),
                           width)) > limit:
            return [one_line_frame(snap, width, self._style)]
        height = limit
        while True:  # ends: with no room for groups, the frame fits
            fitted = screen_rows(
                live_frame(snap, width, self._style, height), width)
            if len(fitted) <= limit:
                return fitted
            # A field wider than the terminal took more than one row:
            # leave the group rows that much less room.
            height -= len(fitted) - limit

    def final(self, snap: Summary, checks: Sequence[Check] = (),
              marks: Sequence[Mark] = ()) -> None:
        # The block is drawn a last time with the final figures and stays
        # on screen; the report goes below it.
        width = max(1, self._size().columns)
        with self._drawing:
            self._draw(screen_rows(
                live_frame(snap, width, self._style) + [""]
                + final_report(snap, width, self._style, self._interval_s,
                               checks)
                + reach_chart(snap, width, self._style, marks), width))
            self._height = 0

    def plan_progress(self, status: PlanStatus) -> None:
        from sms_sim.output.text.plan import status_frame  # plans only
        width = max(1, self._size().columns)
        with self._drawing:
            self._draw([status_frame(status, width, self._style)])

    def plan_final(self, report: PlanReport) -> None:
        from sms_sim.output.text.plan import plan_lines  # plans only
        width = max(1, self._size().columns)
        with self._drawing:
            self._draw(screen_rows(plan_lines(report, width, self._style),
                                   width))
            self._height = 0

    def close(self) -> None:
        self.write(SHOW_CURSOR)

    def abandon(self) -> None:
        self._raw(f"\n{SHOW_CURSOR}")

    @contextmanager
    def running(self) -> Iterator[None]:
        with ExitStack() as stack:
            stack.enter_context(super().running())
            stack.enter_context(self._jobs.handled())
            yield

    def _draw(self, lines: list[str]) -> None:
        up = f"\x1b[{self._height}F" if self._height else HIDE_CURSOR
        self.write(up + ERASE_DOWN + "".join(f"{line}\n" for line in lines))
        self._height = len(lines)

    def _resumed(self) -> None:
        self._height = 0  # a new frame, below the shell's "Stopped" lines
        self._raw(HIDE_CURSOR)


class LineView(_Output):
    """Plain lines, never wrapped or cut: whatever reads them does that."""

    def progress(self, snap: Progress) -> None:
        self.write(progress_line(snap) + "\n")

    def final(self, snap: Summary, checks: Sequence[Check] = (),
              marks: Sequence[Mark] = ()) -> None:
        lines = final_report(snap, None, PLAIN, self._interval_s, checks)
        lines += reach_chart(snap, PIPED_CHART_WIDTH, PLAIN, marks)
        self.write("".join(f"{line}\n" for line in lines))

    def plan_progress(self, status: PlanStatus) -> None:
        from sms_sim.output.text.plan import status_line  # plans only
        self.write(status_line(status) + "\n")

    def plan_final(self, report: PlanReport) -> None:
        from sms_sim.output.text.plan import plan_lines  # plans only
        lines = plan_lines(report, None, PLAIN)
        self.write("".join(f"{line}\n" for line in lines))


class JsonView(_Output):
    def scenario(self, scenario: Mapping[str, Any]) -> None:
        self._emit({"event": "scenario", "scenario": dict(scenario)})

    def progress(self, snap: Progress) -> None:
        self._emit(progress_json(snap))

    def final(self, snap: Summary, checks: Sequence[Check] = (),
              marks: Sequence[Mark] = ()) -> None:
        self._emit(summary_json(snap, checks))

    def plan_progress(self, status: PlanStatus) -> None:
        self._emit(plan_status_json(status))

    def plan_run(self, index: int, snap: Summary,
                 checks: Sequence[Check]) -> None:
        self._emit(run_json(index, snap, checks))

    def plan_final(self, report: PlanReport) -> None:
        for obj in plan_json(report):
            self._emit(obj)

    def _emit(self, obj: dict[str, Any]) -> None:
        self.write(json.dumps(obj) + "\n")


def terminal_style(stream: TextIO, environ: Mapping[str, str]) -> Style:
    """Colour only for a terminal, and never when NO_COLOR is set and not
    empty (no-color.org); bold and dim stay, as they carry no hue."""
    encoding = (getattr(stream, "encoding", None) or "").lower()
    return Style(colour=not environ.get("NO_COLOR"), emphasis=True,
                 unicode=encoding.replace("-", "") == "utf8")


def make_view(json_lines: bool, on_closed: Callable[[], None],
              env: Environment, interval_s: float = 1.0) -> View:
    """The view that suits ``env``'s standard output: JSON if asked, live
    on a terminal that can move its cursor, plain lines anywhere else.
    The command line has made sure that the standard output is open
    before it asks: with it closed, there is no view at all.

    A terminal whose TERM is ``dumb`` cannot (Emacs' shell, some CI
    consoles), and neither, as far as anyone can tell, can one with TERM
    unset or empty: a terminal emulator always sets it, so a terminal
    without it is one that nothing describes (a bare serial console, a
    ``setsid``/``env -i`` context): plain lines are always readable there,
    escape codes might not be.
    """
    stream = env.stdout
    if stream is None:
        raise ValueError("no view without a standard output")
    if json_lines:
        return JsonView(stream, on_closed, interval_s)
    if stream.isatty() and env.environ.get("TERM", "") not in DUMB_TERMS:
        return LiveView(stream, terminal_style(stream, env.environ),
                        on_closed, env.terminal_size, interval_s)
    return LineView(stream, on_closed, interval_s)
