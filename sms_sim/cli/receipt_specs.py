"""``--receipts``: the mix of final states of the delivery receipts, and
their delay, read here (``delivered=90%,undeliverable=6%,none=2%,
rejected=2%[,delay=SHAPE]``)."""
from __future__ import annotations


from sms_sim.cli import specs
from sms_sim.model.receipts import STATES, Receipts
from sms_sim.model.validation import ConfigError

DELAY = "delay="


def receipts(text: str) -> Receipts:
    """The states' shares, each a percent (``90%``) or a share (``0.9``);
    a state not given has none.  ``delay=`` comes last: its shape has
    commas of its own."""
    shares_text, _, delay_text = text.partition(DELAY)
    if delay_text and shares_text and not shares_text.endswith(","):
        specs.fail(f"{specs.echo(text)}: delay= must come last, after a "
                   "comma")
    items = [item for item in shares_text.split(",") if item.strip()]
    if not items:
        specs.fail(f"{specs.echo(text)}: give each state's share, as "
                   "delivered=90%,undeliverable=6%,none=2%,rejected=2%")
    pairs: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        key = key.strip().lower()
        if not equals or key not in STATES:
            specs.fail(f"{specs.echo(text)}: unknown state {item.strip()!r}"
                       f" (states: {', '.join(STATES)}; then delay=SHAPE)")
        if key in pairs:
            specs.fail(f"{specs.echo(text)}: {key} is given twice")
        pairs[key] = value.strip()
    shares = tuple(specs._field(text, state, specs.fraction,
                                pairs.get(state, "0"), {})
                   for state in STATES)
    delay = specs.latency(delay_text) if delay_text else None
    try:
        return Receipts((shares[0], shares[1], shares[2], shares[3]), delay)
    except ConfigError as error:
        specs.fail(f"{specs.echo(text)}: {error}")
