"""The program's exit statuses (``status.py``): the README's table of exit
codes, one enum member per code; a signal's status; the rule from a run's
ending to its status; and the literals said before the enum can load."""
from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from sms_sim import __main__ as program
from sms_sim.cli.status import Ending, ExitStatus, exit_status

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def documented_codes() -> set[int]:
    """Every code in the first column of the README's table of them."""
    table = README[README.index("| code | meaning |"):]
    rows = table[:table.index("\n\n")].splitlines()[2:]
    return {int(code) for row in rows
            for code in re.findall(r"\d+", row.split("|")[1])}


def test_the_statuses_are_the_codes_the_readme_documents() -> None:
    assert {int(status) for status in ExitStatus} == documented_codes()


def test_the_statuses_keep_their_numbers() -> None:
    assert [(status.name, int(status)) for status in ExitStatus] == [
        ("OK", 0), ("FAULT", 1), ("USAGE", 2), ("CHECK_FAILED", 3),
        ("HANGUP", 129), ("INTERRUPTED", 130), ("CLOSED_PIPE", 141),
        ("TERMINATED", 143)]


@pytest.mark.parametrize("signum, status", [
    (signal.SIGHUP, 129), (signal.SIGINT, 130), (signal.SIGTERM, 143),
    (signal.SIGPIPE, 141)])
def test_a_signal_s_status_is_128_and_its_number(signum: int,
                                                 status: int) -> None:
    assert ExitStatus.of_signal(signum) == status == 128 + signum


def test_the_entry_s_literals_are_the_enum_s_numbers() -> None:
    # __main__ must stay readable by any Python, so it cannot import the
    # enum before it knows the Python is new enough.
    assert program.INTERRUPTED == ExitStatus.INTERRUPTED
    assert program.USAGE == ExitStatus.USAGE
    assert program.SIGNALLED + signal.SIGTERM == ExitStatus.TERMINATED


DONE = Ending(interrupted=False, ok=True)
FAILED = Ending(interrupted=False, ok=False)
FAULTY = Ending(interrupted=False, ok=False, faults=("Traceback\n",))
STOPPED = Ending(interrupted=True, ok=False)


@pytest.mark.parametrize("ending, signals, error, closed, status", [
    (DONE, [], None, False, ExitStatus.OK),
    (FAILED, [], None, False, ExitStatus.CHECK_FAILED),
    (FAULTY, [], None, False, ExitStatus.FAULT),
    (DONE, [], "No space left on device", False, ExitStatus.FAULT),
    (FAULTY, [], None, True, ExitStatus.CLOSED_PIPE),
    (STOPPED, [signal.SIGTERM, signal.SIGINT], None, False,
     ExitStatus.TERMINATED),
    # A signal as the run completes does not fail it ...
    (DONE, [signal.SIGINT], None, False, ExitStatus.OK),
    # ... but a write that failed after it is the signal's doing: a
    # closed terminal's SIGHUP.
    (DONE, [signal.SIGHUP], "Input/output error", False,
     ExitStatus.HANGUP),
    # Stopped short by nothing (a fault that went unnamed): a fault.
    (STOPPED, [], None, False, ExitStatus.FAULT),
    (STOPPED, [], None, True, ExitStatus.CLOSED_PIPE),
])
def test_the_status_of_an_ending(ending: Ending, signals: list[int],
                                 error: str | None, closed: bool,
                                 status: ExitStatus) -> None:
    assert exit_status(ending, signals, error, closed) is status
