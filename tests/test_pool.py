"""Runs carried out here or in worker processes: the same snapshots
either way, and a signal stops them."""
from __future__ import annotations

import dataclasses
import signal

from sms_sim.plan import pool
from sms_sim.plan.pool import Runs, Task
from tests.helpers import plan_config

BASE = plan_config()


def test_runs_in_workers_give_what_runs_in_this_process_do() -> None:
    """Each run is fixed by its seed: one job or two, any order of ending,
    the same snapshots, simulated figure for figure."""
    tasks = [Task(dataclasses.replace(BASE, seed=seed), (1.0,))
             for seed in (1, 2, 3)]

    def figures(jobs: int) -> dict[int, tuple[object, ...]]:
        with Runs(jobs) as runs:
            return {index: (snap.sim_elapsed_s, snap.sent, snap.failed,
                            snap.expired, snap.delivery, snap.checkpoints,
                            snap.avg_send_s)
                    for index, snap in runs.run(tasks)}

    here = figures(1)
    assert sorted(here) == [0, 1, 2]
    assert len({figures[1:] for figures in here.values()}) == 3
    assert figures(2) == here


def test_a_signal_stops_the_runs_and_keeps_those_that_ended() -> None:
    signalled = [False]
    tasks = [Task(dataclasses.replace(BASE, seed=seed)) for seed in range(6)]
    with Runs(1, lambda: signalled[0]) as runs:
        done = []
        for index, _ in runs.run(tasks):
            done.append(index)
            signalled[0] = len(done) == 2  # Ctrl-C after the second
        assert done == [0, 1] and runs.interrupted
        assert list(runs.run(tasks)) == []  # and no more start


def test_a_signal_stops_the_workers_runs_in_progress() -> None:
    """A run far too long to end by itself: the stop reaches it in its
    worker, and nothing of it is counted."""
    slow = dataclasses.replace(BASE, num_messages=10 ** 9, speed=1.0)
    calls = [0]

    def signalled() -> bool:
        calls[0] += 1
        return calls[0] > 3  # Ctrl-C a few looks in

    with Runs(2, signalled) as runs:
        assert list(runs.run([Task(slow), Task(slow)])) == []
        assert runs.interrupted


def test_workers_leave_ctrl_c_to_the_parent() -> None:
    previous = signal.getsignal(signal.SIGINT)

    class Stop:
        def is_set(self) -> bool:
            return True

        def set(self) -> None:
            pass

    try:
        pool._worker(Stop())
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert pool._stopped_by_parent()
    finally:
        signal.signal(signal.SIGINT, previous)
        pool._stopped_by_parent = pool._not_stopped
