"""A run's final figures: its last progress, and what only the end has."""
from __future__ import annotations

from dataclasses import dataclass

from sms_sim.measure.curve import Curve
from sms_sim.measure.histogram import Bin
from sms_sim.measure.progress import Progress


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How many messages had been sent, and had reached the phones, by a
    simulated moment named before the run (a check's or a target's),
    counted exactly."""

    at_s: float
    sent: int
    reached: int


@dataclass(frozen=True, slots=True)
class Summary(Progress):
    """The figures of a run that is over: a :class:`Progress` whose
    simulated time is the blast's duration, and what takes a pass over
    the histograms or exists only at the end.  Times are simulated,
    except ``max_lag_s``, which is real."""

    stopped: str | None = None
    """Why a run ended early: "interrupt" or "fault"; None otherwise."""
    max_lag_s: float = 0.0
    """The longest real time a result came out late."""
    min_s: float | None = None
    max_s: float | None = None
    p50_s: float | None = None
    p95_s: float | None = None
    p99_s: float | None = None
    distribution: tuple[Bin, ...] = ()
    delivery: tuple[float | None, ...] = ()
    """The simulated moment by which each of ``DELIVERY_SHARES`` of all
    messages had been sent, or None where that share never was."""
    last_sent_s: float | None = None
    attempts: tuple[tuple[int, int], ...] = ()
    """(attempts, messages) for every message with an outcome."""
    reached_at: tuple[float | None, ...] = ()
    """The simulated moment by which each of ``DELIVERY_SHARES`` of all
    messages had reached the phones."""
    last_reached_s: float | None = None
    curves: tuple[Curve, ...] = ()
    """The share of all messages sent by each simulated moment, the whole
    run's first, then each group's when there are several (and at most
    ``stats.GROUPS_FOLLOWED``)."""
    reached_curves: tuple[Curve, ...] = ()
    """With a carrier, the same for the phones reached."""
    checkpoints: tuple[Checkpoint, ...] = ()
    """The exact counts at each moment the run was asked to count them."""

    @property
    def interrupted(self) -> bool:
        return self.stopped == "interrupt"

    @property
    def eta_s(self) -> float | None:
        """None: the run is over."""
        return None

    def counted_at(self, at_s: float) -> Checkpoint:
        """The exact counts at ``at_s``, which must be one of the run's
        checkpoints: a moment between them was not counted exactly."""
        for checkpoint in self.checkpoints:
            if checkpoint.at_s == at_s:
                return checkpoint
        raise KeyError(f"the run counted nothing exactly at {at_s!r} s")
