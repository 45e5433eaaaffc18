"""Throttling: the SMSC's token bucket (``accept=R,burst=B``), a refused
submit's round trip, the client's reactions (pause, requeue, backoff),
the ``throttled`` count, a seed that fixes them at any speed, and bad
input."""
from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sms_sim.model.carriers import Carrier
from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.lines import Lines, Taken
from sms_sim.model.message import generate_messages
from sms_sim.model.result import FAILED, REFUSED, RETRY, SENT, Result
from sms_sim.model.retries import RetryLine
from sms_sim.model.schedule import Schedule
from sms_sim.model.throttle import (BACKOFF, REQUEUE, THROTTLED, Bucket,
                                    Throttle)
from sms_sim.model.validation import ConfigError
from sms_sim.output.json import progress_json
from sms_sim.output.text.run import _counts  # the live fields
from sms_sim.output.text.style import PLAIN
from tests.background import BACKGROUND
from tests.test_cli import usage_error
from tests.test_golden import seeded_figures
from tests.test_schedule import decide_all, fresh_source
from tests.test_simulation import Recorder, run_bounded

ROOT = Path(__file__).resolve().parent.parent
INSTANT = Latency.uniform(0.0, 0.0)


def test_the_bucket_gives_its_burst_then_its_rate() -> None:
    bucket = Bucket(Throttle(10.0, 10))
    assert all(bucket.take(0.0) for _ in range(10))
    assert not bucket.take(0.0) and not bucket.take(0.05)
    assert bucket.take(0.1)  # one token a tenth of a second
    assert not bucket.take(0.1)
    assert all(bucket.take(5.0) for _ in range(10))  # full again, no more
    assert not bucket.take(5.0)


def test_refills_are_exact_in_simulated_time() -> None:
    # A third of a second is no float: a submit at each k/3 s still finds
    # its token, a thousand times over, and one more at once does not.
    bucket = Bucket(Throttle(3.0, 1))
    assert all(bucket.take(k / 3) for k in range(1000))
    assert not bucket.take(999 / 3)


def test_the_burst_is_the_rate_unless_given() -> None:
    assert Throttle(10.0).size == 10.0
    assert Throttle(0.5).size == 1.0
    assert Throttle(10.0, 3).size == 3.0


@pytest.mark.parametrize("make, field", [
    (lambda: Throttle(0.0), "accept"), (lambda: Throttle(math.nan), "accept"),
    (lambda: Throttle(1.0, 0), "burst"),
    (lambda: Throttle(1.0, wait_s=-1.0), "on-throttle"),
    (lambda: Throttle(1.0, wait_s=0.0), "on-throttle"),
    (lambda: Throttle(1.0, reaction=REQUEUE, times=0), "on-throttle"),
    (lambda: Throttle(1.0, reaction="wait"), "on-throttle"),
])
def test_a_throttle_out_of_range_is_refused(make: Callable[[], Throttle],
                                            field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make()
    assert caught.value.field == field


def throttled(count: int, throttle: Throttle, senders: int = 1,
              send: Latency = INSTANT, gateway: Gateway | None = None,
              carriers: tuple[Carrier, ...] = ()) -> list[Result]:
    source = iter(fresh_source(
        generate_messages(random.Random(3), 0, count), 64))
    plan = Schedule((SenderGroup(senders, send, 0.0, throttle=throttle),),
                    gateway or Gateway(), lambda: next(source),
                    carriers=carriers)
    return decide_all(plan, 16)


def test_the_hand_computed_bucket() -> None:
    # 1 connection, sends of 0 s, accept=10,burst=10, pause:1s, 100
    # messages.  At 0 the burst's 10 tokens take messages 0-9; the 11th
    # submit (message 10) finds none: THROTTLED after its round trip of
    # 0 s, and the connection pauses 1 s.  At 1 s the bucket has refilled
    # its 10 tokens (not more: it holds 10), and message 10 goes first;
    # and so on.  Seconds 0 to 9 carry 10 messages each; the submits at 0
    # to 8 s each end with one refusal (at 9 s nothing is left): 9 refused,
    # the blast 9 s long.
    results = throttled(100, Throttle(10.0, 10))
    sent = [r for r in results if r.outcome == SENT]
    refused = [r for r in results if r.cause == THROTTLED]
    assert [r.done_at_s for r in sent] == [float(s // 10)
                                           for s in range(100)]
    assert [r.message.id for r in sent] == list(range(100))
    assert [(r.done_at_s, r.message.id, r.outcome) for r in refused] == [
        (float(s), 10 * (s + 1), REFUSED) for s in range(9)]
    assert all(r.attempts == 1 for r in results)


def test_a_refusal_takes_the_round_trip_of_its_send_or_of_rtt() -> None:
    send = Latency.uniform(0.25, 0.0)
    results = throttled(3, Throttle(0.001, 1), send=send)
    first, refused = results[0], results[1]
    assert (first.outcome, first.done_at_s) == (SENT, 0.25)
    assert (refused.cause, refused.send_s, refused.done_at_s) == (
        THROTTLED, 0.25, 0.5)
    results = throttled(3, Throttle(0.001, 1, Latency.uniform(0.125, 0.0)),
                        send=send)
    assert (results[1].send_s, results[1].done_at_s) == (0.125, 0.375)


def test_requeue_puts_the_message_back_then_fails_it() -> None:
    # One token and never another: message 0 goes; each other message is
    # refused, requeued to be due at once, refused again, and after its
    # second requeue, fails as throttled.
    results = throttled(4, Throttle(0.001, 1, None, REQUEUE, 0.0, 2))
    assert [(r.message.id, r.outcome) for r in results] == [
        (0, SENT), *[(i, outcome) for i in (1, 2, 3)
                     for outcome in (REFUSED, REFUSED, FAILED)]]
    assert all(r.cause == THROTTLED for r in results[1:])


def test_requeue_waits_and_lets_others_by() -> None:
    # Sends of 0.5 s, accept=1,burst=1, requeue:2s: message 1, refused
    # at 0.5 s (the bucket refills at 1 s), is answered at 1 s and due
    # again at 3 s; message 2 takes the token of 1 s first, out of order.
    results = throttled(3, Throttle(1.0, 1, None, REQUEUE, 2.0, 20),
                        send=Latency.uniform(0.5, 0.0))
    sent = [(r.message.id, r.done_at_s) for r in results
            if r.outcome == SENT]
    assert sent == [(0, 0.5), (2, 1.5), (1, 3.5)]


def test_a_refused_message_back_in_a_carriers_line_is_not_lost() -> None:
    # A refused fresh submit waits in the retry line with its attempt
    # still 1.  With carriers, a message taken from the line may go back
    # when a carrier's held message starts first; such a one went back as
    # the next fresh message, over the one already there, which was lost
    # (300 messages hung with 4 left).
    carriers = (Carrier("a", 0.6, cap=50.0), Carrier("b", 0.4))
    results = throttled(300, Throttle(30.0), senders=3,
                        send=Latency.uniform(0.01, 0.0), carriers=carriers)
    ends = [r.message.id for r in results if r.outcome != REFUSED]
    assert sorted(ends) == list(range(300))
    assert sum(r.outcome == REFUSED for r in results) > 0


def test_a_retry_given_back_goes_back_to_the_retries() -> None:
    # Its attempt cannot tell a retry (a throttled submit keeps its
    # attempt 1); where it came from does.
    messages = generate_messages(random.Random(5), 0, 2)
    source = iter([messages[1:], None])
    retries = RetryLine(True)
    retries.push(0.5, messages[0], 1, 0.0)
    line = Lines(lambda: next(source))
    taken = line.take(1.0, retries)
    assert taken is not None and taken.message == messages[0]
    assert taken.retried and taken.attempt == 1
    line.put_back(taken, retries)
    assert retries.count == 1
    assert [line.take(2.0, retries) for _ in range(2)] == [
        Taken(messages[0], 1, 0.0, 2.0, 0.5, True),
        Taken(messages[1], 1, 0.0, 2.0, 0.0)]


def test_backoff_makes_a_refusal_a_failed_attempt() -> None:
    gateway = Gateway(retries=1, backoff=Backoff(0.5, 0.5))
    results = throttled(2, Throttle(0.001, 1, None, BACKOFF), gateway=gateway)
    assert [(r.message.id, r.attempts, r.outcome, r.cause)
            for r in results] == [(0, 1, SENT, None), (1, 1, RETRY, THROTTLED),
                                  (1, 2, FAILED, THROTTLED)]
    assert 0.0 <= results[2].done_at_s - results[1].done_at_s <= 0.5


def test_a_run_counts_throttled_submits_apart_from_attempts() -> None:
    group = SenderGroup(1, INSTANT, 0.0, throttle=Throttle(10.0, 10))
    config = SimulationConfig(100, (group,), seed=1, speed=math.inf)
    snap = run_bounded(config, real=True, sink=Recorder()).snapshot
    assert (snap.sent, snap.throttled, snap.sim_elapsed_s) == (100, 9, 9.0)
    assert snap.attempts == ((1, 100),)  # a refusal is no attempt
    assert sum(g.attempts for g in snap.groups) == 100
    assert "throttled 9" in _counts(snap, PLAIN)
    assert progress_json(snap)["throttled"] == 9
    unthrottled = SimulationConfig(
        10, (SenderGroup(1, INSTANT, 0.0),), seed=1, speed=math.inf)
    plain = run_bounded(unthrottled, real=True).snapshot
    assert plain.throttled is None and "throttled" not in progress_json(
        plain)


# End to end: two routes, one of each reaction, failures and retries, and
# a window of 3 submits on the way (test_windows.py), error classes and a
# retry table (test_errors.py) and receipts: a seed fixes them together.

ARGS = ["600", "0", "--senders",
        "name=a,count=2,mean=0.05,dev=0.02,fail=0.1,accept=10,"
        "errors=queue-full:3%,timeout:2%,rejected:1%,wait-ack=0.5s,window=3",
        "--retry-table", "queue-full=2x1s,timeout=1xbackoff",
        "--receipts", "delivered=90%,none=10%",
        "--senders", "name=b,count=2,mean=0.05,dev=0.02,fail=0.1,accept=10,"
        "burst=3,on-throttle=requeue:2s*5,rtt=uniform:mean=0.02",
        "--retries", "2", "--seed", "4"]


def command(speed: str, log: Path) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *ARGS, "--speed", speed,
            "--json", "--log", str(log)]


def at_speed(speed: str) -> Callable[[Path], list[str]]:
    return lambda folder: command(speed, folder / "log.csv")


SPEEDS = {speed: BACKGROUND.add(at_speed(speed))
          for speed in ("20", "1000", "max")}


def test_throttling_is_the_same_at_any_speed() -> None:
    summary, rows, header = seeded_figures(SPEEDS["max"])
    ends = [summary[name] for name in ("sent", "failed", "expired")]
    assert sum(end for end in ends if isinstance(end, int)) == 600
    throttled = summary["throttled"]
    assert isinstance(throttled, int) and throttled > 0
    assert header.endswith(",receipt,receipt_at_s,error")
    assert {"", "rejected", "timeout"} <= {row.split(",")[-1]
                                           for row in rows}
    assert header.split(",")[3] == "sender"
    for speed in ("20", "1000"):
        assert seeded_figures(SPEEDS[speed]) == (summary, rows, header)
    events = [json.loads(line) for line in
              SPEEDS["20"].result().stdout.splitlines()]
    counts = [event["throttled"] for event in events
              if event["event"] == "progress"]
    assert counts == sorted(counts) and counts[-1] <= throttled


@pytest.mark.parametrize("keys, message", [
    ("accept=0", "accept must be a finite number of submits per second "
     ">= 1e-06, got 0.0"),
    ("accept=10,burst=0", "burst must be an integer from 1 to"),
    ("accept=10,on-throttle=pause:-1s", "on-throttle must be pause:D with "
     "D seconds > 0 and <= 1e9, got -1.0"),
    ("accept=10,on-throttle=requeue:30s*0", "on-throttle must be "
     "requeue:D*N with N from 1 to 1000, got 0"),
    ("accept=10,on-throttle=wait", "on-throttle must be pause:D, "
     "requeue:D*N or backoff"),
    ("burst=3", "burst= needs accept=R"),
])
def test_bad_throttles_are_one_line_and_status_2(
        keys: str, message: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error(["10", "0", "--senders", f"count=1,{keys}"],
                        monkeypatch, capsys)
    assert error.startswith("start.py: error: argument --senders: ")
    assert message in error
