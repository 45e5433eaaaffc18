"""Runs of the program that a test only reads once they end, started ahead
of the tests that read them.

A module asks for its runs as it is imported (``BACKGROUND.add``); the
session starts them in that order as its tests go, a few at a time, on
the cores the tests here leave idle; a test that reads one waits only for
what is left of it.  Between two tests, :meth:`Background.pump` reaps the
runs that ended and starts the next ones: no thread of this process
starts them, since a fork while another thread runs can deadlock a child
that runs Python before its exec, as the terminal tests' children do.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 30
"""Only a hang reaches it: a run takes a fraction of a second, a browser
about one."""


class Job:
    """One run: its command, started by the session or, first, by
    :meth:`result`; its own folder for the files it writes."""

    def __init__(self, make: Callable[[Path], Sequence[str]],
                 env: dict[str, str] | None, in_folder: bool) -> None:
        self._make = make
        self._env = env
        self._in_folder = in_folder
        self.dir = Path()
        """A folder of its own, made when it starts."""
        self._process: subprocess.Popen[str] | None = None
        self._outputs: tuple[IO[str], ...] = ()
        self._done: subprocess.CompletedProcess[str] | None = None

    @property
    def started(self) -> bool:
        return self._process is not None

    @property
    def running(self) -> bool:
        return self._process is not None and self._done is None \
            and self._process.poll() is None

    def start(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="sms-sim-run-"))
        # Files, not pipes: a run whose pipe nobody reads yet would stop
        # when the pipe is full, rather than run to its end meanwhile.
        self._outputs = (tempfile.TemporaryFile("w+"),
                         tempfile.TemporaryFile("w+"))
        self._process = subprocess.Popen(
            list(self._make(self.dir)),
            cwd=self.dir if self._in_folder else ROOT, env=self._env,
            stdin=subprocess.DEVNULL, stdout=self._outputs[0],
            stderr=self._outputs[1], text=True,
            start_new_session=True)  # a group to end with its children

    def result(self) -> subprocess.CompletedProcess[str]:
        """The ended run: its command, status and outputs."""
        if self._done is None:
            if self._process is None:
                self.start()
            assert self._process is not None
            self._process.wait(TIMEOUT_S)
            out, err = (self._read(file) for file in self._outputs)
            self._done = subprocess.CompletedProcess(
                self._process.args, self._process.returncode, out, err)
        return self._done

    @staticmethod
    def _read(file: IO[str]) -> str:
        file.seek(0)
        text = file.read()
        file.close()
        return text

    def end(self) -> None:
        """Kill it if it still runs; remove its folder."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        for file in self._outputs:
            file.close()
        if self.started:
            shutil.rmtree(self.dir, ignore_errors=True)


class Background:
    """The runs asked for, in order, and how many may run at once."""

    def __init__(self, at_once: int) -> None:
        self._at_once = at_once
        self._jobs: list[Job] = []

    def add(self, make: Callable[[Path], Sequence[str]] | Sequence[str],
            env: dict[str, str] | None = None,
            in_folder: bool = False) -> Job:
        """A run of the command ``make`` gives for the run's folder (or of
        ``make`` itself), in ``env`` (this process's by default), in the
        project's folder or, ``in_folder``, its own."""
        job = Job(make if callable(make) else lambda _: make, env, in_folder)
        self._jobs.append(job)
        return job

    def pump(self) -> None:
        """Start the next runs, so that ``at_once`` run."""
        running = sum(job.running for job in self._jobs)
        for job in self._jobs:
            if running >= self._at_once:
                return
            if not job.started:
                job.start()
                running += 1

    def end(self) -> None:
        for job in self._jobs:
            job.end()


BACKGROUND = Background(at_once=max(1, (os.cpu_count() or 1) - 1))
"""One for the session: modules add to it as they are imported."""
