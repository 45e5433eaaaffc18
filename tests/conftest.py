"""A time limit on every test: one that hangs fails, with the traceback
of every thread, and the run goes on to the next test.  Also, between
tests, the runs in the background go on (see ``background.py``); the
tests may run in two processes (``shards.py``); and the suite's processes
share a cache of bytecode kept in the virtual environment, and the
program's start with the signals a shell gives, whatever the suite was
started with (``pytest_configure``).

One watchdog thread serves the whole run: each test tells it when its
limit falls, and it waits for that moment or the next test, whichever
comes first.  If a test is still running at its limit, it dumps every
thread's stack to stderr (which pytest shows with the failure) and sends
SIGALRM to the main thread, whose handler fails the test where it stands.
A real signal, unlike ``_thread.interrupt_main``, also breaks a wait the
main thread is blocked in (a join, a lock, a read);
``faulthandler.dump_traceback_later(exit=True)`` would end the whole run
instead of failing one test.  (A thread per test cost a second of the
suite.)
"""
from __future__ import annotations

import compileall
import faulthandler
import functools
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from types import FrameType

import pytest

from tests import shards
from tests.background import BACKGROUND

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "sms_sim")
COMPILED_BY = pytest.StashKey[float]()
"""When the program's bytecode was compiled, before any test ran."""
TIME_LIMIT_S = 60.0
"""How long a test may run, unless marked ``time_limit(seconds)``."""
STDERR = 2
"""Where the tracebacks go: the file descriptor, which pytest captures
for each test whatever ``sys.stderr`` is at the time."""


class Watchdog:
    """Waits out the limit of the test running now, if one is."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._deadline = math.inf  # no test running
        self.limit_s = TIME_LIMIT_S
        """The limit of the test running now."""
        self._main = threading.get_ident()
        threading.Thread(target=self._watch, name="time-limit",
                         daemon=True).start()

    def start(self, limit_s: float) -> None:
        self.limit_s = limit_s
        with self._changed:
            self._deadline = time.monotonic() + limit_s
            self._changed.notify()

    def stop(self) -> None:
        with self._changed:
            self._deadline = math.inf
            self._changed.notify()

    def _watch(self) -> None:
        with self._changed:  # held but while waiting: a test's end waits
            while True:
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._changed.wait(None if math.isinf(left) else left)
                    continue
                self._deadline = math.inf
                faulthandler.dump_traceback(STDERR, all_threads=True)
                signal.pthread_kill(self._main, signal.SIGALRM)


def pytest_runtest_setup(item: pytest.Item) -> None:
    BACKGROUND.pump()


def pytest_addoption(parser: pytest.Parser) -> None:
    shards.pytest_addoption(parser)


def pytest_sessionstart(session: pytest.Session) -> None:
    shards.begin(session.config)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    # After every other choice of tests: the runs of modules none of whose
    # tests run do not start ahead, and the tests may run in two
    # processes (shards.py).
    if not shards.configure(config, len(items)):
        BACKGROUND.allow(shards.module_name(item) for item in items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    BACKGROUND.end()


def _ignore(signum: int) -> None:
    signal.signal(signum, signal.SIG_IGN)


def _restore(environ: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(environ)


def bytecode_cache() -> str | None:
    """The folder of the suite's bytecode in the virtual environment it
    runs in, made if need be; None outside one, where it cannot be, or
    for a suite that tests run of their own (in a temporary folder, with
    no program beside it)."""
    if sys.prefix == sys.base_prefix or not os.path.isdir(PACKAGE):
        return None
    cache = os.path.join(sys.prefix, "sms-sim-bytecode")
    try:
        os.makedirs(cache, exist_ok=True)
    except OSError:
        return None
    return cache if os.access(cache, os.W_OK) else None


def pytest_configure(config: pytest.Config) -> None:
    # The suite starts the program in a hundred processes, and this one
    # imports the tests as pytest rewrites them: all share one cache of
    # bytecode, kept in the virtual environment from one session to the
    # next (or, outside one, in a folder of the session's own).  Under
    # PYTHONDONTWRITEBYTECODE each process would compile the whole program
    # again, and every session would rewrite and compile every test (3 s
    # of each session's 37 on this machine); without a cache of its own,
    # they would write into the project.
    cache = bytecode_cache()
    if cache is None:
        cache = tempfile.mkdtemp(prefix="sms-sim-bytecode-")
        config.add_cleanup(functools.partial(shutil.rmtree, cache, True))
    config.add_cleanup(functools.partial(_restore, dict(os.environ)))
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = cache
    # Compiled before any runs: else the first processes, started side by
    # side, each compile the whole program at once, on a busy machine for
    # longer than a test waits (a fresh clone's suite took 31 s, not 16).
    # This process reads and writes the cache too.
    for name, value in (("pycache_prefix", cache),
                        ("dont_write_bytecode", False)):
        config.add_cleanup(functools.partial(setattr, sys, name,
                                             getattr(sys, name)))
        setattr(sys, name, value)
    if os.path.isdir(PACKAGE):  # not in the suites tests run of their own
        compileall.compile_dir(PACKAGE, quiet=1)
    config.stash[COMPILED_BY] = time.time()
    # The tests signal the program as a terminal does, and its processes
    # keep what they were started ignoring (as under nohup).  A suite
    # started as a script's background job, which ignores SIGINT, or
    # under nohup would pass that on to them: they start as from a shell.
    for signum, wanted in ((signal.SIGINT, signal.default_int_handler),
                           (signal.SIGTERM, signal.SIG_DFL),
                           (signal.SIGHUP, signal.SIG_DFL)):
        if signal.getsignal(signum) == signal.SIG_IGN:
            signal.signal(signum, wanted)
            config.add_cleanup(functools.partial(_ignore, signum))
    config.addinivalue_line(
        "markers", f"time_limit(seconds): fail the test if it runs longer "
        f"(default {TIME_LIMIT_S:g} s)")
    config.addinivalue_line(
        "markers", "stress: slow, left out unless asked for (-m stress); "
        ".ci/run runs them")


@pytest.fixture(scope="session")
def watchdog() -> Iterator[Watchdog]:
    """The watchdog, and the handler of its signal, for the whole run."""
    dog = Watchdog()

    def expire(signum: int, frame: FrameType | None) -> None:
        pytest.fail(f"ran past its time limit of {dog.limit_s:g} s; the "
                    "stack of every thread then is in its stderr")

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        yield dog
    finally:
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def time_limit(request: pytest.FixtureRequest,
               watchdog: Watchdog) -> Iterator[None]:
    marker = request.node.get_closest_marker("time_limit")
    watchdog.start(TIME_LIMIT_S if marker is None else float(marker.args[0]))
    try:
        yield
    finally:
        watchdog.stop()
