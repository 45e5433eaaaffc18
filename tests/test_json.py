"""The JSON lines of a run: every field's name and value."""
from __future__ import annotations

import dataclasses
import json

import pytest

from sms_sim.measure.checks import Check
from sms_sim.measure.stats import Stats
from sms_sim.output.json import progress_json, summary_json
from tests.snapshots import DONE, G1, MIDWAY, busy_snapshot


def test_progress_json() -> None:
    snap = dataclasses.replace(MIDWAY, speed=10.0, sim_elapsed_s=20.0,
                               expired=3, retrying=4)
    assert progress_json(snap) == {
        "event": "progress", "elapsed_s": 2.0, "sim_elapsed_s": 20.0,
        "speed": 10.0, "total": 1000, "sent": 90, "failed": 230,
        "expired": 3, "unsent": 677, "retrying": 4, "processed": 323,
        "avg_send_s": 0.013125, "rate_per_s": 190.0,
        "eta_s": pytest.approx(4.192, abs=1e-3)}


def test_summary_json_names_and_values() -> None:
    check = Check("min_delivered", False, 0.35, 0.9)
    summary = summary_json(DONE, [check])
    assert json.loads(json.dumps(summary)) == summary
    assert summary["event"] == "summary"
    assert (summary["sim_elapsed_s"], summary["speed"],
            summary["max_lag_s"]) == (2.0, 1.0, 0.0)
    assert (summary["unsent"], summary["expired"]) == (0, 0)
    assert summary["interrupted"] is False and summary["stopped"] is None
    assert [summary[k] for k in ("min_send_s", "p50_send_s", "p95_send_s",
                                 "p99_send_s", "max_send_s")] == \
        [0.009, 0.01, 0.011, 0.0199, 0.02]
    assert summary["delivery_s"] == {"p50": 0.8, "p90": 1.5, "p95": 1.8,
                                     "p99": None, "p100": None}
    assert summary["last_sent_s"] == 1.9
    assert summary["throughput_per_s"] == 200.0
    assert summary["attempts"] == {"1": 400}
    assert (summary["retries"], summary["first_attempt_failed"]) == (0, 260)
    assert summary["checks"] == [{"name": "min_delivered", "ok": False,
                                  "value": 0.35, "limit": 0.9}]
    assert summary["groups"][1] == {
        "senders": 2, "shape": "uniform", "mean_s": 0.02,
        "max_deviation_s": 0.0, "sd_s": None, "file": None,
        "failure_rate": 0.5, "tps": None, "attempts": 100, "sent": 60,
        "failed": 40, "avg_send_s": 0.02}


def test_summary_json_of_a_run_with_retries_and_an_interrupt() -> None:
    summary = summary_json(busy_snapshot())
    assert summary["stopped"] == "interrupt" and summary["interrupted"]
    assert summary["attempts"] == {"0": 5, "1": 300, "2": 37}
    assert (summary["retries"], summary["expired"]) == (37, 5)
    assert summary["max_lag_s"] == 3.5 and summary["speed"] == 100.0
    assert summary["sim_elapsed_s"] == 600.0  # the last result's moment
    assert summary["groups"][0]["tps"] == 12.5
    assert summary["checks"] == []
    assert set(summary["delivery_s"]) == {"p50", "p90", "p95", "p99",
                                          "p100"}
    assert all(v is None for v in summary["delivery_s"].values())


def test_summary_json_of_nothing_has_nulls_not_errors() -> None:
    summary = summary_json(Stats(0, (G1,)).summary(0.0, 0.0))
    for key in ("avg_send_s", "p50_send_s", "p99_send_s", "max_send_s",
                "last_sent_s", "throughput_per_s"):
        assert summary[key] is None
    assert all(v is None for v in summary["delivery_s"].values())
    assert summary["attempts"] == {} and summary["processed"] == 0
    assert json.loads(json.dumps(summary)) == summary
