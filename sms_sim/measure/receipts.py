"""Delivery receipts as a run's results bring them: how many of each
final state, and when the delivered ones came back, the third stage
after *sent* (accepted by the SMSC) and *reached* (the phone had it).

``Stats`` keeps one of these in a run with receipts; its moments are
exact from the schedule's ranking, as the other stages' are.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from sms_sim.model.receipts import DELIVERED, NONE, STATES
from sms_sim.model.validation import at_most
from sms_sim.measure.curve import Curve
from sms_sim.measure.histogram import Histogram

PENDING = "pending"
"""A cut run's sent messages whose receipt was not back by the cut."""
MOMENTS = (1e-7, 1e9)
"""The span of the histogram of simulated moments: the horizon (as the
other stages')."""


class ReceiptTally:
    """Receipts counted by state, and the moments of the delivered ones.
    Only the monitor thread touches it, as ``Stats``."""

    def __init__(self, checkpoints: Sequence[float] = ()) -> None:
        self._counts = dict.fromkeys(STATES, 0)
        self.confirmed = Histogram(*MOMENTS)
        """The moments delivered receipts came back."""
        self._back = {state: self.confirmed if state == DELIVERED
                      else Histogram(*MOMENTS)
                      for state in STATES if state != NONE}
        """Each final state's moments back (``none`` never comes)."""
        self._checkpoints = tuple(at_most(at_s) for at_s in checkpoints)
        self.by_checkpoint = [0] * len(self._checkpoints)
        """Delivered receipts back by each checkpoint, counted exactly."""

    def add(self, receipts: Iterable[tuple[str, float | None]]) -> None:
        """Count receipts: ``(state, moment)`` of each sent message."""
        counts = self._counts
        back: dict[str, list[float]] = {state: [] for state in self._back}
        for state, at_s in receipts:
            counts[state] += 1
            if at_s is not None:
                back[state].append(at_s)
        for state, moments in back.items():
            self._back[state].add(moments)
        confirmed = back[DELIVERED]
        for index, upto_s in enumerate(self._checkpoints):
            self.by_checkpoint[index] += sum(at_s <= upto_s
                                             for at_s in confirmed)

    def counts(self, until_s: float = math.inf
               ) -> tuple[tuple[str, int], ...]:
        """``(state, messages)`` for each of ``STATES``: with ``until_s``
        (a run cut short), the receipts back by then (from their
        histograms: within half a percent, as a cut run's moments are),
        then ``pending``, those of sent messages not back, ``none``'s
        among them."""
        if until_s == math.inf:
            return tuple(self._counts.items())
        back = {state: round(histogram.count_upto(until_s))
                for state, histogram in self._back.items()}
        pending = sum(self._counts.values()) - sum(back.values())
        counted = [(state, back[state]) for state in STATES if state != NONE]
        return tuple(counted + [(PENDING, pending)] if pending else counted)

    def confirmed_by(self, sim_s: float) -> int:
        """Delivered receipts back by simulated ``sim_s``."""
        return round(self.confirmed.count_upto(sim_s))

    def fields(self, at_shares: tuple[float | None, ...],
               curves: tuple[Curve, ...], until_s: float) -> dict[str, Any]:
        """The summary's receipt fields, given the confirmed moments of
        the report's shares and the curves (``Stats`` ranks them as the
        other stages'), none after ``until_s``."""
        confirmed = self.confirmed
        return {"receipts": self.counts(until_s), "confirmed_at": at_shares,
                "last_confirmed_s": min(confirmed.max, until_s)
                if confirmed.count else None,
                "confirmed_curves": curves}
