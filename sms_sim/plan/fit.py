"""Calibration (``--fit``): the value of a setting whose runs pass
closest to observed points, ``(time, share sent by then)``, by the sum of
the squared differences.

A bracketed grid refined: a coarse grid over the setting's range, then
again and again the two values half a step either side of the best so
far, the step halved each round, down to a resolution.  Like the target
search, it runs nothing itself: a function it is given runs each round's
values (with the plan's seeds, the same for every value: common random
numbers make the error a smooth function of the value, not of the draws),
so the values tried, and the answer, depend only on the cells it is
shown, whatever ``--jobs``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sms_sim.plan.cells import Cell
from sms_sim.plan.settings import base_name
from sms_sim.plan.target import Target

SHARE_SETTINGS = ("fail", "permanent")
"""Settings that are shares, 0 to 1: fitted over that range."""
SHARE_GRID = 10
"""The first round over a share: 0, 0.1, ..., 1."""
SHARE_RESOLUTION = 1e-4
"""A share is fitted to a ten-thousandth."""
LOG_GRID = 5
"""The first round over any other setting: its value times 2^-5 to
2^5."""
LOG_RESOLUTION = 1e-3
"""Any other setting is fitted to a thousandth of itself (a count, to
one)."""


@dataclass(frozen=True, slots=True)
class Point:
    """An observed point: the share of all messages sent (reached, with
    a carrier) by simulated ``time_s``."""

    time_s: float
    share: float


@dataclass(frozen=True, slots=True)
class Fit:
    """A fit's cells, in the order tried, and its answer."""

    cells: tuple[Cell, ...]
    value: float | None
    """The value of least error among those whose runs all ended; None if
    none did."""
    error: float | None
    """The sum of the squared differences at ``value``."""


def shares_at(cell: Cell, points: Sequence[Point]) -> list[float]:
    """The share the cell's runs sent (reached) by each point's time,
    counted exactly: the mean over its runs."""
    return [math.fsum(Target(1.0, point.time_s).share_of(snap)
                      for _, snap in cell.runs) / len(cell.runs)
            for point in points]


def error_of(cell: Cell, points: Sequence[Point]) -> float:
    """The sum of the squared differences from the points."""
    return math.fsum((share - point.share) ** 2 for share, point in
                     zip(shares_at(cell, points), points))


def fit(name: str, start: float, points: Sequence[Point],
        try_values: Callable[[list[float]], list[Cell]], limit: float,
        stopped: Callable[[], bool],
        allowed: Callable[[float], bool] = lambda value: True) -> Fit:
    """The value of setting ``name`` whose runs pass closest to
    ``points``: a share over 0 to 1, a count over 1 to ``limit``, any
    other setting from ``start`` over a factor of 2^5 either way, up to
    ``limit``.  ``try_values`` runs a round's values; ``stopped`` says
    the runs were interrupted, which ends the fit with what it has;
    ``allowed`` says whether the setting's rules take a value (a uniform
    carrier delay's mean no less than its deviation): one they refuse is
    not tried."""
    scored: dict[float, float] = {}
    refused: set[float] = set()
    order: list[Cell] = []
    base = base_name(name)
    integer = base == "senders"
    share = base in SHARE_SETTINGS

    def value_of(u: float) -> float:
        """A point of the search, as the setting's value in its range."""
        value = u if share else math.exp(u)
        low, high = (0.0, 1.0) if share else (
            1.0 if integer else 0.0, limit)
        value = min(max(value, low), high)
        # To 12 digits: exp(log(8)) is 7.999999999999998, not the 8 given.
        return float(round(value)) if integer else float(f"{value:.12g}")

    def round_of(us: Sequence[float]) -> bool:
        """Run the round's values not yet tried; whether all ended."""
        fresh = {value_of(u) for u in us} - set(scored) - refused
        refused.update(value for value in fresh if not allowed(value))
        values = sorted(fresh - refused)
        if not values:
            return True
        cells = try_values(values)
        order.extend(cells)
        if stopped():
            return False
        for value, cell in zip(values, cells):
            scored[value] = error_of(cell, points)
        return True

    def best() -> float:
        return min(scored, key=lambda value: (scored[value], value))

    if share:
        grid: Sequence[float] = [k / SHARE_GRID
                                 for k in range(SHARE_GRID + 1)]
        step, resolution = 1 / SHARE_GRID, SHARE_RESOLUTION
    else:
        grid = [math.log(start) + k * math.log(2)
                for k in range(-LOG_GRID, LOG_GRID + 1)]
        step, resolution = math.log(2), LOG_RESOLUTION
    going = round_of(grid)
    while going and scored and step > resolution:
        step /= 2
        middle = best() if share else math.log(best())
        going = round_of([middle - step, middle + step])
    if integer and going and scored:  # rounding may have skipped these
        value = best()
        round_of([math.log(v) for v in (value - 1, value + 1) if v >= 1])
    if not scored:
        return Fit(tuple(order), None, None)
    return Fit(tuple(order), best(), scored[best()])
