"""The fleet's arithmetic: how one sender sends (``SenderProfile``), a
sender as the schedule's heap holds it (``Free``), and when a cap's next
slot comes, a sender is free again and a retry falls due.

The schedule (``schedule.py``) inlines the first three functions in its
loop, as calls would slow it; the tests check it against them.
"""
from __future__ import annotations

from dataclasses import dataclass

from sms_sim.model.config import SenderGroup
from sms_sim.model.latency import Draw
from sms_sim.model.route import ALWAYS_OPEN, Route


@dataclass(frozen=True, slots=True)
class SenderProfile:
    """How one sender sends: its group's settings, as a send applies them.
    """

    group: int
    """The index of its group."""
    low_s: float
    """Uniform sends only: the shortest, the mean less the deviation."""
    span_s: float
    """Uniform sends only: the longest less the shortest."""
    draw: Draw | None
    """Other shapes: a uniform draw to a send time (``Latency.draw``);
    None for uniform sends, which the schedule draws inline."""
    failure_rate: float
    gap_s: float
    """The least time between the starts of two of its sends (one over its
    ``tps`` cap); 0 without a cap."""
    route: Route = ALWAYS_OPEN
    """When its route lets it start, which attempts outages end."""

    @classmethod
    def of(cls, index: int, group: SenderGroup, route: Route = ALWAYS_OPEN
           ) -> SenderProfile:
        send = group.send
        uniform = send.shape == "uniform"
        return cls(index, send.mean_s - send.max_deviation_s,
                   2 * send.max_deviation_s, None if uniform else send.draw(),
                   group.failure_rate if group.errors is None
                   else group.failure_rate + group.errors.total,
                   0.0 if group.tps is None else 1 / group.tps, route)


Free = tuple[float, int, int, SenderProfile]
"""``(free_at_s, turn, index, profile)``: a sender, the simulated moment it
is next free, and its turn among senders free at that moment (the order
they were given back).  Turns are unique: a comparison never reaches the
profile."""


def next_slot_s(start_s: float, gap_s: float, slots: int = 1) -> float:
    """A cap's next slot after a start at ``start_s`` that took ``slots``
    of them: ``slots * gap_s`` later, ``gap_s`` being one over its rate (0
    without a cap, when every moment is a slot).  The account's cap
    (``max_rate``) and a sender's own (``tps``) alike."""
    return start_s + gap_s * slots


def next_free_s(start_s: float, done_s: float, gap_s: float,
                slots: int = 1) -> float:
    """When a sender whose send ran from ``start_s`` to ``done_s``, taking
    ``slots`` of its cap's, is free again: the later of that end and its
    own next slot (``gap_s`` is one over its ``tps`` cap)."""
    next_start_s = next_slot_s(start_s, gap_s, slots)
    return done_s if done_s > next_start_s else next_start_s


def earliest_start_s(free_at_s: float, slot_s: float) -> float:
    """The earliest a sender free at ``free_at_s`` may start: then, or at
    the account's next slot ``slot_s`` if that is later."""
    return free_at_s if free_at_s >= slot_s else slot_s


def retry_ready_s(done_s: float, jitter: float, ceiling_s: float) -> float:
    """When the retry after an attempt that failed at ``done_s`` falls
    due: ``jitter`` (in [0, 1]) of the way through its backoff window,
    whose longest wait is ``ceiling_s`` (``Backoff.ceiling_s`` of that
    attempt's number: the first retry waits out the first ceiling)."""
    return done_s + jitter * ceiling_s
