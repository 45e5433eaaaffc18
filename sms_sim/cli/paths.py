"""The files a run writes besides its output, the log and the report:
checked to be files of their own before either is opened, and the log
opened.
"""
from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Sequence
from typing import TextIO

from sms_sim.cli import specs
from sms_sim.model.carriers import Carrier
from sms_sim.model.config import SimulationConfig
from sms_sim.output.csvlog import CsvLog
from sms_sim.output.environment import Environment


def check_outputs(parser: argparse.ArgumentParser, log: str | None,
                  report: str | None, config: SimulationConfig,
                  env: Environment) -> None:
    """The log and the report each need a file of their own, checked
    before either is opened: not standard output or error, whose text they
    would mix with or replace; not a file of measurements the run read,
    which they would destroy; and not each other's.  A broken rule exits
    through ``parser.error``."""
    inputs = [latency.source for latency in
              (*(group.send for group in config.groups), config.carrier)
              if latency is not None and latency.source]
    for option, path, noun in (("--log", log, "log"),
                               ("--report", report, "report")):
        if path is None:
            continue
        if path == "-":
            parser.error(f"argument {option}: the {noun} needs a file of "
                         "its own, not the standard output (./- for a file "
                         "named -)")
        for name, stream in (("output", env.stdout), ("error", env.stderr)):
            if same_file(path, stream):
                parser.error(f"argument {option}: {specs.echo(path)} is "
                             f"also the standard {name}; give the {noun} a "
                             "file of its own")
        if any(_same_path(path, source) for source in inputs):
            parser.error(f"argument {option}: {specs.echo(path)} is a file "
                         f"of measurements the run reads; give the {noun} a "
                         "file of its own")
    if log is not None and os.path.isfile(log):
        from sms_sim.output.files import read_only  # see main.py
        if read_only(log):
            # as a report's: the log empties the file it is given
            parser.error(f"argument --log: {specs.echo(log)} is read-only")
    if report is not None:
        from sms_sim.output.files import check_writable  # see main.py
        reason = check_writable(report)
        if reason is None and log is not None and \
                os.path.realpath(log) == os.path.realpath(report):
            reason = "the same file as --log; give each its own"
        if reason is not None:
            parser.error(f"argument --report: {reason}")


def _same_path(path: str, other: str) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False  # one of them is not there (yet)


def open_log(parser: argparse.ArgumentParser, path: str | None,
             carrier: bool, routes: Sequence[str] = (),
             classes: tuple[str, ...] = (), receipts: bool = False,
             carriers: Sequence[Carrier] = (), errors: bool = False
             ) -> CsvLog | None:
    """The log, emptied; ``check_outputs`` has made sure it may be.
    ``classes``: the names of ``--traffic``'s classes, if any."""
    if path is None:
        return None
    try:
        return CsvLog.create(path, carrier, routes, classes, receipts,
                             carriers, errors)
    except OSError as error:
        parser.error(f"argument --log: cannot write {specs.echo(path)}: "
                     f"{CsvLog.reason(error)}")


def same_file(path: str, stream: TextIO | None) -> bool:
    """Whether ``path``, its links followed, is the file that ``stream``
    writes to, so that what one writes would mix with the other's: a
    file, a pipe or a terminal, not a sink such as /dev/null."""
    if stream is None:
        return False
    try:
        target, own = os.stat(path), os.fstat(stream.fileno())
    except (OSError, ValueError):
        return False  # no such file yet, or a stream that is no file
    return os.path.samestat(target, own) and (
        not stat.S_ISCHR(own.st_mode) or stream.isatty())
