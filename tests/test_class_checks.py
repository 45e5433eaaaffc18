"""Checks of one ``--traffic`` class (issue 26): ``--min-delivered
alert:0.95@5m`` is the share of the class's messages sent within 5 minutes
of each one's arrival, counted exactly, as the class's other figures are
measured from arrival."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sms_sim.cli import main as cli
from sms_sim.cli.options import parse_options
from sms_sim.cli.parser import build_parser
from sms_sim.cli.status import ExitStatus
from sms_sim.measure.checks import Goal, of_class
from sms_sim.measure.summary import Checkpoint, ClassCounts, Summary
from sms_sim.output.environment import Environment
from sms_sim.output.json import summary_json

ROOT = Path(__file__).resolve().parent.parent
HAND = ["0", "1", "1", "0", "0", "--traffic",
        "name=bulk,count=10,priority=3", "--traffic",
        "name=alert,count=3,at=2.5,priority=0", "--speed", "max",
        "--seed", "1"]
"""The issue's hand-computed case: one sender of 1 s sends that never
fail; the alert, in at 2.5, is sent at 4, 5 and 6 s: 1.5, 2.5 and 3.5 s
after its arrival.  Bulk's ends at 1, 2, 3 and 7 to 13 s."""


def program(*argv: str) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        status: object = cli.main(list(argv), env=Environment(out, err))
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


def snapshot(*classes: ClassCounts) -> Summary:
    return Summary(total=sum(k.messages for k in classes), elapsed_s=1.0,
                   sim_elapsed_s=1.0, groups=(), classes=classes)


def test_a_class_check_is_a_share_of_its_own_messages() -> None:
    """Of 10 alert messages, 8 sent, 6 within 5 s of arrival, 7 reached
    within it, 4 confirmed; the other class's figures count for nothing."""
    within = (Checkpoint(5.0, 6, 7, 4),)
    snap = snapshot(ClassCounts("bulk", 90, 90, 0, 90, 0),
                    ClassCounts("alert", 10, 10, 8, 2, 0, reached=8,
                                confirmed=5, within=within))
    sent = of_class("min_delivered", snap, Goal(0.8, None, "alert"))
    assert (sent.ok, sent.value, sent.klass) == (True, 0.8, "alert")
    early = of_class("min_delivered", snap, Goal(0.61, 5.0, "alert"))
    assert (early.ok, early.value) == (False, 0.6)
    assert early.describe() == (
        "check min_delivered FAILED: 60.00% of alert's messages were sent "
        "within 5 s of arrival, below the 61% required (short by 1.00 "
        "percentage points)")
    reached = of_class("min_reached", snap, Goal(0.7, 5.0, "alert"))
    assert (reached.ok, reached.value) == (True, 0.7)
    assert reached.describe() == (
        "check min_reached passed: 70.00% of alert's messages reached "
        "within 5 s of arrival (limit 70%)")
    confirmed = of_class("min_confirmed", snap, Goal(0.5, None, "alert"))
    assert (confirmed.ok, confirmed.value) == (True, 0.5)
    assert summary_json(snap, [early])["checks"] == [
        {"name": "min_delivered", "ok": False, "value": 0.6,
         "limit": 0.61, "class": "alert"}]


def test_the_hand_case_counts_from_arrival_to_the_boundary() -> None:
    """The alert's sends end 1.5, 2.5 and 3.5 s after it arrived: all of
    them within 3.5 s (a send ending on the limit counts), two within 3 s;
    bulk's 10 all by 13 s from 0."""
    status, out, err = program(
        *HAND, "--json", "--min-delivered", "alert:1@3.5")
    assert (status, err) == (ExitStatus.OK, "")
    summary = json.loads(out.splitlines()[-1])
    assert summary["checks"] == [{"name": "min_delivered", "ok": True,
                                  "value": 1.0, "limit": 1.0,
                                  "class": "alert"}]
    status, out, _ = program(*HAND, "--min-delivered", "alert:0.7@3")
    assert status == ExitStatus.CHECK_FAILED
    assert ("check min_delivered FAILED: 66.67% of alert's messages were "
            "sent within 3 s of arrival, below the 70% required") in out
    status, out, _ = program(*HAND, "--min-delivered", "bulk:1@13")
    assert status == ExitStatus.OK
    assert "check min_delivered passed: 100.00% of bulk's messages sent " \
        "within 13 s of arrival (limit 100%)" in out


@pytest.mark.parametrize("seed", [2, 3])
def test_a_class_check_is_what_the_log_counts(seed: int,
                                              tmp_path: Path) -> None:
    """A stream and a batch with failures, retries and a carrier: each
    check's share is that of the log's rows of the class, by hand."""
    log = tmp_path / "log.csv"
    status, out, err = program(
        "0", "3", "0.1", "0.05", "0.2", "--retries", "1", "--backoff",
        "0.5", "--carrier-delay", "exponential:mean=2", "--traffic",
        "name=r,rate=20/s,for=30s", "--traffic",
        "name=alert,count=200,at=10,priority=0", "--seed", str(seed),
        "--speed", "max", "--json", "--log", str(log),
        "--min-delivered", "alert:0.5@6s", "--min-reached", "r:0.5@4")
    assert status in (ExitStatus.OK, ExitStatus.CHECK_FAILED), err
    checks = json.loads(out.splitlines()[-1])["checks"]
    with open(log, newline="") as file:
        rows = list(csv.DictReader(file))
    assert status == (ExitStatus.OK if all(c["ok"] for c in checks)
                      else ExitStatus.CHECK_FAILED)

    def share(klass: str, column: str, within_s: float) -> float:
        mine = [row for row in rows if row["class"] == klass]
        return sum(bool(row["outcome"] == "sent" and float(row[column])
                        - float(row["arrived_at_s"]) <= within_s)
                   for row in mine) / len(mine)

    # The log keeps 9 digits; no message ends within them of the limit.
    assert checks[0]["value"] == share("alert", "delivered_at_s", 6.0)
    assert checks[1]["value"] == share("r", "reached_at_s", 4.0)
    assert 0 < checks[0]["value"] < 1 and 0 < checks[1]["value"] < 1


@pytest.mark.parametrize("args, says", [
    (["--traffic", "name=bulk,count=2", "--min-delivered", "alrt:0.9"],
     "argument --min-delivered: no class 'alrt'; the classes are bulk"),
    (["7", "--traffic", "name=r,count=2", "--min-delivered", "x:0.9"],
     "no class 'x'; the classes are default, r"),
    (["--min-delivered", "alert:0.9"],
     "no class 'alert'; there are none without --traffic"),
    (["--traffic", "name=a,count=2", "--carrier-delay", "exponential:mean=1",
      "--min-reached", "b:0.9@1m"],
     "argument --min-reached: no class 'b'; the classes are a"),
])
def test_a_check_of_an_unknown_class_is_refused_before_the_run(
        args: list[str], says: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["start.py"])

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the run started")

    monkeypatch.setattr("sms_sim.run.simulation.run", never)
    status, out, err = program(*args)
    assert (status, out) == (ExitStatus.USAGE, "")
    assert err.startswith("usage: start.py ")
    assert err.endswith(f"{says}\n") and err.count("error:") == 1


def test_a_class_check_names_its_class_in_any_case() -> None:
    """As ``--sweep`` does: ``alert`` is the class ``Alert``, and the
    check says it as the class was named."""
    parsed = parse_options(build_parser("start.py"), [
        "--traffic", "name=Alert,count=2", "--min-delivered", "alert:0.9",
        "--target", "ALERT:0.5@1m", "--solve", "senders"])
    assert parsed.min_delivered == Goal(0.9, None, "Alert")
    assert parsed.target is not None and parsed.target.klass == "Alert"


def test_a_failed_class_check_exits_3_end_to_end() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "start.py"), *HAND, "--json",
         "--min-delivered", "alert:1@3"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == ExitStatus.CHECK_FAILED, done.stderr
    check = json.loads(done.stdout.splitlines()[-1])["checks"][0]
    assert check["value"] == pytest.approx(2 / 3) and not check["ok"]
