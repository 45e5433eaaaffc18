"""Windows of outstanding submits (``window=W``): a connection's submits
on the way at once, what it carries a second, the log's proof that no
more than W overlap, and bad input."""
from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

from sms_sim.model.config import SenderGroup
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.message import generate_messages
from sms_sim.model.result import Result
from sms_sim.model.schedule import Schedule
from sms_sim.model.validation import ConfigError
from sms_sim.model.windows import Windows, windows_of
from tests.helpers import run_main
from tests.test_schedule import decide_all, fresh_source

FIXED = Latency.uniform(0.05, 0.0)


def test_a_connection_submits_again_while_its_window_has_room() -> None:
    windows = Windows([1, 2])  # sender 1, window 2
    assert windows.free_s(1, 0.0, 1.0) == 0.0  # one on the way: room
    assert windows.free_s(1, 0.0, 3.0) == 1.0  # full: when the first ends
    assert windows.free_s(1, 1.0, 1.5) == 1.5  # the first is over
    assert windows.free_s(1, 3.0, 4.0) == 3.0  # both over, one on the way


def test_windows_of_one_are_the_model_without_them() -> None:
    assert windows_of([1, 1, 1]) is None
    assert windows_of([1, 2]) is not None
    with pytest.raises(ConfigError) as caught:
        SenderGroup(1, FIXED, 0.0, window=0)
    assert caught.value.field == "window"


def carried(count: int, window: int, senders: int = 1) -> list[Result]:
    source = iter(fresh_source(
        generate_messages(random.Random(5), 0, count), 64))
    plan = Schedule((SenderGroup(senders, FIXED, 0.0, window=window),),
                    Gateway(), lambda: next(source))
    return decide_all(plan, 32)


@pytest.mark.parametrize("window, per_s", [(10, 200.0), (1, 20.0)])
def test_a_connection_carries_its_window_over_the_round_trip(
        window: int, per_s: float) -> None:
    # Fixed sends of 50 ms and no caps: W submits every 50 ms.
    results = carried(2000, window)
    duration_s = max(r.done_at_s for r in results)
    assert 2000 / duration_s == pytest.approx(per_s, rel=0.01)
    assert len(results) == 2000


def most_overlapping(rows: list[dict[str, str]]) -> dict[str, int]:
    """Each sender's most submits on the way at one moment, from the log:
    each row's submit from its end less its send time to its end (a
    submit that starts as another ends does not overlap it)."""
    events: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for row in rows:
        end = float(row["delivered_at_s"])
        start = end - float(row["send_s"])
        events[row["sender"]] += [(round(start, 6), 1), (round(end, 6), -1)]
    most = {}
    for sender, moments in events.items():
        on_way = peak = 0
        for _, change in sorted(moments):  # ends first at a tie
            on_way += change
            peak = max(peak, on_way)
        most[sender] = peak
    return most


def test_the_log_shows_no_more_than_w_submits_on_the_way(
        tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    status, out, err = run_main(
        "3000", "0", "--senders", "count=3,mean=0.05,dev=0.04,fail=0,"
        "window=4", "--senders", "count=2,mean=0.02,dev=0.01,fail=0",
        "--max-rate", "150", "--speed", "max", "--seed", "6", "--json",
        "--log", str(log))
    assert status == 0, err
    with log.open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 3000 and json.loads(out.splitlines()[-1])[
        "sent"] == 3000
    most = most_overlapping(rows)
    assert {sender: most[sender] for sender in "123"} == {
        "1": 4, "2": 4, "3": 4}  # the window fills, and holds
    assert most["4"] == most["5"] == 1


@pytest.mark.parametrize("keys, message", [
    ("window=0", "window must be an integer from 1 to 10,000, got 0"),
    ("window=many", "window must be an integer in digits"),
])
def test_bad_windows_are_one_line_and_status_2(keys: str,
                                               message: str) -> None:
    status, out, err = run_main("10", "0", "--senders",
                                f"count=1,mean=0.01,{keys}")
    assert (status, out) == (2, "")
    *usage, error = err.splitlines()
    assert usage[0].startswith("usage: start.py ")
    assert error.startswith("start.py: error: argument --senders: ")
    assert message in error
