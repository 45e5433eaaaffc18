"""What a run is asked to do, validated so that an invalid run cannot exist.

Every rule lives here, once.  A broken rule raises :class:`ConfigError`
naming the field and the allowed range; the command line maps fields to its
own argument names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

MAX_MESSAGES = 10 ** 12
"""A trillion: weeks of work even at full speed; far beyond it a run would
never end."""
MAX_SENDERS = 10_000
"""Most sender threads a run may start, over all groups.

Each sender is an OS thread with its own stack; far beyond this the machine
spends its time switching threads rather than simulating sends.
"""
MIN_INTERVAL_S = 0.01
"""Shortest report interval: below it reporting would compete with the run
for the interpreter, and nobody reads a hundred reports a second."""
MAX_RETRIES = 100
MIN_SPEED = 1e-6
MAX_SPEED = 1e6
"""Slowest and fastest simulated clock: a simulated second every 11.6 days,
and 11.6 simulated days a second, are far beyond any use."""


class ConfigError(ValueError):
    """A setting outside its allowed range."""

    def __init__(self, field: str, requirement: str, value: object) -> None:
        super().__init__(f"must be {requirement}, got {value!r}")
        self.field = field
        self.requirement = requirement


def _finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _check_share(name: str, value: float) -> None:
    if not 0 <= value <= 1:  # also false for nan
        raise ConfigError(name, "a number from 0 to 1", value)


def _check_positive(name: str, value: float | None, what: str) -> None:
    if value is not None and not (_finite(value) and value > 0):
        raise ConfigError(name, f"a finite number of {what} > 0", value)


@dataclass(frozen=True, slots=True)
class SenderGroup:
    """``count`` senders sharing one mean, deviation, failure rate and cap.

    Each send takes a simulated time drawn uniformly from
    ``[mean_s - max_deviation_s, mean_s + max_deviation_s]`` and then fails
    with probability ``failure_rate``.  With ``tps``, each sender of the
    group starts at most that many sends per simulated second.
    """

    count: int
    mean_s: float
    max_deviation_s: float
    failure_rate: float
    tps: float | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SENDERS:
            raise ConfigError("count", f"an integer from 1 to {MAX_SENDERS:,}",
                              self.count)
        if not (_finite(self.mean_s) and self.mean_s >= 0):
            raise ConfigError("mean_s", "a finite number of seconds >= 0",
                              self.mean_s)
        if not (_finite(self.max_deviation_s) and self.max_deviation_s >= 0):
            raise ConfigError("max_deviation_s",
                              "a finite number of seconds >= 0",
                              self.max_deviation_s)
        if self.max_deviation_s > self.mean_s:
            # A deviation above the mean would have to clip negative times
            # to zero, and the mean would no longer be the mean.
            raise ConfigError("max_deviation_s",
                              f"<= the mean ({self.mean_s:g} s)",
                              self.max_deviation_s)
        _check_share("failure_rate", self.failure_rate)
        _check_positive("tps", self.tps, "sends per second")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Full-jitter exponential backoff, in simulated seconds: before retry
    ``k`` a message waits uniformly in ``[0, min(cap_s, base_s * 2**(k-1))]``.
    """

    base_s: float = 1.0
    cap_s: float = 60.0

    def __post_init__(self) -> None:
        _check_positive("base_s", self.base_s, "seconds")
        _check_positive("cap_s", self.cap_s, "seconds")
        if self.cap_s < self.base_s:
            raise ConfigError("cap_s", f">= the base ({self.base_s:g} s)",
                              self.cap_s)

    def ceiling_s(self, retry: int) -> float:
        """The longest wait before retry number ``retry`` (from 1)."""
        if retry > 1024:  # 2.0 ** 1024 overflows; min() takes inf below
            return self.cap_s
        return min(self.cap_s, self.base_s * 2.0 ** (retry - 1))


@dataclass(frozen=True, slots=True)
class Gateway:
    """The rules of the modelled gateway, all in simulated time.

    ``max_rate``: all senders together start at most this many sends per
    second, evenly spaced.  ``retries``: a failed attempt is retried up to
    this many more times, after a ``backoff``, unless it failed
    permanently (a ``permanent`` share of failed attempts does).
    ``deadline_s``: no attempt starts after it; what is not sent by then
    expires.
    """

    max_rate: float | None = None
    retries: int = 0
    backoff: Backoff = field(default_factory=Backoff)
    permanent: float = 0.0
    deadline_s: float | None = None

    def __post_init__(self) -> None:
        _check_positive("max_rate", self.max_rate, "sends per second")
        if not 0 <= self.retries <= MAX_RETRIES:
            raise ConfigError("retries",
                              f"an integer from 0 to {MAX_RETRIES}",
                              self.retries)
        _check_share("permanent", self.permanent)
        _check_positive("deadline_s", self.deadline_s, "seconds")


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    num_messages: int
    groups: tuple[SenderGroup, ...]
    interval_s: float = 1.0
    seed: int | None = None
    speed: float = 1.0
    """Simulated seconds that pass per real second."""
    gateway: Gateway = field(default_factory=Gateway)

    def __post_init__(self) -> None:
        if not 0 <= self.num_messages <= MAX_MESSAGES:
            raise ConfigError("num_messages",
                              f"an integer from 0 to {MAX_MESSAGES:,}",
                              self.num_messages)
        if not 1 <= self.num_senders <= MAX_SENDERS:
            raise ConfigError(
                "num_senders",
                f"from 1 to {MAX_SENDERS:,} senders over all groups",
                self.num_senders)
        if not (_finite(self.interval_s)
                and self.interval_s >= MIN_INTERVAL_S):
            raise ConfigError(
                "interval_s",
                f"a finite number of seconds >= {MIN_INTERVAL_S:g}",
                self.interval_s)
        if not (_finite(self.speed) and MIN_SPEED <= self.speed <= MAX_SPEED):
            raise ConfigError("speed",
                              f"a number from {MIN_SPEED:g} to {MAX_SPEED:g}",
                              self.speed)
        if self.seed is not None and self.seed < 0:
            # random.Random would take its absolute value: -1 and 1 would
            # make the same run.
            raise ConfigError("seed", "an integer >= 0", self.seed)

    @property
    def num_senders(self) -> int:
        return sum(group.count for group in self.groups)
