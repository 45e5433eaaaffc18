"""Scenario files: ``--scenario FILE`` gives the same run as its options,
the command line overrides it, ``--print-scenario`` writes one that reads
back, and each bad file gets one line and status 2."""
from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sms_sim.cli import main as cli
from sms_sim.cli import scenario, specs
from sms_sim.cli.options import Options, parse_options
from sms_sim.cli.parser import build_parser
from sms_sim.cli.status import ExitStatus
from sms_sim.model.texts import TextsError, read_texts
from sms_sim.output.environment import Environment
from sms_sim.output.html.render import HtmlReport, render
from tests.background import BACKGROUND, Job
from tests.test_golden import MACHINE_FIELDS
from tests.test_readme import worked_example

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = worked_example()
"""The README's worked example, as options."""
FILES = {"toml": ROOT / "examples" / "worked_example.toml",
         "json": ROOT / "examples" / "worked_example.json"}


def parse(*argv: str) -> Options:
    return parse_options(build_parser("start.py"), list(argv))


def printed(*argv: str) -> dict[str, Any]:
    """What ``--print-scenario`` writes for ``argv``; it runs nothing."""
    out, err = io.StringIO(), io.StringIO()
    status = cli.main([*argv, "--print-scenario"], env=Environment(out, err))
    assert (status, err.getvalue()) == (ExitStatus.OK, "")
    written = json.loads(out.getvalue())
    assert isinstance(written, dict)
    return written


def _read_back(folder: Path) -> list[str]:
    path = folder / "printed.json"
    path.write_text(json.dumps(printed("--scenario", str(FILES["toml"]))))
    return ["--scenario", str(path), TENTH]


def _given(args: list[str]) -> Callable[[Path], list[str]]:
    return lambda folder: args


TENTH = "10000"
"""A tenth of the example's messages, given on the command line (which
overrides the file's): the runs compare every other setting as fully, and
each takes a tenth of the time."""


def _job(args: Callable[[Path], list[str]]) -> Job:
    return BACKGROUND.add(lambda folder: [
        sys.executable, str(ROOT / "start.py"), *args(folder), "--json"])


RUNS = {name: _job(args) for name, args in (
            ("options", _given([TENTH, *EXAMPLE[1:]])),
            ("toml", _given(["--scenario", str(FILES["toml"]), TENTH])),
            ("json", _given(["--scenario", str(FILES["json"]), TENTH])),
            ("read back", _read_back))}
"""The README's worked example, four ways, started ahead of the tests
(the options' num_messages, their first, given as ``TENTH``)."""


def simulated(stdout: str) -> dict[str, Any]:
    summary = json.loads(stdout.splitlines()[-1])
    assert summary["event"] == "summary"
    return {key: value for key, value in summary.items()
            if key not in MACHINE_FIELDS}


def test_the_worked_example_gives_the_same_run_every_way() -> None:
    """From its options, from a TOML and a JSON file, and from what
    ``--print-scenario`` wrote for the TOML file: every simulated
    figure."""
    done = {name: job.result() for name, job in RUNS.items()}
    assert all(run.returncode == 0 for run in done.values())
    summaries = [simulated(run.stdout) for run in done.values()]
    assert summaries[0]["sent"] > 0 and summaries[0]["seed"] == 11
    assert summaries[0]["total"] == int(TENTH)
    assert summaries == [summaries[0]] * len(summaries)
    scenarios = [json.loads(run.stdout.splitlines()[0])
                 for run in done.values()]
    assert all(line["event"] == "scenario" for line in scenarios)
    assert scenarios == [scenarios[0]] * len(scenarios)


def test_the_files_settings_are_the_options_settings() -> None:
    configs = {parse(*EXAMPLE).config,
               *(parse("--scenario", str(path)).config
                 for path in FILES.values())}
    assert len(configs) == 1


def test_the_command_line_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({
        "num_messages": 500, "num_senders": 3, "retries": 3, "json": True,
        "senders": ["2:0.01:0:0.5"], "deadline": 90}))
    options = parse("--scenario", str(path), "800", "--retries", "1",
                    "--senders", "4:0.02:0:0.1", "--senders", "1:0.1:0:0")
    config = options.config
    assert (config.num_messages, config.gateway.retries) == (800, 1)
    assert [group.count for group in config.groups] == [3, 4, 1]
    assert config.gateway.deadline_s == 90 and options.json
    kept = parse("--scenario", str(path)).config
    assert [group.count for group in kept.groups] == [3, 2]
    assert (kept.num_messages, kept.gateway.retries) == (500, 3)


def test_print_scenario_has_every_option_with_its_default() -> None:
    written = printed("100", "--retries", "2", "--deadline", "20m",
                      "--seed", "5")
    parser = build_parser("start.py")
    assert list(written) == list(scenario.settings(parser))
    assert written["num_messages"] == 100 and written["retries"] == 2
    assert written["deadline"] == "20m" and written["seed"] == 5
    assert written["backoff"] == "1:60" and written["permanent"] == 0.0
    assert written["failure_rate"] is None  # not given: the help's 0.1
    assert written["senders"] == [] and written["json"] is False
    assert written["max-rate"] is None  # not set: no cap


def test_a_positional_not_given_is_printed_as_not_set() -> None:
    # "-" is the positional's default, as null is a file's ("-" was
    # written as the value, which the file then read as typed).
    written = printed("300", "2", "0.02", "-", "0.2", "--seed", "1")
    assert written["max_deviation"] is None
    assert written["mean_processing_time"] == 0.02


def test_a_positional_written_dash_takes_the_files_value(
        tmp_path: Path) -> None:
    # A "-" only holds the place: it replaced the file's 3 senders with
    # the default 4.
    path = tmp_path / "f.json"
    path.write_text('{"num_senders": 3, "max_deviation": 0.002}')
    config = parse("500", "-", "0.01", "-", "--scenario", str(path)).config
    assert [group.count for group in config.groups] == [3]
    assert config.groups[0].send.max_deviation_s == 0.002


def test_print_scenario_writes_the_seed_it_drew() -> None:
    written = printed("100")
    assert isinstance(written["seed"], int)


def test_every_option_but_the_scenarios_own_is_a_key() -> None:
    parser = build_parser("start.py")
    names = {max(action.option_strings, key=len).lstrip("-")
             if action.option_strings else action.dest
             for action in parser._actions}
    assert set(scenario.settings(parser)) == names - {
        "help", "version", "presets", "scenario", "print-scenario",
        "compare"}
    assert {"num_messages", "max-rate", "carrier-delay", "json"} <= names


def test_an_option_added_to_the_parser_is_a_key_with_no_edit(
        tmp_path: Path) -> None:
    parser = build_parser("start.py")
    parser.add_argument("--colour-rate", type=specs.number, default=None)
    path = tmp_path / "plan.json"
    path.write_text('{"colour-rate": 2}')
    args = parser.parse_args(["--scenario", str(path)])
    shown = scenario.merged(parser, ["--scenario", str(path)], args)
    assert args.colour_rate == 2.0 and shown["colour-rate"] == 2.0
    argv = ["--scenario", str(path), "--colour-rate", "3"]
    args = parser.parse_args(argv)
    assert scenario.merged(parser, argv, args)["colour-rate"] == 3.0
    path.write_text('{"colour-rate": "2"}')
    with pytest.raises(scenario.ScenarioError, match="must be a number"):
        scenario.merged(parser, ["--scenario", str(path)], args)


@pytest.mark.parametrize("action, expected", [
    ("--json", "flag"), ("--senders", "list"), ("--retries", "integer"),
    ("--permanent", "number"), ("--deadline", "text"), ("--speed", "text"),
    ("--sweep", "text"), ("num_messages", "integer"),
    ("failure_rate", "number")])
def test_what_each_key_takes(action: str, expected: str) -> None:
    parser = build_parser("start.py")
    [found] = [each for each in parser._actions
               if action in (*each.option_strings, each.dest)]
    assert scenario.kind(found) == expected


BAD: list[tuple[str, str, str]] = [
    # file name, its text, the error after "argument --scenario: NAME: "
    ("bad.toml", "num_messages = 10\nmax-rate = = 5\n",
     "line 2: not TOML: Invalid value"),
    ("bad.json", '{"num_messages": 10,\n "retries": x}',
     "line 2: not JSON: Expecting value (column 13)"),
    ("list.json", "[1, 2]",
     "must be a JSON object of keys and values, {...}"),
    ("twice.json", '{"seed": 1, "retries": 2, "seed": 2}',  # as TOML does
     "the key 'seed' is given twice; give each once"),
    ("twice.toml", 'seed = 1\nretries = 2\n"seed" = 2\n',  # named too
     "line 3: the key 'seed' is given twice; give each once"),
    ("key.toml", "max_rate = 100\n",
     "unknown key 'max_rate' (did you mean 'max-rate'?)"),
    ("other.toml", "colour = 'red'\n", "unknown key 'colour' (the keys are "
     "the options' long names, as --print-scenario writes them)"),
    ("string.toml", 'max-rate = "100"\n',
     'max-rate: must be a number, got "100"'),
    ("float.json", '{"retries": 1.5}', "retries: must be an integer, got 1.5"),
    ("flag.json", '{"json": "yes"}', 'json: must be true or false, got "yes"'),
    ("list.toml", "senders = [1, 2]\n",
     "senders: must be a list of strings, got [1, 2]"),
    ("date.toml", "deadline = 1970-01-01\n",  # a traceback, once
     "deadline: must be a string or a number, got 1970-01-01, a TOML date "
     "or time (a string is quoted)"),
    ("time.toml", "seed = 1979-05-27T07:32:00Z\n",
     "seed: must be an integer, got 1979-05-27T07:32:00+00:00, a TOML date "
     "or time (a string is quoted)"),
    ("dates.toml", "senders = [1979-05-27]\n",
     'senders: must be a list of strings, got ["1979-05-27"]'),
    ("range.toml", "permanent = 2\n",  # the setting's rule, named here
     "permanent: must be a number from 0 to 1, got 2.0"),
    ("rule.json", '{"max_deviation": 0.5}',  # a rule of two settings
     "max_deviation: must be <= the mean (0.01 s), got 0.5"),
    ("choice.toml", "solve = 'speed'\n", "solve: must be one of senders, "
     "tps, max-rate (with --fit, fail, permanent, carrier-mean, mean, "
     "deadline too), ROUTE.count, ROUTE.tps or CARRIER.cap (with --fit, "
     "ROUTE.mean and ROUTE.down too), got 'speed'"),
    ("utf.json", "\udcff", "is not UTF-8 text"),
]


@pytest.mark.parametrize("name, text, error", BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_gets_one_line_naming_it_and_status_2(
        name: str, text: str, error: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(SystemExit) as caught:
        parse("--scenario", str(path))
    assert caught.value.code == ExitStatus.USAGE
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == f"start.py: error: argument --scenario: {path}: {error}"


def test_a_missing_file_is_named(tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "none.toml"
    with pytest.raises(SystemExit) as caught:
        parse("--scenario", str(path))
    assert caught.value.code == ExitStatus.USAGE
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"start.py: error: argument --scenario: {path}: cannot be read: "
        "No such file or directory")


def test_toml_on_python_3_10_says_to_write_json(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "version_info", (3, 10, 14))
    with pytest.raises(scenario.ScenarioError) as caught:
        scenario.read(str(FILES["toml"]))
    assert str(caught.value) == (
        f"{FILES['toml']}: TOML needs Python 3.11 or newer; on this Python, "
        "write the scenario as JSON (--print-scenario writes one)")
    assert scenario.read(str(FILES["json"]))["max-rate"] == 100


def test_an_unset_value_in_a_file_is_the_default(tmp_path: Path) -> None:
    path = tmp_path / "printed.json"
    path.write_text(json.dumps(printed("300", "--seed", "4")))
    assert parse("--scenario", str(path)).config == parse(
        "300", "--seed", "4", "--speed", "1").config


def test_the_html_report_carries_the_scenario() -> None:
    page = render(HtmlReport(title="t", command="c",
                             scenario='{"log": "<a&b>"}'))
    assert "<code>{&quot;log&quot;: &quot;&lt;a&amp;b&gt;&quot;}" in page
    assert "--scenario" in page
    assert "--scenario" not in render(HtmlReport(title="t", command="c"))


def test_a_scenario_far_too_long_is_refused_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # /dev/zero grew to 24 GB before this bound.
    monkeypatch.setattr(scenario, "MAX_SCENARIO_CHARS", 10)
    path = tmp_path / "long.json"
    path.write_text('{"seed": 12345}')
    with pytest.raises(scenario.ScenarioError,
                       match="is longer than 10 characters"):
        scenario.read(str(path))
    with pytest.raises(scenario.ScenarioError,
                       match="is longer than 10 characters"):
        scenario.read("/dev/zero")


@pytest.mark.parametrize("name, text", [
    ("deep.json", "[" * 100_000),
    ("deep.toml", "a = " + "[" * 100_000),
])
def test_a_scenario_nested_too_deeply_is_one_error(
        tmp_path: Path, name: str, text: str) -> None:
    if name.endswith(".toml") and sys.version_info < (3, 11):
        pytest.skip("TOML needs Python 3.11")
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(scenario.ScenarioError, match="nested too deeply"):
        scenario.read(str(path))


def test_a_pipe_that_nothing_writes_to_is_refused_not_waited_on(
        tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(scenario.ScenarioError,
                       match="a pipe that nothing writes to"):
        scenario.read(str(fifo))
    with pytest.raises(TextsError, match="a pipe that nothing writes to"):
        read_texts(str(fifo))
