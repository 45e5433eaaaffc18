"""A sender: takes messages from the inbox and simulates sending them."""
from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from sms_sim.config import SenderGroup
from sms_sim.producer import POLL_S, Batch, Inbox

MAX_CORRECTION = 0.1
"""Largest share of a wait that wake-up lag correction may take off."""


class WakeLag:
    """A running mean of how late timed waits wake, shared by the senders
    of one group so that it settles after a few sends, not a few per sender.

    Wake-ups here are late by about 0.1 ms, with rare spikes of milliseconds
    when other threads hold the interpreter, often several senders at once.
    A spike says nothing about the next wait, so no sample counts for more
    than the largest correction, and each sample weighs little.
    Updated without a lock: a race between two senders can only drop one
    sample, which a running mean does not miss.
    """

    WEIGHT = 1 / 64

    def __init__(self) -> None:
        self.mean_s = 0.0

    def correction(self, wait_s: float) -> float:
        """How much to take off a wait of ``wait_s`` seconds."""
        return min(self.mean_s, wait_s * MAX_CORRECTION)

    def add(self, late_s: float, wait_s: float) -> None:
        sample = min(late_s, wait_s * MAX_CORRECTION)
        self.mean_s += (sample - self.mean_s) * self.WEIGHT


class Result(NamedTuple):
    """The outcome of one message.  Which queue it is in says sent or failed;
    ``seconds`` is the time the send took, measured with a monotonic clock
    from taking the message to routing its result."""

    message_id: int
    group: int
    seconds: float


@dataclass(frozen=True, slots=True)
class SenderExit:
    """Put on the exit queue as a sender's last act, whatever ends it.

    Every result that sender produced was queued before it.  ``fault`` is
    the traceback of the error that retired the sender, if one did.
    """

    name: str
    fault: str | None = None


ResultQueue = queue.SimpleQueue[list[Result]]
ExitQueue = queue.SimpleQueue[SenderExit]
Wait = Callable[[float], bool]
"""Blocks for up to the given seconds; True if the run was stopped."""


def _take(inbox: Inbox, stop: threading.Event, poll_s: float) -> Batch | None:
    """The next batch, or None when the sender should finish.

    Blocks while the inbox is empty, looking at ``stop`` every ``poll_s``.
    """
    while True:
        try:
            batch = inbox.get(timeout=poll_s)
        except queue.Empty:
            if stop.is_set():
                return None
            continue
        if stop.is_set():
            return None  # a batch taken after an interrupt stays unsent
        return batch


def run_sender(name: str, group_index: int, group: SenderGroup,
               inbox: Inbox, sent: ResultQueue, failed: ResultQueue,
               exits: ExitQueue, stop: threading.Event, *,
               clock: Callable[[], float] = time.monotonic,
               wait: Wait | None = None,
               lag: WakeLag | None = None,
               poll_s: float = POLL_S) -> None:
    """The sender loop: run until a ``None`` batch or ``stop``.

    Each message waits ``mean - deviation + 2 * deviation * delay_draw``
    seconds on ``wait`` (by default ``stop.wait``, so setting ``stop`` cuts
    every wait short; a message whose wait is cut short is not sent), then
    fails if its ``fail_draw`` is below the failure rate.

    Waking from a timed wait takes the scheduler a little longer than asked.
    Each wait is shortened by the running mean of that lag in ``lag``
    (never by more than ``MAX_CORRECTION`` of the wait), so measured send
    times average the configured mean instead of running consistently long.
    Only the mean is used: one message's overshoot is never charged to the
    next.

    Results are queued once per batch, which saves a lock round trip per
    message when batches are large (zero or tiny means).
    """
    if wait is None:
        wait = stop.wait
    if lag is None:
        lag = WakeLag()
    low = group.mean_s - group.max_deviation_s
    span = 2 * group.max_deviation_s
    failure_rate = group.failure_rate
    fault: str | None = None
    try:
        while (batch := _take(inbox, stop, poll_s)) is not None:
            ok: list[Result] = []
            bad: list[Result] = []
            message_id = -1
            start = 0.0
            try:
                for message_id, _, _, delay_draw, fail_draw in batch:
                    start = clock()
                    target = low + span * delay_draw
                    if target > 0:
                        asked = target - lag.correction(target)
                        if wait(asked):
                            return  # stopped: this message stays unsent
                        seconds = clock() - start
                        lag.add(seconds - asked, target)
                    else:
                        seconds = clock() - start
                    result = Result(message_id, group_index, seconds)
                    (bad if fail_draw < failure_rate else ok).append(result)
                    message_id = -1
            except Exception:
                # A fault retires this sender.  The message in hand counts
                # as failed (with the time it had taken), so it is neither
                # lost nor counted twice; the rest of its batch stays unsent.
                fault = traceback.format_exc()
                if message_id >= 0:
                    bad.append(Result(message_id, group_index,
                                      _safe_elapsed(clock, start)))
                return
            finally:
                if ok:
                    sent.put(ok)
                if bad:
                    failed.put(bad)
    finally:
        exits.put(SenderExit(name, fault))


def _safe_elapsed(clock: Callable[[], float], start: float) -> float:
    try:
        return clock() - start
    except Exception:  # the clock itself may be what failed
        return 0.0
