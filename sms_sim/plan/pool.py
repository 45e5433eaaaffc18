"""Carries out runs: each one whole simulation (``simulation.run``),
quietly, to its final snapshot; in this process with one job, else in a
pool of worker processes.

Runs are independent, so they go in parallel; a seed fixes each run, so
the snapshots are the same whatever the number of workers.  A signal
stops the runs in progress, in the workers too, and starts no more.
"""
from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sms_sim.measure.summary import Summary
from sms_sim.model.config import SimulationConfig
from sms_sim.run import simulation
from sms_sim.run.tuning import POLL_S, collector_tuned

if TYPE_CHECKING:
    import concurrent.futures
    import multiprocessing.context


@dataclass(frozen=True, slots=True)
class Task:
    """One run: its config (with its seed) and the moments it counts
    exactly."""

    config: SimulationConfig
    checkpoints: tuple[float, ...] = ()


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
