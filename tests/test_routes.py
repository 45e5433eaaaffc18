"""Routes: named groups, outages, detection, reconnection and failover,
checked against hand calculations, for determinism, and end to end."""
from __future__ import annotations

import dataclasses
import json
import math
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from sms_sim.cli import plan_specs, route_specs
from sms_sim.cli.help_text import HELP_COLUMNS
from sms_sim.measure.progress import GroupCounts
from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.message import generate_messages
from sms_sim.model.presets import PRESETS
from sms_sim.model.result import FAILED, RETRY, SENT, Result
from sms_sim.model.route import (OUTAGE, Outage, Route, blocked_spans,
                                 closed_spans, provider_validity)
from sms_sim.model.schedule import Schedule
from sms_sim.model.validation import ConfigError
from sms_sim.plan.settings import (configured, limit_of, with_outage_start,
                                   with_value)
from tests.background import BACKGROUND
from tests.helpers import run_main, usage_error
from tests.test_golden import seeded_figures
from tests.test_schedule import decide_all, fresh_source
from tests.test_simulation import Stalling, log_and_figures

ROOT = Path(__file__).resolve().parent.parent
FIXED = Latency.uniform(0.1, 0.0)
"""Sends of exactly 0.1 s: the hand calculations' send time."""


def route(name: str, count: int, *outages: Outage, detect_s: float = 0.0,
          reconnect_s: float = 0.0) -> SenderGroup:
    return SenderGroup(count, FIXED, 0.0, name=name, outages=outages,
                       detect_s=detect_s, reconnect_s=reconnect_s)


def primary(detect_s: float = 0.0, scale: float = 1.0) -> SenderGroup:
    """The issue's primary: 10 senders at 0.1 s, down 2m+6m (times
    ``scale``)."""
    return route("primary", 10, Outage(120.0 * scale, 360.0 * scale),
                 detect_s=detect_s)


BACKUP = route("backup", 3)


def run(groups: Sequence[SenderGroup], routing: str, total: int,
        gateway: Gateway | None = None) -> list[Result]:
    """Every decision of a blast of ``total`` messages."""
    source = iter(fresh_source(generate_messages(random.Random(3), 0, total),
                               chunk=256))
    plan = Schedule(groups, gateway or Gateway(), lambda: next(source),
                    routing=routing)
    return decide_all(plan, limit=64)


def start_s(result: Result) -> float:
    assert result.send_s is not None
    return result.done_at_s - result.send_s


# The spans a route is closed.

def test_blocked_from_notice_to_reconnection() -> None:
    outages = (Outage(10.0, 5.0), Outage(30.0, 1.0))
    assert blocked_spans(outages, 0.0, 0.0) == [(10.0, 15.0), (30.0, 31.0)]
    assert blocked_spans(outages, 2.0, 3.0) == [(12.0, 18.0), (31.0, 34.0)]
    # Noticed only after it ended: closed only to reconnect.
    assert blocked_spans(outages, 9.0, 0.0) == []
    assert blocked_spans(outages, 9.0, 1.0) == [(15.0, 16.0), (31.0, 32.0)]


def test_failover_opens_a_route_only_while_those_before_are_down() -> None:
    first, second = [(10.0, 20.0)], [(15.0, 30.0)]
    closed = closed_spans([first, second, []], "failover")
    assert closed[0] == first
    assert closed[1] == [(0.0, 10.0), (15.0, math.inf)]
    assert closed[2] == [(0.0, 15.0), (20.0, math.inf)]
    assert closed_spans([first, second], "spread") == [first, second]


def test_a_route_opens_at_the_end_of_a_closed_span() -> None:
    route = Route([(10.0, 20.0), (30.0, math.inf)], (), 0.0)
    assert [route.closed_until(at) for at in (0.0, 10.0, 19.9, 20.0, 30.0,
                                              40.0)] \
        == [0.0, 20.0, 20.0, 0.0, math.inf, math.inf]  # 0: open then


def test_an_outage_ends_attempts_in_progress_and_unnoticed() -> None:
    cut = Route([], (Outage(10.0, 5.0),), 2.0).cut_s
    assert cut(9.0, 9.5) is None  # over before
    assert cut(9.9, 10.5) == 10.5  # in progress: at its end, unnoticed
    assert cut(9.9, 13.0) == 12.0  # ... or when the client notices
    assert cut(11.0, 11.1) == 11.1  # started unnoticed
    assert cut(9.5, 10.0) is None  # ended as the outage began
    assert Route([], (Outage(10.0, 5.0),), 0.0).cut_s(9.9, 10.5) == 10.0


# The hand-computed checks.

def test_the_hand_computed_failover() -> None:
    """The issue's, a tenth of the size: primary sends 1,200 in the first
    12 s, backup 1,080 from 12 s to 48 s and nothing outside, primary the
    other 7,720 from 48 s, ending at 125.2 s, within one send time.  Sends
    that end as the outage starts may, by rounding, end just before: the
    senders start once more, and those attempts fail at once; their
    retries go with the rest."""
    done = run((primary(scale=0.1), BACKUP), "failover", total=10_000,
               gateway=Gateway(retries=1))
    sent = [r for r in done if r.outcome == SENT]
    assert len(sent) == 10_000
    by_route = Counter((r.group, start_s(r) < 12.0, start_s(r) < 48.0)
                       for r in sent)
    early = by_route[(0, True, True)]
    assert 1_190 <= early <= 1_200
    assert by_route[(1, False, True)] == 1_080
    assert by_route[(0, False, False)] == 10_000 - 1_080 - early
    assert all(12.0 <= start_s(r) < 48.0 for r in sent if r.group == 1)
    outage = [r for r in done if r.cause == OUTAGE]
    assert len(outage) <= 10
    assert abs(max(r.done_at_s for r in done) - 125.2) <= 0.1


def test_an_unnoticed_outage_fails_what_it_takes() -> None:
    """The issue's, a tenth of the size, detect=3s: for 3 s primary still
    takes messages, 10 senders x 10 a second, and each fails as an
    outage, to be retried (those due in the 3 s fail again, and, out of
    retries, for good).  2,000 messages of the 10,000 are enough: backup
    is still sending the rest when the outage has long been noticed."""
    done = run((primary(detect_s=3.0, scale=0.1), BACKUP), "failover",
               total=2_000, gateway=Gateway(retries=1))
    outage = [r for r in done if r.cause == OUTAGE]
    assert 300 <= len(outage) <= 310
    assert all(12.0 <= r.done_at_s <= 15.0 for r in outage)
    assert {r.outcome for r in outage if r.attempts == 1} == {RETRY}
    assert {r.outcome for r in outage if r.attempts == 2} == {FAILED}
    assert sum(r.outcome == SENT for r in done) == \
        2_000 - sum(r.outcome == FAILED for r in done)


def test_without_retries_an_outage_failure_is_final() -> None:
    """The same without retries: 300 fail, for good."""
    done = run((primary(detect_s=3.0, scale=0.1), BACKUP), "failover",
               total=10_000)
    outage = [r for r in done if r.cause == OUTAGE]
    assert 300 <= len(outage) <= 310
    assert {r.outcome for r in outage} == {FAILED}
    assert sum(r.outcome == SENT for r in done) == 10_000 - len(outage)


def test_the_same_routes_spread_agree_with_a_hand_calculation() -> None:
    """A tenth of the issue's: both routes send 130/s until 12 s, backup
    alone 30/s until 48 s, then both again: 10,000 - 1,560 - 1,080 left
    at 130/s end at 48 + 7,360 / 130 s.  (Sends that end as the outage
    starts may end just before it by rounding: one more start each.)"""
    done = run((primary(scale=0.1), BACKUP), "spread", total=10_000,
               gateway=Gateway(retries=1))
    sent = [r for r in done if r.outcome == SENT]
    assert len(sent) == 10_000
    assert 1_560 <= sum(start_s(r) < 12.0 for r in sent) <= 1_563
    assert 1_077 <= sum(12.0 <= start_s(r) < 48.0 for r in sent) <= 1_090
    assert abs(max(r.done_at_s for r in done) - (48 + 7_360 / 130)) < 0.2


def test_a_retry_due_while_its_route_is_closed_waits_or_goes_elsewhere(
        ) -> None:
    """The last messages fail at an outage's start; their retries fall
    due inside it: the backup takes them."""
    done = run((route("primary", 2, Outage(0.95, 100.0)), route("b", 1)),
               "failover", total=20, gateway=Gateway(retries=1))
    assert sum(r.outcome == SENT for r in done) == 20
    assert {r.group for r in done if r.outcome == SENT and
            start_s(r) > 0.95} == {1}


# Determinism.

ROUTED = SimulationConfig(
    800, (SenderGroup(4, Latency.uniform(0.05, 0.02), 0.1, name="primary",
                      outages=(Outage(1.0, 2.0), Outage(5.0, 0.5)),
                      detect_s=0.3, reconnect_s=0.2),
          SenderGroup(2, Latency.uniform(0.04, 0.01), 0.1, name="backup")),
    seed=4, routing="failover",
    gateway=Gateway(retries=2, backoff=Backoff(0.1, 0.4)))
"""Two routes, two outages, detection, reconnection, failover, retries."""


def test_a_seed_fixes_a_routed_run_however_threads_run() -> None:
    expected = log_and_figures(ROUTED)
    groups = expected[1][-2]
    assert isinstance(groups, tuple)
    assert any(count for group in groups if isinstance(group, GroupCounts)
               for count, _ in group.outages)
    for seed in (1, 2):
        stalling = Stalling(seed)
        assert log_and_figures(ROUTED, monotonic=stalling.clock,
                               wait=stalling.wait) == expected
    assert log_and_figures(dataclasses.replace(ROUTED, speed=math.inf)) \
        == expected


# End to end.

ROUTED_ARGS = [
    "800", "0", "--senders", "name=primary,count=4,mean=0.05,dev=0.02,"
    "down=1+2,down=5+0.5,detect=0.3,reconnect=0.2", "--senders",
    "name=backup,count=2,mean=0.04,dev=0.01", "--routing", "failover",
    "--retries", "2", "--backoff", "0.1:0.4", "--seed", "4"]


def command(args: Sequence[str], speed: str, log: Path) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *args, "--speed", speed,
            "--json", "--log", str(log)]


def at_speed(speed: str) -> Callable[[Path], list[str]]:
    return lambda folder: command(ROUTED_ARGS, speed, folder / "log.csv")


SPEEDS = {speed: BACKGROUND.add(at_speed(speed))
          for speed in ("20", "1000", "max")}


def fingerprint(speed: str) -> tuple[dict[str, Any], list[str]]:
    summary, rows, header = seeded_figures(SPEEDS[speed])
    return summary, [header, *rows]


def test_a_routed_run_is_the_same_at_any_speed() -> None:
    summary, log = fingerprint("max")
    assert summary["sent"] + summary["failed"] + summary["expired"] == 800
    assert [r["name"] for r in summary["routes"]] == ["primary", "backup"]
    assert summary["routes"][0]["outages"][0]["failed"] > 0
    assert log[0].endswith(",route")
    assert {row.rsplit(",", 1)[1] for row in log[1:]} == {"primary",
                                                          "backup"}
    assert fingerprint("20") == (summary, log)
    assert fingerprint("1000") == (summary, log)


def test_the_report_names_routes_and_lists_outages() -> None:
    status, out, err = run_main(*ROUTED_ARGS, "--speed", "max")
    assert status == 0, err
    lines = out.splitlines()
    assert any(line.split()[:1] == ["route"] for line in lines)
    assert any(line.split()[:1] == ["backup"] for line in lines)
    outages = [line for line in lines if "outage: primary down" in line]
    assert len(outages) == 2
    assert outages[0].startswith("  outage: primary down at 1.000 s for "
                                 "2.000 s: ")


def test_an_outage_after_the_last_attempt_says_so() -> None:
    """A backup's outage at 90 s, in a run over in 10 s, ended nothing;
    an outage that ended one attempt says it in the singular."""
    status, out, err = run_main(
        "2000", "2", "--senders", "name=backup,count=2,mean=0.01,"
        "down=1m30s+1m30s", "--routing", "failover", "--speed", "max")
    assert status == 0, err
    assert "  outage: backup down at 1m30s for 1m30s: after the last " \
        "attempt ended" in out.splitlines()
    status, out, err = run_main(
        "20", "0", "--senders", "name=a,count=1,mean=0.01,down=0.105+0.25",
        "--speed", "max")
    assert status == 0, err
    assert "  outage: a down at 105.00 ms for 250.00 ms: 1 attempt failed " \
        "in it, 1 of them for good" in out.splitlines()


ROUTES_PAGE = (ROOT / "docs" / "routes.md").read_text()


def block_after(marker: str) -> list[str]:
    """The lines of the routes page's code block after ``marker``."""
    after = ROUTES_PAGE[ROUTES_PAGE.index(marker):]
    start = after.index("```\n") + 4
    return after[start:after.index("```", start)].splitlines()


def readme_example() -> list[str]:
    """The routes page's outage example: its arguments."""
    shown = block_after("A 30/s backup:")
    command = " ".join(line.strip().rstrip("\\") for line in shown[:3])
    return command.removeprefix("$ python3 start.py ").split()


README_RUN = BACKGROUND.add([sys.executable, str(ROOT / "start.py"),
                             *readme_example()])


def test_the_outage_example_is_what_it_gives() -> None:
    done = README_RUN.result()
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    for line in block_after("A 30/s backup:")[3:]:
        assert line in out


def test_a_routes_setting_is_set_in_its_own_group() -> None:
    cfg = dataclasses.replace(ROUTED, groups=(
        ROUTED.groups[0], dataclasses.replace(ROUTED.groups[1], tps=5.0)))
    assert configured(cfg, "backup.tps") == 5.0
    assert configured(cfg, "primary.count") == 4.0
    changed = with_value(cfg, "backup.count", 7)
    assert [g.count for g in changed.groups] == [4, 7]
    assert changed.groups[1].name == "backup"  # the rest of it kept
    assert with_value(cfg, "primary.mean", 0.2).groups[0].send.mean_s == 0.2
    assert with_value(cfg, "primary.mean", 0.2).groups[0].outages == \
        ROUTED.groups[0].outages
    assert limit_of("backup.count", cfg) == 10_000 - 4


def test_a_sweep_of_an_outages_length() -> None:
    sweep = plan_specs.sweep("primary.down=2m+0..10m/5m")
    assert sweep == plan_specs.Sweep("primary.down", (0.0, 300.0, 600.0),
                                     down_start_s=120.0)
    assert plan_specs.sweep("primary.down=1m,2m").down_start_s is None
    moved = with_outage_start(ROUTED, "primary.down", 1.5)
    assert moved.groups[0].outages == (Outage(1.5, 2.0), Outage(5.0, 0.5))
    assert with_value(moved, "primary.down", 3.0).groups[0].outages == (
        Outage(1.5, 3.0), Outage(5.0, 0.5))
    assert with_value(moved, "primary.down", 0.0).groups[0].outages == (
        Outage(5.0, 0.5),)
    with pytest.raises(ConfigError, match="outages apart"):
        with_value(moved, "primary.down", 4.0)  # into the second
    backup = with_outage_start(ROUTED, "backup.down", 2.0)
    assert with_value(backup, "backup.down", 1.0).groups[1].outages == (
        Outage(2.0, 1.0),)
    with pytest.raises(ConfigError, match="a route with down="):
        with_value(ROUTED, "backup.down", 1.0)
    assert configured(ROUTED, "primary.down") == 2.0
    assert configured(ROUTED, "backup.down") is None


def test_a_longer_outage_ends_later() -> None:
    status, out, err = run_main(
        "2000", "0", "--routing", "failover", "--senders",
        "name=p,count=10,mean=0.1,dev=0,fail=0", "--senders",
        "name=b,count=1,mean=0.1,dev=0,fail=0", "--sweep",
        "p.down=5+0,10,20", "--json", "--seed", "1", "--jobs", "1")
    assert status == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    sweeps = [line for line in lines if line["event"] == "sweep"]
    assert [line["value"] for line in sweeps] == [0, 10, 20]
    ends = [line["sim_elapsed_s"] for line in sweeps]
    # 10 s down: the backup sends 100 of the 1,000 the primary would have
    # sent; the other 900 take the primary 9 s more.
    assert ends[0] == pytest.approx(20.0, abs=0.1)
    assert ends[1] == pytest.approx(29.0, abs=0.2)
    assert ends[2] == pytest.approx(38.0, abs=0.2)


BAD_ROUTES = [
    (["--senders", "name=a,count=1,mean=1,down=1e9+1"],
     "down must be START+LENGTH with START >= 0, LENGTH > 0, ending by 1e9"),
    (["--senders", "name=a,count=1,mean=1,down=1m+2m,down=2m+1m"],
     "down must be outages apart"),
    (["9", "0", "--senders", "name=a,count=1,mean=1", "--routing",
      "failover"],
     "argument --routing: failover needs two routes"),
    (["0", "--senders", "name=a,count=1,mean=1", "--senders",
      "name=a,count=2,mean=1"],
     "argument --senders: must be a name no other route has, got 'a'"),
    (["--senders", "name=A!,count=1,mean=1"], "name must be a lowercase"),
    (["--senders", "name=a,count=1,mean=1,down=2m"],
     "down must be START+LENGTH (2m+6m)"),
    (["--senders", "name=a,count=1,mean=1,detect=-1"], "detect must be"),
    (["--senders", "name=a,name=b,count=1,mean=1"], "name is given twice"),
    (["--senders", "name=a,count=1"], "the uniform shape needs mean="),
    (["--senders", "name=a"], "count is missing"),
    # An unknown key lists every key a group takes, its route's too.
    (["--senders", "name=a,count=2,mean=0.01,foo=1"],
     "unknown key 'foo' (keys: count, mean, dev, sd, fail, tps, dist, file, "
     "column, name, down, detect, reconnect, preset, validity, window, "
     "accept, burst, on-throttle, rtt, errors, wait-ack)"),
    (["--senders", "name=a,count=1,mean=1,validity=0"],
     "validity must be a time > 0, within 1e9 s, got 0.0"),
]


def assert_bad_route(status: int, out: str, err: str, message: str) -> None:
    assert status == 2 and out == ""
    *usage, error = err.splitlines()
    assert usage[0].startswith("usage: ") and "Traceback" not in err
    assert error.startswith("start.py: error: argument ")
    assert message in error


@pytest.mark.parametrize("argv, message", BAD_ROUTES)
def test_a_bad_route_is_one_line_and_status_2(argv: list[str],
                                              message: str) -> None:
    assert_bad_route(*run_main(*argv), message)


def test_a_bad_route_through_a_real_process() -> None:
    argv, message = BAD_ROUTES[0]
    done = subprocess.run([sys.executable, str(ROOT / "start.py"), *argv],
                          capture_output=True, text=True, cwd=ROOT)
    assert_bad_route(done.returncode, done.stdout, done.stderr, message)


# Presets.

def test_a_preset_gives_its_cap_unless_tps_is_given() -> None:
    group = route_specs.sender_group("name=a,count=2,mean=0.01,"
                                     "preset=us-toll-free")
    assert group.tps == PRESETS["us-toll-free"].tps == 3.0
    assert route_specs.sender_group("name=a,count=2,mean=0.01,tps=5,"
                                    "preset=US-Toll-Free").tps == 5.0


def test_a_preset_gives_its_validity_unless_validity_is_given() -> None:
    group = route_specs.sender_group("name=a,count=2,mean=0.01,"
                                     "preset=twilio-long-code")
    assert group.validity_s == PRESETS["twilio-long-code"].validity_s \
        == 36_000
    assert route_specs.sender_group(
        "name=a,count=2,mean=0.01,validity=2h,preset=twilio-long-code"
    ).validity_s == 7_200
    assert route_specs.sender_group("name=a,count=2,mean=0.01,"
                                    "preset=us-short-code").validity_s is None


def test_the_longest_validity_of_the_routes_holds_a_message() -> None:
    """A message waits while some route would still take it; a route
    with no validity holds it without limit."""
    def groups(*validities: float | None) -> list[SenderGroup]:
        return [dataclasses.replace(SenderGroup.uniform(1, 0.1, 0, 0),
                                    name=f"r{index}", validity_s=valid_s)
                for index, valid_s in enumerate(validities)]
    assert provider_validity(groups(2.0)) == 2.0
    assert provider_validity(groups(2.0, 5.0)) == 5.0
    assert provider_validity(groups(2.0, None)) == math.inf


@pytest.mark.parametrize("args, sent", [
    # One sender at 0.1 s: starts at 0, 0.1, ..., 2.0 (21), by hand.
    (["100", "0", "--senders",
      "name=a,count=1,mean=0.1,dev=0,fail=0,validity=2"], 21),
    # A --deadline before the validity ends it first: 0 to 1.0.
    (["100", "0", "--deadline", "1", "--senders",
      "name=a,count=1,mean=0.1,dev=0,fail=0,validity=2"], 11),
    # Failover to a route that holds messages 5 s: the primary starts at
    # 0, 0.1, ..., 1.0 and goes down at 1.05, its last send with it; the
    # backup starts at 1.05, 1.15, ..., 4.95.
    (["100", "0", "--routing", "failover", "--senders",
      "name=p,count=1,mean=0.1,dev=0,fail=0,validity=2,down=1.05+1h",
      "--senders", "name=b,count=1,mean=0.1,dev=0,fail=0,validity=5"],
     10 + 40),
])
def test_a_routes_validity_expires_what_has_not_started_by_then(
        args: list[str], sent: int) -> None:
    status, out, err = run_main(*args, "--speed", "max", "--json")
    assert status == 0, err
    summary = json.loads(out.splitlines()[-1])
    failed = 1 if "failover" in args else 0
    assert (summary["sent"], summary["failed"], summary["expired"]) == \
        (sent, failed, 100 - sent - failed)
    assert "one not started within it of its arrival expires" in err


@pytest.mark.parametrize("other, who", [
    (["1", "0.1", "0", "0"], "the positional senders hold"),
    (["0", "--senders", "name=b,count=1,mean=0.1"], "route b holds")])
def test_a_validity_another_route_lifts_is_said_to_apply_to_none(
        other: list[str], who: str) -> None:
    status, out, err = run_main(
        "100", *other, "--senders",
        "name=a,count=1,mean=0.1,dev=0,fail=0,validity=2", "--speed", "max",
        "--json")
    assert status == 0 and json.loads(out.splitlines()[-1])["expired"] == 0
    assert err == f"sms-sim: note: no validity applies: {who} messages " \
        "without limit, and a message waits while a route would take it\n"


def test_a_presets_validity_is_said_as_the_report_says_times() -> None:
    _, _, err = run_main("10", "0", "--senders", "name=a,count=1,mean=0.1,"
                         "preset=twilio-long-code", "--speed", "max")
    assert "hold a message 10h00m (their validity)" in err


def test_a_sweep_sets_a_routes_validity() -> None:
    """One sender at 0.1 s: 11, 21 and 31 starts within 1, 2 and 3 s; a
    class of the same name would be the class's."""
    status, out, err = run_main(
        "100", "0", "--senders",
        "name=a,count=1,mean=0.1,dev=0,fail=0,validity=2",
        "--sweep", "a.validity=1..3/1", "--speed", "max", "--json")
    assert status == 0, err
    runs = [line for line in map(json.loads, out.splitlines())
            if line.get("event") == "sweep"]
    assert [(run["value"], run["sent"]) for run in runs] == \
        [(1.0, 11), (2.0, 21), (3.0, 31)]
    assert usage_error("100", "0", "--senders", "name=a,count=1,mean=0.1",
                       "--sweep", "b.validity=1,2").endswith(
        "(classes: none), or else a route's (routes: a), got 'b'")


def test_the_presets_pages_validity_example_is_what_it_gives() -> None:
    page = (ROOT / "docs" / "presets.md").read_text()
    block = page[page.index("$ python3 start.py 100 0"):].split("```")[0]
    args = " ".join(line.strip().rstrip("\\") for line in
                    block.splitlines()).removeprefix("$ python3 start.py ")
    status, out, _ = run_main(*args.split(), "--json")
    summary = json.loads(out.splitlines()[-1])
    assert status == 0 and (summary["sent"], summary["expired"]) == (21, 79)
    assert "21 are sent, and 79 expire" in page


def test_a_routes_validity_bounds_each_classs_from_its_arrival() -> None:
    """Each class's 50 start within 1 s of their arrival: 11 each."""
    status, out, err = run_main(
        "0", "0", "--senders",
        "name=a,count=1,mean=0.1,dev=0,fail=0,validity=1",
        "--traffic", "name=x,count=50,at=0", "--traffic",
        "name=y,count=50,at=3", "--traffic", "name=z,count=50,at=6,"
        "validity=0.5", "--speed", "max", "--json")
    assert status == 0, err
    classes = json.loads(out.splitlines()[-1])["classes"]
    assert [(c["name"], c["sent"], c["expired"]) for c in classes] == [
        ("x", 11, 39), ("y", 11, 39), ("z", 6, 44)]


def test_a_validity_is_fixed_by_the_seed_at_any_speed() -> None:
    args = ["3000", "0", "--seed", "5", "--retries", "2", "--senders",
            "name=p,count=4,mean=0.02,fail=0.2,preset=telnyx-toll-free,"
            "validity=3", "--senders", "name=b,count=2,mean=0.03,fail=0.1,"
            "validity=4", "--json"]
    summaries = []
    for speed in ("max", "1000"):
        status, out, err = run_main(*args, "--speed", speed)
        assert status == 0, err
        summary = json.loads(out.splitlines()[-1])
        summaries.append({key: value for key, value in summary.items()
                          if key not in ("elapsed_s", "max_lag_s", "speed")})
    assert summaries[0] == summaries[1]
    assert 0 < summaries[0]["expired"] < 3000


def test_an_unknown_preset_lists_the_known_ones() -> None:
    status, _, err = run_main("--senders",
                              "name=a,count=1,mean=1,preset=us-tollfree")
    assert status == 2
    error = err.splitlines()[-1]
    assert "preset must be one of us-short-code, us-toll-free" in error
    assert error.endswith("got 'us-tollfree'")


def test_presets_lists_each_with_its_figures_and_the_page_agrees() -> None:
    status, out, err = run_main("--presets")
    assert status == 0, err
    listed = {line.split()[0]: float(line.split()[1])
              for line in out.splitlines()[1:] if not line.startswith(" ")}
    assert listed == {name: p.tps for name, p in PRESETS.items()}
    # Each source wrapped beside the figures; only a link is never cut.
    urls = {p.url for p in PRESETS.values() if p.url}
    assert urls <= {word.rstrip(")") for word in out.split()}
    assert all(line.strip().rstrip(")") in urls
               for line in out.splitlines() if len(line) > HELP_COLUMNS)
    page = (ROOT / "docs" / "presets.md").read_text()
    for preset in PRESETS.values():
        assert f"| `{preset.name}` | {preset.tps:g} |" in page
        assert preset.url is None or preset.url in page


def test_the_html_report_shades_each_outage(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    status, _, err = run_main(*ROUTED_ARGS, "--speed", "max", "--report",
                              str(page))
    assert status == 0, err
    html = page.read_text()
    assert html.count('<rect class="shade"') == 2
    assert "<title>primary down 1.000 s to 3.000 s</title>" in html
    assert "primary down 5.000 s to 5.500 s</li>" in html
