"""Routes: a named sender group stands for one provider's connections,
which may go down for a while (``Outage``), and when its senders may start
(``Windows``), alone or behind the routes before it (failover), and how
long its provider holds a message (``provider_validity``).

A route's outage runs from ``start_s`` for ``length_s``.  For ``detect_s``
after it starts the client has not noticed: its senders still start
sends, and each fails as an outage.  It then takes no message until
``reconnect_s`` after the outage ends.  An attempt in progress when the
outage starts fails too.  Each such failure ends when the client notices
(``detect_s`` after the start), or at its own end if that comes first.
"""
from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sms_sim.model.validation import HORIZON, HORIZON_S, ConfigError

NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
"""A route's or a carrier's name: a lowercase letter, then up to 31
lowercase letters, digits, dashes or underscores; it is a key of the
report, the JSON and the log."""
ROUTINGS = ("spread", "failover")
"""``spread``: the sender free first, of any route that is up, sends
next.  ``failover``: a route takes messages only while every route before
it is down."""
OUTAGE = "outage"
"""The failure kind of an attempt that an outage ended."""


def check_name(name: str | None) -> None:
    if name is not None and not NAME.fullmatch(name):
        raise ConfigError(
            "name", "a lowercase letter, then up to 31 lowercase letters, "
            "digits, - or _", name)


@dataclass(frozen=True, slots=True)
class Outage:
    """A route down from ``start_s`` for ``length_s`` simulated seconds."""

    start_s: float
    length_s: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start_s) and math.isfinite(self.length_s)
                and self.start_s >= 0 and self.length_s > 0
                and self.end_s <= HORIZON_S):
            raise ConfigError(
                "down", f"START+LENGTH with START >= 0, LENGTH > 0, ending "
                f"by {HORIZON} s", f"{self.start_s:g}+{self.length_s:g}")

    @property
    def end_s(self) -> float:
        return self.start_s + self.length_s


def check_outages(outages: Sequence[Outage], detect_s: float,
                  reconnect_s: float) -> None:
    """Outages in order of start, none overlapping another; ``detect_s``
    and ``reconnect_s`` within the horizon."""
    for name, value in (("detect", detect_s), ("reconnect", reconnect_s)):
        if not (math.isfinite(value) and 0 <= value <= HORIZON_S):
            raise ConfigError(name, f"a time from 0 to {HORIZON} s", value)
    for before, after in zip(outages, outages[1:]):
        if after.start_s < before.end_s:
            raise ConfigError(
                "down", "outages apart, each starting after the one before "
                "ends",
                f"{before.start_s:g}+{before.length_s:g} then "
                f"{after.start_s:g}+{after.length_s:g}")


Span = tuple[float, float]
"""``[from_s, to_s)``: a span of simulated time, ``to_s`` maybe inf."""


def blocked_spans(outages: Sequence[Outage], detect_s: float,
                  reconnect_s: float) -> list[Span]:
    """When a route takes no message: from the moment its client notices
    an outage until ``reconnect_s`` after it ends; merged, in order."""
    return merge([(min(o.start_s + detect_s, o.end_s),
                   o.end_s + reconnect_s) for o in outages])


def merge(spans: Iterable[Span]) -> list[Span]:
    """Spans sorted and joined where they touch or overlap; empty ones
    left out."""
    merged: list[Span] = []
    for low, high in sorted(span for span in spans if span[0] < span[1]):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def intersect(first: Sequence[Span], second: Sequence[Span]) -> list[Span]:
    """The time both lists of merged spans cover."""
    both = []
    i = j = 0
    while i < len(first) and j < len(second):
        low = max(first[i][0], second[j][0])
        high = min(first[i][1], second[j][1])
        if low < high:
            both.append((low, high))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return both


def complement(spans: Sequence[Span]) -> list[Span]:
    """The time from 0 on that merged ``spans`` leave out."""
    gaps, at = [], 0.0
    for low, high in spans:
        gaps.append((at, low))
        at = high
    gaps.append((at, math.inf))
    return merge(gaps)


def closed_spans(blocked: Sequence[Sequence[Span]], routing: str
                 ) -> list[list[Span]]:
    """Each route's spans when its senders may not start, from every
    route's ``blocked`` spans in order: its own, and with failover also
    whenever a route before it is up."""
    if routing == "spread":
        return [list(spans) for spans in blocked]
    closed = []
    all_down: list[Span] = [(0.0, math.inf)]  # of the routes before
    for spans in blocked:
        closed.append(merge([*spans, *complement(all_down)]))
        all_down = intersect(all_down, spans)
    return closed


class Route:
    """One route as the schedule reads it: when its senders may start
    (:meth:`closed_until`), and which attempts an outage ends
    (:meth:`cut_s`).
    """

    __slots__ = ("_closed", "_closed_from", "_starts", "_blind_ends",
                 "_detect_s", "outages")

    def __init__(self, closed: Sequence[Span], outages: Sequence[Outage],
                 detect_s: float) -> None:
        self._closed = tuple(closed)
        self._closed_from = [low for low, _ in closed]
        self.outages = tuple(outages)
        self._starts = [o.start_s for o in outages]
        self._blind_ends = [min(o.start_s + detect_s, o.end_s)
                            for o in outages]
        self._detect_s = detect_s

    def closed_until(self, at_s: float) -> float:
        """When the route opens, if it is closed at ``at_s`` (inf if
        never again); 0 if open."""
        index = bisect.bisect_right(self._closed_from, at_s) - 1
        if index >= 0 and at_s < self._closed[index][1]:
            return self._closed[index][1]
        return 0.0

    def cut_s(self, start_s: float, done_s: float) -> float | None:
        """When an attempt from ``start_s`` to ``done_s`` fails as an
        outage: one started before the client noticed an outage, or in
        progress as one began, ends when the client notices, or at its own
        end if that is sooner.  None for an attempt no outage meets."""
        index = bisect.bisect_right(self._blind_ends, start_s)
        if index == len(self._starts):
            return None
        down_s = self._starts[index]
        if down_s <= start_s or down_s < done_s:
            notice_s = down_s + self._detect_s
            return done_s if done_s < notice_s else notice_s
        return None


ALWAYS_OPEN = Route((), (), 0.0)
"""The route of a sender in a run without routes: never closed."""


class RouteSettings(Protocol):
    """A group's settings as a route (``SenderGroup``'s)."""

    @property
    def outages(self) -> tuple[Outage, ...]: ...
    @property
    def detect_s(self) -> float: ...
    @property
    def reconnect_s(self) -> float: ...
    @property
    def validity_s(self) -> float | None: ...


def provider_validity(groups: Sequence[RouteSettings]) -> float:
    """How long a message may wait to start, from its arrival, before the
    routes' providers give it up: the longest validity of any route, as
    a message waits while some route would still take it (inf if one
    holds messages without limit).  It ends the positional class as a
    ``--deadline`` would, and shortens each ``--traffic`` class's own
    validity (``lines.py``)."""
    held = [group.validity_s for group in groups]
    return max(math.inf if valid_s is None else valid_s for valid_s in held)


def routes_of(groups: Sequence[RouteSettings], routing: str
              ) -> tuple[list[Route], bool]:
    """Each group's route as the schedule reads it, and whether any is
    ever closed (if not, the schedule never looks)."""
    if routing == "spread" and not any(group.outages for group in groups):
        return [ALWAYS_OPEN] * len(groups), False
    closed = closed_spans([blocked_spans(g.outages, g.detect_s,
                                         g.reconnect_s) for g in groups],
                          routing)
    return [Route(spans, group.outages, group.detect_s)
            for spans, group in zip(closed, groups)], True
