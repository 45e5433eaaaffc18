"""The SMSC's throttling: a route that accepts at most ``accept`` submits
a second, in bursts of up to ``burst`` (``Throttle``), and what its client
does with a submit answered THROTTLED (``Throttling``).

The limit is a token bucket of ``burst`` tokens that refills at
``accept`` a second, kept as the generic cell rate algorithm does: a
moment from which the bucket was full (its *anchor*) and the tokens taken
since.  A submit at ``t`` finds ``taken - (t - anchor) * accept`` tokens
owed; at or below 0 the bucket is full again and counts from ``t``; up to
``burst - 1`` it takes a token; above, it is refused.  No token is ever
added up step by step, so the refills are exact functions of simulated
time, and a hundred refused submits leave no rounding behind (the
tolerance is a billionth of a token, as for a deadline:
``validation.MOMENT_TOLERANCE``).

A refused submit comes back THROTTLED after one round trip: its send's
own draw taken from ``rtt``, or the send time it would have had.  The
client then (``on-throttle=``):

- ``pause:D``: the whole connection waits ``D`` after the answer, and the
  message is due first in line when the pause ends (Kannel);
- ``requeue:D*N``: the message waits ``D``, then goes back in line, up to
  ``N`` times in a row, and then fails as ``throttled`` (Jasmin); the
  connection goes on at once;
- ``backoff``: the submit is a failed attempt, retried by ``--retries``,
  ``--backoff`` and ``--permanent``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sms_sim.model.latency import Draw, Latency
from sms_sim.model.validation import (HORIZON, HORIZON_S, MOMENT_TOLERANCE,
                                      ConfigError, check_rate, finite)

PAUSE = "pause"
REQUEUE = "requeue"
BACKOFF = "backoff"
REACTIONS = (PAUSE, REQUEUE, BACKOFF)
THROTTLED = "throttled"
"""A result's cause: the SMSC refused the submit as too fast."""
MAX_BURST = 10 ** 9
MAX_REQUEUES = 1000
"""The most times in a row a message may be requeued: far beyond
Jasmin's 20."""


@dataclass(frozen=True, slots=True)
class Throttle:
    """What a route's SMSC accepts, and what its client does when it
    refuses (see the module)."""

    accept: float
    """Submits a second the SMSC accepts, on average."""
    burst: int | None = None
    """The most submits it accepts at once; None: ``accept``'s, at least
    1."""
    rtt: Latency | None = None
    """The round trip of a refused submit; None: the group's send."""
    reaction: str = PAUSE
    wait_s: float = 1.0
    """The pause, or the wait before a requeued message is due again."""
    times: int = 20
    """``requeue``: the most times in a row a message is requeued."""

    def __post_init__(self) -> None:
        check_rate("accept", self.accept, "submits per second")
        if self.burst is not None and not (
                isinstance(self.burst, int)
                and 1 <= self.burst <= MAX_BURST):
            raise ConfigError("burst", f"an integer from 1 to {MAX_BURST:,}",
                              self.burst)
        if self.reaction not in REACTIONS:
            raise ConfigError("on-throttle", " or ".join(REACTIONS),
                              self.reaction)
        # A pause of 0 with a round trip of 0 would ask again at the same
        # moment for ever.
        low = 0 < self.wait_s if self.reaction == PAUSE \
            else 0 <= self.wait_s
        if not (finite(self.wait_s) and low and self.wait_s <= HORIZON_S):
            bound = "> 0 and <=" if self.reaction == PAUSE else "from 0 to"
            raise ConfigError("on-throttle", f"{self.reaction}:D with D "
                              f"seconds {bound} {HORIZON}", self.wait_s)
        if self.reaction == REQUEUE and not 1 <= self.times <= MAX_REQUEUES:
            raise ConfigError("on-throttle", f"requeue:D*N with N from 1 to "
                              f"{MAX_REQUEUES}", self.times)

    @property
    def size(self) -> float:
        """The bucket's tokens when full."""
        return float(self.burst) if self.burst is not None \
            else max(1.0, self.accept)


class Bucket:
    """One route's token bucket (see the module): changed by ``take``
    only, in the schedule's order."""

    __slots__ = ("_rate", "_slack", "_anchor_s", "_taken")

    def __init__(self, throttle: Throttle) -> None:
        self._rate = throttle.accept
        self._slack = throttle.size - 1 + MOMENT_TOLERANCE
        self._anchor_s = -float("inf")  # full from the start
        self._taken = 0

    def take(self, at_s: float) -> bool:
        """Whether a submit at ``at_s`` finds a token, taking it if so."""
        owed = self._taken - (at_s - self._anchor_s) * self._rate
        if owed <= 0:  # full again: count from here
            self._anchor_s, self._taken = at_s, 1
            return True
        if owed > self._slack:
            return False
        self._taken += 1
        return True


class Throttling:
    """The routes' buckets, and each requeued message's count of
    requeues in a row: the schedule's, changed under its lock."""

    def __init__(self, throttles: Sequence[Throttle | None],
                 sends: Sequence[Latency]) -> None:
        """``throttles`` and ``sends``: each group's, in order."""
        self.throttles = tuple(throttles)
        self._buckets = [None if throttle is None else Bucket(throttle)
                         for throttle in throttles]
        self._rtts: list[Draw] = [
            (send if throttle is None or throttle.rtt is None
             else throttle.rtt).draw()
            for throttle, send in zip(throttles, sends)]
        self._own_rtt = [throttle is not None and throttle.rtt is not None
                         for throttle in throttles]
        self._requeued: dict[int, int] = {}

    def admits(self, group: int, at_s: float, message_id: int) -> bool:
        """Whether group ``group``'s SMSC accepts a submit at ``at_s``."""
        bucket = self._buckets[group]
        if bucket is None or bucket.take(at_s):
            if self._requeued:  # its count of refusals in a row ends
                self._requeued.pop(message_id, None)
            return True
        return False

    def round_trip_s(self, group: int, draw: float, send_s: float) -> float:
        """A refused submit's round trip: from ``rtt`` by the send's own
        uniform ``draw``, else ``send_s``, the send it would have been."""
        return self._rtts[group](draw) if self._own_rtt[group] else send_s

    def requeue(self, message_id: int, times: int) -> bool:
        """Whether a message refused again may be requeued (at most
        ``times`` in a row); counts it if so, forgets it if not."""
        count = self._requeued.get(message_id, 0) + 1
        if count > times:
            del self._requeued[message_id]
            return False
        self._requeued[message_id] = count
        return True


def throttling_of(throttles: Sequence[Throttle | None],
                  sends: Sequence[Latency]) -> Throttling | None:
    """The run's throttling; None where no route throttles, so that the
    schedule's loop pays one test."""
    if all(throttle is None for throttle in throttles):
        return None
    return Throttling(throttles, sends)
