"""The send time distribution counts, in each row, exactly the sends whose
times fall in it: in a run's summary, and as the report prints it beside
the ``--log`` file."""
from __future__ import annotations

import bisect
import csv
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sms_sim.measure.histogram import Bin
from sms_sim.model.config import SenderGroup
from sms_sim.model.gateway import Gateway
from tests.background import BACKGROUND, Job
from tests.helpers import config
from tests.test_simulation import Recorder, run_bounded

ROOT = Path(__file__).resolve().parent.parent

MIXED: list[list[str]] = [
    # The run: one group's fixed 20 ms beside another's 5-15 ms.
    ["3000", "6", "0.01", "0.005", "0", "--senders", "1:0.02:0:0"],
    ["2000", "3", "0.02", "0.01", "0.2", "--senders", "2:0.05:0.01:0.1"],
    ["2500", "2", "0.01", "--dist", "lognormal", "--senders",
     "3:0.03:0:0.3"],
    ["1500", "4", "0.004", "0.001", "0.1", "--senders",
     "count=2,mean=0.02,dist=exponential,fail=0"],
    ["2000", "0", "--senders", "2:0.001:0:0", "--senders", "2:0.1:0.09:0",
     "--senders", "1:0.5:0:0.5"],
]
"""Mixed groups, without retries: a log row's send time is then its one
attempt's."""


def logged(args: list[str], seed: int) -> Callable[[Path], list[str]]:
    """The run of ``args`` with ``seed``, logging to its own folder."""
    return lambda folder: [
        sys.executable, str(ROOT / "start.py"), *args, "--seed", str(seed),
        "--speed", "max", "--log", str(folder / "log.csv")]


RUNS = [BACKGROUND.add(logged(args, seed))
        for seed, args in enumerate(MIXED, start=3)]
UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6}
ROW = re.compile(r"^\s+(>= )?([\d.]+) (s|ms|us)(?: - ([\d.]+) (s|ms|us))?"
                 r"\s.*?(\d[\d,]*)$")
"""A printed row: its low edge (after ">= " for a tail), its high edge
unless it is a tail, and its count."""


def printed(number: str, unit: str) -> tuple[float, float]:
    """A printed edge in seconds, and half its last digit's worth."""
    digits = len(number.partition(".")[2])
    return (float(number) * UNITS[unit],
            0.5 * 10.0 ** -digits * UNITS[unit])


def in_row(times: list[float], low: float, high: float, last: bool) -> int:
    """How many of the sorted ``times`` are in ``[low, high)``, or
    ``[low, high]`` for the last row."""
    end = (bisect.bisect_right if last else bisect.bisect_left)(times, high)
    return end - bisect.bisect_left(times, low)


@pytest.mark.parametrize("job", RUNS, ids=[" ".join(a) for a in MIXED])
def test_each_printed_row_counts_the_logs_send_times_in_it(job: Job) -> None:
    done = job.result()
    assert done.returncode == 0, done.stderr
    with open(job.dir / "log.csv", newline="") as log:
        times = sorted(float(row["send_s"]) for row in csv.DictReader(log)
                       if row["send_s"])
    lines = done.stdout.splitlines()
    first = lines.index("  send time distribution") + 1
    rows = []
    for line in lines[first:]:
        if not (found := ROW.match(line)):
            break
        tail, low, low_unit, high, high_unit, count = found.groups()
        rows.append((printed(low, low_unit),
                     (times[-1], 0.0) if tail else printed(high, high_unit),
                     int(count.replace(",", ""))))
    assert len(rows) >= 3
    assert sum(count for _, _, count in rows) == len(times)
    for row, ((low, low_half), (high, high_half), count) in enumerate(rows):
        # A send within half a printed digit of an edge may be on either
        # side of it.
        last = row == len(rows) - 1
        surely = in_row(times, low + low_half, high - high_half, last)
        maybe = in_row(times, low - low_half, high + high_half, last)
        assert surely <= count <= maybe, (row, surely, count, maybe)


CASES = [
    (SenderGroup.uniform(6, 0.01, 0.005, 0.0),
     SenderGroup.uniform(1, 0.02, 0.0, 0.0)),
    (SenderGroup.uniform(3, 0.02, 0.01, 0.2),
     SenderGroup.uniform(2, 0.05, 0.01, 0.1)),
    (SenderGroup.uniform(2, 0.001, 0.0, 0.0),
     SenderGroup.uniform(2, 0.1, 0.09, 0.3)),
    (SenderGroup.uniform(4, 0.004, 0.001, 0.1),
     SenderGroup.uniform(1, 0.5, 0.0, 0.5)),
    (SenderGroup.uniform(1, 0.003, 0.003, 0.5),
     SenderGroup.uniform(5, 0.007, 0.002, 0.0)),
]


def true_counts(times: list[float], bins: tuple[Bin, ...]) -> list[int]:
    return [in_row(times, b.low_s, b.high_s, row == len(bins) - 1)
            for row, b in enumerate(bins)]


@pytest.mark.parametrize("seed, groups", list(enumerate(CASES)))
def test_each_row_of_a_summary_counts_exactly_the_attempts_in_it(
        seed: int, groups: tuple[SenderGroup, ...]) -> None:
    sink = Recorder()
    outcome = run_bounded(config(3000, *groups, seed=seed, speed=math.inf,
                                 gateway=Gateway(retries=2)), sink=sink)
    times = sorted(r.send_s for r in sink.results if r.send_s is not None)
    bins = outcome.snapshot.distribution
    assert len(bins) >= 3
    assert [b.count for b in bins] == true_counts(times, bins)
    assert (bins[0].low_s, bins[-1].high_s) == (times[0], times[-1])
    assert all(a.high_s == b.low_s for a, b in zip(bins, bins[1:]))
