import queue
import threading

import pytest

from sms_sim.config import SenderGroup
from sms_sim.monitor import Monitor
from sms_sim.sender import ExitQueue, ResultQueue, SenderExit
from sms_sim.stats import Snapshot, Stats
from tests.helpers import FakeTime, results

GROUPS = (SenderGroup(2, 0.01, 0.0, 0.5),)


def make(total: int, senders: int = 2, clock: FakeTime | None = None,
         stop: threading.Event | None = None,
         on_progress: "list[Snapshot] | None" = None,
         ) -> tuple[Monitor, ResultQueue, ResultQueue, ExitQueue]:
    sent: ResultQueue = queue.SimpleQueue()
    failed: ResultQueue = queue.SimpleQueue()
    exits: ExitQueue = queue.SimpleQueue()
    reports = on_progress if on_progress is not None else []
    monitor = Monitor(Stats(total, GROUPS), sent, failed, exits,
                      stop or threading.Event(), senders, 1.0,
                      reports.append, clock=(clock or FakeTime()).clock)
    return monitor, sent, failed, exits


def test_final_figures_are_exact_once_every_message_is_counted() -> None:
    monitor, sent, failed, _ = make(5)
    sent.put(results(0, 0.01, 0.02))
    failed.put(results(0, 0.03, 0.04, 0.05, first_id=2))
    final = monitor.run()
    assert final.final and not final.interrupted
    assert (final.sent, final.failed, final.unsent) == (2, 3, 0)
    assert final.avg_send_s == pytest.approx(0.03)


def test_ends_when_every_sender_has_exited_and_reports_the_rest_unsent(
        ) -> None:
    monitor, _, failed, exits = make(10)
    failed.put(results(0, 0.01))
    exits.put(SenderExit("sender-1"))
    exits.put(SenderExit("sender-2", "Traceback: boom\n"))
    final = monitor.run()
    assert (final.processed, final.unsent) == (1, 9)
    assert not final.interrupted  # nobody asked it to stop
    [fault] = monitor.faults
    assert fault.startswith("sender-2 stopped after an error")
    assert fault.endswith("Traceback: boom\n")


def test_an_interrupted_run_is_marked_so() -> None:
    stop = threading.Event()
    stop.set()
    monitor, sent, _, exits = make(10, stop=stop)
    sent.put(results(0, 0.01))
    exits.put(SenderExit("sender-1"))
    exits.put(SenderExit("sender-2"))
    final = monitor.run()
    assert final.interrupted and final.unsent == 9


def test_reports_every_interval_with_the_rate_of_that_interval() -> None:
    """A clock stepping 0.25 s per reading; each report hands the monitor
    the next chunk of ten results, as senders would."""

    class Stepping(FakeTime):
        def clock(self) -> float:
            self.advance(0.25)
            return super().clock()

    reports: list[Snapshot] = []
    chunks = [results(0, *([0.01] * 10), first_id=10 * i) for i in range(4)]

    def on_progress(snap: Snapshot) -> None:
        reports.append(snap)
        if chunks and snap.elapsed_s:
            sent.put(chunks.pop(0))

    sent: ResultQueue = queue.SimpleQueue()
    monitor = Monitor(Stats(40, GROUPS), sent, queue.SimpleQueue(),
                      queue.SimpleQueue(), threading.Event(), 2, 1.0,
                      on_progress, clock=Stepping().clock)
    final = monitor.run()
    # One report at once, then one per interval.
    assert [r.processed for r in reports] == [0, 0, 10, 20, 30]
    assert reports[0].elapsed_s == 0 and reports[0].rate_per_s is None
    elapsed = [r.elapsed_s for r in reports[1:]]
    assert elapsed[0] >= 1.0
    assert all(1.0 <= b - a <= 1.5 for a, b in zip(elapsed, elapsed[1:]))
    assert reports[3].rate_per_s == pytest.approx(
        10 / (reports[3].elapsed_s - reports[2].elapsed_s))
    assert all(r.p99_s is None for r in reports)  # final snapshots only
    assert final.processed == 40 and final.unsent == 0


def test_zero_messages_finish_at_once() -> None:
    reports: list[Snapshot] = []
    monitor, _, _, _ = make(0, on_progress=reports)
    final = monitor.run()
    assert reports == [] and final.processed == 0 and final.final


def test_the_last_exit_wakes_the_monitor_and_its_results_are_counted(
        ) -> None:
    """Results queued just before a sender's exit are never missed, and the
    monitor does not wait out its poll once the last sender is gone."""
    monitor, sent, failed, exits = make(10, senders=1)
    done: list[Snapshot] = []
    watcher = threading.Thread(target=lambda: done.append(monitor.run()))
    watcher.start()
    sent.put(results(0, 0.01, 0.02))
    failed.put(results(0, 0.03, first_id=2))
    exits.put(SenderExit("sender-1"))
    watcher.join(timeout=5)
    assert done and (done[0].sent, done[0].failed, done[0].unsent) == \
        (2, 1, 7)
