import io
import json
import re
from pathlib import Path

import pytest

from sms_sim.config import SenderGroup
from sms_sim.display import (SHOW_CURSOR, JsonView, LineView, LiveView,
                             make_view)
from sms_sim.report import Style
from sms_sim.stats import GroupSnapshot, Snapshot

COLOUR = re.compile(r"\x1b\[3\dm")
G = SenderGroup(2, 0.01, 0.0, 0.1)
SNAP = Snapshot(total=10, elapsed_s=1.0, groups=(GroupSnapshot(G, 3, 1, 0.04),
                                                 GroupSnapshot(G, 1, 0, 0.01)),
                rate_per_s=5.0)
FINAL = Snapshot(total=10, elapsed_s=2.0, groups=SNAP.groups, final=True,
                 interrupted=True)


class Terminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def never() -> None:
    raise AssertionError("the view reported a closed output")


@pytest.mark.parametrize("tty", [True, False])
@pytest.mark.parametrize("no_color", ["", "1"])
def test_mode_and_colour_for_every_combination(tty: bool,
                                               no_color: str) -> None:
    stream = Terminal() if tty else io.StringIO()
    view = make_view(False, never, stream, {"NO_COLOR": no_color})
    assert isinstance(view, LiveView if tty else LineView)
    view.progress(SNAP)
    view.progress(SNAP)
    view.final(FINAL)
    view.close()
    out = stream.getvalue()
    if not tty:
        assert "\x1b" not in out and "\r" not in out
        assert len([line for line in out.splitlines()
                    if line.startswith("[")]) == 2
    else:
        # Drawn once, then redrawn in place for the second report and for
        # the final figures, which stay on screen above the report.
        assert out.count("\x1b[6F") == 2
        assert out.rindex("50.0%") < out.index("interrupted")
        assert out.endswith(SHOW_CURSOR)
        assert bool(COLOUR.search(out)) is (no_color == "")
    assert "interrupted" in out


def test_json_view_writes_only_json_lines() -> None:
    stream = Terminal()  # JSON even on a terminal
    view = make_view(True, never, stream, {})
    assert isinstance(view, JsonView)
    view.progress(SNAP)
    view.final(FINAL)
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["event"] for e in events] == ["progress", "summary"]
    assert events[1]["interrupted"] is True and events[1]["unsent"] == 5


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError


def test_a_closed_pipe_goes_quiet_and_is_reported_once() -> None:
    calls: list[str] = []
    view = LineView(ClosedPipe(), lambda: calls.append("closed"))
    view.progress(SNAP)
    view.progress(SNAP)
    view.final(FINAL)
    assert calls == ["closed"] and view.closed


def test_abandon_shows_the_cursor_with_a_raw_write(tmp_path: Path) -> None:
    path = tmp_path / "screen"
    with open(path, "w", encoding="utf-8") as stream:
        view = LiveView(stream, Style(), never, width=lambda: 80)
        view.progress(SNAP)
        stream.flush()
        view.abandon()
    assert path.read_text().endswith(SHOW_CURSOR)
