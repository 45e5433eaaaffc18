"""Failures by error class (``errors=``) and the retry table
(``--retry-table``): the classes' share of the fail draw, each class's
retrial, timeouts, counts by class that add up, and bad input."""
from __future__ import annotations

import csv
import json
import math
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.errors import (QUEUE_FULL, REJECTED, SYSTEM, TIMEOUT,
                                  ErrorMix, Retrial, RetryTable)
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.message import generate_messages
from sms_sim.model.result import FAILED, RETRY, SENT, Result
from sms_sim.model.schedule import Schedule
from sms_sim.model.validation import ConfigError
from tests.helpers import run_main
from tests.test_schedule import decide_all, fresh_source
from tests.test_simulation import Recorder, run_bounded

HALF = Latency.uniform(0.5, 0.0)


def test_the_classes_take_the_top_of_the_failure_range() -> None:
    mix = ErrorMix((0.1, 0.2, 0.0, 0.1))  # queue-full, system, -, rejected
    rate = 0.5  # fail=0.1 and the classes' 0.4
    assert mix.of(0.05, rate) is None  # below them: no class
    assert mix.of(0.1, rate) == QUEUE_FULL
    assert mix.of(0.25, rate) == SYSTEM
    assert mix.of(0.4, rate) == REJECTED
    assert mix.of(math.nextafter(rate, 0.0), rate) == REJECTED


@pytest.mark.parametrize("make", [
    lambda: ErrorMix((1.2, 0.0, 0.0, 0.0)),
    lambda: ErrorMix((0.6, 0.6, 0.0, 0.0)),
    lambda: ErrorMix((0.1, 0.0, 0.0, 0.0), wait_ack_s=0.0),
    lambda: Retrial(-1), lambda: Retrial(2, -5.0),
    lambda: RetryTable((("lost", Retrial(1)),)),
    lambda: RetryTable(((REJECTED, Retrial(1)),)),
    lambda: SenderGroup(1, HALF, 0.5, errors=ErrorMix((0.6, 0, 0, 0))),
])
def test_bad_classes_and_tables_are_refused(
        make: Callable[[], object]) -> None:
    with pytest.raises(ConfigError):
        make()


def classed(count: int, mix: ErrorMix, table: RetryTable = RetryTable(),
            retries: int = 0, failure_rate: float = 0.0) -> list[Result]:
    source = iter(fresh_source(
        generate_messages(random.Random(8), 0, count), 64))
    plan = Schedule((SenderGroup(1, HALF, failure_rate, errors=mix),),
                    Gateway(retries=retries, retry_table=table),
                    lambda: next(source))
    return decide_all(plan, 8)


def test_queue_full_is_retried_by_its_table_then_fails() -> None:
    # errors=queue-full:100%, queue-full=2x180s, sends of 0.5 s: one
    # message makes 3 attempts, at 0, 180 + 0.5 and 360 + 2 * 0.5, each
    # failing as queue-full, and then fails for good as queue-full.
    results = classed(1, ErrorMix((1.0, 0.0, 0.0, 0.0)),
                      RetryTable(((QUEUE_FULL, Retrial(2, 180.0)),)))
    assert [(r.attempts, r.done_at_s - 0.5, r.outcome, r.cause)
            for r in results] == [(1, 0.0, RETRY, QUEUE_FULL),
                                  (2, 180.5, RETRY, QUEUE_FULL),
                                  (3, 361.0, FAILED, QUEUE_FULL)]


def test_jasmins_table_is_the_default() -> None:
    results = classed(1, ErrorMix((0.0, 1.0, 0.0, 0.0)))  # system
    assert [r.done_at_s for r in results] == [0.5, 31.0, 61.5]
    assert results[-1].outcome == FAILED


def test_a_rejection_is_never_retried_and_a_timeout_waits() -> None:
    rejected = classed(3, ErrorMix((0.0, 0.0, 0.0, 1.0)), retries=5)
    assert [(r.attempts, r.outcome, r.cause) for r in rejected] == [
        (1, FAILED, REJECTED)] * 3
    timed_out = classed(1, ErrorMix((0.0, 0.0, 1.0, 0.0), wait_ack_s=7.0),
                        RetryTable(((TIMEOUT, Retrial(1, 3.0)),)))
    assert [(r.send_s, r.done_at_s, r.cause) for r in timed_out] == [
        (7.0, 7.0, TIMEOUT), (7.0, 17.0, TIMEOUT)]


def test_classes_leave_the_failures_without_one_as_they_were() -> None:
    plain = classed(300, ErrorMix((0.0, 0.0, 0.0, 0.0)), retries=2,
                    failure_rate=0.3)
    source = iter(fresh_source(
        generate_messages(random.Random(8), 0, 300), 64))
    unclassed = decide_all(Schedule(
        (SenderGroup(1, HALF, 0.3),), Gateway(retries=2),
        lambda: next(source)), 8)
    assert plain == unclassed


def test_counts_by_class_add_up() -> None:
    mix = ErrorMix((0.05, 0.05, 0.02, 0.03), wait_ack_s=1.0)
    group = SenderGroup(4, Latency.uniform(0.05, 0.02), 0.05, errors=mix)
    config = SimulationConfig(
        3000, (group,), seed=2, speed=math.inf, gateway=Gateway(
            retries=1, retry_table=RetryTable(((QUEUE_FULL,
                                                Retrial(1, 2.0)),))))
    sink = Recorder()
    snap = run_bounded(config, real=True, sink=sink).snapshot
    attempts = Counter(r.cause for r in sink.results)
    lost = Counter(r.cause for r in sink.results if r.outcome == FAILED)
    assert {e.name: (e.attempts, e.failed) for e in snap.errors} == {
        name: (attempts[name], lost[name])
        for name in (QUEUE_FULL, SYSTEM, TIMEOUT, REJECTED)}
    assert all(e.attempts for e in snap.errors)
    assert sum(lost.values()) == snap.failed
    assert sum(attempts.values()) == sum(g.attempts for g in snap.groups)
    assert snap.sent == sum(r.outcome == SENT for r in sink.results)


def test_the_log_and_json_name_each_class(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    status, out, err = run_main(
        "400", "0", "--senders", "count=2,mean=0.01,errors=queue-full:10%,"
        "rejected:5%,wait-ack=2s", "--retry-table", "queue-full=1x1s",
        "--speed", "max", "--seed", "3", "--json", "--log", str(log))
    assert status == 0, err
    summary = json.loads(out.splitlines()[-1])
    with log.open() as file:
        rows = list(csv.DictReader(file))
    ended = Counter(row["error"] for row in rows if row["outcome"] == FAILED)
    assert {name: counts["failed"] for name, counts
            in summary["errors"].items() if counts["failed"]} == dict(ended)
    assert summary["failed"] == sum(ended.values()) > 0


@pytest.mark.parametrize("argv, message", [
    (["--senders", "count=1,mean=0.01,errors=system:120%"],
     "system must be from 0% to 100%, got '120%'"),
    (["--senders", "count=1,mean=0.01,errors=lost:1%"],
     "unknown error class 'lost:1%'"),
    (["--senders", "count=1,mean=0.01,fail=0.5,errors=system:60%"],
     "errors must be shares adding up, with fail=, to at most 100%"),
    (["--retry-table", "queue-full=2"], "queue-full must be COUNTxDELAY"),
    (["--retry-table", "lost=2x1s"], "unknown error class 'lost=2x1s'"),
    (["--retry-table", "rejected=1x5s"], "a rejection is never retried"),
    (["--retry-table", "queue-full=2x1s"], "--retry-table: no group has "
     "error classes (errors=) for it to retry; --retries retries fail="),
])
def test_bad_error_classes_are_one_line_and_status_2(
        argv: list[str], message: str) -> None:
    status, out, err = run_main("10", *argv)
    assert (status, out) == (2, "")
    *usage, error = err.splitlines()
    assert usage[0].startswith("usage: start.py ")
    assert error.startswith("start.py: error: argument --")
    assert message in error
