"""Distributions of simulated durations: how long a send takes, and how long
the carrier then takes to hand the message to the phone.

Every duration is drawn by inverse transform from one uniform draw in
[0, 1) that the message's own bits give (``message.py``), so a seed fixes
it whatever thread draws it.  The shapes:

- ``uniform``: the mean, plus or minus up to ``max_deviation_s`` (the
  brief's "random period of time distributed around a configurable mean");
- ``normal``: the mean and standard deviation, truncated at 0 (which moves
  the mean by less than 0.2% while the deviation is at most a third of the
  mean, and doubles it with a deviation twice the mean: ``drawn_mean_s``
  says by how much);
- ``exponential``: the mean alone;
- ``lognormal``: the mean and standard deviation of the duration itself,
  not of its logarithm;
- ``empirical``: measured durations, sampled with linear interpolation
  between the sorted measurements, each at the middle of its own share of
  the draws (the ``k``-th of ``n`` at ``(k + 1/2) / n``), the smallest and
  the largest held over the first and last half share: the draws keep the
  file's mean exactly, and its least and greatest values.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sms_sim.model.message import DRAW_UNIT
from sms_sim.model.validation import (HORIZON, HORIZON_S, ConfigError,
                                      check_seconds)

if TYPE_CHECKING:
    from statistics import NormalDist

SHAPES = ("uniform", "normal", "exponential", "lognormal", "empirical")
DEFAULT_SPREAD = 0.5
"""A uniform deviation, or a normal or lognormal sd, not given: this
share of the mean."""
MIN_MEASUREMENTS = 2
TABLE_POINTS = 10_001
"""Most points an empirical table keeps: a larger file is reduced to this
many of its own quantiles (interpolated exactly between its sorted
values), so memory stays small and every quantile stays within a
hundredth of a percent of the file's."""

Draw = Callable[[float], float]
"""A uniform draw in [0, 1) to a duration in simulated seconds."""


@dataclass(frozen=True, slots=True)
class Latency:
    """A distribution of simulated durations, valid by construction.  Use
    the class methods; each shape reads only its own fields."""

    shape: str
    mean_s: float
    max_deviation_s: float = 0.0
    """``uniform`` only: how far a duration may lie from the mean."""
    sd_s: float = 0.0
    """``normal`` and ``lognormal`` only: the standard deviation."""
    table: tuple[float, ...] = field(default=(), repr=False)
    """``empirical`` only: the measurements, sorted (see ``TABLE_POINTS``).
    """
    source: str = ""
    """``empirical`` only: where the measurements came from."""

    @classmethod
    def uniform(cls, mean_s: float, max_deviation_s: float) -> Latency:
        return cls("uniform", mean_s, max_deviation_s=max_deviation_s)

    @classmethod
    def normal(cls, mean_s: float, sd_s: float) -> Latency:
        return cls("normal", mean_s, sd_s=sd_s)

    @classmethod
    def exponential(cls, mean_s: float) -> Latency:
        return cls("exponential", mean_s)

    @classmethod
    def lognormal(cls, mean_s: float, sd_s: float) -> Latency:
        return cls("lognormal", mean_s, sd_s=sd_s)

    @classmethod
    def with_mean(cls, mean_s: float, shape: str = "uniform") -> Latency:
        """A ``shape`` about ``mean_s`` whose spread follows the mean: a
        uniform deviation, or a normal or lognormal standard deviation,
        of ``DEFAULT_SPREAD`` of it; the exponential has its mean alone.
        What a mean given without a spread means, wherever it is given.
        Not for the empirical shape, whose measurements fix its mean."""
        spread_s = mean_s * DEFAULT_SPREAD
        if shape == "uniform":
            return cls.uniform(mean_s, spread_s)
        if shape in ("normal", "lognormal"):
            return cls(shape, mean_s, sd_s=spread_s)
        return cls(shape, mean_s)

    @classmethod
    def empirical(cls, measurements: Sequence[float],
                  source: str = "") -> Latency:
        """From measured durations in any order; their mean is the mean."""
        ordered = sorted(measurements)
        if len(ordered) < MIN_MEASUREMENTS:
            raise ConfigError("table", f"at least {MIN_MEASUREMENTS} values",
                              len(ordered))
        table = tuple(_reduced(ordered, TABLE_POINTS))
        return cls("empirical", _table_mean(table), table=table,
                   source=source)

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ConfigError("shape", "one of " + ", ".join(SHAPES),
                              self.shape)
        check_seconds("mean_s", self.mean_s, positive=False)
        check_seconds("max_deviation_s", self.max_deviation_s,
                      positive=False)
        check_seconds("sd_s", self.sd_s, positive=False)
        if self.max_deviation_s and self.shape != "uniform":
            raise ConfigError("max_deviation_s", "0: a deviation is for the "
                              "uniform shape", self.max_deviation_s)
        if self.max_deviation_s > self.mean_s:
            # A deviation above the mean would have to clip negative times
            # to zero, and the mean would no longer be the mean.
            raise ConfigError("max_deviation_s",
                              f"<= the mean ({self.mean_s:g} s)",
                              self.max_deviation_s)
        if self.sd_s and self.shape not in ("normal", "lognormal"):
            raise ConfigError("sd_s", "0: a standard deviation is for the "
                              "normal and lognormal shapes", self.sd_s)
        if self.shape in ("normal", "lognormal") and self.sd_s and \
                not self.mean_s:
            raise ConfigError("sd_s", "0 with a mean of 0", self.sd_s)
        if (self.shape == "empirical") != bool(self.table):
            raise ConfigError("table", "measurements for the empirical "
                              "shape only", len(self.table))
        if self.table and not all(0 <= v <= HORIZON_S for v in self.table):
            raise ConfigError("table", f"seconds from 0 to {HORIZON}",
                              self.table)

    @property
    def shortest_s(self) -> float:
        """No duration is shorter: the draw of 0 (0 for the unbounded
        shapes, which reach down to it)."""
        return self.draw()(0.0) if self.shape in ("uniform", "empirical") \
            else 0.0

    @property
    def longest_s(self) -> float:
        """No duration is longer: the draw of the largest uniform draw a
        message's bits can give (finite for every shape)."""
        return self.draw()(1.0 - DRAW_UNIT)

    @property
    def drawn_mean_s(self) -> float:
        """The mean of the durations drawn: ``mean_s``, but for a normal,
        whose truncation at 0 moves it up."""
        if self.shape != "normal" or not self.sd_s:
            return self.mean_s
        alpha, standard = -self.mean_s / self.sd_s, _normal()
        return self.mean_s + self.sd_s * standard.pdf(alpha) / (
            1.0 - standard.cdf(alpha))

    def draw(self) -> Draw:
        """The inverse transform: a uniform draw in [0, 1) to a duration.

        The unbounded shapes read the middle of the draw's 2**-32 slot, so
        that a draw of 0 is not the infinitely unlikely tail.
        """
        mean = self.mean_s
        if self.shape == "uniform":
            low, span = mean - self.max_deviation_s, 2 * self.max_deviation_s
            return lambda u: low + span * u
        if self.shape == "exponential":
            return lambda u: -mean * math.log1p(-(u + _HALF_SLOT))
        if self.shape == "empirical":
            return _interpolated(self.table)
        if not self.sd_s:
            return lambda u: mean
        if self.shape == "lognormal":
            sigma2 = math.log1p((self.sd_s / mean) ** 2)
            mu, sigma = math.log(mean) - sigma2 / 2, math.sqrt(sigma2)
            inv = _normal().inv_cdf
            return lambda u: math.exp(mu + sigma * inv(u + _HALF_SLOT))
        return _truncated_normal(_normal(mean, self.sd_s))


_HALF_SLOT = DRAW_UNIT / 2
"""Half the step between two 32-bit draws."""


def _normal(mean: float = 0.0, sd: float = 1.0) -> NormalDist:
    """A normal distribution.  Its module, statistics (with the decimal
    and fractions it loads), is imported for the normal shapes alone: a
    run of the others starts without it."""
    from statistics import NormalDist
    return NormalDist(mean, sd)


def _truncated_normal(normal: NormalDist) -> Draw:
    """Inverse transform of ``normal`` truncated at 0: the draw is mapped
    into the part of the normal's range above 0, so no rejection loop and
    no clipping pile-up at 0."""
    below = normal.cdf(0.0)
    above = 1.0 - below
    inv = normal.inv_cdf
    return lambda u: max(0.0, inv(below + (u + _HALF_SLOT) * above))


def _interpolated(table: tuple[float, ...]) -> Draw:
    """The sorted ``table``'s ``k``-th value at the draw ``(k + 1/2) / n``,
    a straight line between two neighbours, flat beyond the first's and
    the last's.  Its mean is the table's: each value weighs ``1/(2n)`` at
    each end of its line, and the flat ends make up the rest.  (Lines from
    the first value at 0 to the last at 1 would weigh the two extremes
    half as much as the others: 13.4 ms of draws for a file averaging
    20.8 ms, where one slow value stood out.)"""
    count = len(table)
    last = count - 1

    def draw(u: float) -> float:
        position = u * count - 0.5
        if position <= 0.0:
            return table[0]
        index = int(position)
        if index >= last:
            return table[last]
        low = table[index]
        return low + (table[index + 1] - low) * (position - index)
    return draw


def _reduced(ordered: list[float], points: int) -> list[float]:
    """``ordered`` itself if short, else ``points`` of its quantiles, each
    at the middle of its share of the draws, as a draw would give them:
    their mean is the midpoint rule's of the file's draws."""
    if len(ordered) <= points:
        return ordered
    draw = _interpolated(tuple(ordered))
    return [draw((i + 0.5) / points) for i in range(points)]


def _table_mean(table: tuple[float, ...]) -> float:
    """The mean of the interpolated distribution: the table's own."""
    return math.fsum(table) / len(table)
