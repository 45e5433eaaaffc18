"""What a fit (``--fit``) shows, in any medium: the values tried with
their error, and the observed points against the fitted curve."""
from __future__ import annotations

from sms_sim.output.plan_figures import PlanReport, value_text
from sms_sim.output.tables import Table
from sms_sim.output.text.units import moment_text, percent_text
from sms_sim.plan.cells import Cell
from sms_sim.plan.fit import error_of, shares_at


def fitted_cell(report: PlanReport) -> Cell | None:
    """The cell of the fitted value, if any."""
    if report.fit is None or report.fit.value is None:
        return None
    return next(cell for cell in report.cells
                if cell.value == report.fit.value and cell.runs)


def tried_table(report: PlanReport) -> Table:
    """A row per value tried, in order, with its squared error and its
    share by each point's time; a value the fit was interrupted in has
    none."""
    points = report.points
    name = report.name or ""
    return Table(
        (name, "squared error",
         *(f"by {moment_text(point.time_s)}" for point in points)),
        tuple((value_text(name, cell.value), f"{error_of(cell, points):.3g}",
               *(percent_text(share, 2)
                 for share in shares_at(cell, points)))
              for cell in report.cells
              if cell.runs and len(cell.runs) == report.per_value))


def points_table(report: PlanReport) -> Table:
    """A row per observed point: its share, the fitted value's, and the
    difference."""
    cell = fitted_cell(report)
    fitted = [None] * len(report.points) if cell is None \
        else shares_at(cell, report.points)
    return Table(
        ("time", "observed", "fitted", "difference"),
        tuple((moment_text(point.time_s), percent_text(point.share, 2),
               "-" if share is None else percent_text(share, 2),
               "-" if share is None else
               ("-" if share < point.share else "+")
               + percent_text(abs(share - point.share), 2))
              for point, share in zip(report.points, fitted)))
