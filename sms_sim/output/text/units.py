"""Figures as text: durations, moments, counts, rates and shares, and a
distribution's settings in a few words.

Each name ends in ``_text``: these format, where the command line's
``specs`` of the same stem (``seconds``, ``duration``) parse.
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence

from sms_sim.measure.curve import DELIVERY_SHARES
from sms_sim.model.latency import Latency


def seconds_text(value: float | None) -> str:
    """A duration with a unit that keeps three or four significant digits.
    """
    if value is None:
        return "-"
    if value == 0:  # no unit of its own: "0.00 us" said an outage at 0
        return "0 s"
    # A value that would round up to 1000 of a unit takes the next unit:
    # 0.999999 is "1.000 s", not "1000.00 ms".
    if value >= 1 or f"{value * 1e3:.2f}" == "1000.00":
        return f"{value:.3f} s"
    if value >= 1e-3 or f"{value * 1e6:.2f}" == "1000.00":
        return f"{value * 1e3:.2f} ms"
    if value >= 1e-8:
        return f"{value * 1e6:.2f} us"
    return f"{value:.2g} s"  # too small for any unit: 1e-300 s


def duration_text(value: float | None) -> str:
    """Elapsed or remaining time: ``4.2s``, ``3m07s``, ``1h02m``,
    ``1h02m03s``, ``3d04h``, ``3d04h30m``."""
    if value is None:
        return "-"
    if value < 59.95:  # from 59.95, "60.0s" would be the next format's
        return f"{value:.1f}s"
    minutes, secs = divmod(max(60, int(value)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:  # its seconds too, if any: 1h00m10s is not 1h00m20s
        return f"{hours}h{minutes:02d}m" + (f"{secs:02d}s" if secs else "")
    if hours < 24 * 10_000:  # minutes and seconds too, if any
        rest = (f"{minutes:02d}m" if minutes or secs else "") + (
            f"{secs:02d}s" if secs else "")
        return f"{hours // 24}d{hours % 24:02d}h{rest}"
    # Beyond 27 years the hours mean nothing; whole days, never "1.16e+04d".
    return f"{value / 86400:,.0f}d"


def moment_text(value: float | None) -> str:
    """A simulated moment: precise when short, a duration when long."""
    if value is None:
        return "not reached"
    return seconds_text(value) if value < 60 else duration_text(value)


def moments_fields(at: Sequence[float | None],
                   last: float | None) -> list[str]:
    """By when each of ``DELIVERY_SHARES`` of all messages was delivered
    (or reached), and the last: ``50% by 2.500 s``, ..., ``last 5.000 s``.
    """
    fields = [f"{share * 100:g}% " + ("not reached" if when is None
                                      else f"by {moment_text(when)}")
              for share, when in zip(DELIVERY_SHARES[:-1], at)]
    return fields + [f"last {moment_text(last)}"]


def count_text(value: int) -> str:
    return f"{value:,}"


def rate_text(value: float | None) -> str:
    """Whole numbers from 100 up; below, three significant digits, so
    that a slow simulated rate (``--max-rate 0.5``) is not shown as 0."""
    if value is None:
        return "-"
    if value >= 1e15:  # digits beyond these would mean nothing
        return f"{value:.3g}/s"
    return f"{value:,.0f}/s" if value >= 99.95 else f"{value:.3g}/s"


def percent_text(share: float | None, digits: int = 1) -> str:
    """A share to ``digits`` decimals of a percent; 0.0% only when it is
    none and 100.0% only when it is all: 8 failed of a million is <0.1%,
    and all but those >99.9%."""
    if share is None:
        return "-"
    text = f"{share * 100:.{digits}f}%"
    step = f"{10.0 ** -digits:.{digits}f}"
    if 0 < share and float(text[:-1]) == 0:
        return f"<{step}%"
    if share < 1 and float(text[:-1]) == 100:
        return f">{100 - float(step):.{digits}f}%"
    return text


def short_seconds_text(value: float) -> str:
    """A setting in the fewest characters: ``5ms``, ``0.5ms``, ``2s``.
    Three significant digits, and never an exponent from 0.01us up: a
    value that would round to 1000 of a unit takes the next unit."""
    if value == 0:
        return "0s"
    if value >= 999.5:
        return f"{value:.0f}s" if value < 1e6 else f"{value:.3g}s"
    if value < 1e-8:
        return f"{value:.2g}s"
    units = (("s", 1.0), ("ms", 1e3), ("us", 1e6))
    index = next(i for i, (_, scale) in enumerate(units)
                 if value * scale >= 1 or scale == 1e6)
    text = f"{value * units[index][1]:.3g}"
    if "e" in text:  # rounded up to 1e+03 of this unit
        index -= 1
        text = f"{value * units[index][1]:.3g}"
    return text + units[index][0]


def speed_text(speed: float) -> str:
    return "max speed" if speed == math.inf else f"{speed:g}x"


def latency_text(latency: Latency) -> str:
    """A distribution in a few words: ``10ms +- 5ms`` (uniform),
    ``lognormal 50ms sd 20ms``, ``exponential 8s``, ``empirical f.csv``."""
    if latency.shape == "uniform":
        return (f"{short_seconds_text(latency.mean_s)} +- "
                f"{short_seconds_text(latency.max_deviation_s)}")
    if latency.shape == "empirical":
        return f"empirical {os.path.basename(latency.source) or 'values'}"
    sd = f" sd {short_seconds_text(latency.sd_s)}" if latency.sd_s else ""
    return f"{latency.shape} {short_seconds_text(latency.mean_s)}{sd}"
