"""Distributions of durations: their draws, their files, their rules."""
from __future__ import annotations

import math
import os
import random
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from sms_sim.model.latency import (MAX_LINE_CHARS, MAX_LINES, Latency,
                                   MeasurementsError, read_measurements)
from sms_sim.model.message import DRAW_UNIT, generate_messages, split_draws
from sms_sim.model.validation import ConfigError

ROOT = Path(__file__).resolve().parent.parent
MEAN = 0.05
SD = 0.02
DRAWS = 200_000
Z = statistics.NormalDist()


def message_draws(count: int = DRAWS) -> list[float]:
    """The delay draws of ``count`` messages' first attempts: the draws a
    run makes, not an idealised grid."""
    messages = generate_messages(random.Random(17), 0, count)
    return [split_draws(m.seed)[0] for m in messages]


UNIFORM_DRAWS = message_draws()


def quantile(values: list[float], share: float) -> float:
    return sorted(values)[int(share * len(values))]


def lognormal_quantile(share: float) -> float:
    sigma = math.sqrt(math.log1p((SD / MEAN) ** 2))
    return math.exp(math.log(MEAN) - sigma ** 2 / 2
                    + sigma * Z.inv_cdf(share))


@pytest.mark.parametrize("latency, sd, analytic", [
    (Latency.normal(MEAN, SD / 2), SD / 2,
     lambda p: MEAN + SD / 2 * Z.inv_cdf(p)),
    (Latency.exponential(MEAN), MEAN, lambda p: -MEAN * math.log1p(-p)),
    (Latency.lognormal(MEAN, SD), SD, lognormal_quantile),
], ids=["normal", "exponential", "lognormal"])
def test_draws_have_the_mean_sd_and_quantiles_asked_for(
        latency: Latency, sd: float,
        analytic: Callable[[float], float]) -> None:
    draw = latency.draw()
    values = [draw(u) for u in UNIFORM_DRAWS]
    assert statistics.fmean(values) == pytest.approx(MEAN, rel=0.005)
    assert statistics.pstdev(values) == pytest.approx(sd, rel=0.02)
    for share in (0.5, 0.99):
        assert quantile(values, share) == pytest.approx(analytic(share),
                                                        rel=0.02)
    assert min(values) >= 0


def test_a_normal_truncated_at_zero_keeps_its_mean_within_half_a_percent(
        ) -> None:
    """A third of the mean is as wide as the promise goes: 0.13% of the
    draws would fall below zero, and are drawn above it instead."""
    draw = Latency.normal(MEAN, MEAN / 3).draw()
    grid = [(k + 0.5) / DRAWS for k in range(DRAWS)]  # the exact mean
    values = [draw(u) for u in grid]
    assert min(values) >= 0
    assert statistics.fmean(values) == pytest.approx(MEAN, rel=0.005)


def test_uniform_draws_span_the_mean_plus_or_minus_the_deviation() -> None:
    latency = Latency.uniform(MEAN, 0.01)
    draw = latency.draw()
    assert draw(0.0) == 0.04 and draw(0.5) == pytest.approx(MEAN)
    assert latency.shortest_s == 0.04
    assert latency.longest_s == pytest.approx(0.06)
    assert latency.longest_s < 0.06  # the largest draw is below 1


def test_the_longest_draw_of_an_unbounded_shape_is_finite() -> None:
    for latency in (Latency.exponential(MEAN), Latency.lognormal(MEAN, SD),
                    Latency.normal(MEAN, SD)):
        longest = latency.longest_s
        assert 3 * MEAN < longest < 100 * MEAN
        assert latency.draw()(1 - DRAW_UNIT) == longest
        assert latency.shortest_s == 0.0


def test_empirical_draws_reproduce_the_files_quantiles() -> None:
    rng = random.Random(4)
    measured = [rng.lognormvariate(-3, 0.8) for _ in range(500)]
    latency = Latency.empirical(measured, "measured.txt")
    draw = latency.draw()
    values = [draw(u) for u in UNIFORM_DRAWS]
    ordered = sorted(measured)
    for share in (0.1, 0.5, 0.9):
        own = statistics.quantiles(ordered, n=10, method="inclusive")[
            round(share * 10) - 1]
        assert quantile(values, share) == pytest.approx(own, rel=0.01)
    assert statistics.fmean(values) == pytest.approx(latency.mean_s,
                                                     rel=0.01)
    assert (latency.shortest_s, latency.longest_s) == pytest.approx(
        (ordered[0], ordered[-1]), rel=1e-6)


def test_interpolation_runs_straight_between_the_sorted_measurements(
        ) -> None:
    draw = Latency.empirical([3.0, 1.0, 2.0]).draw()
    assert [draw(u) for u in (0.0, 0.25, 0.5, 0.75)] == [1.0, 1.5, 2.0, 2.5]
    assert Latency.empirical([1.0, 3.0]).mean_s == 2.0


def test_a_large_file_is_kept_as_its_quantiles() -> None:
    measured = [i / 1000 for i in range(100_001)]
    latency = Latency.empirical(measured)
    assert len(latency.table) == 10_001
    draw = latency.draw()
    assert draw(0.5) == pytest.approx(50.0)
    assert draw(0.123456) == pytest.approx(12.3456, abs=1e-3)


@pytest.mark.parametrize("make, field", [
    (lambda: Latency("gamma", 1.0), "shape"),
    (lambda: Latency.uniform(1.0, 2.0), "max_deviation_s"),
    (lambda: Latency.uniform(-1.0, 0.0), "mean_s"),
    (lambda: Latency.normal(1.0, math.inf), "sd_s"),
    (lambda: Latency.normal(0.0, 1.0), "sd_s"),
    (lambda: Latency("exponential", 1.0, sd_s=0.5), "sd_s"),
    (lambda: Latency("lognormal", 1.0, max_deviation_s=0.5),
     "max_deviation_s"),
    (lambda: Latency.empirical([1.0]), "table"),
    (lambda: Latency.empirical([1.0, -1.0]), "table"),
    (lambda: Latency("normal", 1.0, table=(1.0, 2.0)), "table"),
])
def test_each_shape_takes_its_own_settings_only(
        make: Callable[[], Latency], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make()
    assert caught.value.field == field


def write(tmp_path: Path, text: str, name: str = "times.txt") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_file_of_one_number_per_line(tmp_path: Path) -> None:
    assert read_measurements(write(tmp_path, "0.5\n\n1.5\n2\n")) == \
        [0.5, 1.5, 2.0]


def test_a_csv_file_names_its_column_of_seconds(tmp_path: Path) -> None:
    path = write(tmp_path, "carrier,delay_s\nA,0.5\nB,1.25\n", "t.csv")
    assert read_measurements(path, "delay_s") == [0.5, 1.25]
    single = write(tmp_path, "seconds\n0.5\n1\n", "one.csv")
    assert read_measurements(single) == [0.5, 1.0]


def test_a_byte_order_mark_is_no_part_of_the_first_line(
        tmp_path: Path) -> None:
    """As Excel's "CSV UTF-8" writes: the mark would make the first value
    a header, or the first column's name another."""
    plain = write(tmp_path, "\ufeff0.1\n0.2\n0.3\n")
    assert read_measurements(plain) == [0.1, 0.2, 0.3]
    table = write(tmp_path, "\ufeffa,delay_s\n1,0.5\n2,1.5\n", "t.csv")
    assert read_measurements(table, "a") == [1.0, 2.0]


@pytest.mark.parametrize("text, column, message", [
    ("", None, "is empty"),
    ("\n\n", None, "is empty"),
    ("0.5\n", None, "has 1 value; at least 2 are needed"),
    ("0.5\nfast\n", None, "line 2: 'fast' is not a number of seconds"),
    # a first value written wrong is named, not dropped as a header
    ("1m\n2\n3\n", None, "line 1: '1m' is not a number of seconds"),
    ("0x10\n2\n3\n", None, "line 1: '0x10' is not a number of seconds"),
    ("0.5\n-1\n", None, "line 2: '-1' is not from 0 to 1e9"),
    ("0.5\ninf\n", None, "line 2: 'inf' is not a number of seconds"),
    ("a,b\n1,2\n3,4\n", None, "has columns a, b: name the one of seconds "
     "with column=NAME"),
    ("a,b\n1,2\n3,4\n", "c", "has no column 'c' (it has a, b)"),
    ("a,b\n1,2\n3\n", "b", "line 3: '' is not a number of seconds"),
])
def test_a_bad_file_is_one_line_that_says_where(
        tmp_path: Path, text: str, column: str | None, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(MeasurementsError) as caught:
        read_measurements(path, column)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_or_unreadable_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(MeasurementsError, match="cannot read .*No such"):
        read_measurements(str(tmp_path / "missing.txt"))
    with pytest.raises(MeasurementsError, match="cannot read .*directory"):
        read_measurements(str(tmp_path))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(MeasurementsError, match="not a text file"):
        read_measurements(str(binary))


def test_a_file_longer_than_the_limit_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sms_sim.model.latency.MAX_LINES", 5)
    path = write(tmp_path, "1\n" * 6)
    with pytest.raises(MeasurementsError, match="more than 5 lines"):
        read_measurements(path)
    assert f"at most {MAX_LINES:,} lines of {MAX_LINE_CHARS:,} characters" \
        in (ROOT / "README.md").read_text()  # the limits the README states


def test_a_line_longer_than_the_limit_is_refused_before_the_rest_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sms_sim.model.latency.MAX_LINE_CHARS", 8)
    path = write(tmp_path, "1.5\n12345678\n123456789\n")
    with pytest.raises(MeasurementsError, match=r"line 3 is longer than 8 "
                       "characters"):
        read_measurements(path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_an_endless_line_is_refused_not_read_into_memory() -> None:
    with pytest.raises(MeasurementsError, match="'/dev/zero': line 1 is "
                       "longer than 65,536 characters"):
        read_measurements("/dev/zero")
