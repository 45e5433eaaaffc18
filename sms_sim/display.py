"""Views: where progress and the final report go, in one of three modes.

* :class:`LiveView` redraws one block in place on a terminal;
* :class:`LineView` writes one plain line per interval (pipes, files, CI);
* :class:`JsonView` writes one JSON object per line.

A view whose reader has gone (a closed pipe) goes quiet and calls
``on_closed`` once, so that the run can stop: nobody is watching any more.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TextIO

from sms_sim.report import (PLAIN, Style, final_report, live_frame,
                            progress_json, progress_line, summary_json)
from sms_sim.stats import Snapshot

HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"
ERASE_DOWN = "\x1b[J"


class View(Protocol):
    closed: bool
    """True once the reader has gone (a closed pipe)."""

    def progress(self, snap: Snapshot) -> None: ...
    def final(self, snap: Snapshot) -> None: ...
    def close(self) -> None: ...

    def abandon(self) -> None:
        """Leave the screen sane at once, from a signal handler, before the
        process ends without a report: no buffered (re-entrant) writes."""


class _Output:
    """Writes to a stream, and goes quiet for good once its reader is gone.
    """

    def __init__(self, stream: TextIO, on_closed: Callable[[], None]) -> None:
        self._stream = stream
        self._on_closed = on_closed
        self.closed = False

    def write(self, text: str) -> None:
        if self.closed:
            return
        try:
            self._stream.write(text)
            self._stream.flush()
        except BrokenPipeError:
            self.closed = True
            _silence(self._stream)
            self._on_closed()

    def close(self) -> None:
        pass

    def abandon(self) -> None:
        pass


def _silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at /dev/null, so that the interpreter's
    own flush at exit does not raise again (the recipe in the ``signal``
    module's notes on SIGPIPE)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not backed by a descriptor: nothing will flush it
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


class LiveView(_Output):
    """A block redrawn in place: cursor up over the last frame, erase, draw.
    The cursor is hidden while drawing and shown again by :meth:`close`."""

    def __init__(self, stream: TextIO, style: Style,
                 on_closed: Callable[[], None],
                 width: Callable[[], int] | None = None) -> None:
        super().__init__(stream, on_closed)
        self._style = style
        self._width = width or (lambda: shutil.get_terminal_size().columns)
        self._height = 0

    def progress(self, snap: Snapshot) -> None:
        lines = live_frame(snap, self._width(), self._style)
        self._draw(lines)
        self._height = len(lines)

    def final(self, snap: Snapshot) -> None:
        # The block is drawn a last time with the final figures and stays
        # on screen; the report goes below it.
        width = self._width()
        self._draw(live_frame(snap, width, self._style) + [""]
                   + final_report(snap, width, self._style))
        self._height = 0

    def close(self) -> None:
        self.write(SHOW_CURSOR)

    def abandon(self) -> None:
        try:
            os.write(self._stream.fileno(), f"\n{SHOW_CURSOR}".encode())
        except (OSError, ValueError):
            pass  # nothing more can be done for a terminal that is gone

    def _draw(self, lines: list[str]) -> None:
        up = f"\x1b[{self._height}F" if self._height else HIDE_CURSOR
        self.write(up + ERASE_DOWN + "".join(f"{line}\n" for line in lines))


class LineView(_Output):
    def __init__(self, stream: TextIO, on_closed: Callable[[], None],
                 width: int = 100) -> None:
        super().__init__(stream, on_closed)
        self._width = width

    def progress(self, snap: Snapshot) -> None:
        self.write(progress_line(snap) + "\n")

    def final(self, snap: Snapshot) -> None:
        lines = final_report(snap, self._width, PLAIN)
        self.write("".join(f"{line}\n" for line in lines))


class JsonView(_Output):
    def progress(self, snap: Snapshot) -> None:
        self._emit(progress_json(snap))

    def final(self, snap: Snapshot) -> None:
        self._emit(summary_json(snap))

    def _emit(self, obj: dict[str, Any]) -> None:
        self.write(json.dumps(obj) + "\n")


def terminal_style(stream: TextIO, environ: Mapping[str, str]) -> Style:
    """Colour only for a terminal, and never when NO_COLOR is set and not
    empty (no-color.org); bold and dim stay, as they carry no hue."""
    encoding = (getattr(stream, "encoding", None) or "").lower()
    return Style(colour=not environ.get("NO_COLOR"), emphasis=True,
                 unicode=encoding.replace("-", "") == "utf8")


def make_view(json_lines: bool, on_closed: Callable[[], None],
              stream: TextIO | None = None,
              environ: Mapping[str, str] | None = None) -> View:
    """The view that suits ``stream``: JSON if asked, live on a terminal,
    plain lines anywhere else."""
    stream = sys.stdout if stream is None else stream
    environ = os.environ if environ is None else environ
    if json_lines:
        return JsonView(stream, on_closed)
    if stream.isatty():
        return LiveView(stream, terminal_style(stream, environ), on_closed)
    return LineView(stream, on_closed)
