"""The command line of shapes, the carrier, replications, sweeps and
target searches (``options.py``, ``plans.py``, ``plan_figures.py``): its
rules, each broken one a line and status 2, and what a plan writes, in
text and in JSON.  Plans here run in this process (``--jobs 1``), a few
hundred messages each; ``test_plans_end_to_end.py`` runs the program
itself."""
from __future__ import annotations

import errno
import json
import math
import os
import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sms_sim.cli import main as cli
from sms_sim.cli.options import Options, parse_options
from sms_sim.cli.parser import build_parser
from sms_sim.cli.status import ExitStatus
from sms_sim.measure.checks import Goal, min_reached
from sms_sim.measure.curve import Mark, marks
from sms_sim.measure.progress import GroupCounts
from sms_sim.measure.summary import Checkpoint, Summary
from sms_sim.model import measurements
from sms_sim.model.config import SenderGroup
from sms_sim.model.latency import Latency
from sms_sim.output.html import pages
from sms_sim.output.json import plan_json
from sms_sim.output.plan_figures import (PlanReport, PlanStatus, cell_text,
                                         columns)
from sms_sim.output.text.plan import plan_lines, status_frame, status_line
from sms_sim.output.text.style import PLAIN
from sms_sim.plan.cells import Cell
from sms_sim.plan.pool import Runs
from sms_sim.plan.replications import evaluate, replication_seeds
from sms_sim.plan.search import Search
from sms_sim.plan.settings import with_value
from sms_sim.plan.target import Target

ROOT = Path(__file__).resolve().parent.parent
SEND_TIMES = str(ROOT / "examples" / "send_times.txt")
STAT = {"mean", "low", "high", "min", "max"}
SMALL = ["200", "2", "0.01", "0.005", "0.1", "--jobs", "1"]
"""200 messages, 2 senders of 10 ms +- 5 ms, 10% failing: about 1 s
simulated, a few milliseconds of work."""
REAL = {"elapsed_s", "max_lag_s"}
"""The fields of a summary that are real time, not simulated."""


def parse(*argv: str) -> Options:
    return parse_options(build_parser("start.py"), list(argv))


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one line a malformed invocation gets, after the usage, with
    status 2 and nothing on standard output."""
    with pytest.raises(SystemExit) as caught:
        parse_options(build_parser("start.py"), argv)
    assert caught.value.code == ExitStatus.USAGE
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    *usage, error = err.splitlines()
    assert usage[0].startswith("usage: start.py ")
    prefix = "start.py: error: "
    assert error.startswith(prefix)
    return error[len(prefix):]


def main(argv: Sequence[str], monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The program run here: its status and its standard output, after
    checking that it wrote nothing to standard error but, with a report,
    the line that confirms it."""
    monkeypatch.setattr("sys.argv", ["start.py"])
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    report = list(argv)[list(argv).index("--report") + 1] \
        if "--report" in argv else None
    assert err == ("" if report is None
                   else f"sms-sim: report written to {report}\n")
    return status, out


def json_main(argv: Sequence[str], monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]
              ) -> tuple[int, list[dict[str, Any]]]:
    """The program's status and its JSON lines, progress, the scenario and
    a plan's closing line left out (``test_a_plans_last_line_closes_it``
    has it)."""
    status, out = main([*argv, "--json"], monkeypatch, capsys)
    lines = [json.loads(line) for line in out.splitlines()]
    return status, [line for line in lines
                    if line["event"] not in ("progress", "scenario", "plan")]


def summary_keys(monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str], *argv: str) -> set[str]:
    """The fields of one run's summary, as ``--json`` writes it."""
    _, lines = json_main([*SMALL, "--speed", "max", *argv], monkeypatch,
                         capsys)
    (summary,) = lines
    return set(summary) - {"event"}


# The rules of the command line: a line each, status 2.

RULES: list[tuple[list[str], str]] = [
    # issue 18's examples
    (["--target", "1.5@10m", "--solve", "senders"], "argument --target: "
     "'1.5@10m': SHARE must be a number > 0 and at most 1, got 1.5"),
    (["--target", "0.9", "--solve", "senders"], "argument --target: must be "
     "SHARE@TIME (0.95@20m), got '0.9'"),
    (["--target", "0.9@-1", "--solve", "senders"], "argument --target: "
     "'0.9@-1': TIME must be a time > 0 and at most 1e9 s, in seconds or "
     "with s, m or h (20m), got '-1'"),
    (["--solve", "senders"], "argument --solve: needs --target (the target "
     "and the setting to solve for go together)"),
    (["--target", "0.9@20m"], "argument --target: needs --solve (the target "
     "and the setting to solve for go together)"),
    (["--sweep", "speed=1,2"], "argument --sweep: must be NAME=V1,V2,... or "
     "NAME=FIRST..LAST/STEP with NAME one of senders, tps, max-rate, "
     "retries, deadline, mean, fail, permanent, carrier-mean, or "
     "ROUTE.count, ROUTE.tps, ROUTE.mean, ROUTE.down, ROUTE.fail, "
     "ROUTE.validity, CARRIER.cap, "
     "CARRIER.daily, CARRIER.fail, CLASS.rate (a second), CLASS.at, "
     "CLASS.validity or CLASS.weight, got 'speed=1,2'"),
    (["--sweep", "senders="], "argument --sweep: 'senders=': no values to "
     "sweep"),
    (["--sweep", "senders=2,4,2"], "argument --sweep: 'senders=2,4,2': a "
     "value is given twice"),
    (["--sweep", "senders=2", "--sweep", "tps=5"], "argument --sweep: may "
     "be given once; a sweep is of one setting"),
    (["--runs", "1"], "argument --runs: must be an integer from 2 to 1,000, "
     "got 1"),
    (["--runs", "1001"], "argument --runs: must be an integer from 2 to "
     "1,000, got 1001"),
    # the rules of plans together
    (["--sweep", "senders=2,4", "--target", "0.9@1", "--solve", "senders"],
     "argument --sweep: a sweep and a --solve search each vary a setting; "
     "give one or the other"),
    (["--runs", "2", "--log", "run.csv"], "argument --log: logs one run; "
     "repeat a run of the plan alone, with its --seed, to log it"),
    (["--sweep", "senders=2,4", "--log", "run.csv"], "argument --log: logs "
     "one run"),
    (["10", "0", "--senders", "2:0.01:0:0", "--sweep", "senders=1,2"],
     "argument --sweep: senders is the positional senders', and num_senders "
     "is 0"),
    (["10", "0", "--senders", "2:0.01:0:0", "--target", "0.9@1", "--solve",
      "tps"], "argument --solve: tps is the positional senders', and "
     "num_senders is 0"),
    (["--target", "0.9@1", "--solve", "tps"], "argument --solve: tps starts "
     "from its setting; give --tps"),
    (["--target", "0.9@1", "--solve", "max-rate"], "argument --solve: "
     "max-rate starts from its setting; give --max-rate"),
    (["--target", "0.9@1", "--solve", "retries"], "argument --solve: "
     "must be one of senders, tps, max-rate (with --fit, fail, permanent, "
     "carrier-mean, mean, deadline too), ROUTE.count, ROUTE.tps or "
     "CARRIER.cap (with --fit, ROUTE.mean and ROUTE.down too), "
     "got 'retries'"),
    # a route's setting: the route must exist, a search starts from it
    (["10", "0", "--senders", "name=a,count=2,mean=0.01", "--sweep",
      "b.count=1,2"], "argument --sweep: b.count: must be a route's name "
     "(routes: a), got 'b'"),
    (["10", "0", "--senders", "name=a,count=2,mean=0.01", "--target",
      "0.9@1",
      "--solve", "a.tps"], "argument --solve: a.tps starts from its "
     "setting; give tps= on route a"),
    (["--target", "0.9@1", "--solve", "a.mean"], "argument --solve: a.mean "
     "is fitted (--fit), not searched"),
    # a value the setting itself refuses, named with the value
    (["--sweep", "senders=2,2.5"], "argument --sweep: 'senders=2,2.5': a "
     "value must be an integer in digits, without a leading 0 (1000 or "
     "1_000: commas separate the values), got '2.5'"),
    (["--sweep", "senders=0,2"], "argument --sweep: senders=0: must be an "
     "integer from 1 to 10,000, got 0"),
    (["--sweep", "tps=0,5"], "argument --sweep: tps=0: must be a finite "
     "number of sends per second >= 1e-06, got 0.0"),
    (["--sweep", "retries=1,101"], "argument --sweep: retries=101: must be "
     "an integer from 0 to 100, got 101"),
    (["10", "4", "0.01", "0.005", "--sweep", "mean=0,0.01"], "argument "
     "--sweep: mean=0: max_deviation must be <= the mean (0 s), got 0.005"),
    (["--sweep", "tps=1,nan"], "argument --sweep: 'tps=1,nan': a "
     "value must be a finite number, got 'nan'"),
    (["--dist", SEND_TIMES, "--sweep", "mean=0.1"], "argument --sweep: "
     "mean=0.1: must be the uniform, normal, exponential or lognormal "
     "shape's: an empirical one has the file's, got 0.1"),
    (["--jobs", "0"], "argument --jobs: must be an integer from 1 to 256, "
     "got 0"),
    (["--min-reached", "0.5"], "argument --min-reached: counts the phones "
     "reached, which needs --carrier-delay"),
    (["--carrier-delay", "exponential:mean=1", "--min-reached", "1.5"],
     "argument --min-reached: '1.5': P must be a number from 0 to 1, got "
     "1.5"),
    (["--carrier-delay", "exponential:mean=1", "--min-reached", "0.5@0"],
     "argument --min-reached: '0.5@0': T must be a time > 0"),
    (["--report", "/nonexistent-dir/out.html"], "argument --report: no such "
     "directory: /nonexistent-dir"),
    # --dist and the positional senders
    (["10", "4", "0.01", "0.001", "--dist", "exponential"], "argument "
     "max_deviation: the exponential shape has its mean alone; leave "
     "max_deviation out"),
    (["10", "4", "0.01", "--dist", f"empirical:file={SEND_TIMES}"],
     "argument mean_processing_time: an empirical shape takes its times "
     "from its file; leave the mean and max_deviation out"),
    (["10", "4", "0.01", "-0.5", "--dist", "normal"], "argument "
     "max_deviation: must be a number of seconds from 0 to 1e9, got -0.5"),
    (["--dist", "empirical"], "argument --dist: 'empirical': the empirical "
     "shape needs file=PATH"),
    (["--dist", "weibull"], "argument --dist: must be uniform, normal, "
     "exponential, lognormal, empirical:file=PATH[,column=NAME] or a file "
     "of measured send times, got 'weibull'"),
    (["--dist", "lognormal:mean=1,sd=1"], "argument --dist: must be "
     "uniform, normal,"),
    (["--dist", ""], "argument --dist: must be uniform, normal, exponential, "
     "lognormal, empirical:file=PATH[,column=NAME] or a file of measured "
     "send times, got ''"),
]


@pytest.mark.parametrize("argv, message", RULES)
def test_a_broken_rule_is_one_line_and_status_2(
        argv: list[str], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error(argv, capsys).startswith(message)


def test_report_to_a_directory_is_refused_before_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error(["--report", str(tmp_path)], capsys) == \
        f"argument --report: {tmp_path} is a directory"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv, message", RULES)
def test_a_broken_rule_ends_the_program_before_anything_runs(
        argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    runs: list[object] = []
    monkeypatch.setattr("sms_sim.run.simulation.run",
                        lambda *args, **kwargs: runs.append(args))
    monkeypatch.setattr("sys.argv", ["start.py"])
    with pytest.raises(SystemExit) as caught:
        cli.main([*argv, "--json"])
    assert caught.value.code == ExitStatus.USAGE and runs == []
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1].startswith(f"start.py: error: {message}")


# Issue 17's bad group specs, and the carrier's, through the command line.

GROUP_ERRORS = [
    ("count=2,mean=1,dist=weibull", "dist must be one of uniform, normal, "
     "exponential, lognormal, empirical, got 'weibull'"),
    ("count=2,dist=lognormal,sd=1", "the lognormal shape needs mean="),
    ("count=2,mean=1,sd=1,dist=exponential", "sd is not for the "
     "exponential shape (it takes mean)"),
    ("count=2,mean=-1", "mean must be a number of seconds from 0 to 1e9, "
     "got -1.0"),
    ("count=2,mean=inf", "mean must be a number of seconds from 0 to 1e9, "
     "got inf"),
    ("count=2,mean=1,sd=nan,dist=normal", "sd must be a number of seconds "
     "from 0 to 1e9, got nan"),
    ("count=2,mean=1,file=t.txt", "file is not for the uniform shape (it "
     "takes mean, dev)"),
    ("count=2,mean=1,mean=2", "mean is given twice"),
    ("count=2,mean=1,shape=normal", "unknown key 'shape' (keys: count, "
     "mean, dev, sd, fail, tps, dist, file, column, name, down, detect, "
     "reconnect, preset, validity, window, accept, burst, on-throttle, rtt, "
     "errors, wait-ack)"),
]


@pytest.mark.parametrize("spec, message", GROUP_ERRORS)
def test_a_bad_group_spec_names_its_key(
        spec: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error(["--senders", spec], capsys) == \
        f"argument --senders: {spec!r}: {message}"


@pytest.mark.parametrize("spec, message", [
    ("weibull:mean=8", "must be SHAPE:key=value,... with SHAPE one of "
     "uniform, normal, exponential, lognormal, empirical "
     "(lognormal:mean=8,sd=20), or a file of measurements, got "
     "'weibull:mean=8'"),
    ("lognormal:sd=20", "'lognormal:sd=20': the lognormal shape needs "
     "mean="),
    ("exponential:mean=8,sd=1", "'exponential:mean=8,sd=1': sd is not for "
     "the exponential shape (it takes mean)"),
    ("exponential:mean=-8", "'exponential:mean=-8': mean must be a number "
     "of seconds from 0 to 1e9, got -8.0"),
    ("exponential:mean=nan", "'exponential:mean=nan': mean must be a "
     "number of seconds from 0 to 1e9, got nan"),
    ("lognormal:mean=8,sd=20,file=x", "'lognormal:mean=8,sd=20,file=x': "
     "file is not for the lognormal shape (it takes mean, sd)"),
    ("exponential:mean=8,mean=9", "'exponential:mean=8,mean=9': mean is "
     "given twice"),
    ("exponential:mean=8,shape=x", "'exponential:mean=8,shape=x': unknown "
     "key 'shape' (keys: mean, dev, sd, file, column)")])
def test_a_bad_carrier_delay_names_its_key(
        spec: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error(["--carrier-delay", spec], capsys) == \
        f"argument --carrier-delay: {message}"


# Files of measurements that cannot be used, through each option.

FILE_OPTIONS = [("--carrier-delay", "empirical:file={}"),
                ("--carrier-delay", "{}"),
                ("--senders", "count=1,dist=empirical,file={}"),
                ("--dist", "empirical:file={}"), ("--dist", "{}")]
BAD_FILES = [
    ("", "{path} is empty"),
    ("0.5\n", "{path} has 1 value; at least 2 are needed"),
    ("delay_s\n", "{path} has 0 values; at least 2 are needed"),
    ("0.5\n1.5\nsoon\n", "{path} line 3: 'soon' is not a number of "
     "seconds"),
    ("0.5\n-1.5\n", "{path} line 2: '-1.5' is not from 0 to 1e9"),
    ("delay_s\n0.5\nnan\n", "{path} line 3: 'nan' is not a number of "
     "seconds"),
    ("carrier,delay_s\nA,1\n", "{path} has columns carrier, delay_s: name "
     "the one of seconds with column=NAME")]


@pytest.mark.parametrize("option, spec", FILE_OPTIONS)
@pytest.mark.parametrize("content, message", BAD_FILES)
def test_a_bad_file_of_measurements_is_one_line_naming_the_option(
        option: str, spec: str, content: str, message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "measured.txt"
    path.write_text(content)
    assert usage_error([option, spec.format(path)], capsys) == \
        f"argument {option}: " + message.format(path=repr(str(path)))


@pytest.mark.parametrize("option, spec", FILE_OPTIONS[:1] + FILE_OPTIONS[2:4])
def test_a_file_that_cannot_be_read_is_one_line(
        option: str, spec: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.txt"
    assert usage_error([option, spec.format(missing)], capsys) == \
        f"argument {option}: cannot read {str(missing)!r}: No such file " \
        "or directory"
    assert usage_error([option, spec.format(tmp_path)], capsys) == \
        f"argument {option}: cannot read {str(tmp_path)!r}: Is a directory"
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\x00\xff\xfe")
    assert usage_error([option, spec.format(binary)], capsys) == \
        f"argument {option}: {str(binary)!r} is not a text file"


def test_a_file_of_too_many_lines_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(measurements, "MAX_LINES", 3)  # not 10 million here
    path = tmp_path / "long.txt"
    path.write_text("1\n2\n3\n")
    assert parse("--carrier-delay", str(path)).config.carrier is not None
    path.write_text("1\n2\n3\n4\n")
    assert usage_error(["--carrier-delay", str(path)], capsys) == \
        f"argument --carrier-delay: {str(path)!r} has more than 3 lines"


# What the options are read as.

@pytest.mark.parametrize("argv, send", [
    ([], Latency.uniform(0.01, 0.005)),
    (["10", "4", "0.02", "0.01", "--dist", "uniform"],
     Latency.uniform(0.02, 0.01)),
    (["10", "4", "0.02", "0.01", "--dist", "normal"],
     Latency.normal(0.02, 0.01)),  # max_deviation is the sd
    (["10", "4", "0.02", "--dist", "lognormal"],
     Latency.lognormal(0.02, 0.01)),  # half the mean unless given
    (["10", "4", "0.02", "--dist", "exponential"], Latency.exponential(0.02)),
    (["--dist", "exponential"], Latency.exponential(0.01)),
    (["--dist", "EXPONENTIAL"], Latency.exponential(0.01))])  # as max
def test_dist_shapes_the_positional_senders(argv: list[str],
                                            send: Latency) -> None:
    assert parse(*argv).config.groups[0].send == send


@pytest.mark.parametrize("dist", [SEND_TIMES, f"empirical:file={SEND_TIMES}"])
def test_dist_of_measured_send_times(dist: str) -> None:
    send = parse("10", "4", "--dist", dist).config.groups[0].send
    assert send.shape == "empirical" and send.source == SEND_TIMES
    assert len(send.table) == 400


@pytest.mark.parametrize("dist", ["uniform", "normal", "lognormal",
                                  "exponential"])
def test_a_swept_mean_given_alone_takes_its_spread_as_a_mean_alone_does(
        dist: str) -> None:
    """Half of each swept mean, as ``start.py 10 4 1m`` has: a row of the
    sweep is then the run of its value alone."""
    options = parse("10", "4", "0.01", "--dist", dist,
                    "--sweep", "mean=0.02,1m")
    assert options.sweep is not None and options.sweep.spread_follows
    for value, alone in ((0.02, "0.02"), (60.0, "1m")):
        swept = with_value(options.config, "mean", value, True)
        assert swept.groups == parse("10", "4", alone, "--dist",
                                     dist).config.groups


def test_the_setting_to_solve_is_named_in_any_case() -> None:
    assert parse("--target", "0.9@1", "--solve", "Senders").solve == \
        "senders"


def test_a_swept_mean_keeps_the_spread_given() -> None:
    options = parse("10", "4", "0.01", "0.001", "--sweep", "mean=0.02")
    assert options.sweep is not None and not options.sweep.spread_follows
    assert with_value(options.config, "mean", 0.02).groups[0].send == \
        Latency.uniform(0.02, 0.001)


def test_named_groups_and_the_carrier_delay_join_the_config() -> None:
    config = parse("10", "2", "--senders",
                   "count=3,mean=0.05,sd=0.02,dist=lognormal,tps=5",
                   "--senders", "1:0.01:0:0.5",
                   "--carrier-delay", "lognormal:mean=8,sd=20").config
    assert config.groups[1:] == (
        SenderGroup(3, Latency.lognormal(0.05, 0.02), 0.1, 5.0),
        SenderGroup.uniform(1, 0.01, 0.0, 0.5))
    assert config.carrier == Latency.lognormal(8.0, 20.0)
    assert parse().config.carrier is None


def test_plans_run_unpaced_unless_a_speed_is_given() -> None:
    assert parse().config.speed == 1.0
    for plan in (["--runs", "2"], ["--sweep", "senders=2,4"],
                 ["--target", "0.9@1", "--solve", "senders"]):
        options = parse(*plan)
        assert options.plan and options.config.speed == math.inf
        assert parse(*plan, "--speed", "5").config.speed == 5.0
    assert not parse().plan


def test_jobs_default_to_the_machines_cpus() -> None:
    assert parse().jobs == (os.cpu_count() or 1)
    assert parse("--jobs", "3").jobs == 3


def test_the_plans_settings_are_kept() -> None:
    options = parse("--runs", "5", "--sweep", "deadline=1m..3m/1m",
                    "--min-delivered", "0.9")
    assert options.runs == 5 and options.min_delivered == Goal(0.9)
    assert options.sweep is not None
    assert (options.sweep.name, options.sweep.values) == \
        ("deadline", (60.0, 120.0, 180.0))
    search = parse("--target", "0.95@20m", "--solve", "senders")
    assert (search.target, search.solve) == (Target(0.95, 1200.0), "senders")


def test_the_moments_counted_exactly_are_the_targets_and_the_checks(
        ) -> None:
    carrier = ["--carrier-delay", "exponential:mean=1"]
    assert parse().checkpoints == ()
    assert parse(*carrier, "--min-reached", "0.5").checkpoints == ()
    assert parse(*carrier, "--min-reached", "0.5@2m").checkpoints == (120.0,)
    assert parse(*carrier, "--min-reached", "0.5@2m", "--target", "0.9@30",
                 "--solve", "senders").checkpoints == (30.0, 120.0)
    assert parse(*carrier, "--min-reached", "0.5@2m", "--target", "0.9@2m",
                 "--solve", "senders").checkpoints == (120.0,)  # once


# The command line that repeats the run.

def test_the_command_repeats_the_run_with_the_seed_it_drew() -> None:
    options = parse("300", "--runs", "2", "--report", "my report.html")
    seed = options.config.seed
    assert seed is not None
    assert options.command == ("python3 start.py 300 --runs 2 --report "
                               f"'my report.html' --seed {seed}")
    again = parse(*shlex.split(options.command)[2:])
    assert again.config == options.config and again.command == \
        options.command


def test_a_given_seed_is_not_repeated_in_the_command() -> None:
    options = parse("--senders", "count=2,mean=0.1", "--seed", "7")
    assert options.command == \
        "python3 start.py --senders count=2,mean=0.1 --seed 7"


def test_the_command_names_the_program_as_run() -> None:
    parser = build_parser("python3 -m sms_sim")
    options = parse_options(parser, ["--seed", "1"])
    assert options.command == "python3 -m sms_sim --seed 1"


# Replications.

def test_replications_write_a_run_line_each_and_one_summary(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = json_main([*SMALL, "--runs", "3", "--seed", "5"],
                              monkeypatch, capsys)
    assert status == ExitStatus.OK
    *runs, summary = lines
    seeds = replication_seeds(5, 3)
    assert [(run["event"], run["index"], run["seed"]) for run in runs] == \
        [("run", i, seed) for i, seed in enumerate(seeds)]
    keys = summary_keys(monkeypatch, capsys)
    assert all(set(run) == keys | {"event", "index"} for run in runs)
    assert summary["event"] == "replications" and summary["runs"] == 3
    assert summary["seeds"] == seeds
    assert set(summary) == {"event", "runs", "runs_planned", "interrupted",
                            "seeds",
                            "sim_elapsed_s", "delivery_s", "sent_share",
                            "failed_share", "expired_share"}
    assert summary["interrupted"] is False
    assert set(summary["delivery_s"]) == {"p50", "p90", "p95", "p99"}
    durations = [run["sim_elapsed_s"] for run in runs]
    duration = summary["sim_elapsed_s"]
    assert set(duration) == STAT
    assert (duration["min"], duration["max"]) == (min(durations),
                                                  max(durations))
    assert duration["mean"] == pytest.approx(sum(durations) / 3, abs=1e-6)
    assert duration["low"] < duration["mean"] < duration["high"]
    sent = [run["sent"] / run["total"] for run in runs]
    assert summary["sent_share"]["mean"] == pytest.approx(sum(sent) / 3,
                                                          abs=1e-6)
    assert summary["expired_share"] == dict.fromkeys(STAT, 0.0)


def test_a_percentile_some_runs_missed_says_how_many_reached_it(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """With 10% failing, some runs send 90% of the messages and some do
    not; none sends 95%."""
    _, lines = json_main([*SMALL, "--runs", "4", "--seed", "11"],
                         monkeypatch, capsys)
    *runs, summary = lines
    p90s = [run["delivery_s"]["p90"] for run in runs]
    reached = [p for p in p90s if p is not None]
    assert 0 < len(reached) < len(runs)  # what this test is about
    p90 = summary["delivery_s"]["p90"]
    assert set(p90) == STAT | {"reached_in"}
    assert p90["reached_in"] == len(reached)
    assert (p90["min"], p90["max"]) == (min(reached), max(reached))
    assert p90["mean"] == pytest.approx(sum(reached) / len(reached),
                                        abs=1e-6)
    assert all(run["delivery_s"]["p95"] is None for run in runs)
    assert summary["delivery_s"]["p95"] is None
    assert set(summary["delivery_s"]["p50"]) == STAT  # every run had it


def test_replications_with_a_carrier_summarise_the_reached_times(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, lines = json_main([*SMALL, "--runs", "2", "--seed", "5",
                          "--carrier-delay", "exponential:mean=1"],
                         monkeypatch, capsys)
    *runs, summary = lines
    assert set(summary["reached_s"]) == {"p50", "p90", "p95", "p99"}
    p50s = [run["reached_s"]["p50"] for run in runs]
    assert summary["reached_s"]["p50"]["min"] == min(p50s)
    assert all(run["reached"] == run["sent"] for run in runs)


def test_replications_in_text_give_each_figures_interval(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out = main([*SMALL, "--runs", "4", "--seed", "11"], monkeypatch,
                       capsys)
    assert status == ExitStatus.OK
    lines = out.splitlines()
    title = next(i for i, line in enumerate(lines)
                 if line.startswith("SMS alert simulation: 4 runs: "))
    assert lines[title].endswith(", base seed 11")
    assert lines[title + 1].split() == ["mean", "95%", "interval", "min",
                                        "max"]
    headings = [line[:12].strip() for line in lines[title + 2:title + 10]]
    assert headings == ["duration", "50% by", "90% by", "95% by", "99% by",
                        "sent", "failed", "expired"]
    assert re.search(r"90% by +\S+ s \(\d/4\) ", out)  # some runs only
    assert re.search(r"95% by +- +never +- +-$", out, re.MULTILINE)
    seeds = [str(seed) for seed in replication_seeds(11, 4)]
    match = re.search(r"shortest run: seed (\d+) .*longest: seed (\d+) .*"
                      r"repeat one alone with --seed$", out, re.MULTILINE)
    assert match and set(match.groups()) <= set(seeds)


def test_a_check_over_replications_names_the_runs_it_failed_in(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*SMALL, "--runs", "4", "--seed", "11", "--min-delivered", "0.9"]
    status, lines = json_main(argv, monkeypatch, capsys)
    assert status == ExitStatus.CHECK_FAILED
    *runs, _ = lines
    failed = [run["seed"] for run in runs
              if run["sent"] / run["total"] < 0.9]
    assert 0 < len(failed) < 4
    for run in runs:
        (check,) = run["checks"]
        assert check == {"name": "min_delivered",
                         "ok": run["seed"] not in failed,
                         "value": run["sent"] / run["total"], "limit": 0.9}
    status, out = main(argv, monkeypatch, capsys)
    assert status == ExitStatus.CHECK_FAILED
    assert out.splitlines()[-1] == (
        f"  check min_delivered: failed in {len(failed)} of 4 runs ("
        + ", ".join(f"seed {seed}" for seed in failed) + ")")
    status, _ = json_main([*argv[:-1], "0.5"], monkeypatch, capsys)
    assert status == ExitStatus.OK


# Sweeps.

def test_a_sweep_writes_a_line_per_value_with_the_summarys_fields(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = json_main([*SMALL, "--sweep", "senders=4,2",
                               "--seed", "3"], monkeypatch, capsys)
    assert status == ExitStatus.OK
    assert [(line["event"], line["name"], line["value"]) for line in lines] \
        == [("sweep", "senders", 4), ("sweep", "senders", 2)]
    keys = summary_keys(monkeypatch, capsys)
    assert all(set(line) == keys | {"event", "name", "value"}
               for line in lines)
    assert [len(line["groups"]) for line in lines] == [1, 1]
    assert [line["groups"][0]["senders"] for line in lines] == [4, 2]
    assert all(line["seed"] == 3 for line in lines)
    fast, slow = lines
    assert fast["sim_elapsed_s"] < slow["sim_elapsed_s"]


def test_a_sweep_with_runs_gives_each_value_its_statistics(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, lines = json_main([*SMALL, "--sweep", "max-rate=100,400", "--runs",
                          "2", "--seed", "3"], monkeypatch, capsys)
    seeds = replication_seeds(3, 2)
    assert [line["value"] for line in lines] == [100, 400]
    for line in lines:
        assert (line["event"], line["name"], line["runs"],
                line["runs_planned"], line["seeds"]) == \
            ("sweep", "max-rate", 2, 2, seeds)
        assert set(line) == {"event", "name", "value", "runs",
                             "runs_planned", "seeds", "sim_elapsed_s",
                             "delivery_s", "sent_share", "failed_share",
                             "expired_share"}
        assert set(line["sim_elapsed_s"]) == STAT
    capped, freer = lines
    # 200 messages at 100 a second take 2 s at least.
    assert capped["sim_elapsed_s"]["min"] >= 1.99
    assert freer["sim_elapsed_s"]["max"] < capped["sim_elapsed_s"]["min"]


def test_a_sweep_in_text_is_a_table_of_a_row_per_value(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out = main([*SMALL, "--sweep", "deadline=0.5,1m", "--seed",
                        "3"], monkeypatch, capsys)
    assert status == ExitStatus.OK
    lines = out.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith(
        "SMS alert simulation: a sweep of deadline over 2 values: "))
    assert lines[title + 1].split() == [
        "deadline", "duration", "50%", "by", "90%", "by", "95%", "by", "99%",
        "by", "sent", "failed", "expired"]
    rows = lines[title + 2:]
    assert [row.split()[0] for row in rows] == ["500.00", "1m00s"]
    expired = [float(row.split()[-1].rstrip("%")) for row in rows]
    assert expired[0] > 0 and expired[1] == 0  # the deadline cut the first


def test_replications_of_no_messages_say_never_only_of_moments(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """No message: no share of them was sent ("-"), and no moment was
    reached ("never")."""
    status, out = main(["0", "2", "0.01", "--runs", "2", "--seed", "1",
                        "--jobs", "1"], monkeypatch, capsys)
    assert status == ExitStatus.OK
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()
            if line.startswith("  ")}
    assert rows["sent"] == rows["failed"] == rows["expired"] == ["-"] * 4
    assert rows["50%"] == ["by", "-", "never", "-", "-"]


def test_a_sweep_with_runs_in_text_gives_means_and_half_intervals(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, lines = json_main([*SMALL, "--sweep", "tps=50,100", "--runs", "3",
                          "--seed", "3"], monkeypatch, capsys)
    status, out = main([*SMALL, "--sweep", "tps=50,100", "--runs", "3",
                        "--seed", "3"], monkeypatch, capsys)
    assert status == ExitStatus.OK
    rows = out.splitlines()[-2:]
    assert [row.split()[0] for row in rows] == ["50/s", "100/s"]
    for row, line in zip(rows, lines):
        duration = line["sim_elapsed_s"]
        mean, unit, half, half_unit = row.split()[1:5]
        assert (unit, half_unit) == ("s", "ms")
        assert float(mean) == pytest.approx(duration["mean"], abs=5e-4)
        assert half.startswith("+-") and float(half[2:]) == pytest.approx(
            (duration["high"] - duration["low"]) / 2 * 1e3, abs=0.01)
        p90 = line["delivery_s"]["p90"]  # some runs only, with this seed
        assert f" ({p90['reached_in']}/3) " in row
        # Nothing expired: a half width of 0 in the share's own form.
        assert row.split()[-2:] == ["0.00%", "+-0.00%"]


def test_a_table_too_wide_for_the_terminal_becomes_lines_of_fields(
        ) -> None:
    config = parse(*SMALL, "--speed", "max", "--seed", "3").config
    values = [2.0, 4.0]
    with Runs(1) as runs:
        cells = evaluate(runs, [with_value(config, "senders", value)
                                for value in values], values, [3], ())
    report = PlanReport("sweep", tuple(cells), "senders", (), False, 1.0,
                        math.inf, 3)
    wide = plan_lines(report, None, PLAIN)
    assert len(wide[1]) > 60  # the heading row of the table
    narrow = plan_lines(report, 60, PLAIN)
    assert all(len(line) <= 60 for line in narrow)
    text = " ".join(" ".join(narrow).split())
    for cell, value in zip(cells, ("2", "4")):
        figures = [f"{column.heading} {cell_text(cell, column)}"
                   for column in columns(False)]
        assert f"{value}: {' '.join(figures)}" in text


def test_a_sweep_interrupted_before_any_value_ran_says_so() -> None:
    report = PlanReport("sweep", (), "senders", (), False, 2.9, math.inf,
                        3, interrupted=True)
    assert plan_lines(report, None, PLAIN)[1:] == [
        "  interrupted before any value of senders finished"]  # not a heading


def test_each_value_of_a_sweep_has_its_own_checks(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Every value runs with the same seed: a value's checks are its own
    run's, not those of another value with that seed."""
    status, lines = json_main(
        [*SMALL[:4], "0", *SMALL[5:], "--deadline", "0.5", "--sweep",
         "senders=1,8", "--min-delivered", "0.9", "--seed", "3"],
        monkeypatch, capsys)
    assert status == ExitStatus.CHECK_FAILED
    for line in lines:
        sent = line["sent"] / line["total"]
        assert line["checks"] == [{"name": "min_delivered",
                                   "ok": sent >= 0.9, "value": sent,
                                   "limit": 0.9}]
    assert [line["checks"][0]["ok"] for line in lines] == [False, True]


# Target searches.

SEARCH = ["300", "1", "0.01", "0.005", "0", "--jobs", "1", "--seed", "7",
          "--solve", "senders"]
"""No sends fail: 90% by 0.5 s needs some senders, and more make it."""


def test_a_search_writes_its_candidates_then_its_answer(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = json_main([*SEARCH, "--target", "0.9@0.5s"],
                              monkeypatch, capsys)
    assert status == ExitStatus.OK
    *tried, answer = lines
    assert answer == {"event": "target", "name": "senders",
                      "value": answer["value"], "share": 0.9, "by_s": 0.5,
                      "met": True, "interrupted": False}
    assert isinstance(answer["value"], int)  # senders are counted
    keys = summary_keys(monkeypatch, capsys)
    for line in tried:
        assert (line["event"], line["name"]) == ("sweep", "senders")
        assert set(line) == keys | {"event", "name", "value", "met",
                                    "target_share"}
        assert line["met"] == (line["target_share"] >= 0.9)
    met = {line["value"]: line["met"] for line in tried}
    assert tried[0]["value"] == 1  # from the setting
    assert met[answer["value"]] and met[answer["value"] - 1] is False
    assert all(not ok for value, ok in met.items() if value < answer["value"])


def test_a_search_in_text_is_a_table_and_an_answer(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, lines = json_main([*SEARCH, "--target", "0.9@0.5s"], monkeypatch,
                         capsys)
    value = int(lines[-1]["value"])
    status, out = main([*SEARCH, "--target", "0.9@0.5s"], monkeypatch,
                       capsys)
    assert status == ExitStatus.OK
    text = out.splitlines()
    head = next(i for i, line in enumerate(text)
                if line.split()[:3] == ["senders", "duration", "by"])
    rows = text[head + 1:-1]
    assert [row.split()[0] for row in rows] == \
        [str(int(line["value"])) for line in lines[:-1]]
    assert all(row.endswith((" met", " not met")) for row in rows)
    assert text[-1] == (f"  answer: senders {value} is the least that "
                        "delivers 90% by 500.00 ms")


def test_a_search_with_no_answer_says_why_and_exits_3(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A tenth of the sends fail: no number of senders delivers 95%."""
    failing = [*SEARCH[:4], "0.1", *SEARCH[5:]]
    status, lines = json_main([*failing, "--target", "0.95@1"], monkeypatch,
                              capsys)
    assert status == ExitStatus.CHECK_FAILED
    assert lines[-1] == {"event": "target", "name": "senders", "value": None,
                         "share": 0.95, "by_s": 1.0, "met": False,
                         "interrupted": False}
    assert not any(line["met"] for line in lines[:-1])
    status, out = main([*failing, "--target", "0.95@1"], monkeypatch, capsys)
    assert status == ExitStatus.CHECK_FAILED
    assert out.splitlines()[-1] == (
        "  answer: no value of senders delivers 95% by 1.000 s (more of it "
        "stopped helping: the most that can ever be sent is 89.7% of all "
        "messages, the rest failing or expiring)")


def test_an_interrupted_search_gives_the_least_met_so_far_as_such() -> None:
    report = PlanReport(
        "target", (), "max-rate", (), False, 3.0, math.inf, 3,
        target=Target(0.95, 900.0),
        search=Search((), 125.0, "interrupted"), interrupted=True)
    assert report.answer() == (
        "answer: interrupted; max-rate 125/s is the least tried that "
        "delivers 95% by 15m00s, not narrowed down")
    assert plan_json(report)[-2] == {
        "event": "target", "name": "max-rate", "value": 125.0,
        "share": 0.95, "by_s": 900.0, "met": True, "interrupted": True}


def test_a_plans_last_line_closes_it(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out = main([*SMALL, "--sweep", "senders=1,2", "--runs", "2",
                        "--seed", "3", "--json"], monkeypatch, capsys)
    assert status == ExitStatus.OK
    closing = json.loads(out.splitlines()[-1])
    assert closing.pop("elapsed_s") > 0
    assert closing == {"event": "plan", "kind": "sweep", "runs": 4,
                       "runs_planned": 4, "interrupted": False}


def test_an_interrupted_sweep_says_how_many_runs_each_value_had(
        ) -> None:
    """Cut short with one of three runs of a value done, and two of
    another, and none of a third: each partial value says so, in JSON as
    in text, never passing for a plain run; the closing line says the
    plan was interrupted."""
    config = parse(*SMALL, "--speed", "max", "--seed", "3").config
    values = [2.0, 4.0, 8.0]
    with Runs(1) as runs:
        whole = evaluate(runs, [with_value(config, "senders", value)
                                for value in values], values, [3, 4, 5], ())
    cells = [Cell(cell.value, cell.runs[:done])
             for cell, done in zip(whole, (1, 2, 0))]
    report = PlanReport("sweep", tuple(cells), "senders",
                        tuple((seed, ()) for cell in cells
                              for seed, _ in cell.runs),
                        False, 1.0, math.inf, 3, interrupted=True,
                        per_value=3, planned=9)
    *lines, closing = plan_json(report)
    assert [(line["value"], line["runs"], line["runs_planned"],
             line["seeds"]) for line in lines] == [(2, 1, 3, [3]),
                                                   (4, 2, 3, [3, 4])]
    assert all("interrupted" not in line and "sent_share" in line
               for line in lines)
    assert {key: closing[key] for key in ("event", "runs", "runs_planned",
                                          "interrupted")} == \
        {"event": "plan", "runs": 3, "runs_planned": 9, "interrupted": True}
    rows = [line.split()[:3] for line in plan_lines(report, None, PLAIN)
            if line.startswith("  ") and line.split()[0] in ("2", "4")]
    assert rows == [["2", "(1/3", "runs)"], ["4", "(2/3", "runs)"]]


def test_a_search_with_a_carrier_counts_the_phones_reached(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out = main([*SEARCH, "--target", "0.5@2", "--carrier-delay",
                        "exponential:mean=1"], monkeypatch, capsys)
    assert status == ExitStatus.OK
    assert re.search(r"^  answer: senders \d+ is the least that reaches 50% "
                     r"by 2\.000 s$", out, re.MULTILINE)


# Progress over the runs.

@pytest.mark.parametrize("done, total, elapsed, eta", [
    (0, 4, 1.0, None), (1, 4, 3.0, 9.0), (2, 4, 10.0, 10.0),
    (4, 4, 5.0, None), (3, None, 5.0, None)])
def test_the_eta_is_the_pace_of_the_runs_done(
        done: int, total: int | None, elapsed: float,
        eta: float | None) -> None:
    assert PlanStatus(done, total, elapsed).eta_s == eta


def test_a_progress_line_counts_the_runs() -> None:
    assert status_line(PlanStatus(2, 4, 10.0)) == \
        "[  10.0s] runs 2/4 (50%)  eta 10.0s"
    assert status_line(PlanStatus(3, None, 75.0)) == \
        "[  1m15s] runs 3  eta -"  # a search does not know how many


def test_the_terminals_frame_is_a_bar_of_the_runs_done() -> None:
    for width, bar in ((100, 40), (80, 36)):  # at most 40 wide
        frame = status_frame(PlanStatus(1, 4, 10.0), width, PLAIN)
        match = re.fullmatch(r"sms-sim (#*)(-*) runs 1/4  elapsed 10.0s  "
                             r"eta 30.0s", frame)
        assert match and len(frame) <= width
        done, left = (len(part) for part in match.groups())
        assert (done + left, done) == (bar, round(bar / 4))


def test_a_narrow_frame_shows_whole_fields_only() -> None:
    """Fields are left out from the end, never cut: a cut "10." would
    read as ten seconds."""
    shown = set()
    for width in range(len("sms-sim  runs 2/4"), 60):
        frame = status_frame(PlanStatus(2, 4, 10.0), width, PLAIN)
        assert len(frame) <= width
        head, fields = frame.split(" runs 2/4")
        assert set(head) <= set("sms-im #-")
        shown.add(fields)
    assert shown == {"", "  elapsed 10.0s", "  elapsed 10.0s  eta 10.0s"}


def test_plans_report_their_progress_in_json_and_text(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out = main([*SMALL, "--runs", "3", "--json"], monkeypatch, capsys)
    first = json.loads(out.splitlines()[1])  # after the scenario
    assert set(first) == {"event", "runs_done", "runs", "elapsed_s",
                          "eta_s"}
    assert (first["event"], first["runs_done"], first["runs"],
            first["eta_s"]) == ("progress", 0, 3, None)
    _, out = main([*SMALL, "--sweep", "senders=2,4", "--runs", "2"],
                  monkeypatch, capsys)
    assert re.fullmatch(r"\[ *\d+\.\ds\] runs 0/4 \(0%\)  eta -",
                        out.splitlines()[0])


# The reach check.

def reached_snapshot(total: int, reached: int,
                     checkpoints: tuple[Checkpoint, ...] = ()) -> Summary:
    group = SenderGroup.uniform(1, 0.01, 0.0, 0.0)
    return Summary(total=total, elapsed_s=1.0, sim_elapsed_s=10.0,
                   groups=(GroupCounts(group, total, total, 0, 0.0),),
                   carrier=True, reached=reached, checkpoints=checkpoints)


def test_min_reached_counts_the_phones_reached_at_the_end_or_by_a_time(
        ) -> None:
    snap = reached_snapshot(100, 95, (Checkpoint(5.0, 100, 80),
                                      Checkpoint(8.0, 100, 90)))
    assert min_reached(snap, 0.95, None).ok
    assert not min_reached(snap, 0.96, None).ok
    by_8 = min_reached(snap, 0.9, 8.0)
    assert (by_8.ok, by_8.value, by_8.figure) == (True, 0.9,
                                                  "reached by 8 s")
    by_5 = min_reached(snap, 0.9, 5.0)
    assert (by_5.ok, by_5.value) == (False, 0.8)
    assert by_5.describe() == (
        "check min_reached FAILED: 80.00% of messages were reached by 5 s, "
        "below the 90% required (short by 10.00 percentage points)")
    assert min_reached(snap, 0.95, None).describe() == (
        "check min_reached passed: 95.00% reached (limit 95%)")
    assert min_reached(reached_snapshot(0, 0), 1.0, None).ok  # nothing due


def test_min_reached_through_the_command_line(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    carrier = ["200", "2", "0.01", "0.005", "0", "--speed", "max",
               "--seed", "3", "--carrier-delay", "exponential:mean=1"]
    status, lines = json_main([*carrier, "--min-reached", "0.5"],
                              monkeypatch, capsys)
    (summary,) = lines
    assert status == ExitStatus.OK and summary["reached"] == 200
    assert summary["checks"] == [{"name": "min_reached", "ok": True,
                                  "value": 1.0, "limit": 0.5}]
    status, lines = json_main([*carrier, "--min-reached", "1.0@1s"],
                              monkeypatch, capsys)
    assert status == ExitStatus.CHECK_FAILED
    ((check,),) = [line["checks"] for line in lines]
    assert check["name"] == "min_reached" and not check["ok"]
    assert 0 < check["value"] < 1
    status, out = main([*carrier, "--min-reached", "1.0@1s"], monkeypatch,
                       capsys)
    assert status == ExitStatus.CHECK_FAILED
    assert f"check min_reached FAILED: {check['value'] * 100:.2f}% of " \
        "messages were reached by 1 s, below the 100% required" in out


# The HTML report of a plan and of a run, written here.

def test_a_plan_writes_its_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.html"
    status, _ = main([*SMALL, "--runs", "2", "--seed", "5", "--report",
                      str(path)], monkeypatch, capsys)
    assert status == ExitStatus.OK
    page = path.read_text()
    assert "<title>sms-sim: 2 runs of 200 messages</title>" in page
    assert f"python3 start.py {' '.join(SMALL)} --runs 2 --seed 5 " \
        f"--report {path}" in page
    sweep = tmp_path / "sweep.html"
    main([*SEARCH, "--target", "0.9@0.5s", "--report", str(sweep)],
         monkeypatch, capsys)
    page = sweep.read_text()
    assert "<title>sms-sim: target of senders, 300 messages</title>" in page
    assert "Values tried of senders" in page
    found = re.search(r"answer: senders (\d+) is the least", page)
    assert found
    # The answer's row, and its curve in the legend, are highlighted.
    assert re.search(f'<tr class="chosen"><td>{found.group(1)}</td>', page)
    assert f"senders={found.group(1)} (the answer)" in page


def test_a_report_that_cannot_be_written_after_the_plan_is_a_fault(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def full_disk(path: str, page: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sms_sim.output.files.write_atomically",
                        full_disk)
    monkeypatch.setattr("sys.argv", ["start.py"])
    path = str(tmp_path / "plan.html")
    assert cli.main([*SMALL, "--runs", "2", "--report", path, "--json"]) \
        == ExitStatus.FAULT
    out, err = capsys.readouterr()
    assert err == (f"sms-sim: cannot write the report {path!r}: No space "
                   "left on device\n")
    assert json.loads(out.splitlines()[-2])["event"] == "replications"


def test_the_pages_settings_name_every_setting() -> None:
    config = parse("1000", "4", "0.02", "0.01", "0.2", "--senders",
                   "count=3,mean=0.05,sd=0.02,dist=lognormal,tps=5",
                   "--carrier-delay", "exponential:mean=8", "--max-rate",
                   "100", "--retries", "2", "--backoff", "0.5:10",
                   "--permanent", "0.25", "--deadline", "20m", "--seed",
                   "3", "--speed", "max").config
    assert pages.settings(config) == (
        ("messages", "1,000"),
        ("group 1", "4 senders, 20ms +- 10ms, 20% failing"),
        ("group 2", "3 senders, lognormal 50ms sd 20ms, 10% failing, at "
         "most 5/s each"),
        ("carrier's delay", "exponential 8s"),
        ("texts", "random printable ASCII, 1 to 100 characters"),
        ("caps count", "messages"),
        ("account cap", "100/s"),
        ("retries", "2, backoff 0.5 s to 10 s, 25% permanent"),
        ("deadline", "20m00s"), ("speed", "max speed"), ("seed", "3"))
    plain = pages.settings(parse("--seed", "3").config)
    assert dict(plain)["account cap"] == "none"
    assert dict(plain)["retries"] == "0" and dict(plain)["deadline"] == \
        "none"
    assert "carrier's delay" not in dict(plain)
    texts = dict(pages.settings(parse(
        "--text-file", "examples/alerts.txt", "--text-order", "random",
        "--count", "segments").config))
    assert (texts["texts"], texts["caps count"]) == (
        "5 given, at random", "segments")


def test_the_curves_mark_the_deadline_and_the_target() -> None:
    deadline = parse("--deadline", "20m").config.gateway.deadline_s
    assert marks(deadline, None) == (Mark("deadline", 1200.0),)
    assert marks(deadline, Target(0.95, 900.0).mark) == (
        Mark("deadline", 1200.0), Mark("target 95%", 900.0))
    assert marks(None, None) == ()


def test_a_runs_report_with_a_carrier_shows_the_phones_reached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.html"
    status, _ = main([*SMALL[:4], "0", "--speed", "max", "--seed", "3",
                      "--carrier-delay", "exponential:mean=1", "--deadline",
                      "5", "--report", str(path)], monkeypatch, capsys)
    assert status == ExitStatus.OK
    page = path.read_text()
    # The stages side by side: sent, and the phones reached.
    assert "<h2>Share of all messages sent, reached the phones</h2>" in page
    assert '<th scope="row">reached the phones</th><td>200 (100.0%)</td>' \
        in page
    assert "<th>reached</th>" in page  # the groups' column
    # Both phases' moments, as the terminal gives them: the sends', the
    # phones', and the last of each.
    rows = dict(re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>',
                           page))
    sent, reached = rows["sent, by share of all"], \
        rows["reached, by share of all"]
    assert sent.startswith("50% by ") and ", last " in sent
    assert reached.startswith("50% by ") and ", last " in reached
    last_sent = sent.rsplit(", last ", 1)[1]
    last_reached = reached.rsplit(", last ", 1)[1]
    assert rows["simulated duration"] == (
        f"{last_sent} to send, {last_reached} to reach the phones")
    # The chart ends with the last phone; the deadline is beyond it.
    assert "<title>deadline 5.000 s (beyond the axis: at its edge)</title>" \
        in page


def test_a_run_writes_its_report_with_the_seed_it_drew(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.html"
    status, out = main([*SMALL, "--speed", "max", "--report", str(path),
                        "--json"], monkeypatch, capsys)
    assert status == ExitStatus.OK
    seed = json.loads(out.splitlines()[-1])["seed"]
    page = path.read_text()
    assert (f"<code>python3 start.py {' '.join(SMALL)} --speed max --report "
            f"{path} --json --seed {seed}</code>") in page
    assert "<title>sms-sim: 200 messages, 2 senders</title>" in page


@pytest.mark.parametrize("sweep, alone", [
    ("fail=0.3", ["200", "2", "0.01", "0.005", "0.3"]),
    ("permanent=1", [*SMALL[:5], "--permanent", "1"]),
    ("carrier-mean=4", [*SMALL[:5], "--carrier-delay",
                        "exponential:mean=4"]),
])
def test_a_sweep_of_a_rate_or_the_carriers_mean_is_its_runs_alone(
        sweep: str, alone: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The failure rate, the permanent share and the carrier's mean delay
    are swept as each run given alone would have them."""
    given = ["--jobs", "1", "--retries", "2", "--seed", "3"]
    carrier = ["--carrier-delay", "exponential:mean=2"]
    status, [line] = json_main([*SMALL[:5], *given, *carrier, "--sweep",
                                sweep], monkeypatch, capsys)
    assert status == ExitStatus.OK
    if "--carrier-delay" not in alone:
        alone = [*alone, *carrier]
    status, lines = json_main([*alone, *given, "--speed", "max"],
                              monkeypatch, capsys)
    assert {key: value for key, value in line.items()
            if key not in (*REAL, "event", "name", "value", "speed")} == {
        key: value for key, value in lines[-1].items()
        if key not in (*REAL, "event", "speed")}
