"""``--compare A B ...``: scenarios run with the same seeds (common random
numbers), each one's figures those of a plain ``--runs`` run of it, and
each one's difference from the first with its paired 95% interval."""
from __future__ import annotations

import dataclasses
import io
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from sms_sim.cli import main as cli
from sms_sim.cli.options import parse_options
from sms_sim.cli.parser import build_parser
from sms_sim.cli.plans import labels
from sms_sim.cli.status import ExitStatus
from sms_sim.measure.intervals import paired
from sms_sim.model.config import SimulationConfig
from sms_sim.output.environment import Environment
from sms_sim.plan.pool import Runs
from sms_sim.plan.replications import evaluate, replication_seeds
from tests.helpers import run_main
from tests.test_plan_signals import SIGNALS, STOPPED_WITHIN_S, plans
from tests.test_readme import worked_example

BASE = {"num_messages": 2000, "num_senders": 4,
        "mean_processing_time": 0.01, "max_deviation": 0.005,
        "failure_rate": 0.1, "retries": 2}
"""A small scenario, a few hundredths of a second a run."""


def _files(folder: Path, *changes: dict[str, Any]) -> list[str]:
    """A JSON scenario file of ``BASE`` with each of ``changes``."""
    paths = []
    for index, change in enumerate(changes):
        path = folder / f"s{index}.json"
        path.write_text(json.dumps({**BASE, **change}))
        paths.append(str(path))
    return paths


def _main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), env=Environment(out, err))
    return status, out.getvalue(), err.getvalue()


def _json(*argv: str) -> list[dict[str, Any]]:
    status, out, err = _main(*argv, "--json", "--jobs", "1")
    assert (status, err) == (ExitStatus.OK, "")
    return [json.loads(line) for line in out.splitlines()]


def _event(lines: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (found,) = [line for line in lines if line["event"] == name]
    return found


def _usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as caught:
        parse_options(build_parser("start.py"), list(argv))
    assert caught.value.code == ExitStatus.USAGE
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("usage: ")
    return err[-1]


def test_each_scenarios_figures_are_a_plain_runs_run_of_it(
        tmp_path: Path) -> None:
    files = _files(tmp_path, {"num_messages": 500},
                   {"num_messages": 500, "failure_rate": 0.3})
    compare = _event(_json("--compare", *files, "--runs", "3", "--seed",
                           "5", "--at", "1s"), "compare")
    assert [s["name"] for s in compare["scenarios"]] == ["s0", "s1"]
    for path, figures in zip(files, compare["scenarios"]):
        alone = _event(_json("--scenario", path, "--runs", "3", "--seed",
                             "5", "--at", "1s"), "replications")
        for key in ("runs_planned", "interrupted"):
            del alone[key]
        assert {**figures, "event": "replications"} == \
            {**alone, "name": figures["name"]}
    assert compare["scenarios"][1]["sim_elapsed_s"] != \
        compare["scenarios"][0]["sim_elapsed_s"]


def test_the_differences_are_the_pairs_of_runs_by_seed(
        tmp_path: Path) -> None:
    files = _files(tmp_path, {"num_messages": 500},
                   {"num_messages": 500, "failure_rate": 0.3})
    lines = _json("--compare", *files, "--runs", "4", "--seed", "2")
    compare = _event(lines, "compare")
    first, other = compare["scenarios"]
    assert first["seeds"] == other["seeds"]  # common random numbers
    (difference,) = compare["differences"]
    assert (difference["name"], difference["from"]) == ("s1", "s0")
    # More failures: more attempts, a later median, every pair of runs.
    later = difference["delivery_s"]["p50"]
    assert later["low"] > 0 and later["excludes_zero"]
    assert later["min"] > 0
    assert difference["delivery_s"]["p99"] is None  # 99% never sent
    failed = difference["failed_share"]
    assert failed["mean"] == pytest.approx(
        other["failed_share"]["mean"] - first["failed_share"]["mean"])
    assert lines[-1]["kind"] == "compare" and lines[-1]["runs"] == 8


def test_the_figures_are_the_same_with_any_number_of_jobs(
        tmp_path: Path) -> None:
    files = _files(tmp_path, {"num_messages": 300},
                   {"num_messages": 300, "num_senders": 2})
    found = []
    for jobs in ("1", "2"):
        status, out, err = _main("--compare", *files, "--runs", "3",
                                 "--seed", "9", "--json", "--jobs", jobs)
        assert (status, err) == (ExitStatus.OK, "")
        found.append(_event([json.loads(line) for line in out.splitlines()],
                            "compare"))
    assert found[0] == found[1]


def test_the_same_scenario_twice_differs_by_nothing(tmp_path: Path) -> None:
    files = _files(tmp_path, {}, {})
    compare = _event(_json("--compare", *files, "--runs", "3", "--seed",
                           "8"), "compare")
    figure = compare["differences"][0]["delivery_s"]["p95"]
    assert (figure["low"], figure["high"]) == (0.0, 0.0)
    assert figure["excludes_zero"] is False


def test_one_run_each_has_a_difference_but_no_interval(
        tmp_path: Path) -> None:
    files = _files(tmp_path, {}, {"num_senders": 8})
    status, out, _ = _main("--compare", *files, "--seed", "3", "--jobs",
                           "1")
    assert status == ExitStatus.OK
    assert "2 scenarios compared, 1 run each" in out
    row = next(line for line in out.splitlines()
               if "s1 - s0" in line and "duration" in line)
    assert row.split()[-2:] == ["-", "-"]  # no interval, no verdict
    assert row.split()[4].startswith("-")  # twice the senders: sooner


def test_a_target_is_a_column_with_its_verdict_and_needs_no_solve(
        tmp_path: Path) -> None:
    files = _files(tmp_path, {"num_senders": 1}, {})
    status, out, _ = _main("--compare", *files, "--runs", "2", "--seed",
                           "3", "--target", "0.3@3s", "--jobs", "1")
    assert status == ExitStatus.OK  # a column, not a check
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines)
              if line.startswith("  scenario "))
    assert lines[at].split()[:4] == ["scenario", "duration", "by", "3.000"]
    assert lines[at].split()[-1] == "target"
    first, other = lines[at + 1:at + 3]
    assert first.startswith("  s0 ") and first.endswith("  not met")
    assert other.startswith("  s1 ") and other.endswith("  met")
    assert not other.endswith("not met")


def test_each_scenario_keeps_its_own_checks(tmp_path: Path) -> None:
    files = _files(tmp_path, {"min-delivered": 1.0}, {})
    status, out, _ = _main("--compare", *files, "--runs", "2", "--seed",
                           "3", "--jobs", "1")
    assert status == ExitStatus.CHECK_FAILED
    # Only the first scenario's runs are held to it.
    assert "check min_delivered: failed in 2 of 4 runs (s0 seed " in out


def test_the_report_overlays_the_scenarios_with_their_bands(
        tmp_path: Path) -> None:
    files = _files(tmp_path, {}, {"num_senders": 8})
    report = tmp_path / "compare.html"
    status, _, err = _main("--compare", *files, "--runs", "3", "--seed",
                           "3", "--jobs", "1", "--report", str(report))
    assert status == ExitStatus.OK, err
    page = report.read_text()
    assert "2 scenarios compared" in page
    assert page.count('class="band tint c') == 2
    assert page.count('<path class="curve c') == 2
    assert "s1 - s0" in page and "excludes 0" in page


def test_the_scenarios_seed_is_the_command_lines_else_the_first_files(
        tmp_path: Path) -> None:
    files = _files(tmp_path, {"seed": 41}, {"seed": 99})
    options = parse_options(build_parser("start.py"),
                            ["--compare", *files])
    assert [own.config.seed for _, own in options.compared] == [41, 41]
    options = parse_options(build_parser("start.py"),
                            ["--compare", *files, "--seed", "6"])
    assert [own.config.seed for _, own in options.compared] == [6, 6]
    assert options.plan and options.config.speed == float("inf")


def test_the_scenarios_are_named_by_their_files() -> None:
    assert labels(["plans/a.toml", "b.json"]) == ("a", "b")
    assert labels(["x/a.toml", "y/a.toml"]) == ("x/a.toml", "y/a.toml")


@pytest.mark.parametrize(("argv", "error"), [
    (["--compare", "{0}"], "argument --compare: needs two scenario files "
     "or more, the first the one the others are compared with, got 1"),
    (["--compare", "{0}", "{1}", "--sweep", "senders=2,4"],
     "argument --sweep: not with --compare: a comparison varies whole "
     "scenarios"),
    (["--compare", "{0}", "{1}", "--scenario", "{0}"],
     "argument --scenario: not with --compare: give each scenario to "
     "--compare"),
    (["--compare", "{0}", "{1}", "--print-scenario"],
     "argument --print-scenario: not with --compare: it writes one "
     "scenario; --compare's are its files"),
    (["--compare", "{0}", "{2}"],
     "argument --compare: {2}: has sweep, and a comparison varies whole "
     "scenarios, not a setting"),
    (["--compare", "{0}", "{3}"],
     "argument --compare: {3} has runs 5, {0} None: every scenario runs "
     "with the same seeds; give --runs"),
    (["--compare", "{0}", "--compare", "{1}"],
     "argument --compare: may be given once; give every scenario to one "
     "--compare"),
    (["100", "--at", "1m"], "argument --at: is a column of a plan's "
     "table; give --runs, --sweep or --compare"),
])
def test_bad_input_is_one_line_and_status_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        argv: list[str], error: str) -> None:
    files = _files(tmp_path, {}, {}, {"sweep": "senders=2,4"},
                   {"runs": 5})
    assert _usage_error(capsys, *(a.format(*files) for a in argv)) == \
        "start.py: error: " + error.format(*files)


def _p95_widths(config: SimulationConfig, senders: tuple[int, int],
                runs: int) -> tuple[float, float]:
    """The width of the paired 95% interval of the difference in p95
    between ``config`` with each number of ``senders``: the second on the
    first's seeds (common random numbers), and on seeds of its own."""
    def p95s(count: int, seeds: list[int]) -> list[float | None]:
        group = dataclasses.replace(config.groups[0], count=count)
        with Runs(1) as pool:
            (cell,) = evaluate(pool, [dataclasses.replace(
                config, groups=(group,))], [None], seeds, ())
        return [snap.delivery[2] if snap.delivery else None
                for _, snap in cell.runs]

    assert config.seed is not None
    common = replication_seeds(config.seed, runs)
    first = p95s(senders[0], common)
    widths = []
    for seeds in (common, replication_seeds(config.seed + 1, runs)):
        stat = paired(first, p95s(senders[1], seeds))
        assert stat is not None and stat.reached_in == runs
        widths.append(stat.high - stat.low)
    return widths[0], widths[1]


def _worked_example() -> SimulationConfig:
    return parse_options(build_parser("start.py"),
                         worked_example()).config


def test_common_random_numbers_narrow_the_difference() -> None:
    """The README's example, cut to 2,000 messages with no cap, so that
    20 and 22 senders differ: the paired interval on common seeds is at
    most half as wide as on seeds of the second's own (a sixth, here)."""
    config = _worked_example()
    config = dataclasses.replace(
        config, num_messages=2000,
        gateway=dataclasses.replace(config.gateway, max_rate=None))
    common, independent = _p95_widths(config, (20, 22), 4)
    assert 0 < common <= independent / 2


@pytest.mark.stress
@pytest.mark.time_limit(300)  # 80 runs of 100,000: 49 to 60 s in CI
def test_common_random_numbers_narrow_the_worked_examples_difference(
        ) -> None:
    """The README's worked example itself, 20 and 22 senders, 20 runs:
    the docs (docs/scenarios.md) show both widths."""
    common, independent = _p95_widths(_worked_example(), (20, 22), 20)
    assert common <= independent / 2 and independent > 0


def test_a_comparison_ends_at_once_on_a_signal(tmp_path: Path) -> None:
    """From end to end, as a user runs it: Ctrl-C to the group mid-plan;
    status 130, no traceback, and its JSON closed with the comparison so
    far, marked interrupted.  (In one process: the workers' side of a
    stop is the pool's, the same for every plan, and test_plan_signals
    holds it.)"""
    files = _files(tmp_path, {}, {"num_senders": 6})
    with plans(("--compare", *files, "--runs", "100", "--seed", "4",
                "--jobs", "1", "--interval", "0.05", "--json")) as (plan,):
        plan.lines_until(1)
        os.killpg(plan.process.pid, signal.SIGINT)
        plan.awaited()
        lines = plan.ended()
    assert plan.process.returncode == SIGNALS[signal.SIGINT], plan.err
    assert plan.err == "" and plan.took < STOPPED_WITHIN_S
    compare = _event(lines, "compare")
    assert compare["interrupted"] and compare["scenarios"][0]["runs"] >= 1
    assert lines[-1]["event"] == "plan" and lines[-1]["interrupted"]


def test_a_paired_difference_counts_the_pairs_where_both_have_a_value(
        ) -> None:
    stat = paired([1.0, 2.0, None, 4.0], [2.0, 3.5, 9.0, None])
    assert stat is not None
    assert (stat.mean, stat.reached_in, stat.runs) == (1.25, 2, 4)
    assert stat.excludes_zero is (stat.low > 0)
    assert paired([None], [1.0]) is None
    with pytest.raises(ValueError):
        paired([1.0], [1.0, 2.0])


@pytest.mark.parametrize("content, says", [
    ('{"bogus": 1}', "unknown key 'bogus'"),
    ('{"retries": "x"}', "retries: must be an integer"),
    (None, "cannot be read"),  # a folder
])
def test_a_compared_file_that_is_wrong_names_compare(
        tmp_path: Path, content: str | None, says: str) -> None:
    """The newcomer saw --compare's files named as --scenario's."""
    bad = tmp_path / "bad.json"  # JSON: TOML needs Python 3.11
    if content is None:
        bad.mkdir()
    else:
        bad.write_text(content)
    example = Path(__file__).resolve().parent.parent / "examples" / \
        "worked_example.json"
    status, _, err = run_main("--compare", str(example), str(bad))
    last = err.splitlines()[-1]
    assert status == 2
    assert last.startswith(f"start.py: error: argument --compare: {bad}: ")
    assert says in last
    # and --scenario's own errors still name --scenario
    status, _, err = run_main("--scenario", str(bad))
    assert err.splitlines()[-1].startswith("start.py: error: argument "
                                           "--scenario: ")
