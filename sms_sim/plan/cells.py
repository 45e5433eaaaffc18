"""A plan's cells: the runs of one configuration each (how many a cell
may have is in ``names.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sms_sim.measure.summary import Summary
    from sms_sim.plan.target import Target


@dataclass(frozen=True, slots=True)
class Cell:
    """The runs of one configuration: a value of a sweep or a search, or
    the whole plan when it is replications alone."""

    value: float | None
    """The swept or searched value; None for replications alone."""
    runs: tuple[tuple[int, Summary], ...]
    """``(seed, snapshot)`` of each run that ended whole, in seed order."""

    def met(self, target: Target) -> bool:
        """Whether every run met ``target``."""
        return bool(self.runs) and all(target.met(snap)
                                       for _, snap in self.runs)
