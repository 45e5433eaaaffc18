"""Runs carried out here or in worker processes: the same snapshots
either way, and a signal stops them."""
from __future__ import annotations

import dataclasses
import multiprocessing
import signal
from typing import Any

import pytest

from sms_sim.model.latency import Latency
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


def test_runs_from_workers_share_their_tasks_group_settings() -> None:
    """Not the copies a worker's pipe makes: an empirical shape's every
    measurement would be kept once per run."""
    measured = Latency.empirical(tuple(0.001 * (1 + n % 7)
                                       for n in range(5000)), "made up")
    group = dataclasses.replace(BASE.groups[0], send=measured)
    config = dataclasses.replace(BASE, groups=(group, *BASE.groups[1:]))
    tasks = [Task(dataclasses.replace(config, seed=seed)) for seed in (1, 2)]
    with Runs(2) as runs:
        snaps = [snap for _, snap in runs.run(tasks)]
    assert len(snaps) == 2
    for snap in snaps:
        assert [counts.group for counts in snap.groups] == list(
            config.groups)
        assert all(counts.group is own for counts, own
                   in zip(snap.groups, config.groups))


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


def test_workers_leave_the_stop_signals_to_the_parent() -> None:
    """A worker ignores what the terminal or ``kill -PGID`` sends the
    whole group, and leaves when told."""
    previous = {signum: signal.getsignal(signum)
                for signum in pool.PARENTS_SIGNALS}
    mine, theirs = multiprocessing.Pipe()
    mine.send(None)  # leave at once
    try:
        pool._serve(theirs)
        assert all(signal.getsignal(signum) is signal.SIG_IGN
                   for signum in pool.PARENTS_SIGNALS)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        mine.close()
        theirs.close()


def test_runs_come_out_in_order_with_few_handed_out_ahead(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow first run: the others end meanwhile and wait for it, but no
    more than one per worker is handed out beyond it, however many
    tasks; what waits stays small."""
    monkeypatch.setattr(pool, "AHEAD_PER_JOB", 1)
    slow = dataclasses.replace(BASE, num_messages=20 * BASE.num_messages)
    tasks = [Task(slow), *(Task(dataclasses.replace(BASE, seed=seed))
                           for seed in range(7))]
    handed: list[int] = []
    hand_out = Runs._hand_out

    def spy(runs: Runs, *args: Any) -> int:
        handed.append(hand_out(runs, *args))
        return handed[-1]

    monkeypatch.setattr(Runs, "_hand_out", spy)
    with Runs(2) as runs:
        out = runs.run(tasks)
        first, _ = next(out)
        before = max(handed)
        rest = [index for index, _ in out]
    assert [first, *rest] == list(range(8))
    assert before == 2 and max(handed) == 8


def test_a_killed_worker_stops_the_plan_and_is_named() -> None:
    """Not a signal to the plan: a fault, which the command line reports
    in one line, exit 1."""
    slow = dataclasses.replace(BASE, num_messages=10 ** 9, speed=1.0)
    with Runs(2) as runs:
        out = runs.run([Task(slow)] * 4)
        killed = [False]

        def kill_once() -> None:
            if not killed[0] and runs._workers:
                killed[0] = True
                runs._workers[0].process.kill()

        runs._on_tick = kill_once
        assert list(out) == []
    assert runs.interrupted
    assert runs.fault is not None and runs.fault.startswith(
        "worker process ")
    assert "was killed by SIGKILL during a run; the plan stopped\n" in \
        runs.fault


def test_a_runs_fault_in_a_worker_stops_the_plan_and_is_named(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(task: Task, signalled: object) -> pool.Ran:
        return pool.Ran(None, ("Traceback: injected\n",))

    monkeypatch.setattr(pool, "_run", broken)
    with Runs(1) as runs:
        assert list(runs.run([Task(BASE)] * 3)) == []
    assert runs.interrupted and runs.fault is not None
    assert runs.fault.endswith("the plan with it:\nTraceback: injected\n")
