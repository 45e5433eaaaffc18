"""Traffic classes: messages that arrive when they arrive (``--traffic``).

A class is a *batch*, ``count`` messages arriving together at ``at_s``,
or a *stream*, arrivals at ``rate_per_s`` from ``from_s`` for ``for_s``:
Poisson (exponential gaps) or even (every ``1 / rate_per_s``).  Each
class draws its arrivals from a generator of its own, seeded from the
run's seed and the class's place, so a class's arrivals stay the same
whatever the other classes are, and a message's own draws are untouched.

Arrivals are made lazily, in order (:meth:`Traffic.arrivals`, a merge of
the classes' own orders, ties by class), so a stream of a million
messages takes no memory of its own.  A Poisson stream's count is known
only by drawing it: :meth:`Traffic.of` counts once, without keeping.
"""
from __future__ import annotations

import heapq
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat

from sms_sim.model.validation import HORIZON, HORIZON_S, ConfigError

POISSON = "poisson"
EVEN = "even"
ARRIVALS = (POISSON, EVEN)
STRICT = "strict"
WEIGHTED = "weighted"
PRIORITIES = (STRICT, WEIGHTED)
"""How senders choose among the classes ready: the most urgent first, or
in proportion to their weights (``--priority``)."""
LEAST_URGENT = 9
"""Priorities run from 0, the most urgent (as SMPP's flag), to this, a
class's default."""
DEFAULT_CLASS = "default"
"""The name of the positional num_messages' class: a batch at 0."""
NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")
"""How a class is named: it shows in columns, the log and checks."""
_EVEN_TOLERANCE = 1e-9
"""An even stream of rate x period arrivals counts a product that float
arithmetic puts a hair below a whole number (2000/h for 1 h) as it."""


@dataclass(frozen=True, slots=True)
class TrafficClass:
    """One class of messages and when they arrive: a batch (``count``)
    or a stream (``rate_per_s`` and ``for_s``)."""

    name: str
    count: int | None = None
    at_s: float = 0.0
    rate_per_s: float | None = None
    for_s: float | None = None
    from_s: float = 0.0
    arrivals: str = POISSON
    priority: int = LEAST_URGENT
    weight: float = 1.0
    """Its share of the senders, with ``--priority weighted``."""
    validity_s: float | None = None
    """A message of it that could not start within this of its arrival
    expires; None: no limit but ``--deadline``."""

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise ConfigError("name", "1 to 40 letters, digits, _ or -",
                              self.name)
        if not 0 <= self.priority <= LEAST_URGENT:
            raise ConfigError("priority", f"an integer from 0 (the most "
                              f"urgent) to {LEAST_URGENT}", self.priority)
        if not (math.isfinite(self.weight) and self.weight > 0):
            raise ConfigError("weight", "a finite number > 0", self.weight)
        if self.validity_s is not None and not (
                0 < self.validity_s <= HORIZON_S):
            raise ConfigError("validity", f"a time > 0, within {HORIZON} s",
                              self.validity_s)
        if (self.count is None) == (self.rate_per_s is None):
            raise ConfigError("count", "a batch's count=N or a stream's "
                              "rate=R/h, one of them", self.count)
        _check_moment("at", self.at_s)
        _check_moment("from", self.from_s)
        if self.count is not None:
            if self.count < 0:
                raise ConfigError("count", "an integer >= 0", self.count)
            if self.for_s is not None:
                raise ConfigError("for", "a stream's; a batch arrives at "
                                  "once", self.for_s)
            return
        rate = self.rate_per_s
        assert rate is not None
        if not (math.isfinite(rate) and rate > 0):
            raise ConfigError("rate", "a finite rate > 0", rate)
        if self.for_s is None:
            raise ConfigError("for", "a stream's period, > 0: for=1h",
                              self.for_s)
        if not (self.for_s > 0 and self.from_s + self.for_s <= HORIZON_S):
            raise ConfigError("for", f"a period > 0 that ends within "
                              f"{HORIZON} s", self.for_s)
        if self.arrivals not in ARRIVALS:
            raise ConfigError("arrivals", " or ".join(ARRIVALS),
                              self.arrivals)

    @property
    def expected(self) -> float:
        """The messages it brings: a batch's count, a stream's rate times
        its period (a Poisson stream's mean)."""
        if self.count is not None:
            return self.count
        assert self.rate_per_s is not None and self.for_s is not None
        return self.rate_per_s * self.for_s

    def times(self, rng: random.Random) -> Iterator[float]:
        """Its arrival moments, in order; a Poisson stream's gaps from
        ``rng``."""
        if self.count is not None:
            return repeat(self.at_s, self.count)
        assert self.rate_per_s is not None and self.for_s is not None
        if self.arrivals == EVEN:
            start_s, gap_s = self.from_s, 1 / self.rate_per_s
            return (start_s + k * gap_s for k in range(self._even_count()))
        return self._poisson(rng, self.rate_per_s,
                             self.from_s + self.for_s)

    def even_by(self, at_s: float) -> int:
        """An even stream's arrivals by ``at_s``: those of ``times`` at or
        before it, counted without making them (each compared as
        ``times`` makes it, so a rounding cannot move one across)."""
        assert self.rate_per_s is not None
        start_s, gap_s = self.from_s, 1 / self.rate_per_s
        last = self._even_count() - 1
        if at_s < start_s or last < 0:
            return 0
        if start_s + last * gap_s <= at_s:  # all (at_s may be infinite)
            return last + 1
        k = min(last, math.floor((at_s - start_s) / gap_s))
        while k < last and start_s + (k + 1) * gap_s <= at_s:
            k += 1
        while k >= 0 and start_s + k * gap_s > at_s:
            k -= 1
        return k + 1

    def _even_count(self) -> int:
        return math.floor(self.expected * (1 + _EVEN_TOLERANCE))

    def _poisson(self, rng: random.Random, rate: float, end_s: float
                 ) -> Iterator[float]:
        at_s = self.from_s
        while True:
            at_s += rng.expovariate(rate)
            if at_s >= end_s:
                return
            yield at_s


def _check_moment(key: str, at_s: float) -> None:
    if not 0 <= at_s <= HORIZON_S:  # false for nan
        raise ConfigError(key, f"a moment from 0 to {HORIZON} s", at_s)


@dataclass(frozen=True, slots=True)
class Traffic:
    """A run's classes, with the seed that fixes their arrivals, and how
    many messages each brings."""

    classes: tuple[TrafficClass, ...]
    seed: int
    counts: tuple[int, ...]

    @classmethod
    def of(cls, classes: tuple[TrafficClass, ...], seed: int) -> Traffic:
        """The classes, their arrivals counted (a Poisson stream's by
        drawing them once)."""
        counts = tuple(
            klass.count if klass.count is not None
            else sum(1 for _ in klass.times(_generator(seed, index)))
            for index, klass in enumerate(classes))
        return cls(classes, seed, counts)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(klass.name for klass in self.classes)

    @property
    def total(self) -> int:
        return sum(self.counts)

    def arrivals(self) -> Iterator[tuple[float, int]]:
        """``(moment, class index)`` of every arrival, in order of moment,
        then class."""
        return heapq.merge(*(
            zip(klass.times(_generator(self.seed, index)), repeat(index))
            for index, klass in enumerate(self.classes)))

    def arrived_by(self, at_s: float) -> tuple[int, ...]:
        """Each class's messages that had arrived by ``at_s``."""
        return tuple(Arrived(self).by(at_s))


class Arrived:
    """Each class's arrivals by a moment that only moves on: a batch's
    and an even stream's counted at once, a Poisson stream's by making its
    arrivals again, as the producer made them, once over the run.  (One
    by one, a batch of a hundred million took the monitor minutes, deaf
    to an interrupt.)"""

    def __init__(self, traffic: Traffic) -> None:
        self._classes = traffic.classes
        self._counts = [0] * len(traffic.classes)
        self._poisson = {
            index: klass.times(_generator(traffic.seed, index))
            for index, klass in enumerate(traffic.classes)
            if klass.count is None and klass.arrivals != EVEN}
        self._next = {index: next(times, math.inf)
                      for index, times in self._poisson.items()}

    def by(self, at_s: float) -> list[int]:
        """Each class's arrivals by ``at_s``, no earlier than the last
        moment asked about."""
        counts = self._counts
        for index, klass in enumerate(self._classes):
            if klass.count is not None:
                counts[index] = klass.count if klass.at_s <= at_s else 0
            elif index not in self._poisson:
                counts[index] = klass.even_by(at_s)
            else:
                times, upcoming = self._poisson[index], self._next[index]
                while upcoming <= at_s:
                    counts[index] += 1
                    upcoming = next(times, math.inf)
                self._next[index] = upcoming
        return counts


def _generator(seed: int, index: int) -> random.Random:
    """The generator of class ``index``'s arrivals: a string seed is
    hashed by SHA-512, the same on every machine and run."""
    return random.Random(f"traffic {seed} {index}")
