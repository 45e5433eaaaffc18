"""The output as a user meets it, through real processes: a closed or full
standard output, a reader that leaves a pipe, and, under a pseudo-terminal,
a dumb terminal, Ctrl-Z then ``fg``, and a terminal too small for a frame.

No test sleeps for something to happen: each reads until what it waits for
has arrived, and every wait is bounded by ``WAIT_S``, which a passing test
never reaches.
"""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WAIT_S = 10.0
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
DRAW = re.compile(r"(?:\x1b\[(\d+)F|\x1b\[\?25l)\x1b\[J")
"""Where a frame starts: cursor up over the last one, or a first one."""
SHORT = ("100", "4", "0.004", "0", "0.1", "--interval", "0.02")
"""About 0.1 s of sending, with a report every 0.02 s."""
TWO_GROUPS = (*SHORT, "--senders", "2:0.004:0:0.5")
LONG = ("100000", "4", "0.01", "0", "0.1")
"""About 250 s: ends only when a test stops it."""


def command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *args]


def environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "COLUMNS", "LINES", "TERM")}
    env.update(extra)
    return env


def frames(screen: str) -> list[tuple[int | None, str]]:
    """Each draw: how many rows it went up over the last one (None for a
    frame started afresh), and what it drew, its escape codes removed."""
    parts = DRAW.split(screen.replace("\r", ""))
    return [(None if up is None else int(up), ESCAPE.sub("", drawn))
            for up, drawn in zip(parts[1::2], parts[2::2])]


# -- Standard output closed or full (and standard error too) -------------

CANNOT = "sms-sim: cannot write the output: "
BAD_OUTPUTS = {
    # what the shell does with the outputs: what stderr must read
    ">&-": CANNOT + "standard output is closed\n",
    ">&- --json": CANNOT + "standard output is closed\n",
    ">/dev/full": CANNOT + "No space left on device\n",
    ">/dev/full --json": CANNOT + "No space left on device\n",
    ">&- 2>&-": "",
    ">/dev/full 2>/dev/full": "",
}


def start_bad_outputs() -> dict[str, subprocess.Popen[str]]:
    processes = {}
    for case in BAD_OUTPUTS:
        redirect, _, option = case.partition(" --")
        args = [*command("100", "4", "0", "0", "0.1"),
                *([f"--{option}"] if option else [])]
        processes[case] = subprocess.Popen(
            ["sh", "-c", f'exec "$0" "$@" {redirect}', *args], cwd=ROOT,
            env=environ(), stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
    return processes


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("case", BAD_OUTPUTS)
def test_an_output_that_cannot_be_written_is_one_line_and_status_1(
        runs: dict[str, tuple[int, str]], case: str) -> None:
    assert runs[case] == (1, BAD_OUTPUTS[case])


# -- A reader that leaves -------------------------------------------------

def test_a_reader_leaving_ends_the_run_before_the_next_report() -> None:
    process = subprocess.Popen(
        command(*LONG, "--interval", "60"), cwd=ROOT, env=environ(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith("[")  # the first report
        process.stdout.close()  # as `| head -1` does
        # Without the watcher this would take the whole interval.
        assert process.wait(WAIT_S) == 141
        assert process.stderr.read() == ""
    finally:
        process.kill()
        process.wait()
        if process.stderr is not None:
            process.stderr.close()


# -- Under a pseudo-terminal ------------------------------------------------

class Terminal:
    """A program on a pseudo-terminal of ``rows`` by ``columns``, in a
    process group of its own (as a shell with job control starts it), and
    what it drew so far."""

    def __init__(self, *args: str, rows: int = 24, columns: int = 80,
                 env: dict[str, str] | None = None,
                 session: bool = False) -> None:
        """``session``: the program leads a session of its own, with this
        terminal its controlling one, as in a terminal window of its own:
        closing the terminal hangs it up."""
        self.controller, terminal = pty.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            command(*args), cwd=ROOT, stdin=terminal, stdout=terminal,
            stderr=terminal, env=environ(**(env or {})),
            preexec_fn=_leads_a_session if session else os.setpgrp)
        os.close(terminal)
        self._screen = b""
        self.ended = False

    @property
    def screen(self) -> str:
        return self._screen.decode(errors="replace")

    def read(self) -> None:
        """What is there to read, once ``select`` said there is."""
        try:
            chunk = os.read(self.controller, 65536)
        except OSError:  # EIO: the program and its children ended
            chunk = b""
        self._screen += chunk
        self.ended = not chunk

    def read_until(self, done: Callable[[str], bool]) -> str:
        deadline = time.monotonic() + WAIT_S
        while not done(self.screen) and not self.ended:
            left = deadline - time.monotonic()
            assert left > 0, f"still waiting, after {self.screen!r}"
            if select.select([self.controller], [], [], left)[0]:
                self.read()
        return self.screen

    def finish(self) -> int:
        """Read all until the end; the exit status."""
        self.read_until(lambda _: False)
        return self.process.wait(WAIT_S)

    def close_window(self) -> None:
        """As closing a terminal window does: the terminal ends."""
        os.close(self.controller)
        self.controller = -1

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.controller >= 0:
            os.close(self.controller)
            self.controller = -1


def _leads_a_session() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # stdin is the terminal


def finish_all(terminals: list[Terminal]) -> None:
    """Read every terminal until its program ends, all at once."""
    deadline = time.monotonic() + WAIT_S
    while left := [t for t in terminals if not t.ended]:
        wait = deadline - time.monotonic()
        assert wait > 0, [t.screen for t in left]
        ready = select.select([t.controller for t in left], [], [], wait)[0]
        for terminal in left:
            if terminal.controller in ready:
                terminal.read()


XTERM = {"TERM": "xterm"}
ON_TERMINALS: dict[str, tuple[tuple[str, ...], int, int, dict[str, str]]] = {
    # case: arguments, rows, columns, environment
    "TERM=dumb": (SHORT, 24, 80, {"TERM": "dumb"}),
    "no TERM": (SHORT, 24, 80, {}),
    "4 rows": (TWO_GROUPS, 4, 80, XTERM),
    "24 columns": (TWO_GROUPS, 24, 24, XTERM),
    "--log /dev/stdout": (("10", "--log", "/dev/stdout"), 24, 80, XTERM),
    # Standard error is the terminal too: so is /dev/stderr.
    "--log /dev/stderr": (("10", "--log", "/dev/stderr"), 24, 80, XTERM),
}


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, tuple[int, str]]]:
    """The runs that need nothing done to them, all at once (each takes
    longer to start than to run): each one's exit status, and its stderr
    or all its terminal showed."""
    processes = start_bad_outputs()
    terminals = {case: Terminal(*args, rows=rows, columns=columns, env=env)
                 for case, (args, rows, columns, env)
                 in ON_TERMINALS.items()}
    try:
        finish_all(list(terminals.values()))
        done = {case: (terminal.process.wait(WAIT_S), terminal.screen)
                for case, terminal in terminals.items()}
        for case, process in processes.items():
            stderr = process.communicate(timeout=WAIT_S)[1]
            done[case] = (process.returncode, stderr)
        yield done
    finally:
        for terminal in terminals.values():
            terminal.close()
        for process in processes.values():
            process.kill()
            process.communicate()


@pytest.mark.parametrize("case", ["TERM=dumb", "no TERM"])
def test_a_terminal_that_cannot_move_its_cursor_gets_plain_lines(
        runs: dict[str, tuple[int, str]], case: str) -> None:
    status, screen = runs[case]
    assert status == 0
    assert "\x1b" not in screen
    assert re.search(r"^\[ *[\d.]+s\] 0/100 ", screen, re.M)
    assert "completed" in screen


@pytest.mark.parametrize("case", ["4 rows", "24 columns"])
def test_a_frame_never_outgrows_the_terminal(
        runs: dict[str, tuple[int, str]], case: str) -> None:
    _, rows, columns, _ = ON_TERMINALS[case]
    status, screen = runs[case]
    assert status == 0
    draws = frames(screen)
    assert len(draws) >= 3
    for (_, previous), (up, _) in zip(draws, draws[1:]):
        assert up == previous.count("\n")  # exactly over the last frame
    for _, drawn in draws[:-1]:  # the last one has the final report
        lines = drawn.splitlines()
        assert len(lines) <= rows - 1
        assert all(len(line) <= columns for line in lines), lines
    if rows < 6:  # the group rows went first
        assert not any("group" in drawn for _, drawn in draws[:-1])
    assert screen.endswith(SHOW_CURSOR)


@pytest.mark.parametrize("case", ["--log /dev/stdout", "--log /dev/stderr"])
def test_a_log_onto_the_terminal_is_refused(
        runs: dict[str, tuple[int, str]], case: str) -> None:
    status, screen = runs[case]
    assert status == 2
    assert screen.replace("\r", "").endswith(
        f"start.py: error: argument --log: {case.split()[1]!r} is also the "
        f"standard output; give the log a file of its own\n")


def wait_stopped(pid: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found, status = os.waitpid(pid, os.WUNTRACED | os.WNOHANG)
        if found:
            assert os.WIFSTOPPED(status), status
            return
        time.sleep(0.005)  # a poll: the deadline only bounds it
    raise AssertionError("the program did not stop")


def test_closing_the_terminal_is_a_hangup_not_a_fault() -> None:
    """The terminal's end fails the next write as it sends SIGHUP: the
    status is the hangup's, 129, not the failed write's, 1."""
    terminal = Terminal(*LONG, "--interval", "0.02", session=True)
    try:
        terminal.read_until(lambda screen: "sent" in screen)
        terminal.close_window()
        assert terminal.process.wait(WAIT_S) == 128 + signal.SIGHUP
    finally:
        terminal.close()


def test_ctrl_z_shows_the_cursor_and_fg_draws_below_the_shell() -> None:
    terminal = Terminal(*LONG, "--interval", "0.02", env=XTERM)
    try:
        terminal.read_until(lambda screen: len(DRAW.findall(screen)) >= 2)
        terminal.process.send_signal(signal.SIGTSTP)  # what Ctrl-Z sends
        wait_stopped(terminal.process.pid)
        # Its last words before it stopped: the cursor shown again.
        before = terminal.read_until(
            lambda screen: SHOW_CURSOR in DRAW.split(screen)[-1])
        assert before.endswith(SHOW_CURSOR)
        terminal.process.send_signal(signal.SIGCONT)  # what `fg` sends
        terminal.read_until(
            lambda screen: len(DRAW.findall(screen[len(before):])) >= 2)
        terminal.process.send_signal(signal.SIGINT)
        assert terminal.finish() == 130
    finally:
        terminal.close()
    after = terminal.screen[len(before):]
    assert after.startswith(HIDE_CURSOR)
    # A new frame below whatever the shell printed meanwhile, then redrawn
    # in place over itself only.
    (fresh, drawn), (up, _) = frames(after)[:2]
    assert fresh is None and up == drawn.count("\n")
    assert terminal.screen.endswith(SHOW_CURSOR)
