"""A plan's settings by name: each one read, changed alone, refused as its
own rule refuses, and bounded for a search."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.latency import Latency
from sms_sim.model.validation import ConfigError
from sms_sim.plan.settings import (MAX_RATE_SOLVED, configured, limit_of,
                                   with_value)
from tests.helpers import plan_config

BASE = plan_config()


@pytest.mark.parametrize("name, value, read", [
    ("senders", 9, lambda c: c.groups[0].count),
    ("tps", 5.0, lambda c: c.groups[0].tps),
    ("max-rate", 50.0, lambda c: c.gateway.max_rate),
    ("retries", 3, lambda c: c.gateway.retries),
    ("deadline", 60.0, lambda c: c.gateway.deadline_s),
    ("mean", 0.03, lambda c: c.groups[0].send.mean_s),
    ("fail", 0.16, lambda c: c.groups[0].failure_rate),
    ("permanent", 1.0, lambda c: c.gateway.permanent),
    ("carrier-mean", 4.0, lambda c: c.carrier.mean_s),
])
def test_a_setting_is_changed_by_name_and_nothing_else(
        name: str, value: float,
        read: Callable[[SimulationConfig], object]) -> None:
    base = dataclasses.replace(BASE, carrier=Latency.exponential(2.0))
    changed = with_value(base, name, value)
    assert read(changed) == value == configured(changed, name)
    assert changed.groups[1:] == BASE.groups[1:]
    assert (changed.seed, changed.num_messages) == (7, 400)


@pytest.mark.parametrize("name, value", [
    ("senders", 2.5), ("senders", 0), ("retries", 101), ("mean", 0.001),
    ("max-rate", -1.0), ("deadline", 0.0), ("fail", 1.5),
    ("permanent", -0.1), ("carrier-mean", 4.0)])
def test_a_value_the_setting_refuses_is_a_config_error(
        name: str, value: float) -> None:
    # A mean of 1 ms is below the group's deviation of 5 ms; the carrier's
    # mean needs a carrier.
    with pytest.raises(ConfigError):
        with_value(BASE, name, value)


def test_an_empirical_groups_mean_is_its_files() -> None:
    config = dataclasses.replace(BASE, groups=(SenderGroup(
        1, Latency.empirical([0.1, 0.2]), 0.0),))
    with pytest.raises(ConfigError, match="empirical"):
        with_value(config, "mean", 0.3)


def test_the_search_limits() -> None:
    assert limit_of("senders", BASE) == 10_000 - 2
    assert limit_of("max-rate", BASE) == MAX_RATE_SOLVED
