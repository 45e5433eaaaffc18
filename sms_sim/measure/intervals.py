"""Summary statistics over replications: a mean with its 95% confidence
interval (Student's t), and the extremes.

Pure functions of the numbers given: no run, clock or output here.  The
Student's t quantile is computed from the regularized incomplete beta
function (a continued fraction), inverted by bisection, so nothing beyond
the standard library is needed.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CONFIDENCE = 0.95
"""The level of every interval a :class:`Stat` gives."""
_EPSILON = 1e-15
"""Where the continued fraction stops: its terms change the value by less
than this share of it."""
_TINY = 1e-300
"""Stands in for a zero denominator in Lentz's method."""
_MAX_TERMS = 1000
"""More than the continued fraction needs for any ``df`` up to 10^7 (it
converges in about sqrt(df) terms at worst); a bound, not a setting."""


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function at ``x``,
    by the modified Lentz method (Numerical Recipes' ``betacf``); it
    converges fast for ``x < (a + 1) / (a + b + 2)``."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        for numerator in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                          -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            result *= d * c
        if abs(d * c - 1.0) < _EPSILON:
            break
    return result


def _incomplete_beta(a: float, b: float, x: float, y: float) -> float:
    """The regularized incomplete beta function I_x(a, b), with ``y`` the
    exact ``1 - x`` (passed in, since ``1 - x`` rounded loses the digits
    that matter where ``x`` is near 1)."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log(y))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _continued_fraction(a, b, x) / a
    # The other side converges there: I_x(a, b) = 1 - I_y(b, a).
    return 1.0 - math.exp(log_front) * _continued_fraction(b, a, y) / b


def _upper_tail(t: float, df: int) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom, t >= 0."""
    denominator = df + t * t
    return 0.5 * _incomplete_beta(df / 2.0, 0.5, df / denominator,
                                  t * t / denominator)


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees
    of freedom: the ``t`` with P(T <= t) = p.  ``t_quantile(0.975, df)``
    is the factor of a two-sided 95% interval.

    Accurate to about 1e-9 relative: the tail probability is bisected to
    the last bits of ``t``.  Raises ValueError unless 0 < p < 1 and
    df >= 1."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    if df < 1:
        raise ValueError(f"df must be at least 1, got {df}")
    if p == 0.5:
        return 0.0
    if p < 0.5:  # the distribution is symmetric about 0
        return -t_quantile(1.0 - p, df)
    tail = 1.0 - p
    low, high = 0.0, 1.0
    while _upper_tail(high, df) > tail:
        low, high = high, high * 2.0
    # The tail falls as t grows: keep it above the target at ``low`` and
    # at or below it at ``high`` until they meet.
    while True:
        middle = (low + high) / 2.0
        if middle in (low, high):
            return high
        if _upper_tail(middle, df) > tail:
            low = middle
        else:
            high = middle


@dataclass(frozen=True, slots=True)
class Stat:
    """One figure over replications: its mean, the 95% confidence interval
    of that mean, and its extremes, over the runs that had a value.

    ``low`` and ``high`` bound the interval by Student's t with
    ``reached_in - 1`` degrees of freedom, within what the figure can be
    (a share's interval from few runs that vary would pass 100%, a time's
    go below 0).  With one value, or values all equal, ``low == high ==
    mean``.  ``reached_in`` is how many of the ``runs`` had a value: a
    delivery percentile that a run never reached is None in that run."""

    mean: float
    low: float
    high: float
    min: float
    max: float
    reached_in: int
    runs: int

    @classmethod
    def of(cls, values: Sequence[float | None],
           within: tuple[float, float] = (-math.inf, math.inf)
           ) -> Stat | None:
        """The statistic of one figure, one value per run (None where a
        run had none), or None when no run had a value; ``within``, the
        least and most the figure can be.

        The mean, interval and extremes are over the runs that had a value
        only: the figure's distribution among the runs that reached it.
        Counting a run that never reached a percentile as some time would
        make up a number; ``reached_in`` says how many runs the figures
        stand for instead.  Raises ValueError for a value that is not
        finite."""
        present = [value for value in values if value is not None]
        if not present:
            return None
        if not all(map(math.isfinite, present)):
            raise ValueError(f"values must be finite, got {present}")
        count = len(present)
        low_value, high_value = min(present), max(present)
        # fsum's exact sum divided can still round outside the values
        # (equal values whose mean comes out one unit off): keep it inside.
        mean = min(max(math.fsum(present) / count, low_value), high_value)
        if count == 1 or low_value == high_value:
            half = 0.0
        else:
            variance = math.fsum((value - mean) ** 2
                                 for value in present) / (count - 1)
            half = t_quantile(0.5 + CONFIDENCE / 2.0, count - 1) \
                * math.sqrt(variance / count)
        least, most = within
        return cls(mean=mean, low=max(mean - half, least),
                   high=min(mean + half, most),
                   min=low_value, max=high_value, reached_in=count,
                   runs=len(values))

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly on one side of 0: a difference
        the runs tell apart from none."""
        return self.low > 0.0 or self.high < 0.0

    def as_json(self, digits: int | None = None) -> dict[str, Any]:
        """``{"mean", "low", "high", "min", "max"}``, each rounded to
        ``digits`` decimals when given, and ``"reached_in"`` when some
        runs had no value (fewer than ``runs``)."""
        def rounded(value: float) -> float:
            return value if digits is None else round(value, digits)

        out: dict[str, Any] = {
            "mean": rounded(self.mean), "low": rounded(self.low),
            "high": rounded(self.high), "min": rounded(self.min),
            "max": rounded(self.max)}
        if self.reached_in < self.runs:
            out["reached_in"] = self.reached_in
        return out


def paired(first: Sequence[float | None], other: Sequence[float | None]
           ) -> Stat | None:
    """The statistic of ``other - first``, run by run: two scenarios run
    with the same seeds (common random numbers), each pair of runs
    differing only in the scenario.  Only pairs where both runs had a
    value count (``reached_in`` of ``runs``); None when none did.  The
    paired interval is far narrower than the two figures' own when the
    runs of a seed move together, which is what common seeds are for."""
    if len(first) != len(other):
        raise ValueError(f"pairs need as many values on each side, got "
                         f"{len(first)} and {len(other)}")
    return Stat.of([None if a is None or b is None else b - a
                    for a, b in zip(first, other)])
