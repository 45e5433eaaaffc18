"""The search for the least value of a setting that meets a target: by
doubling (or halving) from its value, then narrowing the interval.

It runs nothing itself: a function it is given runs each round's values,
so the rounds, and the answer, depend only on the cells it is shown.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sms_sim.plan.cells import Cell
from sms_sim.plan.settings import base_name
from sms_sim.plan.target import Target

RATE_RESOLUTION = 0.01
"""A rate is found to 1%, or to ``MIN_RATE_STEP``, whichever is coarser."""
MIN_RATE_STEP = 0.1
POINTS_PER_ROUND = 3
"""Values a search round tries at once: each round divides the interval
left by four.  Fixed, not the number of workers, so that the values tried,
and the answer, are the same whatever ``--jobs``."""


@dataclass(frozen=True, slots=True)
class Search:
    """A target search's cells, in the order tried, and its answer."""

    cells: tuple[Cell, ...]
    answer: float | None
    """The least value that met the target; None if none did.  In an
    interrupted search, the least that met it so far, in every run."""
    reason: str = ""
    """Why there is no answer, or "interrupted" if the answer is one the
    search had not finished narrowing."""


def solve(name: str, start: float, target: Target,
          try_values: Callable[[list[float]], list[Cell]],
          limit: float) -> Search:
    """The least value of setting ``name`` that meets ``target``, by
    doubling (or halving) from ``start``, then narrowing: integers for
    ``senders``, rates to 1% or 0.1.  ``try_values`` runs the values of
    one round.  Assumes more of the setting never hurts."""
    tried: list[Cell] = []

    def round_of(values: list[float]) -> list[bool]:
        cells = try_values(values)
        tried.extend(cells)
        return [cell.met(target) for cell in cells]

    integer = base_name(name) == "senders"
    (start_met,) = round_of([start])
    low, high = (None, start) if start_met else (start, None)
    while (low is None or high is None) and not _interrupted(tried):
        if start_met:  # halving, down to the least value allowed
            assert high is not None
            values = _steps(high, 0.5, integer, limit)
        else:
            assert low is not None
            values = _steps(low, 2.0, integer, limit)
        if not values:
            break
        results = round_of(values)
        if start_met:
            failing = [v for v, ok in zip(values, results) if not ok]
            passing = [v for v, ok in zip(values, results) if ok]
            high = min(passing, default=high)
            if failing:
                low = max(failing)
        else:
            passing = [v for v, ok in zip(values, results) if ok]
            failing = [v for v, ok in zip(values, results) if not ok]
            if passing:
                high = min(passing)
            low = max([v for v in failing if high is None or v < high],
                      default=low)
            if high is None and not _interrupted(tried) and \
                    _stalled(tried):
                return Search(tuple(tried), None, "stalled")
    if high is None:
        if _interrupted(tried):
            return Search(tuple(tried), _least_met(tried, target),
                          "interrupted")
        return Search(tuple(tried), None, "limit")
    while low is not None and not _close(low, high, integer):
        values = _between(low, high, integer)
        results = round_of(values)
        passing = [v for v, ok in zip(values, results) if ok]
        failing = [v for v, ok in zip(values, results) if not ok]
        high = min(passing, default=high)
        low = max([v for v in failing if v < high], default=low)
        if _interrupted(tried):
            return Search(tuple(tried), _least_met(tried, target),
                          "interrupted")
    return Search(tuple(tried), high)


def _steps(value: float, factor: float, integer: bool,
           limit: float) -> list[float]:
    """The next values of a doubling (or halving) round, within bounds."""
    steps: list[float] = []
    for _ in range(POINTS_PER_ROUND):
        value = value * factor
        if integer:
            value = float(math.floor(value) if factor < 1
                          else math.ceil(value))
        low = 1.0 if integer else MIN_RATE_STEP / 10
        if value > limit or value < low or (steps and value == steps[-1]):
            break
        steps.append(value)
    return steps


def _between(low: float, high: float, integer: bool) -> list[float]:
    """Up to ``POINTS_PER_ROUND`` values evenly inside (low, high)."""
    parts = POINTS_PER_ROUND + 1
    values = [low + (high - low) * k / parts for k in range(1, parts)]
    if integer:
        values = sorted({float(round(v)) for v in values} - {low, high})
    return values


def _close(low: float, high: float, integer: bool) -> bool:
    if integer:
        return high - low <= 1
    return high - low <= max(RATE_RESOLUTION * high, MIN_RATE_STEP)


def _interrupted(cells: Sequence[Cell]) -> bool:
    return any(not cell.runs for cell in cells)


def _least_met(cells: Sequence[Cell], target: Target) -> float | None:
    """The least value whose runs all ended and all met ``target``: a
    value the interrupt cut short has not proved itself."""
    full = max((len(cell.runs) for cell in cells), default=0)
    return min((cell.value for cell in cells
                if cell.value is not None and full
                and len(cell.runs) == full and cell.met(target)),
               default=None)


def _stalled(cells: Sequence[Cell]) -> bool:
    """Whether doubling stopped helping: the last two values tried
    delivered exactly as many by the target, in every run."""
    if len(cells) < 2:
        return False
    last, before = cells[-1], cells[-2]
    return [(snap.checkpoints, [k.within for k in snap.classes])
            for _, snap in last.runs] == \
        [(snap.checkpoints, [k.within for k in snap.classes])
         for _, snap in before.runs]
