"""A plan as text: its status line as it goes, the line a terminal
redraws, and its closing report (a table of the runs' figures and the
verdicts), for a width (None: never wrapped) and a style."""
from __future__ import annotations

from collections.abc import Sequence

from sms_sim.output.compare_figures import compare_table, differences_table
from sms_sim.output.fit_figures import points_table, tried_table
from sms_sim.output.plan_figures import (PlanReport, PlanStatus, plan_table,
                                         replications_table)
from sms_sim.output.tables import Table
from sms_sim.output.text.style import Style, fit, visible_width, wrap
from sms_sim.output.text.units import (count_text, duration_text,
                                       moment_text, speed_text)
from sms_sim.plan.cells import Cell


def status_line(status: PlanStatus) -> str:
    """One plain line per interval, for logs and pipes."""
    of = f"/{count_text(status.total)}" if status.total else ""
    share = (f" ({status.done * 100 / status.total:.0f}%)"
             if status.total else "")
    return (f"[{duration_text(status.elapsed_s):>7}] runs "
            f"{count_text(status.done)}{of}{share}  eta "
            f"{duration_text(status.eta_s)}")


def status_frame(status: PlanStatus, width: int, style: Style) -> str:
    """The line a terminal redraws: a bar of the runs done, the count and
    the ETA; as many whole fields as fit ``width``, cut only on a
    terminal narrower than the first."""
    fields = [f"runs {count_text(status.done)}"
              + (f"/{count_text(status.total)}" if status.total else ""),
              f"elapsed {duration_text(status.elapsed_s)}",
              f"eta {style.bold(duration_text(status.eta_s))}"]
    room = max(0, min(40, width - visible_width("  ".join(fields)) - 10))
    done = round(room * status.done / status.total) if status.total else 0
    full, empty = ("\u2588", "\u2591") if style.unicode else ("#", "-")
    bar = style.paint(full * done, "green") + style.dim(empty * (room - done))
    head = f"{style.bold('sms-sim')} {bar} {fields[0]}"
    return fit(wrap("", [head, *fields[1:]], width, sep="  ")[0], width)


def plan_lines(report: PlanReport, width: int | None,
               style: Style) -> list[str]:
    """The closing report: a title, the figures and the verdicts."""
    lines = wrap(style.bold(f"SMS alert simulation: {_title(report)}: "),
                 [f"{duration_text(report.elapsed_s)} real at "
                  f"{speed_text(report.speed)}",
                  f"base seed {report.base_seed}"],
                 width, indent=2, sep=", ")
    if report.kind == "replications" and report.cells:
        lines += _replications(report.cells[0], report.carrier, width,
                               report.at)
    elif report.kind == "fit":
        lines += _aligned(tried_table(report), width)
        lines += ["", *_aligned(points_table(report), width)]
    elif report.kind == "compare":
        lines += _aligned(compare_table(report), width)
        if len(report.cells) > 1:
            lines += ["", *_aligned(differences_table(report), width)]
    else:
        table = plan_table(report)
        # Interrupted before any value ran: a line, not a bare heading.
        lines += _aligned(table, width) if table.rows else [
            f"  interrupted before any value of {report.name} finished"]
    return lines + [line for note in report.notes()
                    for line in wrap("  ", note.split(" "), width, sep=" ")]


def _title(report: PlanReport) -> str:
    what = {"replications": f"{count_text(report.runs)} runs",
            "sweep": f"a sweep of {report.name} over "
                     f"{count_text(len(report.cells))} values",
            "target": f"a search for the least {report.name}",
            "fit": f"a fit of {report.name} to "
                   f"{count_text(len(report.points))} point"
                   f"{'s' if len(report.points) > 1 else ''}",
            "compare": f"{count_text(len(report.labels))} scenarios "
                       f"compared, {count_text(report.per_value)} "
                       f"run{'s' if report.per_value > 1 else ''} each"
            }[report.kind]
    return what + (" (interrupted)" if report.interrupted else "")


def _replications(cell: Cell, carrier: bool, width: int | None,
                  at: float | None) -> list[str]:
    """The replications' table; then the seeds of the runs at both ends
    of the duration."""
    lines = _aligned(replications_table(cell, carrier, at), width)
    if cell.runs:
        by_duration = sorted(cell.runs, key=lambda run: run[1].sim_elapsed_s)
        (fast, quick), (slow, slowest) = by_duration[0], by_duration[-1]
        lines += wrap("  ", [
            f"shortest run: seed {fast} ({moment_text(quick.sim_elapsed_s)})",
            f"longest: seed {slow} ({moment_text(slowest.sim_elapsed_s)})",
            "repeat one alone with --seed"], width, sep=";  ")
    return lines


def _aligned(table: Table, width: int | None) -> list[str]:
    """The table in aligned columns, the first left; too wide for
    ``width``, each row becomes lines of "heading value" fields instead,
    so no figure is cut."""
    rows: Sequence[Sequence[str]] = [table.headers, *table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                              for i, (cell, w) in
                              enumerate(zip(row, widths))).rstrip()
             for row in rows]
    if width is None or all(len(line) <= width for line in lines):
        return lines
    lines = []
    for row in table.rows:
        lines += wrap(f"  {row[0]}: " if row[0] else "  ", [
            f"{heading} {cell}"
            for heading, cell in zip(table.headers[1:], row[1:]) if cell],
            width, indent=4)
    return lines
