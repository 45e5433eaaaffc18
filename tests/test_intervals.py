from __future__ import annotations

import math
import random
import statistics

import pytest

from sms_sim.measure.intervals import Stat, t_quantile

# Two-sided 95% factors from a printed t table (four decimals).
TABLE = {1: 12.7062, 2: 4.3027, 5: 2.5706, 10: 2.2281, 30: 2.0423,
         100: 1.9840, 1000: 1.9623}


@pytest.mark.parametrize("df, expected", TABLE.items())
def test_t_quantile_matches_the_table(df: int, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize("p", [0.5000001, 0.51, 0.75, 0.9, 0.975, 0.995,
                               0.9999, 1 - 1e-9])
def test_t_quantile_matches_the_closed_forms_for_one_and_two_df(
        p: float) -> None:
    # df 1 is the Cauchy distribution; df 2 has a closed form too.  Both
    # are written with 1 - p, exact in floats, for the far tail.
    assert t_quantile(p, 1) == pytest.approx(
        1 / math.tan(math.pi * (1 - p)), rel=1e-8)
    assert t_quantile(p, 2) == pytest.approx(
        (2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel=1e-8)


def test_t_quantile_tends_to_the_normal_and_is_symmetric() -> None:
    normal = statistics.NormalDist().inv_cdf(0.975)
    assert t_quantile(0.975, 10 ** 6) == pytest.approx(normal, abs=1e-5)
    for df in (1, 3, 17, 250):
        for p in (0.6, 0.9, 0.999):
            assert t_quantile(1 - p, df) == -t_quantile(p, df)
    assert t_quantile(0.5, 7) == 0.0
    # More degrees of freedom, thinner tails: the factor falls.
    factors = [t_quantile(0.975, df) for df in range(1, 60)]
    assert factors == sorted(factors, reverse=True)


@pytest.mark.parametrize("p, df", [(0.0, 5), (1.0, 5), (-0.1, 5), (0.9, 0)])
def test_t_quantile_refuses_what_has_no_quantile(p: float, df: int) -> None:
    with pytest.raises(ValueError):
        t_quantile(p, df)


def test_a_stat_has_the_students_t_interval_of_the_mean() -> None:
    values = [10.0, 12.0, 11.0, 15.0, 9.0]
    stat = Stat.of(values)
    assert stat is not None
    half = 2.7764451 * statistics.stdev(values) / math.sqrt(5)  # t(0.975, 4)
    assert stat.mean == pytest.approx(11.4)
    assert (stat.low, stat.high) == pytest.approx((11.4 - half, 11.4 + half))
    assert (stat.min, stat.max) == (9.0, 15.0)
    assert (stat.reached_in, stat.runs) == (5, 5)


def test_an_interval_stays_within_what_the_figure_can_be() -> None:
    """Two shares that differ much: Student's t would reach from -29% to
    129%; a share is from 0 to 1."""
    free = Stat.of([0.6, 0.7, 0.1])
    share = Stat.of([0.6, 0.7, 0.1], (0.0, 1.0))
    assert free is not None and share is not None
    assert free.low < 0 and 1 < free.high
    assert (share.low, share.high) == (0.0, 1.0)
    assert (share.mean, share.min, share.max) == \
        (free.mean, free.min, free.max)
    narrow = Stat.of([0.5, 0.52], (0.0, 1.0))
    assert narrow is not None and 0 < narrow.low < narrow.high < 1


def test_intervals_cover_the_true_mean_about_95_times_in_100() -> None:
    draw = random.Random(7)
    covered = 0
    for _ in range(400):
        stat = Stat.of([draw.gauss(3.0, 2.0) for _ in range(4)])
        assert stat is not None
        covered += stat.low <= 3.0 <= stat.high
    # 95% of 400 is 380; 4 standard deviations of a binomial either side.
    assert 362 <= covered <= 398


@pytest.mark.parametrize("values", [[4.5], [0.1, 0.1, 0.1], [7.0] * 1000])
def test_one_value_or_equal_values_have_no_width(values: list[float]
                                                 ) -> None:
    stat = Stat.of(values)
    assert stat is not None
    assert stat.mean == stat.low == stat.high == stat.min == stat.max \
        == values[0]


def test_runs_without_a_value_are_counted_out_not_as_zero() -> None:
    stat = Stat.of([None, 2.0, 4.0, None])
    assert stat is not None
    assert stat.mean == 3.0 and (stat.min, stat.max) == (2.0, 4.0)
    assert (stat.reached_in, stat.runs) == (2, 4)
    assert stat.as_json()["reached_in"] == 2
    assert Stat.of([None, None]) is None
    assert Stat.of([]) is None


def test_json_has_the_five_figures_and_reached_in_only_when_short() -> None:
    stat = Stat.of([1.23456789, 2.0, 3.0])
    assert stat is not None
    out = stat.as_json()
    assert list(out) == ["mean", "low", "high", "min", "max"]
    assert out["min"] == 1.23456789
    assert stat.as_json(digits=3)["min"] == 1.235


def test_a_value_that_is_not_finite_is_refused() -> None:
    with pytest.raises(ValueError):
        Stat.of([1.0, math.nan])
    with pytest.raises(ValueError):
        Stat.of([math.inf])
