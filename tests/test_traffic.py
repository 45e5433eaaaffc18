"""Traffic over time (``--traffic``): classes' arrivals, the line they
take, what each class's messages became, and the command line."""
from __future__ import annotations

import csv
import math
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from sms_sim.model.config import MAX_MESSAGES, SenderGroup, SimulationConfig
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.result import EXPIRED, RETRY, SENT, Result
from sms_sim.model.traffic import (EVEN, STRICT, WEIGHTED, Arrived,
                                   Traffic, TrafficClass)
from sms_sim.model.validation import ConfigError
from sms_sim.run.stop import StopEvent
from tests.background import BACKGROUND, Job
from tests.helpers import run_main, usage_error
from tests.test_golden import seeded_figures
from tests.test_simulation import Interrupter, Recorder, run_bounded

ROOT = Path(__file__).resolve().parent.parent
ONE_SECOND = SenderGroup.uniform(1, 1.0, 0.0, 0.0)
"""One sender whose every send takes 1 s and succeeds."""


def traffic_run(classes: Sequence[TrafficClass], *groups: SenderGroup,
                num_messages: int = 0, gateway: Gateway | None = None,
                seed: int = 1, priority: str = STRICT
                ) -> tuple[Recorder, SimulationConfig]:
    """A whole run of ``classes`` at full speed, every result recorded."""
    cfg = SimulationConfig(num_messages, groups or (ONE_SECOND,), seed=seed,
                           speed=math.inf, gateway=gateway or Gateway(),
                           traffic=tuple(classes), priority=priority)
    sink = Recorder()
    run_bounded(cfg, sink=sink)
    return sink, cfg


def starts(results: Sequence[Result]) -> dict[int, float]:
    """Each message's first attempt's start, by id."""
    return {r.message.id: r.done_at_s - r.send_s for r in results
            if r.attempts == 1 and r.send_s is not None}


# Arrivals


def test_a_batch_arrives_at_once_and_an_even_stream_every_gap() -> None:
    batch = TrafficClass("b", count=3, at_s=2.5)
    even = TrafficClass("e", rate_per_s=2000 / 3600, for_s=3600,
                        arrivals=EVEN)
    rng = random.Random(0)
    assert list(batch.times(rng)) == [2.5, 2.5, 2.5]
    times = list(even.times(rng))
    assert len(times) == 2000  # 2000/h for an hour, float product or not
    assert times[:2] == [0.0, pytest.approx(1.8)]
    assert times[-1] == pytest.approx(3598.2)


def test_a_poisson_stream_is_fixed_by_the_seed_and_has_its_rate() -> None:
    stream = TrafficClass("r", rate_per_s=1000, for_s=100, from_s=50)
    traffic = Traffic.of((stream,), seed=3)
    again = Traffic.of((stream,), seed=3)
    other = Traffic.of((stream,), seed=4)
    count = traffic.counts[0]
    assert again.counts == traffic.counts != other.counts
    # Poisson: mean 100,000, standard deviation 316; 5 of them.
    assert abs(count - 100_000) < 5 * math.sqrt(100_000)
    moments = [at_s for at_s, _ in traffic.arrivals()]
    assert len(moments) == count
    assert 50 < moments[0] and moments[-1] < 150
    assert moments == sorted(moments)
    gaps = [b - a for a, b in zip(moments, moments[1:])]
    mean = sum(gaps) / len(gaps)
    # Exponential gaps: their mean 1 ms within 5 standard errors, and
    # their spread as large as their mean (a coefficient of variation 1).
    assert abs(mean - 0.001) < 5 * 0.001 / math.sqrt(len(gaps))
    sd = math.sqrt(sum((gap - mean) ** 2 for gap in gaps) / len(gaps))
    assert sd / mean == pytest.approx(1.0, abs=0.02)


def test_arrivals_merge_in_order_of_moment_then_class() -> None:
    traffic = Traffic.of((
        TrafficClass("late", count=2, at_s=1.0),
        TrafficClass("even", rate_per_s=1, for_s=3, arrivals=EVEN),
        TrafficClass("early", count=1, at_s=0.0)), seed=1)
    assert list(traffic.arrivals()) == [
        (0.0, 1), (0.0, 2), (1.0, 0), (1.0, 0), (1.0, 1), (2.0, 1)]
    assert traffic.arrived_by(0.5) == (0, 1, 1)
    assert traffic.arrived_by(1.0) == (2, 2, 1)
    assert traffic.total == 6


def test_arrivals_by_a_moment_are_those_the_producer_makes() -> None:
    """Counted as a walk over every arrival would count them, at moments
    that fall on arrivals and between them, for each kind of class; an
    even stream's and a batch's without making them."""
    traffic = Traffic.of((
        TrafficClass("even", rate_per_s=3, for_s=7, from_s=0.1,
                     arrivals=EVEN),  # gaps of 1/3: roundings to meet
        TrafficClass("poisson", rate_per_s=20, for_s=5),
        TrafficClass("batch", count=4, at_s=2.0)), seed=3)
    every = list(traffic.arrivals())
    moments = sorted({at for at, _ in every} | {0.0, 2.05, 4.5, 9.0})
    arrived = Arrived(traffic)
    for at_s in moments:
        walked = [sum(1 for t, i in every if i == index and t <= at_s)
                  for index in range(3)]
        assert arrived.by(at_s) == walked
        assert traffic.arrived_by(at_s) == tuple(walked)


def test_a_batch_of_a_trillion_is_counted_at_once() -> None:
    """One by one it would take hours: the monitor counts arrivals at
    each report, and its wait must stay short for an interrupt."""
    huge = Traffic((TrafficClass("b", count=10 ** 12, at_s=5.0),), 1,
                   (10 ** 12,))
    arrived = Arrived(huge)
    assert arrived.by(4.9) == [0] and arrived.by(5.0) == [10 ** 12]
    even = TrafficClass("r", rate_per_s=1000, for_s=1e9, arrivals=EVEN)
    assert even.even_by(1e8) == 10 ** 11 + 1
    small = TrafficClass("s", rate_per_s=3, for_s=7, arrivals=EVEN)
    assert small.even_by(math.inf) == small.even_by(7.0) == \
        len(list(small.times(random.Random())))


def test_a_classs_arrivals_are_its_own_whatever_the_others() -> None:
    stream = TrafficClass("r", rate_per_s=5, for_s=10)
    alone = Traffic.of((stream,), seed=9)
    beside = Traffic.of((stream, TrafficClass("s", rate_per_s=7, for_s=10)),
                        seed=9)
    assert [at for at, index in beside.arrivals() if index == 0] == \
        [at for at, _ in alone.arrivals()]


def test_arrivals_are_made_lazily() -> None:
    """A stream of a trillion messages: its first arrivals come at once,
    which they could not if they were made ahead."""
    huge = TrafficClass("r", rate_per_s=1000, for_s=1e9, arrivals=EVEN)
    traffic = Traffic((huge,), 1, (10 ** 12,))
    assert [at for at, _ in islice(traffic.arrivals(), 3)] == \
        [0.0, 0.001, 0.002]


@pytest.mark.parametrize("fields, field", [
    ({"rate_per_s": 0.0, "for_s": 1.0}, "rate"),
    ({"rate_per_s": 1.0, "for_s": 0.0}, "for"),
    ({"rate_per_s": 1.0}, "for"),
    ({"count": 3, "at_s": 2e9}, "at"),
    ({"rate_per_s": 1.0, "for_s": 1.0, "from_s": -1.0}, "from"),
    ({"count": -1}, "count"),
    ({}, "count"),
    ({"count": 1, "rate_per_s": 1.0, "for_s": 1.0}, "count"),
])
def test_a_bad_class_is_refused_naming_its_field(
        fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as error:
        TrafficClass("x", **fields)
    assert error.value.field == field


def test_classes_need_names_of_their_own_and_at_most_a_trillion() -> None:
    def config(*classes: TrafficClass, num_messages: int = 0
               ) -> SimulationConfig:
        return SimulationConfig(num_messages, (ONE_SECOND,),
                                traffic=classes)

    with pytest.raises(ConfigError, match="distinct names"):
        config(TrafficClass("a", count=1), TrafficClass("a", count=2))
    with pytest.raises(ConfigError, match=r"distinct names, in any case "
                       r"\('default' is num_messages' class\)"):
        config(TrafficClass("Default", count=1), num_messages=5)
    config(TrafficClass("default", count=1))  # no default class: fine
    with pytest.raises(ConfigError, match="at most 1,000,000,000,000"):
        config(TrafficClass("r", rate_per_s=1e9, for_s=1001))
    assert 1e9 * 1000 <= MAX_MESSAGES


# The line


def test_a_batch_mid_run_waits_its_turn_in_order_of_arrival() -> None:
    """Without priorities, the line is first come, first served: bulk 10
    at 0 on one sender of 1 s sends, and an alert of 3 at 2.5, which
    waits until the bulk is out (10, 11, 12)."""
    sink, _ = traffic_run([TrafficClass("bulk", count=10),
                           TrafficClass("alert", count=3, at_s=2.5)])
    by_class: dict[int, list[float]] = {0: [], 1: []}
    for result in sorted(sink.results, key=lambda r: r.done_at_s):
        by_class[result.message.class_index].append(
            result.done_at_s - 1.0)
    assert by_class == {0: [float(k) for k in range(10)],
                        1: [10.0, 11.0, 12.0]}


def first_starts(sink: Recorder) -> dict[str, list[float]]:
    """Each class's starts, in order, by class name (bulk, alert)."""
    by_class: dict[str, list[float]] = {"bulk": [], "alert": []}
    for result in sorted(sink.results, key=lambda r: r.done_at_s):
        name = ("bulk", "alert")[result.message.class_index]
        by_class[name].append(result.done_at_s - 1.0)
    return by_class


HAND = [TrafficClass("bulk", count=10, priority=3),
        TrafficClass("alert", count=3, at_s=2.5, priority=0)]
"""The issue's case: fixed sends of 1 s on 1 sender, a bulk batch of 10
at 0 (priority 3), an alert of 3 at 2.5 (priority 0)."""


def test_strict_priority_the_issues_hand_computed_case() -> None:
    """The alert goes as soon as the send in progress at 2.5 ends: 3, 4
    and 5; bulk's first three run 0-3, the rest 6-13."""
    sink, _ = traffic_run(HAND)
    assert first_starts(sink) == {
        "bulk": [0.0, 1.0, 2.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0],
        "alert": [3.0, 4.0, 5.0]}


def test_each_class_has_its_times_from_arrival() -> None:
    """The hand case's figures: the alert, in at 2.5 and sent at 4, 5
    and 6, took 1.5, 2.5 and 3.5 s from arrival (mean 2.5), of which it
    waited 0.5, 1.5 and 2.5 s; bulk's sends end at 1, 2, 3, 7, ..., 13
    (mean 7.6), each after waiting 1 s less."""
    _, cfg = traffic_run(HAND)
    snap = run_bounded(cfg).snapshot
    bulk, alert = snap.classes
    assert alert.after is not None and alert.waiting is not None
    # Means to the nanosecond, maxima exact.
    assert alert.after.mean_s == pytest.approx(2.5, abs=1e-9)
    assert alert.waiting.mean_s == pytest.approx(1.5, abs=1e-9)
    assert (alert.after.max_s, alert.waiting.max_s) == (3.5, 2.5)
    assert alert.after.p50_s == pytest.approx(2.5, rel=0.005)
    assert bulk.after is not None and bulk.waiting is not None
    assert bulk.after.mean_s == pytest.approx(7.6)
    assert bulk.waiting.mean_s == pytest.approx(6.6)
    assert bulk.after.p95_s == bulk.after.max_s == 13.0
    assert bulk.after.p50_s == pytest.approx(8.0, rel=0.005)  # the 5th


def test_weighted_priority_with_equal_weights_by_hand() -> None:
    """Equal weights: bulk has had 3 sends when the alert arrives, and
    the alert starts level with it (3), not with the credit of its idle
    time.  Then the two take turns: at 3 both would reach 4, a tie the
    more urgent alert wins; bulk at 4 (4 against the alert's 5); the
    alert at 5 (a tie again); bulk at 6; the alert's last at 7; bulk's
    rest at 8 to 12."""
    sink, _ = traffic_run(HAND, priority=WEIGHTED)
    assert first_starts(sink) == {
        "bulk": [0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 9.0, 10.0, 11.0, 12.0],
        "alert": [3.0, 5.0, 7.0]}


def test_weights_share_the_senders_in_proportion() -> None:
    """Two backlogs weighted 3 to 1 on one sender: of every 4 sends, 3
    are the first's, whatever their priorities."""
    sink, _ = traffic_run([
        TrafficClass("bulk", count=400, priority=0, weight=3),
        TrafficClass("alert", count=400, priority=9)], priority=WEIGHTED)
    order = [r.message.class_index
             for r in sorted(sink.results, key=lambda r: r.done_at_s)]
    for k in range(1, 101):
        assert order[:4 * k].count(0) == 3 * k


def test_retries_keep_their_class_under_priority() -> None:
    """Half the sends fail and are retried: an urgent stream's retries
    still go before the bulk's fresh messages, and every message's
    attempts keep its class."""
    flaky = SenderGroup.uniform(1, 0.1, 0.0, 0.5)
    sink, cfg = traffic_run(
        [TrafficClass("bulk", count=200, priority=5),
         TrafficClass("alert", rate_per_s=2, for_s=20, from_s=1,
                      arrivals=EVEN, priority=0)], flaky,
        gateway=Gateway(retries=3, backoff=Backoff(0.05, 0.05)))
    by_id: dict[int, int] = {}
    for result in sink.results:
        assert by_id.setdefault(result.message.id,
                                result.message.class_index) == \
            result.message.class_index
    alert_starts = [r.done_at_s - (r.send_s or 0.0) for r in sink.results
                    if r.message.class_index == 1 and r.send_s is not None]
    # An alert, or its retry, waits at most for the send in progress (0.1
    # s) and the alert or retry before it: it never waits for bulk.
    for result in sink.results:
        if result.message.class_index == 1 and result.send_s is not None:
            start = result.done_at_s - result.send_s
            assert start - result.message.arrived_s < 40 * 0.1
    assert len(alert_starts) > 40


def test_a_sender_waits_for_what_arrives() -> None:
    """Sends of 0.5 s, a message every second: each starts as it
    arrives; a batch at 100 starts at 100, the sender idle before."""
    half = SenderGroup.uniform(1, 0.5, 0.0, 0.0)
    sink, _ = traffic_run([
        TrafficClass("even", rate_per_s=1, for_s=5, from_s=0.25,
                     arrivals=EVEN),
        TrafficClass("later", count=2, at_s=100)], half)
    got = sorted((r.message.arrived_s, start)
                 for r in sink.results
                 for start in [r.done_at_s - (r.send_s or 0.0)])
    assert got == [(0.25, 0.25), (1.25, 1.25), (2.25, 2.25), (3.25, 3.25),
                   (4.25, 4.25), (100.0, 100.0), (100.0, 100.5)]


def test_nothing_is_lost_per_class_with_retries_and_a_deadline() -> None:
    groups = (SenderGroup.uniform(3, 0.05, 0.04, 0.4),)
    gateway = Gateway(retries=2, backoff=Backoff(0.1, 0.4), deadline_s=1.0)
    classes = [TrafficClass("bulk", count=300),
               TrafficClass("r", rate_per_s=40, for_s=30),
               TrafficClass("alert", count=50, at_s=8)]
    sink, cfg = traffic_run(classes, *groups, num_messages=100,
                            gateway=gateway, seed=11)
    snap = run_bounded(cfg).snapshot
    assert [k.name for k in snap.classes] == ["default", "bulk", "r",
                                              "alert"]
    for klass in snap.classes:
        assert klass.arrived == klass.messages and klass.unsent == 0
        assert klass.sent + klass.failed + klass.expired == klass.messages
    assert sum(k.messages for k in snap.classes) == snap.total
    assert snap.sent + snap.failed + snap.expired == snap.total
    assert snap.expired > 0 and snap.failed > 0  # every path in play
    ends = [r for r in sink.results if r.outcome != RETRY]
    assert sorted(r.message.id for r in ends) == list(range(snap.total))
    late = 0
    for result in sink.results:  # nothing starts before it arrives
        positional = result.message.class_index == 0
        if result.send_s is not None:
            start = result.done_at_s - result.send_s
            assert start >= result.message.arrived_s
            # The deadline is the positional class's: the others go on.
            assert start <= 1.0 + 1e-9 or not positional
            late += start > 1.0
        else:  # an expiry: the positional class's, at the deadline or as
            # a retry falls due after it
            assert positional and result.done_at_s >= 1.0
    assert late > 0


def test_the_deadline_is_the_positional_classs_alone() -> None:
    """100 messages on 2 senders of 0.1 s (20 a second), --deadline 3,
    and an alert of 50 at 2 s, most urgent: the backlog's 40 go by 2 s,
    the alert's 50 from 2 to 4.5 s, past the deadline, and the backlog's
    other 60 expire at 3 s, their deadline."""
    sink, cfg = traffic_run(
        [TrafficClass("alert", count=50, at_s=2.0, priority=0)],
        SenderGroup.uniform(2, 0.1, 0.0, 0.0), num_messages=100,
        gateway=Gateway(deadline_s=3.0))
    snap = run_bounded(cfg).snapshot
    default, alert = snap.classes
    assert (default.sent, default.expired) == (40, 60)
    assert (alert.sent, alert.expired) == (50, 0)
    ends = {(r.message.class_index, r.outcome): r.done_at_s
            for r in sorted(sink.results, key=lambda r: r.done_at_s)}
    assert ends[0, SENT] == pytest.approx(2.0)
    assert ends[1, SENT] == pytest.approx(4.5)
    assert ends[0, EXPIRED] == 3.0


def test_a_deadline_with_no_positional_class_is_refused() -> None:
    with pytest.raises(ConfigError, match="give a class validity=D"):
        SimulationConfig(0, (ONE_SECOND,), gateway=Gateway(deadline_s=3.0),
                         traffic=(TrafficClass("a", count=5),))


def test_retries_keep_their_class_and_arrival_when_sealed() -> None:
    """Zero-time sends, half failing: thousands of retries wait at once,
    sealed into compact runs (retries.py), and come out with their
    class and arrival moment still theirs."""
    flaky = SenderGroup.uniform(2, 0.0, 0.0, 0.5)
    sink, _ = traffic_run([TrafficClass("a", count=3000),
                           TrafficClass("b", count=3000, at_s=1.0)], flaky,
                          gateway=Gateway(retries=3,
                                          backoff=Backoff(0.001, 0.001)))
    retried = [r for r in sink.results if r.attempts > 1]
    assert len(retried) > 2 * 1024
    for result in sink.results:  # ids in order of arrival: a's first
        first_b = result.message.id >= 3000
        assert result.message.class_index == first_b
        assert result.message.arrived_s == (1.0 if first_b else 0.0)


@pytest.mark.parametrize("priority", [STRICT, WEIGHTED])
def test_validity_from_arrival_expires_what_waits_too_long(
        priority: str) -> None:
    """A stream at twice the senders' capacity, valid for 10 s: about
    half expires (all but the 100 s of sending and the 10 s it may
    wait), and every message sent started within 10 s of its arrival;
    each expiry is at its arrival plus 10 s."""
    sink, _ = traffic_run([TrafficClass(
        "r", rate_per_s=2, for_s=100, arrivals=EVEN, validity_s=10.0,
        priority=1), TrafficClass("other", count=0)], priority=priority)
    sent = [r for r in sink.results if r.outcome == SENT]
    expired = [r for r in sink.results if r.outcome == EXPIRED]
    assert len(sent) + len(expired) == 200
    assert len(sent) == 110 and len(expired) == 90
    for result in sent:
        assert result.done_at_s - 1.0 - result.message.arrived_s <= 10.0
    for result in expired:
        assert result.done_at_s == result.message.arrived_s + 10.0


def test_validity_holds_for_retries_too() -> None:
    """A retry that falls due past its message's validity expires as it
    falls due, with its attempts so far."""
    flaky = SenderGroup.uniform(1, 1.0, 0.0, 0.5)
    sink, _ = traffic_run(
        [TrafficClass("r", count=30, validity_s=12.0)], flaky,
        gateway=Gateway(retries=5, backoff=Backoff(0.5, 0.5)))
    late = [r for r in sink.results
            if r.outcome == EXPIRED and r.attempts > 0]
    assert late
    for result in sink.results:
        if result.send_s is not None:
            assert result.done_at_s - result.send_s <= 12.0
    for result in late:
        assert result.done_at_s >= 12.0 and result.spent_s > 0


def test_an_interrupt_counts_what_had_not_arrived_apart() -> None:
    """A stream of one a second for 1000 s, stopped early: the messages
    still to come are neither sent nor unsent."""
    cfg = SimulationConfig(
        5, (SenderGroup.uniform(1, 0.01, 0.0, 0.0),), seed=2, speed=1.0,
        traffic=(TrafficClass("r", rate_per_s=1, for_s=1000,
                              arrivals=EVEN),))
    stop = StopEvent()
    timing = Interrupter(stop, 60)
    snap = run_bounded(cfg, stop=stop, monotonic=timing.clock,
                       wait=timing.wait).snapshot
    assert snap.stopped == "interrupt"
    default, stream = snap.classes
    assert stream.not_arrived > 900
    assert stream.arrived == 1000 - stream.not_arrived
    for klass in snap.classes:
        assert klass.sent + klass.failed + klass.expired + klass.unsent \
            + klass.not_arrived == klass.messages
        assert klass.unsent >= 0
    assert snap.not_arrived == stream.not_arrived
    assert snap.sent + snap.failed + snap.expired + snap.unsent \
        + snap.not_arrived == snap.total == 1005


# The command line


SEEDED = ["40", "3", "0.02", "0.01", "0.2", "--retries", "2", "--backoff",
          "0.01:0.05", "--deadline", "1.2", "--seed", "17",
          "--traffic", "name=r,rate=150/s,for=1,validity=0.3",
          "--traffic", "name=alert,count=30,at=0.3,priority=0",
          "--traffic", "name=tick,rate=20/s,for=1,from=0.1,arrivals=even,"
          "priority=5,weight=2"]
"""A backlog, a Poisson stream with a validity, an urgent batch mid-run,
an even stream, retries and a deadline that cuts the backlog's tail."""
SPEEDS = ("20", "1000", "max")
MODES = {"strict": SEEDED, "weighted": [*SEEDED, "--priority", "weighted"]}


def command(args: Sequence[str], speed: str) -> Callable[[Path], list[str]]:
    return lambda folder: [
        sys.executable, str(ROOT / "start.py"), *args, "--json", "--speed",
        speed, "--log", str(folder / "log.csv")]


RUNS: dict[tuple[str, str], Job] = {
    (mode, speed): BACKGROUND.add(command(args, speed))
    for mode, args in MODES.items() for speed in SPEEDS}


@pytest.mark.parametrize("mode", MODES)
def test_a_seed_fixes_every_figure_of_traffic_at_any_speed(
        mode: str) -> None:
    prints = [seeded_figures(RUNS[mode, speed]) for speed in SPEEDS]
    assert prints[0] == prints[1] == prints[2]
    summary, rows, header = prints[0]
    assert header.endswith(",class,arrived_at_s")
    classes = summary["classes"]
    assert isinstance(classes, list)
    assert [k["name"] for k in classes] == ["default", "r", "alert", "tick"]
    assert sum(k["messages"] for k in classes) == summary["total"]
    assert summary["expired"] and summary["retries"]  # all in play
    logged = list(csv.DictReader([header, *rows]))
    assert len(logged) == summary["total"]
    for klass in classes:
        mine = [row for row in logged if row["class"] == klass["name"]]
        assert len(mine) == klass["messages"]
        for outcome in ("sent", "failed", "expired"):
            assert klass[outcome] == sum(row["outcome"] == outcome
                                         for row in mine)
    alert = [row for row in logged if row["class"] == "alert"]
    assert {row["arrived_at_s"] for row in alert} == {"0.3"}
    after = max(float(row["delivered_at_s"]) - float(row["arrived_at_s"])
                for row in alert if row["outcome"] == "sent")
    assert classes[2]["sent_after_s"]["max"] == pytest.approx(after)


BAD_TRAFFIC = [
    ("name=r,rate=0/h,for=1h", "rate must be above 0"),
    ("name=r,rate=0,for=1h", "rate must be a rate with its period"),
    ("name=r,rate=5/s,for=0", "for must be a period > 0"),
    ("name=r,rate=2000/h", "a stream needs for=D"),
    ("name=r,count=3,at=2e9", "at must be a moment from 0 to 1e9 s"),
    ("name=r,rate=1e9/s,for=1e5", "at most 1,000,000,000,000"),
    ("count=3", "name is missing"),
    ("name=r", "give count=N (a batch) or rate=R/h,for=D"),
    ("name=r,count=3,for=1", "for, from and arrivals are a stream's"),
    ("name=r,rate=1/s,for=1,arrivals=bursty", "arrivals must be poisson"),
    ("name=r r,count=1", "name must be 1 to 40 letters"),
    ("name=r,count=1,priority=-1", "priority must be an integer from 0"),
    ("name=r,count=1,weight=0", "weight must be a finite number > 0"),
    ("name=r,count=1,validity=0", "validity must be a time > 0"),
]


@pytest.mark.parametrize("spec, says", BAD_TRAFFIC)
def test_bad_traffic_is_one_line_and_status_2(spec: str, says: str) -> None:
    line = usage_error("--traffic", spec)
    assert line.startswith("start.py: error: argument --traffic: ")
    assert says in line


def test_weighted_priority_without_classes_is_refused() -> None:
    """Nothing to share the senders among: refused, not ignored."""
    assert usage_error("10", "--priority", "weighted") == (
        "start.py: error: argument --priority: shares the senders among "
        "--traffic classes; give some")


def test_classes_too_many_to_send_in_the_horizon_are_named() -> None:
    """The error names what brings the messages: the classes, not the
    num_messages left at 0 (or smaller than theirs)."""
    big = "name={},count=400000000000"
    for first in ("0", "1000"):
        line = usage_error(first, "1", "1", "0", "--traffic",
                           big.format("a"), "--traffic", big.format("b"))
        assert line.startswith("start.py: error: argument --traffic: 800,"
                               f"000,00{first[0]},000 messages need at least")
    # With senders that take no time, the horizon is no bound: the count.
    assert usage_error("0", "4", "0", "0", "0", "--traffic",
                       big.format("a"), "--traffic", big.format("b"),
                       "--traffic", big.format("c")) == (
        "start.py: error: argument --traffic: the run would bring 1.2e+12 "
        "messages with its classes; a run may bring at most "
        "1,000,000,000,000")
    assert usage_error("900000000000", "1", "1", "0", "--traffic",
                       "name=a,count=5").startswith(
        "start.py: error: argument num_messages: 900,000,000,005 messages")


def test_bad_traffic_through_a_real_process() -> None:
    spec, says = BAD_TRAFFIC[0]
    done = subprocess.run([sys.executable, str(ROOT / "start.py"),
                           "--traffic", spec],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and not done.stdout
    assert done.stderr.startswith("usage:") and "Traceback" not in \
        done.stderr
    # The very line that this process gives.
    assert done.stderr.splitlines()[-1] == usage_error("--traffic", spec)
    assert says in done.stderr


def test_two_classes_of_one_name_are_refused() -> None:
    line = usage_error("--traffic", "name=a,count=1", "--traffic",
                       "name=a,count=2")
    assert "distinct names" in line and "'a'" in line
    # In any case: --sweep names a class so, and could not tell A from a.
    line = usage_error("--traffic", "name=A,count=1", "--traffic",
                       "name=a,count=2")
    assert "distinct names, in any case" in line and "got 'a'" in line


def test_what_arrives_while_the_route_is_down_waits_for_it(
        tmp_path: Path) -> None:
    """One route of 1 s sends, down from 2 s to 5 s: y's first message
    goes at 0.5, its second is cut by the outage at 2; x arrives at 3,
    while the route is down, and goes when it is back, at 5 and 6."""
    log = tmp_path / "log.csv"
    status, _, err = run_main(
        "0", "0", "--senders", "name=a,count=1,mean=1,dev=0,fail=0,down=2+3",
        "--traffic", "name=x,count=2,at=3", "--traffic",
        "name=y,count=2,at=0.5", "--speed", "max", "--seed", "1", "--log",
        str(log))
    assert status == 0, err
    rows = sorted(
        (row["class"], row["outcome"], float(row["delivered_at_s"]))
        for row in csv.DictReader(log.read_text().splitlines()))
    assert rows == [("x", "sent", 6.0), ("x", "sent", 7.0),
                    ("y", "failed", 2.0), ("y", "sent", 1.5)]
