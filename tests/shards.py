"""The suite in two processes at once (``--shards``).

The suite is most of its time on one core: tests run one after another.
With ``--shards 2`` (the default where there are two cores or more and a
hundred tests or more to run) a second pytest process starts as the
session does, collecting the same tests meanwhile.  Each takes the test
modules one at a time, claiming each by creating a file of its own in a
folder they share, so a module runs in one of them, whole, and the two
even out however long each module takes.  Modules go longest first, by
the last session's times in pytest's cache (a module's tests' and its
background runs'), so that the two end together, on short modules.  The
second process writes what its tests report to a file, and this one
reads it between its modules and reports it as its own: the dots, the
failures with their tracebacks, the counts, the slowest durations and
the exit status are the whole suite's.

A run that stops at a failure (``-x``), debugs (``--pdb``), only collects
or chooses tests by the cache (``--lf``, ``--sw``) runs in one process.
The runs a module asks for in the background (``background.py``) start
only in the process that claimed the module.
"""
from __future__ import annotations

import builtins
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections import deque
from collections.abc import Iterator
from typing import IO, Any, Protocol, TypeVar

import pytest

from tests.background import BACKGROUND

CLAIMS = "SMS_SIM_TEST_CLAIMS"
"""The environment's name for the folder of claims, in a second process.
"""
EVENTS = "SMS_SIM_TEST_EVENTS"
"""The environment's name for the file a second process reports to."""
AHEAD = 2
"""Modules a process claims ahead of the one it runs."""
LEAST_TESTS = 100
"""Fewer tests than this run in one process: a second one's start-up
(collecting the suite again) would cost more than it saves."""
SECONDS = "sms-sim/module-seconds"
"""The key of pytest's cache for how long each module took, last time."""
BY_CACHE = ("lf", "failedfirst", "newfirst", "stepwise", "stepwise_skip",
            "cacheclear", "cacheshow")
"""Options that choose or order the tests by pytest's cache (``--lf``,
``--ff``, ``--nf``, ``--sw``...), which the second process does not read:
a run with any of them runs in one."""
SHARDS = pytest.StashKey["Shards"]()
"""This process's share, once :func:`begin` has made it."""
POLL_S = 0.05
"""How often the first process reads the second's reports while it waits
for its end."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--shards", type=int, choices=(1, 2), default=None,
        help="processes to run the tests in: 2 (the default on two cores "
        "or more, for 100 tests or more) or 1")


class Named(Protocol):
    """What the order of modules needs of a test."""
    @property
    def nodeid(self) -> str: ...


T = TypeVar("T", bound=Named)


def module_of(item: Named) -> str:
    return item.nodeid.split("::", 1)[0]


def longest_first(groups: list[list[T]], seconds: dict[str, float]
                  ) -> list[list[T]]:
    """The modules' groups, those that took longest last time first (and
    those not timed yet before them): the two processes then end about
    together, each with short modules last."""
    return sorted(groups, key=lambda group: -seconds.get(
        module_of(group[0]), math.inf))


def module_name(item: pytest.Item) -> str:
    """The name its module was imported by: ``background.py``'s."""
    module = getattr(item, "module", None)
    return "" if module is None else module.__name__


class Shards:
    """One process's share of the modules, and in the first, the second
    process and what it reports."""

    def __init__(self, config: pytest.Config, claims: str,
                 events: str, first: bool) -> None:
        self._config = config
        self.first = first
        """Whether this is the first process, which reports the suite."""
        self._claims = claims
        self.events = events
        """The file the second process reports to."""
        self._second: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._reading: IO[str] | None = None
        self._partial = ""
        self._held: list[dict[str, Any]] = []
        """The second's events of a module it has not finished."""
        # How long each module took last time, which orders them (the
        # first process reads pytest's cache, and passes it on), and this
        # time (in the first process, from both processes' reports).
        timed = os.path.join(claims, "seconds.json")
        cache = getattr(config, "cache", None)  # None: -p no:cacheprovider
        self._cache = cache if first else None
        if first:
            self.seconds: dict[str, float] = \
                {} if cache is None else cache.get(SECONDS, {})
            with open(timed, "w", encoding="utf-8") as file:
                json.dump(self.seconds, file)
        else:
            with open(timed, encoding="utf-8") as file:
                self.seconds = json.load(file)
        self._took: dict[str, float] = {}

    def timed(self, report: pytest.TestReport) -> None:
        """Count ``report``'s time to its module's."""
        self.add({module_of(report): report.duration})

    def add(self, took: dict[str, float]) -> None:
        """Count these times to their modules': a module's time is its
        tests' and its runs' in the background, whose length is known, so
        that a module with long runs goes early, and its runs too."""
        for module, seconds in took.items():
            self._took[module] = self._took.get(module, 0.0) + seconds

    def start_second(self) -> None:
        """Start the second process, over the same tests."""
        config = self._config
        self._output = tempfile.TemporaryFile()
        env = {**os.environ, CLAIMS: self._claims, EVENTS: self.events}
        self._second = subprocess.Popen(
            [sys.executable, "-m", "pytest",
             *config.invocation_params.args, "-p", "no:cacheprovider"],
            cwd=config.invocation_params.dir, env=env,
            stdin=subprocess.DEVNULL, stdout=self._output,
            stderr=subprocess.STDOUT)

    def claimed(self, groups: list[list[pytest.Item]]
                ) -> Iterator[list[pytest.Item]]:
        """The groups this process claims, in the order given: each
        process takes the next one the other has not, and claims
        ``AHEAD`` groups ahead of the one it runs, so that their runs in
        the background start early, as in one process."""
        free = (index for index in range(len(groups)) if self._claim(index))
        ahead: deque[int] = deque()

        def claim_next() -> None:
            for index in itertools.islice(free, 1):
                ahead.append(index)
                BACKGROUND.allow(module_name(item) for item in groups[index])

        for _ in range(AHEAD + 1):
            claim_next()
        while ahead:
            index = ahead.popleft()
            claim_next()
            yield groups[index]

    def _claim(self, index: int) -> bool:
        """Whether this process has claimed group ``index``, which it does
        unless the other did first."""
        try:
            os.close(os.open(os.path.join(self._claims, str(index)),
                             os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def read(self, ended: bool = False) -> None:
        """Report what the second process reported since the last read, a
        module at a time: its tests' lines then stay together, between
        this process's modules (all it reported, once it has ``ended``)."""
        if self._reading is None:
            if not os.path.exists(self.events):
                return
            self._reading = open(self.events, encoding="utf-8")
        while chunk := self._reading.readline():
            self._partial += chunk
            if not self._partial.endswith("\n"):
                break  # the rest of the line is still being written
            self._held.append(json.loads(self._partial))
            self._partial = ""
            if "done" in self._held[-1]:
                self._replay()
        if ended:
            self._replay()

    def _replay(self) -> None:
        """Report the events held, as if they happened here."""
        hook = self._config.hook
        for event in self._held:
            if "report" in event:
                hook.pytest_runtest_logreport(
                    report=hook.pytest_report_from_serializable(
                        config=self._config, data=event["report"]))
            elif "jobs" in event:
                self.add(event["jobs"])
            elif "warning" in event:
                hook.pytest_warning_recorded.call_historic(kwargs={
                    "warning_message": _warning(event["warning"]),
                    "when": event["when"], "nodeid": event["nodeid"],
                    "location": None})
            elif "start" in event:
                hook.pytest_runtest_logstart(
                    nodeid=event["start"], location=tuple(event["location"]))
            elif "finish" in event:
                hook.pytest_runtest_logfinish(
                    nodeid=event["finish"],
                    location=tuple(event["location"]))
        self._held.clear()

    def finish(self) -> int | None:
        """Wait for the second process, reporting what it reports; its
        exit status if it ended other than with tests run or failed."""
        second = self._second
        if second is None:
            return None
        while True:
            self.read()
            try:
                second.wait(POLL_S)
            except subprocess.TimeoutExpired:
                continue
            break
        self.read(ended=True)
        if second.returncode in (pytest.ExitCode.OK,
                                 pytest.ExitCode.TESTS_FAILED,
                                 pytest.ExitCode.NO_TESTS_COLLECTED):
            return None
        assert self._output is not None
        self._output.seek(0)
        text = self._output.read().decode(errors="replace")
        self._config.get_terminal_writer().line(
            f"\nthe second process ended with status {second.returncode}:"
            f"\n{text}", red=True)
        return second.returncode

    def end(self) -> None:
        """Stop the second process if it still runs; remove the files."""
        if self._second is not None and self._second.poll() is None:
            self._second.kill()
            self._second.wait()
        for file in (self._output, self._reading):
            if file is not None:
                file.close()
        if self.first:
            shutil.rmtree(self._claims, ignore_errors=True)
        if self._cache is not None and self._took:
            self.add(BACKGROUND.seconds())
            self._cache.set(SECONDS, {**self.seconds, **self._took})
            self._cache = None  # once


class ShardPlugin:
    """The hooks of a run in two processes."""

    def __init__(self, config: pytest.Config, shards: Shards) -> None:
        self._config = config
        self._shards = shards
        self._log: IO[str] | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if session.testsfailed and not \
                session.config.option.continue_on_collection_errors:
            raise session.Interrupted(
                f"{session.testsfailed} error(s) during collection")
        shards = self._shards
        if not shards.first:
            self._log = open(shards.events, "a", encoding="utf-8")
        groups = longest_first(
            [list(group) for _, group in
             itertools.groupby(session.items, key=module_of)],
            shards.seconds)
        claimed = shards.claimed(groups)
        group = next(claimed, None)
        while group is not None:
            following = None
            for index, item in enumerate(group):
                if index + 1 < len(group):
                    nextitem: pytest.Item | None = group[index + 1]
                else:
                    following = next(claimed, None)
                    nextitem = None if following is None else following[0]
                item.config.hook.pytest_runtest_protocol(
                    item=item, nextitem=nextitem)
                if index + 1 == len(group):  # between modules
                    if shards.first:
                        shards.read()
                    else:
                        self._write({"done": module_of(item)})
                if session.shouldfail:
                    raise session.Failed(session.shouldfail)
                if session.shouldstop:
                    raise session.Interrupted(session.shouldstop)
            group = following
        if shards.first and shards.finish() is not None:
            session.testsfailed += 1  # the second's end is a failure
        return True

    def _write(self, event: dict[str, Any]) -> None:
        if self._log is not None:
            self._log.write(json.dumps(event) + "\n")
            self._log.flush()

    def pytest_runtest_logstart(self, nodeid: str,
                                location: tuple[str, int | None, str]
                                ) -> None:
        self._write({"start": nodeid, "location": list(location)})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self._shards.first:
            self._shards.timed(report)
        if self._log is not None:
            self._write({"report": self._config.hook.
                         pytest_report_to_serializable(
                             config=self._config, report=report)})

    def pytest_runtest_logfinish(self, nodeid: str,
                                 location: tuple[str, int | None, str]
                                 ) -> None:
        self._write({"finish": nodeid, "location": list(location)})

    def pytest_warning_recorded(self, warning_message: warnings.WarningMessage,
                                when: str, nodeid: str) -> None:
        # A warning, its category by name (one of Python's or pytest's): a
        # thread's unhandled exception in a test is one.
        message = warning_message
        self._write({"warning": {
            "category": message.category.__name__,
            "text": str(message.message), "filename": message.filename,
            "lineno": message.lineno},
            "when": when, "nodeid": nodeid})

    def pytest_sessionfinish(self) -> None:
        self._write({"jobs": BACKGROUND.seconds()})
        if self._log is not None:
            self._log.close()


def _warning(fields: dict[str, Any]) -> warnings.WarningMessage:
    """A warning the second process recorded, as the first reports it."""
    found = getattr(builtins, fields["category"], None) or \
        getattr(pytest, fields["category"], None)
    category = found if isinstance(found, type) and \
        issubclass(found, Warning) else UserWarning
    return warnings.WarningMessage(category(fields["text"]), category,
                                   fields["filename"], fields["lineno"])


def begin(config: pytest.Config) -> None:
    """Start the second process now, if the suite is to run in two, so
    that it collects the tests while this one does."""
    option = config.option
    if CLAIMS in os.environ:
        # Taken out: the processes this one starts are not shards.
        shards = Shards(config, os.environ.pop(CLAIMS),
                        os.environ.pop(EVENTS), first=False)
    else:
        wanted = option.shards
        if wanted is None:
            wanted = 2 if (os.cpu_count() or 1) >= 2 else 1
        if wanted < 2 or option.collectonly or option.usepdb \
                or option.maxfail or any(getattr(option, name, False)
                                         for name in BY_CACHE):
            return
        claims = tempfile.mkdtemp(prefix="sms-sim-claims-")
        shards = Shards(config, claims, os.path.join(claims, "events"),
                        first=True)
        shards.start_second()
    config.stash[SHARDS] = shards
    config.add_cleanup(shards.end)  # however the session ends


def configure(config: pytest.Config, tests: int) -> bool:
    """Run in two processes if :func:`begin` started the second and, unless
    asked for, there are enough tests for it to pay; whether it does."""
    shards = config.stash.get(SHARDS, None)
    if shards is None:
        return False
    if shards.first and tests < LEAST_TESTS and config.option.shards is None:
        shards.end()
        return False
    BACKGROUND.allow(())  # none but those of the modules claimed
    config.pluginmanager.register(ShardPlugin(config, shards),
                                  "sms-sim-shards")
    return True
