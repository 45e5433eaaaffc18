"""Replications: their seeds, and runs grouped into a cell per
configuration."""
from __future__ import annotations

from sms_sim.plan.pool import Runs
from sms_sim.plan.replications import evaluate, replication_seeds
from sms_sim.plan.settings import with_value
from tests.helpers import plan_config


def test_replication_seeds_are_fixed_by_the_base_and_all_differ() -> None:
    seeds = replication_seeds(11, 50)
    assert seeds == replication_seeds(11, 50)
    assert seeds[:10] == replication_seeds(11, 10)  # a prefix of more
    assert len(set(seeds)) == 50
    assert not set(seeds) & set(replication_seeds(12, 50))
    assert all(0 <= seed < 2 ** 32 for seed in seeds)


def test_cells_group_runs_by_config_in_seed_order() -> None:
    configs = [with_value(plan_config(), "senders", n) for n in (2, 4)]
    with Runs(1) as runs:
        cells = evaluate(runs, configs, [2, 4], [5, 6, 7], (2.0,))
    assert [cell.value for cell in cells] == [2, 4]
    assert [[seed for seed, _ in cell.runs] for cell in cells] == \
        [[5, 6, 7]] * 2
    assert all(snap.checkpoints[0].at_s == 2.0
               for cell in cells for _, snap in cell.runs)
