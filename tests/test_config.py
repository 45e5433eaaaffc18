from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from sms_sim.model.config import (MAX_MESSAGES, MAX_SENDERS, MAX_SPEED,
                                  MIN_INTERVAL_S, UNPACED, SenderGroup,
                                  SimulationConfig)
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.validation import MAX_RETRIES, ConfigError

ONE = (SenderGroup.uniform(1, 0, 0, 0),)


def broken_rule(make: Callable[[], object]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        make()
    assert str(caught.value).startswith("must be ")
    return caught.value


def test_a_valid_config_counts_its_senders_over_all_groups() -> None:
    config = SimulationConfig(0, (SenderGroup.uniform(2, 0.01, 0.01, 1.0),
                                  SenderGroup.uniform(3, 0, 0, 0, tps=5.0)))
    assert config.num_senders == 5
    assert (config.interval_s, config.speed, config.gateway) == \
        (1.0, 1.0, Gateway())


@pytest.mark.parametrize("count, mean, deviation, rate, tps, field", [
    (0, 0.1, 0, 0, None, "count"),
    (-1, 0.1, 0, 0, None, "count"),
    (MAX_SENDERS + 1, 0.1, 0, 0, None, "count"),
    (1, -0.1, 0, 0, None, "mean_s"),
    (1, math.nan, 0, 0, None, "mean_s"),
    (1, math.inf, 0, 0, None, "mean_s"),
    (1, 0.1, -0.01, 0, None, "max_deviation_s"),
    (1, 0.1, 0.2, 0, None, "max_deviation_s"),
    (1, 0.1, math.nan, 0, None, "max_deviation_s"),
    (1, 0.1, 0.0, -0.1, None, "failure_rate"),
    (1, 0.1, 0.0, 1.01, None, "failure_rate"),
    (1, 0.1, 0.0, math.nan, None, "failure_rate"),
    (1, 0.1, 0.0, 0.5, 0.0, "tps"),
    (1, 0.1, 0.0, 0.5, -1.0, "tps"),
    (1, 0.1, 0.0, 0.5, math.inf, "tps"),
    (1, 0.1, 0.0, 0.5, math.nan, "tps"),
])
def test_group_rules_name_the_field(count: int, mean: float,
                                    deviation: float, rate: float,
                                    tps: float | None, field: str) -> None:
    error = broken_rule(lambda: SenderGroup.uniform(
        count, mean, deviation, rate, tps))
    assert error.field == field


def test_group_messages_give_the_range_and_the_value() -> None:
    assert str(broken_rule(lambda: SenderGroup.uniform(0, 0, 0, 0))) == \
        f"must be an integer from 1 to {MAX_SENDERS:,}, got 0"
    error = broken_rule(lambda: SenderGroup.uniform(1, 0.01, 0.02, 0))
    assert str(error) == "must be <= the mean (0.01 s), got 0.02"
    assert error.requirement == "<= the mean (0.01 s)"


@pytest.mark.parametrize("group", [
    SenderGroup.uniform(MAX_SENDERS, 0, 0, 0),
    SenderGroup.uniform(1, 0.01, 0.01, 1.0),  # deviation up to the mean
    SenderGroup.uniform(1, -0.0, -0.0, -0.0),  # negative zero is zero
    SenderGroup.uniform(1, 5.0, 0.0, 0.0, tps=1e-3),
])
def test_groups_at_the_edges_of_their_ranges(group: SenderGroup) -> None:
    assert SimulationConfig(1, (group,)).num_senders == group.count


@pytest.mark.parametrize("base, cap, field", [
    (0.0, 60.0, "base_s"), (-1.0, 60.0, "base_s"), (math.nan, 60.0, "base_s"),
    (math.inf, math.inf, "base_s"), (1.0, 0.0, "cap_s"),
    (1.0, math.inf, "cap_s"), (2.0, 1.0, "cap_s"),
])
def test_backoff_rules(base: float, cap: float, field: str) -> None:
    assert broken_rule(lambda: Backoff(base, cap)).field == field


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    backoff = Backoff(0.5, 3.0)
    assert [backoff.ceiling_s(k) for k in range(1, 6)] == \
        [0.5, 1.0, 2.0, 3.0, 3.0]
    assert Backoff().ceiling_s(1) == 1.0 and Backoff().cap_s == 60.0


def test_backoff_of_the_last_retries_does_not_overflow() -> None:
    assert Backoff(1.0, 60.0).ceiling_s(MAX_RETRIES) == 60.0
    assert Backoff(1.0, 60.0).ceiling_s(10_000) == 60.0


def test_backoff_of_a_tiny_base_keeps_doubling_past_64_retries() -> None:
    backoff = Backoff(1e-30, 1.0)
    assert backoff.ceiling_s(MAX_RETRIES) == 1e-30 * 2.0 ** (MAX_RETRIES - 1)


@pytest.mark.parametrize("make, field", [
    (lambda: Gateway(max_rate=0.0), "max_rate"),
    (lambda: Gateway(max_rate=-1.0), "max_rate"),
    (lambda: Gateway(max_rate=math.inf), "max_rate"),
    (lambda: Gateway(retries=-1), "retries"),
    (lambda: Gateway(retries=MAX_RETRIES + 1), "retries"),
    (lambda: Gateway(permanent=1.5), "permanent"),
    (lambda: Gateway(permanent=math.nan), "permanent"),
    (lambda: Gateway(deadline_s=0.0), "deadline_s"),
    (lambda: Gateway(deadline_s=math.nan), "deadline_s"),
])
def test_gateway_rules(make: Callable[[], Gateway], field: str) -> None:
    assert broken_rule(make).field == field


def test_retries_may_wait_up_to_the_horizon_unless_a_deadline_ends_them(
        ) -> None:
    Gateway(retries=2, backoff=Backoff(5e8, 5e8))
    Gateway(retries=MAX_RETRIES, backoff=Backoff(1e9, 1e9), deadline_s=60.0)
    with pytest.raises(ConfigError) as caught:
        Gateway(retries=2, backoff=Backoff(6e8, 6e8))
    assert caught.value.field == "retries"
    assert str(caught.value) == (
        "2 retries with backoff 6e+08:6e+08 could wait 1.2e+09 s in all; at "
        "most 1e9 s, unless a --deadline ends them first")


def test_gateway_at_the_edges_of_its_ranges() -> None:
    gateway = Gateway(max_rate=1e-3, retries=MAX_RETRIES,
                      backoff=Backoff(1.0, 1.0), permanent=1.0,
                      deadline_s=1e-6)
    assert gateway.retries == MAX_RETRIES
    default = Gateway()
    assert (default.max_rate, default.retries, default.permanent,
            default.deadline_s) == (None, 0, 0.0, None)


@pytest.mark.parametrize("make, field", [
    (lambda: SimulationConfig(-1, ONE), "num_messages"),
    (lambda: SimulationConfig(MAX_MESSAGES + 1, ONE), "num_messages"),
    (lambda: SimulationConfig(10, ()), "num_senders"),
    (lambda: SimulationConfig(10, (SenderGroup.uniform(MAX_SENDERS, 0, 0, 0),
                                   *ONE)), "num_senders"),
    (lambda: SimulationConfig(10, ONE, 0.0), "interval_s"),
    (lambda: SimulationConfig(10, ONE, MIN_INTERVAL_S / 2), "interval_s"),
    (lambda: SimulationConfig(10, ONE, math.inf), "interval_s"),
    (lambda: SimulationConfig(10, ONE, math.nan), "interval_s"),
    (lambda: SimulationConfig(10, ONE, speed=0.0), "speed"),
    (lambda: SimulationConfig(10, ONE, speed=-1.0), "speed"),
    (lambda: SimulationConfig(10, ONE, speed=-math.inf), "speed"),
    (lambda: SimulationConfig(10, ONE, seed=-1), "seed"),
    (lambda: SimulationConfig(10, ONE, speed=math.nan), "speed"),
    (lambda: SimulationConfig(10, ONE, speed=MAX_SPEED * 2), "speed"),
])
def test_config_rules(make: Callable[[], SimulationConfig],
                      field: str) -> None:
    assert broken_rule(make).field == field


def test_config_messages_give_the_range() -> None:
    assert broken_rule(lambda: SimulationConfig(10, ONE, 0.001)).requirement \
        == "a finite number of seconds >= 0.01"
    assert "over all groups" in broken_rule(
        lambda: SimulationConfig(10, ())).requirement


def test_config_at_the_edges_of_its_ranges() -> None:
    config = SimulationConfig(MAX_MESSAGES, ONE, MIN_INTERVAL_S,
                              speed=MAX_SPEED)
    assert (config.num_messages, config.interval_s, config.speed) == \
        (MAX_MESSAGES, MIN_INTERVAL_S, MAX_SPEED)


def test_max_speed_is_an_unpaced_run() -> None:
    config = SimulationConfig(10, ONE, speed=UNPACED)
    assert not config.paced
    assert SimulationConfig(10, ONE, speed=MAX_SPEED).paced


@pytest.mark.parametrize("make, field", [
    (lambda: SenderGroup.uniform(1, 2e9, 0.0, 0.0), "mean_s"),
    (lambda: SenderGroup.uniform(1, 0.1, 0.0, 0.0, tps=1e-7), "tps"),
    (lambda: Backoff(2e9, 2e9), "base_s"),
    (lambda: Backoff(1.0, 2e9), "cap_s"),
    (lambda: Gateway(max_rate=1e-7), "max_rate"),
    (lambda: Gateway(deadline_s=2e9), "deadline_s"),
])
def test_nothing_beyond_the_horizon_of_simulated_time(
        make: Callable[[], object], field: str) -> None:
    assert broken_rule(make).field == field


@pytest.mark.parametrize("make, least", [
    (lambda: SimulationConfig(2000, (SenderGroup.uniform(1, 1e6, 0.0, 0.0),)),
     "2e+09"),
    (lambda: SimulationConfig(2000, ONE, gateway=Gateway(max_rate=1e-6)),
     "2e+09"),
])
def test_a_blast_that_could_not_end_within_the_horizon_is_refused(
        make: Callable[[], object], least: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make()
    assert caught.value.field == "num_messages"
    assert str(caught.value) == (
        f"2,000 messages need at least {least} simulated seconds with "
        "these senders and caps; a run may model at most 1e9 s (about 31 "
        "years)")


def test_the_least_duration_counts_every_sender_and_cap() -> None:
    groups = (SenderGroup.uniform(2, 1.0, 0.5, 0.0),
              SenderGroup.uniform(1, 0.1, 0.0, 0.0, tps=0.25))
    # 2 senders at 0.5 s at best and 1 at one send in 4 s: 4.25 a second.
    assert SimulationConfig(850, groups).least_duration_s == 200.0
    capped = SimulationConfig(850, groups, gateway=Gateway(max_rate=1.0))
    assert capped.least_duration_s == 850.0
    # Sends that take no time: any number start at once.
    assert SimulationConfig(850, ONE).least_duration_s == 0.0
