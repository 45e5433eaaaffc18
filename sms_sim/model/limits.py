"""What set the pace of a run: the share of its sending time during which
each constraint held the next send back (``Limit``, ``HeldTime``,
``Limits``).

The sending time runs from 0 to the latest start of an attempt.  Starts
come out of the schedule roughly in order; each one that is later than
every start before it closes an interval (from the latest start before
it) in which no send started, and that interval goes to what held that
start back, as the schedule saw it deciding it:

- ``senders_busy``: it started as its sender was given back (the end of
  its last send): the message waited for a sender;
- ``sender_tps``: its sender was free at its own ``tps`` slot, later than
  its last send's end;
- ``max_rate``: it started at the account's next slot (``--max-rate``),
  after its sender was free;
- ``carrier_cap``: it started at its carrier's next slot (``cap=``),
  after its sender was free and it was ready (per carrier, too);
- ``outage``: its sender was free when its route opened again (its own
  outage, or with failover the routes before it coming back up);
- ``no_message``: its sender was free before anything was ready (the
  next arrival, or a retry still in its backoff);
- ``throttled``: the SMSC refused a submit as too fast (``accept=``)
  since the latest start: its token bucket, not the senders, held this
  one back.  A refused submit is no start of an attempt.

Each interval goes to one reason, so the shares add up to 1.  A route up
while another is down keeps sending: the outage then shows as that
route's senders busy, not as an outage, since the next send was waiting
for them.  A daily cap's refusal and an expiry start nothing.

Thread safety: ``HeldTime`` is used only inside ``Schedule.decide``,
under its lock, and read once every sender has ended.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass


class Limit(enum.IntEnum):
    """A reason a send started later than the latest start before it.
    Its value indexes ``HeldTime.held_s``; a new reason is a new member
    (with its words in ``LIMIT_WORDS``) and the place the schedule gives
    it."""

    SENDERS_BUSY = 0
    SENDER_TPS = 1
    MAX_RATE = 2
    CARRIER_CAP = 3
    OUTAGE = 4
    NO_MESSAGE = 5
    THROTTLED = 6

    @property
    def key(self) -> str:
        """Its name in the JSON: ``senders_busy``, ``max_rate``, ..."""
        return self.name.lower()


BUSY, TPS, RATE = Limit.SENDERS_BUSY.value, Limit.SENDER_TPS.value, \
    Limit.MAX_RATE.value
DOWN, IDLE, THROTTLE, CAPS = Limit.OUTAGE.value, Limit.NO_MESSAGE.value, \
    Limit.THROTTLED.value, len(Limit)
"""The reasons as plain ints, for the schedule's loop (a ``Limit``'s
lookup would cost it 90 ns); carrier ``i``'s cap is ``CAPS + i``."""

LIMIT_WORDS = {
    Limit.SENDERS_BUSY: "senders busy",
    Limit.SENDER_TPS: "a sender's tps",
    Limit.MAX_RATE: "--max-rate",
    Limit.CARRIER_CAP: "a carrier's cap",
    Limit.OUTAGE: "an outage",
    Limit.NO_MESSAGE: "no message ready",
    Limit.THROTTLED: "the SMSC's throttling",
}
"""Each reason as the text report names it."""


class HeldTime:
    """The schedule's running sums: the latest start so far, and the time
    each reason held the next send back.  Carriers' caps count per
    carrier, carrier ``i`` at ``len(Limit) + i``."""

    __slots__ = ("top_s", "held_s", "throttled", "_carriers")

    def __init__(self, carriers: Sequence[str]) -> None:
        """``carriers``: their names, in order."""
        self._carriers = tuple(carriers)
        self.top_s = 0.0
        """The latest start so far (the sending time)."""
        self.throttled = False
        """Whether the SMSC refused a submit since then."""
        self.held_s = [0.0] * (len(Limit) + len(carriers))
        """Seconds held, by ``Limit``, then by carrier (a carrier's cap;
        ``CARRIER_CAP`` itself stays 0 until ``limits`` sums them)."""

    def limits(self) -> Limits:
        """The figures so far, as a value."""
        by_carrier = self.held_s[len(Limit):]
        held = list(self.held_s[:len(Limit)])
        held[Limit.CARRIER_CAP] = math.fsum(by_carrier)
        return Limits(self.top_s, tuple(held),
                      tuple(zip(self._carriers, by_carrier)))


@dataclass(frozen=True, slots=True)
class Limits:
    """What held the next send back, for how long, in a run."""

    sending_s: float = 0.0
    """From 0 to the latest start of an attempt."""
    held_s: tuple[float, ...] = ()
    """Seconds of it each reason held, by ``Limit``."""
    carriers: tuple[tuple[str, float], ...] = ()
    """With ``--carriers``: ``(name, seconds)`` its cap held."""

    def share(self, limit: Limit) -> float:
        """The share of the sending time ``limit`` held (0 with none)."""
        if not self.sending_s or limit >= len(self.held_s):
            return 0.0
        return self.held_s[limit] / self.sending_s

    def carrier_shares(self) -> tuple[tuple[str, float], ...]:
        """``(name, share)`` for each carrier."""
        if not self.sending_s:
            return tuple((name, 0.0) for name, _ in self.carriers)
        return tuple((name, held_s / self.sending_s)
                     for name, held_s in self.carriers)
