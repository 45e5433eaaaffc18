"""Percentiles of moments are exact: the moment the k-th message of N was
sent (or reached its phone), k = ceil(pN), as the ``--log`` has it.

Both sides are computed here: the program's JSON summary, and the k-th
smallest ``delivered_at_s`` (``reached_at_s``) of the log's sent rows.
"""
from __future__ import annotations

import csv
import heapq
import json
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sms_sim.measure.curve import DELIVERY_SHARES, curve_ranks, moment_ranks
from sms_sim.model.config import SenderGroup
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.message import generate_messages
from sms_sim.model.ranked import Ranked
from sms_sim.model.schedule import Schedule
from tests.background import BACKGROUND, Job
from tests.test_schedule import fresh_source

ROOT = Path(__file__).resolve().parent.parent
TOTAL = 1500
SEEDS = range(1, 11)
MICROSECOND = 1e-6
"""The JSON's moments are rounded to it, and the log's 9 digits keep it
below 1000 s; a 1% bucket is thousands of times wider."""


def command(seed: int) -> Callable[[Path], list[str]]:
    """Two groups, one capped per sender, an account cap, retries and a
    carrier; every other run with a deadline that cuts some off."""
    deadline = ["--deadline", "12"] if seed % 2 else []
    return lambda folder: [
        sys.executable, str(ROOT / "start.py"), str(TOTAL), "0",
        "--senders", "10:0.02:0.01:0.3", "--senders", "5:0.1:0.05:0.3:20",
        "--retries", "2", "--backoff", "0.05:0.2", "--max-rate", "300",
        "--carrier-delay", "exponential:mean=2", *deadline,
        "--seed", str(seed), "--speed", "max", "--json",
        "--log", str(folder / "log.csv")]


RUNS: dict[int, Job] = {seed: BACKGROUND.add(command(seed))
                        for seed in SEEDS}


def kth(moments: list[float], rank: int) -> float | None:
    """The moment of ``rank`` (1 for the earliest), or None beyond them."""
    return sorted(moments)[rank - 1] if rank <= len(moments) else None


def assert_same(summary: float | None, log: float | None) -> None:
    if summary is None or log is None:
        assert summary is log
    else:
        assert abs(summary - log) <= MICROSECOND, (summary, log)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_percentile_is_the_moment_of_its_message(seed: int) -> None:
    job = RUNS[seed]
    done = job.result()
    assert done.returncode in (0, 1), done.stderr  # 1: a check missed
    summary = json.loads(done.stdout.splitlines()[-1])
    with open(job.dir / "log.csv", newline="") as log:
        sent = [row for row in csv.DictReader(log)
                if row["outcome"] == "sent"]
    assert len(sent) == summary["sent"] > 0
    for column, field, curve in (("delivered_at_s", "delivery_s", "curve"),
                                 ("reached_at_s", "reached_s",
                                  "reached_curve")):
        moments = [float(row[column]) for row in sent]
        for share in DELIVERY_SHARES:
            rank = max(1, math.ceil(share * TOTAL))
            assert_same(summary[field][f"p{share * 100:g}"],
                        kth(moments, rank))
        points = summary[curve]
        ranks = curve_ranks(TOTAL, len(moments))
        assert len(points) == len(ranks)
        for (at_s, share), rank in zip(points, ranks):
            assert round(share * TOTAL) == rank
            assert_same(at_s, kth(moments, rank))


def test_ranked_moments_released_in_bounded_disorder() -> None:
    """Moments that come out of order, each no earlier than the mark
    before it, are ranked as a sort of them all would rank them."""
    rng = random.Random(4)
    ranks = moment_ranks(5000)
    ranked = Ranked(ranks)
    every: list[float] = []
    mark = 0.0
    while len(every) < 5000:
        known: list[float] = []
        for _ in range(rng.randrange(1, 40)):
            moment = mark + rng.expovariate(1.0)
            every.append(moment)
            if rng.random() < 0.3 and moment <= mark + 0.2:
                known.append(moment)  # at or below the next mark
            else:
                heapq.heappush(ranked.waiting, moment)
        mark += 0.2
        ranked.release(known, mark)
        assert ranked.low_s == mark  # the monitor's bound on its clock
    ranked.release([], math.inf)
    assert ranked.low_s == mark  # not infinity: results may be on the way
    assert ranked.count == len(every)
    ordered = sorted(every)
    assert [ranked.at(rank) for rank in ranks] == [
        ordered[rank - 1] for rank in ranks]
    assert len(ranked.waiting) == 0
    with pytest.raises(KeyError):
        ranked.at(ranks[0] + 1)  # not a rank it was asked to follow


def test_the_last_moments_count_once_no_sender_decides_any_more() -> None:
    # Ten messages decided in one take of ten, by a sender of 1 s and one
    # of 3 s: the take ends with the last message, before the schedule
    # learns that nothing is left, and the moments above its mark still
    # wait.  A run may end so, every outcome in; closing the order when
    # every sender has ended counts them (a million messages to 10,000
    # senders once ended on a KeyError for the 80% rank).
    source = iter(fresh_source(generate_messages(random.Random(1), 0, 10),
                               chunk=10))
    plan = Schedule((SenderGroup(1, Latency.uniform(1.0, 0.0), 0.0),
                     SenderGroup(1, Latency.uniform(3.0, 0.0), 0.0)),
                    Gateway(), lambda: next(source), ranks=range(1, 11))
    decided = plan.decide(10)
    assert decided is not None
    moments = sorted(r.done_at_s for r in decided.sent)
    assert len(moments) == 10 and plan.sent_order.count < 10
    plan.sent_order.close()
    assert plan.sent_order.count == 10
    assert [plan.sent_order.at(rank) for rank in range(1, 11)] == moments
