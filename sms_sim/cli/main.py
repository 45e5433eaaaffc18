"""The program: the command line's options, a view, signals recorded, and
one run reported as it goes (``simulation.run``) or a plan of many
(``plans.py``), ended by the status that ``status.py`` gives.

The arguments are read by ``parser.py`` and ``options.py``; every line the
program writes goes to the streams of one ``Environment``, made here.
"""
from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence

from sms_sim.cli import signals
from sms_sim.cli.notes import rate_notes, shape_warnings
from sms_sim.cli.options import Options, parse_options
from sms_sim.cli.parser import build_parser
from sms_sim.cli.paths import open_log
from sms_sim.cli.status import (UNEXPLAINED_STOP, Ending, ExitStatus,
                                exit_status, no_report, report_written, say)
from sms_sim.measure.curve import marks
from sms_sim.output.csvlog import CsvLog
from sms_sim.output.environment import Environment
from sms_sim.output.terminal.views import View, make_view
from sms_sim.run import simulation, tuning
from sms_sim.run.channels import Stop
from sms_sim.run.stop import StopEvent


def main(argv: Sequence[str] | None = None,
         started_at: float | None = None,
         env: Environment | None = None) -> int:
    """The program; its exit status.  ``started_at``, a ``time.monotonic()``
    reading taken as the process started, makes the reported real time the
    process's own; ``env`` is where it writes (None: the process's standard
    streams)."""
    started_at = time.monotonic() if started_at is None else started_at
    env = Environment.of_process() if env is None else env
    prog = os.path.basename(sys.argv[0])
    parser = build_parser("python3 -m sms_sim" if prog == "__main__.py"
                          else prog, env)
    options = parse_options(parser, argv)
    if env.stdout is None:
        say(env.stderr, "sms-sim: cannot write the output: standard "
            "output is closed\n")
        return ExitStatus.FAULT
    if options.print_scenario:
        parser.write_out(json.dumps(options.scenario, indent=2) + "\n")
        return ExitStatus.OK
    for warning in shape_warnings(options.config):
        say(env.stderr, f"sms-sim: warning: {warning}\n")
    for note in rate_notes(options.config):
        say(env.stderr, f"sms-sim: note: {note}\n")
    config = options.config
    log = open_log(parser, options.log, config.carrier is not None,
                   [config.route_name(index)
                    for index in range(len(config.groups))]
                   if config.routed else (),
                   tuple(klass.name for klass in config.classes),
                   receipts=config.receipts is not None,
                   errors=any(group.errors for group in config.groups),
                   carriers=config.carriers)
    stop = StopEvent()
    view: View = make_view(options.json, on_closed=stop.set, env=env,
                           interval_s=options.config.interval_s)
    view.scenario(options.scenario)
    # Signals are handled until the status is known: one after the
    # report, with nothing left to stop, changes nothing (see __main__).
    with signals.recorded(view.abandon) as received:
        try:
            if options.plan:
                from sms_sim.cli import plans  # see _one_run
                with view.running():
                    # A closed output stops a plan as a signal does.
                    ending = plans.run(
                        options, view,
                        lambda: bool(received) or stop.is_set(), started_at)
            else:
                ending = _one_run(options, view, stop, log,
                                  lambda: bool(received), started_at)
        finally:
            view.close()
            if log is not None:
                log.close()
        for line in ending.faults + ending.notes:
            say(env.stderr, f"sms-sim: {line}")
        status = exit_status(ending, received, view.error, view.closed)
        if status == ExitStatus.FAULT and ending.interrupted and \
                not ending.faults and view.error is None:
            say(env.stderr, f"sms-sim: {UNEXPLAINED_STOP}")
        if status == ExitStatus.FAULT and view.error is not None:
            say(env.stderr, f"sms-sim: cannot write the output: "
                f"{view.error}\n")
    return status


def _one_run(options: Options, view: View, stop: Stop,
             log: CsvLog | None, signalled: Callable[[], bool],
             started_at: float) -> Ending:
    """The run, reported as it goes; its checks; its HTML report."""
    config = options.config
    with view.running(), tuning.interpreter_tuned(config.num_senders):
        outcome = simulation.run(
            config, view.progress, stop=stop, signalled=signalled,
            checkpoints=options.checkpoints,
            sink=None if log is None else log.write,
            started_at=started_at)
    snap = outcome.snapshot
    checks = options.checks(snap)
    target = options.target
    view.final(snap, checks, marks(
        config.gateway.deadline_s, None if target is None else target.mark))
    faults = list(outcome.faults)
    notes: tuple[str, ...] = ()
    if options.report is not None and snap.stopped is None:
        # Imported only for a report, as the plans are: a run of the
        # command line that needs neither starts faster without them.
        from sms_sim.output import files
        from sms_sim.output.html import pages
        failed = files.write_report(options.report, pages.one_run(
            snap, config, options.command, checks, options.target,
            json.dumps(options.scenario, indent=2)))
        faults += failed
        notes = () if failed else (report_written(options.report),)
    elif options.report is not None and snap.interrupted:
        faults.append(no_report(options.report))
    return Ending(interrupted=snap.interrupted,
                  ok=all(check.ok for check in checks), faults=tuple(faults),
                  notes=notes)
