"""The reach curve: the share of all messages delivered by each simulated
moment, as data and as JSON (``chart.py`` draws it).

A curve is a few points joined by straight lines; before its first point
it has delivered nothing, and after its last it stays at its last share.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DELIVERY_SHARES = (0.5, 0.9, 0.95, 0.99, 1.0)
"""Shares of *all* messages whose delivery moment a final report gives."""
SHARES = DELIVERY_SHARES[:-1]
"""The shares whose crossing a chart marks: 50%, 90%, 95% and 99%."""
CURVE_POINTS = 100
"""Points of a run's reach curve: one per percent of all messages."""


@dataclass(frozen=True, slots=True)
class Curve:
    """Share of ALL messages delivered (0 to 1) by simulated moments (in
    seconds), as ``(time_s, share)`` points; both non-decreasing.  Points
    may share a time (a step).  ``label`` names the curve in a legend: a
    group, a sweep's value, "all"."""

    label: str
    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        last_t, last_share = 0.0, 0.0
        for t, share in self.points:
            if not (math.isfinite(t) and last_t <= t):
                raise ValueError(f"curve {self.label!r}: times must be "
                                 f"finite, >= 0 and non-decreasing: {t}")
            if not last_share <= share <= 1.0:
                raise ValueError(f"curve {self.label!r}: shares must be "
                                 f"non-decreasing, 0 to 1: {share}")
            last_t, last_share = t, share

    @property
    def end_s(self) -> float:
        """The moment of its last point; 0 for a curve with none."""
        return self.points[-1][0] if self.points else 0.0


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment to mark on a chart: the deadline, or a target's time."""

    label: str
    time_s: float


@dataclass(frozen=True, slots=True)
class Shade:
    """A stretch of time to shade on a chart: a route's outage."""

    label: str
    from_s: float
    to_s: float


@dataclass(frozen=True, slots=True)
class Band:
    """Replications' curves read at the same ``times``: the least, mean
    and greatest share delivered by each, over ``runs`` runs."""

    times: tuple[float, ...]
    low: tuple[float, ...]
    mean: tuple[float, ...]
    high: tuple[float, ...]
    runs: int


def curve_ranks(total: int, reached: int,
                points: int = CURVE_POINTS) -> tuple[int, ...]:
    """The ranks (1 for the first message delivered) whose moments make a
    curve of ``total`` messages of which ``reached`` were delivered: one
    per ``1 / points`` of all messages, so that the curve passes exactly
    through 50%, 90%, 95% and 99%, and the last delivery when that is
    short of all.  Ascending, without repeats (a few messages give fewer
    points); empty when none was delivered."""
    ranks = {min(math.ceil(k * total / points), reached)
             for k in range(1, points + 1)}
    return tuple(sorted(rank for rank in ranks if rank > 0))


def moment_ranks(total: int) -> tuple[int, ...]:
    """Every rank whose moment a summary of ``total`` messages may give,
    but the last delivered (the maximum, known exactly anyway): those of
    ``DELIVERY_SHARES`` and those of :func:`curve_ranks`.  The schedule
    ranks them exactly as it decides (``model/ranked.py``)."""
    shares = {max(1, math.ceil(share * total)) for share in DELIVERY_SHARES}
    return tuple(sorted(shares.union(curve_ranks(total, total))))


def reach_curve(label: str, total: int, ranks: Sequence[int],
                moments: Sequence[float | None]) -> Curve:
    """The curve whose points are ``(moments[i], ranks[i] / total)``: the
    moment of the message of each rank, as ``Histogram.at_ranks`` gives
    them for :func:`curve_ranks`.  A rank without a moment (never
    reached) adds no point."""
    return Curve(label, tuple((at, rank / total)
                              for rank, at in zip(ranks, moments)
                              if at is not None))


def share_at(curve: Curve, time_s: float) -> float:
    """The share the curve has delivered by ``time_s``: that of its last
    point at or before it, 0 before its first.  A curve steps at its
    points, each the moment its k-th message got there, as ``crossing``
    reads it (a line between two crossed 50% of five messages sent 10 s
    apart where none was sent, and where its legend did not say)."""
    after = bisect.bisect_right(curve.points, (time_s, math.inf))
    return curve.points[after - 1][1] if after else 0.0


def crossing(curve: Curve, share: float) -> float | None:
    """The first moment the curve has delivered ``share``, or None if it
    never does: the moment of its first point at or above it.  A point is
    the moment its k-th message got there, so this is the report's "p%
    by", the k-th message's moment, k = ceil(p * N), where the shares are
    points; not a moment on the line to it (a legend said "50% by 15 s"
    of five messages sent at 0, 10, 20, 30 and 40 s: none was at 15 s)."""
    return next((time_s for time_s, at in curve.points if at >= share),
                None)


def band(curves: Sequence[Curve], points: int = CURVE_POINTS) -> Band:
    """The band of replications' ``curves``: each read at ``points``
    moments evenly spaced from 0 to the latest curve's end."""
    if not curves:
        raise ValueError("a band needs at least one curve")
    end = max(curve.end_s for curve in curves)
    times = tuple(end * k / (points - 1) for k in range(points))
    columns = [[share_at(curve, t) for curve in curves] for t in times]
    return Band(times=times, low=tuple(map(min, columns)),
                mean=tuple(math.fsum(c) / len(c) for c in columns),
                high=tuple(map(max, columns)), runs=len(curves))


def curve_json(curve: Curve) -> list[list[float]]:
    """The points as ``[[time_s, share], ...]``, to the microsecond and to
    a millionth of a share, as the JSON summary's ``curve``."""
    return [[round(t, 6), round(share, 6)] for t, share in curve.points]


def marks(deadline_s: float | None,
          target: Mark | None) -> tuple[Mark, ...]:
    """The moments a run's curve marks: its deadline, and a target's time
    (``target`` is the target's own mark)."""
    found = []
    if deadline_s is not None:
        found.append(Mark("deadline", deadline_s))
    if target is not None:
        found.append(target)
    return tuple(found)


def upto(moments: Iterable[float | None], until_s: float
         ) -> tuple[float | None, ...]:
    """``moments``, each None where it falls after ``until_s``."""
    return tuple(None if at is None or at > until_s else at
                 for at in moments)
