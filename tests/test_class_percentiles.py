"""Each ``--traffic`` class's percentiles are exact: the k-th smallest of
its N messages sent, k = ceil(pN), of the time from arrival to sent and of
the waiting, as the ``--log`` has them (issue 26).

Both sides are computed here: the program's JSON summary, and the k-th
smallest of the log's rows of the class.
"""
from __future__ import annotations

import csv
import io
import json
import math
import random
from pathlib import Path

import pytest

from sms_sim.cli import main as cli
from sms_sim.measure import spilled
from sms_sim.measure.histogram import Histogram
from sms_sim.measure.spilled import Spilled, at_ranks
from sms_sim.output.environment import Environment

MICROSECOND = 1e-6
"""The JSON's times are rounded to it; the log keeps 9 digits."""
SHARES = (0.5, 0.95, 0.99)


def exact(values: list[float], ranks: list[int], block: int = 100,
          collected: int = 20, monkeypatch: pytest.MonkeyPatch | None = None
          ) -> list[float]:
    """``at_ranks`` of ``values``, spilled to the file in blocks of
    ``block``, collecting at most ``collected`` a pass and cutting a
    bucket in 16 (so that every path is taken, and soon)."""
    assert monkeypatch is not None
    monkeypatch.setattr(spilled, "BLOCK", block)
    monkeypatch.setattr(spilled, "COLLECTED", collected)
    monkeypatch.setattr(spilled, "CUTS", 16)
    store = Spilled(2, 2)
    histogram = Histogram(1e-7, 1e9)
    for value in values:
        store.extend(1, (value, -1.0))
        store.extend(0, (-2.0, -3.0))  # another key's: never read for key 1
    histogram.add(values)
    return at_ranks(histogram, lambda: store.column(1, 0), ranks)


@pytest.mark.parametrize("kind", ["spread", "zeros", "one value", "tail"])
def test_the_value_of_each_rank_is_a_sorts(
        kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """However the values crowd a bucket (most waits are 0 s; fixed sends
    make one time), a pass that only counts narrows it to what a sort of
    them all would give."""
    rng = random.Random(kind)
    values = {
        "spread": [rng.expovariate(0.1) for _ in range(3000)],
        "zeros": [0.0 if rng.random() < 0.9 else rng.random()
                  for _ in range(3000)],
        "one value": [1.25] * 500,
        "tail": [1e9 + rng.random() for _ in range(300)]
        + [rng.random() * 1e-8 for _ in range(300)],
    }[kind]
    ranks = [1, 2, 17, *(max(1, math.ceil(s * len(values)))
                         for s in SHARES), len(values)]
    ordered = sorted(values)
    assert exact(values, ranks, monkeypatch=monkeypatch) == [
        ordered[rank - 1] for rank in ranks]


def test_values_still_in_memory_are_read_with_those_written(
        monkeypatch: pytest.MonkeyPatch) -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert exact(values, [1, 50, 100], block=1000, collected=1000,
                 monkeypatch=monkeypatch) == [1.0, 50.0, 100.0]


def kth(values: list[float], share: float) -> float:
    return sorted(values)[max(1, math.ceil(share * len(values))) - 1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_classs_percentiles_are_the_logs_kth(seed: int,
                                                  tmp_path: Path) -> None:
    """A Poisson stream over a backlog of lower priority and an urgent
    batch mid-run, on senders that fall behind: long waits, and many of
    0 s.  Without retries, a message's waiting is its time from arrival
    less its one send; with a carrier, each reaches its phone later."""
    log = tmp_path / "log.csv"
    out = io.StringIO()
    status = cli.main([
        "0", "3", "0.1", "0.05", "0.1", "--traffic",
        "name=bulk,count=300,priority=5", "--traffic",
        "name=r,rate=20/s,for=40s,priority=2", "--traffic",
        "name=alert,count=200,at=15,priority=0", "--carrier-delay",
        "exponential:mean=2", "--seed", str(seed),
        "--speed", "max", "--json", "--log", str(log)],
        env=Environment(out, io.StringIO()))
    assert status == 0
    summary = json.loads(out.getvalue().splitlines()[-1])
    with open(log, newline="") as file:
        rows = [row for row in csv.DictReader(file)
                if row["outcome"] == "sent"]
    for klass in summary["classes"]:
        mine = [row for row in rows if row["class"] == klass["name"]]
        assert len(mine) == klass["sent"] > 100
        after = [float(row["delivered_at_s"]) - float(row["arrived_at_s"])
                 for row in mine]
        waiting = [max(0.0, a - float(row["send_s"]))
                   for a, row in zip(after, mine)]
        reached = [float(row["reached_at_s"]) - float(row["arrived_at_s"])
                   for row in mine]
        for field, times in (("sent_after_s", after),
                             ("waiting_s", waiting),
                             ("reached_after_s", reached)):
            figures = klass[field]
            for share in SHARES:
                assert figures[f"p{share * 100:g}"] == pytest.approx(
                    kth(times, share), abs=MICROSECOND), (field, share)
            assert figures["max"] == pytest.approx(max(times),
                                                   abs=MICROSECOND)
