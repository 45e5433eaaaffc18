"""The command line's values of a plan: a target (``SHARE@TIME``), a sweep
(``NAME=VALUES``) and the setting a search solves for, each with a
one-line error that says what is allowed (see ``specs.py``)."""
from __future__ import annotations

import argparse
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from sms_sim.cli.specs import (SWEPT_INTEGER, _field, duration, echo, fail,
                               finite, number, percent, seconds)
from sms_sim.model.measurements import MeasurementsError, open_text
from sms_sim.model.traffic import NAME
from sms_sim.plan.fit import Point
from sms_sim.plan.names import FIT_NAMES, SOLVE_NAMES, SWEEP_NAMES
from sms_sim.plan.settings import (CARRIER_SETTING, CLASS_SETTING,
                                   ROUTE_SETTING, base_name)
from sms_sim.plan.target import Target


def target(text: str) -> Target:
    """``[CLASS:]SHARE@TIME``: a share of all messages, by a simulated
    time; or of a ``--traffic`` class's, each within TIME of its
    arrival."""
    klass, colon, rest = text.rpartition(":")
    if colon and not NAME.fullmatch(klass):
        fail(f"{echo(text)}: CLASS must be a --traffic class's name, 1 to "
             f"40 letters, digits, _ or -, got {echo(klass)}")
    share_text, at, time_text = rest.partition("@")
    if not at:
        fail(f"must be SHARE@TIME (0.95@20m), got {echo(text)}")
    value = _field(text, "SHARE", number, share_text, {})
    if not 0 < value <= 1:
        fail(f"{echo(text)}: SHARE must be a number > 0 and at most 1, got "
             f"{value!r}")
    return Target(value, _field(text, "TIME", duration, time_text, {}),
                  klass if colon else None)


@dataclass(frozen=True, slots=True)
class Sweep:
    """``--sweep NAME=V1,V2,...``: a setting and its values, in order."""

    name: str
    values: tuple[float, ...]
    spread_follows: bool = False
    """A swept mean sets the spread too (``DEFAULT_SPREAD`` of it), as a
    mean given alone does."""
    down_start_s: float | None = None
    """A swept outage's start (``primary.down=2m+0..10m/2m``), if given:
    the values are its lengths."""


def sweep(text: str) -> Sweep:
    """``NAME=V1,V2,...`` or ``NAME=FIRST..LAST/STEP``, with NAME one of
    ``SWEEP_NAMES``.  Times take s, m or h."""
    name, equals, rest = text.partition("=")
    name = name.strip().lower()
    if not equals or not (name in SWEEP_NAMES
                          or ROUTE_SETTING.fullmatch(name)
                          or CARRIER_SETTING.fullmatch(name)
                          or CLASS_SETTING.fullmatch(name)):
        fail(f"must be NAME=V1,V2,... or NAME=FIRST..LAST/STEP with NAME "
             f"one of {', '.join(SWEEP_NAMES)}, or ROUTE.count, ROUTE.tps, "
             f"ROUTE.mean, ROUTE.down, ROUTE.fail, ROUTE.validity, "
             f"CARRIER.cap, "
             f"CARRIER.daily, CARRIER.fail, CLASS.rate (a second), CLASS.at, "
             f"CLASS.validity or CLASS.weight, got {echo(text)}")
    base = base_name(name)
    start_s = None
    if base == "down" and "+" in rest:  # START+LENGTHS
        start_text, _, rest = rest.partition("+")
        start_s = _field(text, "START", seconds, start_text, {})
    parse: Callable[[str], float] = (
        _swept_integer if base in INTEGER_SWEEPS
        else duration if base == "deadline"
        else functools.partial(finite, parse=seconds)
        if base in ("mean", "down", "carrier-mean")
        else percent if base in ("fail", "permanent") else finite)
    if not rest.strip():
        fail(f"{echo(text)}: no values to sweep")
    if ".." in rest:
        values = _range(text, rest, parse)
    else:
        items = [item.strip() for item in rest.split(",")]
        if "" in items:
            fail(f"{echo(text)}: a value is empty (two commas in a row, or "
                 f"one at an end)")
        values = [_field(text, "a value", parse, item, {}) for item in items]
    if len(set(values)) < len(values):
        fail(f"{echo(text)}: a value is given twice")
    return Sweep(name, tuple(values), down_start_s=start_s)


def solve_name(text: str) -> str:
    """A setting ``--solve`` searches: one of ``SOLVE_NAMES``, a route's
    ``count`` or ``tps`` (``backup.tps``), or a carrier's ``cap``."""
    name = text.strip().lower()
    route = ROUTE_SETTING.fullmatch(name)
    carrier = CARRIER_SETTING.fullmatch(name)
    if name not in FIT_NAMES and route is None and (
            carrier is None or carrier.group(2) != "cap"):
        fail(f"must be one of {', '.join(SOLVE_NAMES)} (with --fit, "
             f"{', '.join(FIT_NAMES[len(SOLVE_NAMES):])} too), "
             "ROUTE.count, ROUTE.tps or CARRIER.cap (with --fit, ROUTE.mean "
             f"and ROUTE.down too), got {echo(text)}")
    return name


MAX_POINTS = 1000
MAX_POINT_CHARS = 100
"""A fit's points are a few published figures: a file longer than
``MAX_POINTS`` lines of ``MAX_POINT_CHARS`` is not one."""


def fit_points(path: str) -> tuple[Point, ...]:
    """``--fit FILE``: observed points, ``time,share`` a line (``600,0.84``
    or ``10m,0.84``), the times going forward, each share from 0 to 1;
    blank lines, ``#`` comments and a CSV header (a first line with no
    digit, ``time,share``) skipped."""
    most = MAX_POINTS * MAX_POINT_CHARS
    if not path:
        fail("the path is empty")
    try:
        with open_text(path) as file:
            text = file.read(most + 1)
    except MeasurementsError as error:
        fail(str(error))
    except OSError as error:
        fail(f"{path}: cannot be read: {error.strerror or error}")
    except UnicodeDecodeError:
        fail(f"{path}: is not UTF-8 text")
    if len(text) > most:
        fail(f"{path}: is longer than {most:,} characters; a fit's points "
             f"are at most {MAX_POINTS:,} lines")
    points: list[Point] = []
    first = True
    for row, line in enumerate(text.splitlines(), 1):
        line = line.partition("#")[0].strip()
        if not line:
            continue
        time_text, comma, share_text = line.partition(",")
        where = f"{path}: line {row}"
        if first and comma and not any(map(str.isdigit, line)):
            first = False
            continue  # a header, as a spreadsheet writes one
        first = False
        if not comma:
            fail(f"{where}: must be TIME,SHARE (600,0.84), got {echo(line)}")
        try:
            point = Point(duration(time_text.strip()),
                          number(share_text.strip()))
        except argparse.ArgumentTypeError as error:
            fail(f"{where}: {error}")
        if not 0 <= point.share <= 1:
            fail(f"{where}: the share must be from 0 to 1, got "
                 f"{point.share:g}")
        if points and point.time_s <= points[-1].time_s:
            fail(f"{where}: the times must go forward, and "
                 f"{point.time_s:g} s comes after {points[-1].time_s:g} s")
        points.append(point)
    if not points:
        fail(f"{path}: has no points; write TIME,SHARE lines (600,0.84)")
    return tuple(points)


MAX_SWEEP_VALUES = 1000
INTEGER_SWEEPS = ("senders", "retries")
"""The swept settings that count, and so take integers alone."""


def _swept_integer(text: str) -> float:
    """An integer as :func:`integer` reads one, less the commas, which
    separate a sweep's values: ``senders=1,000`` is refused for its
    ``000`` rather than run with 0 senders."""
    if not SWEPT_INTEGER.fullmatch(text):
        fail(f"must be an integer in digits, without a leading 0 (1000 or "
             f"1_000: commas separate the values), got {echo(text)}")
    return float(int(text))


def _range(text: str, rest: str, parse: Callable[[str], float]
           ) -> list[float]:
    bounds, slash, step_text = rest.partition("/")
    first_text, _, last_text = bounds.partition("..")
    first = _field(text, "FIRST", parse, first_text, {})
    last = _field(text, "LAST", parse, last_text, {})
    step = _field(text, "STEP", parse, step_text, {}) if slash else 1.0
    if not (step > 0 and math.isfinite(step)) or last < first:
        fail(f"{echo(text)}: must be FIRST..LAST/STEP with FIRST <= LAST "
             f"and STEP > 0")
    span = (last - first) / step
    if not math.isfinite(span):
        fail(f"{echo(text)}: too many values; at most {MAX_SWEEP_VALUES:,}")
    count = math.floor(span + 1e-9) + 1
    if count > MAX_SWEEP_VALUES:
        fail(f"{echo(text)}: {count:,} values; at most "
             f"{MAX_SWEEP_VALUES:,}")
    # Rounded to 12 digits: 0.1..0.3/0.1 is 0.1, 0.2, 0.3, not
    # 0.30000000000000004.
    return [float(f"{first + step * k:.12g}") for k in range(count)]
