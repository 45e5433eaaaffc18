"""Pass/fail checks on a run's outcome, for CI and for planners."""
from __future__ import annotations

from dataclasses import dataclass

from sms_sim.measure.summary import Checkpoint, ClassCounts, Summary


def _percents(value: float, limit: float) -> tuple[str, str]:
    """``value`` and ``limit - value`` as percentages with two decimals, or
    as many more as it takes for a value that differs from the limit not
    to look equal to it: 94.99999% is not "95.00%" of a 95% limit."""
    for digits in range(2, 16):
        text = f"{value * 100:.{digits}f}"
        if value == limit or text != f"{limit * 100:.{digits}f}":
            break
    return text, f"{(limit - value) * 100:.{digits}f}"


@dataclass(frozen=True, slots=True)
class Goal:
    """What a check asks, as its option gave it: ``[CLASS:]P[@T]``."""

    share: float
    by_s: float | None = None
    """A moment of the run; for a class, a time from each message's
    arrival, as its other figures are."""
    klass: str | None = None
    """A ``--traffic`` class's name; None for all messages."""


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    value: float
    """Exact, not rounded: ``ok`` is ``value >= limit``, and a rounded
    value could equal the limit of a check that failed."""
    limit: float
    figure: str = "sent"
    """What ``value`` is the share of all messages that were: "sent", or
    "reached by 1200 s"."""
    klass: str | None = None
    """The class whose messages ``value`` is a share of; None: all."""

    def describe(self) -> str:
        """One line: whether the check passed, on what figure; a failure
        says by how much it fell short."""
        value, short = _percents(self.value, self.limit)
        limit = f"{self.limit * 100:.10g}%"
        whose = "messages" if self.klass is None else \
            f"{self.klass}'s messages"
        if self.ok:
            of = "" if self.klass is None else f"of {whose} "
            return (f"check {self.name} passed: {value}% {of}{self.figure} "
                    f"(limit {limit})")
        return (f"check {self.name} FAILED: {value}% of {whose} were "
                f"{self.figure}, below the {limit} required (short by "
                f"{short} percentage points)")


def min_delivered(snap: Summary, share: float, by_s: float | None = None
                  ) -> Check:
    """At least ``share`` of all messages sent (with a deadline, every
    send started within it; by simulated ``by_s``, if given, counted
    exactly at that moment)."""
    if by_s is None:
        sent, figure = snap.sent, "sent"
    else:
        sent, figure = snap.counted_at(by_s).sent, f"sent by {by_s:g} s"
    value = sent / snap.total if snap.total else 1.0
    return Check("min_delivered", value >= share, value, share, figure)


def min_reached(snap: Summary, share: float, by_s: float | None) -> Check:
    """At least ``share`` of all messages reached their phones (by
    simulated ``by_s``, if given, counted exactly at that moment)."""
    if by_s is None:
        reached, figure = snap.reached, "reached"
    else:
        reached = snap.counted_at(by_s).reached
        figure = f"reached by {by_s:g} s"
    value = reached / snap.total if snap.total else 1.0
    return Check("min_reached", value >= share, value, share, figure)


def min_confirmed(snap: Summary, share: float, by_s: float | None
                  ) -> Check:
    """At least ``share`` of all messages confirmed delivered: a
    ``delivered`` receipt back (by simulated ``by_s``, if given, counted
    exactly at that moment)."""
    if by_s is None:
        confirmed, figure = snap.confirmed or 0, "confirmed delivered"
    else:
        confirmed = snap.counted_at(by_s).confirmed
        figure = f"confirmed delivered by {by_s:g} s"
    value = confirmed / snap.total if snap.total else 1.0
    return Check("min_confirmed", value >= share, value, share, figure)


FIGURES = {"min_delivered": "sent", "min_reached": "reached",
           "min_confirmed": "confirmed delivered"}
"""Each check's figure, as a class's check names it."""


def of_class(name: str, snap: Summary, goal: Goal) -> Check:
    """The check ``name`` (one of ``FIGURES``) on the messages of the
    class ``goal.klass`` alone: the share of them sent (reached,
    confirmed), within ``goal.by_s`` of each one's arrival if given,
    counted exactly."""
    klass = next(k for k in snap.classes if k.name == goal.klass)
    if goal.by_s is None:
        counted: ClassCounts | Checkpoint = klass
        figure = FIGURES[name]
    else:
        counted = klass.counted_within(goal.by_s)
        figure = f"{FIGURES[name]} within {goal.by_s:g} s of arrival"
    count = {"min_delivered": counted.sent, "min_reached": counted.reached,
             "min_confirmed": counted.confirmed}[name]
    value = count / klass.messages if klass.messages else 1.0
    return Check(name, value >= goal.share, value, goal.share, figure,
                 goal.klass)
