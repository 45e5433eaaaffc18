from __future__ import annotations

import pytest

from sms_sim.measure.checks import Check, min_delivered
from sms_sim.measure.progress import GroupCounts
from sms_sim.measure.summary import Summary
from sms_sim.model.config import SenderGroup

GROUP = SenderGroup.uniform(1, 0.01, 0.0, 0.1)


def snapshot(total: int, sent: int, failed: int = 0,
             expired: int = 0) -> Summary:
    return Summary(total=total, elapsed_s=1.0, sim_elapsed_s=1.0,
                   groups=(GroupCounts(GROUP, sent + failed, sent, failed,
                                       0.01 * (sent + failed)),),
                   expired=expired)


@pytest.mark.parametrize("sent, share, ok", [
    (95, 0.95, True),  # exactly the share passes
    (94, 0.95, False),
    (100, 1.0, True),
    (99, 1.0, False),
    (0, 0.0, True),
    (7, 0.07, True),
    (6, 0.07, False),
])
def test_min_delivered_passes_from_the_share_up(sent: int, share: float,
                                                ok: bool) -> None:
    check = min_delivered(snapshot(100, sent, failed=100 - sent), share)
    assert (check.name, check.ok, check.limit) == ("min_delivered", ok, share)
    assert check.value == sent / 100


def test_failed_expired_and_unsent_messages_are_not_delivered() -> None:
    snap = snapshot(100, 60, failed=20, expired=10)  # and 10 unsent
    check = min_delivered(snap, 0.6)
    assert check.ok and check.value == 0.6
    assert not min_delivered(snap, 0.61).ok


def test_a_run_of_nothing_delivered_all_of_it() -> None:
    check = min_delivered(snapshot(0, 0), 1.0)
    assert check.ok and check.value == 1.0


def test_ok_agrees_with_the_value_reported_near_the_limit() -> None:
    # 94.99999%: a value rounded to 6 places would read 0.95, as if the
    # check had passed.
    check = min_delivered(snapshot(10_000_000, 9_499_999), 0.95)
    assert not check.ok
    assert check.value < check.limit


def test_describe_a_failed_check_says_by_how_much() -> None:
    check = min_delivered(snapshot(200, 130, failed=70), 0.9)
    assert check.describe() == (
        "check min_delivered FAILED: 65.00% of messages were sent, below "
        "the 90% required (short by 25.00 percentage points)")


def test_describe_a_passed_check() -> None:
    check = min_delivered(snapshot(8, 8), 0.955)
    assert check.describe() == (
        "check min_delivered passed: 100.00% sent (limit 95.5%)")


@pytest.mark.parametrize("sent, total, limit, shown, short", [
    (9_499_999, 10_000_000, 0.95, "94.99999%", "0.00001"),
    (999_999, 1_000_000, 1.0, "99.9999%", "0.0001"),
])
def test_describe_never_shows_a_failed_value_equal_to_its_limit(
        sent: int, total: int, limit: float, shown: str,
        short: str) -> None:
    text = min_delivered(snapshot(total, sent), limit).describe()
    assert f"FAILED: {shown} of messages" in text
    assert f"(short by {short} percentage points)" in text


def test_describe_shows_the_limit_as_given() -> None:
    text = Check("min_delivered", True, 0.5, 0.123456789).describe()
    assert text == ("check min_delivered passed: 50.00% sent "
                    "(limit 12.3456789%)")
    failed = Check("min_delivered", False, 0.1, 0.123456789).describe()
    assert "below the 12.3456789% required" in failed
