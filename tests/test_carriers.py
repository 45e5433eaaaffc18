"""Carriers (``--carriers``): whose recipients a message has, their caps,
daily caps, drops and delays, the counts by carrier, and the command
line."""
from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from sms_sim.cli.options import parse_options
from sms_sim.cli.parser import build_parser
from sms_sim.model.carriers import DAILY_CAP, Carrier, Recipients
from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.message import Message, generate_messages
from sms_sim.model.result import FAILED, SENT, Result
from sms_sim.model.traffic import TrafficClass
from sms_sim.model.validation import ConfigError
from tests.background import BACKGROUND, Job
from tests.helpers import run_main, usage_error
from tests.test_golden import seeded_figures
from tests.test_simulation import Recorder, run_bounded

ROOT = Path(__file__).resolve().parent.parent


def carrier_run(count: int, senders: SenderGroup,
                *carriers: Carrier, seed: int = 1,
                traffic: Sequence[TrafficClass] = (),
                delay: Latency | None = None
                ) -> tuple[Recorder, Recipients]:
    """A whole run at full speed, every result recorded."""
    cfg = SimulationConfig(count, (senders,), seed=seed, speed=math.inf,
                           carriers=carriers, traffic=tuple(traffic),
                           carrier=delay)
    sink = Recorder()
    run_bounded(cfg, sink=sink)
    assert sorted(sink.outcomes().values()) == [1] * (
        count + sum(k.count or 0 for k in traffic))  # nothing lost
    return sink, Recipients(carriers)


def ends(results: Sequence[Result], recipients: Recipients, carrier: int
         ) -> list[Result]:
    return [r for r in results
            if r.outcome == SENT and recipients.of(r.message) == carrier]


def test_a_recipients_carrier_follows_the_shares_and_its_own_bits(
        ) -> None:
    import random
    messages = generate_messages(random.Random(3), 0, 20_000)
    recipients = Recipients((Carrier("a", 0.4), Carrier("b", 0.3),
                             Carrier("c", 0.3)))
    picks = [recipients.of(m) for m in messages]
    for index, share in enumerate((0.4, 0.3, 0.3)):
        assert abs(picks.count(index) / len(picks) - share) < 0.015
    again = generate_messages(random.Random(3), 0, 20_000)
    assert [recipients.of(m) for m in again] == picks


def test_a_carriers_cap_paces_its_own_and_no_other() -> None:
    sink, recipients = carrier_run(
        3500, SenderGroup.uniform(100, 0.01, 0.0, 0.0),
        Carrier("att", 0.4, cap=75.0), Carrier("other", 0.6))
    att = ends(sink.results, recipients, 0)
    other = ends(sink.results, recipients, 1)
    assert len(att) + len(other) == 3500
    starts = sorted(r.done_at_s - 0.01 for r in att)
    # Slots in order of start, 1/75 s apart, from 0.
    assert all(later - earlier >= 1 / 75 - 1e-9
               for earlier, later in zip(starts, starts[1:]))
    assert starts[-1] >= (len(att) - 1) / 75 - 1e-9
    # The others are not held behind AT&T's line: 2,100 on 100 senders.
    assert max(r.done_at_s for r in other) < 0.5 < starts[-1] / 10


def test_a_daily_cap_sends_exactly_its_count_and_fails_the_rest() -> None:
    sink, recipients = carrier_run(
        3000, SenderGroup.uniform(10, 0.01, 0.0, 0.0),
        Carrier("tmobile", 0.3, daily=200), Carrier("other", 0.7))
    final = [r for r in sink.results if r.outcome in (SENT, FAILED)]
    tmobile = [r for r in final if recipients.of(r.message) == 0]
    assert sum(r.outcome == SENT for r in tmobile) == 200
    refused = [r for r in tmobile if r.outcome == FAILED]
    assert refused and all(r.cause == DAILY_CAP and r.send_s is None
                           for r in refused)
    assert all(r.outcome == SENT for r in final
               if recipients.of(r.message) == 1)


def test_a_daily_cap_counts_afresh_each_day() -> None:
    day = TrafficClass("later", count=10, at_s=86_400.0)
    sink, _ = carrier_run(10, SenderGroup.uniform(1, 1.0, 0.0, 0.0),
                          Carrier("only", 1.0, daily=3), traffic=[day])
    sent = sorted(r.done_at_s for r in sink.results if r.outcome == SENT)
    assert len(sent) == 6 and sent[2] < 86_400 < sent[3]


def test_a_carriers_drops_and_delay_are_its_own() -> None:
    sink, recipients = carrier_run(
        400, SenderGroup.uniform(4, 0.01, 0.0, 0.0),
        Carrier("spam", 0.5, fail=1.0),
        Carrier("slow", 0.5, delay=Latency.uniform(5.0, 0.0)),
        delay=Latency.uniform(1.0, 0.0))
    spam = [r for r in sink.results if recipients.of(r.message) == 0]
    assert spam and all(r.outcome == FAILED for r in spam)
    slow = ends(sink.results, recipients, 1)
    assert len(slow) == 400 - len(spam)
    assert all(r.reached_at_s == pytest.approx(r.done_at_s + 5.0)
               for r in slow)


@pytest.mark.parametrize("carriers, field", [
    ((Carrier("a", 0.5), Carrier("b", 0.49)), "carriers"),
    ((Carrier("a", 0.5), Carrier("a", 0.5)), "carriers"),
    ((Carrier("a", 1.0, delay=Latency.uniform(1.0, 0.0)),), "carriers"),
])
def test_a_config_of_bad_carriers_is_refused(
        carriers: tuple[Carrier, ...], field: str) -> None:
    with pytest.raises(ConfigError) as raised:
        SimulationConfig(1, (SenderGroup.uniform(1, 0.1, 0.0, 0.0),),
                         carriers=carriers)
    assert raised.value.field == field


# The command line


SEEDED = ["300", "0", "--senders",
          "name=main,count=3,mean=0.02,dev=0.01,fail=0.2,down=1+0.5,"
          "detect=0.1",
          "--senders", "name=spare,count=1,mean=0.02,dev=0.01,fail=0.2",
          "--routing", "failover", "--retries", "2", "--backoff",
          "0.01:0.05", "--seed", "17", "--carrier-delay",
          "uniform:mean=1,dev=0.5",
          "--carriers", "att=40%,cap=75/s,fail=0.1",
          "--carriers", "tmobile=30%,daily=60,delay=uniform:mean=3,dev=1",
          "--carriers", "verizon=30%,cap=100/s"]
"""Two routes, an outage noticed late, failover, retries, three carriers
with caps, a daily cap, a drop share and a delay of its own."""
SPEEDS = ("20", "1000", "max")


def command(speed: str) -> Callable[[Path], list[str]]:
    return lambda folder: [
        sys.executable, str(ROOT / "start.py"), *SEEDED, "--json",
        "--speed", speed, "--log", str(folder / "log.csv")]


RUNS: dict[str, Job] = {speed: BACKGROUND.add(command(speed))
                        for speed in SPEEDS}


def test_a_seed_fixes_every_figure_with_carriers_at_any_speed() -> None:
    prints = [seeded_figures(RUNS[speed]) for speed in SPEEDS]
    assert prints[0] == prints[1] == prints[2]
    summary, rows, header = prints[0]
    assert header.endswith(",carrier")
    carriers = summary["carriers"]
    assert isinstance(carriers, list)
    assert [c["name"] for c in carriers] == ["att", "tmobile", "verizon"]
    logged = list(csv.DictReader([header, *rows]))
    assert len(logged) == summary["total"] == 300
    for carrier in carriers:
        mine = [row for row in logged if row["carrier"] == carrier["name"]]
        for outcome in ("sent", "failed", "expired"):
            assert carrier[outcome] == sum(row["outcome"] == outcome
                                           for row in mine)
    tmobile = carriers[1]
    assert tmobile["sent"] == 60 and tmobile["daily_cap"] > 0
    assert summary["retries"]  # all in play
    assert {row["route"] for row in logged} >= {"main", "spare"}
    # Past the daily cap a message fails with no attempt: in no group's,
    # sender's or route's hands, in the log and in the counts alike.
    capped = [row for row in logged if row["outcome"] == "failed"
              and not row["group"]]
    assert len(capped) == tmobile["daily_cap"]
    assert {(row["sender"], row["route"], row["carrier"])
            for row in capped} == {("", "", "tmobile")}
    routes = summary["routes"]
    assert isinstance(routes, list)
    for route in routes:
        assert route["failed"] == sum(
            row["outcome"] == "failed" and row["route"] == route["name"]
            for row in logged)
    assert summary["failed"] == sum(r["failed"] for r in routes) \
        + len(capped)


def test_runs_without_carriers_have_no_carrier_column(tmp_path: Path
                                                      ) -> None:
    log = tmp_path / "log.csv"
    status, out, err = run_main("5", "1", "0", "0", "0", "--speed", "max",
                                "--json", "--log", str(log))
    assert status == 0, err
    assert "carrier" not in log.read_text().splitlines()[0]
    assert "carriers" not in json.loads(out.splitlines()[-1])


BAD_CARRIERS = [
    (["a=50%", "b=49%"], "shares that add up to 100%, got '99%'"),
    (["a=50%", "b=51%"], "shares that add up to 100%, got '101%'"),
    (["a=50%", "a=50%"], "carriers of distinct names, got 'a'"),
    (["a=100%,daily=0"], "daily must be an integer of at least 1"),
    (["a=100%,cap=0/s"], "cap must be above 0"),
    (["a=100%,cap=75"], "cap must be a rate with its period"),
    (["a"], "must start NAME=SHARE"),
    (["ATT=100%"], "NAME must be a lowercase letter"),  # as a route's
    (["aTT=100%"], "NAME must be a lowercase letter, then up to 31 "
     "lowercase letters"),
    (["a=140%"], "SHARE must be a share above 0% and at most 100%, got "
     "'140%'"),
    (["a=0%", "b=100%"], "SHARE must be a share above 0% and at most 100%, "
     "got '0%'"),
    (["a=100%,delay=uniform:mean=1"], "delay= with --carrier-delay"),
    (["a=100%,foo=1"], "unknown key 'foo' (keys: cap, daily, fail, delay)"),
    (["a=100%,DELAY=exponential:mean=2,delay=exponential:mean=3"],
     "delay is given twice"),
]


def test_a_carriers_delay_may_be_written_in_any_case() -> None:
    """``delay=`` is split off first, as its shape has commas of its own;
    written otherwise (``DELAY=``, ``, delay=``) it is the same key."""
    given = [parse_options(build_parser("start.py"), [
        "10", "--carrier-delay", "exponential:mean=1",
        "--carriers", spec]).config.carriers
        for spec in ("a=100%,delay=exponential:mean=2",
                     "a=100%,DELAY=exponential:mean=2",
                     "a=100%, delay=exponential:mean=2")]
    assert given[0] == given[1] == given[2]
    assert given[0][0].delay is not None


def carriers_args(specs: list[str]) -> list[str]:
    return [arg for spec in specs for arg in ("--carriers", spec)]


@pytest.mark.parametrize("specs, says", BAD_CARRIERS)
def test_bad_carriers_are_one_line_and_status_2(specs: list[str],
                                                says: str) -> None:
    line = usage_error(*carriers_args(specs))
    assert line.startswith("start.py: error: argument --carriers: ")
    assert says in line


def test_bad_carriers_through_a_real_process() -> None:
    specs, says = BAD_CARRIERS[0]
    done = subprocess.run([sys.executable, str(ROOT / "start.py"),
                           *carriers_args(specs)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and not done.stdout
    assert done.stderr.startswith("usage:") and "Traceback" not in \
        done.stderr
    # The very line that this process gives.
    assert done.stderr.splitlines()[-1] == usage_error(*carriers_args(specs))
    assert says in done.stderr


def test_a_message_held_by_its_carriers_cap_expires_past_its_validity(
        ) -> None:
    # 10 at 0 to one carrier capped at 1/s, valid for 3.5 s: 4 start (at
    # 0, 1, 2 and 3), the other 6 wait past it and expire at 3.5 s.
    batch = TrafficClass("alert", count=10, at_s=0.0, validity_s=3.5)
    sink, _ = carrier_run(0, SenderGroup.uniform(10, 0.01, 0.0, 0.0),
                          Carrier("slow", 1.0, cap=1.0), traffic=[batch])
    final = [r for r in sink.results if r.outcome != "retry"]
    assert sorted(r.done_at_s for r in final if r.outcome == SENT) == \
        pytest.approx([0.01, 1.01, 2.01, 3.01])
    expired = [r for r in final if r.outcome == "expired"]
    assert len(expired) == 6 and {r.done_at_s for r in expired} == {3.5}


def test_capped_carriers_hold_what_waits_not_the_whole_line() -> None:
    """Every carrier capped, above the senders' pace: a take that passes
    a message over (its carrier's slot is later) stops once nothing the
    line gives next could start first, so the fresh messages stay in the
    line, made a chunk at a time.  (Each take once went on to the end
    of the line, holding every message: 58 MB for a million.)"""
    import random
    from sms_sim.model.schedule import Schedule
    rng = random.Random(6)
    chunks = [generate_messages(rng, start, 500)
              for start in range(0, 10_000, 500)]
    made: list[int] = []

    def fresh() -> list[Message] | None:
        made.append(1)
        return chunks.pop(0) if chunks else None

    capped = (Carrier("a", 0.5, cap=20_000.0), Carrier("b", 0.5, cap=20_000.0))
    schedule = Schedule((SenderGroup.uniform(12, 0.001, 0.0005, 0.0),),
                        Gateway(), fresh, carriers=capped,
                        keep_phones=False)
    starts: list[list[float]] = [[], []]
    recipients = Recipients(capped)
    while (decided := schedule.decide(1)) is not None:
        for result in decided.sent:
            assert result.send_s is not None
            starts[recipients.of(result.message)].append(
                result.done_at_s - result.send_s)
        # What is made stays within a chunk or two of what is decided.
        assert len(made) * 500 <= sum(map(len, starts)) + 2 * 500
    assert sum(map(len, starts)) == 10_000
    for line in starts:  # each carrier's slots, 1/20,000 s apart at least
        ordered = sorted(line)
        assert all(b - a >= 1 / 20_000 - 1e-12
                   for a, b in zip(ordered, ordered[1:]))


def test_a_seed_fixes_every_figure_with_every_carrier_capped() -> None:
    """The search that stops early, at any speed (made-up time)."""
    figures = []
    for speed in (1.0, 1000.0, math.inf):
        cfg = SimulationConfig(
            2000, (SenderGroup.uniform(6, 0.01, 0.005, 0.2),), seed=8,
            speed=speed, gateway=Gateway(retries=2),
            carriers=(Carrier("a", 0.5, cap=400.0),
                      Carrier("b", 0.3, cap=250.0, daily=500),
                      Carrier("c", 0.2, cap=150.0)))
        sink = Recorder()
        snap = run_bounded(cfg, sink=sink).snapshot
        figures.append((sorted((r.message.id, r.outcome, r.sender,
                                r.attempts, r.done_at_s)
                               for r in sink.results),
                        snap.sent, snap.failed, snap.sim_elapsed_s))
    assert figures[0] == figures[1] == figures[2]
    assert figures[0][1] + figures[0][2] == 2000
