import math
from collections.abc import Callable

import pytest

from sms_sim.config import (MAX_SENDERS, ConfigError, SenderGroup,
                            SimulationConfig, check_timing)


def test_valid_group_and_config() -> None:
    group = SenderGroup(2, 0.01, 0.01, 1.0)
    cfg = SimulationConfig(0, (group, SenderGroup(3, 0, 0, 0)), 0.5, None)
    assert cfg.num_senders == 5


@pytest.mark.parametrize("mean, deviation, rate, field", [
    (-0.1, 0, 0, "mean_s"),
    (math.nan, 0, 0, "mean_s"),
    (math.inf, 0, 0, "mean_s"),
    (0.1, -0.01, 0, "max_deviation_s"),
    (0.1, 0.2, 0, "max_deviation_s"),
    (0.1, 0.0, -0.1, "failure_rate"),
    (0.1, 0.0, 1.01, "failure_rate"),
    (0.1, 0.0, math.nan, "failure_rate"),
])
def test_timing_rules_name_the_field(mean: float, deviation: float,
                                     rate: float, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_timing(mean, deviation, rate)
    assert caught.value.field == field
    assert str(caught.value).startswith("must be ")


@pytest.mark.parametrize("count", [0, -1, MAX_SENDERS + 1])
def test_group_count_range(count: int) -> None:
    with pytest.raises(ConfigError, match="from 1 to"):
        SenderGroup(count, 0.01, 0, 0)


ONE = (SenderGroup(1, 0, 0, 0),)


@pytest.mark.parametrize("make, field", [
    (lambda: SimulationConfig(-1, ONE), "num_messages"),
    (lambda: SimulationConfig(10, ONE, 0.0), "interval_s"),
    (lambda: SimulationConfig(10, ONE, math.inf), "interval_s"),
    (lambda: SimulationConfig(10, ()), "num_senders"),
    (lambda: SimulationConfig(10, (SenderGroup(MAX_SENDERS, 0, 0, 0),
                                   *ONE)), "num_senders"),
])
def test_config_rules(make: Callable[[], SimulationConfig],
                      field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make()
    assert caught.value.field == field
