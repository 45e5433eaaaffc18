"""The monitor: drains the result queues, keeps statistics, reports progress.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from sms_sim.sender import ExitQueue, ResultQueue, SenderExit
from sms_sim.stats import Snapshot, Stats

POLL_S = 0.05
"""How often the monitor drains the result queues between reports.  It is
not woken by each result (at a thousand results a second that would be a
thousand wake-ups), so this bounds how long results wait unread and the
memory they hold meanwhile."""

ProgressCallback = Callable[[Snapshot], None]


class Monitor:
    """Counts results as they arrive and reports every ``interval_s``.

    It finishes when every message is counted or every sender has exited,
    whichever comes first.  A sender queues its :class:`SenderExit` after
    all of its results, and the monitor drains the results after taking the
    exits, so either way the final figures are exact.  Sender exits wake it
    at once, so the end of a run is seen the moment it happens.
    """

    def __init__(self, stats: Stats, sent: ResultQueue, failed: ResultQueue,
                 exits: ExitQueue, stop: threading.Event, num_senders: int,
                 interval_s: float,
                 on_progress: ProgressCallback, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stats = stats
        self._sent = sent
        self._failed = failed
        self._exits = exits
        self._stop = stop
        self._running_senders = num_senders
        self._interval_s = interval_s
        self._on_progress = on_progress
        self._clock = clock
        self.faults: list[str] = []
        """What retired each faulty sender, with its traceback, in order."""

    def run(self) -> Snapshot:
        """Monitor until the run is over; return the exact final snapshot.

        Reports once at the start, so that a run shows its status at once,
        then every interval.  Blocks on the exit queue until a sender exits,
        for at most ``POLL_S`` at a time and never beyond the next report.
        """
        stats, clock, interval = self._stats, self._clock, self._interval_s
        started = clock()
        next_report = started + interval
        last_time, last_processed = started, 0
        if stats.total:
            self._on_progress(stats.snapshot(0.0))
        while stats.processed < stats.total and self._running_senders:
            timeout = min(next_report - clock(), POLL_S)
            if timeout > 0:
                try:
                    self._exited(self._exits.get(timeout=timeout))
                except queue.Empty:
                    pass
            self._drain()
            now = clock()
            if now >= next_report:
                processed = stats.processed
                rate = (processed - last_processed) / (now - last_time)
                self._on_progress(stats.snapshot(now - started, rate))
                last_time, last_processed = now, processed
                # Keep the cadence; after a stall, skip the missed reports.
                next_report += interval
                if next_report <= now:
                    next_report = now + interval
        # Stopped with messages left: an interrupt, as opposed to a run that
        # completed just as a signal arrived, or one whose senders all died.
        interrupted = self._stop.is_set() and stats.processed < stats.total
        return stats.snapshot(clock() - started, final=True,
                              interrupted=interrupted)

    def _drain(self) -> None:
        """Take everything already queued, without blocking: exits first,
        so that the results of every sender seen to exit are taken too."""
        while True:
            try:
                self._exited(self._exits.get_nowait())
            except queue.Empty:
                break
        for results, ok in ((self._sent, True), (self._failed, False)):
            while True:
                try:
                    self._stats.add(results.get_nowait(), ok)
                except queue.Empty:
                    break

    def _exited(self, notice: SenderExit) -> None:
        self._running_senders -= 1
        if notice.fault is not None:
            self.faults.append(
                f"{notice.name} stopped after an error; the message it held "
                f"counts as failed:\n{notice.fault}")
