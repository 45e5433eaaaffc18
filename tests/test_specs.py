"""The command line's value parsers (``specs.py``), one by one: the forms
each accepts and the value it gives, and the one-line error, naming the
field, of each form it refuses."""
from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sms_sim.cli import plan_specs, specs
from sms_sim.measure.checks import Goal
from sms_sim.model.config import UNPACED, SenderGroup
from sms_sim.model.gateway import Backoff
from sms_sim.model.latency import Latency
from sms_sim.plan.target import Target

ROOT = Path(__file__).resolve().parent.parent
SEND_TIMES = str(ROOT / "examples" / "send_times.txt")
CARRIER_DELAYS = str(ROOT / "examples" / "carrier_delays.csv")


def error(parse: Callable[[str], Any], text: str) -> str:
    """The message ``parse`` refuses ``text`` with, checked to be one
    line."""
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        parse(text)
    message = str(caught.value)
    assert "\n" not in message and message
    return message


def measurements(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


# Integers and numbers.

@pytest.mark.parametrize("text, value", [
    ("0", 0), ("12", 12), ("012", 12), ("-12", -12),
    ("1,000", 1000), ("1_000", 1000), ("12,345,678", 12_345_678)])
def test_an_integer_is_ascii_digits_grouped_in_threes_if_at_all(
        text: str, value: int) -> None:
    assert specs.integer(text) == value


@pytest.mark.parametrize("text", [
    "", "1e3", "1.0", "0x10", "1_0", "1,00", "1,000_000", " 5",
    "\u0661\u0662", "\uff11", "+10", "+0"])
def test_anything_else_is_not_an_integer(text: str) -> None:
    assert error(specs.integer, text) == (
        f"must be an integer in digits (1000, 1,000 or 1_000), got "
        f"{text!r}")


def test_an_integer_beyond_its_limit_is_too_large_whatever_its_length(
        ) -> None:
    assert specs.integer("000100", 100) == 100  # leading zeros are no size
    assert error(lambda t: specs.integer(t, 100), "1000") == \
        "too large (at most 100), got '1000'"
    assert error(lambda t: specs.integer(t, 100), "9" * 5000).startswith(
        "too large (at most 100), got '999")


def test_a_long_value_is_shortened_in_its_message() -> None:
    assert specs.echo("x" * specs.LONGEST_ECHO) == repr(
        "x" * specs.LONGEST_ECHO)
    text = "a" * 30 + "b" * 30
    assert specs.echo(text) == f"{'a' * 24!r}...{'b' * 8!r} (60 characters)"


@pytest.mark.parametrize("parse, limit", [
    (specs.messages, "1,000,000,000,000"), (specs.senders, "10,000"),
    (specs.retries, "100"), (specs.seed, f"{10 ** 40 - 1:,}")])
def test_each_integer_setting_has_its_own_limit(
        parse: Callable[[str], int], limit: str) -> None:
    top = limit.replace(",", "")
    assert parse(top) == int(top)
    assert error(parse, top + "0") == \
        f"too large (at most {limit}), got {specs.echo(top + '0')}"


def test_positional_senders_may_be_zero_and_no_more_than_the_fleet(
        ) -> None:
    assert specs.num_senders("0") == 0
    assert specs.num_senders("10,000") == 10_000
    assert error(specs.num_senders, "-1") == \
        "must be an integer from 0 to 10,000, got -1"


def test_a_number_is_any_float_and_negative_zero_is_zero() -> None:
    assert specs.number("1e-3") == 0.001
    assert math.isnan(specs.number("nan"))  # ranges are the setting's
    assert math.copysign(1.0, specs.number("-0.0")) == 1.0
    assert error(specs.number, "fast") == "must be a number, got 'fast'"


@pytest.mark.parametrize("text", [
    "\u0661", "\uff11", "1_0", "0x10", "1e", ".", "1.2.3", "infinite",
    "\u0661.5"])
def test_a_number_is_ascii_digits_as_an_integer_is(text: str) -> None:
    assert error(specs.number, text) == f"must be a number, got {text!r}"
    assert error(specs.seconds, text + "s").startswith(
        "must be a number of seconds")


@pytest.mark.parametrize("text, value", [
    ("1", 1.0), ("+1.5", 1.5), (".5", 0.5), ("5.", 5.0), ("1E-3", 0.001),
    ("2e1m", 1200.0), ("-0s", 0.0)])
def test_a_number_or_time_in_ascii_digits_is_read(text: str,
                                                  value: float) -> None:
    assert specs.seconds(text) == value


@pytest.mark.parametrize("text, value", [
    ("0", 0.0), ("1", 1.0), ("0.25", 0.25), ("-0", 0.0)])
def test_a_share_is_from_0_to_1(text: str, value: float) -> None:
    assert specs.share(text) == value


@pytest.mark.parametrize("text, shown", [("1.5", "1.5"), ("-0.1", "-0.1"),
                                         ("nan", "nan"), ("inf", "inf")])
def test_a_share_outside_0_to_1_is_refused(text: str, shown: str) -> None:
    assert error(specs.share, text) == \
        f"must be a number from 0 to 1, got {shown}"


@pytest.mark.parametrize("text", ["max", "MAX", " Max "])
def test_max_speed_is_no_pacing(text: str) -> None:
    assert specs.speed(text) == UNPACED == math.inf


@pytest.mark.parametrize("text, value", [("1", 1.0), ("1e-6", 1e-6),
                                         ("1e6", 1e6), ("250", 250.0)])
def test_a_speed_is_a_number_within_its_range(text: str,
                                              value: float) -> None:
    assert specs.speed(text) == value


@pytest.mark.parametrize("text", ["0", "-1", "2e6", "inf", "nan"])
def test_a_speed_outside_its_range_says_what_to_type(text: str) -> None:
    assert error(specs.speed, text) == (
        f"must be a number from 1e-06 to 1e+06, or max for no pacing, got "
        f"{text!r}")


# Replications and workers.

@pytest.mark.parametrize("text, value", [("2", 2), ("1000", 1000),
                                         ("1,000", 1000), ("20", 20)])
def test_runs_are_from_2_to_1000(text: str, value: int) -> None:
    assert specs.runs(text) == value


@pytest.mark.parametrize("text, message", [
    ("1", "must be an integer from 2 to 1,000, got 1"),
    ("0", "must be an integer from 2 to 1,000, got 0"),
    ("-3", "must be an integer from 2 to 1,000, got -3"),
    ("1001", "must be an integer from 2 to 1,000, got 1001"),
    ("99999", "too large (at most 1,000), got '99999'"),
    ("2.5", "must be an integer in digits (1000, 1,000 or 1_000), got "
     "'2.5'")])
def test_runs_outside_the_range_are_refused(text: str, message: str) -> None:
    assert error(specs.runs, text) == message


def test_jobs_are_from_1_to_256() -> None:
    assert (specs.jobs("1"), specs.jobs("256")) == (1, 256)
    assert error(specs.jobs, "0") == "must be an integer from 1 to 256, " \
        "got 0"
    assert error(specs.jobs, "257") == "must be an integer from 1 to 256, " \
        "got 257"


# Durations.

U = "must be a number of seconds, or with s, m or h (20m), got"


@pytest.mark.parametrize("text, seconds", [
    ("90", 90.0), ("90s", 90.0), ("20m", 1200.0), ("1.5h", 5400.0),
    ("20M", 1200.0), ("2H", 7200.0), ("0.5", 0.5), ("1e9", 1e9),
    ("1e9s", 1e9), ("5m30s", 330.0), ("1h30m", 5400.0), ("1H0m30S", 3630.0),
    ("2m0.5s", 120.5), ("1h.5m", 3630.0)])
def test_a_duration_is_seconds_or_takes_s_m_or_h(text: str,
                                                 seconds: float) -> None:
    assert specs.duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "-1", "-1m", "0h", "inf", "nan",
                                  "1000000001", "2e7m", "1e308h"])
def test_a_duration_must_be_above_0_and_within_the_horizon(
        text: str) -> None:
    assert error(specs.duration, text) == (
        f"must be a time > 0 and at most 1e9 s, in seconds or with s, m or "
        f"h (20m), got {text!r}")


@pytest.mark.parametrize("text", ["20x", "m", "", "1d", "10ms", "30s5m",
                                  "5m30", "1h-30m", "5m 30s", "hm", "1e1m5s"])
def test_a_duration_that_is_no_number_says_so(text: str) -> None:
    assert error(specs.duration, text) == (
        f"must be a number of seconds, or with s, m or h (20m), got "
        f"{text!r}")


@pytest.mark.parametrize("text, seconds", [
    ("0", 0.0), ("-0", 0.0), ("-1m", -60.0), ("0.01", 0.01), ("2m", 120.0),
    ("inf", math.inf)])
def test_any_time_takes_a_unit_and_leaves_its_range_to_the_setting(
        text: str, seconds: float) -> None:
    assert specs.seconds(text) == seconds


# Backoff.

@pytest.mark.parametrize("text, backoff", [
    ("1", Backoff(1.0, 60.0)), ("100", Backoff(100.0, 100.0)),
    ("0.5:30", Backoff(0.5, 30.0)), ("30s:2m", Backoff(30.0, 120.0))])
def test_a_backoff_is_base_and_cap(text: str, backoff: Backoff) -> None:
    assert specs.backoff(text) == backoff


@pytest.mark.parametrize("text, message", [
    ("1:2:3", "must be BASE[:CAP], got '1:2:3'"),
    ("0", "'0': BASE must be a number of seconds > 0 and <= 1e9, got 0.0"),
    ("x:1", "'x:1': BASE must be a number of seconds, or with s, m or h "
     "(20m), got 'x'"),
    ("2:1", "'2:1': CAP must be >= the base (2 s), got 1.0")])
def test_a_bad_backoff_names_its_field(text: str, message: str) -> None:
    assert error(specs.backoff, text) == message


# Sender groups: the colon form.

@pytest.mark.parametrize("text, group", [
    ("2:0.01:0.001:0.1", SenderGroup.uniform(2, 0.01, 0.001, 0.1)),
    ("2:0.01:0.001:0.1:5", SenderGroup.uniform(2, 0.01, 0.001, 0.1, 5.0)),
    ("1,000:0:0:1", SenderGroup.uniform(1000, 0.0, 0.0, 1.0))])
def test_a_colon_group_is_uniform(text: str, group: SenderGroup) -> None:
    assert specs.sender_group(text) == group


@pytest.mark.parametrize("text, message", [
    ("2:0.01:0.001", "must be COUNT:MEAN:DEVIATION:FAILURE_RATE[:TPS], got "
     "'2:0.01:0.001'"),
    ("x:0.01:0:0", "'x:0.01:0:0': COUNT must be an integer in digits"),
    ("0:0.01:0:0", "'0:0.01:0:0': COUNT must be an integer from 1 to "
     "10,000, got 0"),
    ("1:-1:0:0", "'1:-1:0:0': MEAN must be a number of seconds from 0 to "
     "1e9, got -1.0"),
    ("1:nan:0:0", "'1:nan:0:0': MEAN must be a number of seconds from 0 to "
     "1e9, got nan"),
    ("1:0.01:0.02:0", "'1:0.01:0.02:0': DEVIATION must be <= the mean "
     "(0.01 s), got 0.02"),
    ("1:0.01:0:1.5", "'1:0.01:0:1.5': FAILURE_RATE must be a number from 0 "
     "to 1, got 1.5"),
    ("1:0.01:0:0:inf", "'1:0.01:0:0:inf': TPS must be a finite number of "
     "sends per second >= 1e-06, got inf")])
def test_a_bad_colon_group_names_its_field(text: str, message: str) -> None:
    assert error(specs.sender_group, text).startswith(message)


# Sender groups: the named form.

def test_the_issues_named_group() -> None:
    assert specs.sender_group(
        "count=20,mean=0.05,sd=0.02,fail=0.1,tps=5,dist=lognormal") == \
        SenderGroup(20, Latency.lognormal(0.05, 0.02), 0.1, 5.0)


@pytest.mark.parametrize("text, group", [
    # uniform unless named, half the mean as its deviation, 10% failing
    ("count=3,mean=0.2", SenderGroup(3, Latency.uniform(0.2, 0.1), 0.1)),
    ("count=3,mean=0.2,dev=0,fail=0",
     SenderGroup(3, Latency.uniform(0.2, 0.0), 0.0)),
    ("dist=normal,sd=0.01,mean=0.05,count=2",  # in any order
     SenderGroup(2, Latency.normal(0.05, 0.01), 0.1)),
    ("count=2,mean=0.05,dist=exponential,fail=1",
     SenderGroup(2, Latency.exponential(0.05), 1.0)),
    (" count = 2 , mean = 0.05 , dist = exponential ",
     SenderGroup(2, Latency.exponential(0.05), 0.1)),
    ("count=1_000,mean=0.05,sd=0,dist=lognormal",
     SenderGroup(1000, Latency.lognormal(0.05, 0.0), 0.1)),
    ("count=1,mean=0.05,dist=Exponential",  # a shape's name in any case
     SenderGroup(1, Latency.exponential(0.05), 0.1)),
    ("COUNT=1,Mean=0.05,DIST=exponential",  # and a key's
     SenderGroup(1, Latency.exponential(0.05), 0.1))])
def test_a_named_group_in_each_shape(text: str, group: SenderGroup) -> None:
    assert specs.sender_group(text) == group


def test_a_named_group_of_measured_send_times() -> None:
    group = specs.sender_group(
        f"count=2,dist=empirical,file={SEND_TIMES},fail=0")
    values = [float(line) for line in Path(SEND_TIMES).read_text().split()]
    assert group.send == Latency.empirical(values, SEND_TIMES)
    assert (group.count, group.failure_rate, group.send.source) == \
        (2, 0.0, SEND_TIMES)


def test_a_named_group_reads_a_csv_column_of_measurements() -> None:
    group = specs.sender_group(
        f"count=1,dist=empirical,file={CARRIER_DELAYS},column=delay_s")
    rows = Path(CARRIER_DELAYS).read_text().split()[1:]
    assert group.send.table == tuple(sorted(
        float(row.split(",")[1]) for row in rows))


GROUP = "count=2,mean=0.05"


@pytest.mark.parametrize("text, message", [
    # issue 17's examples: the shape, the keys, the numbers
    ("count=2,mean=1,dist=weibull", "dist must be one of uniform, normal, "
     "exponential, lognormal, empirical, got 'weibull'"),
    ("count=2,dist=exponential", "the exponential shape needs mean="),
    ("count=2,dist=lognormal,sd=1", "the lognormal shape needs mean="),
    ("count=2,dist=normal,mean=1", "the normal shape needs sd="),
    ("count=2,dist=exponential,mean=1,sd=1", "sd is not for the "
     "exponential shape (it takes mean)"),
    ("count=2,mean=-1", "mean must be a number of seconds from 0 to 1e9, "
     "got -1.0"),
    ("count=2,mean=inf", "mean must be a number of seconds from 0 to 1e9, "
     "got inf"),
    ("count=2,mean=nan", "mean must be a number of seconds from 0 to 1e9, "
     "got nan"),
    ("count=2,mean=1,sd=-1,dist=normal", "sd must be a number of seconds "
     "from 0 to 1e9, got -1.0"),
    ("count=2,mean=1,sd=nan,dist=normal", "sd must be a number of seconds "
     "from 0 to 1e9, got nan"),
    ("count=2,mean=1,dev=2", "dev must be <= the mean (1 s), got 2.0"),
    ("count=2,mean=x", f"mean {U} 'x'"),
    ("count=2,mean=1,file=t.txt", "file is not for the uniform shape (it "
     "takes mean, dev)"),
    ("count=2,mean=1,sd=1,dist=lognormal,file=t.txt", "file is not for the "
     "lognormal shape (it takes mean, sd)"),
    ("count=2,mean=1,column=x", "column is not for the uniform shape"),
    ("count=2,mean=1,sd=1", "sd is not for the uniform shape"),
    ("count=2,mean=1,dev=1,dist=lognormal", "dev is not for the lognormal "
     "shape"),
    ("count=2,mean=0,sd=1,dist=lognormal", "sd must be 0 with a mean of 0, "
     "got 1.0"),
    ("count=2,count=3,mean=1", "count is given twice"),
    ("count=2,mean=1,mean=2", "mean is given twice"),
    ("count=2,mean=1,speed=3", "unknown key 'speed' (keys: count, mean, "
     "dev, sd, fail, tps, dist, file, column)"),
    ("count=2,mean=1,", "'' is not key=value"),
    ("count=2,mean", "'mean' is not key=value"),
    ("count=2,=1", "'=1' is not key=value"),
    # the group's own fields
    ("mean=1", "count is missing (count=N)"),
    ("count=0,mean=1", "count must be an integer from 1 to 10,000, got 0"),
    ("count=x,mean=1", "count must be an integer in digits"),
    ("count=2,mean=1,fail=1.5", "fail must be a number from 0 to 1, got "
     "1.5"),
    ("count=2,mean=1,fail=nan", "fail must be a number from 0 to 1, got "
     "nan"),
    ("count=2,mean=1,tps=0", "tps must be a finite number of sends per "
     "second >= 1e-06, got 0.0"),
    ("count=2,mean=1,tps=inf", "tps must be a finite number of sends per "
     "second >= 1e-06, got inf"),
    ("count=2,dist=empirical", "the empirical shape needs file=PATH"),
    (f"count=2,dist=empirical,file={SEND_TIMES},mean=1",
     "mean is not for the empirical shape (it takes file, column)")])
def test_a_bad_named_group_names_its_key(text: str, message: str) -> None:
    assert error(specs.sender_group, text).startswith(
        f"{specs.echo(text)}: {message}")


# Latencies: --carrier-delay and --dist.

@pytest.mark.parametrize("text, latency", [
    ("lognormal:mean=8,sd=20", Latency.lognormal(8.0, 20.0)),
    ("exponential:mean=8", Latency.exponential(8.0)),
    ("normal:mean=8,sd=2", Latency.normal(8.0, 2.0)),
    ("uniform:mean=8,dev=1", Latency.uniform(8.0, 1.0)),
    ("uniform:mean=8", Latency.uniform(8.0, 4.0)),
    ("lognormal:mean=2m,sd=1h", Latency.lognormal(120.0, 3600.0)),
    ("LogNormal:mean=8,sd=20", Latency.lognormal(8.0, 20.0))])  # any case
def test_a_latency_is_a_shape_and_its_keys(text: str,
                                           latency: Latency) -> None:
    assert specs.latency(text) == latency


def test_a_latency_of_measurements_by_shape_or_by_path() -> None:
    by_shape = specs.latency(f"empirical:file={SEND_TIMES}")
    assert by_shape == specs.latency(SEND_TIMES)  # a bare path
    assert by_shape.shape == "empirical" and by_shape.source == SEND_TIMES
    column = specs.latency(f"empirical:file={CARRIER_DELAYS},column=delay_s")
    assert column.shape == "empirical" and len(column.table) == 300


@pytest.mark.parametrize("text, message", [
    ("exponential:mean=8,sd=20", "'exponential:mean=8,sd=20': sd is not "
     "for the exponential shape (it takes mean)"),
    ("lognormal:mean=8", "'lognormal:mean=8': the lognormal shape needs "
     "sd="),
    ("lognormal:sd=8", "'lognormal:sd=8': the lognormal shape needs mean="),
    # the value at fault, not the key its typo hides
    ("lognormal:mean=8=sd=2", f"'lognormal:mean=8=sd=2': mean {U} '8=sd=2'"),
    ("exponential:", "'exponential:': the exponential shape needs mean="),
    ("exponential:mean=-8", "'exponential:mean=-8': mean must be a number "
     "of seconds from 0 to 1e9, got -8.0"),
    ("exponential:mean=inf", "'exponential:mean=inf': mean must be a "
     "number of seconds from 0 to 1e9, got inf"),
    ("exponential:file=x.txt", "'exponential:file=x.txt': file is not for "
     "the exponential shape (it takes mean)"),
    ("empirical:", "'empirical:': the empirical shape needs file=PATH"),
    ("empirical:mean=1", "'empirical:mean=1': mean is not for the "
     "empirical shape (it takes file, column)")])
def test_a_bad_latency_names_its_key(text: str, message: str) -> None:
    assert error(specs.latency, text) == message


@pytest.mark.parametrize("text", ["weibull:mean=1", "log-normal:mean=1",
                                  "no-such-file.csv", ""])
def test_an_unknown_shape_that_is_no_file_says_what_is_allowed(
        text: str) -> None:
    assert error(specs.latency, text) == (
        "must be SHAPE:key=value,... with SHAPE one of uniform, normal, "
        "exponential, lognormal, empirical (lognormal:mean=8,sd=20), or a "
        f"file of measurements, got {text!r}")


@pytest.mark.parametrize("keys, message", [
    ("mean=8,mean=9", "mean is given twice"),
    ("mean=8,speed=1", "unknown key 'speed' (keys: mean, dev, sd, file, "
     "column)"),
    ("mean=8,", "'' is not key=value"),
    ("=8", "'=8' is not key=value")])
def test_a_latencys_keys_are_named_with_the_whole_spec(
        keys: str, message: str) -> None:
    text = f"exponential:{keys}"
    assert error(specs.latency, text) == f"{text!r}: {message}"


@pytest.mark.parametrize("content, message", [
    ("", "{path} is empty"),
    ("0.5\n", "{path} has 1 value; at least 2 are needed"),
    ("delay_s\n", "{path} has 0 values; at least 2 are needed"),
    ("0.5\nsoon\n", "{path} line 2: 'soon' is not a number of seconds"),
    ("0.5\n\n-1\n", "{path} line 3: '-1' is not from 0 to 1e9"),
    ("0.5\ninf\n", "{path} line 2: 'inf' is not a number of seconds"),
    ("a,b\n1,2\n3,4\n", "{path} has columns a, b: name the one of seconds "
     "with column=NAME")])
def test_a_bad_file_of_measurements_is_one_line(
        content: str, message: str, tmp_path: Path) -> None:
    path = measurements(tmp_path / "m.txt", content)
    expected = message.format(path=repr(path))
    assert error(specs.latency, path) == expected
    assert error(specs.latency, f"empirical:file={path}") == expected
    assert error(specs.sender_group,
                 f"count=1,dist=empirical,file={path}") == expected


def test_a_file_that_cannot_be_read_is_named_with_why(
        tmp_path: Path) -> None:
    missing = str(tmp_path / "none.txt")
    assert error(specs.latency, f"empirical:file={missing}") == \
        f"cannot read {missing!r}: No such file or directory"
    assert error(specs.latency, f"empirical:file={tmp_path}") == \
        f"cannot read {str(tmp_path)!r}: Is a directory"
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\xff\xfe\x00\n")
    assert error(specs.latency, str(binary)) == \
        f"{str(binary)!r} is not a text file"


def test_a_csv_column_that_is_not_there_is_named(tmp_path: Path) -> None:
    path = measurements(tmp_path / "m.csv", "carrier,delay_s\nA,1\nB,2\n")
    assert error(specs.latency, f"empirical:file={path},column=delay") == \
        f"{path!r} has no column 'delay' (it has carrier, delay_s)"
    assert specs.latency(f"empirical:file={path},column=delay_s").table == \
        (1.0, 2.0)


# Targets and the reach check.

@pytest.mark.parametrize("text, target", [
    ("0.95@20m", Target(0.95, 1200.0)), ("0.95@1200", Target(0.95, 1200.0)),
    ("1@1.5h", Target(1.0, 5400.0)), ("0.5@30s", Target(0.5, 30.0)),
    ("1e-3@1", Target(0.001, 1.0))])
def test_a_target_is_a_share_by_a_time(text: str, target: Target) -> None:
    assert plan_specs.target(text) == target


@pytest.mark.parametrize("text, message", [
    ("1.5@10m", "'1.5@10m': SHARE must be a number > 0 and at most 1, got "
     "1.5"),
    ("0@10m", "'0@10m': SHARE must be a number > 0 and at most 1, got 0.0"),
    ("nan@10m", "'nan@10m': SHARE must be a number > 0 and at most 1, got "
     "nan"),
    ("x@10m", "'x@10m': SHARE must be a number, got 'x'"),
    ("0.9", "must be SHARE@TIME (0.95@20m), got '0.9'"),
    ("0.9@-1", "'0.9@-1': TIME must be a time > 0 and at most 1e9 s, in "
     "seconds or with s, m or h (20m), got '-1'"),
    ("0.9@0", "'0.9@0': TIME must be a time > 0"),
    ("0.9@soon", f"'0.9@soon': TIME {U} 'soon'"),
    ("0.9@", f"'0.9@': TIME {U} ''")])
def test_a_bad_target_names_its_part(text: str, message: str) -> None:
    assert error(plan_specs.target, text).startswith(message)


@pytest.mark.parametrize("text, check", [
    ("0.5", Goal(0.5)), ("1", Goal(1.0)), ("0", Goal(0.0)),
    ("1.0@1s", Goal(1.0, 1.0)), ("0.9@20m", Goal(0.9, 1200.0)),
    ("alert:0.95@5m", Goal(0.95, 300.0, "alert")),
    ("b-2:1", Goal(1.0, None, "b-2"))])
def test_a_check_is_a_share_maybe_a_time_and_maybe_a_class(
        text: str, check: Goal) -> None:
    assert specs.goal(text) == check


@pytest.mark.parametrize("text, message", [
    ("1.5", "'1.5': P must be a number from 0 to 1, got 1.5"),
    ("most", "'most': P must be a number, got 'most'"),
    ("0.5@-1", "'0.5@-1': T must be a time > 0"),
    ("0.5@", f"'0.5@': T {U} ''"),
    ("a:1.5", "'a:1.5': P must be a number from 0 to 1, got 1.5"),
    (":0.5", "':0.5': CLASS must be a --traffic class's name"),
    ("a b:0.5", "'a b:0.5': CLASS must be a --traffic class's name")])
def test_a_bad_check_names_its_part(text: str, message: str) -> None:
    assert error(specs.goal, text).startswith(message)


# Sweeps.

@pytest.mark.parametrize("text, name, values", [
    ("senders=5,10,20", "senders", (5.0, 10.0, 20.0)),
    ("senders=20,5", "senders", (20.0, 5.0)),  # in the order given
    ("senders=10..50/10", "senders", (10.0, 20.0, 30.0, 40.0, 50.0)),
    ("senders=1..3", "senders", (1.0, 2.0, 3.0)),  # a step of 1
    ("senders=10..45/10", "senders", (10.0, 20.0, 30.0, 40.0)),
    ("senders=7..7", "senders", (7.0,)),
    ("tps=0.5..1.5/0.5", "tps", (0.5, 1.0, 1.5)),
    ("mean=0.1..0.3/0.1", "mean", (0.1, 0.2, 0.3)),  # not 0.30000000000000004
    ("max-rate=100,150", "max-rate", (100.0, 150.0)),
    ("retries=0..3", "retries", (0.0, 1.0, 2.0, 3.0)),
    ("deadline=10m,1h,90", "deadline", (600.0, 3600.0, 90.0)),
    ("deadline=1m..3m/1m", "deadline", (60.0, 120.0, 180.0)),
    ("mean=0.01, 0.02", "mean", (0.01, 0.02)),
    ("senders=1_000,5", "senders", (1000.0, 5.0)),
    ("Max-Rate=100", "max-rate", (100.0,))])  # a name in any case
def test_a_sweep_is_a_name_and_its_values(
        text: str, name: str, values: tuple[float, ...]) -> None:
    assert plan_specs.sweep(text) == plan_specs.Sweep(name, values)


@pytest.mark.parametrize("text", ["speed=1,2", "senders", "sender=1",
                                  "=1,2", "", "a.share=1", "1.count=1"])
def test_a_sweep_of_an_unknown_name_lists_the_names(text: str) -> None:
    assert error(plan_specs.sweep, text) == (
        "must be NAME=V1,V2,... or NAME=FIRST..LAST/STEP with NAME one of "
        "senders, tps, max-rate, retries, deadline, mean, fail, permanent, "
        "carrier-mean, or ROUTE.count, ROUTE.tps, ROUTE.mean, ROUTE.down, "
        "ROUTE.fail, ROUTE.validity, CARRIER.cap, CARRIER.daily, "
        "CARRIER.fail, CLASS.rate (a second), "
        f"CLASS.at, CLASS.validity or CLASS.weight, got {text!r}")


@pytest.mark.parametrize("text, name, values", [
    ("primary.count=5..20/5", "primary.count", (5.0, 10.0, 15.0, 20.0)),
    ("backup.tps=10,20", "backup.tps", (10.0, 20.0)),
    ("b-2.mean=0.05..0.1/0.05", "b-2.mean", (0.05, 0.1)),
])
def test_a_sweep_of_a_routes_setting(text: str, name: str,
                                     values: tuple[float, ...]) -> None:
    assert plan_specs.sweep(text) == plan_specs.Sweep(name, values)


def test_a_routes_count_is_swept_in_whole_senders() -> None:
    assert "must be an integer" in error(plan_specs.sweep, "a.count=1.5")


@pytest.mark.parametrize("text, name", [("senders", "senders"),
                                        ("Backup.TPS", "backup.tps"),
                                        ("b.count", "b.count")])
def test_a_solved_setting(text: str, name: str) -> None:
    assert plan_specs.solve_name(text) == name


@pytest.mark.parametrize("text, message", [
    ("senders=", "no values to sweep"),
    ("senders= ", "no values to sweep"),
    ("senders=,,", "a value is empty (two commas in a row, or one at an "
     "end)"),
    ("senders=5,,10", "a value is empty"),  # a typo, not a value left out
    ("senders=5,10,", "a value is empty"),
    ("senders=2,4,2", "a value is given twice"),
    ("deadline=1m,60.0", "a value is given twice"),
    ("deadline=10m,600", "a value is given twice"),
    ("tps=2,x", "a value must be a number, got 'x'"),
    ("deadline=10m,0", "a value must be a time > 0"),
    ("senders=5..1", "must be FIRST..LAST/STEP with FIRST <= LAST and STEP "
     "> 0"),
    ("senders=1..5/0", "must be FIRST..LAST/STEP with FIRST <= LAST and "
     "STEP > 0"),
    ("senders=1..5/-1", "must be FIRST..LAST/STEP"),
    ("tps=x..5", "FIRST must be a number, got 'x'"),
    ("mean=1m..x", f"LAST {U} 'x'"),  # a time may take a unit
    ("tps=1..5..9", "LAST must be a number, got '5..9'"),
    ("tps=1..5/x", "STEP must be a number, got 'x'"),
    ("senders=1..1_000_000", "1,000,000 values; at most 1,000")])
def test_a_bad_sweep_is_named(text: str, message: str) -> None:
    assert error(plan_specs.sweep, text).startswith(f"{text!r}: {message}")


def test_a_range_of_a_thousand_values_is_the_most() -> None:
    assert len(plan_specs.sweep("retries=1..1000").values) == 1000
    assert error(plan_specs.sweep, "retries=1..1001").endswith(
        "1,001 values; at most 1,000")


@pytest.mark.parametrize("text, message", [
    # once a traceback: int(nan) and int(inf) when the value was tried
    ("tps=1,nan", "a value must be a finite number, got 'nan'"),
    ("mean=1,inf", "a value must be a finite number, got 'inf'"),
    ("max-rate=-inf,1", "a value must be a finite number, got '-inf'"),
    ("max-rate=1..inf", "LAST must be a finite number, got 'inf'"),
    ("mean=1..nan", "LAST must be a finite number, got 'nan'"),
    ("tps=nan..1", "FIRST must be a finite number, got 'nan'"),
    ("tps=1..2/inf", "STEP must be a finite number, got 'inf'"),
    # finite bounds, but more values than a float can count
    ("max-rate=0.1..1e308/1e-300", "too many values; at most 1,000")])
def test_a_sweep_value_must_be_finite(text: str, message: str) -> None:
    assert error(plan_specs.sweep, text) == f"{text!r}: {message}"


INTEGER_IN_SWEEP = ("must be an integer in digits, without a leading 0 (1000 "
                    "or 1_000: commas separate the values), got")


@pytest.mark.parametrize("text, bad", [
    # once read as numbers, where num_senders and --retries refuse them
    ("senders=1e1", "1e1"), ("senders=\uff11", "\uff11"),
    ("senders=2.0", "2.0"), ("retries=1e0", "1e0"),
    ("senders=1,nan", "nan"), ("retries=1,inf", "inf"),
    ("senders=+2", "+2"), ("senders=1..3.5", "3.5"),
    # once 1 and 0 senders: commas separate the values
    ("senders=1,000", "000"), ("retries=0,05", "05")])
def test_a_swept_count_is_an_integer_as_its_option_takes(text: str,
                                                         bad: str) -> None:
    assert error(plan_specs.sweep, text).endswith(
        f"{INTEGER_IN_SWEEP} {bad!r}")


def test_finite_is_a_number_that_is_not_inf_or_nan() -> None:
    assert specs.finite("-1e308") == -1e308
    assert error(specs.finite, "inf") == "must be a finite number, got 'inf'"
