"""Delivery receipts: their mix from the messages' own bits, the stage
they add (confirmed, after sent and reached), the check on it, the log's
columns, a seed that fixes them at any speed, and bad input."""
from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sms_sim.measure.checks import min_confirmed
from sms_sim.measure.receipts import PENDING, ReceiptTally
from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.message import generate_messages
from sms_sim.model.receipts import DELIVERED, NONE, STATES, Receipts
from sms_sim.model.result import SENT
from sms_sim.model.schedule import Schedule
from sms_sim.model.validation import ConfigError
from sms_sim.output.html import pages
from sms_sim.output.html.pages import one_run
from sms_sim.output.tables import stage_count, stage_curves, stages_title
from sms_sim.output.text.run import _counts  # the live fields
from sms_sim.output.text.style import PLAIN
from tests.background import BACKGROUND
from tests.helpers import run_main
from tests.test_cli import usage_error
from tests.test_golden import seeded_figures
from tests.test_schedule import decide_all, fresh_source
from tests.test_simulation import Recorder, run_bounded

ROOT = Path(__file__).resolve().parent.parent
SMPPSIM = Receipts((0.90, 0.06, 0.02, 0.02))
"""SMPPSim's default mix: delivered, undeliverable, none, rejected."""
CARRIER = Latency.exponential(0.5)
DELAY = Latency.exponential(1.0)


def test_the_shares_of_final_states_follow_the_mix() -> None:
    draw = SMPPSIM.drawer()
    rng = random.Random(7)
    total = 100_000
    counts = Counter(draw(rng.getrandbits(64), 1.0)[0]
                     for _ in range(total))
    for state, share in zip(STATES, SMPPSIM.shares):
        error = math.sqrt(share * (1 - share) / total)
        assert abs(counts[state] / total - share) <= 3 * error, state


def test_a_state_without_a_share_is_never_drawn() -> None:
    draw = Receipts((0.0, 0.5, 0.5, 0.0)).drawer()
    rng = random.Random(3)
    assert {draw(rng.getrandbits(64), 0.0)[0] for _ in range(2000)} == {
        "undeliverable", NONE}


def test_a_receipt_comes_its_delay_after_the_phone_and_none_never() -> None:
    draw = Receipts((0.5, 0.0, 0.5, 0.0), Latency.uniform(2.0, 0.0)
                    ).drawer()
    rng = random.Random(5)
    for _ in range(200):
        state, at_s = draw(rng.getrandbits(64), 10.0)
        assert at_s == (None if state == NONE else 12.0)
    only = Receipts((1.0, 0.0, 0.0, 0.0)).drawer()
    assert only(99, 3.5) == (DELIVERED, 3.5)


@pytest.mark.parametrize("shares", [(0.9, 0.06, 0.02, 0.03),
                                    (1.2, 0.0, 0.0, 0.0),
                                    (0.5, 0.5, 0.0, math.nan)])
def test_shares_must_be_shares_adding_up_to_one(
        shares: tuple[float, float, float, float]) -> None:
    with pytest.raises(ConfigError):
        Receipts(shares)


def receipted_schedule(total: int) -> tuple[Schedule, list[Any]]:
    source = iter(fresh_source(
        generate_messages(random.Random(11), 0, total), 256))
    plan = Schedule((SenderGroup(4, Latency.uniform(0.05, 0.02), 0.1),),
                    Gateway(), lambda: next(source), CARRIER,
                    receipts=Receipts(SMPPSIM.shares, DELAY))
    return plan, decide_all(plan, 64)


def test_each_sent_message_gets_its_receipt_from_its_own_bits() -> None:
    plan, results = receipted_schedule(3000)
    draw = Receipts(SMPPSIM.shares, DELAY).drawer()
    sent = [r for r in results if r.outcome == SENT]
    assert sent and all(r.receipt is None for r in results
                        if r.outcome != SENT)
    for r in sent:
        assert r.reached_at_s is not None
        assert (r.receipt, r.receipt_at_s) == draw(r.message.seed,
                                                   r.reached_at_s)
    # The stages come in order: confirmed after reached after sent.
    confirmed = sorted(r.receipt_at_s for r in sent
                       if r.receipt == DELIVERED and r.receipt_at_s)
    middle = math.ceil(0.5 * len(sent))
    assert sorted(r.done_at_s for r in sent)[middle] < sorted(
        r.reached_at_s or 0.0 for r in sent)[middle] < confirmed[middle]
    assert all(r.receipt_at_s is None for r in sent if r.receipt == NONE)


def test_runs_count_receipts_and_their_exact_moments() -> None:
    config = SimulationConfig(
        2000, (SenderGroup(4, Latency.uniform(0.05, 0.02), 0.1),),
        seed=5, speed=math.inf, carrier=CARRIER,
        receipts=Receipts(SMPPSIM.shares, DELAY))
    sink = Recorder()
    snap = run_bounded(config, real=True, sink=sink).snapshot
    counts = dict(snap.receipts)
    assert list(counts) == list(STATES)
    assert sum(counts.values()) == snap.sent
    assert snap.confirmed == counts[DELIVERED] < snap.sent
    assert "confirmed 1," in " ".join(_counts(snap, PLAIN))
    # Exact: the 50% moment is the 1000th confirmation of 2,000, and the
    # curve's every point the k-th.
    confirmed = sorted(r.receipt_at_s for r in sink.results
                       if r.receipt == DELIVERED and r.receipt_at_s)
    assert len(confirmed) == snap.confirmed
    assert snap.confirmed_at[0] == confirmed[999]
    assert all(at_s == confirmed[math.ceil(share * 2000) - 1] for at_s, share
               in snap.confirmed_curves[0].points)
    assert snap.confirmed_at[0] is not None and snap.reached_at[0] \
        is not None and snap.delivery[0] is not None
    assert snap.delivery[0] < snap.reached_at[0] < snap.confirmed_at[0]
    assert snap.confirmed_at[-1] is None  # some are never confirmed
    assert snap.confirmed_curves[0].points[-1][1] == pytest.approx(
        snap.confirmed / snap.total, abs=0.01)
    rows = dict(pages.summary_rows(snap))  # the HTML page's figures
    assert rows["receipts"].startswith(f"delivered {counts[DELIVERED]:,}")
    assert rows["confirmed delivered, by share of all"].startswith("50% by")
    check = min_confirmed(snap, 0.7, None)
    assert check.ok and check.value == snap.confirmed / 2000
    assert not min_confirmed(snap, 0.9, None).ok


def test_runs_without_receipts_have_none() -> None:
    config = SimulationConfig(
        200, (SenderGroup(2, Latency.uniform(0.05, 0.02), 0.1),), seed=5,
        speed=math.inf)
    snap = run_bounded(config, real=True).snapshot
    assert snap.receipts == () and snap.confirmed_at == () \
        and snap.confirmed is None


# End to end.

ARGS = ["600", "4", "0.05", "0.02", "0.1", "--retries", "2",
        "--carrier-delay", "exponential:mean=0.2", "--receipts",
        "delivered=90%,undeliverable=6%,none=2%,rejected=2%,"
        "delay=exponential:mean=0.3", "--min-confirmed", "0.5@10",
        "--seed", "9"]


def command(speed: str, log: Path) -> list[str]:
    return [sys.executable, str(ROOT / "start.py"), *ARGS, "--speed", speed,
            "--json", "--log", str(log)]


def at_speed(speed: str) -> Callable[[Path], list[str]]:
    return lambda folder: command(speed, folder / "log.csv")


SPEEDS = {speed: BACKGROUND.add(at_speed(speed))
          for speed in ("20", "1000", "max")}


def fingerprint(speed: str) -> tuple[dict[str, Any], list[str]]:
    job = SPEEDS[speed]
    done = job.result()
    assert done.returncode == 0, done.stderr
    *progress, last = done.stdout.splitlines()
    # The live figures count the confirmed too, up to the summary's.
    confirmed = [json.loads(line)["confirmed"] for line in progress
                 if '"progress"' in line]
    assert confirmed and confirmed == sorted(confirmed)
    assert confirmed[-1] <= json.loads(last)["confirmed"]
    summary, rows, header = seeded_figures(job)
    return summary, [header, *rows]


def test_receipts_are_the_same_at_any_speed() -> None:
    summary, log = fingerprint("max")
    assert sum(summary["receipts"].values()) == summary["sent"]
    assert summary["confirmed"] == summary["receipts"]["delivered"]
    assert summary["checks"][0]["name"] == "min_confirmed"
    assert summary["checks"][0]["ok"]
    assert log[0].endswith(",receipt,receipt_at_s")
    states = Counter(row.split(",")[-2] for row in log[1:])
    assert set(states) <= {*STATES, ""}
    assert states[""] == summary["failed"] + summary["expired"]
    assert fingerprint("20") == (summary, log)
    assert fingerprint("1000") == (summary, log)


@pytest.mark.parametrize("argv, message", [
    (["--receipts", "delivered=90%,undeliverable=6%"],
     "add up to 96%, not 100%"),
    (["--receipts", "delivered=90%,lost=10%"], "unknown state 'lost=10%'"),
    (["--receipts", "delivered=120%"], "delivered must be from 0% to 100%"),
    (["--receipts", "delivered=100%,delay=weird"], "SHAPE"),
    (["--min-confirmed", "0.9"], "argument --min-confirmed: counts the "
     "delivered receipts, which needs --receipts"),
])
def test_bad_receipts_are_one_line_and_status_2(
        argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error(["10", *argv], monkeypatch, capsys)
    assert message in error
    assert error.startswith("start.py: error: argument --")


def test_the_chart_draws_the_three_stages_side_by_side() -> None:
    """Sent, reached the phones and confirmed delivered, each a share of
    all messages, on the terminal's chart and the HTML page's: the curves
    the summary holds, in that order."""
    status, out, _ = run_main(
        "3000", "4", "0.01", "0.005", "0.1", "--carrier-delay",
        "exponential:mean=0.5", "--receipts",
        "delivered=90%,undeliverable=6%,none=2%,rejected=2%,"
        "delay=exponential:mean=1", "--speed", "max", "--seed", "1")
    assert status == 0
    assert "sent, reached the phones, confirmed delivered, share of all " \
        "messages by simulated time" in " ".join(out.split())  # wrapped
    labels = ("sent:", "reached the", "confirmed del")
    legend = [line.split(":")[0].strip() for line in out.splitlines()
              if line.strip()[2:].startswith(labels)]
    assert legend == ["* sent", "o reached the phones",
                      "+ confirmed delivered"]
    config = SimulationConfig(
        300, (SenderGroup.uniform(2, 0.01, 0.0, 0.1),), seed=2,
        speed=math.inf, carrier=CARRIER, receipts=Receipts(SMPPSIM.shares))
    snap = run_bounded(config).snapshot
    curves = stage_curves(snap)
    assert [(c.label, c.points) for c in curves] == [
        ("sent", snap.curves[0].points),
        ("reached the phones", snap.reached_curves[0].points),
        ("confirmed delivered", snap.confirmed_curves[0].points)]
    plain = run_bounded(SimulationConfig(
        300, (SenderGroup.uniform(2, 0.01, 0.0, 0.1),), seed=2,
        speed=math.inf)).snapshot
    assert [c.points for c in stage_curves(plain)][0] == \
        plain.curves[0].points and stages_title(plain) == "sent"
    assert (stage_count(snap), stage_count(plain)) == (3, 1)


def test_each_stage_crosses_the_shares_where_the_report_says() -> None:
    """A stage is of all messages, not a part of the run as a sender
    group is: its legend and the page give its crossings (the legend
    said only when the last phone was reached)."""
    status, out, _ = run_main(
        "5", "1", "0.01", "0", "0", "--carrier-delay",
        "uniform:mean=3,dev=2.9", "--speed", "max", "--seed", "2")
    assert status == 0
    [reached] = [line for line in out.splitlines()
                 if line.startswith("  reached  ")]
    fifty = reached.split("50% by ")[1].split("  ")[0]
    assert f"o reached the phones:  50% by {fifty}" in out
    config = SimulationConfig(
        5, (SenderGroup.uniform(1, 0.01, 0.0, 0.0),), seed=2,
        speed=math.inf, carrier=CARRIER)
    snap = run_bounded(config).snapshot
    page = one_run(snap, config, "start.py", ())
    assert page.count("<td>reached the phones</td>") == 1  # its row
    assert "<title>reached the phones: 50% by" in page  # and its dot


def test_plans_give_the_confirmed_stage() -> None:
    """--runs and --sweep with receipts: each share's confirmed moment in
    the table and, under confirmed_s, in the JSON."""
    args = ["600", "4", "0.01", "0.005", "0.1", "--receipts",
            "delivered=90%,undeliverable=6%,none=2%,rejected=2%",
            "--seed", "1", "--speed", "max"]
    status, out, _ = run_main(*args, "--runs", "2", "--json")
    assert status == 0
    line = json.loads(out.splitlines()[-2])
    assert line["event"] == "replications"
    confirmed, sent = line["confirmed_s"]["p50"], line["delivery_s"]["p50"]
    assert confirmed["min"] > sent["max"]  # the stages come in order
    status, out, _ = run_main(*args, "--sweep", "senders=2,4")
    assert status == 0 and "50% confirmed" in out
    status, out, _ = run_main("600", "4", "--runs", "2", "--seed", "1",
                              "--speed", "max")
    assert status == 0 and "confirmed" not in out


def test_a_cut_run_counts_the_receipts_back_and_the_rest_pending() -> None:
    """Cut at 10 s: the receipts back by then by state, the others of
    sent messages pending (none's among them, which never come); a run
    that completed counts every final state."""
    tally = ReceiptTally()
    tally.add([(DELIVERED, 1.0), (DELIVERED, 5.0), (DELIVERED, 50.0),
               ("undeliverable", 2.0), ("undeliverable", 60.0),
               (NONE, None), ("rejected", 3.0)])
    assert tally.counts(10.0) == (
        (DELIVERED, 2), ("undeliverable", 1), ("rejected", 1),
        (PENDING, 3))
    assert tally.counts() == ((DELIVERED, 3), ("undeliverable", 2),
                              (NONE, 1), ("rejected", 1))
    assert tally.counts(100.0) == ((DELIVERED, 3), ("undeliverable", 2),
                                   ("rejected", 1), (PENDING, 1))
