"""One attempt's result, or one expiry's, and what became of the message;
the decisions of one take of the schedule's lock (``Decided``).

The schedule makes them (``schedule.py``); the threads carry them
(``run/channels.py``); measuring and output read them.
"""
from __future__ import annotations

from functools import partial
from typing import NamedTuple

from sms_sim.model.message import Message

SENT = "sent"
FAILED = "failed"
RETRY = "retry"
"""A failed attempt that will be retried: not an outcome of the message."""
EXPIRED = "expired"
REFUSED = "refused"
"""A submit the SMSC throttled, its message to be submitted again
(``throttle.py``'s pause and requeue): neither an attempt nor an
outcome."""


class Result(NamedTuple):
    """One attempt, or one expiry, of one message.  Build it by keyword:
    several fields are numbers of the same kind.

    Which queue holds it says whether the attempt succeeded; ``outcome``
    says what became of the message: ``SENT``, ``FAILED``, ``EXPIRED``
    (its deadline passed), or ``RETRY`` or ``REFUSED`` (not yet
    decided).
    """

    message: Message
    group: int
    """The index of the sending group; ``NO_GROUP`` (-1) for an expiry
    that made no attempt, or a message past its carrier's daily cap."""
    sender: int
    """The sender's number, from 1; 0 for an expiry that made no
    attempt."""
    attempts: int
    """Attempts the message has had, this one included."""
    send_s: float | None
    """This attempt's simulated send time; None for an expiry that made
    no attempt."""
    done_at_s: float
    """The simulated moment this attempt ended, or the message expired."""
    spent_s: float
    """Simulated send time over all of the message's attempts so far."""
    outcome: str
    reached_at_s: float | None
    """When the phone had it: the send's end plus the carrier's delay.
    None unless the message was sent and the run models a carrier."""
    cause: str | None = None
    """What failed a failed attempt, if not the send itself: ``outage``
    (its route went down), ``throttled`` (the SMSC refused it as too
    fast)."""
    receipt: str | None = None
    """With receipts, a sent message's final state (``receipts.STATES``);
    None otherwise."""
    receipt_at_s: float | None = None
    """When that receipt came back; None without one."""


result_of = partial(tuple.__new__, Result)
"""A ``Result`` from the tuple of all its fields, defaults too, in C: on
the schedule's hot path, faster than ``Result``'s own ``__new__``, a
Python function (``benchmarks/micro.py``, case ``result_of``)."""

NO_GROUP = -1
"""The group of a result without an attempt: an expiry, or a message
past its carrier's daily cap."""


class Decided(NamedTuple):
    """Decisions made at one take of the schedule's lock, by what their
    attempts did."""

    sent: list[Result]
    """Attempts that succeeded."""
    failed: list[Result]
    """Attempts that failed, and expiries."""
    first_s: float
    """The earliest simulated moment among them."""
    last_s: float
    """The latest: until real time reaches it, some are not yet due."""
