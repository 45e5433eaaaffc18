"""The error a broken setting raises, and the checks every setting uses.

A setting is refused when it could never make sense, and also when the
gateway it describes could not finish within ``HORIZON_S`` of simulated
time: such a run would wait forever rather than fail.
"""
from __future__ import annotations

import math

HORIZON_S = 1e9
"""The longest simulated time a run may model: about 31 years.  A longer
send, backoff, deadline or gap between capped sends is refused, and so is
a blast that could not end within it (see ``SimulationConfig``)."""
HORIZON = "1e9"
"""``HORIZON_S`` as error messages write it, as a user would type it."""
MAX_RETRIES = 100
"""The most retries a message may have (``Gateway.retries``): the
statistics keep a count of messages per number of attempts, up to this
many plus the first."""
MOMENT_TOLERANCE = 1e-9
"""A simulated moment this share of a moment named in the settings (a
deadline, a check's or a target's time) after it still counts as on it.
Simulated time is a sum of float seconds, and sums of decimal seconds
drift (0.1 + 0.1 + 0.1 > 0.3) by about 2**-53 of the time per addition:
a billionth covers millions of additions in a row, so what exact
arithmetic puts on the moment is on it, while moments that close are not
worth telling apart."""
MIN_RATE = 1e-6
"""The slowest cap, in sends per simulated second: one send every 11.6
days."""


def at_most(moment_s: float) -> float:
    """The latest float moment that counts as by ``moment_s``, a moment
    named in the settings: within ``MOMENT_TOLERANCE`` of it."""
    return moment_s * (1 + MOMENT_TOLERANCE)


class ConfigError(ValueError):
    """A setting outside its allowed range: it ``must be {requirement},
    got {value}``, unless a whole ``message`` says more.  ``field`` names
    the setting as the config does; the command line maps it to what the
    user typed."""

    def __init__(self, field: str, requirement: str, value: object,
                 message: str | None = None) -> None:
        super().__init__(message or f"must be {requirement}, got {value!r}")
        self.field = field
        self.requirement = requirement


def finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def check_share(name: str, value: float) -> None:
    if not 0 <= value <= 1:  # also false for nan
        raise ConfigError(name, "a number from 0 to 1", value)


def check_seconds(name: str, value: float | None, positive: bool) -> None:
    """A simulated duration: finite, within the horizon, and > 0 if
    ``positive`` (else >= 0).  None passes: the setting is off."""
    if value is None:
        return
    low_ok = value > 0 if positive else value >= 0
    if not (finite(value) and low_ok and value <= HORIZON_S):
        low = "> 0 and <=" if positive else "from 0 to"
        raise ConfigError(name, f"a number of seconds {low} {HORIZON}",
                          value)


def check_rate(name: str, value: float | None, what: str) -> None:
    """A cap in ``what`` per simulated second, from ``MIN_RATE``; None
    passes (no cap)."""
    if value is not None and not (finite(value) and value >= MIN_RATE):
        raise ConfigError(name, f"a finite number of {what} >= {MIN_RATE:g}",
                          value)
