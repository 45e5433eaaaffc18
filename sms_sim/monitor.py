"""The monitor: drains the result queues, keeps statistics, reports progress.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from sms_sim.sender import Result, ResultQueue, SenderExit
from sms_sim.stats import Snapshot, Stats

DRAIN_POLL_S = 0.02
"""Longest the monitor blocks on the success queue before it also drains
the failure queue: bounds how many failures can pile up unread (and so the
memory they hold) when almost every message fails."""

ProgressCallback = Callable[[Snapshot], None]


class Monitor:
    """Counts results as they arrive and reports every ``interval_s``.

    It finishes when every message is counted or every sender has exited,
    whichever comes first: the last sender's :class:`SenderExit` comes after
    all of its results, so either way the final figures are exact.
    """

    def __init__(self, stats: Stats, sent: ResultQueue, failed: ResultQueue,
                 stop: threading.Event, num_senders: int, interval_s: float,
                 on_progress: ProgressCallback, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stats = stats
        self._sent = sent
        self._failed = failed
        self._stop = stop
        self._running_senders = num_senders
        self._interval_s = interval_s
        self._on_progress = on_progress
        self._clock = clock
        self.faults: list[str] = []
        """Tracebacks of the errors that retired senders, in order."""

    def run(self) -> Snapshot:
        """Monitor until the run is over; return the exact final snapshot.

        Reports once at the start, so that a run shows its status at once,
        then every interval.  Blocks on the success queue for at most
        ``DRAIN_POLL_S`` at a time, and never beyond the next report.
        """
        stats, clock, interval = self._stats, self._clock, self._interval_s
        started = clock()
        next_report = started + interval
        last_time, last_processed = started, 0
        if stats.total:
            self._on_progress(stats.snapshot(0.0))
        while stats.processed < stats.total and self._running_senders:
            timeout = min(next_report - clock(), DRAIN_POLL_S)
            if timeout > 0:
                try:
                    self._take(self._sent.get(timeout=timeout), ok=True)
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
        """Take everything already queued, without blocking."""
        for results, ok in ((self._sent, True), (self._failed, False)):
            while True:
                try:
                    item = results.get_nowait()
                except queue.Empty:
                    break
                self._take(item, ok)

    def _take(self, item: list[Result] | SenderExit, ok: bool) -> None:
        if isinstance(item, SenderExit):
            self._running_senders -= 1
            if item.fault is not None:
                self.faults.append(item.fault)
        else:
            self._stats.add(item, ok)
