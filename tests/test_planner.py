"""Many runs: seeds, settings by name, parallel workers, the search."""
from __future__ import annotations

import dataclasses
import math
import signal
from collections.abc import Callable

import pytest

from sms_sim.measure.progress import GroupCounts
from sms_sim.measure.summary import Checkpoint, Summary
from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.validation import ConfigError
from sms_sim.plan.planner import (MAX_RATE_SOLVED, Cell, Runs, Target, Task,
                                  configured, evaluate, limit_of,
                                  replication_seeds, solve, with_value)

BASE = SimulationConfig(
    400, (SenderGroup.uniform(4, 0.01, 0.005, 0.2),
          SenderGroup.uniform(2, 0.02, 0.0, 0.1)),
    seed=7, speed=math.inf,
    gateway=Gateway(max_rate=300.0, retries=2, deadline_s=5.0))


def test_replication_seeds_are_fixed_by_the_base_and_all_differ() -> None:
    seeds = replication_seeds(11, 50)
    assert seeds == replication_seeds(11, 50)
    assert seeds[:10] == replication_seeds(11, 10)  # a prefix of more
    assert len(set(seeds)) == 50
    assert not set(seeds) & set(replication_seeds(12, 50))
    assert all(0 <= seed < 2 ** 32 for seed in seeds)


@pytest.mark.parametrize("name, value, read", [
    ("senders", 9, lambda c: c.groups[0].count),
    ("tps", 5.0, lambda c: c.groups[0].tps),
    ("max-rate", 50.0, lambda c: c.gateway.max_rate),
    ("retries", 3, lambda c: c.gateway.retries),
    ("deadline", 60.0, lambda c: c.gateway.deadline_s),
    ("mean", 0.03, lambda c: c.groups[0].send.mean_s),
])
def test_a_setting_is_changed_by_name_and_nothing_else(
        name: str, value: float,
        read: Callable[[SimulationConfig], object]) -> None:
    changed = with_value(BASE, name, value)
    assert read(changed) == value == configured(changed, name)
    assert changed.groups[1:] == BASE.groups[1:]
    assert (changed.seed, changed.num_messages) == (7, 400)


@pytest.mark.parametrize("name, value", [
    ("senders", 2.5), ("senders", 0), ("retries", 101), ("mean", 0.001),
    ("max-rate", -1.0), ("deadline", 0.0)])
def test_a_value_the_setting_refuses_is_a_config_error(
        name: str, value: float) -> None:
    # A mean of 1 ms is below the group's deviation of 5 ms.
    with pytest.raises(ConfigError):
        with_value(BASE, name, value)


def test_an_empirical_groups_mean_is_its_files() -> None:
    config = dataclasses.replace(BASE, groups=(SenderGroup(
        1, Latency.empirical([0.1, 0.2]), 0.0),))
    with pytest.raises(ConfigError, match="empirical"):
        with_value(config, "mean", 0.3)


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


def test_cells_group_runs_by_config_in_seed_order() -> None:
    configs = [with_value(BASE, "senders", n) for n in (2, 4)]
    with Runs(1) as runs:
        cells = evaluate(runs, configs, [2, 4], [5, 6, 7], (2.0,))
    assert [cell.value for cell in cells] == [2, 4]
    assert [[seed for seed, _ in cell.runs] for cell in cells] == \
        [[5, 6, 7]] * 2
    assert all(snap.checkpoints[0].at_s == 2.0
               for cell in cells for _, snap in cell.runs)


def snapshot(sent_by: int, total: int = 100, unsent: int = 0) -> Summary:
    """A run's summary with ``sent_by`` of ``total`` sent by 10 s."""
    group = SenderGroup.uniform(1, 0.0, 0.0, 0.0)
    return Summary(total=total, elapsed_s=1.0, sim_elapsed_s=10.0,
                   groups=(GroupCounts(group, total - unsent,
                                       total - unsent, 0, 0.0),),
                   checkpoints=(Checkpoint(10.0, sent_by, 0),))


def test_a_target_is_met_by_exact_counts_at_its_moment() -> None:
    target = Target(0.95, 10.0)
    assert target.met(snapshot(95))
    assert not target.met(snapshot(94))
    assert not target.met(snapshot(99, unsent=1))  # an interrupted run


def fake_trials(threshold: float, counted: list[float]
                ) -> Callable[[list[float]], list[Cell]]:
    """Runs in which a value meets the target from ``threshold`` on, and
    more of it delivers more before that."""
    def try_values(values: list[float]) -> list[Cell]:
        counted.extend(values)
        total = 10 ** 6
        return [Cell(v, ((1, snapshot(
            total if v >= threshold else int(0.94 * total * v / threshold),
            total)),)) for v in values]
    return try_values


@pytest.mark.parametrize("start, threshold", [
    (100.0, 137.3), (100.0, 100.0), (500.0, 137.3), (100.0, 0.31)])
def test_a_rate_is_found_to_one_percent(start: float,
                                        threshold: float) -> None:
    tried: list[float] = []
    search = solve("max-rate", start, Target(0.95, 10.0),
                   fake_trials(threshold, tried), MAX_RATE_SOLVED)
    assert search.answer is not None
    assert threshold <= search.answer <= max(threshold * 1.01,
                                             threshold + 0.1)
    below = max(v for v in tried if v < search.answer)
    assert search.answer - below <= max(0.01 * search.answer, 0.1)
    assert [cell.value for cell in search.cells] == tried


@pytest.mark.parametrize("start, threshold",
                         [(20, 37), (20, 20), (64, 9), (1, 1)])
def test_senders_are_found_exactly(start: float, threshold: float) -> None:
    search = solve("senders", start, Target(0.95, 10.0),
                   fake_trials(threshold, []), 10_000)
    assert search.answer == threshold


def test_no_value_up_to_the_limit_is_no_answer() -> None:
    search = solve("senders", 20, Target(0.95, 10.0),
                   fake_trials(20_000, []), 10_000)
    assert (search.answer, search.reason) == (None, "limit")
    assert max(cell.value or 0 for cell in search.cells) <= 10_000


def test_a_setting_that_stops_helping_ends_the_search() -> None:
    """Doubling the cap changed nothing: another setting holds the run
    back, and more of this one never will."""
    def try_values(values: list[float]) -> list[Cell]:
        return [Cell(v, ((1, snapshot(min(90, int(v)))),)) for v in values]

    search = solve("max-rate", 50.0, Target(0.95, 10.0), try_values,
                   MAX_RATE_SOLVED)
    assert (search.answer, search.reason) == (None, "stalled")
    assert len(search.cells) <= 4


def test_an_interrupted_search_answers_with_the_least_met_so_far() -> None:
    """Interrupted in its second round of narrowing (one value left
    without runs, one cut short): the least value whose runs all ended
    and met the target, flagged as not narrowed down."""
    trials = fake_trials(137.3, [])
    rounds = 0

    def try_values(values: list[float]) -> list[Cell]:
        nonlocal rounds
        rounds += 1
        cells = trials(values)
        if rounds < 4:
            return cells
        cut = Cell(cells[0].value, ())  # never ran
        return [cut, *cells[1:]]

    search = solve("max-rate", 100.0, Target(0.95, 10.0), try_values,
                   MAX_RATE_SOLVED)
    assert search.reason == "interrupted"
    met = [cell.value for cell in search.cells
           if cell.value is not None and cell.met(Target(0.95, 10.0))]
    assert search.answer == min(met) and search.answer >= 137.3


def test_a_search_interrupted_while_doubling_is_not_a_stall() -> None:
    """Cut in its first doubling round, two values left without runs:
    their empty runs are alike, but nothing stopped helping."""
    trials = fake_trials(1000.0, [])

    def try_values(values: list[float]) -> list[Cell]:
        cells = trials(values)
        if len(values) == 1:  # the start
            return cells
        return [cells[0], *(Cell(cell.value, ()) for cell in cells[1:])]

    search = solve("max-rate", 100.0, Target(0.95, 10.0), try_values,
                   MAX_RATE_SOLVED)
    assert (search.answer, search.reason) == (None, "interrupted")


def test_the_search_tries_the_same_values_whatever_the_jobs() -> None:
    """Its rounds are a fixed number of values, not the number of
    workers: the answer is the same with any --jobs."""
    first: list[float] = []
    again: list[float] = []
    solve("max-rate", 100.0, Target(0.95, 10.0), fake_trials(137.3, first),
          MAX_RATE_SOLVED)
    solve("max-rate", 100.0, Target(0.95, 10.0), fake_trials(137.3, again),
          MAX_RATE_SOLVED)
    assert first == again


def test_the_search_limits() -> None:
    assert limit_of("senders", BASE) == 10_000 - 2
    assert limit_of("max-rate", BASE) == MAX_RATE_SOLVED


def test_workers_leave_ctrl_c_to_the_parent() -> None:
    from sms_sim.plan import planner

    previous = signal.getsignal(signal.SIGINT)

    class Stop:
        def is_set(self) -> bool:
            return True

        def set(self) -> None:
            pass

    try:
        planner._worker(Stop())
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert planner._stopped_by_parent()
    finally:
        signal.signal(signal.SIGINT, previous)
        planner._stopped_by_parent = planner._not_stopped
