"""The rules of the modelled gateway beyond its senders: an account-wide
cap, retries with backoff, and a validity deadline, all in simulated time.
``schedule.py`` applies them."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sms_sim.model.errors import RetryTable
from sms_sim.model.validation import (HORIZON, HORIZON_S, MAX_RETRIES,
                                      ConfigError, check_rate,
                                      check_seconds, check_share)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Full-jitter exponential backoff, in simulated seconds: before retry
    ``k`` a message waits uniformly in ``[0, min(cap_s, base_s * 2**(k-1))]``.
    """

    base_s: float = 1.0
    cap_s: float = 60.0

    def __post_init__(self) -> None:
        check_seconds("base_s", self.base_s, positive=True)
        check_seconds("cap_s", self.cap_s, positive=True)
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
    """``max_rate``: all senders together start at most this many sends
    per second, evenly spaced.  ``retries``: a failed attempt is retried
    up to this many more times, after a ``backoff``, unless it failed
    permanently (a ``permanent`` share of failed attempts does).
    ``deadline_s``: no attempt starts after it; what is not sent by then
    expires.
    """

    max_rate: float | None = None
    retries: int = 0
    backoff: Backoff = field(default_factory=Backoff)
    permanent: float = 0.0
    deadline_s: float | None = None
    retry_table: RetryTable = field(default_factory=RetryTable)
    """How failures with an error class are retried (``errors.py``)."""

    def __post_init__(self) -> None:
        check_rate("max_rate", self.max_rate, "sends per second")
        if not 0 <= self.retries <= MAX_RETRIES:
            raise ConfigError("retries",
                              f"an integer from 0 to {MAX_RETRIES}",
                              self.retries)
        check_share("permanent", self.permanent)
        check_seconds("deadline_s", self.deadline_s, positive=True)
        waits_s = math.fsum(self.backoff_ceilings())
        if self.deadline_s is None and waits_s > HORIZON_S:
            # A message could then outlive the horizon, past which nothing
            # is measured; a deadline would end it first.
            raise ConfigError(
                "retries", f"waits within {HORIZON} s", self.retries,
                f"{self.retries} retries with backoff "
                f"{self.backoff.base_s:g}:{self.backoff.cap_s:g} could wait "
                f"{waits_s:.3g} s in all; at most {HORIZON} s, unless a "
                f"--deadline ends them first")

    def backoff_ceilings(self) -> tuple[float, ...]:
        """The longest backoff before each retry, from the first."""
        return tuple(self.backoff.ceiling_s(retry)
                     for retry in range(1, self.retries + 1))
