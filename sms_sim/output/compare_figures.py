"""What a comparison (``--compare``) shows, in any medium: each
scenario's figures, and each one's difference from the first's, taken run
by run over the seeds they share, with its paired 95% interval.

The scenarios run with the same seeds (common random numbers), so that a
seed's runs differ only in the scenario: the differences of its pairs
vary far less than either figure, and their interval is the narrower.
The text, the JSON and the HTML page all read them here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sms_sim.measure.intervals import Stat, paired
from sms_sim.output.plan_figures import Column, PlanReport, cell_text, columns
from sms_sim.output.tables import Table
from sms_sim.plan.cells import Cell


@dataclass(frozen=True, slots=True)
class Difference:
    """A figure of one scenario less the first's, over their pairs of
    runs; None where no pair had the figure."""

    label: str
    """The scenario."""
    column: Column
    stat: Stat | None


def _pairs_of(first: Cell, other: Cell, column: Column) -> Stat | None:
    """``column``'s paired differences: the runs are matched by seed, as
    an interrupt may leave one scenario with fewer runs than the first."""
    theirs = {seed: column.read(snap) for seed, snap in other.runs}
    pairs = [(column.read(snap), theirs[seed]) for seed, snap in first.runs
             if seed in theirs]
    return paired([a for a, _ in pairs], [b for _, b in pairs])


def differences(report: PlanReport) -> list[Difference]:
    """Each scenario after the first, each of its figures less the
    first's, in the order of the table's columns."""
    if not report.cells:
        return []
    first = report.cells[0]
    return [Difference(label, column, _pairs_of(first, cell, column))
            for label, cell in zip(report.labels[1:], report.cells[1:])
            for column in columns(report.carrier, report.target, report.at)]


def _signed(show: Callable[[float], str], value: float) -> str:
    """``value`` shown with its sign: a difference that is 0 is "+0"."""
    return ("-" if value < 0 else "+") + show(abs(value))


def compare_table(report: PlanReport) -> Table:
    """A row per scenario: its figures (over several runs, the mean and
    the half width of its interval), and whether it met the target."""
    cols = columns(report.carrier, report.target, report.at)
    target = report.target
    return Table(
        ("scenario", *(c.heading for c in cols),
         *(["target"] if target else [])),
        tuple((label + report.runs_text(cell),
               *(cell_text(cell, c) for c in cols),
               *(["met" if cell.met(target) else "not met"] if target
                 else []))
              for label, cell in zip(report.labels, report.cells)
              if cell.runs))


def differences_table(report: PlanReport) -> Table:
    """A row per scenario after the first and figure: its difference from
    the first's (the mean of the pairs'), the paired 95% interval, and
    whether that excludes 0 (with one run a pair, there is none)."""
    first = report.labels[0] if report.labels else ""
    rows = []
    for diff in differences(report):
        show = diff.column.show
        stat = diff.stat
        if stat is None:
            rows.append((f"{diff.label} - {first}", diff.column.heading,
                         "-", "-", "-"))
            continue
        one = stat.reached_in < 2
        note = (f" ({stat.reached_in}/{stat.runs})"
                if stat.reached_in < stat.runs else "")
        rows.append((
            f"{diff.label} - {first}", diff.column.heading,
            _signed(show, stat.mean) + note,
            "-" if one else
            f"{_signed(show, stat.low)} to {_signed(show, stat.high)}",
            "-" if one else "yes" if stat.excludes_zero else "no"))
    return Table(("", "figure", "difference",
                  "95% interval", "excludes 0"), tuple(rows))
