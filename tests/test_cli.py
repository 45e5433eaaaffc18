from __future__ import annotations

import dataclasses
import errno
import gc
import io
import json
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from sms_sim import __version__
from sms_sim.cli import main as cli
from sms_sim.cli.help_text import DESCRIPTION, EPILOG, GROUPS, HELP_COLUMNS
from sms_sim.cli.options import Options, parse_options
from sms_sim.cli.parser import build_parser
from sms_sim.cli.paths import same_file
from sms_sim.cli.signals import STOP_SIGNALS
from sms_sim.cli.status import ExitStatus
from sms_sim.measure.checks import Check, Goal, min_delivered
from sms_sim.measure.stats import Stats
from sms_sim.model.config import MAX_SENDERS, SenderGroup, SimulationConfig
from sms_sim.model.encoding import ONE_GSM7
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.message import Message
from sms_sim.model.result import FAILED, SENT, Result
from sms_sim.output.csvlog import CsvLog
from sms_sim.output.environment import Environment
from sms_sim.run import tuning
from sms_sim.run.simulation import Outcome
from sms_sim.run.stop import StopEvent
from tests.helpers import assert_filled

LONG_NUMBER = "9" * 5000
DIGITS = "must be an integer in digits (1000, 1,000 or 1_000), got"
MALFORMED: list[tuple[list[str], str | tuple[str, ...]]] = [
    # Positional arguments.
    (["abc"], f"argument num_messages: {DIGITS} 'abc'"),
    (["-5"], "argument num_messages: must be an integer from 0 to "
     "1,000,000,000,000, got -5"),
    (["1.5"], f"argument num_messages: {DIGITS} '1.5'"),
    ([LONG_NUMBER], "argument num_messages: too large (at most "
     "1,000,000,000,000), got '999"),
    (["10", "x"], f"argument num_senders: {DIGITS} 'x'"),
    (["10", "0"], "argument num_senders: must be >= 1 unless --senders "
     "adds a group, got 0"),
    (["10", str(MAX_SENDERS + 1)], ("argument num_senders: ",
                                    "got 10001")),
    (["10", "-1"], ("argument num_senders: ", "got -1")),
    (["10", "4", "abc"], "argument mean_processing_time: "
     "must be a number of seconds, or with s, m or h (20m), got 'abc'"),
    (["10", "4", "10ms"], "argument mean_processing_time: "
     "must be a number of seconds, or with s, m or h (20m), got '10ms'"),
    (["10", "4", "nan"], ("argument mean_processing_time: ",
                          "must be a number of seconds from 0 to 1e9, got "
                          "nan")),
    (["10", "4", "-inf"], ("argument mean_processing_time: ", "must be a "
                           "number of seconds from 0 to 1e9, got -inf")),
    (["10", "4", "-0.1"], ("argument mean_processing_time: ", "must be a "
                           "number of seconds from 0 to 1e9, got -0.1")),
    (["10", "4", "0.01", "0.02"], ("argument max_deviation: ",
                                   "must be <= the mean (0.01 s), got 0.02")),
    (["10", "4", "0.01", "-0.001"], "argument max_deviation: "),
    (["10", "4", "0.01", "0.001", "1.5"],
     ("argument failure_rate: ", "must be a number from 0 to 1, got 1.5")),
    (["10", "4", "0.01", "0.001", "-0.1"],
     ("argument failure_rate: ", "from 0 to 1, got -0.1")),
    (["10", "4", "0.01", "0.001", "nan"],
     ("argument failure_rate: ", "from 0 to 1, got nan")),
    (["1", "2", "0.1", "0.1", "0.1", "6"], "unrecognized arguments: 6"),
    # --senders.
    (["--senders", "2:0.01:0.001"], "argument --senders: must be "
     "COUNT:MEAN:DEVIATION:FAILURE_RATE[:TPS], got '2:0.01:0.001'"),
    (["--senders", "2:0.01:0.001:0.1:5:6"], "argument --senders: must be "
     "COUNT:MEAN:DEVIATION:FAILURE_RATE[:TPS]"),
    (["--senders", ""], "argument --senders: must be"),
    (["--senders", "0:0.01:0.001:0.1"], "argument --senders: "
     "'0:0.01:0.001:0.1': COUNT must be an integer from 1 to"),
    (["--senders", "-1:0:0:0"], "argument --senders: '-1:0:0:0': COUNT "
     f"must be an integer from 1 to {MAX_SENDERS:,}, got -1"),
    (["--senders", "x:0.01:0.001:0.1"],
     f"argument --senders: 'x:0.01:0.001:0.1': COUNT {DIGITS} 'x'"),
    (["--senders", "2:0.01:0.02:0.1"], "DEVIATION must be <= the mean"),
    (["--senders", "2:0.01:0.001:2"], "FAILURE_RATE must be a number from "
     "0 to 1, got 2.0"),
    (["--senders", "2:inf:0:0"], "MEAN must be a number of seconds from 0 "
     "to 1e9, got inf"),
    (["--senders", "1:0.01:0:0:0"], "argument --senders: '1:0.01:0:0:0': "
     "TPS must be a finite number of sends per second >= 1e-06, got 0.0"),
    (["--senders", f"1:{LONG_NUMBER}:0:0"], "MEAN must be a number of "
     "seconds from 0 to 1e9, got inf"),
    (["10", "9000", "--senders", "2000:0:0:0"],
     "argument num_senders: must be from 1 to 10,000 senders over all "
     "groups, got 11000"),
    # The 4 default senders count too, though nobody typed them.
    (["10", "--senders", "10000:0:0:0"],
     "argument --senders: must be from 1 to 10,000 senders over all "
     "groups, got 10004; the 4 default senders count too (give "
     "num_senders 0 to leave them out)"),
    # Options of the simulated gateway.
    (["--speed", "0"], "argument --speed: must be a number from 1e-06 to "
     "1e+06, or max for no pacing, got '0'"),
    (["--speed", "-1"], "argument --speed: must be a number from 1e-06"),
    (["--speed", "inf"], ("argument --speed: must be a number from 1e-06",
                          "or max for no pacing, got 'inf'")),
    (["--speed", "nan"], ("argument --speed: must be a number from 1e-06",
                          "or max")),
    (["--speed", "2e6"], "argument --speed: must be a number from 1e-06 to "
     "1e+06, or max for no pacing, got '2e6'"),
    (["--speed", "fast"], "argument --speed: must be a number from 1e-06 "
     "to 1e+06, or max for no pacing, got 'fast'"),
    (["--speed", ""], "argument --speed: must be a number from 1e-06 "
     "to 1e+06, or max for no pacing, got ''"),
    (["--tps", "0"], ("argument --tps: ", "must be a finite number of "
                      "sends per second >= 1e-06, got 0")),
    (["--tps", "-inf"], ("argument --tps: ", ">= 1e-06, got -inf")),
    (["--max-rate", "-1"], "argument --max-rate: must be a finite number "
     "of sends per second >= 1e-06, got -1"),
    # As typed, not as read: 0.0 and inf would be the values.
    (["--max-rate=0"], "argument --max-rate: must be a finite number "
     "of sends per second >= 1e-06, got 0"),
    (["--max-rate", "1e400"], "argument --max-rate: must be a finite "
     "number of sends per second >= 1e-06, got 1e400"),
    (["--max-rate", "0"], "argument --max-rate: must be a finite number"),
    # Runs that could never end: nothing beyond 1e9 simulated seconds.
    (["--tps", "1e-300"], "argument --tps: must be a finite number of "
     "sends per second >= 1e-06, got 1e-300"),
    (["--max-rate", "1e-300"], "argument --max-rate: must be a finite "
     "number of sends per second >= 1e-06"),
    (["--backoff", "1e308"], "argument --backoff: '1e308': BASE must be a "
     "number of seconds > 0 and <= 1e9, got 1e+308"),
    (["--senders", "1:1e308:0:0"], "argument --senders: '1:1e308:0:0': "
     "MEAN must be a number of seconds from 0 to 1e9, got 1e+308"),
    (["--deadline", "2e9"], "argument --deadline: must be a time > 0 and "
     "at most 1e9 s, in seconds or with s, m or h (20m), got '2e9'"),
    (["--deadline", "20x"], "argument --deadline: must be a number of "
     "seconds, or with s, m or h (20m), got '20x'"),
    (["--deadline", "-1m"], "argument --deadline: must be a time > 0"),
    (["--deadline", "2e9m"], "argument --deadline: must be a time > 0 and "
     "at most 1e9 s"),
    (["1000000000000", "1", "1", "0"], "argument num_messages: "
     "1,000,000,000,000 messages need at least 1e+12 simulated seconds "
     "with these senders and caps; a run may model at most 1e9 s (about "
     "31 years)"),
    (["1001", "--max-rate", "1e-6"], "argument num_messages: 1,001 "
     "messages need at least 1e+09 simulated seconds"),
    (["--retries", "101"], "argument --retries: must be an integer from 0 "
     "to 100, got 101"),
    (["--retries", "100", "--backoff", "1e9"], "argument --retries: 100 "
     "retries with backoff 1e+09:1e+09 could wait 1e+11 s in all; at most "
     "1e9 s, unless a --deadline ends them first"),
    (["--retries", "-1"], "argument --retries: must be an integer from 0 "
     "to 100, got -1"),
    (["--retries", "x"], f"argument --retries: {DIGITS} 'x'"),
    (["--retries", "1.5"], f"argument --retries: {DIGITS} '1.5'"),
    (["--backoff", "0"], "argument --backoff: '0': BASE must be a number "
     "of seconds > 0 and <= 1e9, got 0.0"),
    (["--backoff", "-1"], "argument --backoff: '-1': BASE must be"),
    (["--backoff", "2:1"], "argument --backoff: '2:1': CAP must be >= the "
     "base (2 s), got 1.0"),
    (["--backoff", "1:2:3"], "argument --backoff: must be BASE[:CAP], got "
     "'1:2:3'"),
    (["--backoff", "x"], "argument --backoff: 'x': BASE must be a number "
     "of seconds, or with s, m or h (20m), got 'x'"),
    (["--backoff", "1:inf"], "argument --backoff: '1:inf': CAP must be a "
     "number of seconds > 0 and <= 1e9, got inf"),
    (["--permanent", "1.5"], "argument --permanent: must be a number from "
     "0 to 1, got 1.5"),
    (["--permanent", "-0.5"], "argument --permanent: must be a number from "
     "0 to 1"),
    (["--deadline", "0"], "argument --deadline: must be a time > 0 and at "
     "most 1e9 s, in seconds or with s, m or h (20m), got '0'"),
    (["--deadline", "nan"], "argument --deadline: must be a time > 0"),
    (["--min-delivered", "2"], "argument --min-delivered: '2': P must be a "
     "number from 0 to 1, got 2.0"),
    (["--min-delivered", "nan"], "argument --min-delivered: 'nan': P must "
     "be a number from 0 to 1"),
    (["--min-delivered", "-inf"], "argument --min-delivered: '-inf': P "
     "must be a number from 0 to 1"),
    # The rest.
    (["--interval", "0.001"], "argument --interval: must be a finite "
     "number of seconds >= 0.01, got 0.001"),
    (["--interval", "0"], "argument --interval: must be a finite number"),
    (["--interval", "nan"], "argument --interval: must be a finite number"),
    (["--interval", "soon"], "argument --interval: must be a number"),
    (["--interval"], "argument --interval: expected one argument"),
    (["--seed", "abc"], f"argument --seed: {DIGITS} 'abc'"),
    (["--seed", LONG_NUMBER], "argument --seed: too large (at most "),
    # random.Random(-1) is Random(1): a negative seed would repeat another.
    (["--seed", "-1"], "argument --seed: must be an integer >= 0, got -1"),
    (["10", "0", "--tps", "5", "--senders", "2:0.01:0:0"], "argument --tps: "
     "is for the positional senders, and num_senders is 0"),
    (["10", "0", "--dist", "exponential", "--senders", "2:0.01:0:0"],
     "argument --dist: is for the positional senders"),
    (["--log", "/nonexistent-dir/x.csv"], "argument --log: cannot write "
     "'/nonexistent-dir/x.csv': No such file or directory"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    # Named first, not the positional that its value would be taken for.
    (["--spee", "max"], "unrecognized arguments: --spee "
     "(did you mean --speed?)"),  # a typo's likely option, as a file's
    (["10", "--spe=1", "--x", "-y"], "unrecognized arguments: --spe=1 --x "
     "-y"),
    (["--max_rate", "5"], "unrecognized arguments: --max_rate "
     "(did you mean --max-rate?)"),
    (["--JSON"], "unrecognized arguments: --JSON (did you mean --json?)"),
    (["10", "--seed", "1", "--", "--x"], "unrecognized arguments: -- --x"),
    (["10", "--text", "-hello"], "argument --text: expected one argument: "
     "a value that starts with a dash is written --text=-hello"),
]


@pytest.mark.parametrize("argv", [["--rate", "1"], ["--out", "x"],
                                  ["--t", "1"], ["--spe=1"]])
def test_an_unknown_option_far_from_any_gets_no_guess(
        argv: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Their shared dashes made "--rate" as close to "--at" as to
    # "--max-rate", and "--out" to "--count": a wrong guess misleads.
    error = usage_error(argv, monkeypatch, capsys)
    assert error.endswith(f"unrecognized arguments: {argv[0]}")


def test_an_option_short_of_its_value_is_not_given_the_next_option(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # "--speed" is the next option, not a value of --seed's with a dash.
    error = usage_error(["10", "--seed", "--speed", "max"], monkeypatch,
                        capsys)
    assert error.endswith("argument --seed: expected one argument")


@pytest.mark.parametrize("text", ["--- ALERT ---", "-1 degrees"])
def test_an_options_value_may_start_with_a_dash(text: str) -> None:
    """Not taken for an unknown option: the value of the one before."""
    options = parse_options(build_parser("start.py"),
                            ["10", "--text", text, "--seed", "1"])
    assert options.config.texts is not None
    assert options.config.seed == 1


def usage_error(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str]) -> str:
    """The error line of a malformed invocation through ``cli.main``,
    after checking what every usage error shares."""
    monkeypatch.setattr("sys.argv", ["start.py"])
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == ExitStatus.USAGE
    out, err = capsys.readouterr()
    assert out == ""
    *usage, error = err.splitlines()
    assert usage[0].startswith("usage: start.py ")
    assert all(line.startswith(" ") for line in usage[1:])  # wrapped usage
    assert error.startswith("start.py: error: ")
    assert "Traceback" not in err
    return error


@pytest.mark.parametrize("argv, message", MALFORMED)
def test_malformed_input_is_one_line_usage_and_status_2(
        argv: list[str], message: str | tuple[str, ...],
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error(argv, monkeypatch, capsys)
    for fragment in (message,) if isinstance(message, str) else message:
        assert fragment in error
    assert len(error) < 200  # however long the input


@pytest.mark.parametrize("argv, message", [
    (["10", "4", "-inf"], "argument mean_processing_time: must be a "
     "number of seconds from 0 to 1e9, got -inf"),
    (["10", "4", "0.01", "0.02"], "argument max_deviation: must be <= the "
     "mean (0.01 s), got 0.02"),
    (["--tps", "0"], "argument --tps: must be a finite number of sends per "
     "second >= 1e-06, got 0"),
    (["10", "-1"], "argument num_senders: must be an integer from 0 "
     "to 10,000, got -1"),
    (["--retries", "1000"], "argument --retries: too large (at most "
     "100), got '1000'"),
])
def test_range_messages_say_what_the_argument_itself_allows(
        argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error(argv, monkeypatch, capsys)
    assert error == f"start.py: error: {message}"


def test_a_long_bad_value_is_shortened_in_the_message(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error([LONG_NUMBER], monkeypatch, capsys)
    assert error.endswith("'...'99999999' (5,000 characters)")


def parse(*argv: str) -> Options:
    return parse_options(build_parser("start.py"), list(argv))


def test_a_time_in_two_units_is_read_wherever_a_time_is() -> None:
    options = parse("10", "2", "1m30s", "--deadline", "1h30m",
                    "--senders", "name=a,count=1,mean=2m0.5s,down=1m+1m30s",
                    "--backoff", "1s:1m30s")
    assert options.config.groups[0].send.mean_s == 90.0
    assert options.config.gateway.deadline_s == 5400.0
    assert options.config.groups[1].send.mean_s == 120.5
    (outage,) = options.config.groups[1].outages
    assert (outage.start_s, outage.length_s) == (60.0, 90.0)
    assert options.config.gateway.backoff.cap_s == 90.0


INTEGERS: dict[str, tuple[tuple[str, ...], str,
                          Callable[[Options], int | None]]] = {
    # each place an integer is read: the arguments that give it, its name
    # in an error, and where its value is found
    "num_messages": (("{}",), "argument num_messages:",
                     lambda o: o.config.num_messages),
    "num_senders": (("10", "{}"), "argument num_senders:",
                    lambda o: o.config.groups[0].count),
    "COUNT": (("10", "0", "--senders", "{}:0:0:0"), "COUNT",
              lambda o: o.config.groups[0].count),
    "--retries": (("--retries", "{}"), "argument --retries:",
                  lambda o: o.config.gateway.retries),
    "--seed": (("--seed", "{}"), "argument --seed:", lambda o: o.config.seed),
}


def integer(where: str, text: str) -> tuple[str, ...]:
    return tuple(arg.format(text) for arg in INTEGERS[where][0])


@pytest.mark.parametrize("where", INTEGERS)
@pytest.mark.parametrize("text", ["12", "012"])
def test_an_integer_is_ascii_digits(where: str, text: str) -> None:
    assert INTEGERS[where][2](parse(*integer(where, text))) == 12


@pytest.mark.parametrize("where", [w for w in INTEGERS if w != "--retries"])
@pytest.mark.parametrize("text, value", [
    ("1,000", 1000), ("1_000", 1000), ("10,000", 10_000)])
def test_an_integers_digits_may_be_grouped_in_threes(
        where: str, text: str, value: int) -> None:
    assert INTEGERS[where][2](parse(*integer(where, text))) == value


def test_a_grouped_integer_is_range_checked_like_any_other(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error(["--retries", "1,000"], monkeypatch, capsys)
    assert error.endswith("argument --retries: too large (at most 100), "
                          "got '1,000'")


@pytest.mark.parametrize("where", INTEGERS)
@pytest.mark.parametrize("text", [
    "1e3", "0x10", "1.0", "\u0661\u0662", "\uff15", " 5", "5 ", "1_0",
    "1,00", "1,,000", ",100", "100,", "1,000_000", "1__000", "_1",
    "+-1", "", "+12"])
def test_anything_else_is_not_an_integer(
        where: str, text: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error(list(integer(where, text)), monkeypatch, capsys)
    assert f"{INTEGERS[where][1]} {DIGITS} {text!r}" in error


def test_defaults_are_a_short_demo() -> None:
    options = parse()
    seed = options.config.seed
    assert seed is not None  # drawn, and shown, so the run can be repeated
    assert options.config == SimulationConfig(
        1000, (SenderGroup.uniform(4, 0.01, 0.005, 0.1),), 1.0, seed, 1.0,
        Gateway())
    assert options.command == f"python3 start.py --seed {seed}"
    assert not options.json and options.min_delivered is None
    assert options.log is None


def test_the_briefs_example_and_every_option() -> None:
    options = parse("10000", "4", "0.01", "0.001", "0.2",
                    "--senders", "2:0.1:0.05:0.5",
                    "--senders", "1:0:0:1:2.5", "--interval", "0.5",
                    "--seed", "9", "--json", "--speed", "100", "--tps", "50",
                    "--max-rate", "400", "--retries", "3",
                    "--backoff", "0.5:30", "--permanent", "0.25",
                    "--deadline", "600", "--min-delivered", "0.95",
                    "--log", "out.csv")
    config = options.config
    assert config.num_messages == 10000
    assert config.groups == (SenderGroup.uniform(4, 0.01, 0.001, 0.2, 50.0),
                             SenderGroup.uniform(2, 0.1, 0.05, 0.5),
                             SenderGroup.uniform(1, 0.0, 0.0, 1.0, 2.5))
    assert (config.interval_s, config.seed, config.speed) == (0.5, 9, 100.0)
    assert config.gateway == Gateway(400.0, 3, Backoff(0.5, 30.0), 0.25,
                                     600.0)
    assert options.json and options.min_delivered == Goal(0.95)
    assert options.log == "out.csv"


@pytest.mark.parametrize("backoff, cap", [("2", 60.0), ("100", 100.0),
                                          ("0.5:0.5", 0.5)])
def test_a_backoff_without_a_cap_keeps_the_default_cap_or_the_base(
        backoff: str, cap: float) -> None:
    assert parse("--backoff", backoff).config.gateway.backoff.cap_s == cap


@pytest.mark.parametrize("written", ["1%", "0.01", " 1 %"])
def test_a_failure_rate_in_a_spec_is_a_fraction_or_a_percentage(
        written: str) -> None:
    """As a carrier's share is (``40%``), and an error class's (``1%``)."""
    config = parse("10", "0", "--senders", f"count=2,mean=0.1,fail={written}",
                   "--carriers", f"a=50%,fail={written}", "--carriers",
                   "b=50%").config
    assert config.groups[0].failure_rate == 0.01
    assert config.carriers[0].fail == 0.01


@pytest.mark.parametrize("key", ["--senders", "--carriers"])
@pytest.mark.parametrize("written, message", [
    ("101%", "fail must be from 0% to 100%, got '101%'"),
    ("-1%", "fail must be from 0% to 100%, got '-1%'"),
    ("nan%", "fail must be from 0% to 100%, got 'nan%'"),
    ("%", "fail must be a percentage (40%) or a fraction, got '%'")])
def test_a_failure_rate_as_a_percentage_is_range_checked(
        key: str, written: str, message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec = (f"count=2,mean=0.1,fail={written}" if key == "--senders"
            else f"a=100%,fail={written}")
    with pytest.raises(SystemExit) as stopped:
        parse("10", "1", "0", "0", "0", key, spec)
    assert stopped.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("usage:")
    assert err[-1].startswith(f"start.py: error: argument {key}: ")
    assert message in err[-1]


def test_zero_positional_senders_with_a_group_and_zero_messages() -> None:
    config = parse("0", "0", "--senders", "3:0:0:0").config
    assert config.num_messages == 0
    assert config.groups == (SenderGroup.uniform(3, 0, 0, 0),)


@pytest.mark.parametrize("given", [
    ("0.01",), ("-", "0.005"), ("-", "-", "0.3")])
def test_zero_positional_senders_refuse_the_settings_they_would_ignore(
        given: tuple[str, ...], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Once ignored without a word, as --tps and --dist were not."""
    name = ("mean_processing_time", "max_deviation",
            "failure_rate")[len(given) - 1]
    error = usage_error(["10", "0", *given, "--senders", "2:0.01:0:0"],
                        monkeypatch, capsys)
    assert error.endswith(f"argument {name}: is for the positional "
                          "senders, and num_senders is 0; give a group's "
                          "own in its --senders")


@pytest.mark.parametrize("not_given", ["-", "_"])
def test_a_positional_value_not_given_takes_its_default(
        not_given: str) -> None:
    # the failure rate alone, with a shape that has no deviation
    config = parse("10", "4", "0.02", not_given, "0.3", "--dist",
                   "exponential").config
    assert config.groups == (SenderGroup(
        4, Latency.exponential(0.02), 0.3),)
    assert parse(*[not_given] * 5, "--seed", "1").config == \
        parse("--seed", "1").config


def test_positional_settings_are_checked_even_with_zero_senders(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("10", "0", "0.01", "0.5", "0", "--senders", "1:0:0:0")
    assert "argument max_deviation" in capsys.readouterr().err


def test_negative_zero_is_read_as_zero() -> None:
    config = parse("10", "1", "-0.0", "-0", "-0.0",
                   "--senders", "1:-0.0:-0:-0.0").config
    for group in config.groups:
        for value in (group.send.mean_s, group.send.max_deviation_s,
                      group.failure_rate):
            assert value == 0.0 and math.copysign(1.0, value) == 1.0


def test_help_gives_units_ranges_and_an_example(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["--help"])
    assert caught.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # as if not wrapped
    for fragment in ("num_messages", "mean_processing_time", "seconds",
                     "from 0 to 1", "--senders", "--interval", "--seed",
                     "--json", "--speed", "--tps", "--max-rate", "--retries",
                     "--backoff", "--permanent", "--deadline",
                     "--min-delivered", "--log", "10000 4 0.01 0.001 0.2",
                     "exit codes", "129/130/143", "141",
                     "BASE alone sets CAP to max(BASE, 60)",
                     "not where the output or errors go",
                     "Integers are written in ASCII digits",
                     "1000, 1,000 or 1_000"):
        assert fragment in text


@pytest.mark.parametrize("columns", [40, 80, 100, 200])
def test_help_fills_its_paragraphs_to_the_width_but_not_the_examples(
        columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))  # argparse uses 2 fewer
    paragraphs = build_parser("start.py").format_help().split("\n\n")
    for examples in GROUPS.values():
        shown = examples.replace("%(command)s", "python3 start.py")
        assert any(paragraph.endswith(shown.replace("\n", "\n  "))
                   for paragraph in paragraphs)
    prose = [p for p in paragraphs
             if p.startswith(("Simulate", "Senders", "Shapes",
                              "exit codes"))]
    assert [p.split() for p in prose] == [
        p.split() for p in (DESCRIPTION, *EPILOG.split("\n\n"))]
    for paragraph in prose:
        assert_filled(paragraph, min(columns, HELP_COLUMNS) - 2)


def test_help_names_the_log_columns_whole(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    words = capsys.readouterr().out.split()
    assert all(column in words or column + "," in words
               for column in ("id", "phone", "group", "sender", "attempts",
                              "outcome", "send_s", "delivered_at_s"))


def test_a_signal_while_the_main_thread_holds_the_stop_lock_is_safe(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The window that once hung the run: SIGINT handled while the main
    thread is inside the stop Event's own ``set``, holding its lock.  A
    handler that set the Event itself would wait for that lock forever;
    this one only records the signal."""
    raised: list[str] = []

    class Signalling(StopEvent):
        def set(self) -> None:
            main = threading.current_thread() is threading.main_thread()
            with self._guard:
                if main and not raised:
                    raised.append(threading.current_thread().name)
                    signal.raise_signal(signal.SIGINT)  # handled here
            super().set()

    monkeypatch.setattr(cli, "StopEvent", Signalling)
    status = cli.main(["20", "2", "0.001", "0", "0", "--json"])
    assert raised == ["MainThread"]
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert (summary["sent"], status) == (20, 0)  # it ran to its end


def test_a_signal_after_the_report_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Once a KeyboardInterrupt, which the entry took for one "before the
    run started"; the run was over, and its report out."""
    close = CsvLog.close

    def close_signalled(log: CsvLog) -> None:
        signal.raise_signal(signal.SIGINT)  # as the log is closed
        close(log)

    monkeypatch.setattr(CsvLog, "close", close_signalled)
    status = cli.main(["20", "2", "0.001", "0", "0", "--json", "--seed",
                       "1", "--log", str(tmp_path / "log.csv")])
    out, err = capsys.readouterr()
    assert (status, err) == (ExitStatus.OK, "")
    assert json.loads(out.splitlines()[-1])["sent"] == 20


GROUP = SenderGroup.uniform(1, 0.01, 0.0, 0.5)


def message(message_id: int) -> Message:
    return Message(message_id, f"555-000-{message_id:04d}", "alert",
                   0, ONE_GSM7)


def result(message_id: int, outcome: str, done_at_s: float) -> Result:
    """An attempt of 10 ms in the first group (sender 0: none in
    particular)."""
    return Result(message=message(message_id), group=0, sender=0,
                  attempts=1, send_s=0.01, done_at_s=done_at_s, spent_s=0.01,
                  outcome=outcome, reached_at_s=None)


def outcome(total: int, sent: int, stopped: str | None = None,
            faults: tuple[str, ...] = ()) -> Outcome:
    """What a run returns: ``sent`` of ``total`` messages sent, and one
    more failed unless the run was stopped."""
    stats = Stats(total, (GROUP,))
    stats.add([result(i, SENT, 0.01 * (i + 1)) for i in range(sent)])
    if stopped is None and sent < total:
        stats.add([result(i, FAILED, 1.0) for i in range(sent, total)])
    return Outcome(stats.summary(1.0, 1.0, stopped=stopped),
                   faults)


class FakeRun:
    """Stands in for ``simulation.run``: raises ``signals`` as the run
    goes, and returns ``outcome``."""

    def __init__(self, result: Outcome, signals: Sequence[int] = ()) -> None:
        self.result = result
        self.signals = signals
        self.config: SimulationConfig | None = None
        self.kwargs: dict[str, Any] = {}

    def __call__(self, config: SimulationConfig, on_progress: object,
                 **kwargs: Any) -> Outcome:
        self.config, self.kwargs = config, kwargs
        for signum in self.signals:
            signal.raise_signal(signum)
        return self.result


@pytest.mark.parametrize("options, result, signals, code", [
    ([], outcome(1, 1), [], ExitStatus.OK),
    ([], outcome(1, 0, "fault", ("Traceback\n",)), [], ExitStatus.FAULT),
    (["--min-delivered", "0.9"], outcome(2, 1), [], ExitStatus.CHECK_FAILED),
    (["--min-delivered", "0.5"], outcome(2, 1), [], ExitStatus.OK),
    ([], outcome(2, 1, "interrupt"), [signal.SIGINT], 130),
    ([], outcome(2, 1, "interrupt"), [signal.SIGTERM], 143),
    ([], outcome(2, 1, "interrupt"), [signal.SIGHUP], 129),
    # A signal that arrives as the run completes does not fail it.
    ([], outcome(1, 1), [signal.SIGINT], ExitStatus.OK),
    # An interrupt outranks a check; a fault outranks a check too.
    (["--min-delivered", "1"], outcome(2, 1, "interrupt"), [signal.SIGTERM],
     143),
    (["--min-delivered", "1"], outcome(2, 1, "fault", ("Traceback\n",)), [],
     ExitStatus.FAULT),
])
def test_exit_codes(options: list[str], result: Outcome, signals: list[int],
                    code: int, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sms_sim.run.simulation.run", FakeRun(result, signals))
    assert cli.main(["2", "--json", *options]) == code
    out, err = capsys.readouterr()
    scenario, summary = map(json.loads, out.splitlines())
    assert scenario["event"] == "scenario"
    assert summary["event"] == "summary"
    assert summary["stopped"] == result.snapshot.stopped
    assert (err == "sms-sim: Traceback\n") == bool(result.faults)
    if options:
        [check] = summary["checks"]
        assert check["ok"] == (code == ExitStatus.OK)
        assert check["limit"] == float(options[1])
    else:
        assert summary["checks"] == []


def test_a_run_stopped_short_by_nothing_is_a_fault_and_says_so(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Interrupted, with no signal, no closed output and no fault named:
    something stopped it that should not have."""
    monkeypatch.setattr("sms_sim.run.simulation.run",
                        FakeRun(outcome(2, 1, "interrupt")))
    assert cli.main(["2", "--json"]) == ExitStatus.FAULT
    assert capsys.readouterr().err == "sms-sim: the run stopped short " \
        "with no signal to stop it and no fault named\n"


def test_a_failed_check_is_reported_in_text_too(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sms_sim.run.simulation.run", FakeRun(outcome(4, 3)))
    assert cli.main(["4", "--min-delivered", "0.8"]) == ExitStatus.CHECK_FAILED
    out = capsys.readouterr().out
    assert ("check min_delivered FAILED: 75.00% of messages were sent, "
            "below the 80% required") in out


class Unwritable:
    """Standard output whose writes fail with ``error``."""

    def __init__(self, error: OSError) -> None:
        self.error = error

    def write(self, text: str) -> int:
        raise self.error

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def test_a_closed_output_pipe_exits_141_quietly(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sms_sim.run.simulation.run", FakeRun(outcome(1, 1)))
    monkeypatch.setattr("sys.stdout", Unwritable(BrokenPipeError()))
    assert cli.main(["1", "--json"]) == ExitStatus.CLOSED_PIPE
    assert capsys.readouterr().err == ""


def test_an_output_that_cannot_be_written_is_a_fault(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sms_sim.run.simulation.run", FakeRun(outcome(1, 1)))
    monkeypatch.setattr("sys.stdout", Unwritable(
        OSError(errno.ENOSPC, "No space left on device")))
    assert cli.main(["1"]) == ExitStatus.FAULT
    assert capsys.readouterr().err == (
        "sms-sim: cannot write the output: No space left on device\n")


def test_no_standard_output_at_all_is_a_fault(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    run = FakeRun(outcome(1, 1))
    monkeypatch.setattr("sms_sim.run.simulation.run", run)
    monkeypatch.setattr("sys.stdout", None)
    assert cli.main(["1"]) == ExitStatus.FAULT
    assert "standard output is closed" in capsys.readouterr().err
    assert run.config is None  # nothing ran


def test_the_run_gets_the_parsed_config_and_a_stop_event(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    run = FakeRun(outcome(5, 5))
    monkeypatch.setattr("sms_sim.run.simulation.run", run)
    assert cli.main(["5", "2", "--speed", "50", "--json"]) == ExitStatus.OK
    assert run.config is not None and run.config == dataclasses.replace(
        parse("5", "2", "--speed", "50").config, seed=run.config.seed)
    assert isinstance(run.kwargs["stop"], StopEvent)
    assert run.kwargs["sink"] is None  # no --log
    capsys.readouterr()


def test_the_log_gets_every_result_the_run_passes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.csv"
    run = FakeRun(outcome(2, 2))

    def run_and_log(config: SimulationConfig, on_progress: object,
                    **kwargs: Any) -> Outcome:
        kwargs["sink"]([result(i, SENT, 0.5) for i in range(2)])
        return run(config, on_progress, **kwargs)

    monkeypatch.setattr("sms_sim.run.simulation.run", run_and_log)
    assert cli.main(["2", "--log", str(path), "--json"]) == ExitStatus.OK
    capsys.readouterr()
    assert path.read_text().splitlines() == [
        "id,phone,group,sender,attempts,outcome,send_s,delivered_at_s,"
        "encoding,segments",
        "0,555-000-0000,1,0,1,sent,0.01,0.5,gsm7,1",
        "1,555-000-0001,1,0,1,sent,0.01,0.5,gsm7,1"]


def test_the_same_file_is_found_behind_links_and_names(
        tmp_path: Path) -> None:
    path, other = tmp_path / "out.txt", tmp_path / "other.txt"
    other.touch()
    (tmp_path / "link").symlink_to(path)
    reader, writer = os.pipe()
    with open(path, "w") as stream, open(writer, "w") as pipe, \
            open(os.devnull, "w") as sink:
        assert same_file(str(path), stream)
        assert same_file(str(tmp_path / "link"), stream)
        assert same_file(f"/dev/fd/{writer}", pipe)
        assert not same_file(str(other), stream)
        assert not same_file(str(tmp_path / "new.txt"), stream)
        # Nothing written to /dev/null mixes with anything.
        assert not same_file(os.devnull, sink)
        assert not same_file(str(path), None)
        assert not same_file(str(path), io.StringIO())
    os.close(reader)


@pytest.mark.parametrize("stream, name", [("stdout", "output"),
                                          ("stderr", "error")])
def test_a_log_on_a_standard_stream_is_refused_before_it_is_emptied(
        stream: str, name: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["start.py"])
    run = FakeRun(outcome(1, 1))
    monkeypatch.setattr("sms_sim.run.simulation.run", run)
    Path("out.txt").write_text("kept\n")
    with open("out.txt", "a") as file:
        monkeypatch.setattr(f"sys.{stream}", file)
        with pytest.raises(SystemExit) as caught:
            cli.main(["1", "--json", "--log", "out.txt"])
    assert caught.value.code == ExitStatus.USAGE
    written = Path("out.txt").read_text() + capsys.readouterr().err
    assert written.startswith("kept\nusage: start.py ")
    assert written.endswith(
        f"\nstart.py: error: argument --log: 'out.txt' is also the standard "
        f"{name}; give the log a file of its own\n")
    assert run.config is None  # nothing ran


def test_a_signal_after_the_run_does_not_cut_its_report(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sms_sim.run.simulation.run", FakeRun(outcome(2, 2)))

    def interrupted_check(*args: Any) -> Check:
        signal.raise_signal(signal.SIGINT)  # as the report is written
        return min_delivered(*args)

    monkeypatch.setattr("sms_sim.cli.options.min_delivered", interrupted_check)
    assert cli.main(["2", "--json", "--min-delivered", "1"]) == ExitStatus.OK
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["sent"] == 2 and summary["checks"][0]["ok"]


def test_a_group_of_negative_zero_seconds_shows_as_zero(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def run(config: SimulationConfig, on_progress: object,
            **kwargs: Any) -> Outcome:
        stats = Stats(config.num_messages, config.groups)
        return Outcome(stats.summary(1.0, 1.0), ())

    monkeypatch.setattr("sms_sim.run.simulation.run", run)
    assert cli.main(["0", "0", "--senders", "1:-0.0:0:-0"]) == ExitStatus.OK
    out = capsys.readouterr().out
    assert "0s +- 0s" in out and "-0" not in out


def test_main_tunes_the_interpreter_for_the_run_and_restores_it(
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    handlers = [signal.getsignal(s) for s in STOP_SIGNALS]
    seen: list[tuple[float, tuple[int, int, int]]] = []

    def run(config: SimulationConfig, on_progress: object,
            **kwargs: Any) -> Outcome:
        seen.append((sys.getswitchinterval(), gc.get_threshold()))
        return outcome(1, 1)

    monkeypatch.setattr("sms_sim.run.simulation.run", run)
    assert cli.main(["1", "500", "--json"]) == ExitStatus.OK
    capsys.readouterr()
    ((tuned_interval, tuned_thresholds),) = seen
    # (The interpreter keeps the interval in whole microseconds.)
    assert tuned_interval == pytest.approx(
        tuning.switch_interval_s(500, interval), abs=1e-6)
    assert tuned_interval > interval
    assert tuned_thresholds == tuning.gc_thresholds(thresholds)
    assert tuned_thresholds[0] > thresholds[0]
    assert (sys.getswitchinterval(), gc.get_threshold()) == \
        (interval, thresholds)
    assert [signal.getsignal(s) for s in STOP_SIGNALS] == handlers


def test_every_line_goes_to_the_streams_of_the_environment_given(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The help, a usage error, the run's output and its faults: none of
    them to the process's own streams."""
    monkeypatch.setattr("sys.argv", ["start.py"])
    monkeypatch.setattr("sms_sim.run.simulation.run", FakeRun(
        outcome(1, 0, "fault", ("Traceback\n",))))
    process_out, process_err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdout", process_out)
    monkeypatch.setattr("sys.stderr", process_err)

    def program(*argv: str) -> tuple[object, str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            status: object = cli.main(list(argv), env=Environment(out, err))
        except SystemExit as exit:
            status = exit.code
        return status, out.getvalue(), err.getvalue()

    status, out, err = program("--help")
    assert (status, err) == (0, "") and out.startswith("usage: start.py ")
    status, out, err = program("--version")
    assert (status, out, err) == (0, f"sms-sim {__version__}\n", "")
    status, out, err = program("abc")
    assert (status, out) == (ExitStatus.USAGE, "")
    assert err.startswith("usage: start.py ")
    assert err.endswith(f"argument num_messages: {DIGITS} 'abc'\n")
    status, out, err = program("1", "--json")
    assert (status, err) == (ExitStatus.FAULT, "sms-sim: Traceback\n")
    assert [json.loads(line)["event"] for line in out.splitlines()] == [
        "scenario", "summary"]
    assert process_out.getvalue() == process_err.getvalue() == ""


def test_the_usage_names_every_option() -> None:
    """The usage that every error prints is written by hand: each option
    the parser takes is in it."""
    import re
    from sms_sim.cli.help_text import USAGE
    parser = build_parser("start.py")
    options = {name for action in parser._actions
               for name in action.option_strings if name.startswith("--")}
    missing = [name for name in sorted(options) if not re.search(
        rf"(?<![\w-]){name}(?![\w-])", USAGE)]
    assert len(options) > 30 and missing == []


@pytest.mark.parametrize("argv", [
    ["--scenario", ""], ["--log", ""], ["--report", ""], ["--text-file", ""],
    ["--fit", "", "--target", "0.9@1m", "--solve", "senders"],
    ["--compare", "", "other.json"]])
def test_an_empty_path_is_said_so_for_every_file(
        argv: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error(argv, monkeypatch, capsys) == \
        f"start.py: error: argument {argv[0]}: the path is empty"
