"""A group's throttling keys, read here: ``accept=R``, ``burst=B``,
``on-throttle=pause:D|requeue:D*N|backoff`` and ``rtt=SHAPE``, last, as
its shape has commas of its own (``throttle.py`` is the model).
"""
from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import TypeVar

from sms_sim.cli import specs
from sms_sim.model.throttle import BACKOFF, PAUSE, REQUEUE, Throttle
from sms_sim.model.validation import ConfigError

THROTTLE_KEYS = ("accept", "burst", "on-throttle")
RTT = re.compile(r",\s*rtt\s*=", re.IGNORECASE)
DEFAULT_WAIT = {PAUSE: "1s", REQUEUE: "30s"}
"""Kannel's pause after THROTTLED; Jasmin's wait before a retrial."""
DEFAULT_TIMES = "20"
"""Jasmin's retrials of a throttled message."""
T = TypeVar("T")


def split_rtt(text: str) -> tuple[str, str | None]:
    """``text`` less a last ``,rtt=SHAPE``, and that shape if given."""
    found = RTT.search(text)
    if found is None:
        return text, None
    return text[:found.start()], text[found.end():].strip()


def throttle(text: str, keys: dict[str, str], rtt: str | None
             ) -> Throttle | None:
    """The group's throttle from its keys; None without ``accept=``.
    ``text`` is the whole spec, which errors quote."""
    if "accept" not in keys:
        given = [*keys, *(["rtt"] if rtt is not None else [])]
        if given:
            specs.fail(f"{specs.echo(text)}: {given[0]}= needs accept=R, "
                       "the submits a second the SMSC accepts")
        return None
    accept = _value(text, "accept", specs.number, keys["accept"])
    burst = _value(text, "burst", specs.integer, keys["burst"]) \
        if "burst" in keys else None
    reaction, wait, times = _reaction(text, keys.get("on-throttle", PAUSE))
    try:
        return Throttle(accept, burst, _value(text, "rtt", specs.latency, rtt)
                        if rtt is not None else None,
                        reaction, wait, times)
    except ConfigError as error:
        specs.fail(f"{specs.echo(text)}: {error.field} {error}")


def _reaction(text: str, value: str) -> tuple[str, float, int]:
    """``pause[:D]``, ``requeue[:D[*N]]`` or ``backoff``."""
    kind, _, rest = value.partition(":")
    kind = kind.strip().lower()
    if kind == BACKOFF and not rest:
        return BACKOFF, 0.0, 1
    if kind not in DEFAULT_WAIT:
        specs.fail(f"{specs.echo(text)}: on-throttle must be pause:D, "
                   f"requeue:D*N or backoff (pause:1s, requeue:30s*20), got "
                   f"{specs.echo(value)}")
    wait, star, times = (rest or DEFAULT_WAIT[kind]).partition("*")
    if star and kind == PAUSE:
        specs.fail(f"{specs.echo(text)}: on-throttle pause:D takes no *N, "
                   f"got {specs.echo(value)}")
    return (kind, _value(text, "on-throttle", specs.seconds, wait),
            _value(text, "on-throttle", specs.integer,
                   times.strip() if star else DEFAULT_TIMES))


def _value(text: str, key: str, parse: Callable[[str], T], value: str
           ) -> T:
    try:
        return parse(value.strip())
    except argparse.ArgumentTypeError as error:
        specs.fail(f"{specs.echo(text)}: {key} {error}")
