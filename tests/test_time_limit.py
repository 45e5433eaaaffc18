"""The time limit of ``conftest.py``, in a pytest run of its own: a test
that hangs fails at its limit with every thread's stack, and the run goes
on."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from tests.background import BACKGROUND, suite_env

HANGING = '''\
import threading

import pytest

stuck = threading.Event()


@pytest.mark.time_limit(0.1)
def test_hangs() -> None:
    threading.Thread(target=stuck.wait, name="helper", daemon=True).start()
    stuck.wait()  # blocked, as a test waiting on a thread that hangs


def test_the_run_goes_on() -> None:
    pass


@pytest.mark.time_limit(30)
def test_in_time() -> None:
    threading.Event().wait(0.2)  # longer than the other's limit
'''


def hanging_suite(folder: Path) -> list[str]:
    """The suite above with this one's conftest, in ``folder``; the
    command that runs it there."""
    shutil.copy(Path(__file__).with_name("conftest.py"), folder)
    (folder / "tests").mkdir()  # what the conftest imports
    (folder / "tests" / "__init__.py").touch()
    for module in ("background.py", "forked.py", "shards.py"):
        shutil.copy(Path(__file__).with_name(module), folder / "tests")
    (folder / "test_hanging.py").write_text(HANGING)
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
            "test_hanging.py"]


HANGING_RUN = BACKGROUND.add(hanging_suite, env=suite_env(), in_folder=True)
"""Started ahead (see ``tests/background.py``)."""


def test_a_test_that_hangs_fails_at_its_limit_and_the_run_goes_on() -> None:
    done = HANGING_RUN.result()
    assert done.returncode == 1, done.stdout
    assert "1 failed, 2 passed" in done.stdout
    assert ("FAILED test_hanging.py::test_hangs - Failed: ran past its time "
            "limit of 0.1 s") in done.stdout
    # The stack of every thread: the test's, the one it waits for and the
    # watchdog's.
    stacks = done.stdout.split("Captured stderr call")[1]
    assert re.search(r'test_hanging\.py", line \d+ in test_hangs', stacks)
    assert len(re.findall(r"^(?:Current t|T)hread 0x", stacks, re.M)) == 3
