"""Runs of ``python3 start.py ARGS`` without Python's start-up: each is a
fork of one process that has imported the program already (a
``multiprocessing`` fork server), which then runs ``start.py`` as Python
would, with its own session, folder, environment and files for its
standard streams.

The suite's background runs (``background.py``) go this way: a process
of the program spends about 0.1 s of CPU starting (the interpreter, then
the program's modules), more than most of those runs take, and the
suite starts about 90 of them.  What a fork shares with its server is
what the interpreter fixed when it started: its flags, the locale and
the hash seed.  So only runs whose environment agrees with this
process's on what Python reads at start-up go this way
(:func:`forkable`).  Forks share one hash seed: a figure that depended
on it would still differ from the golden files (written by a process of
their own) and between the real processes that the tests which send
signals, use a terminal or measure a process start.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import runpy
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = str(ROOT / "start.py")
PRELOAD = ["__main__", "sms_sim.cli.main", "tests.forked"]
"""What the server imports once: whatever runs the suite (for the
forks' bootstrapping), the program, and this module."""


def forkable(command: Sequence[str], env: Mapping[str, str]) -> bool:
    """Whether ``command`` in ``env`` runs the program as a fork would: it
    is ``python3 start.py ...`` with this interpreter, and ``env`` has
    this process's values of what Python reads as it starts."""
    def start_up(environ: Mapping[str, str]) -> dict[str, str]:
        return {name: value for name, value in environ.items()
                if name.startswith(("PYTHON", "LC_")) or name == "LANG"}
    return list(command[:2]) == [sys.executable, START] \
        and start_up(env) == start_up(os.environ)


class Server:
    """The fork server, started with the first run."""

    def __init__(self) -> None:
        self._context: multiprocessing.context.ForkServerContext | None = None

    def start(self, command: Sequence[str], cwd: Path,
              env: Mapping[str, str], stdout: Path, stderr: Path
              ) -> multiprocessing.context.ForkServerProcess:
        """The program running ``command`` (a :func:`forkable` one), its
        standard output and error written to the files named."""
        if self._context is None:
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(PRELOAD)
        process = self._context.Process(
            target=run, name="sms-sim-run",
            args=(list(command[1:]), str(cwd), dict(env), str(stdout),
                  str(stderr)))
        process.start()
        return process


def run(argv: list[str], cwd: str, env: dict[str, str], stdout: str,
        stderr: str) -> None:
    """In the fork: become ``python3 start.py ...`` and run it; its exit
    status is the fork's (``SystemExit`` is the process's end)."""
    os.setsid()  # a group of its own, as background.py starts processes
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for path, fd, flags in ((os.devnull, 0, os.O_RDONLY),
                            (stdout, 1, os.O_WRONLY | os.O_TRUNC),
                            (stderr, 2, os.O_WRONLY | os.O_TRUNC)):
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    # The server ignores SIGINT; a process started from the suite does not
    # (conftest.py), and its handler is Python's own.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = argv
    runpy.run_path(argv[0], run_name="__main__")


class Run:
    """A fork running the program, seen as a ``subprocess.Popen`` is."""

    def __init__(self, server: Server, command: Sequence[str], cwd: Path,
                 env: Mapping[str, str], stdout: Path, stderr: Path) -> None:
        self.args = list(command)
        self._process = server.start(command, cwd, env, stdout, stderr)
        assert self._process.pid is not None
        self.pid: int = self._process.pid

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise TimeoutError(f"{self.args} still runs after {timeout} s")
        return self._process.exitcode
