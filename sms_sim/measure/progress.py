"""What a run's figures are while it goes: the counters the monitor reports
every interval, and what is derived from them."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from sms_sim.measure.carrier_tally import CarrierCounts
from sms_sim.model.config import SenderGroup


def finite_rate(count: int, seconds: float) -> float | None:
    """``count`` per second over ``seconds``, or None when that is not a
    finite number (no time, or a subnormal sliver of it)."""
    if seconds <= 0:
        return None
    rate = count / seconds
    return rate if math.isfinite(rate) else None


@dataclass(frozen=True, slots=True)
class GroupCounts:
    """One sender group's counts so far."""

    group: SenderGroup
    attempts: int
    sent: int
    failed: int
    send_s: float
    """Simulated send time over all attempts."""
    reached: int | None = None
    """Of its sent, those the phones had by the figures' simulated time;
    None without a carrier, or for a run of too many groups to follow
    each (``stats.GROUPS_FOLLOWED``)."""
    outages: tuple[tuple[int, int], ...] = ()
    """Per outage of its route, in order: the attempts it ended, and of
    them the messages that failed for good."""

    @property
    def avg_send_s(self) -> float | None:
        return self.send_s / self.attempts if self.attempts else None


@dataclass(frozen=True, slots=True)
class Progress:
    """The state of a run at one moment, as the monitor reports it live.
    Derived values are properties and are ``None`` (never a division by
    zero) while they are undefined.  Times are simulated, except
    ``elapsed_s`` and ``eta_s``, which are real."""

    total: int
    elapsed_s: float
    sim_elapsed_s: float
    """How far the blast has got in simulated time: the moment its latest
    attempt ended (at the end, its simulated duration)."""
    groups: tuple[GroupCounts, ...]
    speed: float = 1.0
    """Simulated seconds per real second; ``inf`` at ``--speed max``."""
    seed: int | None = None
    """The seed of the run's generator: the same seed and settings give
    the same simulated figures."""
    expired: int = 0
    daily_capped: int = 0
    """Messages failed for good with no attempt, past their carrier's daily
    cap: in ``failed``, and in no group's."""
    retries: int = 0
    retrying: int = 0
    """Messages with a retry ahead of them: after an interrupt, those of
    the unsent that had been tried."""
    first_attempts: int = 0
    first_attempt_failed: int = 0
    throttled: int | None = None
    """Submits the SMSC refused as too fast; None: no route throttles."""
    rate_per_s: float | None = None
    """Messages sent or failed per simulated second over the last
    interval; None before the first interval, and at the end."""
    carrier: bool = False
    """Whether the run models the carrier's delay to the phone, and so
    has the ``reached`` figures."""
    reached: int = 0
    """Messages the phones had by ``sim_elapsed_s``: sent, and the
    carrier's delay passed."""
    confirmed: int | None = None
    """With receipts, messages whose delivered receipt was back by
    ``sim_elapsed_s``; None without receipts."""
    ends_at_s: float | None = None
    """Once every message has its outcome, the simulated moment the blast
    ends: its last attempt's end, or its last phone reached."""
    sending_s: float | None = None
    """The simulated moment the latest attempt ended: the gateway's time,
    which throughput is over.  Ahead of it, ``sim_elapsed_s`` goes on
    while a carrier still has messages on the way.  None: the same as
    ``sim_elapsed_s``."""
    waiting: tuple[tuple[str, int], ...] = ()
    """With ``--traffic``, live: each class's name and its messages that
    have arrived and have no outcome yet (in line, in backoff or being
    sent)."""
    carriers: tuple[CarrierCounts, ...] = ()
    """With ``--carriers``: each carrier's messages, by how they ended."""

    @property
    def sent(self) -> int:
        return sum(g.sent for g in self.groups)

    @property
    def failed(self) -> int:
        return sum(g.failed for g in self.groups) + self.daily_capped

    @property
    def processed(self) -> int:
        """Messages with an outcome: sent, failed or expired."""
        return self.sent + self.failed + self.expired

    @property
    def unsent(self) -> int:
        return self.total - self.processed

    @property
    def done_share(self) -> float:
        return self.processed / self.total if self.total else 1.0

    @property
    def failure_share(self) -> float | None:
        return self.failed / self.processed if self.processed else None

    @property
    def first_attempt_failure_share(self) -> float | None:
        if not self.first_attempts:
            return None
        return self.first_attempt_failed / self.first_attempts

    @property
    def attempt_count(self) -> int:
        return sum(g.attempts for g in self.groups)

    @property
    def avg_send_s(self) -> float | None:
        """Mean simulated send time of every attempt, whatever its outcome:
        the 'average time per message' of the brief."""
        attempts = self.attempt_count
        return sum(g.send_s for g in self.groups) / attempts \
            if attempts else None

    @property
    def throughput_per_s(self) -> float | None:
        """Messages sent or failed per simulated second of sending (an
        expired message took none of the gateway's time, and the carrier's
        delay after the last attempt is none of it); None while no time
        has passed, or too little to give a finite rate."""
        return finite_rate(self.sent + self.failed, self.sending_span_s)

    @property
    def sending_span_s(self) -> float:
        """The simulated time that throughput is over: to ``sending_s``,
        or ``sim_elapsed_s`` without it."""
        return self.sim_elapsed_s if self.sending_s is None \
            else self.sending_s

    @property
    def eta_s(self) -> float | None:
        """Real seconds to go: at the real pace of the run so far, or, once
        every message has its outcome, until real time reaches the blast's
        end (its last phone, with a carrier delay)."""
        if not self.processed or self.elapsed_s <= 0:
            return None
        if self.ends_at_s is not None and math.isfinite(self.speed):
            return max(0.0, self.ends_at_s - self.sim_elapsed_s) / self.speed
        return self.unsent * self.elapsed_s / self.processed


def fields(progress: Progress) -> dict[str, Any]:
    """``progress``'s fields by name, for the summary that extends it."""
    return {field.name: getattr(progress, field.name)
            for field in dataclasses.fields(progress)}
