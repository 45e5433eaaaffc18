"""The command line's values: text as typed to settings, with one-line
errors that say what is allowed (argparse shows them with the usage).

Each public function takes one argument's text and returns its value, or
raises ``argparse.ArgumentTypeError``; the parser (``cli.py``) names the
argument.
"""
from __future__ import annotations

import argparse
import functools
import math
import os
import re
from collections.abc import Callable, Sequence
from typing import NoReturn, TypeVar

from sms_sim.measure.checks import Goal
from sms_sim.model.config import (MAX_MESSAGES, MAX_SENDERS, MAX_SPEED,
                                  MIN_SPEED, UNPACED, SenderGroup)
from sms_sim.model.gateway import Backoff
from sms_sim.model.latency import SHAPES, Latency
from sms_sim.model.measurements import MeasurementsError, read_measurements
from sms_sim.model.texts import TextsError, read_texts, text_problem
from sms_sim.model.traffic import NAME
from sms_sim.model.validation import (HORIZON, HORIZON_S, MAX_RETRIES,
                                      ConfigError)
from sms_sim.plan.names import MAX_RUNS, MIN_RUNS

T = TypeVar("T")
LONGEST_ECHO = 40
"""Most characters of a bad value that an error message repeats."""
INTEGER = re.compile(r"-?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+"
                     r"|[0-9]{1,3}(?:_[0-9]{3})+)")
"""How an integer is written: see :func:`integer`."""
SWEPT_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*|[0-9]{1,3}(?:_[0-9]{3})+)")
"""How an integer is written among a sweep's values, which commas
separate: without a comma or a leading zero."""
NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?"
                    r"|inf|infinity|nan)", re.IGNORECASE)
"""How a number is written: ASCII digits, a point and an exponent, or
inf and nan for the setting's range to refuse by name.  (``float`` alone
would take ``1_0`` and other scripts' digits, as ``int`` does.)"""
COLON_FIELDS = {
    # config field: its name in a colon spec (--senders, --backoff)
    "count": "COUNT", "mean_s": "MEAN", "max_deviation_s": "DEVIATION",
    "failure_rate": "FAILURE_RATE", "tps": "TPS", "base_s": "BASE",
    "cap_s": "CAP", "sd_s": "SD",
}
NAMED_FIELDS = {
    # config field: its key in a named spec (count=...,mean=...)
    "count": "count", "mean_s": "mean", "max_deviation_s": "dev",
    "sd_s": "sd", "failure_rate": "fail", "tps": "tps", "shape": "dist",
    "table": "file",
}
GROUP_KEYS = ("count", "mean", "dev", "sd", "fail", "tps", "dist", "file",
              "column")
LATENCY_KEYS = ("mean", "dev", "sd", "file", "column")
ARGUMENTS = {
    # config field: the argument that sets it for the positional senders
    # or the gateway (a --senders group's own fields are named in its
    # error by specs.py)
    "num_messages": "num_messages",
    "count": "num_senders",
    "mean_s": "mean_processing_time",
    "max_deviation_s": "max_deviation",
    "sd_s": "max_deviation",  # the standard deviation, with --dist
    "failure_rate": "failure_rate",
    "tps": "--tps",
    "num_senders": "num_senders",
    "interval_s": "--interval",
    "speed": "--speed",
    "max_rate": "--max-rate",
    "retries": "--retries",
    "base_s": "--backoff",
    "cap_s": "--backoff",
    "permanent": "--permanent",
    "deadline_s": "--deadline",
    "seed": "--seed",
    "cap_unit": "--count",
    "name": "--senders",
    "routing": "--routing",
    "traffic": "--traffic",
    "priority": "--priority",
    "carriers": "--carriers",
}
"""The one table from config fields to what the user typed."""
DEFAULT_FAILURE_RATE = 0.1
UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
_PART = r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
COMPOUND = re.compile(f"(?:{_PART}h)?(?:{_PART}m)?(?:{_PART}s)?",
                      re.IGNORECASE)
"""A time in more than one unit, the largest first: ``1h30m``, ``5m30s``.
"""
JOBS_LIMIT = 256


def fail(text: str) -> NoReturn:
    raise argparse.ArgumentTypeError(text)


def echo(text: str) -> str:
    """``text`` quoted, shortened if long: error messages stay one line."""
    if len(text) <= LONGEST_ECHO:
        return repr(text)
    return f"{text[:24]!r}...{text[-8:]!r} ({len(text):,} characters)"


def integer(text: str, limit: int | None = None) -> int:
    """An integer as people write one: ASCII digits, in threes split by
    commas or underscores if at all, and no plus sign, as no count has
    one.  (``int`` alone would take ``1_0`` and other scripts' digits,
    Arabic-Indic or full-width.)"""
    if not INTEGER.fullmatch(text):
        fail(f"must be an integer in digits (1000, 1,000 or 1_000), got "
             f"{echo(text)}")
    digits = text.replace(",", "").replace("_", "")
    if limit is not None and len(digits.lstrip("+-0")) > len(str(limit)):
        fail(f"too large (at most {limit:,}), got {echo(text)}")
    return int(digits)


NOT_GIVEN = ("-", "_")
"""A positional value written so is not given: its default applies, and
a later one can be given (``1000 4 0.01 - 0.2 --dist exponential``)."""


def unless_not_given(parse: Callable[[str], T]
                     ) -> Callable[[str], T | None]:
    """``parse``, but None for a value in :data:`NOT_GIVEN`."""
    @functools.wraps(parse)
    def read(text: str) -> T | None:
        return None if text in NOT_GIVEN else parse(text)
    return read


def number(text: str) -> float:
    """A number in ASCII digits (:data:`NUMBER`)."""
    if not NUMBER.fullmatch(text.strip()):
        fail(f"must be a number, got {echo(text)}")
    return float(text) + 0.0  # + 0.0: -0.0 becomes 0.0


def speed(text: str) -> float:
    """A number, or ``max`` for no pacing at all; ``inf`` is refused, so
    that the error can say what to type instead."""
    if text.strip().lower() == "max":
        return UNPACED
    value = float(text) if NUMBER.fullmatch(text.strip()) else math.nan
    if not MIN_SPEED <= value <= MAX_SPEED:  # also false for nan
        fail(f"must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}, or max "
             f"for no pacing, got {echo(text)}")
    return value


def messages(text: str) -> int:
    return integer(text, MAX_MESSAGES)


def senders(text: str) -> int:
    return integer(text, MAX_SENDERS)


def num_senders(text: str) -> int:
    """Unlike a group's COUNT, the positional senders may be 0."""
    value = senders(text)
    if not 0 <= value <= MAX_SENDERS:
        fail(f"must be an integer from 0 to {MAX_SENDERS:,}, got {value}")
    return value


def seed(text: str) -> int:
    return integer(text, 10 ** LONGEST_ECHO - 1)


def retries(text: str) -> int:
    return integer(text, MAX_RETRIES)  # the rule itself is the config's


def runs(text: str) -> int:
    value = integer(text, MAX_RUNS)
    if not MIN_RUNS <= value <= MAX_RUNS:
        fail(f"must be an integer from {MIN_RUNS} to {MAX_RUNS:,}, got "
             f"{value}")
    return value


def jobs(text: str) -> int:
    value = integer(text, JOBS_LIMIT)
    if not 1 <= value <= JOBS_LIMIT:
        fail(f"must be an integer from 1 to {JOBS_LIMIT}, got {value}")
    return value


def share(text: str) -> float:
    value = number(text)
    if not 0 <= value <= 1:
        fail(f"must be a number from 0 to 1, got {value!r}")
    return value


def percent(text: str) -> float:
    """A share written as a percentage (``40%``) or a fraction (``0.4``);
    a percentage's range is the caller's to check."""
    digits = text.strip()
    percentage = digits.endswith("%")
    written = digits[:-1].strip() if percentage else digits
    if not NUMBER.fullmatch(written):
        fail(f"must be a percentage (40%) or a fraction, got {echo(text)}")
    return float(written) / 100 if percentage else share(written)


def fraction(text: str) -> float:
    """A share from 0 to 1 written as a percentage (``1%``) or not
    (``0.01``): ``fail=``, an error class's, a receipt state's."""
    value = percent(text)
    if not 0 <= value <= 1:  # also false for nan
        fail(f"must be from 0% to 100%, got {echo(text)}")
    return value


def finite(text: str, parse: Callable[[str], float] = number) -> float:
    value = parse(text)
    if not math.isfinite(value):
        fail(f"must be a finite number, got {echo(text)}")
    return value


def seconds(text: str) -> float:
    """Simulated seconds, written ``90``, ``90s``, ``20m``, ``1.5h`` or
    ``5m30s``; the setting checks the range."""
    compound = COMPOUND.fullmatch(text.strip())
    if compound and sum(part is not None for part in compound.groups()) > 1:
        return sum(float(part) * scale for part, scale in zip(
            compound.groups(), (3600.0, 60.0, 1.0)) if part is not None)
    scale = UNITS.get(text.strip()[-1:].lower())
    digits = (text.strip()[:-1] if scale else text).strip()
    if not NUMBER.fullmatch(digits):
        fail(f"must be a number of seconds, or with s, m or h (20m), got "
             f"{echo(text)}")
    return float(digits) * (scale or 1.0) + 0.0  # -0.0 becomes 0.0


def duration(text: str) -> float:
    """Simulated seconds above 0, within the horizon."""
    value = seconds(text)
    if not (math.isfinite(value) and 0 < value <= HORIZON_S):
        fail(f"must be a time > 0 and at most {HORIZON} s, in seconds or "
             f"with s, m or h (20m), got {echo(text)}")
    return value


def _colon_fields(text: str, names: Sequence[str],
                  optional: int) -> list[str]:
    fields = text.split(":")
    if not len(names) - optional <= len(fields) <= len(names):
        spec = ":".join(names[:len(names) - optional]) + "".join(
            f"[:{name}]" for name in names[len(names) - optional:])
        fail(f"must be {spec}, got {echo(text)}")
    return fields


def _in_spec(text: str, field: str, error: Exception,
             names: dict[str, str] = COLON_FIELDS) -> NoReturn:
    name = names.get(field, field)
    fail(f"{echo(text)}: {name} {error}")


def _field(text: str, name: str, parse: Callable[[str], T],
           value: str, names: dict[str, str] = COLON_FIELDS) -> T:
    try:
        return parse(value)
    except argparse.ArgumentTypeError as error:
        _in_spec(text, name, error, names)


def sender_group(text: str) -> SenderGroup:
    """A group of senders: ``COUNT:MEAN:DEVIATION:FAILURE_RATE[:TPS]``,
    uniform; or named, ``count=20,mean=0.05,sd=0.02,fail=0.1,tps=5,
    dist=lognormal`` (``dist=empirical,file=PATH[,column=NAME]`` for
    measured send times)."""
    if "=" in text:
        return _named_group(text)
    fields = _colon_fields(text, ("COUNT", "MEAN", "DEVIATION",
                                  "FAILURE_RATE", "TPS"), optional=1)
    count = _field(text, "count", senders, fields[0])
    mean_s, deviation_s, failure_rate = (
        _field(text, name, parse, value) for name, parse, value in
        zip(("mean_s", "max_deviation_s", "failure_rate"),
            (seconds, seconds, number), fields[1:4]))
    tps = _field(text, "tps", number, fields[4]) if len(fields) > 4 else None
    try:
        return SenderGroup.uniform(count, mean_s, deviation_s, failure_rate,
                                   tps)
    except ConfigError as error:
        _in_spec(text, error.field, error)


def _pairs(text: str, allowed: Sequence[str],
           keys: str | None = None) -> dict[str, str]:
    """``key=value,...`` (``keys``, else all of ``text``) as a dict: each
    key once, each one allowed.  Errors quote the whole spec, ``text``."""
    pairs: dict[str, str] = {}
    for item in (text if keys is None else keys).split(","):
        key, equals, value = item.partition("=")
        key = key.strip().lower()  # names, in any case
        if not equals or not key:
            fail(f"{echo(text)}: {echo(item)} is not key=value")
        if key not in allowed:
            fail(f"{echo(text)}: unknown key {key!r} (keys: "
                 f"{', '.join(allowed)})")
        if key in pairs:
            fail(f"{echo(text)}: {key} is given twice")
        pairs[key] = value.strip()
    return pairs


def _named_group(text: str) -> SenderGroup:
    pairs = _pairs(text, GROUP_KEYS)
    if "count" not in pairs:
        fail(f"{echo(text)}: count is missing (count=N)")
    count = _field(text, "count", senders, pairs.pop("count"), NAMED_FIELDS)
    rate = _field(text, "failure_rate", fraction, pairs.pop(
        "fail", str(DEFAULT_FAILURE_RATE)), NAMED_FIELDS)
    tps = (_field(text, "tps", number, pairs.pop("tps"), NAMED_FIELDS)
           if "tps" in pairs else None)
    send = _latency(text, pairs.pop("dist", "uniform"), pairs)
    try:
        return SenderGroup(count, send, rate, tps)
    except ConfigError as error:
        _in_spec(text, error.field, error, NAMED_FIELDS)


def latency(text: str) -> Latency:
    """A distribution of durations: ``SHAPE:key=value,...`` (for example
    ``lognormal:mean=8,sd=20``, ``exponential:mean=8``,
    ``empirical:file=PATH``), or the path of a file of measurements."""
    shape, colon, rest = text.partition(":")
    if text.lower() == "empirical":
        return _latency(text, shape, {})  # which says what it lacks
    if shape.lower() not in SHAPES:
        if os.path.exists(text):
            return _latency(text, "empirical", {"file": text})
        fail(f"must be SHAPE:key=value,... with SHAPE one of "
             f"{', '.join(SHAPES)} (lognormal:mean=8,sd=20), or a file of "
             f"measurements, got {echo(text)}")
    return _latency(text, shape, _pairs(text, LATENCY_KEYS, rest) if rest
                    else {})


def _latency(text: str, shape: str, pairs: dict[str, str]) -> Latency:
    """The shape's distribution from its keys; any key it does not take is
    an error, named.  Shapes are names, taken in any case."""
    shape = shape.lower()
    if shape not in SHAPES:
        fail(f"{echo(text)}: dist must be one of {', '.join(SHAPES)}, got "
             f"{shape!r}")
    takes = {"uniform": ("mean", "dev"), "normal": ("mean", "sd"),
             "exponential": ("mean",), "lognormal": ("mean", "sd"),
             "empirical": ("file", "column")}[shape]
    extra = [key for key in pairs if key not in takes]
    if extra:
        fail(f"{echo(text)}: {extra[0]} is not for the {shape} shape (it "
             f"takes {', '.join(takes)})")
    if shape == "empirical":
        if "file" not in pairs:
            fail(f"{echo(text)}: the empirical shape needs file=PATH")
        try:
            values = read_measurements(pairs["file"], pairs.get("column"))
            return Latency.empirical(values, pairs["file"])
        except MeasurementsError as error:
            fail(str(error))
    numbers = {key: _field(text, key, seconds, value, NAMED_FIELDS)
               for key, value in pairs.items()}
    for key in takes:
        if key not in pairs and key != "dev":
            fail(f"{echo(text)}: the {shape} shape needs {key}=")
    mean = numbers["mean"]
    try:
        if shape == "uniform":
            return Latency.uniform(mean, numbers["dev"]) \
                if "dev" in numbers else Latency.with_mean(mean)
        if shape == "exponential":
            return Latency.exponential(mean)
        return Latency(shape, mean, sd_s=numbers["sd"])
    except ConfigError as error:
        _in_spec(text, error.field, error, NAMED_FIELDS)


def message_text(text: str) -> str:
    """A text for every message to carry."""
    problem = text_problem(text)
    if problem is not None:
        fail(f"the text {problem}, got {echo(text)}" if text else
             "must be a text of 1 character or more, got ''")
    return text


def path(text: str) -> str:
    """A file's path, as typed: refused empty, for every option alike."""
    if not text:
        fail("the path is empty")
    return text


def text_file(path_text: str) -> tuple[str, ...]:
    """The texts of a file, one a line."""
    path(path_text)
    try:
        return read_texts(path_text)
    except TextsError as error:
        fail(str(error))


def backoff(text: str) -> Backoff:
    fields = _colon_fields(text, ("BASE", "CAP"), optional=1)
    base_s = _field(text, "base_s", seconds, fields[0])
    cap_s = (_field(text, "cap_s", seconds, fields[1]) if len(fields) > 1
             else max(base_s, Backoff().cap_s))
    try:
        return Backoff(base_s, cap_s)
    except ConfigError as error:
        _in_spec(text, error.field, error)


def goal(text: str) -> Goal:
    """``[CLASS:]P[@T]``: a share of all messages (of a ``--traffic``
    class's, if named), by a time if given (for a class, from each
    message's arrival)."""
    klass, colon, rest = text.rpartition(":")
    if colon and not NAME.fullmatch(klass):
        fail(f"{echo(text)}: CLASS must be a --traffic class's name, 1 to "
             f"40 letters, digits, _ or -, got {echo(klass)}")
    share_text, at, time_text = rest.partition("@")
    value = _field(text, "P", share, share_text, {})
    return Goal(value, _field(text, "T", duration, time_text, {}) if at
                else None, klass if colon else None)
