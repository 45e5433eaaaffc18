"""A target: a share of all messages delivered by a simulated moment, and
whether a run met it.

Kept apart from the runs, so that the command line can read a target
without loading the simulation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sms_sim.measure.curve import Mark

if TYPE_CHECKING:
    from sms_sim.measure.summary import Summary


@dataclass(frozen=True, slots=True)
class Target:
    """``share`` of all messages delivered (reached, with a carrier) by
    simulated ``by_s``."""

    share: float
    by_s: float

    @property
    def mark(self) -> Mark:
        """Its moment as a chart marks it."""
        return Mark(f"target {self.share * 100:g}%", self.by_s)

    def count(self, snap: Summary) -> int:
        """The messages ``snap``'s run delivered (reached, with a carrier)
        by ``by_s``, counted exactly."""
        counted = snap.counted_at(self.by_s)
        return counted.reached if snap.carrier else counted.sent

    def share_of(self, snap: Summary) -> float:
        return self.count(snap) / snap.total if snap.total else 1.0

    def met(self, snap: Summary) -> bool:
        """Whether ``snap``'s run met it: every message has an outcome,
        and enough had them by ``by_s``."""
        return snap.unsent == 0 and \
            self.count(snap) >= self.share * snap.total
