"""Runs of the program that a test only reads once they end, started ahead
of the tests that read them.

A module asks for its runs as it is imported (``BACKGROUND.add``); the
session starts them in that order as its tests go, a few at a time, on
the cores the tests here leave idle; a test that reads one waits only for
what is left of it.  Between two tests, :meth:`Background.pump` reaps the
runs that ended and starts the next ones: no thread of this process
starts them, since a fork while another thread runs can deadlock a child
that runs Python before its exec, as the terminal tests' children do.
A run of the program starts as a fork of a server that has it imported
already (``forked.py``), other commands as processes of their own.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

from tests import forked

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 30
"""Only a hang reaches it: a run takes a fraction of a second, a browser
about one."""


class Job:
    """One run: its command, started by the session or, first, by
    :meth:`result`; its own folder for the files it writes."""

    def __init__(self, make: Callable[[Path], Sequence[str]],
                 env: dict[str, str] | None, in_folder: bool,
                 module: str) -> None:
        self.module = module
        """The name of the test module that asked for it."""
        self._make = make
        self._env = env
        self._in_folder = in_folder
        self.dir = Path()
        """A folder of its own, made when it starts."""
        self._process: subprocess.Popen[str] | forked.Run | None = None
        self._outputs: tuple[IO[str], ...] = ()
        self._done: subprocess.CompletedProcess[str] | None = None
        self._started_at = 0.0
        self.ran_s: float | None = None
        """How long it ran, once it is seen to have ended (between tests,
        so up to a test late)."""

    @property
    def started(self) -> bool:
        return self._process is not None

    def running(self) -> bool:
        """Whether it runs now; if it has ended, notes how long it ran."""
        if self._process is None or self._done is not None:
            return False
        if self._process.poll() is None:
            return True
        self._ended()
        return False

    def _ended(self) -> None:
        if self.ran_s is None:
            self.ran_s = time.monotonic() - self._started_at

    def start(self) -> None:
        self._started_at = time.monotonic()
        self.dir = Path(tempfile.mkdtemp(prefix="sms-sim-run-"))
        # Files, not pipes: a run whose pipe nobody reads yet would stop
        # when the pipe is full, rather than run to its end meanwhile.
        # Named, beside its folder, for a fork to open.
        names = [Path(f"{self.dir}.{stream}") for stream in ("out", "err")]
        self._outputs = tuple(open(name, "w+") for name in names)
        command = list(self._make(self.dir))
        cwd = self.dir if self._in_folder else ROOT
        env = dict(os.environ) if self._env is None else self._env
        if forked.forkable(command, env):
            self._process = forked.Run(SERVER, command, cwd, env, *names)
        else:
            self._process = subprocess.Popen(
                command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=self._outputs[0], stderr=self._outputs[1], text=True,
                start_new_session=True)  # a group to end with its children

    def result(self) -> subprocess.CompletedProcess[str]:
        """The ended run: its command, status and outputs."""
        if self._done is None:
            if self._process is None:
                self.start()
            assert self._process is not None
            status = self._process.wait(TIMEOUT_S)
            self._ended()
            out, err = (self._read(file) for file in self._outputs)
            self._done = subprocess.CompletedProcess(
                self._process.args, status, out, err)
        return self._done

    @staticmethod
    def _read(file: IO[str]) -> str:
        file.seek(0)
        text = file.read()
        file.close()
        return text

    def end(self) -> None:
        """Kill it if it still runs; remove its folder and files."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        for file in self._outputs:
            file.close()
            os.unlink(file.name)
        if self.started:
            shutil.rmtree(self.dir, ignore_errors=True)


class Background:
    """The runs asked for, in order, and how many may run at once."""

    def __init__(self, at_once: int) -> None:
        self._at_once = at_once
        self._jobs: list[Job] = []
        self._allowed: set[str] | None = None
        """The modules whose runs may start ahead; None: all."""

    def add(self, make: Callable[[Path], Sequence[str]] | Sequence[str],
            env: dict[str, str] | None = None,
            in_folder: bool = False) -> Job:
        """A run of the command ``make`` gives for the run's folder (or of
        ``make`` itself), in ``env`` (this process's by default), in the
        project's folder or, ``in_folder``, its own."""
        job = Job(make if callable(make) else lambda _: make, env, in_folder,
                  _asking_module())
        self._jobs.append(job)
        return job

    def allow(self, modules: Iterable[str]) -> None:
        """Let the runs of ``modules`` start ahead too, and from then on
        no others: those of modules whose tests run here (a test still
        starts its own run when it asks for it).  Runs of tests that do
        not run here would cost the machine for nothing."""
        self._allowed = (self._allowed or set()) | set(modules)

    def pump(self) -> None:
        """Start the next runs, so that ``at_once`` run."""
        running = sum(job.running() for job in self._jobs)
        allowed = self._allowed
        for job in self._jobs:
            if running >= self._at_once:
                return
            if not job.started and (allowed is None
                                    or job.module in allowed):
                job.start()
                running += 1

    def seconds(self) -> dict[str, float]:
        """How long each test module's runs ran, by its file's path from
        the project's folder, for those that ended here."""
        took: dict[str, float] = {}
        for job in self._jobs:
            if job.ran_s is not None:
                path = job.module.replace(".", "/") + ".py"
                took[path] = took.get(path, 0.0) + job.ran_s
        return took

    def end(self) -> None:
        for job in self._jobs:
            job.end()


def suite_env() -> dict[str, str]:
    """The environment of a pytest run of a suite of its own, in a folder
    in /tmp: this one's, but writing no bytecode, which would otherwise
    land in the session's cache, kept from one session to the next
    (``conftest.py``)."""
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONPYCACHEPREFIX"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _asking_module() -> str:
    """The name of the module whose top level asks for a run (through
    helpers of its own or of another module's): the innermost frame that
    runs a module's body."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_name != "<module>":
        frame = frame.f_back
    return "" if frame is None else str(frame.f_globals.get("__name__", ""))


SERVER = forked.Server()
"""The fork server the runs of the program start from, when they can."""
BACKGROUND = Background(at_once=max(1, (os.cpu_count() or 1) - 1))
"""One for the session: modules add to it as they are imported."""
