"""Error classes as typed: a group's ``errors=queue-full:1%,system:0.5%``
(its items after ``errors=`` up to the next key) and ``wait-ack=S``, and
``--retry-table CLASS=COUNTxDELAY,...`` (``errors.py`` is the model)."""
from __future__ import annotations

import argparse

from sms_sim.cli import specs
from sms_sim.model.errors import (BACKOFF, CLASSES, ErrorMix, Retrial,
                                  RetryTable)
from sms_sim.model.validation import ConfigError

ERROR_KEYS = ("errors", "wait-ack")


def error_mix(text: str, keys: dict[str, str]) -> ErrorMix | None:
    """The group's mix from its keys; None without ``errors=``.  ``text``
    is the whole spec, which errors quote."""
    if "errors" not in keys:
        if "wait-ack" in keys:
            specs.fail(f"{specs.echo(text)}: wait-ack= needs errors=")
        return None
    shares = dict.fromkeys(CLASSES, 0.0)
    for item in keys["errors"].split(","):
        name, colon, value = item.partition(":")
        name = name.strip().lower()
        if not colon or name not in CLASSES:
            specs.fail(f"{specs.echo(text)}: unknown error class "
                       f"{item.strip()!r} (classes: {', '.join(CLASSES)}, "
                       "each CLASS:SHARE, queue-full:1%)")
        shares[name] = specs._field(text, name, specs.fraction,
                                    value.strip(), {})
    try:
        wait_s = specs.seconds(keys.get("wait-ack", "60"))
        return ErrorMix((shares[CLASSES[0]], shares[CLASSES[1]],
                         shares[CLASSES[2]], shares[CLASSES[3]]), wait_s)
    except (ConfigError, argparse.ArgumentTypeError) as error:
        field = getattr(error, "field", "wait-ack")
        specs.fail(f"{specs.echo(text)}: {field} {error}")


def retry_table(text: str) -> RetryTable:
    """``queue-full=2x180s,system=2x30s,timeout=3xbackoff``: each class's
    retries and its fixed delay, or ``backoff`` for ``--backoff``'s."""
    given: list[tuple[str, Retrial]] = []
    for item in text.split(","):
        name, equals, value = item.partition("=")
        name = name.strip().lower()
        if not equals or name not in CLASSES:
            specs.fail(f"unknown error class {item.strip()!r} (classes: "
                       f"{', '.join(CLASSES)}, each CLASS=COUNTxDELAY, "
                       "queue-full=2x180s)")
        if name in dict(given):
            specs.fail(f"{name} is given twice")
        count, times, delay = value.strip().lower().partition("x")
        if not times:
            specs.fail(f"{name} must be COUNTxDELAY (2x180s, 3xbackoff), "
                       f"got {specs.echo(value)}")
        try:
            given.append((name, Retrial(
                specs.integer(count.strip()),
                BACKOFF if delay.strip() == "backoff"
                else specs.seconds(delay))))
        except argparse.ArgumentTypeError as error:
            specs.fail(f"{name} {error}")
        except ConfigError as error:
            specs.fail(f"{name}: {error.requirement.split(' ')[0]} {error}")
    try:
        return RetryTable(tuple(given))
    except ConfigError as error:
        specs.fail(str(error))
