"""A plan's cells: the runs of one configuration each, and how many runs
a cell may have.

A value, light to import: the command line checks ``--runs`` against its
bounds without loading the simulation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sms_sim.measure.summary import Summary
    from sms_sim.plan.target import Target

MIN_RUNS = 2
MAX_RUNS = 1000


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
