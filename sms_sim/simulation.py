"""Wiring: the channels, the threads and the clock of one run."""
from __future__ import annotations

import random
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain

from sms_sim import tuning
from sms_sim.channels import Channels
from sms_sim.clock import Pacing, SimClock, Wait
from sms_sim.config import SimulationConfig
from sms_sim.fleet import Fleet
from sms_sim.monitor import Monitor, ProgressCallback, ResultSink
from sms_sim.producer import Producer
from sms_sim.sender import Rules, Sender
from sms_sim.stats import Snapshot, Stats
from sms_sim.stop import StopEvent


@dataclass(frozen=True, slots=True)
class Outcome:
    snapshot: Snapshot
    faults: tuple[str, ...]
    """Errors in the producer, the senders, the monitor or the sink: who,
    what it meant for the run, and the traceback."""


def run(config: SimulationConfig, on_progress: ProgressCallback, *,
        stop: threading.Event | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wait: Wait | None = None,
        sink: ResultSink | None = None,
        started_at: float | None = None) -> Outcome:
    """Run one simulation to its end and return the exact outcome.

    ``stop`` may be set from outside (a signal handler) to interrupt the
    run; it is also set here once the run is over.  The calling thread only
    starts and joins threads, and never waits on ``stop`` itself, so a
    signal handler in the calling thread can set it safely.  ``rng``,
    ``monotonic`` and ``wait`` replace randomness, time and every real wait
    in tests; by default the generator is seeded from ``config.seed``.
    ``sink`` sees every batch of results, in the monitor's thread.  The
    real time reported counts from ``started_at`` (a reading of
    ``monotonic``) if given, else from the run's start.
    """
    stop = StopEvent() if stop is None else stop
    rng = random.Random(config.seed) if rng is None else rng
    batch = tuning.batch_size(config)
    channels = Channels.create(tuning.inbox_items(config, batch), stop,
                               tuning.pending_batches(batch))
    clock = SimClock.started(config.speed, monotonic)
    pacing = Pacing(clock, stop.wait if wait is None else wait,
                    tuning.slack_s(config))
    rules = Rules.of(config.gateway)
    producer = Producer(channels, clock, rng, config.num_messages, batch,
                        retries=config.gateway.retries > 0)
    monitor = Monitor(Stats(config.num_messages, config.groups, config.speed),
                      channels, pacing, config.interval_s,
                      on_progress, sink,
                      0.0 if started_at is None else clock.start - started_at)
    faults: list[str] = []

    def guarded(what: str, body: Callable[[], None]) -> Callable[[], None]:
        def target() -> None:
            try:
                body()
            except Exception:
                # Without it the run cannot go on: stop it, so that it
                # ends with the rest reported unsent instead of hanging.
                faults.append(f"the {what} stopped after an error, and the "
                              f"run with it:\n{traceback.format_exc()}")
                stop.set()
        return target

    def monitor_run() -> None:
        monitor.run()
        channels.release()  # the run is over: end it, start no more threads

    # The monitor first, so that a run shows its status at once; then the
    # producer, so that each sender finds work the moment it starts.  Every
    # sender's clock starts at 0 however late a thread does: the threads
    # started first send for the senders not yet started, and all catch up.
    # (On a busy machine the main thread starts threads slowly, and a short
    # run may be over before the last ones are needed; they never start.)
    senders = _senders(config, channels, pacing, rules)
    threads = chain(
        (threading.Thread(target=guarded(name, body), name=name)
         for name, body in (("monitor", monitor_run),
                            ("producer", producer.run))),
        # Daemons: CPython keeps a shutdown lock for every other thread
        # and scans them all at each start (quadratic in the fleet); every
        # sender's goodbye is awaited below all the same.
        (threading.Thread(target=sender.run, name=sender.name, daemon=True)
         for sender in senders))
    started: list[threading.Thread] = []
    try:
        for thread in threads:
            if stop.is_set():
                break  # interrupted, or over, while starting
            started.append(thread)
            thread.start()
    except RuntimeError as error:  # "can't start new thread"
        started.pop()
        faults.append(f"could not start thread {len(started) + 1} "
                      f"({error}); try fewer senders, or raise the limit "
                      f"on threads or memory (ulimit)\n")
        stop.set()
    if started:
        _join(started[0])  # the monitor: the run is over
    channels.release()
    for thread in started[1:]:
        _join(thread)  # then every result is queued, and the real time
        # reported covers the threads' end, as the process's own does
    snapshot = monitor.finish(
        bool(faults),
        max((s.lag_s for s in senders), default=0.0) / config.speed)
    return Outcome(snapshot, tuple(faults + monitor.faults))


def _join(thread: threading.Thread) -> None:
    """Wait for ``thread`` to end, waking every ``POLL_S``.

    A signal may be taken by any thread, and its Python handler then runs
    only when the main thread next runs Python code.  A join without a
    timeout would put that off until the thread ended: on a terminal,
    ``timeout -s INT`` was ignored in about half of the runs.
    """
    while thread.is_alive():
        thread.join(tuning.POLL_S)


def _senders(config: SimulationConfig, channels: Channels, pacing: Pacing,
             rules: Rules) -> list[Sender]:
    """A thread for each sender; the threads share the fleet's clocks, so
    any of them may send for whichever sender is free first."""
    fleet = Fleet(config.groups)
    return [Sender(f"sender-{number}", fleet, channels, pacing, rules)
            for number in range(1, config.num_senders + 1)]
