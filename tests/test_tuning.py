"""The performance settings: each within its stated bounds."""
from __future__ import annotations

import math

import pytest

from sms_sim.model.config import SenderGroup, SimulationConfig
from sms_sim.model.gateway import Gateway
from sms_sim.model.message import GENERATE_CHUNK
from sms_sim.run import tuning
from sms_sim.run.tuning import (DECISIONS_PER_S, IN_FLIGHT_RESULTS,
                                INBOX_MESSAGES, MAX_BATCH, MAX_SLACK_S,
                                WAKE_BUDGET_PER_S, Tuning)


def config(count: int, mean_s: float, speed: float = 1.0,
           tps: float | None = None, max_rate: float | None = None,
           retries: int = 0) -> SimulationConfig:
    group = SenderGroup.uniform(count, mean_s, 0.0, 0.0, tps)
    return SimulationConfig(1000, (group,), speed=speed,
                            gateway=Gateway(max_rate=max_rate,
                                            retries=retries))


def of(*args: float, **kwargs: float) -> Tuning:
    return Tuning.of(config(*args, **kwargs))  # type: ignore[arg-type]


def wake_ups_per_s(cfg: SimulationConfig) -> float:
    """Real wake-ups a second of the whole fleet: a sender wakes for a
    result and releases those due within the slack with it, so it wakes
    again a send after the slack."""
    slack = Tuning.of(cfg).slack_s
    return sum(group.count * cfg.speed / (group.send.mean_s + slack)
               for group in cfg.groups)


@pytest.mark.parametrize("senders, mean_s, speed", [
    (4, 0.01, 1.0), (500, 0.01, 1.0), (1000, 0.01, 1.0),
    (1000, 1.0, 100.0), (10_000, 0.1, 1.0)])
def test_the_fleet_wakes_within_its_budget_and_results_are_barely_early(
        senders: int, mean_s: float, speed: float) -> None:
    cfg = config(senders, mean_s, speed=speed)
    slack = Tuning.of(cfg).slack_s
    assert wake_ups_per_s(cfg) <= WAKE_BUDGET_PER_S * 1.0001 or \
        slack == MAX_SLACK_S * speed  # the bound on earliness wins
    assert slack <= MAX_SLACK_S * speed  # never more than 50 ms real


def test_runs_within_the_wake_up_budget_are_never_early() -> None:
    assert of(4, 0.01).slack_s == 0.0
    assert of(4, 0.0).slack_s == 0.0  # no sender ever waits
    assert of(4, 0.01, speed=math.inf).slack_s == 0.0  # nothing waits


def test_caps_lengthen_the_period_and_so_shrink_the_slack() -> None:
    assert of(500, 0.01).slack_s > 0
    assert of(500, 0.01, tps=20).slack_s == pytest.approx(0.0)
    assert of(1000, 0.001, max_rate=10_000).slack_s == pytest.approx(0.0)


@pytest.mark.parametrize("senders, mean_s, speed", [
    (4, 0.01, 1.0), (1000, 0.01, 1.0), (1000, 0.001, 10.0),
    (4, 0.0, 1.0), (4, 0.01, math.inf)])
def test_takes_of_the_schedule_stay_within_their_budget(
        senders: int, mean_s: float, speed: float) -> None:
    """Decisions a second over decisions a take: never more takes than
    the budget, and a take of one whenever that fits."""
    cfg = config(senders, mean_s, speed=speed)
    batch = Tuning.of(cfg).batch
    demand = senders * speed / mean_s if mean_s else math.inf
    assert demand / batch <= DECISIONS_PER_S or batch == MAX_BATCH
    assert batch == 1 or demand / (batch - 1) > DECISIONS_PER_S


def test_the_inbox_holds_its_messages_in_whole_chunks() -> None:
    for cfg in (config(4, 0.01), config(1000, 0.0)):
        tuned = Tuning.of(cfg)
        assert tuned.inbox_items * GENERATE_CHUNK == INBOX_MESSAGES
        assert tuned.in_flight == IN_FLIGHT_RESULTS


def test_the_switch_interval_grows_with_the_fleet_and_never_shrinks(
        ) -> None:
    assert tuning.switch_interval_s(4, 0.005) == 0.005
    assert tuning.switch_interval_s(500, 0.005) == pytest.approx(0.025)
    assert tuning.switch_interval_s(10_000, 0.005) == \
        tuning.MAX_SWITCH_INTERVAL_S
    assert tuning.switch_interval_s(500, 0.2) == 0.2


def test_only_the_youngest_collection_threshold_is_raised() -> None:
    young = tuning.GC_YOUNG_THRESHOLD
    assert tuning.gc_thresholds((700, 10, 10)) == (young, 10, 10)
    assert tuning.gc_thresholds((10 * young, 3, 4)) == (10 * young, 3, 4)
