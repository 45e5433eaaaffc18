"""The suite in two processes (``shards.py``), in a pytest run of its own:
whichever process ran a test, the first reports it, its failure with its
message and its warnings, the counts are the whole suite's, and so is the
status."""
from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.background import BACKGROUND, suite_env
from tests.shards import longest_first

MODULES = 8
"""More than one process claims ahead (``shards.AHEAD``), so that each
runs some."""
MODULE = '''\
import os
import threading
import time
import warnings


def test_both_processes_run_tests() -> None:
    # Each module's first test waits until the other process has run one
    # too: the first claims a few modules ahead, and the second must start
    # and claim the rest while it waits.
    with open("pids", "a") as pids:
        pids.write(f"{{os.getpid()}}\\n")
    deadline = time.monotonic() + 20
    pause = threading.Event()
    while len(set(open("pids").read().split())) < 2:
        assert time.monotonic() < deadline, "one process ran alone"
        pause.wait(0.01)


def test_fails() -> None:
    warnings.warn("module {number} warns")
    assert {number} == 0, "module {number} fails"
'''


def sharded_suite(folder: Path) -> list[str]:
    """A suite of ``MODULES`` modules with this one's conftest, in
    ``folder``; the command that runs it there in two processes."""
    shutil.copy(Path(__file__).with_name("conftest.py"), folder)
    (folder / "tests").mkdir()  # what the conftest imports
    (folder / "tests" / "__init__.py").touch()
    for module in ("background.py", "forked.py", "shards.py"):
        shutil.copy(Path(__file__).with_name(module), folder / "tests")
    for number in range(1, MODULES + 1):
        (folder / f"test_{number}.py").write_text(
            MODULE.format(number=number))
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
            "--shards", "2", "-q", "-rf"]


SHARDED_RUN = BACKGROUND.add(sharded_suite, env=suite_env(), in_folder=True)
"""Started ahead (see ``tests/background.py``)."""


def test_the_first_process_reports_both_processes_tests() -> None:
    done = SHARDED_RUN.result()
    assert done.returncode == 1, done.stdout
    assert f"{MODULES} failed, {MODULES} passed" in done.stdout
    failed = re.findall(r"^FAILED test_(\d+)\.py::test_fails - "
                        r"AssertionError: module (\d+) fails", done.stdout,
                        re.M)
    assert sorted(int(module) for module, _ in failed) == \
        list(range(1, MODULES + 1))
    assert all(module == number for module, number in failed)
    # Each warning, in the summary of warnings.
    assert sorted(re.findall(r"UserWarning: module (\d+) warns",
                             done.stdout), key=int) == \
        [str(number) for number in range(1, MODULES + 1)]
    # Its dots and its Fs, one for each test.
    progress = "".join(re.findall(r"^([.F]+) *(?:\[ *\d+%\])?$",
                                  done.stdout, re.M))
    assert sorted(progress) == ["."] * MODULES + ["F"] * MODULES


@dataclass(frozen=True)
class Named:
    """Stands for a test, as the order of modules sees it."""
    nodeid: str


def test_the_modules_that_took_longest_last_time_go_first() -> None:
    groups = [[Named(f"{name}::test")] for name in ("a", "b", "c", "d")]
    ordered = longest_first(groups, {"a": 1.0, "b": 3.0, "d": 2.0})
    # Not timed yet ("c") first, as it may be long; then the longest.
    assert [group[0].nodeid for group in ordered] == \
        ["c::test", "b::test", "d::test", "a::test"]
