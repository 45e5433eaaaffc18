"""Failures by error class: a group's shares of failed attempts by class
(``errors=queue-full:1%,system:0.5%``, an ``ErrorMix``), and the retry
table that says how often and after how long each class is retried
(``--retry-table``, a ``RetryTable``), from the SMSC's answers:

- ``queue-full``: ``ESME_RMSGQFUL``, the SMSC's queue is full;
- ``system``: ``ESME_RSYSERR``, a system error;
- ``timeout``: no answer within the group's ``wait-ack`` (the attempt
  takes that long, whatever its send time);
- ``rejected``: refused for good, never retried.

An attempt's one fail draw decides both whether it fails and how: the
classes take the top of the failure range, ``[rate - classes, rate)``,
each its share in the order above, and a draw below them is a failure
without a class, as ``fail=P`` makes it (``--retries``, ``--backoff``,
``--permanent``).  A run without ``errors=`` draws and decides as
before.
"""
from __future__ import annotations

from dataclasses import dataclass

from sms_sim.model.validation import (HORIZON, HORIZON_S, MAX_RETRIES,
                                      ConfigError, check_seconds, finite)

QUEUE_FULL = "queue-full"
SYSTEM = "system"
TIMEOUT = "timeout"
REJECTED = "rejected"
CLASSES = (QUEUE_FULL, SYSTEM, TIMEOUT, REJECTED)
WAIT_ACK_S = 60.0
"""Kannel's wait for an acknowledgement before it gives a submit up."""
BACKOFF = None
"""A retrial's delay that is ``--backoff``'s, full jitter."""


@dataclass(frozen=True, slots=True)
class ErrorMix:
    """A group's failed attempts by class: each class's share of all its
    attempts, in the order of ``CLASSES``."""

    shares: tuple[float, float, float, float]
    wait_ack_s: float = WAIT_ACK_S

    def __post_init__(self) -> None:
        if len(self.shares) != len(CLASSES) or not all(
                finite(share) and 0 <= share <= 1 for share in self.shares):
            raise ConfigError("errors", "a share from 0% to 100% a class",
                              self.shares)
        if sum(self.shares) > 1:
            raise ConfigError("errors", "shares adding up to at most 100%",
                              f"{sum(self.shares):.4g}")
        check_seconds("wait-ack", self.wait_ack_s, positive=True)

    @property
    def total(self) -> float:
        """The share of attempts that fail with a class."""
        return sum(self.shares)

    def of(self, fail: float, rate: float) -> str | None:
        """The class of a failed attempt whose fail draw ``fail`` fell
        below the failure ``rate``; None for a failure without one."""
        low = rate - self.total
        if fail < low:
            return None
        last = None
        for name, share in zip(CLASSES, self.shares):
            if share:
                last = name
                low += share
                if fail < low:
                    return name
        return last  # float sums: a draw just under the rate


@dataclass(frozen=True, slots=True)
class Retrial:
    """How a class is retried: at most ``count`` times (a message's
    attempt ``k`` failing so is retried while ``k <= count``), each after
    ``delay_s``, or after ``--backoff``'s wait where that is None."""

    count: int
    delay_s: float | None = BACKOFF

    def __post_init__(self) -> None:
        if not 0 <= self.count <= MAX_RETRIES:
            raise ConfigError("retry-table",
                              f"COUNT an integer from 0 to {MAX_RETRIES}",
                              self.count)
        if self.delay_s is not None and not (
                finite(self.delay_s) and 0 <= self.delay_s <= HORIZON_S):
            raise ConfigError("retry-table",
                              f"DELAY seconds from 0 to {HORIZON}",
                              self.delay_s)


JASMIN = {QUEUE_FULL: Retrial(2, 180.0), SYSTEM: Retrial(2, 30.0),
          REJECTED: Retrial(0, 0.0)}
"""Jasmin's ``submit_error_retrial`` where it has one: ESME_RMSGQFUL
twice after 180 s, ESME_RSYSERR twice after 30 s; a rejection never.
Without an entry, ``timeout`` takes ``--retries`` and ``--backoff``."""


@dataclass(frozen=True, slots=True)
class RetryTable:
    """Each class's retrial, as given, over Jasmin's defaults."""

    given: tuple[tuple[str, Retrial], ...] = ()

    def __post_init__(self) -> None:
        for name, _ in self.given:
            if name not in CLASSES:
                raise ConfigError("retry-table", "classes of "
                                  f"{', '.join(CLASSES)}", name)
            if name == REJECTED and dict(self.given)[name].count:
                raise ConfigError("retry-table", "rejected=0x0: a "
                                  "rejection is never retried", name)

    def retrial(self, name: str, retries: int) -> Retrial:
        """Class ``name``'s retrial; ``retries``: ``--retries``, for a
        class without one given or Jasmin's."""
        return dict(self.given).get(name) or JASMIN.get(name) or Retrial(
            retries)


class Errors:
    """The groups' error mixes, as the schedule's loop asks them."""

    def __init__(self, mixes: tuple[ErrorMix | None, ...]) -> None:
        self._mixes = mixes

    def of(self, group: int, fail: float, rate: float, send_s: float
           ) -> tuple[str | None, float]:
        """A failed attempt's class (None: without one) and its time: its
        ``send_s``, or, timed out, its group's ``wait_ack_s``."""
        mix = self._mixes[group]
        if mix is None:
            return None, send_s
        name = mix.of(fail, rate)
        return name, mix.wait_ack_s if name == TIMEOUT else send_s


def errors_of(mixes: tuple[ErrorMix | None, ...]) -> Errors | None:
    """The run's error mixes; None where no group has one, so that the
    schedule's loop pays one test."""
    return None if all(mix is None for mix in mixes) else Errors(mixes)
