"""Test doubles shared by the test modules: time, queues, configs and
snapshots."""
from __future__ import annotations

import io
import math
import queue
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TextIO, TypeVar
from unittest import mock

from sms_sim.cli import main as cli
from sms_sim.measure.progress import GroupCounts
from sms_sim.measure.summary import Checkpoint, Summary
from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Gateway
from sms_sim.model.message import attempt_bits, split_draws
from sms_sim.model.result import Result
from sms_sim.output.environment import Environment
from sms_sim.run.channels import Channels

T = TypeVar("T")
TIMEOUT_S = 10
"""Longest any test waits for a thread; only ever reached by a hang."""


class FakeTime:
    """A clock and a wait in made-up time: ``wait(s)`` returns at once and
    moves the calling thread's clock ``s`` on, so a send 'takes' exactly
    what it asked for and no test sleeps.  Each thread has a clock of its
    own, as if every thread waited in parallel; ``advance`` moves it
    without a wait (a thread that starts late, or a stall)."""

    def __init__(self, start: float = 100.0) -> None:
        self._start = start
        self._local = threading.local()
        self._lock = threading.Lock()
        self.waits: list[float] = []

    def clock(self) -> float:
        return self._start + getattr(self._local, "elapsed", 0.0)

    def wait(self, seconds: float) -> bool:
        with self._lock:
            self.waits.append(seconds)
        self.advance(seconds)
        return False

    def advance(self, seconds: float) -> None:
        self._local.elapsed = getattr(self._local, "elapsed", 0.0) + seconds


def run_main(*argv: str, environ: Mapping[str, str] | None = None,
             stdout: TextIO | None = None) -> tuple[int, str, str]:
    """The program run in this process as ``python3 start.py *argv``
    (named so in its usage and errors): its exit status, standard output
    and standard error.  Far cheaper than a process, for bad input, help
    and small runs; one test per feature still runs the real process.
    ``stdout``: a file of the test's own as the standard output (whose
    text is then not returned), for the rules about the files it is."""
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(sys, "argv", ["start.py"]):
        try:
            status = cli.main(list(argv), env=Environment(
                out if stdout is None else stdout, err,
                {} if environ is None else environ))
        except SystemExit as exit:  # argparse's way out, as in a process
            status = exit.code if isinstance(exit.code, int) else 1
    return status, out.getvalue(), err.getvalue()


def usage_error(*argv: str) -> str:
    """The one line of the error that ``argv`` is refused with (in this
    process): status 2, the usage before it, nothing on stdout."""
    status, out, err = run_main(*argv)
    assert status == 2 and out == "", err
    assert err.startswith("usage: ") and "Traceback" not in err, err
    return err.splitlines()[-1]


def until(condition: Callable[[], bool], timeout_s: float = TIMEOUT_S
          ) -> None:
    """Return once ``condition()`` holds; fail after ``timeout_s``.  For
    states another thread reaches, where no Event marks the moment."""
    deadline = time.monotonic() + timeout_s
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        pause.wait(0.001)


def config(num_messages: int = 100, *groups: SenderGroup,
           interval_s: float = 1.0, seed: int | None = 1, speed: float = 1.0,
           gateway: Gateway | None = None) -> SimulationConfig:
    return SimulationConfig(num_messages,
                            groups or (SenderGroup.uniform(4, 0, 0, 0.25),),
                            interval_s, seed, speed, gateway or Gateway())


def plan_config() -> SimulationConfig:
    """A plan's base: two groups, and a gateway with every setting on, at
    max speed, so that a run takes little time."""
    return SimulationConfig(
        400, (SenderGroup.uniform(4, 0.01, 0.005, 0.2),
              SenderGroup.uniform(2, 0.02, 0.0, 0.1)),
        seed=7, speed=math.inf,
        gateway=Gateway(max_rate=300.0, retries=2, deadline_s=5.0))


def sent_by(count: int, total: int = 100, unsent: int = 0) -> Summary:
    """A run's summary with ``count`` of ``total`` sent by 10 s."""
    group = SenderGroup.uniform(1, 0.0, 0.0, 0.0)
    return Summary(total=total, elapsed_s=1.0, sim_elapsed_s=10.0,
                   groups=(GroupCounts(group, total - unsent,
                                       total - unsent, 0, 0.0),),
                   checkpoints=(Checkpoint(10.0, count, 0),))


def attempt_draws(seed: int, attempt: int) -> tuple[float, float]:
    """The ``(delay, fail)`` draws of attempt number ``attempt``, each
    uniform in [0, 1), as a sender reads them."""
    return split_draws(attempt_bits(seed, attempt))


def drained(items: queue.SimpleQueue[T] | queue.Queue[T]) -> list[T]:
    """Everything on ``items`` now, without blocking."""
    taken: list[T] = []
    while True:
        try:
            taken.append(items.get_nowait())
        except queue.Empty:
            return taken


def results(channels: Channels) -> list[Result]:
    """Every result the senders posted, sent and failed queues both."""
    return [result for queue_ in (channels.sent, channels.failed)
            for batch in drained(queue_) for result in batch]


def assert_filled(paragraph: str, width: int) -> None:
    """``paragraph`` is filled to ``width``: no line is longer, and none
    ends where the next line's first word would have fitted."""
    lines = paragraph.splitlines()
    assert all(len(line) <= width for line in lines), lines
    for line, following in zip(lines, lines[1:]):
        assert len(line) + 1 + len(following.split()[0]) > width, lines
