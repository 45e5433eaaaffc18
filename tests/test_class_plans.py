"""Plans per ``--traffic`` class (issue 26): ``--target alert:0.95@5m
--solve senders`` finds the least senders that send 95% of the class's
messages each within 5 minutes of its arrival."""
from __future__ import annotations

import io
import json

import pytest

from sms_sim.cli import main as cli
from sms_sim.cli import plan_specs
from sms_sim.cli.status import ExitStatus
from sms_sim.measure.progress import GroupCounts
from sms_sim.measure.summary import Checkpoint, ClassCounts, Summary
from sms_sim.model.config import SenderGroup
from sms_sim.output.environment import Environment
from sms_sim.plan.target import Target
from tests.helpers import run_main

HAND = ["0", "1", "1", "0", "0", "--traffic",
        "name=bulk,count=10,priority=3", "--traffic",
        "name=alert,count=3,at=2.5,priority=0", "--seed", "1"]
"""The issue's hand case on 1 s sends: bulk 10 at 0, the alert's 3 at
2.5 s, more urgent."""


def program(*argv: str) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        status: object = cli.main(list(argv), env=Environment(out, err))
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("text, target", [
    ("0.95@20m", Target(0.95, 1200.0)),
    ("alert:0.95@5m", Target(0.95, 300.0, "alert")),
])
def test_a_target_may_name_a_class(text: str, target: Target) -> None:
    assert plan_specs.target(text) == target


def test_a_class_target_counts_its_messages_within_the_time() -> None:
    alert = ClassCounts("alert", 10, 10, 9, 1, 0, within=(
        Checkpoint(60.0, 8, 7, 0),))
    sent = GroupCounts(SenderGroup.uniform(1, 0.1, 0.0, 0.1), 110, 109, 1,
                       11.0)  # every message has its outcome
    snap = Summary(total=110, elapsed_s=1.0, sim_elapsed_s=1.0,
                   groups=(sent,),
                   classes=(ClassCounts("bulk", 100, 100, 100, 0, 0), alert))
    target = Target(0.8, 60.0, "alert")
    assert (target.count(snap), target.share_of(snap)) == (8, 0.8)
    assert target.met(snap) and not Target(0.81, 60.0, "alert").met(snap)
    assert target.mark is None  # a time from arrival, not a moment


def test_the_least_senders_for_a_class_target(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """All the alert within 2 s of its arrival: 1 sender sends it 1.5,
    2.5 and 3.5 s after; 2, both busy with bulk until 3 s, 1.5, 1.5 and
    2.5 s after; 3 senders, free at 3 s, all three 1.5 s after."""
    monkeypatch.setattr("sys.argv", ["start.py"])
    status, out, err = program(*HAND, "--target", "alert:1@2", "--solve",
                               "senders", "--json", "--jobs", "1")
    assert status == ExitStatus.OK, err
    lines = [json.loads(line) for line in out.splitlines()]
    (found,) = [line for line in lines if line.get("event") == "target"]
    assert (found["value"], found["class"], found["met"]) == (
        3, "alert", True)
    status, out, _ = program(*HAND, "--target", "alert:1@2", "--solve",
                             "senders", "--jobs", "1")
    assert "answer: senders 3 is the least that delivers 100% of alert " \
        "within 2.0s of arrival" in out


def test_a_target_of_an_unknown_class_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["start.py"])
    status, out, err = program(*HAND, "--target", "alrt:1@2", "--solve",
                               "senders")
    assert (status, out) == (ExitStatus.USAGE, "")
    assert err.endswith("argument --target: no class 'alrt'; the classes "
                        "are bulk, alert\n")


def test_replications_give_each_classs_p95_from_arrival(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each run of the hand case sends the alert 1.5, 2.5 and 3.5 s after
    it arrived (its p95: 3.5 s), and bulk's last 13 s after 0: every
    replication alike, as the sends are fixed."""
    monkeypatch.setattr("sys.argv", ["start.py"])
    status, out, err = program(*HAND, "--runs", "2", "--jobs", "1")
    assert status == ExitStatus.OK, err
    rows = {line.split()[0]: line.split()[4:] for line in out.splitlines()
            if "p95 after arrival" in line}
    # mean, 95% interval, min, max
    assert rows == {"bulk": ["13.0s", "13.0s", "-", "13.0s", "13.0s",
                             "13.0s"],
                    "alert": ["3.5s", "3.5s", "-", "3.5s", "3.5s", "3.5s"]}
    status, out, err = program(*HAND, "--runs", "2", "--jobs", "1",
                               "--json")
    assert status == ExitStatus.OK, err
    (line,) = [line for line in map(json.loads, out.splitlines())
               if line.get("event") == "replications"]
    figures = line["classes"]
    assert list(figures) == ["bulk", "alert"]
    assert figures["alert"]["p95_after_s"]["mean"] == pytest.approx(3.5)
    assert figures["bulk"]["p95_after_s"]["max"] == pytest.approx(13.0)


SWEPT = ["0", "4", "0.1", "0", "0", "--traffic", "name=bulk,count=100",
         "--traffic", "name=Routine,rate=5/s,for=10s,validity=4s",
         "--seed", "1", "--speed", "max", "--json"]
"""A batch and a stream with a validity: the fields --sweep sets."""


def swept(*sweep: str) -> list[dict[str, object]]:
    status, out, err = run_main(*SWEPT, "--sweep", *sweep)
    assert status == ExitStatus.OK, err
    return [event for event in map(json.loads, out.splitlines())
            if event["event"] == "sweep"]


def test_a_sweep_sets_a_classs_fields() -> None:
    # The stream's rate: its expected messages, 10 s of it (a Poisson
    # count, so about); the class named in any case.
    totals = [line["total"] for line in swept("routine.rate=2,20")]
    assert isinstance(totals[0], int) and isinstance(totals[1], int)
    assert 100 + 10 < totals[0] < 100 + 40 < 100 + 150 < totals[1]
    # A validity shorter than the line's wait expires more of it.
    expired = [line["expired"] for line in swept(
        "routine.validity=0.5,1m")]
    assert isinstance(expired[0], int) and expired[0] > 0 == expired[1]
    # A batch's arrival, from 0 (shown as 0s) on.
    lines = swept("bulk.at=0,30")
    assert [line["value"] for line in lines] == [0.0, 30.0]
    assert lines[0]["sim_elapsed_s"] != lines[1]["sim_elapsed_s"]


@pytest.mark.parametrize("sweep, says", [
    ("bulk.rate=1,2", "class 'bulk' is a batch (count=N): it has no rate="),
    ("routine.at=1,2", "class 'Routine' is a stream (rate=R,for=D): it "
     "has no at="),
    ("nope.weight=1,2", "--traffic must be the name of one of its classes, "
     "in any case (classes: bulk, Routine), got 'nope'"),
    ("bulk.weight=0,1", "weight must be a finite number > 0"),
])
def test_a_classs_field_swept_wrong_is_one_line(sweep: str,
                                                says: str) -> None:
    status, _, err = run_main(*SWEPT, "--sweep", sweep)
    assert status == ExitStatus.USAGE
    assert err.splitlines()[-1].startswith("start.py: error: argument "
                                           "--sweep: ")
    assert says in err.splitlines()[-1]
