"""Wiring: the channels, the threads and the clock of one run."""
from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

from sms_sim.measure.curve import moment_ranks
from sms_sim.measure.carrier_tally import CarrierTally
from sms_sim.measure.stats import Stats
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SimulationConfig
from sms_sim.model.schedule import Schedule
from sms_sim.model.traffic import Traffic
from sms_sim.run.channels import Channels, Stop, fault_text
from sms_sim.run.clock import Pacing, SimClock, Wait
from sms_sim.run.monitor import Monitor, ProgressCallback, ResultSink
from sms_sim.run.producer import produce, produce_traffic
from sms_sim.run.sender import Sender
from sms_sim.run.stop import StopEvent
from sms_sim.run.tuning import POLL_S, Tuning

SEED_BITS = 32
"""Bits of a seed drawn for a run that was given none: short enough to
type again, to repeat the run."""


@dataclass(frozen=True, slots=True)
class Outcome:
    snapshot: Summary
    faults: tuple[str, ...]
    """Errors in the producer, the senders, the monitor or the sink: who,
    what it meant for the run, and the traceback."""


def with_seed(config: SimulationConfig) -> SimulationConfig:
    """``config``, with a seed drawn for it if it has none, so that the run
    can be repeated exactly."""
    if config.seed is not None:
        return config
    # SystemRandom, not secrets: secrets loads OpenSSL, megabytes of
    # memory that a run has no other use for.
    seed = random.SystemRandom().getrandbits(SEED_BITS)
    return dataclasses.replace(config, seed=seed)


def run(config: SimulationConfig, on_progress: ProgressCallback, *,
        stop: Stop | None = None,
        checkpoints: Sequence[float] = (),
        signalled: Callable[[], bool] = lambda: False,
        monotonic: Callable[[], float] = time.monotonic,
        wait: Wait | None = None,
        sink: ResultSink | None = None,
        started_at: float | None = None) -> Outcome:
    """Run one simulation to its end and return the exact outcome.

    ``stop`` may be set from another thread to interrupt the run; it is
    also set here once the run is over.  A signal handler must not set it
    (its ``set`` takes a lock the main thread may hold): it records the
    signal instead, and ``signalled`` tells the calling thread, which
    looks at it at least every ``POLL_S`` and then sets ``stop`` itself.
    ``checkpoints`` are simulated moments at which the summary counts
    the sent and reached exactly (for checks and targets).
    ``monotonic`` and ``wait`` replace time and every real wait in tests.
    A config without a seed gets one (:func:`with_seed`).  ``sink`` sees
    every batch of results, in the monitor's thread.  The real time
    reported counts from ``started_at`` (a reading of ``monotonic``) if
    given, else from the run's start.
    """
    config = with_seed(config)
    stop = StopEvent() if stop is None else stop
    tuning = Tuning.of(config)
    channels = Channels.create(tuning.inbox_items, stop, tuning.in_flight)
    clock = SimClock.started(config.speed, monotonic)
    pacing = Pacing(clock, stop.wait if wait is None else wait,
                    tuning.slack_s)
    assert config.seed is not None
    traffic = (Traffic.of(config.classes, config.seed) if config.traffic
               else None)
    total = config.num_messages if traffic is None else traffic.total
    schedule = Schedule(config.groups, config.gateway, channels.take_fresh,
                        config.carrier, moment_ranks(total),
                        config.per_segment, config.routing,
                        keep_phones=sink is not None,
                        classes=config.classes, priority=config.priority,
                        receipts=config.receipts,
                        carriers=config.carriers)
    monitor = Monitor(Stats(total, config.groups, config.speed,
                            config.seed, carrier=config.carrier is not None,
                            checkpoints=checkpoints,
                            sent_order=schedule.sent_order,
                            reached_order=schedule.reached_order,
                            send_factor=config.send_factor,
                            traffic=traffic,
                            confirmed_order=None if config.receipts is None
                            else schedule.confirmed_order,
                            carriers=CarrierTally(config.carriers)
                            if config.carriers else None),
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
                              f"run with it:\n{fault_text()}")
                stop.set()
        return target

    def monitor_run() -> None:
        monitor.run()
        stop.set()  # the run is over: end it, start no more threads

    rng = random.Random(config.seed)
    # The monitor first, so that a run shows its status at once; then the
    # producer, so that the first decision finds messages.  The schedule
    # is the model's however late a thread starts: the threads started
    # first carry out the decisions of the senders not yet started.  (On a
    # busy machine the main thread starts threads slowly, and a short run
    # may be over before the last ones are needed; they never start.  Nor
    # do they while the fleet already holds every result it may have in
    # flight: at zero delay the monitor sets the pace, and a few threads
    # carry out every sender's decisions.)
    senders = [Sender(f"sender-{number}", schedule, channels, pacing, tuning)
               for number in range(1, config.num_senders + 1)]
    threads = chain(
        (threading.Thread(target=guarded(name, body), name=name)
         for name, body in (
             ("monitor", monitor_run),
             ("producer",
              lambda: produce(channels, rng, config.num_messages,
                              config.texts, config.seed)
              if traffic is None else
              produce_traffic(channels, rng, traffic, config.texts,
                              config.seed)))),
        # Daemons: CPython keeps a shutdown lock for every other thread
        # and scans them all at each start (quadratic in the fleet); every
        # sender's goodbye is awaited below all the same.
        (threading.Thread(target=sender.run, name=sender.name, daemon=True)
         for sender in senders))
    started: list[threading.Thread] = []
    try:
        for thread in threads:
            # A sender beyond the first only when it would find room in
            # flight: while others wait for room it would wait too, its
            # stack memory for nothing.
            while len(started) >= 3 and not stop.is_set() and \
                    not channels.in_flight.wanted(POLL_S):
                if signalled():
                    stop.set()
            if signalled():
                stop.set()
            if stop.is_set():
                break  # interrupted, or over, while starting
            try:
                thread.start()
            except RuntimeError as error:  # "can't start new thread"
                faults.append(f"could not start thread {len(started) + 1} "
                              f"({thread.name}: {error}); try fewer "
                              f"senders, or raise the limit on threads or "
                              f"memory (ulimit)\n")
                stop.set()
                break
            started.append(thread)
    except BaseException:
        stop.set()  # any other error is the caller's: end what started
        raise
    if started:
        _join(started[0], stop, signalled)  # the monitor: the run is over
    stop.set()
    channels.in_flight.close()  # wakes the senders waiting for room
    for thread in started[1:]:
        _join(thread, stop, signalled)  # then every result is queued, and
        # the real time reported covers the threads' end, as the
        # process's own does
    for order in (schedule.sent_order, schedule.reached_order,
                  schedule.confirmed_order):
        order.close()  # no sender decides any more
    snapshot = dataclasses.replace(monitor.finish(
        bool(faults),
        max((s.lag_s for s in senders), default=0.0) / config.speed),
        limits=schedule.held.limits())
    return Outcome(snapshot, tuple(faults + monitor.faults))


def _join(thread: threading.Thread, stop: Stop,
          signalled: Callable[[], bool]) -> None:
    """Wait for ``thread`` to end, waking every ``POLL_S`` to set ``stop``
    if a signal asked for it.

    A signal may be taken by any thread, and its Python handler then runs
    only when the main thread next runs Python code.  A join without a
    timeout would put that off until the thread ended: on a terminal,
    ``timeout -s INT`` was ignored in about half of the runs.
    """
    while thread.is_alive():
        thread.join(POLL_S)
        if signalled():
            stop.set()
