"""The monitor: drains the result queues, keeps statistics, reports progress.
"""
from __future__ import annotations

import queue
from collections.abc import Callable, Iterable

from sms_sim.measure.progress import Progress, finite_rate
from sms_sim.measure.stats import Stats
from sms_sim.measure.summary import Summary
from sms_sim.model.result import Result
from sms_sim.run.channels import Channels, SenderExit
from sms_sim.run.clock import Pacing
from sms_sim.run.tuning import MONITOR_POLL_S

ProgressCallback = Callable[[Progress], None]
ResultSink = Callable[[Iterable[Result]], None]
"""Sees every batch of results after the statistics do (the ``--log``)."""


class Monitor:
    """Counts results as they arrive and reports every ``interval_s`` of
    real time.

    :meth:`run` returns when every message has an outcome or the run is
    stopped (a fault stops it too).  :meth:`finish` then takes what is left
    on the queues, once every other thread has ended, so the final figures
    are exact.
    """

    def __init__(self, stats: Stats, channels: Channels, pacing: Pacing,
                 interval_s: float,
                 on_progress: ProgressCallback,
                 sink: ResultSink | None = None, lead_s: float = 0.0) -> None:
        self._stats = stats
        self._channels = channels
        self._pacing = pacing
        self._interval_s = interval_s
        self._on_progress = on_progress
        self._sink = sink
        self._lead_s = lead_s
        """Real seconds before the run began that its elapsed time counts
        (the command line counts from the process's start)."""
        self.faults: list[str] = []
        """What went wrong in a sender or the sink, in order."""
        self._sink_error: str | None = None
        """Why the sink failed; :meth:`finish` says what it cost."""
        self._next_report = interval_s
        """The real moment, from the run's start, of the next report."""
        self._last_sim, self._last_ended = 0.0, 0
        self._cut_at_s: float | None = None
        """Where in simulated time a stop cut short the wait for the
        blast's end, once every message had its outcome."""
        self._stopped_at_s = 0.0
        """Where in simulated time the gateway was when a stop ended the
        run with messages left (``_sim_now``)."""

    def run(self) -> None:
        """Monitor until the run is over.

        Reports once at the start, so that a run shows its status at once,
        then every interval.  Blocks on the notice queue, which a sender's
        exit or a sender waiting for results to be taken wakes, for at
        most ``MONITOR_POLL_S`` at a time and never beyond the next
        report.  When every message has an outcome, it goes on reporting
        until real time reaches the blast's simulated end, and with a
        carrier the last phone's: no run ends sooner than the gateway it
        models would.
        """
        stats, clock = self._stats, self._pacing.clock
        stop = self._channels.stop
        self._next_report = self._interval_s
        if stats.total:
            self._on_progress(stats.progress(self._lead_s, 0.0))
        while stats.processed < stats.total and not stop.is_set():
            timeout = min(self._next_report - clock.real_elapsed(),
                          MONITOR_POLL_S)
            if timeout > 0:
                try:
                    self._noticed(self._channels.notices.get(timeout=timeout))
                except queue.Empty:
                    pass
            self._drain(self._due_or_stopped)
            self._report_if_due(self._sim_now())
        if stats.processed == stats.total:
            self._channels.complete.set()
            self._catch_up(stats.end_s)
        else:  # stopped: as far as the gateway had got, not its last result
            self._stopped_at_s = self._sim_now()

    def _sim_now(self) -> float:
        """How far the gateway has got, in simulated time: as far as its
        results have, so that a machine that fell behind shows it slower,
        not faster.  In a paced run, the clock too, up to the schedule's
        low-water mark: every attempt before it is decided, and its
        result comes out as it falls due, so a wait between two results
        (a low ``--max-rate``) shows the clock going on, not stopped at
        the last."""
        stats, clock = self._stats, self._pacing.clock
        if not clock.paced:
            return stats.latest_s
        return max(stats.latest_s, min(clock.now(), stats.decided_s))

    def _catch_up(self, end_s: float) -> None:
        """Wait, on ``stop``, until real time reaches simulated ``end_s``,
        reporting on the way (phones the carrier reaches meanwhile)."""
        clock, wait = self._pacing.clock, self._pacing.wait
        while clock.paced:
            now_s = clock.now()
            if now_s >= end_s:
                return
            until_report = self._next_report - clock.real_elapsed()
            step = min((end_s - now_s) / clock.speed, until_report)
            if step > 0 and wait(step):
                self._cut_at_s = min(clock.now(), end_s)
                return
            self._report_if_due(min(clock.now(), end_s))

    def _report_if_due(self, sim_s: float) -> None:
        """Report if the next report is due, as of simulated ``sim_s``; its
        rate is over the interval since the last report."""
        now = self._pacing.clock.real_elapsed()
        if now < self._next_report:
            return
        stats = self._stats
        ended = stats.ended
        rate = finite_rate(ended - self._last_ended, sim_s - self._last_sim)
        self._on_progress(stats.progress(now + self._lead_s, sim_s, rate))
        self._last_sim, self._last_ended = sim_s, ended
        # Keep the cadence; after a stall, skip the missed reports.
        self._next_report += self._interval_s
        if self._next_report <= now:
            self._next_report = now + self._interval_s

    def finish(self, faulted: bool, lag_s: float) -> Summary:
        """The exact final figures; call once no other thread runs.
        ``lag_s`` is the longest real time a result came out late.  A run
        that ended with messages left was stopped by a fault if
        ``faulted`` or a fault reached the monitor, else interrupted."""
        self._drain()
        stats, clock = self._stats, self._pacing.clock
        stats.max_lag_s = lag_s
        stopped, sim_s = None, stats.latest_s
        cause = "fault" if faulted or self.faults or self._sink_error \
            else "interrupt"
        if stats.processed < stats.total:
            stopped, sim_s = cause, max(sim_s, self._stopped_at_s)
        elif (self._cut_at_s is not None and stats.carrier
              and stats.reached_by(self._cut_at_s)
              < stats.reached_by(stats.end_s)):
            # Every message had its outcome, but the run was stopped while
            # the carrier still had some on the way: as far as it got.
            stopped, sim_s = cause, max(sim_s, self._cut_at_s)
        if self._sink_error is not None:
            # The stop comes too late if the senders had already finished
            # (at --speed max, the log's writes trail them): then only the
            # log is short.
            self.faults.append(self._sink_error + (
                "; the run stopped\n" if stopped else
                "; the run completed, but the log lacks its last rows\n"))
        return stats.summary(clock.real_elapsed() + self._lead_s, sim_s,
                             stopped)

    def _due_or_stopped(self) -> bool:
        """Whether a report is due or the run was stopped: a drain while
        the run goes on stops there."""
        return self._channels.stop.is_set() or \
            self._pacing.clock.real_elapsed() >= self._next_report

    def _drain(self, until: Callable[[], bool] | None = None) -> None:
        """Take everything already queued, without blocking; with
        ``until``, only until it holds, looked at after each batch: while
        senders keep posting, a queue may never be empty, and a report or
        a stop must not wait for it to be.  The two queues take turns, so
        that neither waits on the other."""
        notices = self._channels.notices
        while True:
            try:
                self._noticed(notices.get_nowait())
            except queue.Empty:
                break
        queues = (self._channels.sent, self._channels.failed)
        # A drain that begins with a report due (after a wait as long as
        # a short --interval) takes what is queued whole: else it took
        # one batch a report, and the senders, out of room in flight,
        # waited on it for good.  One that begins before stops when the
        # report falls due, as soon as it can (taking all at once there
        # let more senders start, and saturation slowed by 5%).
        owed = sum(results.qsize() for results in queues) \
            if until is not None and until() else 0
        took = True
        while took:
            took = False
            for results in queues:
                try:
                    batch = results.get_nowait()
                except queue.Empty:
                    continue
                took = True
                owed -= 1
                self._channels.in_flight.taken(len(batch))
                self._stats.add(batch)
                if self._sink is not None:
                    self._write(batch)
            if until is not None and owed <= 0 and until():
                return

    def _write(self, batch: list[Result]) -> None:
        assert self._sink is not None
        try:
            self._sink(batch)
        except OSError as error:
            # The log can no longer be trusted: stop the run, and say why.
            self._sink = None
            self._sink_error = f"{error.strerror or error}"
            self._channels.stop.set()

    def _noticed(self, notice: SenderExit | None) -> None:
        if notice is None:
            return  # results are waiting: the drain that follows
        if notice.fault is not None:
            self.faults.append(
                f"{notice.name} stopped after an error, and the run with "
                f"it; what it held counts as unsent:\n{notice.fault}")
