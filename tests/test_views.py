"""The views with fake and real descriptors, in this process: their
modes, a reader that leaves, Ctrl-Z and fg, and frames that fit."""
from __future__ import annotations

import errno
import io
import json
import os
import re
import select
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest

from sms_sim.measure.checks import Check
from sms_sim.measure.histogram import Bin
from sms_sim.measure.progress import GroupCounts, Progress
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SenderGroup
from sms_sim.output.environment import Environment
from sms_sim.output.terminal import jobcontrol
from sms_sim.output.terminal.views import (HIDE_CURSOR, SHOW_CURSOR,
                                           JsonView, LineView, LiveView,
                                           make_view)
from sms_sim.output.text.run import final_report, live_frame
from sms_sim.output.text.style import Style

COLOUR = re.compile(r"\x1b\[3\dm")
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
DRAW = re.compile(r"(?:\x1b\[(\d+)F|\x1b\[\?25l)\x1b\[J")
"""Where a frame starts: cursor up over the last one, or a first one."""
WAIT_S = 5.0
"""Bounds every wait for another thread; a passing test never waits it."""
G = SenderGroup.uniform(2, 0.01, 0.0, 0.1)
SNAP = Progress(total=10, elapsed_s=1.0, sim_elapsed_s=1.0,
                groups=(GroupCounts(G, 4, 3, 1, 0.04),
                        GroupCounts(G, 1, 1, 0, 0.01)),
                rate_per_s=5.0)
FINAL = Summary(total=10, elapsed_s=2.0, sim_elapsed_s=2.0,
                groups=SNAP.groups, stopped="interrupt")
BIG = Progress(total=9_876_543, elapsed_s=1.0, sim_elapsed_s=1.0,
               groups=(GroupCounts(G, 1_234_567, 1_000_001, 234_566, 9.0),
                       GroupCounts(G, 7_654, 7_000, 654, 1.0)),
               rate_per_s=123_456.0)
XTERM = {"TERM": "xterm-256color"}


class Terminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def size(columns: int, lines: int) -> Callable[[], os.terminal_size]:
    """A terminal of a fixed size."""
    return lambda: os.terminal_size((columns, lines))


def env(stream: io.StringIO, environ: dict[str, str]) -> Environment:
    """The process's surroundings with ``stream`` as standard output, on
    an 80 by 24 terminal when it is one."""
    return Environment(stream, None, environ, size(80, 24))


def never() -> None:
    raise AssertionError("the view reported a closed output")


def visible(text: str) -> str:
    return ESCAPE.sub("", text)


def frames(out: str) -> list[tuple[int | None, str]]:
    """Each draw in ``out``: how many rows it went up (None for a frame
    started afresh), and what it drew."""
    parts = DRAW.split(out)
    return [(None if up is None else int(up), drawn)
            for up, drawn in zip(parts[1::2], parts[2::2])]


@pytest.mark.parametrize("tty", [True, False])
@pytest.mark.parametrize("no_color", ["", "1"])
def test_mode_and_colour_for_every_combination(tty: bool,
                                               no_color: str) -> None:
    stream = Terminal() if tty else io.StringIO()
    view = make_view(False, never,
                     env(stream, {"NO_COLOR": no_color, **XTERM}))
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


@pytest.mark.parametrize("environ", [{}, {"TERM": ""}, {"TERM": "dumb"},
                                     {"TERM": "dumb", "NO_COLOR": ""}])
def test_a_terminal_that_cannot_move_its_cursor_gets_plain_lines(
        environ: dict[str, str]) -> None:
    stream = Terminal()
    view = make_view(False, never, env(stream, environ))
    assert isinstance(view, LineView)
    view.progress(SNAP)
    view.final(FINAL)
    view.close()
    assert "\x1b" not in stream.getvalue()
    assert stream.getvalue().startswith("[")


def test_the_live_view_asks_the_environment_for_the_terminals_size(
        ) -> None:
    sizes = [(30, 4), (60, 24)]
    asked: list[tuple[int, int]] = []

    def terminal_size() -> os.terminal_size:
        asked.append(sizes[len(asked) % 2])
        return os.terminal_size(asked[-1])
    stream = Terminal()
    view = make_view(False, never, Environment(stream, None, XTERM,
                                               terminal_size))
    view.progress(SNAP)  # resized between the two
    view.progress(SNAP)
    first, second = [visible(drawn).splitlines() for _, drawn in
                     frames(stream.getvalue())]
    assert asked == sizes
    assert len(first) <= 3 and all(len(line) <= 30 for line in first)
    assert len(second) > 3 and max(map(len, second)) > 30


def test_no_view_without_a_standard_output() -> None:
    with pytest.raises(ValueError):
        make_view(False, never, Environment(None, io.StringIO(), XTERM))


def test_json_view_writes_only_json_lines() -> None:
    stream = Terminal()  # JSON even on a terminal
    view = make_view(True, never, env(stream, XTERM))
    assert isinstance(view, JsonView)
    view.progress(SNAP)
    view.final(FINAL)
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["event"] for e in events] == ["progress", "summary"]
    assert events[1]["interrupted"] is True and events[1]["unsent"] == 5


class Failing(io.StringIO):
    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


def test_a_closed_pipe_goes_quiet_and_is_reported_once() -> None:
    calls: list[str] = []
    view = LineView(Failing(BrokenPipeError()), lambda: calls.append("x"))
    view.progress(SNAP)
    view.progress(SNAP)
    view.final(FINAL)
    assert calls == ["x"] and view.closed and view.error is None


@pytest.mark.parametrize("json_lines", [True, False])
def test_an_output_that_fails_says_why_once(json_lines: bool) -> None:
    calls: list[str] = []
    stream = Failing(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    view = make_view(json_lines, lambda: calls.append("x"),
                     env(stream, {}))
    view.progress(SNAP)
    view.final(FINAL)
    view.close()
    assert calls == ["x"] and view.closed
    assert view.error == "No space left on device"


def test_a_live_view_that_fails_closes_and_abandons_quietly() -> None:
    calls: list[str] = []
    stream = Failing(OSError(errno.EIO, os.strerror(errno.EIO)))
    view = LiveView(stream, Style(), lambda: calls.append("x"), size(80, 24))
    with view.running():
        view.progress(SNAP)
    view.final(FINAL)
    view.close()  # would write SHOW_CURSOR
    view.abandon()  # a raw write, to no descriptor at all
    assert calls == ["x"] and view.error == "Input/output error"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("live", [True, False])
def test_a_full_device_is_silenced_for_the_final_flush(live: bool) -> None:
    calls: list[str] = []
    with open("/dev/full", "w", encoding="utf-8") as stream:
        view: LiveView | LineView = (
            LiveView(stream, Style(), lambda: calls.append("x"),
                     size(80, 24)) if live
            else LineView(stream, lambda: calls.append("x")))
        view.progress(SNAP)
        view.final(FINAL)
        view.close()
        view.abandon()
        assert view.error == "No space left on device" and calls == ["x"]
        # What is still buffered goes to /dev/null now: the flush when the
        # stream closes (the interpreter's own, for stdout) cannot fail.
        assert os.path.samefile(f"/dev/fd/{stream.fileno()}", os.devnull)
        stream.write("more")
    assert stream.closed


def test_abandon_shows_the_cursor_with_a_raw_write(tmp_path: Path) -> None:
    path = tmp_path / "screen"
    with open(path, "w", encoding="utf-8") as stream:
        view = LiveView(stream, Style(), never, size(80, 24))
        view.progress(SNAP)
        stream.flush()
        view.abandon()
    assert path.read_text().endswith(SHOW_CURSOR)


# -- A reader that leaves is noticed between reports --------------------

def watchers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "output-watcher"]


def test_a_reader_leaving_a_pipe_is_noticed_without_a_write() -> None:
    reader, writer = os.pipe()
    gone = threading.Event()
    with open(writer, "w", encoding="utf-8") as stream:
        view = LineView(stream, gone.set)
        with view.running():
            assert len(watchers()) == 1
            view.progress(SNAP)
            assert os.read(reader, 4096).startswith(b"[")
            os.close(reader)  # as `| head -1` does after its line
            assert gone.wait(WAIT_S)
            assert view.closed and view.error is None
            view.progress(SNAP)  # nowhere, quietly
        assert not watchers()  # gone with the run, at once
        view.final(FINAL)


def test_a_socket_whose_peer_leaves_is_noticed_too() -> None:
    ours, theirs = socket.socketpair()
    gone = threading.Event()
    with open(ours.detach(), "w", encoding="utf-8") as stream:
        view = JsonView(stream, gone.set)
        with view.running():
            theirs.close()
            assert gone.wait(WAIT_S)
        assert view.closed and view.error is None


def test_a_reader_gone_before_the_run_is_noticed_at_once() -> None:
    reader, writer = os.pipe()
    os.close(reader)
    gone = threading.Event()
    with open(writer, "w", encoding="utf-8") as stream:
        view = LineView(stream, gone.set)
        with view.running():
            assert gone.wait(WAIT_S)


def test_no_watcher_for_a_file_or_a_terminal(tmp_path: Path) -> None:
    with open(tmp_path / "out", "w", encoding="utf-8") as stream:
        for view in (LineView(stream, never),
                     LiveView(Terminal(), Style(), never, size(80, 24))):
            with view.running():
                assert not watchers()


def test_without_poll_the_next_write_notices(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(select, "poll")
    reader, writer = os.pipe()
    calls: list[str] = []
    with open(writer, "w", encoding="utf-8") as stream:
        view = LineView(stream, lambda: calls.append("x"))
        with view.running():
            assert not watchers()
            os.close(reader)
            assert not view.closed
            view.progress(SNAP)
        assert view.closed and calls == ["x"]


# -- Ctrl-Z and fg --------------------------------------------------------

@pytest.fixture
def screen(tmp_path: Path) -> Iterator[tuple[LiveView, Callable[[], str]]]:
    """A live view on a real descriptor, so that raw writes show, and
    what it drew so far."""
    path = tmp_path / "screen"
    with open(path, "w", encoding="utf-8") as stream:
        def drawn() -> str:
            stream.flush()
            return path.read_text(encoding="utf-8")
        yield LiveView(stream, Style(), never, size(80, 24)), drawn


@pytest.fixture
def unhandled() -> Iterator[list[int]]:
    """SIGTSTPs that reached no handler of the view's.  Without it, one
    would stop the test run itself."""
    caught: list[int] = []
    previous = signal.signal(signal.SIGTSTP,
                             lambda signum, frame: caught.append(signum))
    try:
        yield caught
    finally:
        signal.signal(signal.SIGTSTP, previous)


def stopping(monkeypatch: pytest.MonkeyPatch, then: Callable[[], None]
             ) -> list[int]:
    """Replace the real stop (this process is the test run) by ``then``."""
    stops: list[int] = []

    def stop(signum: int,
             handler: Callable[[int, FrameType | None], None]) -> None:
        stops.append(signum)
        then()
    monkeypatch.setattr(jobcontrol, "stop_process", stop)
    return stops


@pytest.mark.parametrize("continued_inside", [True, False])
def test_ctrl_z_shows_the_cursor_and_fg_starts_a_new_frame(
        screen: tuple[LiveView, Callable[[], str]], unhandled: list[int],
        monkeypatch: pytest.MonkeyPatch, continued_inside: bool) -> None:
    # The SIGCONT handler runs while the SIGTSTP one is still inside the
    # stop, or, when the interpreter gets to it later, after it.
    view, drawn = screen
    stops = stopping(monkeypatch, lambda: signal.raise_signal(
        signal.SIGCONT) if continued_inside else None)
    with view.running():
        view.progress(SNAP)
        signal.raise_signal(signal.SIGTSTP)
        assert stops == [signal.SIGTSTP] and not unhandled
        view.progress(SNAP)
        if not continued_inside:
            signal.raise_signal(signal.SIGCONT)  # the one from the stop
        view.progress(SNAP)
    assert [up for up, _ in frames(drawn())] == [None, None, 6]
    first = frames(drawn())[0][1]
    assert first.endswith("\n" + SHOW_CURSOR + HIDE_CURSOR)


def test_no_frame_is_drawn_across_a_stop(
        screen: tuple[LiveView, Callable[[], str]], unhandled: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    view, drawn = screen
    held: list[bool] = []
    draws: list[threading.Thread] = []

    def meanwhile() -> None:
        # The monitor's draw, started while the process stops, waits for
        # the resume, and then starts below what the shell printed.
        draws.append(threading.Thread(target=view.progress, args=(SNAP,),
                                      daemon=True))
        draws[0].start()
        probe = threading.Thread(target=try_drawing, daemon=True)
        probe.start()
        probe.join(WAIT_S)

    def try_drawing() -> None:
        free = view._drawing.acquire(blocking=False)
        if free:
            view._drawing.release()
        held.append(not free)
    stopping(monkeypatch, meanwhile)
    with view.running():
        view.progress(SNAP)
        signal.raise_signal(signal.SIGTSTP)
        draws[0].join(WAIT_S)
        signal.raise_signal(signal.SIGCONT)
        view.progress(SNAP)
    assert held == [True] and not unhandled
    assert [up for up, _ in frames(drawn())] == [None, None, 6]


def test_a_continue_after_another_stop_starts_a_new_frame(
        screen: tuple[LiveView, Callable[[], str]]) -> None:
    view, drawn = screen  # stopped by SIGSTOP, say: no SIGTSTP before
    with view.running():
        view.progress(SNAP)
        signal.raise_signal(signal.SIGCONT)
        view.progress(SNAP)
    assert [up for up, _ in frames(drawn())] == [None, None]
    assert frames(drawn())[0][1].endswith("\n" + HIDE_CURSOR)


def test_job_control_handlers_are_restored(
        screen: tuple[LiveView, Callable[[], str]]) -> None:
    view, _ = screen
    before = {sig: signal.getsignal(sig)
              for sig in (signal.SIGTSTP, signal.SIGCONT)}
    with view.running():
        assert signal.getsignal(signal.SIGTSTP) == view._jobs.on_tstp
    assert {sig: signal.getsignal(sig) for sig in before} == before


def test_an_ignored_sigtstp_stays_ignored(
        screen: tuple[LiveView, Callable[[], str]]) -> None:
    view, _ = screen
    previous = signal.signal(signal.SIGTSTP, signal.SIG_IGN)
    try:
        with view.running():
            assert signal.getsignal(signal.SIGTSTP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTSTP, previous)


def test_outside_the_main_thread_no_handler_is_set(
        screen: tuple[LiveView, Callable[[], str]]) -> None:
    view, _ = screen
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with view.running():
                pass
        except BaseException as error:  # pragma: no cover - the failure
            errors.append(error)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT_S)
    assert not thread.is_alive() and not errors


# -- A frame fits the terminal ---------------------------------------------

def draw_three(snap: Progress, width: int, rows: int) -> str:
    stream = Terminal()
    view = LiveView(stream, Style(colour=True, emphasis=True, unicode=True),
                    never, size(width, rows))
    for _ in range(3):
        view.progress(snap)
    return stream.getvalue()


@pytest.mark.parametrize("snap", [SNAP, BIG], ids=["small", "big"])
def test_every_frame_fits_the_terminal_and_is_redrawn_exactly(
        snap: Progress) -> None:
    for width in (1, 8, 12, 16, 20, 30, 40, 60, 80, 200):
        for rows in (1, 2, 3, 4, 5, 8, 12, 24, 60):
            draws = frames(draw_three(snap, width, rows))
            assert len(draws) == 3
            for (_, previous), (up, _) in zip(draws, draws[1:]):
                assert up == previous.count("\n")  # over it, and no more
            for _, drawn in draws:
                lines = visible(drawn).splitlines()
                assert len(lines) <= max(1, rows - 1), (width, rows)
                assert all(len(line) <= width for line in lines), (width,
                                                                   rows)


def test_group_rows_go_first_then_all_but_one_line() -> None:
    def shown(rows: int) -> list[str]:
        return visible(frames(draw_three(SNAP, 80, rows))[-1][1]).split("\n")

    assert len(shown(7)) == 6 + 1 and "group" in shown(7)[3]
    # No room for a group: a line says so, while there is room for it.
    hint = "  ... 2 groups, too many to show (--json has them all)"
    assert shown(6) == shown(7)[:3] + [hint, ""]
    assert shown(5) == shown(7)[:3] + [hint, ""]
    assert len(shown(4)) == 3 + 1 and "eta" in shown(4)[2]
    assert shown(3) == ["50.0%  5/10  sent 4  failed 1  eta 1.0s", ""]
    assert shown(2)[0].startswith("50.0%  5/10")


def many_groups(number: int) -> Progress:
    return Progress(total=10 * number, elapsed_s=1.0, sim_elapsed_s=1.0,
                    groups=(GroupCounts(G, 4, 3, 1, 0.04),) * number,
                    rate_per_s=5.0)


@pytest.mark.parametrize("groups, shown, more", [
    (19, 19, ""), (20, 18, "2 more groups"), (30, 18, "12 more groups"),
    (1000, 18, "982 more groups")])
def test_as_many_groups_as_fit_then_a_line_for_the_rest(
        groups: int, shown: int, more: str) -> None:
    lines = visible(frames(draw_three(many_groups(groups), 80, 24))[-1][1]
                    ).split("\n")[:-1]
    assert len(lines) == 23  # the terminal's rows but the cursor's
    assert lines[3].split() == ["group", "senders", "mean", "+-", "dev",
                                "fail", "attempts", "sent", "failed", "avg"]
    assert [line.split()[0] for line in lines[4:4 + shown]] == \
        [str(n) for n in range(1, shown + 1)]
    if more:
        assert lines[-1] == f"  ... and {more} (--json has them all)"


def test_narrow_rows_of_many_groups_fit_too() -> None:
    # Three lines for each group: five fit, with the two that say how
    # many more, under the frame's five.
    lines = visible(frames(draw_three(many_groups(30), 40, 24))[-1][1]
                    ).split("\n")[:-1]
    assert len(lines) <= 23 and all(len(line) <= 40 for line in lines)
    assert sum(line.startswith("  group ") for line in lines) == 5
    assert lines[-2:] == ["  ... and 25 more groups (--json has",
                          "  them all)"]


def test_narrow_frames_wrap_without_cutting_a_number() -> None:
    out = visible(frames(draw_three(BIG, 24, 100))[-1][1])
    assert all(len(line) <= 24 for line in out.splitlines())
    for number in ("9,876,543", "1,007,001", "235,220", "1,234,567"):
        assert re.search(rf"(?<![\d,]){number}(?![\d,])", out), number


NUMBER = re.compile(r"\d[\d,.]*\d|\d")
BIG_FINAL = Summary(
    total=9_876_543, elapsed_s=12.5, sim_elapsed_s=600.0, speed=100.0,
    groups=(GroupCounts(SenderGroup.uniform(40, 0.0123, 0.0045, 0.125, 12.5),
                        1_234_567, 1_000_001, 234_566, 9.0),
            GroupCounts(G, 7_654, 7_000, 654, 1.0)),
    expired=5, retries=1_111, first_attempts=1_234_567,
    first_attempt_failed=1_111, min_s=0.005, max_s=1.4, p50_s=0.01,
    p95_s=0.0145, p99_s=0.0149,
    distribution=(Bin(0.005, 0.007, 1_003), Bin(0.007, 0.009, 123_456),
                  Bin(0.009, 0.011, 1_234_567), Bin(0.011, 0.013, 99_999),
                  Bin(0.013, 0.0149, 10), Bin(0.0149, 1.4, 12_345, True)),
    delivery=(300.0, 540.0, None, None, None), last_sent_s=599.5,
    attempts=((1, 1_000_000), (2, 234_567)), max_lag_s=3.5,
    stopped="interrupt")


def test_the_final_report_on_a_terminal_never_cuts_a_number() -> None:
    style = Style(colour=True, emphasis=True, unicode=True)
    checks = [Check("min_delivered", False, 0.1, 0.95)]
    for width in range(10, 201):
        stream = Terminal()
        view = LiveView(stream, style, never, size(width, 24))
        view.final(BIG_FINAL, checks)
        rows = visible(stream.getvalue()).split("\n")[:-1]
        assert all(len(row) <= width for row in rows), width
        # What the rows show is the report and the frame, each number whole.
        lines = live_frame(BIG_FINAL, width, style) + [""] + final_report(
            BIG_FINAL, width, style, checks=checks)
        assert NUMBER.findall("\n".join(rows)) == \
            NUMBER.findall(visible("\n".join(lines))), width
