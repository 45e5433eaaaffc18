"""The command line's plans: replications (``--runs``), a sweep
(``--sweep``), a target search (``--target`` with ``--solve``), a fit
(``--fit`` with ``--solve``) and a comparison (``--compare``), carried out
by ``sms_sim/plan`` and shown by the view, then as an HTML report."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sms_sim.cli.status import Ending, no_report, report_written
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SimulationConfig
from sms_sim.model.validation import ConfigError
from sms_sim.output import files
from sms_sim.output.html import pages
from sms_sim.output.plan_figures import PlanReport, PlanStatus, kept
from sms_sim.plan.cells import Cell
from sms_sim.plan.fit import Fit, fit
from sms_sim.plan.pool import Runs
from sms_sim.plan.replications import evaluate, replication_seeds
from sms_sim.plan.search import Search, solve
from sms_sim.plan.settings import configured, limit_of, with_value

if TYPE_CHECKING:
    from sms_sim.cli.options import Options
    from sms_sim.output.terminal.views import View


class _Progress:
    """Counts the runs that ended and reports, at most every interval, to
    the view."""

    def __init__(self, view: View, total: int | None, interval_s: float,
                 started_at: float) -> None:
        self._view = view
        self._total = total
        self._interval_s = interval_s
        self._started_at = started_at
        self._next = 0.0
        self.done = 0

    def one_done(self) -> None:
        self.done += 1
        self.tick()

    def tick(self, force: bool = False) -> None:
        elapsed = time.monotonic() - self._started_at
        if force or elapsed >= self._next:
            self._view.plan_progress(PlanStatus(self.done, self._total,
                                                elapsed))
            self._next = elapsed + self._interval_s


def labels(paths: Sequence[str]) -> tuple[str, ...]:
    """The scenarios' names in a comparison's tables: each file's name
    without its folder and extension (``a`` for ``plans/a.toml``), or its
    path as given where two names would be the same."""
    names = [os.path.splitext(os.path.basename(path))[0] or path
             for path in paths]
    if len(set(names)) < len(names):
        return tuple(paths)
    return tuple(names)


def allowed(config: SimulationConfig, name: str, value: float,
            spread_follows: bool) -> bool:
    """Whether setting ``name``'s rules take ``value`` in ``config``."""
    try:
        with_value(config, name, value, spread_follows)
    except ConfigError:
        return False
    return True


def run(options: Options, view: View, signalled: Callable[[], bool],
        started_at: float) -> Ending:
    """Carry out the plan the options ask for, show it, and write its
    report."""
    config = options.config
    assert config.seed is not None
    seeds = (replication_seeds(config.seed, options.runs) if options.runs
             else [config.seed])
    checkpoints = options.checkpoints
    sweep = options.sweep
    compared = options.compared
    kind = ("compare" if compared else "fit" if options.fit is not None
            else "target" if options.target is not None
            and options.solve is not None
            else "sweep" if sweep is not None else "replications")
    total = (len(seeds) * len(sweep.values) if sweep
             else len(seeds) * len(compared) if compared
             else None if kind in ("target", "fit") else len(seeds))
    progress = _Progress(view, total, config.interval_s, started_at)
    progress.tick(force=True)
    replications = kind == "replications"
    band = kind in ("replications", "compare") and \
        options.report is not None

    def ended(index: int, snap: Summary) -> Summary:
        """A run as it ends: counted, shown if JSON shows each
        replication, and kept as far as the report needs it."""
        progress.one_done()
        if replications:
            view.plan_run(index, snap, options.checks(snap))
        return kept(snap, index == 0, band)

    search: Search | None = None
    fitted: Fit | None = None
    with Runs(options.jobs, signalled, progress.tick) as runs:
        if kind in ("target", "fit"):
            assert options.solve is not None
            name = options.solve

            spread = options.spread_follows

            def try_values(values: list[float]) -> list[Cell]:
                return evaluate(runs, [with_value(config, name, v, spread)
                                       for v in values], values, seeds,
                                checkpoints, ended)

            start = configured(config, name)
            assert start is not None
            if options.fit is not None:
                fitted = fit(name, start, options.fit, try_values,
                             limit_of(name, config),
                             lambda: runs.interrupted,
                             lambda value: allowed(config, name, value,
                                                   spread))
                cells = list(fitted.cells)
            else:
                assert options.target is not None
                search = solve(name, start, options.target, try_values,
                               limit_of(name, config))
                cells = list(search.cells)
        elif compared:
            name = None
            cells = evaluate(runs, [own.config for _, own in compared],
                             [None] * len(compared), seeds, checkpoints,
                             ended)
        elif sweep is not None:
            name = sweep.name
            cells = evaluate(runs, [with_value(config, name, v,
                                               sweep.spread_follows)
                                    for v in sweep.values],
                             list(sweep.values), seeds, checkpoints,
                             ended)
        else:
            name = None
            cells = evaluate(runs, [config], [None], seeds, checkpoints,
                             ended)
        interrupted = runs.interrupted
        faults = [] if runs.fault is None else [runs.fault]
    # A comparison's scenarios each have their own checks.
    owners = ([own for _, own in compared] if compared
              else [options] * len(cells))
    checks = tuple((seed, tuple(own.checks(snap)))
                   for own, cell in zip(owners, cells)
                   for seed, snap in cell.runs)
    carrier = (all(own.config.carrier is not None for _, own in compared)
               if compared else config.carrier is not None)
    report = PlanReport(
        kind=kind, cells=tuple(cells), name=name, checks=checks,
        carrier=carrier,
        elapsed_s=time.monotonic() - started_at, speed=config.speed,
        base_seed=config.seed, target=options.target, search=search,
        interrupted=interrupted, per_value=len(seeds), planned=total,
        at=options.at, labels=labels([path for path, _ in compared]),
        fit=fitted, points=options.fit or ())
    view.plan_final(report)
    notes: tuple[str, ...] = ()
    if options.report is not None and interrupted:
        faults.append(no_report(options.report))
    elif options.report is not None:
        failed = files.write_report(options.report, pages.plan(
            report, config, options.command,
            json.dumps(options.scenario, indent=2)))
        faults += failed
        notes = () if failed else (report_written(options.report),)
    found = (search is None or search.answer is not None) and \
        (fitted is None or fitted.value is not None)
    return Ending(interrupted=interrupted,
                  ok=found and not report.failed_checks,
                  faults=tuple(faults), notes=notes)
