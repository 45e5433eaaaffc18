"""What a run is asked to do, validated so that an invalid run cannot exist.

Every rule lives here, once.  A broken rule raises :class:`ConfigError`
naming the field and the allowed range; the command line maps fields to its
own argument names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MAX_SENDERS = 10_000
"""Most sender threads a run may start, over all groups.

Each sender is an OS thread with its own stack; far beyond this the machine
spends its time switching threads rather than simulating sends.
"""


class ConfigError(ValueError):
    """A setting outside its allowed range."""

    def __init__(self, field: str, requirement: str, value: object) -> None:
        super().__init__(f"must be {requirement}, got {value!r}")
        self.field = field


def _check_time(field: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ConfigError(field, "a finite number of seconds >= 0", value)


def check_timing(mean_s: float, max_deviation_s: float,
                 failure_rate: float) -> None:
    """Validate one sender group's settings (shared by every group)."""
    _check_time("mean_s", mean_s)
    _check_time("max_deviation_s", max_deviation_s)
    if max_deviation_s > mean_s:
        # A deviation above the mean would have to clip negative waits to
        # zero, and the mean would no longer be the mean.
        raise ConfigError("max_deviation_s",
                          f"<= the mean ({mean_s:g} s)", max_deviation_s)
    if not 0 <= failure_rate <= 1:  # also false for nan
        raise ConfigError("failure_rate", "a number from 0 to 1",
                          failure_rate)


@dataclass(frozen=True, slots=True)
class SenderGroup:
    """``count`` senders sharing one mean, deviation and failure rate.

    Each send waits a time drawn uniformly from
    ``[mean_s - max_deviation_s, mean_s + max_deviation_s]`` and then fails
    with probability ``failure_rate``.
    """

    count: int
    mean_s: float
    max_deviation_s: float
    failure_rate: float

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SENDERS:
            raise ConfigError("count", f"an integer from 1 to {MAX_SENDERS}",
                              self.count)
        check_timing(self.mean_s, self.max_deviation_s, self.failure_rate)


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    num_messages: int
    groups: tuple[SenderGroup, ...]
    interval_s: float = 1.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.num_messages < 0:
            raise ConfigError("num_messages", "an integer >= 0",
                              self.num_messages)
        if not 1 <= self.num_senders <= MAX_SENDERS:
            raise ConfigError(
                "num_senders",
                f"from 1 to {MAX_SENDERS} senders over all groups",
                self.num_senders)
        if not (math.isfinite(self.interval_s) and self.interval_s > 0):
            raise ConfigError("interval_s", "a finite number of seconds > 0",
                              self.interval_s)

    @property
    def num_senders(self) -> int:
        return sum(group.count for group in self.groups)
