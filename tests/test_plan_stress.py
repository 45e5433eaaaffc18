"""The issue's stress of a plan stopped from outside: SIGINT, SIGTERM and
SIGHUP to its whole process group at twenty moments each, spread over the
plan, beside two busy processes; and its output pipe closed at as many.
Each must end within the issue's bounds, with its status and no
traceback.

Slow (a minute or two): marked ``stress``, left out of the default suite
and run by ``.ci/run``.  ``test_plan_signals.py`` checks a few moments in
the suite."""
from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.test_plan_signals import PLAN, SIGNALS, STOPPED_WITHIN_S, plans

pytestmark = [pytest.mark.stress, pytest.mark.time_limit(600)]
MOMENTS = 20
CLOSED_WITHIN_S = 1.0
"""The issue's bound for a closed pipe."""
BUSY = "while True: pass"
_RUNS = PLAN.index("--runs") + 1
LONG_PLAN = (*PLAN[:_RUNS], "100", *PLAN[_RUNS + 1:])
"""``PLAN`` with five times its runs: unloaded, ``PLAN`` itself ends in
about 1.4 s, before the later moments, and a plan that ended is no test
of a stop."""


@contextmanager
def busy(processes: int) -> Iterator[None]:
    """``processes`` busy loops competing for the machine meanwhile."""
    loops = [subprocess.Popen([sys.executable, "-c", BUSY])
             for _ in range(processes)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def spread(rng: random.Random) -> list[float]:
    """``MOMENTS`` moments, in seconds after the plan's first line, within
    its first two seconds (``LONG_PLAN`` takes several, unloaded)."""
    return [rng.uniform(0.0, 2.0) for _ in range(MOMENTS)]


@pytest.mark.parametrize("loaded", [False, True])
def test_every_signal_at_every_moment_ends_the_plan_at_once(
        loaded: bool) -> None:
    rng = random.Random(31)
    pause = threading.Event()  # never set: its wait is the moment's delay
    with busy(2 if loaded else 0):
        for moment in spread(rng):
            with plans(*[(*LONG_PLAN, "--json")] * len(SIGNALS)) as running:
                for plan in running:
                    assert plan.process.stdout is not None
                    plan.process.stdout.readline()
                pause.wait(moment)
                for signum, plan in zip(SIGNALS, running):
                    os.killpg(plan.process.pid, signum)
                    plan.awaited()
                for signum, plan in zip(SIGNALS, running):
                    lines = plan.ended()
                    status = plan.process.returncode
                    assert status == SIGNALS[signum], (moment, plan.err)
                    assert plan.err == "", (moment, plan.err)
                    assert plan.took < STOPPED_WITHIN_S, moment
                    assert lines[-1]["event"] == "plan"
                    assert lines[-1]["interrupted"], moment


def test_a_closed_pipe_at_every_moment_ends_the_plan_at_once() -> None:
    rng = random.Random(141)
    pause = threading.Event()
    for moment in spread(rng):
        with plans(LONG_PLAN, (*LONG_PLAN, "--json")) as running:
            for plan in running:
                assert plan.process.stdout is not None
                plan.process.stdout.readline()
            pause.wait(moment)
            for plan in running:
                assert plan.process.stdout is not None
                plan.process.stdout.close()
                plan.awaited()
            for plan in running:
                plan.ended()
                assert plan.process.returncode == 141, moment
                assert plan.err == "" and plan.took < CLOSED_WITHIN_S, \
                    (moment, plan.took)
