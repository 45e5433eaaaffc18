"""The performance settings: each within its stated bounds."""
from __future__ import annotations

import pytest

from sms_sim import tuning
from sms_sim.config import Gateway, SenderGroup, SimulationConfig


def config(count: int, mean_s: float, speed: float = 1.0,
           tps: float | None = None, max_rate: float | None = None,
           retries: int = 0) -> SimulationConfig:
    return SimulationConfig(1000, (SenderGroup(count, mean_s, 0.0, 0.0,
                                               tps),),
                            speed=speed, gateway=Gateway(max_rate=max_rate,
                                                         retries=retries))


def test_runs_within_the_wake_up_budget_get_no_slack() -> None:
    assert tuning.slack_s(config(4, 0.01)) == 0.0
    assert tuning.slack_s(config(4, 0.0)) == 0.0  # no sender ever waits


def test_a_large_fleet_gets_slack_up_to_the_bound_in_real_time() -> None:
    # 1000 senders may each wake every 0.1 s; a 10 ms send leaves 90 ms,
    # more than the bound.
    assert tuning.slack_s(config(1000, 0.01)) == tuning.MAX_SLACK_S
    assert tuning.slack_s(config(500, 0.01)) == pytest.approx(0.04)
    # Simulated seconds: the same real bound at any speed.
    assert tuning.slack_s(config(1000, 1.0, speed=100)) == \
        pytest.approx(tuning.MAX_SLACK_S * 100)


def test_caps_lengthen_the_period_and_so_shrink_the_slack() -> None:
    assert tuning.slack_s(config(500, 0.01, tps=20)) == pytest.approx(0.0)
    assert tuning.slack_s(config(1000, 0.001, max_rate=10_000)) == \
        pytest.approx(0.0)


def test_batches_hold_the_inbox_to_its_item_budget() -> None:
    assert tuning.batch_size(config(4, 0.01)) == 1  # 400 a second
    assert tuning.batch_size(config(1000, 0.01)) == 10  # 100,000 a second
    assert tuning.batch_size(config(4, 0.0)) == tuning.MAX_BATCH
    assert tuning.batch_size(config(1000, 0.01, max_rate=5000)) == 1


def test_with_retries_the_inbox_holds_about_one_message_per_sender(
        ) -> None:
    # So that a due retry waits behind about one send, not a thousand.
    def items(senders: int, mean_s: float, batch: int) -> int:
        return tuning.inbox_items(config(senders, mean_s, retries=1), batch)

    assert items(1, 0.01, 1) == 1
    assert items(40, 0.01, 1) == 40
    assert items(1000, 0.01, 10) == 100
    assert items(10_000, 0.01, 100) == 10  # 1000 messages at most
    # With batches, a few items in reserve whatever the fleet.
    assert items(20, 0.001, 20) == tuning.MIN_INBOX_ITEMS


def test_without_retries_or_send_times_the_inbox_is_full() -> None:
    for cfg in (config(4, 0.01), config(4, 0.0, retries=1)):
        for batch in (1, 10, tuning.MAX_BATCH):
            assert tuning.inbox_items(cfg, batch) == max(
                1, tuning.INBOX_MESSAGES // batch)


def test_the_switch_interval_grows_with_the_fleet_and_never_shrinks(
        ) -> None:
    assert tuning.switch_interval_s(6, 0.005) == 0.005
    assert tuning.switch_interval_s(502, 0.005) == pytest.approx(0.0251)
    assert tuning.switch_interval_s(10_002, 0.005) == \
        tuning.MAX_SWITCH_INTERVAL_S
    assert tuning.switch_interval_s(502, 0.2) == 0.2


def test_only_the_youngest_collection_threshold_is_raised() -> None:
    young = tuning.GC_YOUNG_THRESHOLD
    assert tuning.gc_thresholds((700, 10, 10)) == (young, 10, 10)
    assert tuning.gc_thresholds((10 * young, 3, 4)) == (10 * young, 3, 4)
