"""Replications: the seeds of a plan's runs, and every configuration run
with every seed, grouped into a cell per configuration."""
from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence

from sms_sim.measure.summary import Summary
from sms_sim.model.config import SimulationConfig
from sms_sim.plan.cells import Cell
from sms_sim.plan.pool import Runs, Task
from sms_sim.run.simulation import SEED_BITS


def replication_seeds(base: int, runs: int) -> list[int]:
    """The seeds of ``runs`` replications of a run seeded with ``base``:
    drawn from a generator seeded with it, so that each can be repeated
    alone (``--seed``) and two bases share none by construction."""
    rng = random.Random(f"sms-sim replications of {base}")
    return [rng.getrandbits(SEED_BITS) for _ in range(runs)]


def evaluate(runs: Runs, configs: Sequence[SimulationConfig],
             values: Sequence[float | None], seeds: Sequence[int],
             checkpoints: tuple[float, ...],
             on_run: Callable[[int, Summary], Summary] = lambda i, s: s
             ) -> list[Cell]:
    """Every config with every seed; a cell per config, in order.
    ``on_run`` sees each run as it ends, in order, with its index among
    ``seeds`` (a replication's), and returns what the cell keeps of it:
    what the plan's report needs, not the whole run."""
    tasks = [Task(dataclasses.replace(config, seed=seed), checkpoints)
             for config in configs for seed in seeds]
    found: dict[int, Summary] = {}
    for index, snapshot in runs.run(tasks):
        found[index] = on_run(index % len(seeds), snapshot)
    width = len(seeds)
    return [Cell(value, tuple((seeds[i], found[c * width + i])
                              for i in range(width)
                              if c * width + i in found))
            for c, value in enumerate(values)]
