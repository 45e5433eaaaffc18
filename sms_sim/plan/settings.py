"""The settings a plan may change, by the names ``--sweep`` and
``--solve`` give them: each one's value in a configuration, the
configuration with another value, and how far a search may take it."""
from __future__ import annotations

import dataclasses
import re

from sms_sim.model.config import MAX_SENDERS, SenderGroup, SimulationConfig
from sms_sim.model.latency import Latency
from sms_sim.model.route import Outage
from sms_sim.model.validation import MAX_RETRIES, ConfigError

MAX_RATE_SOLVED = 1e6
"""The largest ``tps`` or ``max-rate`` a search tries: a million sends a
second, far beyond any gateway's."""
ROUTE_FIELDS = {"count": "senders", "tps": "tps", "mean": "mean",
                "down": "down", "fail": "fail", "validity": "deadline"}
"""A route's fields a plan may set, ``ROUTE.FIELD`` (``backup.tps``),
and the setting of the positional senders each is like (``down``, the
length of the route's first outage, is its own; ``validity`` is a time
as ``deadline`` is)."""
ROUTE_SETTING = re.compile(
    r"([a-z][a-z0-9_-]{0,31})\.(count|tps|mean|down|fail|validity)")
"""How a route's setting is named: the route, a dot, the field.
``NAME.fail`` is a carrier's where a carrier has that name, else a
route's; ``NAME.validity`` a class's where a class has that name."""
CARRIER_FIELDS = {"cap": "max-rate", "daily": "retries", "fail": "fail"}
"""A carrier's fields a plan may set, ``CARRIER.FIELD`` (``att.cap``),
and the setting each is like: a rate, a count, a share."""
CARRIER_SETTING = re.compile(r"([a-z][a-z0-9_-]{0,31})\.(cap|daily|fail)")
"""How a carrier's setting is named: the carrier, a dot, the field."""
CLASS_FIELDS = {"rate": "max-rate", "validity": "deadline", "at": "mean",
                "weight": "weight"}
"""A ``--traffic`` class's fields ``--sweep`` may set, ``CLASS.FIELD``
(``routine.rate``), and the setting each is like: a rate a second, a
time above 0, a time from 0, a number."""
CLASS_SETTING = re.compile(r"([a-z0-9_-]{1,40})\.(rate|validity|at|weight)")
"""How a class's setting is named (in lower case, as a sweep's name is
read): the class, a dot, the field."""


def base_name(name: str) -> str:
    """The setting ``name`` is like: a route's field's counterpart
    (``backup.count`` is like ``senders``), or ``name`` itself."""
    route = ROUTE_SETTING.fullmatch(name)
    if route is not None:
        return ROUTE_FIELDS[route.group(2)]
    carrier = CARRIER_SETTING.fullmatch(name)
    if carrier is not None:
        return CARRIER_FIELDS[carrier.group(2)]
    klass = CLASS_SETTING.fullmatch(name)
    return name if klass is None else CLASS_FIELDS[klass.group(2)]


def class_of(config: SimulationConfig, name: str) -> int | None:
    """The index in ``config.traffic`` of the class that setting ``name``
    sets (``routine.rate``; its name in any case), None for any other
    setting.  Raises ConfigError for a class the configuration does not
    have."""
    klass = CLASS_SETTING.fullmatch(name)
    if klass is None or _a_routes_validity(config, name):
        return None
    names = [c.name.lower() for c in config.traffic]
    if names.count(klass.group(1)) != 1:
        known = ", ".join(c.name for c in config.traffic) or "none"
        routes = ", ".join(g.name for g in config.groups if g.name)
        either = "" if klass.group(2) != "validity" else \
            f", or else a route's (routes: {routes or 'none'})"
        raise ConfigError("traffic", "the name of one of its classes, in "
                          f"any case (classes: {known}){either}",
                          klass.group(1))
    return names.index(klass.group(1))


def carrier_of(config: SimulationConfig, name: str) -> int | None:
    """The index of the carrier that setting ``name`` sets (``att.cap``),
    None for any other setting.  Raises ConfigError for a carrier the
    configuration does not have."""
    carrier = CARRIER_SETTING.fullmatch(name)
    if carrier is None or _a_routes_fail(config, name):
        return None
    names = [c.name for c in config.carriers]
    if carrier.group(1) not in names:
        routes = ", ".join(g.name for g in config.groups if g.name)
        either = "" if carrier.group(2) != "fail" else \
            f"route's (routes: {routes or 'none'}) or a "
        raise ConfigError("carriers", f"a {either}carrier's name (carriers: "
                          f"{', '.join(names) or 'none'})", carrier.group(1))
    return names.index(carrier.group(1))


def group_of(config: SimulationConfig, name: str) -> int:
    """The index of the group that setting ``name`` sets: the route it
    names, or the positional group, the first.  Raises ConfigError for a
    route the configuration does not have."""
    route = ROUTE_SETTING.fullmatch(name)
    if route is None or route.group(2) == "fail" and \
            not _a_routes_fail(config, name) or \
            route.group(2) == "validity" and \
            not _a_routes_validity(config, name):
        carrier_of(config, name)  # a carrier's, if any, must be there
        return 0
    names = [group.name for group in config.groups]
    if route.group(1) not in names:
        known = ", ".join(n for n in names if n) or "none"
        raise ConfigError("name", f"a route's name (routes: {known})",
                          route.group(1))
    return names.index(route.group(1))


def _a_routes_validity(config: SimulationConfig, name: str) -> bool:
    """Whether ``name`` is ``ROUTE.validity`` of a route and no class."""
    head, _, field = name.partition(".")
    return field == "validity" and head in {g.name for g in config.groups} \
        and head not in {c.name.lower() for c in config.traffic}


def _a_routes_fail(config: SimulationConfig, name: str) -> bool:
    """Whether ``name`` is ``ROUTE.fail`` of a route and no carrier."""
    head, _, field = name.partition(".")
    return field == "fail" and head in {g.name for g in config.groups} \
        and head not in {c.name for c in config.carriers}


def with_value(config: SimulationConfig, name: str, value: float,
               spread_follows: bool = False) -> SimulationConfig:
    """``config`` with the setting ``name`` (one of
    ``names.SWEEP_NAMES``) set to ``value``, or a route's
    (``ROUTE_SETTING``).  ``senders``, ``tps`` and ``mean`` are the
    positional group's, the first; with ``spread_follows``, a mean sets
    the spread too, as a mean given alone does.  Raises ConfigError as
    the setting's own rule does."""
    gateway = config.gateway
    carrier = carrier_of(config, name)
    if carrier is not None:
        return _with_carrier(config, carrier, name.split(".")[1], value)
    klass = class_of(config, name)
    if klass is not None:
        return _with_class(config, klass, name.rsplit(".", 1)[1], value)
    if name == "max-rate":
        return dataclasses.replace(
            config, gateway=dataclasses.replace(gateway, max_rate=value))
    if name == "retries":
        return dataclasses.replace(config, gateway=dataclasses.replace(
            gateway, retries=_integer(value, MAX_RETRIES)))
    if name == "deadline":
        return dataclasses.replace(
            config, gateway=dataclasses.replace(gateway, deadline_s=value))
    if name == "permanent":
        return dataclasses.replace(
            config, gateway=dataclasses.replace(gateway, permanent=value))
    if name == "carrier-mean":
        if config.carrier is None:
            raise ConfigError("carrier", "", value, "is the carrier's "
                              "delay's mean, and there is no "
                              "--carrier-delay")
        return dataclasses.replace(config, carrier=_with_mean(
            config.carrier, value, False))
    index, base = group_of(config, name), base_name(name)
    groups = list(config.groups)
    first = groups[index]
    if base == "senders":
        group = dataclasses.replace(first, count=_integer(value,
                                                          MAX_SENDERS, 1))
    elif base == "tps":
        group = dataclasses.replace(first, tps=value)
    elif base == "mean":
        group = dataclasses.replace(first, send=_with_mean(
            first.send, value, spread_follows))
    elif base == "down":
        group = _with_outage(first, None, value)
    elif base == "fail":
        group = dataclasses.replace(first, failure_rate=value)
    elif base == "deadline":  # ROUTE.validity
        group = dataclasses.replace(first, validity_s=value)
    else:
        raise ValueError(f"no setting {name!r}")
    groups[index] = group
    return dataclasses.replace(config, groups=tuple(groups))


def configured(config: SimulationConfig, name: str) -> float | None:
    """The value of setting ``name`` in ``config``; None where it is off
    (no cap, no deadline)."""
    first = config.groups[group_of(config, name)]
    carrier = carrier_of(config, name)
    if carrier is not None:
        field = getattr(config.carriers[carrier], name.split(".")[1])
        return None if field is None else float(field)
    klass = class_of(config, name)
    if klass is not None:
        field = getattr(config.traffic[klass],
                        _CLASS_ATTRIBUTES[name.rsplit(".")[1]])
        return None if field is None else float(field)
    return {"senders": float(first.count), "tps": first.tps,
            "max-rate": config.gateway.max_rate,
            "retries": float(config.gateway.retries),
            "deadline": first.validity_s if _a_routes_validity(config, name)
            else config.gateway.deadline_s,
            "mean": first.send.mean_s, "fail": first.failure_rate,
            "permanent": config.gateway.permanent,
            "carrier-mean": None if config.carrier is None
            else config.carrier.mean_s,
            "down": first.outages[0].length_s if first.outages
            else None}[base_name(name)]


def limit_of(name: str, config: SimulationConfig) -> float:
    """The most a search may try: the fleet's limit for ``senders``, a
    million a second for rates."""
    if base_name(name) == "senders":
        return float(MAX_SENDERS - (config.num_senders - config.groups[
            group_of(config, name)].count))
    return MAX_RATE_SOLVED


def _with_carrier(config: SimulationConfig, index: int, field: str,
                  value: float) -> SimulationConfig:
    """``config`` with carrier ``index``'s ``field`` (``cap``, ``daily``
    or ``fail``) set to ``value``."""
    carriers = list(config.carriers)
    carrier = carriers[index]
    carriers[index] = (
        dataclasses.replace(carrier, cap=value) if field == "cap"
        else dataclasses.replace(carrier, fail=value) if field == "fail"
        else dataclasses.replace(carrier, daily=_integer(value, 10 ** 12,
                                                         1)))
    return dataclasses.replace(config, carriers=tuple(carriers))


_CLASS_ATTRIBUTES = {"rate": "rate_per_s", "validity": "validity_s",
                     "at": "at_s", "weight": "weight"}


def _with_class(config: SimulationConfig, index: int, field: str,
                value: float) -> SimulationConfig:
    """``config`` with ``--traffic`` class ``index``'s ``field`` set to
    ``value``: a stream's rate, a batch's arrival, a validity or a
    weight."""
    classes = list(config.traffic)
    klass = classes[index]
    stream = klass.rate_per_s is not None
    if field == "rate" and not stream or field == "at" and stream:
        kind, other = ("a batch", "count=N") if stream is False \
            else ("a stream", "rate=R,for=D")
        raise ConfigError("traffic", "", value, f"class {klass.name!r} is "
                          f"{kind} ({other}): it has no {field}=")
    classes[index] = (
        dataclasses.replace(klass, rate_per_s=value) if field == "rate"
        else dataclasses.replace(klass, at_s=value) if field == "at"
        else dataclasses.replace(klass, validity_s=value)
        if field == "validity" else dataclasses.replace(klass, weight=value))
    return dataclasses.replace(config, traffic=tuple(classes))


def _integer(value: float, most: int, least: int = 0) -> int:
    whole = float(value).is_integer()  # (a search's values are ints)
    if not (whole and least <= value <= most):
        raise ConfigError("count", f"an integer from {least} to {most:,}",
                          int(value) if whole else value)
    return int(value)


def _with_mean(send: Latency, mean_s: float, spread_follows: bool
               ) -> Latency:
    if send.shape == "empirical":
        raise ConfigError("mean_s", "the uniform, normal, exponential or "
                          "lognormal shape's: an empirical one has the "
                          "file's", mean_s)
    if not spread_follows:
        return dataclasses.replace(send, mean_s=mean_s)
    return Latency.with_mean(mean_s, send.shape)


def with_outage_start(config: SimulationConfig, name: str, start_s: float
                      ) -> SimulationConfig:
    """``config`` with the first outage of the route that ``name``
    (``ROUTE.down``) names starting at ``start_s``: a sweep's
    ``START+LENGTHS``."""
    groups = list(config.groups)
    index = group_of(config, name)
    groups[index] = _with_outage(groups[index], start_s, None)
    return dataclasses.replace(config, groups=tuple(groups))


def _with_outage(group: SenderGroup, start_s: float | None,
                 length_s: float | None) -> SenderGroup:
    """``group`` with its first outage moved to ``start_s`` or lasting
    ``length_s`` (None: as it was); a length of 0 leaves it out."""
    outages = list(group.outages)
    if not outages:
        if start_s is None:
            raise ConfigError("down", "a route with down=START+LENGTH, or "
                              "a sweep of START+LENGTHS", group.name)
        outages = [Outage(start_s, 1.0)]  # its length comes with a value
    first = outages[0]
    start = first.start_s if start_s is None else start_s
    length = first.length_s if length_s is None else length_s
    outages[:1] = [Outage(start, length)] if length else []
    return dataclasses.replace(group, outages=tuple(outages))
