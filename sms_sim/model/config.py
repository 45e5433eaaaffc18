"""What a run is asked to do, validated so that an invalid run cannot exist.

Every rule lives here or beside the value it governs (``gateway.py``), once.
A broken rule raises :class:`ConfigError` naming the field and the allowed
range; the command line maps fields to its own argument names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sms_sim.model.errors import ErrorMix
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.message import RANDOM_MOST_SEGMENTS
from sms_sim.model.carriers import Carrier, check_carriers
from sms_sim.model.receipts import Receipts
from sms_sim.model.texts import Texts
from sms_sim.model.throttle import Throttle
from sms_sim.model.windows import MAX_WINDOW
from sms_sim.model.route import (ROUTINGS, Outage, check_name,
                                 check_outages)
from sms_sim.model.traffic import (DEFAULT_CLASS, PRIORITIES, STRICT,
                                   TrafficClass)
from sms_sim.model.validation import (HORIZON, HORIZON_S, ConfigError,
                                      check_rate, check_share, finite)

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
MIN_SPEED = 1e-6
MAX_SPEED = 1e6
"""Slowest and fastest paced clock: a simulated second every 11.6 days,
and 11.6 simulated days a second, are far beyond any use."""
UNPACED = math.inf
"""The speed of ``--speed max``: no real-time pacing at all."""
MESSAGES = "messages"
SEGMENTS = "segments"
CAP_UNITS = (MESSAGES, SEGMENTS)
"""What every cap counts: a message a slot, or a segment a slot (a
message of k segments then takes k slots, and k times its drawn send
time)."""


@dataclass(frozen=True, slots=True)
class SenderGroup:
    """``count`` senders sharing one distribution of send times, failure
    rate and cap.

    Each send takes a simulated time drawn from ``send`` and then fails
    with probability ``failure_rate``.  With ``tps``, each sender of the
    group starts at most that many sends per simulated second.

    A ``name`` makes the group a route, one provider's connections, which
    may go down (``outages``, ``detect_s``, ``reconnect_s``: see
    ``route.py``).
    """

    count: int
    send: Latency
    failure_rate: float
    tps: float | None = None
    name: str | None = None
    outages: tuple[Outage, ...] = ()
    detect_s: float = 0.0
    reconnect_s: float = 0.0
    throttle: Throttle | None = None
    """What its SMSC accepts, and what it does when it refuses; None:
    every submit is accepted (``throttle.py``)."""
    window: int = 1
    """Submits each sender may have on the way at once (``windows.py``).
    """
    errors: ErrorMix | None = None
    """Its failed attempts by error class, besides ``failure_rate``'s
    (``errors.py``)."""
    validity_s: float | None = None
    """How long its provider holds a message that has not gone out (a
    preset's documented validity, or ``validity=``); None: no limit.
    See ``route.provider_validity``."""

    @classmethod
    def uniform(cls, count: int, mean_s: float, max_deviation_s: float,
                failure_rate: float, tps: float | None = None
                ) -> SenderGroup:
        """The brief's group: sends uniform within the mean plus or minus
        ``max_deviation_s``."""
        return cls(count, Latency.uniform(mean_s, max_deviation_s),
                   failure_rate, tps)

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SENDERS:
            raise ConfigError("count", f"an integer from 1 to {MAX_SENDERS:,}",
                              self.count)
        check_share("failure_rate", self.failure_rate)
        check_rate("tps", self.tps, "sends per second")
        if self.validity_s is not None and \
                not 0 < self.validity_s <= HORIZON_S:
            raise ConfigError("validity", f"a time > 0, within {HORIZON} s",
                              self.validity_s)
        check_name(self.name)
        check_outages(self.outages, self.detect_s, self.reconnect_s)
        if self.errors is not None and \
                self.failure_rate + self.errors.total > 1:
            raise ConfigError("errors", "shares adding up, with fail=, to "
                              "at most 100%", self.errors.total)
        if not (isinstance(self.window, int)
                and 1 <= self.window <= MAX_WINDOW):
            raise ConfigError("window", f"an integer from 1 to "
                              f"{MAX_WINDOW:,}", self.window)

    @property
    def least_period_s(self) -> float:
        """The least simulated time between two starts of one sender: its
        shortest send over its window, or its cap's gap if that is
        longer."""
        shortest = self.send.shortest_s / self.window
        return shortest if self.tps is None else max(shortest, 1 / self.tps)


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    num_messages: int
    groups: tuple[SenderGroup, ...]
    interval_s: float = 1.0
    seed: int | None = None
    speed: float = 1.0
    """Simulated seconds that pass per real second; ``UNPACED`` for none."""
    gateway: Gateway = field(default_factory=Gateway)
    carrier: Latency | None = None
    """The carrier's delay from a send's end to the phone; None for a run
    that stops at the gateway."""
    texts: Texts | None = None
    """The planner's own texts; None for the brief's random ones."""
    cap_unit: str = MESSAGES
    """What the caps count: ``MESSAGES`` or ``SEGMENTS``."""
    routing: str = "spread"
    """How the groups, as routes, share the messages (``ROUTINGS``)."""
    traffic: tuple[TrafficClass, ...] = ()
    """The ``--traffic`` classes, besides ``num_messages``' own; none for
    a run whose every message is there at 0."""
    priority: str = STRICT
    """How senders choose among the classes ready (``PRIORITIES``)."""
    receipts: Receipts | None = None
    """The delivery receipts' mix and delay; None: not modelled."""
    carriers: tuple[Carrier, ...] = ()
    """The recipients' carriers (``--carriers``); none for a run that
    does not model them."""

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
        if not (finite(self.interval_s)
                and self.interval_s >= MIN_INTERVAL_S):
            raise ConfigError(
                "interval_s",
                f"a finite number of seconds >= {MIN_INTERVAL_S:g}",
                self.interval_s)
        if not (self.speed == UNPACED
                or MIN_SPEED <= self.speed <= MAX_SPEED):  # false for nan
            raise ConfigError(
                "speed", f"a number from {MIN_SPEED:g} to {MAX_SPEED:g}, "
                "or max", self.speed)
        if self.seed is not None and self.seed < 0:
            # random.Random would take its absolute value: -1 and 1 would
            # make the same run.
            raise ConfigError("seed", "an integer >= 0", self.seed)
        if self.cap_unit not in CAP_UNITS:
            raise ConfigError("cap_unit", " or ".join(CAP_UNITS),
                              self.cap_unit)
        self._check_routes()
        if self.priority not in PRIORITIES:
            raise ConfigError("priority", " or ".join(PRIORITIES),
                              self.priority)
        check_carriers(self.carriers)
        if self.carrier is None and any(c.delay for c in self.carriers):
            raise ConfigError("carriers", "delay= with --carrier-delay, "
                              "the other carriers' delay", "delay=")
        if self.traffic and not self.num_messages and \
                self.gateway.deadline_s is not None:
            raise ConfigError(
                "deadline_s", "", self.gateway.deadline_s,
                "with --traffic it is the latest start of num_messages' "
                "class alone, and there is none: give a class validity=D")
        # In any case: a sweep names a class so (routine.rate).
        names = [klass.name.lower() for klass in self.classes]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise ConfigError(
                    "traffic", "classes of distinct names, in any case "
                    f"({DEFAULT_CLASS!r} is num_messages' class)",
                    self.classes[index].name)
        for klass in self.traffic:
            if klass.expected > MAX_MESSAGES:
                raise ConfigError(
                    "traffic", f"at most {MAX_MESSAGES:,} messages a class",
                    klass.name, f"class {klass.name!r} would bring "
                    f"{klass.expected:.3g} messages; a class may bring at "
                    f"most {MAX_MESSAGES:,}")
        if self.traffic and self.expected_messages > MAX_MESSAGES:
            raise ConfigError(
                "traffic", f"at most {MAX_MESSAGES:,} messages in all",
                self.expected_messages, f"the run would bring "
                f"{self.expected_messages:.3g} messages with its classes; "
                f"a run may bring at most {MAX_MESSAGES:,}")
        least_s = self.least_duration_s
        if least_s > HORIZON_S:
            # Named by what brings most of the messages: the classes'
            # counts and rates, if num_messages brings fewer.
            streams = self.expected_messages - self.num_messages
            raise ConfigError(
                "traffic" if streams > self.num_messages else "num_messages",
                f"sendable within {HORIZON} s", self.num_messages,
                f"{round(self.expected_messages):,} messages need at least "
                f"{least_s:.3g} simulated seconds with these senders and "
                f"caps; a run may model at most {HORIZON} s (about 31 "
                "years)")

    def _check_routes(self) -> None:
        names = [group.name for group in self.groups if group.name]
        for name in names:
            if names.count(name) > 1:
                raise ConfigError("name", "a name no other route has", name)
        if self.routing not in ROUTINGS:
            raise ConfigError("routing", " or ".join(ROUTINGS), self.routing)
        if self.routing == "failover" and len(self.groups) < 2:
            raise ConfigError("routing", "two routes or more for failover",
                              len(self.groups), "failover needs two routes "
                              "or more (--senders name=...), got 1")

    @property
    def routed(self) -> bool:
        """Whether a group is a route: named, or down at times."""
        return any(group.name or group.outages for group in self.groups)

    def route_name(self, index: int) -> str:
        """Group ``index``'s name as a route: its own, or ``group N``."""
        return self.groups[index].name or f"group {index + 1}"

    @property
    def classes(self) -> tuple[TrafficClass, ...]:
        """The traffic classes, ``num_messages``' first (a batch at 0,
        unless it is 0); none without ``--traffic``."""
        if not self.traffic:
            return ()
        default = (TrafficClass(DEFAULT_CLASS, count=self.num_messages),)
        return (default if self.num_messages else ()) + self.traffic

    @property
    def expected_messages(self) -> float:
        """The messages the run brings (a Poisson stream's mean)."""
        return self.num_messages + sum(klass.expected
                                       for klass in self.traffic)

    @property
    def num_senders(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def paced(self) -> bool:
        """Whether real time follows simulated time (not ``--speed max``)."""
        return self.speed != UNPACED

    @property
    def per_segment(self) -> bool:
        """Whether the caps count segments, and a send takes as many
        drawn times as its message has segments."""
        return self.cap_unit == SEGMENTS

    @property
    def send_factor(self) -> int:
        """The most drawn send times one attempt may take: its message's
        segments, when the caps count them."""
        if not self.per_segment:
            return 1
        return RANDOM_MOST_SEGMENTS if self.texts is None \
            else self.texts.most_segments

    @property
    def least_duration_s(self) -> float:
        """A bound the blast cannot beat: every message needs an attempt,
        and the senders, within their caps, start at most so many a
        second (a segment each, when the caps count segments)."""
        if not self.expected_messages:
            return 0.0
        slots = 1 if not self.per_segment or self.texts is None \
            else self.texts.least_segments
        per_s = sum(group.count / group.least_period_s
                    if group.least_period_s > 0 else math.inf
                    for group in self.groups)
        if self.gateway.max_rate is not None:
            per_s = min(per_s, self.gateway.max_rate)
        return self.expected_messages * slots / per_s
