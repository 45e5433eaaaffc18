"""Pure formatting of many runs: replications, a sweep, a target search.

Like ``report.py``: lines of text for a width and a style, and JSON
objects; nothing here writes.  A *cell* is the runs of one configuration
(``cells.Cell``); its figures are each run's, or, over several runs,
their mean with its 95% interval (``intervals.Stat``).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sms_sim.measure.checks import Check
from sms_sim.measure.curve import DELIVERY_SHARES
from sms_sim.measure.intervals import Stat
from sms_sim.measure.summary import Summary
from sms_sim.output.report import (Style, clock_time, count, moment, percent,
                                   speed_text, summary_json, wrap)
from sms_sim.plan.cells import Cell
from sms_sim.plan.search import Search
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


def _delivered(index: int) -> Figure:
    return lambda snap: snap.delivery[index] if snap.delivery else None


def _reached(index: int) -> Figure:
    return lambda snap: snap.reached_at[index] if snap.reached_at else None


def _share(read: Callable[[Summary], int]) -> Figure:
    return lambda snap: read(snap) / snap.total if snap.total else None


def _percent(share: float) -> str:
    return percent(share, 2)


def columns(carrier: bool, target: Target | None = None) -> list[Column]:
    """The figures a plan reports of each run, in order: duration, the
    share delivered (reached, with a carrier) by a target's time, counted
    exactly, when each share of all messages was delivered (and reached),
    and the shares sent, failed and expired."""
    shares = DELIVERY_SHARES[:-1]
    cols = [Column("duration", "sim_elapsed_s", lambda s: s.sim_elapsed_s,
                   moment)]
    if target is not None:
        cols.append(Column(f"by {moment(target.by_s)}", "target_share",
                           lambda snap: target.share_of(snap), _percent,
                           1.0))
    cols += [Column(f"{share * 100:g}% by", f"p{share * 100:g}",
                    _delivered(i), moment) for i, share in enumerate(shares)]
    if carrier:
        cols += [Column(f"{share * 100:g}% reached", f"p{share * 100:g}",
                        _reached(i), moment)
                 for i, share in enumerate(shares)]
    return cols + [
        Column("sent", "sent_share", _share(lambda s: s.sent), _percent,
               1.0),
        Column("failed", "failed_share", _share(lambda s: s.failed),
               _percent, 1.0),
        Column("expired", "expired_share", _share(lambda s: s.expired),
               _percent, 1.0)]


def stat(cell: Cell, column: Column) -> Stat | None:
    return Stat.of([column.read(snap) for _, snap in cell.runs],
                   (0.0, column.most))


def cell_text(cell: Cell, column: Column) -> str:
    """The cell's figure: a run's own, or the mean and the half width of
    its interval; "-" where no run reached it, and a note where some."""
    figure = stat(cell, column)
    if figure is None:
        return "-"
    if figure.runs == 1:
        return column.show(figure.mean)
    half = (figure.high - figure.low) / 2
    text = f"{column.show(figure.mean)} +-" + (
        column.show(half) if half else "0")
    if figure.reached_in < figure.runs:
        text += f" ({figure.reached_in}/{figure.runs})"
    return text


@dataclass(frozen=True, slots=True)
class PlanReport:
    """A plan's outcome, to show as text or as JSON lines."""

    kind: str
    """"replications", "sweep" or "target"."""
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

    @property
    def runs(self) -> int:
        return sum(len(cell.runs) for cell in self.cells)

    @property
    def failed_checks(self) -> list[tuple[int, Check]]:
        return [(seed, check) for seed, checks in self.checks
                for check in checks if not check.ok]

    def lines(self, width: int | None, style: Style) -> list[str]:
        lines = wrap(style.bold(f"SMS alert simulation: {self._title()}: "),
                     [f"{clock_time(self.elapsed_s)} real at "
                      f"{speed_text(self.speed)}",
                      f"base seed {self.base_seed}"],
                     width, indent=2, sep=", ")
        if self.kind == "replications" and self.cells:
            lines += _replications(self.cells[0], self.carrier, width)
        else:
            lines += _table(self.cells, self.name or "", self.carrier,
                            self.target, width)
        return lines + [line for note in self.notes()
                        for line in wrap("  ", note.split(" "), width,
                                         sep=" ")]

    def notes(self) -> list[str]:
        """The verdicts, a line each: the checks over the runs, and a
        search's answer."""
        return self._check_lines() + (
            [self.answer()] if self.search is not None else [])

    def _title(self) -> str:
        what = {"replications": f"{count(self.runs)} runs",
                "sweep": f"a sweep of {self.name} over "
                         f"{count(len(self.cells))} values",
                "target": f"a search for the least {self.name}"}[self.kind]
        return what + (" (interrupted)" if self.interrupted else "")

    def _check_lines(self) -> list[str]:
        names = dict.fromkeys(check.name for _, checks in self.checks
                              for check in checks)
        # The checks come in the order of the cells' runs: each run's,
        # named by its value (in a sweep or search) and its seed.
        runs = [(f"{self.name}={value_text(self.name, cell.value)} "
                 if cell.value is not None else "") + f"seed {seed}"
                for cell in self.cells for seed, _ in cell.runs]
        lines = []
        for name in names:
            failed = [run for run, (_, checks) in zip(runs, self.checks)
                      for check in checks
                      if check.name == name and not check.ok]
            lines.append(
                f"check {name}: failed in {count(len(failed))} of "
                f"{count(len(self.checks))} runs"
                + (f" ({', '.join(failed[:5])}"
                   + (", ..." if len(failed) > 5 else "") + ")"
                   if failed else ""))
        return lines

    def answer(self) -> str:
        """The search's one line: the least value, or why there is none."""
        assert self.search is not None and self.target is not None
        goal = (f"{'reaches' if self.carrier else 'delivers'} "
                f"{self.target.share * 100:g}% by "
                f"{moment(self.target.by_s)}")
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
               "stalled": "(more of it stopped helping: another setting "
                          "holds the run back)",
               "interrupted": "before the search was interrupted"}
        return (f"answer: no value of {self.name} {goal}{every} "
                f"{why.get(self.search.reason, '')}".rstrip())

    def json(self) -> list[dict[str, Any]]:
        """The JSON lines: a run line per run (with replications), a line
        per value (a sweep, a search), then the summary."""
        cols = columns(self.carrier, self.target)
        objects: list[dict[str, Any]] = []
        checks = iter(self.checks)
        if self.kind == "replications":
            for cell in self.cells:
                for index, (_, snap) in enumerate(cell.runs):
                    objects.append({"event": "run", "index": index,
                                    **_run_json(snap, next(checks)[1])})
            if self.cells:
                objects.append({"event": "replications",
                                "runs": len(self.cells[0].runs),
                                "interrupted": self.interrupted,
                                **_cell_json(self.cells[0], cols)})
            return objects
        for cell in self.cells:
            if not cell.runs:
                continue  # a value the plan was interrupted before
            line: dict[str, Any] = {"event": "sweep", "name": self.name,
                                    "value": _json_value(self.name,
                                                         cell.value)}
            own = [next(checks)[1] for _ in cell.runs]  # its runs' checks
            if len(cell.runs) == 1:
                (_, snap), = cell.runs
                line.update(_run_json(snap, own[0]))
            else:
                line.update({"runs": len(cell.runs),
                             **_cell_json(cell, cols)})
            if self.target is not None:
                line["met"] = cell.met(self.target)
                if len(cell.runs) == 1:
                    line["target_share"] = self.target.share_of(
                        cell.runs[0][1])
            objects.append(line)
        if self.search is not None and self.target is not None:
            objects.append({"event": "target", "name": self.name,
                            "value": _json_value(self.name,
                                                 self.search.answer),
                            "share": self.target.share,
                            "by_s": self.target.by_s,
                            "met": self.search.answer is not None,
                            "interrupted": self.interrupted})
        return objects


def value_text(name: str | None, value: float | None) -> str:
    """A swept or searched value as its setting is written."""
    if value is None:
        return ""
    if name == "senders":
        return count(int(value))
    if name in ("tps", "max-rate"):
        return f"{value:.4g}/s"  # a search finds rates to 1%
    if name in ("deadline", "mean"):
        return moment(value)
    return f"{value:g}"


def _json_value(name: str | None, value: float | None) -> float | None:
    """A value as JSON gives it: whole for the settings that count."""
    if value is not None and name in ("senders", "retries"):
        return int(value)
    return value


def _run_json(snap: Summary, checks: Sequence[Check]) -> dict[str, Any]:
    """A run's summary, as one run's ``--json`` would end."""
    summary = summary_json(snap, checks)
    del summary["event"]
    return summary


def _cell_json(cell: Cell, cols: Sequence[Column]) -> dict[str, Any]:
    """``{"sim_elapsed_s": STAT, "delivery_s": {"p50": STAT, ...}, ...}``."""
    out: dict[str, Any] = {"seeds": [seed for seed, _ in cell.runs]}
    for column in cols:
        figure = stat(cell, column)
        value = None if figure is None else figure.as_json(6)
        if column.heading.endswith("% by"):
            out.setdefault("delivery_s", {})[column.key] = value
        elif column.heading.endswith("reached"):
            out.setdefault("reached_s", {})[column.key] = value
        else:
            out[column.key] = value
    return out


def _replications(cell: Cell, carrier: bool,
                  width: int | None) -> list[str]:
    """A row per figure: mean, 95% interval, min and max over the runs;
    then the seeds of the runs at both ends of the duration."""
    rows = [("", "mean", "95% interval", "min", "max")]
    for column in columns(carrier):
        figure = stat(cell, column)
        if figure is None:
            rows.append((column.heading, "-", "never", "-", "-"))
            continue
        show = column.show
        note = (f" ({figure.reached_in}/{figure.runs})"
                if figure.reached_in < figure.runs else "")
        rows.append((column.heading, show(figure.mean) + note,
                     f"{show(figure.low)} - {show(figure.high)}",
                     show(figure.min), show(figure.max)))
    lines = _aligned(rows, width)
    if cell.runs:
        by_duration = sorted(cell.runs, key=lambda run: run[1].sim_elapsed_s)
        (fast, quick), (slow, slowest) = by_duration[0], by_duration[-1]
        lines += wrap("  ", [
            f"shortest run: seed {fast} ({moment(quick.sim_elapsed_s)})",
            f"longest: seed {slow} ({moment(slowest.sim_elapsed_s)})",
            "repeat one alone with --seed"], width, sep=";  ")
    return lines


def _table(cells: Sequence[Cell], name: str, carrier: bool,
           target: Target | None, width: int | None) -> list[str]:
    """A row per value: its figures, and whether it met the target."""
    cols = columns(carrier, target)
    head = (name, *(c.heading for c in cols),
            *(["target"] if target else []))
    rows = [head] + [
        (value_text(name, cell.value),
         *(cell_text(cell, c) for c in cols),
         *(["met" if cell.met(target) else "not met"] if target else []))
        for cell in cells if cell.runs]  # none: interrupted before it
    return _aligned(rows, width)


def _aligned(rows: Sequence[Sequence[str]], width: int | None) -> list[str]:
    """Rows of cells in aligned columns, the first left; too wide for
    ``width``, each row becomes lines of "heading value" fields instead,
    so no figure is cut."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    table = ["  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                              for i, (cell, w) in
                              enumerate(zip(row, widths))).rstrip()
             for row in rows]
    if width is None or all(len(line) <= width for line in table):
        return table
    head, *body = rows
    lines = []
    for row in body:
        lines += wrap(f"  {row[0]}: " if row[0] else "  ", [
            f"{heading} {cell}" for heading, cell in zip(head[1:], row[1:])
            if cell], width, indent=4)
    return lines
