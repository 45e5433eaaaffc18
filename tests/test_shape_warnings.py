"""A shape that will not give the mean asked for is warned about before
the run, with the mean it gives: a normal cut at 0 with a deviation its
cut cannot ignore."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from sms_sim.cli.notes import shape_warnings
from sms_sim.model.config import SenderGroup
from sms_sim.model.latency import Latency
from tests.background import BACKGROUND
from tests.helpers import config

ROOT = Path(__file__).resolve().parent.parent


def start(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *args, "--speed", "max",
            "--json", "--seed", "2"]


WIDE = BACKGROUND.add(start("20000", "4", "0.01", "0.02", "0", "--dist",
                            "normal"))
DEFAULT = BACKGROUND.add(start("200", "4", "0.01", "--dist", "normal"))


def test_a_normal_wider_than_its_mean_is_warned_about_with_its_mean(
        ) -> None:
    done = WIDE.result()
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "sms-sim: warning: group 1's send times, normal with mean 10.00 ms "
        "and sd 20.00 ms, are cut at 0: they will average 20.18 ms, not "
        "10.00 ms"]
    # ... and the run's own average bears it out.
    summary = json.loads(done.stdout.splitlines()[-1])
    assert abs(summary["avg_send_s"] - 0.02018) < 0.0004


def test_the_default_normal_is_not_warned_about() -> None:
    done = DEFAULT.result()
    assert done.returncode == 0 and done.stderr == ""


def test_each_shape_that_moves_its_mean_is_named() -> None:
    groups = (SenderGroup.uniform(2, 0.01, 0.01, 0.1),
              SenderGroup(1, Latency.normal(0.01, 0.006), 0.1),
              SenderGroup(1, Latency.normal(0.01, 0.03), 0.1),
              SenderGroup(1, Latency.exponential(0.01), 0.1))
    cfg = config(10, *groups)
    assert [line.split(",")[0] for line in shape_warnings(cfg)] == [
        "group 2's send times", "group 3's send times"]
    carried = dataclasses.replace(config(10, groups[0]),
                                  carrier=Latency.normal(8.0, 20.0))
    assert [line.split(",")[0] for line in shape_warnings(carried)] == [
        "the carrier's delays"]
