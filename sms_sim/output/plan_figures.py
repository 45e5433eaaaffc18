"""What a plan shows, in any medium: how far it has got, and its outcome
with the figures it reports of each run and its tables.

A *cell* is the runs of one configuration (``cells.Cell``); its figures
are each run's, or, over several runs, their mean with its 95% interval
(``intervals.Stat``).  The text, the JSON and the HTML page all read them
here, so that they never disagree.  A single run needs none of this: the
views import it only for a plan.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sms_sim.measure.checks import Check
from sms_sim.measure.curve import DELIVERY_SHARES
from sms_sim.measure.intervals import Stat
from sms_sim.measure.summary import Summary
from sms_sim.output.tables import Table
from sms_sim.output.text.units import (count_text, duration_text,
                                       moment_text, percent_text)
from sms_sim.plan.cells import Cell
from sms_sim.plan.fit import Fit, Point
from sms_sim.plan.search import Search
from sms_sim.plan.settings import base_name
from sms_sim.plan.target import Target

Figure = Callable[[Summary], "float | None"]


@dataclass(frozen=True, slots=True)
class Column:
    """A figure of a run, and how a table shows and names it."""

    heading: str
    key: str
    """Its JSON name."""
    read: Figure
    show: Callable[[float], str]
    most: float = math.inf
    """The most it can be (a share's 1); the least is 0 for all."""
    absent: str = "never"
    """What a run without the figure means: a moment never reached; a
    share of no messages, "-"."""

    def stat(self, cell: Cell) -> Stat | None:
        """This figure over the cell's runs."""
        return Stat.of([self.read(snap) for _, snap in cell.runs],
                       (0.0, self.most))


def _delivered(index: int) -> Figure:
    return lambda snap: snap.delivery[index] if snap.delivery else None


def _reached(index: int) -> Figure:
    return lambda snap: snap.reached_at[index] if snap.reached_at else None


def _confirmed(index: int) -> Figure:
    return lambda snap: snap.confirmed_at[index] if snap.confirmed_at \
        else None


def _share(read: Callable[[Summary], int]) -> Figure:
    return lambda snap: read(snap) / snap.total if snap.total else None


def _percent(share: float) -> str:
    return percent_text(share, 2)


def _share_by(moment: Target, key: str) -> Column:
    """The share delivered (reached, with a carrier) by ``moment``'s
    time, counted exactly; its share, a target's, is not read."""
    title = f"by {moment_text(moment.by_s)}" if moment.klass is None \
        else f"{moment.klass} in {duration_text(moment.by_s)}"
    return Column(title, key, moment.share_of, _percent, 1.0, "-")


def _class_after(name: str) -> Figure:
    def read(snap: Summary) -> float | None:
        klass = next((k for k in snap.classes if k.name == name), None)
        return None if klass is None or klass.after is None \
            else klass.after.p95_s
    return read


def class_names(cell: Cell) -> tuple[str, ...]:
    """The ``--traffic`` classes of a cell's runs (all have the same)."""
    return tuple(k.name for k in cell.runs[0][1].classes) if cell.runs \
        else ()


def confirmed_in(cells: Sequence[Cell]) -> bool:
    """Whether the runs of ``cells`` have receipts: a confirmed stage."""
    return any(snap.confirmed_at for cell in cells for _, snap in cell.runs)


def columns(carrier: bool, target: Target | None = None,
            at: float | None = None, classes: Sequence[str] = (),
            confirmed: bool = False) -> list[Column]:
    """The figures a plan reports of each run, in order: duration, the
    share delivered (reached, with a carrier) by a target's time and by
    ``at`` (``--at``), counted exactly, when each share of all messages
    was delivered (and reached, and with receipts, ``confirmed``), and
    the shares sent, failed and expired."""
    shares = DELIVERY_SHARES[:-1]
    cols = [Column("duration", "sim_elapsed_s", lambda s: s.sim_elapsed_s,
                   moment_text)]
    if target is not None:
        cols.append(_share_by(target, "target_share"))
    if at is not None and (target is None or at != target.by_s
                           or target.klass is not None):
        cols.append(_share_by(Target(1.0, at), "share_at"))
    cols += [Column(f"{share * 100:g}% by", f"p{share * 100:g}",
                    _delivered(i), moment_text)
             for i, share in enumerate(shares)]
    if carrier:
        cols += [Column(f"{share * 100:g}% reached", f"p{share * 100:g}",
                        _reached(i), moment_text)
                 for i, share in enumerate(shares)]
    if confirmed:
        cols += [Column(f"{share * 100:g}% confirmed", f"p{share * 100:g}",
                        _confirmed(i), moment_text)
                 for i, share in enumerate(shares)]
    # Each class's p95 from arrival to sent (JSON: classes.NAME).
    cols += [Column(f"{name} p95 after arrival", f"class:{name}",
                    _class_after(name), duration_text)
             for name in classes]
    return cols + [
        Column("sent", "sent_share", _share(lambda s: s.sent), _percent,
               1.0, "-"),
        Column("failed", "failed_share", _share(lambda s: s.failed),
               _percent, 1.0, "-"),
        Column("expired", "expired_share", _share(lambda s: s.expired),
               _percent, 1.0, "-")]


def kept(snap: Summary, first: bool, band: bool) -> Summary:
    """What a plan's report needs of a run, to keep of it while the plan
    goes on: all of a value's ``first`` run (whose histogram and attempts
    the page shows, and every field of which a sweep without ``--runs``
    writes); of the others, their figures (the counts are their groups'),
    and with ``band`` their main curves (the band of the replications'
    page)."""
    if first:
        return snap
    return dataclasses.replace(
        snap, distribution=(), attempts=(),
        curves=snap.curves[:1] if band else (),
        reached_curves=snap.reached_curves[:1] if band else ())


def cell_text(cell: Cell, column: Column) -> str:
    """The cell's figure: a run's own, or the mean and the half width of
    its interval; "-" where no run reached it, and a note where some."""
    figure = column.stat(cell)
    if figure is None:
        return "-"
    if figure.runs == 1:
        return column.show(figure.mean)
    half = (figure.high - figure.low) / 2
    # In the figure's own form even when 0: "+-0.00%" beside "+-0.20%".
    text = f"{column.show(figure.mean)} +-{column.show(half)}"
    if figure.reached_in < figure.runs:
        text += f" ({figure.reached_in}/{figure.runs})"
    return text


def value_text(name: str | None, value: float | None) -> str:
    """A swept or searched value as its setting is written."""
    if value is None:
        return ""
    name = None if name is None else base_name(name)
    if name == "senders":
        return count_text(int(value))
    if name in ("tps", "max-rate"):
        return f"{value:.4g}/s"  # a search finds rates to 1%
    if name in ("deadline", "mean", "down", "carrier-mean") and not value:
        return "0s"  # no outage, an arrival at 0
    if name in ("deadline", "mean", "down", "carrier-mean"):
        return moment_text(value)
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """How far a plan has got: runs done, of how many (None while a search
    does not know), in how much real time."""

    done: int
    total: int | None
    elapsed_s: float

    @property
    def eta_s(self) -> float | None:
        if not self.total or not self.done or self.done >= self.total:
            return None
        return self.elapsed_s * (self.total - self.done) / self.done


@dataclass(frozen=True, slots=True)
class PlanReport:
    """A plan's outcome, for the views and the HTML page to show."""

    kind: str
    """"replications", "sweep", "target", "fit" or "compare"."""
    cells: tuple[Cell, ...]
    name: str | None
    """The swept or searched setting."""
    checks: tuple[tuple[int, tuple[Check, ...]], ...]
    """Each run's seed and checks, in the order of the cells' runs (the
    values of a sweep share their seeds)."""
    carrier: bool
    elapsed_s: float
    speed: float
    base_seed: int
    target: Target | None = None
    search: Search | None = None
    interrupted: bool = False
    per_value: int = 1
    """The runs planned for each value (``--runs``, else 1)."""
    planned: int | None = None
    """The runs planned in all; None for a search, which does not know."""
    at: float | None = None
    """``--at``: the moment of a column of the share sent by it."""
    labels: tuple[str, ...] = ()
    """A comparison's scenarios, a name per cell."""
    fit: Fit | None = None
    points: tuple[Point, ...] = ()
    """A fit's observed points."""

    @property
    def runs(self) -> int:
        return sum(len(cell.runs) for cell in self.cells)

    def partial(self, cell: Cell) -> bool:
        """Whether the plan was interrupted before all of ``cell``'s runs
        ended (but not before all)."""
        return 0 < len(cell.runs) < self.per_value

    def runs_text(self, cell: Cell) -> str:
        """How many of ``cell``'s runs ended, where not all did."""
        return (f" ({len(cell.runs)}/{self.per_value} runs)"
                if self.partial(cell) else "")

    @property
    def failed_checks(self) -> list[tuple[int, Check]]:
        return [(seed, check) for seed, checks in self.checks
                for check in checks if not check.ok]

    def notes(self) -> list[str]:
        """The verdicts, a line each: the checks over the runs, and a
        search's answer."""
        return self._check_lines() + (
            [self.answer()] if self.search is not None else []) + (
            [self.fit_answer()] if self.fit is not None else [])

    def fit_answer(self) -> str:
        """A fit's one line: the value of least error, and the error."""
        assert self.fit is not None
        if self.fit.value is None or self.fit.error is None:
            return f"fit: interrupted before any value of {self.name} ran"
        rms = math.sqrt(self.fit.error / len(self.points))
        return (f"fit: {self.name} {value_text(self.name, self.fit.value)}"
                f" passes closest to the {count_text(len(self.points))} "
                f"point{'s' if len(self.points) > 1 else ''}: squared "
                f"error {self.fit.error:.3g}, {percent_text(rms, 2)} off "
                "on average (root mean square)"
                + (", before the fit was interrupted" if self.interrupted
                   else ""))

    def _check_lines(self) -> list[str]:
        names = dict.fromkeys(check.name for _, checks in self.checks
                              for check in checks)
        # The checks come in the order of the cells' runs: each run's,
        # named by its value (in a sweep or search) and its seed.
        runs = [self._cell_name(index, cell) + f"seed {seed}"
                for index, cell in enumerate(self.cells)
                for seed, _ in cell.runs]
        lines = []
        for name in names:
            failed = [run for run, (_, checks) in zip(runs, self.checks)
                      for check in checks
                      if check.name == name and not check.ok]
            lines.append(
                f"check {name}: failed in {count_text(len(failed))} of "
                f"{count_text(len(self.checks))} runs"
                + (f" ({', '.join(failed[:5])}"
                   + (", ..." if len(failed) > 5 else "") + ")"
                   if failed else ""))
        return lines

    def _cell_name(self, index: int, cell: Cell) -> str:
        """How a check's line names cell ``index``'s runs, before their
        seeds: by its scenario, or its value."""
        if self.labels:
            return f"{self.labels[index]} "
        if cell.value is not None:
            return f"{self.name}={value_text(self.name, cell.value)} "
        return ""

    def answer(self) -> str:
        """The search's one line: the least value, or why there is none."""
        assert self.search is not None and self.target is not None
        target = self.target
        goal = (f"{'reaches' if self.carrier else 'delivers'} "
                f"{target.share * 100:g}% " + (
                    f"by {moment_text(target.by_s)}" if target.klass is None
                    else f"of {target.klass} within "
                    f"{duration_text(target.by_s)} of arrival"))
        every = " in every run" if self.cells and \
            len(self.cells[0].runs) > 1 else ""
        value = self.search.answer
        if value is not None and self.search.reason == "interrupted":
            return (f"answer: interrupted; {self.name} "
                    f"{value_text(self.name, value)} is the least tried "
                    f"that {goal}{every}, not narrowed down")
        if value is not None:
            return (f"answer: {self.name} {value_text(self.name, value)} "
                    f"is the least that {goal}{every}")
        why = {"limit": "up to its limit",
               "stalled": f"(more of it stopped helping: {self._held()})",
               "interrupted": "before the search was interrupted"}
        return (f"answer: no value of {self.name} {goal}{every} "
                f"{why.get(self.search.reason, '')}".rstrip())

    def _held(self) -> str:
        """What holds a stalled search back: failures, when no run tried
        sent the target's share (more senders cannot send what fails),
        else some other setting."""
        assert self.target is not None
        most = max((snap.sent / snap.total for cell in self.cells
                    for _, snap in cell.runs if snap.total), default=1.0)
        if most >= self.target.share:
            return "another setting holds the run back"
        return (f"the most that can ever be sent is {percent_text(most)} "
                "of all messages, the rest failing or expiring")


def plan_table(report: PlanReport) -> Table:
    """A row per value of a sweep or a search, named by its value: its
    figures, and whether it met the target.  A value the plan was
    interrupted before has no row; one it cut short says how many of its
    runs ended."""
    name = report.name or ""
    cols = columns(report.carrier, report.target, report.at,
                   class_names(report.cells[0]) if report.cells else (),
                   confirmed_in(report.cells))
    target = report.target
    return Table(
        (name, *(c.heading for c in cols), *(["target"] if target else [])),
        tuple((value_text(name, cell.value) + report.runs_text(cell),
               *(cell_text(cell, c) for c in cols),
               *(["met" if cell.met(target) else "not met"] if target
                 else []))
              for cell in report.cells if cell.runs))


def replications_table(cell: Cell, carrier: bool,
                       at: float | None = None) -> Table:
    """A row per figure of the replications: mean, 95% interval, min and
    max over the runs, and how many reached a percentile if not all."""
    rows = []
    for column in columns(carrier, None, at, class_names(cell),
                          confirmed_in([cell])):
        figure = column.stat(cell)
        if figure is None:
            rows.append((column.heading, "-", column.absent, "-", "-"))
            continue
        show = column.show
        note = (f" ({figure.reached_in}/{figure.runs})"
                if figure.reached_in < figure.runs else "")
        rows.append((column.heading, show(figure.mean) + note,
                     f"{show(figure.low)} - {show(figure.high)}",
                     show(figure.min), show(figure.max)))
    return Table(("", "mean", "95% interval", "min", "max"), tuple(rows))
