"""Distributions of durations: their draws and their rules."""
from __future__ import annotations

import functools
import math
import random
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from sms_sim.model.latency import Latency
from sms_sim.model.message import DRAW_UNIT, generate_messages, split_draws
from sms_sim.model.validation import ConfigError

MEAN = 0.05
SD = 0.02
DRAWS = 200_000
Z = statistics.NormalDist()


@functools.cache
def message_draws(count: int = DRAWS) -> list[float]:
    """The delay draws of ``count`` messages' first attempts: the draws a
    run makes, not an idealised grid.  Made when a test first needs them,
    not as the module is collected (in each of the suite's processes)."""
    messages = generate_messages(random.Random(17), 0, count)
    return [split_draws(m.seed)[0] for m in messages]


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
    values = [draw(u) for u in message_draws()]
    mean = statistics.fmean(values)
    assert mean == pytest.approx(MEAN, rel=0.005)
    # In floats: statistics.pstdev's exact sums took a second of the suite.
    spread = math.sqrt(statistics.fmean((value - mean) ** 2
                                        for value in values))
    assert spread == pytest.approx(sd, rel=0.02)
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
    values = [draw(u) for u in message_draws()]
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
    # Each of 3 values at the middle of its third of the draws: 1 at 1/6,
    # 2 at 1/2, 3 at 5/6; flat beyond the first and the last.
    draw = Latency.empirical([3.0, 1.0, 2.0]).draw()
    assert [draw(u) for u in (0.0, 1 / 6, 0.25, 0.5, 0.75, 1 - DRAW_UNIT)] \
        == pytest.approx([1.0, 1.0, 1.25, 2.0, 2.75, 3.0])
    assert Latency.empirical([1.0, 3.0]).mean_s == 2.0


SEND_TIMES = Path(__file__).resolve().parent.parent / "examples/send_times.txt"
FIVE = [0.010, 0.012, 0.015, 0.020, 0.047]
"""Five measurements, one slow: lines from the first at 0 to the last at 1
gave draws averaging 18.9 ms, for the file's 20.8 ms."""


def evenly(count: int) -> list[float]:
    """``count`` draws spread evenly over [0, 1): a mean without the
    noise of chance."""
    return [(i + 0.5) / count for i in range(count)]


@pytest.mark.parametrize("values", [
    [float(line) for line in SEND_TIMES.read_text().splitlines()
     if line.strip()],
    FIVE], ids=["examples/send_times.txt", "five values"])
def test_empirical_draws_keep_the_files_mean(values: list[float]) -> None:
    latency = Latency.empirical(values)
    draw = latency.draw()
    mean = statistics.fmean(values)
    assert latency.mean_s == pytest.approx(mean, rel=1e-12)
    drawn = statistics.fmean(map(draw, evenly(100_000)))
    assert drawn == pytest.approx(mean, rel=0.01)
    assert (latency.shortest_s, latency.longest_s) == (min(values),
                                                       max(values))


def test_a_runs_draws_keep_a_five_value_files_mean() -> None:
    # The draws of 100,000 messages' first attempts: their mean is within
    # 0.2% (one standard error) of the file's; 1% is five.
    draw = Latency.empirical(FIVE).draw()
    drawn = statistics.fmean(map(draw, message_draws()[:100_000]))
    assert drawn == pytest.approx(statistics.fmean(FIVE), rel=0.01)


def test_a_large_files_quantiles_keep_its_mean() -> None:
    rng = random.Random(5)
    measured = [rng.lognormvariate(-3, 1.0) for _ in range(50_000)]
    latency = Latency.empirical(measured)
    assert len(latency.table) == 10_001
    assert latency.mean_s == pytest.approx(statistics.fmean(measured),
                                           rel=0.001)


@pytest.mark.parametrize("sd, mean", [(0.0, 0.01), (0.001, 0.01),
                                      (0.02, 0.02018), (0.05, 0.04375)])
def test_a_normals_drawn_mean_is_its_truncations(sd: float,
                                                 mean: float) -> None:
    latency = Latency.normal(0.01, sd)
    assert latency.drawn_mean_s == pytest.approx(mean, rel=0.002)
    drawn = statistics.fmean(map(latency.draw(), evenly(100_000)))
    assert drawn == pytest.approx(latency.drawn_mean_s, rel=0.002)


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


def test_a_mean_alone_brings_its_spread_with_it() -> None:
    """Half the mean: the uniform's deviation, the normal's and the
    lognormal's standard deviation; the exponential has no other field."""
    assert Latency.with_mean(0.5) == Latency.uniform(0.5, 0.25)
    assert Latency.with_mean(0.5, "uniform") == Latency.uniform(0.5, 0.25)
    assert Latency.with_mean(2.0, "normal") == Latency.normal(2.0, 1.0)
    assert Latency.with_mean(2.0, "lognormal") == \
        Latency.lognormal(2.0, 1.0)
    assert Latency.with_mean(3.0, "exponential") == Latency.exponential(3.0)
    assert Latency.with_mean(0.0) == Latency.uniform(0.0, 0.0)


@pytest.mark.parametrize("mean_s, shape, field", [
    (-1.0, "uniform", "mean_s"),  # the mean's error, not the spread's
    (math.nan, "normal", "mean_s"),
    (1.0, "empirical", "table"),  # its measurements fix its mean
    (1.0, "gamma", "shape"),
])
def test_a_mean_alone_is_checked_as_any_mean(
        mean_s: float, shape: str, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Latency.with_mean(mean_s, shape)
    assert caught.value.field == field
