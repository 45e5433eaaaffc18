"""How the program ends: the exit statuses it may give, what a run or a
plan tells of its own end, the one rule from both to the status, and the
lines that say why on standard error.

The statuses are the README's table of exit codes; a shell, a script or CI
tells the endings apart by them alone.
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

SIGNALLED = 128
"""A status past this is the signal's number added to it, as a shell
reports a process that a signal ended."""


class ExitStatus(enum.IntEnum):
    """Every exit status of the program."""

    OK = 0
    """Completed, and every check passed."""
    FAULT = 1
    """A fault in a thread, or the output, log or report not written."""
    USAGE = 2
    """Bad arguments (argparse's own status for them), or a Python too
    old."""
    CHECK_FAILED = 3
    """A check failed in any run, or no value met the target."""
    HANGUP = SIGNALLED + 1
    """Stopped by SIGHUP: its terminal closed."""
    INTERRUPTED = SIGNALLED + 2
    """Stopped by SIGINT: Ctrl-C."""
    CLOSED_PIPE = SIGNALLED + 13
    """The output pipe was closed (``| head``): what a shell reports for a
    process that SIGPIPE ended, though this one ends on its own."""
    TERMINATED = SIGNALLED + 15
    """Stopped by SIGTERM."""

    @classmethod
    def of_signal(cls, signum: int) -> ExitStatus:
        """The status of a run that the signal ``signum`` stopped: SIGHUP,
        SIGINT or SIGTERM (whose numbers POSIX fixes, as the README's table
        has them)."""
        return cls(SIGNALLED + signum)


def no_report(path: str) -> str:
    """The line that says why an interrupted run or plan left ``path`` as
    it was: a report of part of it would pass for the whole."""
    return f"no report written to {path}: the run was interrupted\n"


def report_written(path: str) -> str:
    """The line that confirms the report: where to open it."""
    return f"report written to {path}\n"


@dataclass(frozen=True, slots=True)
class Ending:
    """What the command line needs of a run or a plan to exit as it
    should."""

    interrupted: bool
    ok: bool
    """Every check passed in every run, and a target search found its
    answer."""
    faults: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """Lines that are no fault, said on the error stream after the faults:
    the report written."""


def exit_status(ending: Ending, signals: Sequence[int],
                output_error: str | None, output_closed: bool) -> ExitStatus:
    """The status of a run or a plan that ended as ``ending`` says, after
    ``signals`` arrived (the first is the one that counts) and its output
    failed with ``output_error`` or was closed by its reader."""
    if signals and (ending.interrupted or output_error is not None):
        # A closed terminal signals SIGHUP as it fails the next write:
        # the failed write is the hangup's doing, not a fault.
        return ExitStatus.of_signal(signals[0])
    if output_error is not None:
        return ExitStatus.FAULT
    if output_closed:
        return ExitStatus.CLOSED_PIPE
    if ending.faults or ending.interrupted:
        # Stopped short with no signal and no closed output: something
        # stopped it that should not have, named or not.
        return ExitStatus.FAULT
    if not ending.ok:
        return ExitStatus.CHECK_FAILED
    return ExitStatus.OK


UNEXPLAINED_STOP = "the run stopped short with no signal to stop it and " \
    "no fault named\n"
"""Said of a run that :func:`exit_status` finds interrupted by nothing."""


def say(stream: TextIO | None, text: str) -> None:
    """Write to stderr if it can be written at all; never raise: the
    status says the rest."""
    try:
        if stream is not None:
            stream.write(text)
            stream.flush()
    except (OSError, ValueError):
        pass
