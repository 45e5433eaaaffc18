"""Carries out runs: each one whole simulation (``simulation.run``),
quietly, to its final snapshot; in this process with one job, else in
worker processes of its own, a task at a time each.

Runs are independent, so they go in parallel; a seed fixes each run, so
the snapshots are the same whatever the number of workers.  They come out
in the order of their tasks, and only a few are handed out ahead of the
earliest not yet out, so that what waits stays small whatever the number
of runs.  A signal stops the runs in progress and starts no more; so does
a run's fault, or a worker that ends abruptly, which :attr:`Runs.fault`
then names.  A run cut short is never reported, so a worker's is not
waited for: the worker is killed, and the plan ends at once.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sms_sim.measure.summary import Summary
from sms_sim.model.config import SimulationConfig
from sms_sim.run import simulation
from sms_sim.run.tuning import POLL_S, interpreter_tuned

if TYPE_CHECKING:
    import multiprocessing.context
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

PARENTS_SIGNALS = tuple(getattr(signal, name) for name in
                        ("SIGINT", "SIGTERM", "SIGHUP")
                        if hasattr(signal, name))
"""The signals that stop a plan, which only the parent handles.  The
terminal (Ctrl-C, a closed window), ``kill -PGID`` and ``timeout`` send
them to the whole process group: a worker, or a helper process that
``multiprocessing`` starts (its fork server, its resource tracker), that
one of them ended would break the plan mid-run."""
AHEAD_PER_JOB = 2
"""Tasks handed out beyond the earliest whose run is not yet out, per
worker.  Runs that end before it wait for it; this bounds them."""
LEAVE_GRACE_S = 1.0
"""How long idle workers have to leave once told, before they are
killed."""
EXIT_ORPHANED = 1
"""A worker's status when its parent ended first; nobody waits for it."""


@dataclass(frozen=True, slots=True)
class Task:
    """One run: its config (with its seed) and the moments it counts
    exactly."""

    config: SimulationConfig
    checkpoints: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Ran:
    """A run's end as a worker sends it back: its final snapshot, or None
    if the simulation raised, and its faults."""

    snapshot: Summary | None
    faults: tuple[str, ...] = ()


@dataclass(slots=True)
class _Worker:
    """A worker process and the parent's end of its pipe."""

    process: BaseProcess
    conn: Connection
    task: int | None = None
    """The index of the task it is running, if any."""


class Runs:
    """Carries out runs: in this process with one job, else in worker
    processes.  :meth:`run` yields each finished run; a signal (as
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
        """The runs stopped before all ended: a signal, or a fault."""
        self.fault: str | None = None
        """Why the runs stopped, when no signal stopped them: a run's fault,
        or a worker that ended abruptly."""
        self._workers: list[_Worker] = []

    def __enter__(self) -> Runs:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)  # leave
            except OSError:
                pass  # gone already
        _end_all([worker.process for worker in self._workers])
        for worker in self._workers:
            worker.conn.close()
        self._workers = []

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Summary]]:
        """Each task's index and snapshot, in the tasks' order; once the
        runs stop, only those that ended whole, still in order."""
        if self.interrupted:
            return
        if self._jobs == 1:
            yield from self._here(tasks)
        else:
            yield from self._pooled(tasks)

    def _here(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Summary]]:
        for index, task in enumerate(tasks):
            self._on_tick()
            snapshot = self._kept(_run(task, self._signalled))
            if snapshot is None:
                return
            yield index, snapshot

    def _kept(self, ran: Ran) -> Summary | None:
        """The snapshot of a run that ended whole; else None, and the runs
        stop (by its fault, if it had one)."""
        if ran.faults and self.fault is None:
            self.fault = ("a run of the plan stopped after an error, and "
                          f"the plan with it:\n{ran.faults[0]}")
        if ran.snapshot is not None and ran.snapshot.stopped is None:
            return ran.snapshot
        self._halt()
        return None

    def _halt(self) -> None:
        """Stop: no more runs start, and the workers' runs in progress end
        at once, with their workers."""
        self.interrupted = True
        for worker in self._workers:
            if worker.task is not None:
                worker.process.kill()

    def _pooled(self, tasks: Sequence[Task]
                ) -> Iterator[tuple[int, Summary]]:
        from multiprocessing.connection import wait
        ended: dict[int, Summary] = {}
        handed = out = 0  # tasks handed out, and runs yielded
        while True:
            if not self.interrupted:
                handed = self._hand_out(
                    tasks, handed, min(len(tasks),
                                       out + AHEAD_PER_JOB * self._jobs))
            if self._signalled():
                self._halt()
            busy = [w for w in self._workers if w.task is not None]
            if not busy:
                break
            ready = wait([w.conn for w in busy]
                         + [w.process.sentinel for w in busy], POLL_S)
            self._on_tick()
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    index = worker.task
                    assert index is not None
                    snapshot = self._answer(worker)
                    if snapshot is not None:
                        ended[index] = _sharing(snapshot,
                                                tasks[index].config)
            while out in ended:
                yield out, ended.pop(out)
                out += 1
        for index in sorted(ended):  # past a run the stop cut short
            yield index, ended[index]

    def _hand_out(self, tasks: Sequence[Task], handed: int,
                  until: int) -> int:
        """Hand tasks ``handed`` up to ``until`` to idle workers, starting
        workers as needed; the tasks handed out by then."""
        # A signal is looked at before each start too: the first starts
        # the fork server, which takes a while on a busy machine.
        while handed < until and not self._signalled():
            idle = next((w for w in self._workers if w.task is None), None)
            if idle is None and len(self._workers) < self._jobs:
                idle = self._start_worker()
            if idle is None:
                break
            try:
                idle.conn.send(tasks[handed])
            except OSError:
                self._lost(idle)
                break
            idle.task = handed
            handed += 1
        return handed

    def _start_worker(self) -> _Worker:
        context = _context()
        mine, theirs = context.Pipe()
        process = context.Process(
            target=_serve, args=(theirs,), daemon=True,
            name=f"sms-sim-worker-{len(self._workers) + 1}")
        _start_deaf(process)
        theirs.close()
        worker = _Worker(process, mine)
        self._workers.append(worker)
        return worker

    def _answer(self, worker: _Worker) -> Summary | None:
        """What ``worker`` sent back, now that it is ready: the snapshot of
        its run if it ended whole."""
        try:
            ran = worker.conn.recv() if worker.conn.poll() else None
        except (EOFError, OSError):
            ran = None
        if not isinstance(ran, Ran):
            self._lost(worker)
            return None
        worker.task = None
        return self._kept(ran)

    def _lost(self, worker: _Worker) -> None:
        """``worker`` ended without an answer: killed, or out of memory.
        After a stop, whatever ended it ended a run the plan gave up."""
        self._workers.remove(worker)
        worker.conn.close()
        worker.process.join(LEAVE_GRACE_S)
        if not (self.interrupted or self._signalled()) and \
                self.fault is None:
            self.fault = (f"worker process {worker.process.pid} "
                          f"{_ending(worker.process.exitcode)} during a run;"
                          " the plan stopped\n")
        self._halt()


def _sharing(snap: Summary, config: SimulationConfig) -> Summary:
    """``snap`` with its groups' settings ``config``'s own, not the copies
    the pipe from its worker made: an empirical shape's every measurement
    would be kept once per run."""
    if len(snap.groups) != len(config.groups):
        return snap
    return dataclasses.replace(snap, groups=tuple(
        dataclasses.replace(counts, group=group)
        if counts.group == group else counts
        for counts, group in zip(snap.groups, config.groups)))


def _ending(exitcode: int | None) -> str:
    """How a process ended, in words."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"ended with status {exitcode}"


def _end_all(processes: Sequence[BaseProcess]) -> None:
    """Wait for ``processes`` to end, together at most ``LEAVE_GRACE_S``;
    kill those still running then."""
    deadline = time.monotonic() + LEAVE_GRACE_S
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()


def _start_deaf(process: BaseProcess) -> None:
    """Start ``process``, and the helpers ``multiprocessing`` starts with
    the first (a resource tracker, a fork server), holding off
    ``PARENTS_SIGNALS`` meanwhile: each inherits the mask, and so never
    sees them.  A signal that arrives meanwhile is delivered here once
    they are started, not lost."""
    if not hasattr(signal, "pthread_sigmask"):
        process.start()
        return
    from multiprocessing import resource_tracker
    held = signal.pthread_sigmask(signal.SIG_BLOCK, PARENTS_SIGNALS)
    try:
        # The tracker unblocks SIGINT and SIGTERM here as it returns from
        # starting (it ignores them itself): block them again.
        resource_tracker.ensure_running()
        signal.pthread_sigmask(signal.SIG_BLOCK, PARENTS_SIGNALS)
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _context() -> (multiprocessing.context.ForkServerContext
                   | multiprocessing.context.SpawnContext):
    """Workers forked from a clean server where the platform has one, else
    spawned: never forked from this process, whose threads (the output's
    watcher) a fork would copy mid-step."""
    import multiprocessing
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def _serve(conn: Connection) -> None:
    """A worker's life: each task it is sent, run to its end and sent
    back, until it is told to leave (None) or its parent is gone.  The
    parent's signals are the parent's to handle (``PARENTS_SIGNALS``), and
    the parent's end, however abrupt, ends the worker."""
    for signum in PARENTS_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    import multiprocessing
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,),
                         name="parent-watch", daemon=True).start()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(_run(task, _never))


def _end_with(parent_sentinel: int) -> None:
    """End this worker once its parent has ended.  A second signal ends
    the parent at once (``os._exit``), without a word to its workers; a
    worker would then wait for work forever, holding the output open, and
    ``start.py ... | cat`` would never end."""
    from multiprocessing.connection import wait
    wait([parent_sentinel])
    os._exit(EXIT_ORPHANED)


def _never() -> bool:
    return False


def _run(task: Task, signalled: Callable[[], bool]) -> Ran:
    """One run to its end, quietly: its final snapshot and faults."""
    try:
        with interpreter_tuned(task.config.num_senders):
            outcome = simulation.run(task.config, lambda snap: None,
                                     signalled=signalled,
                                     checkpoints=task.checkpoints)
    except Exception:  # sent back to be named, not lost with the worker
        return Ran(None, (traceback.format_exc(),))
    return Ran(outcome.snapshot, outcome.faults)
