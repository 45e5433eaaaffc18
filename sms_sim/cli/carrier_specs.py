"""``--carriers``' value: one carrier, as typed.

``NAME=SHARE[,cap=R/s][,daily=N][,fail=P][,delay=SHAPE]``, the share and
``fail`` each a percentage (``40%``) or a fraction; ``delay=`` comes
last, as its shape has commas of its own (``delay=lognormal:mean=8,
sd=20``).  Errors are one line that quotes the spec and names the key
(``specs.py``'s way).
"""
from __future__ import annotations

from sms_sim.cli.specs import (_field, _in_spec, _pairs, echo, fail,
                               fraction, integer, latency, percent)
from sms_sim.cli.traffic_specs import rate
from sms_sim.model.carriers import Carrier
from sms_sim.model.validation import ConfigError

CARRIER_KEYS = ("cap", "daily", "fail", "delay")
CARRIER_FIELDS = {"share": "SHARE", "name": "NAME", "cap": "cap",
                  "daily": "daily", "fail": "fail", "delay": "delay"}


def carrier(text: str) -> Carrier:
    """One ``--carriers`` carrier (see the module)."""
    head, _, delay = text.partition(",delay=")
    first, _, keys = head.partition(",")
    name, equals, value = first.partition("=")
    if not equals or not name.strip():
        fail(f"{echo(text)}: must start NAME=SHARE (att=40%)")
    pairs = _pairs(text, CARRIER_KEYS, keys) if keys else {}
    if "delay" in pairs:  # not split off above: DELAY=, or ", delay="
        if delay:
            fail(f"{echo(text)}: delay is given twice")
        delay = pairs.pop("delay")
    try:
        return Carrier(
            name.strip(),
            _field(text, "share", percent, value, CARRIER_FIELDS),
            cap=_field(text, "cap", rate, pairs["cap"], CARRIER_FIELDS)
            if "cap" in pairs else None,
            daily=_field(text, "daily", integer, pairs["daily"],
                         CARRIER_FIELDS) if "daily" in pairs else None,
            delay=_field(text, "delay", latency, delay, CARRIER_FIELDS)
            if delay else None,
            fail=_field(text, "fail", fraction, pairs["fail"],
                        CARRIER_FIELDS)
            if "fail" in pairs else 0.0)
    except ConfigError as error:
        _in_spec(text, error.field, error, CARRIER_FIELDS)
