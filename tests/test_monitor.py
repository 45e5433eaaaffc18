"""The monitor: counts, reports on its cadence, finishes exactly."""
from __future__ import annotations

import dataclasses
import queue
import random
import threading
from collections.abc import Callable

import pytest

from sms_sim.measure.progress import Progress
from sms_sim.measure.stats import Stats
from sms_sim.model.config import SenderGroup
from sms_sim.model.message import generate_messages
from sms_sim.model.ranked import Ranked
from sms_sim.model.result import EXPIRED, FAILED, RETRY, SENT, Result
from sms_sim.run.channels import Channels, SenderExit
from sms_sim.run.clock import Pacing, SimClock
from sms_sim.run.monitor import Monitor
from tests.helpers import FakeTime

GROUPS = (SenderGroup.uniform(2, 0.01, 0.0, 0.5),)
MESSAGES = generate_messages(random.Random(3), 0, 20)


def result(index: int, outcome: str = SENT, send_s: float = 0.01,
           done_at_s: float = 1.0, attempts: int = 1) -> Result:
    return Result(message=MESSAGES[index], group=0, sender=1,
                  attempts=attempts, send_s=send_s, done_at_s=done_at_s,
                  spent_s=send_s, outcome=outcome, reached_at_s=None)


class Setup:
    def __init__(self, total: int, fake: FakeTime | None = None,
                 speed: float = 1.0, carrier: bool = False,
                 stoppable: bool = False) -> None:
        """``stoppable``: the monitor's waits end when the run is stopped,
        as real ones do; else they run their course, so that a test sees
        every report."""
        self.fake = fake or FakeTime()
        self.channels = Channels.create(10, threading.Event())
        self.reports: list[Progress] = []
        self.logged: list[Result] = []
        self.monitor = Monitor(
            Stats(total, GROUPS, speed, carrier=carrier), self.channels,
            Pacing(SimClock.started(speed, self.fake.clock),
                   self.stoppable_wait if stoppable else self.fake.wait),
            1.0, self.report, self.logged.extend)

    def stoppable_wait(self, seconds: float) -> bool:
        self.fake.wait(seconds)
        return self.channels.stop.is_set()

    def report(self, snap: Progress) -> None:
        """Keep the report; stop the run after the second, as an
        interrupt would, so that a test sees exactly two."""
        self.reports.append(snap)
        if len(self.reports) == 2:
            self.channels.stop.set()


class Ticking:
    """A monotonic clock that moves a quarter second on at each read: the
    monitor's loop reaches its reports without a wait of its own."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.25
        return self.now


@pytest.mark.parametrize("decided_s, shown", [
    (None, lambda s: s == 0.01),  # as far as the results have got
    (10.0, lambda s: 1.0 <= s < 10.0),  # the clock goes on
    (0.5, lambda s: s == 0.5),  # but not past what is decided
])
def test_a_paced_runs_clock_goes_on_between_results_and_to_a_stop(
        decided_s: float | None, shown: Callable[[float], bool]) -> None:
    """With one result in at 10 ms and the next attempt decided to start
    at 10 s (a --max-rate of 0.1/s), the report a second on shows the
    clock, not 10 ms; it never shows a moment past the low-water mark,
    before which every result is known."""
    ranked = Ranked([])
    if decided_s is not None:
        ranked.release([], decided_s)
    stats = Stats(5, GROUPS, 1.0, sent_order=ranked)
    channels = Channels.create(10, threading.Event())
    reports: list[Progress] = []

    def report(snap: Progress) -> None:
        reports.append(snap)
        if len(reports) == 2:
            channels.stop.set()

    monitor = Monitor(stats, channels,
                      Pacing(SimClock.started(1.0, Ticking()),
                             FakeTime().wait), 1.0, report)
    channels.sent.put([result(0, done_at_s=0.01)])
    monitor.run()
    assert reports[1].sent == 1 and shown(reports[1].sim_elapsed_s)
    # Stopped there, the run says how far it got by the same rule.
    final = monitor.finish(False, 0.0)
    assert final.stopped == "interrupt" and final.unsent == 4
    assert shown(final.sim_elapsed_s)


def test_every_message_with_an_outcome_ends_the_run_exactly() -> None:
    setup = Setup(4)
    setup.channels.sent.put([result(0), result(1, done_at_s=3.0)])
    setup.channels.failed.put([result(2, FAILED),
                               result(3, EXPIRED, send_s=0.0),
                               result(4, RETRY)])  # not an outcome
    setup.monitor.run()
    # Every outcome is known: the stop that follows interrupts nothing.
    assert setup.channels.complete.is_set()
    final = setup.monitor.finish(False, 0.0)
    assert (final.sent, final.failed, final.expired, final.unsent) == \
        (2, 1, 1, 0)
    assert final.stopped is None and final.sim_elapsed_s == 3.0
    assert len(setup.logged) == 5  # the sink saw every result
    # It waited until real time reached the blast's simulated end,
    # reporting every interval on the way.
    assert setup.fake.waits == pytest.approx([1.0, 1.0, 1.0])
    assert [r.sim_elapsed_s for r in setup.reports] == [0.0, 1.0, 2.0, 3.0]


def test_reports_at_once_then_every_interval_of_real_time() -> None:
    class Ticking(FakeTime):
        """Each read of the clock is 0.6 s after the one before."""

        def clock(self) -> float:
            self.advance(0.6)
            return super().clock()

    setup = Setup(10, fake=Ticking())
    setup.channels.stop.set()  # one turn of the loop, then out
    setup.monitor.run()
    assert [r.processed for r in setup.reports] == [0]
    setup = Setup(10, fake=Ticking(), speed=2.0)
    setup.channels.sent.put([result(index) for index in range(5)])
    setup.channels.notices.put(None)  # wakes it without ending anything
    setup.monitor.run()  # reads the clock at 0.6 s, and past 1 s: a report
    assert setup.reports[0].processed == 0
    progress = setup.reports[1]
    assert progress.processed == 5
    # The gateway's own time and rate: its results end at 1.0 s.
    assert progress.sim_elapsed_s == 1.0
    assert progress.rate_per_s == pytest.approx(5.0)
    assert setup.monitor.finish(False, 0.25).max_lag_s == 0.25


def test_a_stop_while_the_carrier_has_phones_to_reach_is_an_interrupt(
        ) -> None:
    """Every message sent by 1 s; phones reached at 1.5, 1.8 and 9 s.  The
    wait for the last phone is cut short at 2 s (the second report stops
    the run): the report says so, and counts only the phones reached by
    then."""
    setup = Setup(3, carrier=True, stoppable=True)
    setup.channels.sent.put([
        result(index)._replace(reached_at_s=at)
        for index, at in enumerate((1.5, 1.8, 9.0))])
    setup.monitor.run()
    final = setup.monitor.finish(False, 0.0)
    catching_up = setup.reports[1]
    assert (catching_up.unsent, catching_up.reached) == (0, 0)
    # Real seconds to the last phone, not to the last message.
    assert catching_up.eta_s == pytest.approx(8.0)
    assert (final.sent, final.unsent) == (3, 0)
    assert final.stopped == "interrupt" and final.sim_elapsed_s == 2.0
    assert final.reached == 2
    # 50% is the second phone; 90% and on, the third, not reached by 2 s.
    assert final.reached_at[0] == pytest.approx(1.8, rel=0.01)
    assert final.reached_at[1:] == (None,) * (len(final.reached_at) - 1)
    assert final.last_reached_s == pytest.approx(1.8, rel=0.01)
    assert all(at <= 2.0 for curve in final.reached_curves
               for at, _ in curve.points)


def test_a_stop_with_messages_left_is_an_interrupt_or_a_fault() -> None:
    for faulted, stopped in ((False, "interrupt"), (True, "fault")):
        setup = Setup(10)
        setup.channels.sent.put([result(0)])
        setup.channels.stop.set()
        setup.monitor.run()
        assert not setup.channels.complete.is_set()
        final = setup.monitor.finish(faulted, 0.0)
        assert (final.processed, final.unsent) == (1, 9)
        assert final.stopped == stopped
        assert final.interrupted == (stopped == "interrupt")


def test_a_sender_fault_is_reported_and_makes_the_stop_a_fault() -> None:
    setup = Setup(10)
    setup.channels.notices.put(SenderExit("sender-2", "Traceback: boom\n"))
    setup.channels.notices.put(SenderExit("sender-1"))
    setup.channels.stop.set()  # as the faulty sender does
    setup.monitor.run()
    final = setup.monitor.finish(False, 0.0)
    assert final.stopped == "fault"
    [fault] = setup.monitor.faults
    assert fault.startswith("sender-2 stopped after an error")
    assert fault.endswith("Traceback: boom\n")


def with_a_full_disk(total: int) -> Setup:
    """A setup whose log cannot be written."""
    setup = Setup(total)

    def full(results: object) -> None:
        raise OSError(28, "cannot write the log 'x.csv': disk full")

    setup.monitor = Monitor(Stats(total, GROUPS), setup.channels,
                            Pacing(SimClock.started(1.0, setup.fake.clock),
                                   setup.fake.wait),
                            1.0, setup.reports.append, full)
    return setup


def test_a_sink_that_cannot_write_stops_the_run_with_one_line() -> None:
    setup = with_a_full_disk(10)
    setup.channels.sent.put([result(0)])
    setup.monitor.run()
    assert setup.channels.stop.is_set()
    assert setup.monitor.finish(False, 0.0).stopped == "fault"
    assert setup.monitor.faults == [
        "cannot write the log 'x.csv': disk full; the run stopped\n"]


def test_a_sink_that_fails_after_the_last_outcome_says_only_the_log_is_short(
        ) -> None:
    """At --speed max the senders may be done before the log's writes
    are: the run completed, and the error must not say it stopped."""
    setup = with_a_full_disk(2)
    setup.channels.sent.put([result(0), result(1)])
    setup.monitor.run()
    final = setup.monitor.finish(False, 0.0)
    assert (final.stopped, final.sent) == (None, 2)
    assert setup.monitor.faults == [
        "cannot write the log 'x.csv': disk full; the run completed, but "
        "the log lacks its last rows\n"]


def test_after_a_stall_the_missed_reports_are_skipped_not_made_at_once(
        ) -> None:
    """Every message has its outcome at once; the monitor then waits for
    the blast's end, at 8 s, reporting every second.  Its first wait
    stalls: asked for 1 s, the machine comes back after 3.5 s.  One
    report then, and the cadence starts again from it: not three reports
    in a row for the moments already past."""
    class Stalling(FakeTime):
        def wait(self, seconds: float) -> bool:
            if not self.waits:
                self.advance(2.5)  # on top of the second asked for
            return super().wait(seconds)

    setup = Setup(1, fake=Stalling())
    setup.channels.sent.put([result(0, done_at_s=8.0)])
    setup.channels.notices.put(None)  # take it at once, without a wait
    setup.monitor.run()
    assert [r.sim_elapsed_s for r in setup.reports] == [
        0.0, 3.5, 4.5, 5.5, 6.5, 7.5]
    assert setup.fake.waits == pytest.approx([1.0] * 5 + [0.5])


def test_a_drain_while_senders_keep_posting_stops_for_the_report() -> None:
    """A queue that is never empty, each batch taking a millisecond to
    count: the drain once went on as long as the senders did, and put off
    every report and the stop."""
    fake = FakeTime()
    taken = 0

    class Endless(queue.SimpleQueue[list[Result]]):
        def get_nowait(self) -> list[Result]:
            nonlocal taken
            taken += 1
            assert taken < 5000, "the drain went on without end"
            fake.advance(0.001)
            return [result(0, RETRY)]

    channels = dataclasses.replace(Channels.create(10, threading.Event()),
                                   sent=Endless())
    reports: list[Progress] = []

    def report(snap: Progress) -> None:
        reports.append(snap)
        if len(reports) == 3:
            channels.stop.set()

    Monitor(Stats(10, GROUPS), channels,
            Pacing(SimClock.started(1.0, fake.clock), fake.wait), 1.0,
            report).run()
    # at once, then at 1 s and 2 s, each after the batches of a second
    assert [r.elapsed_s for r in reports] == pytest.approx(
        [0.0, 1.0, 2.0], abs=0.002)
    assert 1900 < taken < 2100


def test_a_drain_with_a_report_due_takes_all_that_was_queued() -> None:
    """Ten batches wait when the monitor drains with a report already
    due (the machine stalled 1.5 s after the first report).  The drain
    once stopped after one batch as the report was due, and so took one
    a report: at an --interval as short as the monitor's wait, the
    senders, out of room in flight, waited on it for good (a run of 5 s
    took 90)."""
    class Stalled(Setup):
        def report(self, snap: Progress) -> None:
            if not self.reports:
                self.fake.advance(1.5)
            super().report(snap)

    setup = Stalled(10)
    for index in range(10):
        setup.channels.sent.put([result(index, done_at_s=8.0)])
    setup.monitor.run()
    assert [report.sent for report in setup.reports[:2]] == [0, 10]
