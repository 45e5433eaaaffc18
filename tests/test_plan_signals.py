"""A plan stopped from outside, as a user stops it: each stop signal sent
to its whole process group (as a terminal, ``timeout`` or ``kill -PGID``
does) at moments spread over the plan, its output pipe closed, a worker
killed.  Each ends at once, with its status and no traceback.

``test_plan_stress.py`` does the same at many more moments, beside busy
processes."""
from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import until

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 15
"""Only a hang reaches it."""
STOPPED_WITHIN_S = 2.0
"""How soon after a signal a plan must have ended, reported and all."""
CLOSED_WITHIN_S = 2.0
"""How soon after its reader left a plan must have ended: here, twice the
issue's 1 s, which ``test_plan_stress.py`` holds to, as the suite shares
the machine with whatever else runs; the plan ignoring its closed pipe
would take longer still."""
PLAN = ("3000", "4", "0.01", "0.005", "0.1", "--retries", "2", "--sweep",
        "senders=2..10/2", "--runs", "20", "--seed", "4", "--jobs", "2",
        "--interval", "0.05")
"""A hundred runs of a few hundredths of a second each: seconds in all,
far from done when a test stops it."""
SIGNALS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


def start(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *args]


class Plan:
    """A plan running as the leader of its own process group, its outputs
    piped."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            start(*args), cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.out = self.err = ""
        self.took = math.inf
        """How long after :meth:`awaited` it ended."""
        self._waiter: threading.Thread | None = None

    def lines_until(self, runs_done: int) -> None:
        """Read JSON lines until a progress line counts ``runs_done``
        runs."""
        assert self.process.stdout is not None
        while True:
            line = json.loads(self.process.stdout.readline())
            if line["event"] == "progress" and \
                    line["runs_done"] >= runs_done:
                return

    def awaited(self) -> None:
        """Await its end from now, in a thread of its own: each plan is
        timed from its own moment, whatever the others do meanwhile."""
        since = time.monotonic()

        def wait() -> None:
            stdout, stderr = self.process.stdout, self.process.stderr
            assert stderr is not None
            # Read through the text streams, not communicate(): that reads
            # the descriptors and would skip what lines_until's readline
            # had read ahead into the stream's buffer, so that the output
            # began mid-line.  The plan's stderr is a line or two at most.
            self.out = "" if stdout is None or stdout.closed \
                else stdout.read()
            self.err = stderr.read()
            self.process.wait(timeout=TIMEOUT_S)
            self.took = time.monotonic() - since

        self._waiter = threading.Thread(target=wait)
        self._waiter.start()

    def ended(self) -> list[dict[str, Any]]:
        """Its output, as JSON lines, once it has ended."""
        assert self._waiter is not None
        self._waiter.join()
        return [json.loads(line) for line in self.out.splitlines()]

    def end(self) -> None:
        """Kill its group if it still runs (the test failed)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self._waiter is None:
            self.process.communicate()
        else:
            self._waiter.join()


@contextmanager
def plans(*commands: tuple[str, ...]) -> Iterator[list[Plan]]:
    """A plan of each command, side by side; none left behind."""
    with ExitStack() as stack:
        started = []
        for args in commands:
            plan = Plan(*args)
            stack.callback(plan.end)
            started.append(plan)
        yield started


def test_a_plan_ends_at_once_on_each_stop_signal_to_its_group() -> None:
    """As the workers start (no run done yet), and as they work: each
    signal at its moment, side by side, to the whole group."""
    moments = [(signal.SIGINT, 0), (signal.SIGTERM, 1), (signal.SIGHUP, 2)]
    with plans(*[(*PLAN, "--json")] * len(moments)) as running:
        for (signum, runs_done), plan in zip(moments, running):
            plan.lines_until(runs_done)
            os.killpg(plan.process.pid, signum)
            plan.awaited()
        for (signum, _), plan in zip(moments, running):
            lines = plan.ended()
            assert plan.process.returncode == SIGNALS[signum], plan.err
            assert plan.err == "" and plan.took < STOPPED_WITHIN_S
            assert lines[-1]["event"] == "plan" and lines[-1]["interrupted"]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds workers there")
def test_a_killed_worker_is_one_line_and_status_1() -> None:
    with plans((*PLAN, "--json")) as (plan,):
        plan.lines_until(0)
        until(lambda: bool(workers(plan.process.pid)))
        os.kill(workers(plan.process.pid)[0], signal.SIGKILL)
        plan.awaited()
        plan.ended()
    assert plan.process.returncode == 1
    (line,) = plan.err.splitlines()
    assert line.startswith("sms-sim: worker process ")
    assert line.endswith(" was killed by SIGKILL during a run; the plan "
                         "stopped")


def workers(parent: int) -> list[int]:
    """The worker processes of the plan ``parent``: the children of its
    children (its fork server's)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry))
    return [grandchild for child in children.get(parent, [])
            for grandchild in children.get(child, [])]


def test_a_plan_ends_at_once_when_its_reader_leaves() -> None:
    """``| head -1``, in text and in JSON, with the workers at work: as a
    single run does."""
    with plans(PLAN, (*PLAN, "--json")) as running:
        for plan in running:
            assert plan.process.stdout is not None
            while not re.search(r'runs [1-9]|"runs_done": [1-9]',
                                plan.process.stdout.readline()):
                pass  # until a run is done
            plan.process.stdout.close()
            plan.awaited()
        for plan in running:
            plan.ended()
            assert plan.err == ""
            assert plan.process.returncode == 141
            assert plan.took < CLOSED_WITHIN_S
