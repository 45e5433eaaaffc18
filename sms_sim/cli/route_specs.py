"""A sender group as a route: ``--senders``' named form with the keys that
make it one (``name=``, ``down=START+LENGTH``, repeatable, ``detect=``,
``reconnect=``, ``preset=``, whose cap a ``tps=`` overrides and whose
validity a ``validity=`` does) and its connections' ``window=``, read
here, its error classes (``error_specs.py``) and its SMSC's throttling
(``throttle_specs.py``); the rest of the spec is ``specs.py``'s.
"""
from __future__ import annotations

import argparse
import dataclasses

from sms_sim.cli import error_specs, specs, throttle_specs
from sms_sim.cli.error_specs import ERROR_KEYS
from sms_sim.cli.throttle_specs import THROTTLE_KEYS
from sms_sim.model.config import SenderGroup
from sms_sim.model.presets import PRESETS
from sms_sim.model.route import Outage
from sms_sim.model.validation import ConfigError

ROUTE_KEYS = ("name", "down", "detect", "reconnect", "preset", "validity",
              "window")
ALL_KEYS = (*specs.GROUP_KEYS, *ROUTE_KEYS, *THROTTLE_KEYS, "rtt",
            *ERROR_KEYS)
"""Every key a --senders group takes, as an unknown key's error lists
them."""


def sender_group(text: str) -> SenderGroup:
    """``specs.sender_group``'s group, with its route keys if any."""
    if "=" not in text:
        return specs.sender_group(text)
    rest: list[str] = []
    route: dict[str, str] = {}
    downs: list[str] = []
    keys, rtt = throttle_specs.split_rtt(text)
    last = ""
    for item in keys.split(","):
        key, equals, value = item.partition("=")
        key = key.strip().lower()
        if not equals and last == "errors":  # its classes, comma-separated
            route["errors"] += "," + item
            continue
        last = key
        if not equals or key not in ROUTE_KEYS + THROTTLE_KEYS + ERROR_KEYS:
            if equals and key not in specs.GROUP_KEYS:
                specs.fail(f"{specs.echo(text)}: unknown key {key!r} (keys: "
                           f"{', '.join(ALL_KEYS)})")
            rest.append(item)
        elif key == "down":
            downs.append(value.strip())
        elif key in route:
            specs.fail(f"{specs.echo(text)}: {key} is given twice")
        else:
            route[key] = value.strip()
    throttle = throttle_specs.throttle(
        text, {key: route.pop(key) for key in THROTTLE_KEYS if key in route},
        rtt)
    errors = error_specs.error_mix(
        text, {key: route.pop(key) for key in ERROR_KEYS if key in route})
    if errors is not None and not any(  # errors= alone: no other failures
            item.partition("=")[0].strip().lower() == "fail" for item in rest):
        rest.append("fail=0")
    if not rest:
        specs.fail(f"{specs.echo(text)}: count is missing (count=N)")
    validity_s = None
    if "preset" in route:  # its cap and validity, unless given
        preset = PRESETS.get(route["preset"].lower())
        if preset is None:
            specs.fail(f"{specs.echo(text)}: preset must be one of "
                       f"{', '.join(PRESETS)}, got {route['preset']!r}")
        if not any(item.partition("=")[0].strip().lower() == "tps"
                   for item in rest):
            rest.append(f"tps={preset.tps:g}")
        validity_s = preset.validity_s
    if "validity" in route:
        validity_s = _seconds(text, "validity", route["validity"])
    given = ",".join(rest)
    try:
        group = specs.sender_group(given)
    except argparse.ArgumentTypeError as error:  # quote all that was typed
        specs.fail(str(error).replace(specs.echo(given), specs.echo(text),
                                      1))
    try:
        return dataclasses.replace(
            group, name=route.get("name"),
            outages=tuple(sorted((_outage(text, down) for down in downs),
                                 key=lambda outage: outage.start_s)),
            detect_s=_seconds(text, "detect", route.get("detect", "0")),
            reconnect_s=_seconds(text, "reconnect",
                                 route.get("reconnect", "0")),
            throttle=throttle, window=_window(text, route.get("window", "1")),
            errors=errors, validity_s=validity_s)
    except ConfigError as error:
        specs.fail(f"{specs.echo(text)}: {error.field} {error}")


def _window(text: str, value: str) -> int:
    try:
        return specs.integer(value)
    except argparse.ArgumentTypeError as error:
        specs.fail(f"{specs.echo(text)}: window {error}")


def _seconds(text: str, key: str, value: str) -> float:
    try:
        return specs.seconds(value)
    except argparse.ArgumentTypeError as error:
        specs.fail(f"{specs.echo(text)}: {key} {error}")


def _outage(text: str, value: str) -> Outage:
    """``START+LENGTH``, each a time (``2m+6m``)."""
    start, plus, length = value.partition("+")
    if not plus:
        specs.fail(f"{specs.echo(text)}: down must be START+LENGTH (2m+6m), "
                   f"got {specs.echo(value)}")
    return Outage(_seconds(text, "down", start),
                  _seconds(text, "down", length))
