"""Wiring: the queues, the threads and the stop Event of one run."""
from __future__ import annotations

import math
import queue
import random
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sms_sim.config import SimulationConfig
from sms_sim.monitor import Monitor, ProgressCallback
from sms_sim.producer import Inbox, produce
from sms_sim.sender import (ExitQueue, ResultQueue, SenderExit, WakeLag,
                            Wait, run_sender)
from sms_sim.stats import Snapshot, Stats
from sms_sim.stop import StopEvent

MAX_BATCH = 128
INBOX_RATE_PER_S = 10_000
"""Batches per second the inbox is asked to carry at most.

Senders take whole batches.  Every inbox operation is a lock round trip
that may wake a thread, and when the senders together ask for messages
faster than one producer thread can hand them over one at a time (a
thousand senders at 10 ms ask for 100,000 a second), the inbox runs dry and
the run collapses into a convoy of threads waiting on it.  Batching by
demand keeps the inbox full; at ordinary rates every batch is one message,
so no sender sits on work that another could be doing."""

INBOX_BATCHES_PER_SENDER = 2
MIN_INBOX_MESSAGES = 1024
"""The inbox holds at least this many messages (about 250 kB), so that a
short run is produced in one go and the producer is not woken by every
message a sender takes."""


SWITCH_INTERVAL_PER_THREAD_S = 50e-6
MAX_SWITCH_INTERVAL_S = 0.05


@contextmanager
def switch_interval_for(num_threads: int) -> Iterator[float]:
    """Within the block, the interpreter's switch interval suits
    ``num_threads`` threads: ``SWITCH_INTERVAL_PER_THREAD_S`` each, up to
    ``MAX_SWITCH_INTERVAL_S``, and never shorter than it was.  After the
    block, the interval is restored.

    The switch interval is also how often each thread that waits for the
    interpreter lock wakes up to ask for it.  With a thousand senders, a
    short stall leaves hundreds waiting at once; at the default 5 ms their
    futile wake-ups fill both cores and starve the thread that holds the
    lock, so the stall deepens until every sender wakes in step.  Scaling
    the interval keeps those wake-ups near 20,000 a second.  No thread waits
    longer for its turn: senders let go of the lock long before an interval
    runs out.

    Medians over alternating runs: 1000 senders at 100 ms, 2.22 s at 5 ms
    and 2.17 s with this; 1000 senders at 10 ms, 3.6 s and 3.2 s.  A few
    senders keep the default: a longer interval slowed a zero-delay run
    with four senders by 10%.
    """
    previous = sys.getswitchinterval()
    interval = max(previous, min(num_threads * SWITCH_INTERVAL_PER_THREAD_S,
                                 MAX_SWITCH_INTERVAL_S))
    sys.setswitchinterval(interval)
    try:
        yield interval
    finally:
        sys.setswitchinterval(previous)


def batch_size(config: SimulationConfig) -> int:
    """Messages per inbox item: enough to hold the inbox to
    ``INBOX_RATE_PER_S``, but never so many that some senders would get no
    work at all."""
    if any(group.mean_s <= 0 for group in config.groups):
        wanted = MAX_BATCH
    else:
        demand_per_s = sum(g.count / g.mean_s for g in config.groups)
        wanted = math.ceil(demand_per_s / INBOX_RATE_PER_S)
    fair_share = config.num_messages // (2 * config.num_senders)
    return max(1, min(wanted, fair_share, MAX_BATCH))


@dataclass(frozen=True, slots=True)
class Outcome:
    snapshot: Snapshot
    faults: tuple[str, ...]
    """Errors in the producer or senders: who, what it meant for the run,
    and the traceback."""


def run(config: SimulationConfig, on_progress: ProgressCallback, *,
        stop: threading.Event | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        wait: Wait | None = None) -> Outcome:
    """Run one simulation to its end and return the exact outcome.

    ``stop`` may be set from outside (a signal handler) to interrupt the
    run; it is also set here once the run is over.  The calling thread only
    starts and joins threads, and never waits on ``stop`` itself, so a
    signal handler in the calling thread can set it safely.  ``rng``,
    ``clock`` and ``wait`` replace randomness, time and the senders' wait in
    tests; by default the generator is seeded from ``config.seed``.  While
    the threads run, the interpreter's switch interval is scaled to their
    number (see :func:`switch_interval_for`).
    """
    stop = StopEvent() if stop is None else stop
    rng = random.Random(config.seed) if rng is None else rng
    size = batch_size(config)
    inbox: Inbox = queue.Queue(maxsize=max(
        math.ceil(MIN_INBOX_MESSAGES / size),
        INBOX_BATCHES_PER_SENDER * config.num_senders))
    sent: ResultQueue = queue.SimpleQueue()
    failed: ResultQueue = queue.SimpleQueue()
    exits: ExitQueue = queue.SimpleQueue()
    faults: list[str] = []

    def producer() -> None:
        try:
            produce(inbox, stop, rng, config.num_messages, size,
                    config.num_senders)
        except Exception:
            # Without a producer nothing more will come: stop the run so
            # that it ends with the rest reported unsent instead of hanging.
            faults.append("the producer stopped after an error; the "
                          "messages it had not made count as unsent:\n"
                          + traceback.format_exc())
            stop.set()

    senders: list[threading.Thread] = []
    for group_index, group in enumerate(config.groups):
        lag = WakeLag()
        for _ in range(group.count):
            name = f"sender-{len(senders) + 1}"
            senders.append(threading.Thread(
                target=run_sender, name=name,
                args=(name, group_index, group, inbox, sent, failed, exits,
                      stop),
                kwargs={"clock": clock, "wait": wait, "lag": lag}))
    monitor = Monitor(Stats(config.num_messages, config.groups), sent, failed,
                      exits, stop, config.num_senders, config.interval_s,
                      on_progress, clock=clock)
    final: list[Snapshot] = []
    crashed: list[BaseException] = []

    def monitor_main() -> None:
        try:
            final.append(monitor.run())
        except BaseException as error:  # re-raised in the calling thread
            crashed.append(error)
        finally:
            stop.set()  # the run is over: release the producer and senders

    # The monitor first, so that its clock covers the whole run; then the
    # producer, so that each sender finds work the moment it starts and
    # starting a thousand threads overlaps with sending instead of
    # preceding it (measured: 1000 senders at 10 ms, 4.3 s instead of 6.8).
    threads = [threading.Thread(target=monitor_main, name="monitor"),
               threading.Thread(target=producer, name="producer"), *senders]
    with switch_interval_for(len(threads)):
        try:
            for thread in threads:
                thread.start()
        except RuntimeError as error:  # "can't start new thread"
            faults.append(f"could not start a thread: {error}\n")
            stop.set()
            for sender in senders:
                if sender.ident is None:  # never started: it never exits
                    exits.put(SenderExit(sender.name, None))
        for thread in threads:
            if thread.ident is not None:
                thread.join()
    if not final:
        raise RuntimeError("the monitor did not finish") from (
            crashed[0] if crashed else None)
    return Outcome(final[0], tuple(faults) + tuple(monitor.faults))
