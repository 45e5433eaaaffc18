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
    from sms_sim.measure.summary import ClassCounts, Summary


@dataclass(frozen=True, slots=True)
class Target:
    """``share`` of all messages delivered (reached, with a carrier) by
    simulated ``by_s``; or, with ``klass``, of that ``--traffic`` class's
    messages, each within ``by_s`` of its arrival."""

    share: float
    by_s: float
    klass: str | None = None

    @property
    def mark(self) -> Mark | None:
        """Its moment as a chart marks it; none for a class's, whose time
        runs from each message's arrival."""
        if self.klass is not None:
            return None
        return Mark(f"target {self.share * 100:g}%", self.by_s)

    def count(self, snap: Summary) -> int:
        """The messages ``snap``'s run delivered (reached, with a carrier)
        by ``by_s``, counted exactly."""
        if self.klass is None:
            counted = snap.counted_at(self.by_s)
        else:
            counted = self._class(snap).counted_within(self.by_s)
        return counted.reached if snap.carrier else counted.sent

    def _class(self, snap: Summary) -> ClassCounts:
        return next(k for k in snap.classes if k.name == self.klass)

    def _of(self, snap: Summary) -> int:
        """The messages the share is of."""
        return snap.total if self.klass is None else \
            self._class(snap).messages

    def share_of(self, snap: Summary) -> float:
        whole = self._of(snap)
        return self.count(snap) / whole if whole else 1.0

    def met(self, snap: Summary) -> bool:
        """Whether ``snap``'s run met it: every message has an outcome,
        and enough had them by ``by_s``."""
        return snap.unsent == 0 and \
            self.count(snap) >= self.share * self._of(snap)
