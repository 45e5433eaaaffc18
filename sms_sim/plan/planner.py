"""Many runs to answer a planner's question: replications of one
configuration, a sweep over one setting, and a search for the least value
of a setting that meets a target.

Each run is one whole simulation (``simulation.run``), at ``--speed max``
unless a speed is given, so that it costs CPU time only.  Runs are
independent, so they go in parallel worker processes; a seed fixes each
run, so the answers are the same whatever the number of workers.
"""
from __future__ import annotations

import dataclasses
import math
import os
import random
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sms_sim.measure.summary import Summary
from sms_sim.model.config import MAX_SENDERS, SimulationConfig
from sms_sim.model.latency import Latency
from sms_sim.model.validation import MAX_RETRIES, ConfigError
from sms_sim.run import simulation
from sms_sim.run.tuning import POLL_S, collector_tuned

if TYPE_CHECKING:
    import concurrent.futures
    import multiprocessing.context

MIN_RUNS = 2
MAX_RUNS = 1000
SWEEP_NAMES = ("senders", "tps", "max-rate", "retries", "deadline", "mean")
SOLVE_NAMES = ("senders", "tps", "max-rate")
MAX_RATE_SOLVED = 1e6
"""The largest ``tps`` or ``max-rate`` a search tries: a million sends a
second, far beyond any gateway's."""
RATE_RESOLUTION = 0.01
"""A rate is found to 1%, or to ``MIN_RATE_STEP``, whichever is coarser."""
MIN_RATE_STEP = 0.1
POINTS_PER_ROUND = 3
"""Values a search round tries at once: each round divides the interval
left by four.  Fixed, not the number of workers, so that the values tried,
and the answer, are the same whatever ``--jobs``."""


@dataclass(frozen=True, slots=True)
class Target:
    """``share`` of all messages delivered (reached, with a carrier) by
    simulated ``by_s``."""

    share: float
    by_s: float

    def count(self, snap: Summary) -> int:
        """The messages ``snap``'s run delivered (reached, with a carrier)
        by ``by_s``, counted exactly."""
        counted = snap.counted_at(self.by_s)
        return counted.reached if snap.carrier else counted.sent

    def share_of(self, snap: Summary) -> float:
        return self.count(snap) / snap.total if snap.total else 1.0

    def met(self, snap: Summary) -> bool:
        """Whether ``snap``'s run met it: every message has an outcome,
        and enough had them by ``by_s``."""
        return snap.unsent == 0 and \
            self.count(snap) >= self.share * snap.total


def replication_seeds(base: int, runs: int) -> list[int]:
    """The seeds of ``runs`` replications of a run seeded with ``base``:
    drawn from a generator seeded with it, so that each can be repeated
    alone (``--seed``) and two bases share none by construction."""
    rng = random.Random(f"sms-sim replications of {base}")
    return [rng.getrandbits(simulation.SEED_BITS) for _ in range(runs)]


def with_value(config: SimulationConfig, name: str, value: float,
               spread_follows: bool = False) -> SimulationConfig:
    """``config`` with the setting ``name`` (one of ``SWEEP_NAMES``) set to
    ``value``.  ``senders``, ``tps`` and ``mean`` are the positional
    group's, the first; with ``spread_follows``, a mean sets the spread
    too, as a mean given alone does.  Raises ConfigError as the setting's
    own rule does."""
    gateway = config.gateway
    if name == "max-rate":
        return dataclasses.replace(
            config, gateway=dataclasses.replace(gateway, max_rate=value))
    if name == "retries":
        return dataclasses.replace(config, gateway=dataclasses.replace(
            gateway, retries=_integer(value, MAX_RETRIES)))
    if name == "deadline":
        return dataclasses.replace(
            config, gateway=dataclasses.replace(gateway, deadline_s=value))
    first, *rest = config.groups
    if name == "senders":
        group = dataclasses.replace(first, count=_integer(value,
                                                          MAX_SENDERS, 1))
    elif name == "tps":
        group = dataclasses.replace(first, tps=value)
    elif name == "mean":
        group = dataclasses.replace(first, send=_with_mean(
            first.send, value, spread_follows))
    else:
        raise ValueError(f"no setting {name!r}")
    return dataclasses.replace(config, groups=(group, *rest))


def configured(config: SimulationConfig, name: str) -> float | None:
    """The value of setting ``name`` in ``config``; None where it is off
    (no cap, no deadline)."""
    first = config.groups[0]
    return {"senders": float(first.count), "tps": first.tps,
            "max-rate": config.gateway.max_rate,
            "retries": float(config.gateway.retries),
            "deadline": config.gateway.deadline_s,
            "mean": first.send.mean_s}[name]


def _integer(value: float, most: int, least: int = 0) -> int:
    whole = float(value).is_integer()  # (a search's values are ints)
    if not (whole and least <= value <= most):
        raise ConfigError("count", f"an integer from {least} to {most:,}",
                          int(value) if whole else value)
    return int(value)


def _with_mean(send: Latency, mean_s: float, spread_follows: bool
               ) -> Latency:
    if send.shape == "empirical":
        raise ConfigError("mean_s", "the uniform, normal, exponential or "
                          "lognormal shape's: an empirical one has the "
                          "file's", mean_s)
    if not spread_follows:
        return dataclasses.replace(send, mean_s=mean_s)
    return Latency.with_mean(mean_s, send.shape)


@dataclass(frozen=True, slots=True)
class Task:
    """One run: its config (with its seed) and the moments it counts
    exactly."""

    config: SimulationConfig
    checkpoints: tuple[float, ...] = ()


Finished = Callable[[int, Summary], None]
"""Told each run's index among the tasks and its snapshot, as it ends."""


class EventLike(Protocol):
    def is_set(self) -> bool: ...
    def set(self) -> None: ...


class Runs:
    """Carries out runs: in this process with one job, else in a pool of
    worker processes.  :meth:`run` yields each finished run; a signal (as
    ``signalled`` tells) stops the runs in progress and starts no more."""

    def __init__(self, jobs: int,
                 signalled: Callable[[], bool] = lambda: False,
                 on_tick: Callable[[], None] = lambda: None) -> None:
        self._jobs = jobs
        self._signalled = signalled
        self._on_tick = on_tick
        """Called at least every ``POLL_S`` while runs go on in workers,
        and between runs here: for progress reports."""
        self.interrupted = False
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._stop: EventLike | None = \
            None if jobs == 1 else _context().Event()

    def __enter__(self) -> Runs:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Summary]]:
        """Each task's index and snapshot as it ends, in any order; after a
        signal, only the runs that ended whole."""
        if self.interrupted:
            return
        if self._jobs == 1:
            yield from self._here(tasks)
        else:
            yield from self._pooled(tasks)

    def _here(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Summary]]:
        for index, task in enumerate(tasks):
            self._on_tick()
            snapshot = _run(task, signalled=self._signalled)
            if snapshot.stopped is not None:
                self.interrupted = True
                return
            yield index, snapshot

    def _pooled(self, tasks: Sequence[Task]
                ) -> Iterator[tuple[int, Summary]]:
        # Imported here, as in _context: one run never needs them, and they
        # are a large share of the program's start-up.
        import concurrent.futures
        assert self._stop is not None
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self._jobs, mp_context=_context(), initializer=_worker,
                initargs=(self._stop,))
        pending = {self._pool.submit(_run, task): index
                   for index, task in enumerate(tasks)}
        while pending:
            done, _ = concurrent.futures.wait(
                pending, timeout=POLL_S,
                return_when=concurrent.futures.FIRST_COMPLETED)
            self._on_tick()
            if self._signalled() and not self.interrupted:
                self.interrupted = True
                self._stop.set()  # the runs in progress end at once
                for future in pending:
                    future.cancel()
            for future in done:
                index = pending.pop(future)
                if future.cancelled():
                    continue
                snapshot = future.result()
                if snapshot.stopped is None and not self.interrupted:
                    yield index, snapshot
            if self.interrupted:
                pending = {f: i for f, i in pending.items()
                           if not f.cancelled()}


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from a clean server where the platform has one, else
    spawned: never forked from this process, whose threads (the output's
    watcher) a fork would copy mid-step."""
    import multiprocessing
    method = ("forkserver" if "forkserver" in
              multiprocessing.get_all_start_methods() else "spawn")
    return multiprocessing.get_context(method)


EXIT_ORPHANED = 1
"""A worker's status when its parent ended first; nobody waits for it."""


def _not_stopped() -> bool:
    return False


_stopped_by_parent: Callable[[], bool] = _not_stopped
"""In a worker process: whether the parent stopped the runs (set by
:func:`_worker`; a pool's initializer can leave state nowhere else)."""


def _worker(stop: EventLike) -> None:
    """A worker's start: Ctrl-C is the parent's to handle (the terminal
    sends it to every process of the group); the parent's stop ends the
    run in progress, which looks at it as at a signal; and the parent's
    end, however abrupt, ends the worker."""
    global _stopped_by_parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _stopped_by_parent = stop.is_set
    import multiprocessing
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,),
                         name="parent-watch", daemon=True).start()


def _end_with(parent_sentinel: int) -> None:
    """End this worker once its parent has ended.  A second signal ends
    the parent at once (``os._exit``), without a word to its pool; a
    worker would then wait for work forever, holding the output open, and
    ``start.py ... | cat`` would never end."""
    from multiprocessing.connection import wait
    wait([parent_sentinel])
    os._exit(EXIT_ORPHANED)


def _run(task: Task, signalled: Callable[[], bool] | None = None
         ) -> Summary:
    """One run to its end, quietly: its final snapshot."""
    with collector_tuned():
        return simulation.run(task.config, lambda snap: None,
                              signalled=signalled or _stopped_by_parent,
                              checkpoints=task.checkpoints).snapshot


@dataclass(frozen=True, slots=True)
class Cell:
    """The runs of one configuration: a value of a sweep or a search, or
    the whole plan when it is replications alone."""

    value: float | None
    """The swept or searched value; None for replications alone."""
    runs: tuple[tuple[int, Summary], ...]
    """``(seed, snapshot)`` of each run that ended whole, in seed order."""

    def met(self, target: Target) -> bool:
        """Whether every run met ``target``."""
        return bool(self.runs) and all(target.met(snap)
                                       for _, snap in self.runs)


def evaluate(runs: Runs, configs: Sequence[SimulationConfig],
             values: Sequence[float | None], seeds: Sequence[int],
             checkpoints: tuple[float, ...],
             on_run: Callable[[], None] = lambda: None) -> list[Cell]:
    """Every config with every seed; a cell per config, in order."""
    tasks = [Task(dataclasses.replace(config, seed=seed), checkpoints)
             for config in configs for seed in seeds]
    found: dict[int, Summary] = {}
    for index, snapshot in runs.run(tasks):
        found[index] = snapshot
        on_run()
    width = len(seeds)
    return [Cell(value, tuple((seeds[i], found[c * width + i])
                              for i in range(width)
                              if c * width + i in found))
            for c, value in enumerate(values)]


@dataclass(frozen=True, slots=True)
class Search:
    """A target search's cells, in the order tried, and its answer."""

    cells: tuple[Cell, ...]
    answer: float | None
    """The least value that met the target; None if none did.  In an
    interrupted search, the least that met it so far, in every run."""
    reason: str = ""
    """Why there is no answer, or "interrupted" if the answer is one the
    search had not finished narrowing."""


def solve(name: str, start: float, target: Target,
          try_values: Callable[[list[float]], list[Cell]],
          limit: float) -> Search:
    """The least value of setting ``name`` that meets ``target``, by
    doubling (or halving) from ``start``, then narrowing: integers for
    ``senders``, rates to 1% or 0.1.  ``try_values`` runs the values of
    one round.  Assumes more of the setting never hurts."""
    tried: list[Cell] = []

    def round_of(values: list[float]) -> list[bool]:
        cells = try_values(values)
        tried.extend(cells)
        return [cell.met(target) for cell in cells]

    integer = name == "senders"
    (start_met,) = round_of([start])
    low, high = (None, start) if start_met else (start, None)
    while (low is None or high is None) and not _interrupted(tried):
        if start_met:  # halving, down to the least value allowed
            assert high is not None
            values = _steps(high, 0.5, integer, limit)
        else:
            assert low is not None
            values = _steps(low, 2.0, integer, limit)
        if not values:
            break
        results = round_of(values)
        if start_met:
            failing = [v for v, ok in zip(values, results) if not ok]
            passing = [v for v, ok in zip(values, results) if ok]
            high = min(passing, default=high)
            if failing:
                low = max(failing)
        else:
            passing = [v for v, ok in zip(values, results) if ok]
            failing = [v for v, ok in zip(values, results) if not ok]
            if passing:
                high = min(passing)
            low = max([v for v in failing if high is None or v < high],
                      default=low)
            if high is None and not _interrupted(tried) and \
                    _stalled(tried):
                return Search(tuple(tried), None, "stalled")
    if high is None:
        if _interrupted(tried):
            return Search(tuple(tried), _least_met(tried, target),
                          "interrupted")
        return Search(tuple(tried), None, "limit")
    while low is not None and not _close(low, high, integer):
        values = _between(low, high, integer)
        results = round_of(values)
        passing = [v for v, ok in zip(values, results) if ok]
        failing = [v for v, ok in zip(values, results) if not ok]
        high = min(passing, default=high)
        low = max([v for v in failing if v < high], default=low)
        if _interrupted(tried):
            return Search(tuple(tried), _least_met(tried, target),
                          "interrupted")
    return Search(tuple(tried), high)


def _steps(value: float, factor: float, integer: bool,
           limit: float) -> list[float]:
    """The next values of a doubling (or halving) round, within bounds."""
    steps: list[float] = []
    for _ in range(POINTS_PER_ROUND):
        value = value * factor
        if integer:
            value = float(math.floor(value) if factor < 1
                          else math.ceil(value))
        low = 1.0 if integer else MIN_RATE_STEP / 10
        if value > limit or value < low or (steps and value == steps[-1]):
            break
        steps.append(value)
    return steps


def _between(low: float, high: float, integer: bool) -> list[float]:
    """Up to ``POINTS_PER_ROUND`` values evenly inside (low, high)."""
    parts = POINTS_PER_ROUND + 1
    values = [low + (high - low) * k / parts for k in range(1, parts)]
    if integer:
        values = sorted({float(round(v)) for v in values} - {low, high})
    return values


def _close(low: float, high: float, integer: bool) -> bool:
    if integer:
        return high - low <= 1
    return high - low <= max(RATE_RESOLUTION * high, MIN_RATE_STEP)


def _interrupted(cells: Sequence[Cell]) -> bool:
    return any(not cell.runs for cell in cells)


def _least_met(cells: Sequence[Cell], target: Target) -> float | None:
    """The least value whose runs all ended and all met ``target``: a
    value the interrupt cut short has not proved itself."""
    full = max((len(cell.runs) for cell in cells), default=0)
    return min((cell.value for cell in cells
                if cell.value is not None and full
                and len(cell.runs) == full and cell.met(target)),
               default=None)


def _stalled(cells: Sequence[Cell]) -> bool:
    """Whether doubling stopped helping: the last two values tried
    delivered exactly as many by the target, in every run."""
    if len(cells) < 2:
        return False
    last, before = cells[-1], cells[-2]
    return [snap.checkpoints for _, snap in last.runs] == \
        [snap.checkpoints for _, snap in before.runs]


def limit_of(name: str, config: SimulationConfig) -> float:
    """The most a search may try: the fleet's limit for ``senders``, a
    million a second for rates."""
    if name == "senders":
        return float(MAX_SENDERS - (config.num_senders
                                    - config.groups[0].count))
    return MAX_RATE_SOLVED
