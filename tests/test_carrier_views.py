"""Carriers where a run is shown: a line in the live view, a table on the
HTML page, their figures counted as the run goes."""
from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest

from sms_sim.measure.carrier_tally import CarrierCounts, CarrierTally
from sms_sim.measure.stats import Stats
from sms_sim.model.carriers import Carrier, Recipients
from sms_sim.model.config import SenderGroup
from sms_sim.model.limits import Limits
from sms_sim.model.message import generate_messages
from sms_sim.model.result import SENT, Result
from sms_sim.output.tables import carrier_table
from sms_sim.output.text.run import live_frame
from sms_sim.output.text.style import PLAIN
from tests.helpers import run_main
from tests.snapshots import MIDWAY

CARRIERS = (Carrier("att", 0.4, cap=75.0), Carrier("other", 0.6, daily=9))


def test_the_live_view_has_a_field_per_carrier() -> None:
    snap = dataclasses.replace(MIDWAY, carriers=(
        CarrierCounts("att", 12, 3, 0, 1),
        CarrierCounts("other", 7, 0, 0, 0)))
    frame = live_frame(snap, 80, PLAIN)
    assert "  att 12 sent 3 failed   other 7 sent 0 failed" in frame
    assert not any(line.startswith("  att ")
                   for line in live_frame(MIDWAY, 80, PLAIN))


def test_a_runs_progress_counts_each_carrier_as_it_goes() -> None:
    group = SenderGroup.uniform(1, 0.1, 0.0, 0.0)
    stats = Stats(10, (group,), carriers=CarrierTally(CARRIERS))
    messages = generate_messages(random.Random(1), 0, 10)
    stats.add([Result(message=m, group=0, sender=1, attempts=1, send_s=0.1,
                      done_at_s=0.1 * (i + 1), spent_s=0.1, outcome=SENT,
                      reached_at_s=None) for i, m in enumerate(messages)])
    progress = stats.progress(1.0, 1.0)
    recipients = Recipients(CARRIERS)
    att = sum(recipients.of(m) == 0 for m in messages)
    assert [(c.name, c.sent) for c in progress.carriers] == [
        ("att", att), ("other", 10 - att)]


def test_the_carrier_table_has_each_ones_settings_counts_and_cap_held(
        ) -> None:
    table = carrier_table(
        CARRIERS, (CarrierCounts("att", 1400, 0, 0, 0),
                   CarrierCounts("other", 2091, 9, 0, 9)),
        Limits(10.0, (0.0,) * 6, (("att", 9.0), ("other", 0.0))))
    assert table.rows == (
        ("att", "40.0%", "75/s", "-", "1,400", "0", "0", "0", "90.0%"),
        ("other", "60.0%", "-", "9", "2,091", "9", "9", "0", "0.0%"))


def test_the_page_of_a_run_with_carriers_has_their_table(
        tmp_path: Path) -> None:
    page = tmp_path / "run.html"
    status, _, _ = run_main("500", "20", "0.01", "0", "0", "--carriers",
                            "att=40%,cap=75/s", "--carriers", "other=60%",
                            "--speed", "max", "--seed", "1", "--report",
                            str(page))
    assert status == 0
    html = page.read_text()
    assert "<h2>Carriers</h2>" in html and "<td>att</td>" in html
    assert "limited by" in html


SMALL = ("350", "20", "0.01", "0", "0", "--carriers", "att=40%,cap=20/s",
         "--carriers", "other=60%", "--seed", "1", "--jobs", "1", "--json")


def test_a_sweep_sets_a_carriers_cap_and_daily_cap() -> None:
    status, out, _ = run_main(*SMALL, "--sweep", "att.cap=10,20,40")
    assert status == 0
    lines = [json.loads(line) for line in out.splitlines()]
    sweep = [line for line in lines if line["event"] == "sweep"]
    assert [line["value"] for line in sweep] == [10, 20, 40]
    # AT&T's 140 or so, at the cap: the run's length halves as it doubles.
    ends = [line["last_sent_s"] for line in sweep]
    assert ends[0] == pytest.approx(2 * ends[1], rel=0.02)
    assert ends[1] == pytest.approx(2 * ends[2], rel=0.05)
    status, out, _ = run_main(*SMALL, "--sweep", "att.daily=50")
    (daily,) = [line for line in map(json.loads, out.splitlines())
                if line["event"] == "sweep"]
    assert daily["value"] == 50 and daily["carriers"][0]["sent"] == 50


def test_name_fail_is_a_carriers_or_else_a_routes() -> None:
    # att.fail: the carrier's drops; primary.fail: the route's failure
    # rate (no carrier has that name); each swept to 0 and to half.
    status, out, _ = run_main(*SMALL, "--sweep", "att.fail=0,0.5")
    assert status == 0
    sweep = [line for line in map(json.loads, out.splitlines())
             if line["event"] == "sweep"]
    assert sweep[0]["failed"] == 0
    assert sweep[1]["carriers"][0]["failed"] > 0 == \
        sweep[1]["carriers"][1]["failed"]
    status, out, _ = run_main(
        "400", "0", "--senders", "name=primary,count=4,mean=0.01,fail=0.1",
        "--senders", "name=backup,count=2,mean=0.02,fail=0", "--seed", "1",
        "--json", "--sweep", "primary.fail=0,0.5")
    assert status == 0
    sweep = [line for line in map(json.loads, out.splitlines())
             if line["event"] == "sweep"]
    assert [line["failed"] for line in sweep][0] == 0
    routes = {route["name"]: route for route in sweep[1]["routes"]}
    assert routes["primary"]["failed"] > 0 == routes["backup"]["failed"]
    status, _, err = run_main("400", "0", "--senders",
                              "name=primary,count=4,mean=0.01",
                              "--sweep", "nope.fail=0,0.5")
    assert status == 2 and "must be a route's (routes: primary) or a " \
        "carrier's name (carriers: none), got 'nope'" in err


def test_a_share_swept_may_be_written_as_percentages() -> None:
    """``fail`` and ``permanent`` sweep percentages as their specs take
    them: the same sweep as the fractions."""
    for name in ("att.fail", "fail", "permanent"):
        values = {}
        for written in ("5%,50%", "0.05,0.5", "5%..50%/45%"):
            status, out, _ = run_main(*SMALL, "--sweep", f"{name}={written}")
            assert status == 0
            values[written] = [line["value"] for line in map(
                json.loads, out.splitlines()) if line["event"] == "sweep"]
        assert values["5%,50%"] == values["5%..50%/45%"] \
            == values["0.05,0.5"] == [0.05, 0.5]


def test_a_search_solves_for_a_carriers_cap() -> None:
    status, out, _ = run_main(*SMALL, "--target", "0.95@5s", "--solve",
                              "att.cap")
    assert status == 0
    target = json.loads(out.splitlines()[-2])
    # AT&T's messages past 95% of all must start by 5 s: some 30/s.
    assert target["event"] == "target" and target["met"]
    assert 20 < target["value"] < 40


@pytest.mark.parametrize("args, message", [
    (("--sweep", "vz.cap=1,2"),
     "argument --sweep: vz.cap: must be a carrier's name (carriers: att, "
     "other), got 'vz'"),
    (("--solve", "other.cap", "--target", "0.9@1m"),
     "argument --solve: other.cap starts from its setting; give cap= on "
     "carrier other"),
    (("--solve", "att.daily", "--target", "0.9@1m"),
     "argument --solve: must be one of senders, tps, max-rate (with --fit, "
     "fail, permanent, carrier-mean, mean, deadline too), ROUTE.count, "
     "ROUTE.tps or CARRIER.cap (with --fit, ROUTE.mean and ROUTE.down "
     "too), got 'att.daily'"),
    (("--sweep", "att.daily=0"),
     "argument --sweep: att.daily=0: must be an integer from 1 to "
     "1,000,000,000,000, got 0"),
])
def test_a_carriers_setting_a_plan_cannot_take_is_one_line(
        args: tuple[str, ...], message: str) -> None:
    status, out, err = run_main(*SMALL, *args)
    assert (status, out) == (2, "")
    assert err.splitlines()[-1] == f"start.py: error: {message}"
