"""``--traffic``'s value: a class of messages, as typed.

``name=NAME,count=N,at=T`` is a batch; ``name=NAME,rate=R/h,for=D
[,from=T][,arrivals=poisson|even]`` a stream; either may add
``priority=P``, ``weight=W`` and ``validity=D``.  Errors are one line that
quotes the spec and names the key (``specs.py``'s way).
"""
from __future__ import annotations

from sms_sim.cli.specs import (NUMBER, _field, _in_spec, _pairs, echo, fail,
                               integer, messages, number, seconds)
from sms_sim.model.traffic import ARRIVALS, LEAST_URGENT, TrafficClass
from sms_sim.model.validation import ConfigError

TRAFFIC_KEYS = ("name", "count", "at", "rate", "for", "from", "arrivals",
                "priority", "weight", "validity")
TRAFFIC_FIELDS = {
    # TrafficClass field: its key in the spec
    "count": "count", "at": "at", "rate": "rate", "for": "for",
    "from": "from", "arrivals": "arrivals", "name": "name",
    "priority": "priority", "weight": "weight", "validity_s": "validity",
}
RATE_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
"""A rate's period: per second, minute or hour."""


def rate(text: str) -> float:
    """Arrivals per second, written per second, minute or hour: ``5/s``,
    ``90/m``, ``2000/h``."""
    count, slash, unit = text.strip().partition("/")
    period = RATE_UNITS.get(unit.strip().lower())
    if not slash or period is None or not NUMBER.fullmatch(count.strip()):
        fail(f"must be a rate with its period, R/s, R/m or R/h (2000/h), "
             f"got {echo(text)}")
    value = float(count) / period
    if not value > 0:  # false for nan
        fail(f"must be above 0, got {echo(text)}")
    return value


def traffic_class(text: str) -> TrafficClass:
    """One ``--traffic`` class (see the module)."""
    pairs = _pairs(text, TRAFFIC_KEYS)
    if "name" not in pairs:
        fail(f"{echo(text)}: name is missing (name=NAME)")
    if ("count" in pairs) == ("rate" in pairs):
        fail(f"{echo(text)}: give count=N (a batch) or rate=R/h,for=D (a "
             "stream), one of them")
    if "rate" in pairs and "for" not in pairs:
        fail(f"{echo(text)}: a stream needs for=D, how long it lasts")
    if "count" in pairs and ({"for", "from", "arrivals"} & pairs.keys()):
        fail(f"{echo(text)}: for, from and arrivals are a stream's; a "
             "batch has count and at")
    if "rate" in pairs and "at" in pairs:
        fail(f"{echo(text)}: at is a batch's; a stream starts from=T")
    arrivals = pairs.get("arrivals", ARRIVALS[0]).lower()
    if arrivals not in ARRIVALS:
        fail(f"{echo(text)}: arrivals must be {' or '.join(ARRIVALS)}, got "
             f"{echo(arrivals)}")

    def moment(key: str) -> float:
        return _field(text, key, seconds, pairs[key], TRAFFIC_FIELDS) \
            if key in pairs else 0.0

    try:
        return TrafficClass(
            pairs["name"],
            count=_field(text, "count", messages, pairs["count"],
                         TRAFFIC_FIELDS) if "count" in pairs else None,
            at_s=moment("at"),
            rate_per_s=_field(text, "rate", rate, pairs["rate"],
                              TRAFFIC_FIELDS) if "rate" in pairs else None,
            for_s=_field(text, "for", seconds, pairs["for"],
                         TRAFFIC_FIELDS) if "for" in pairs else None,
            from_s=moment("from"), arrivals=arrivals,
            priority=_field(text, "priority", integer, pairs["priority"],
                            TRAFFIC_FIELDS)
            if "priority" in pairs else LEAST_URGENT,
            weight=_field(text, "weight", number, pairs["weight"],
                          TRAFFIC_FIELDS) if "weight" in pairs else 1.0,
            validity_s=_field(text, "validity", seconds, pairs["validity"],
                              TRAFFIC_FIELDS) if "validity" in pairs else None)
    except ConfigError as error:
        _in_spec(text, error.field, error, TRAFFIC_FIELDS)
