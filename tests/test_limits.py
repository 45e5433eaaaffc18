"""What set the pace (``model/limits.py``): each reason's share of the
sending time, worked out by hand for runs whose one constraint is known,
and the report's ``limited by`` line and the JSON's ``limits``."""
from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence

import pytest

from sms_sim.model.carriers import Carrier
from sms_sim.model.config import SenderGroup
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.limits import HeldTime, Limit, Limits
from sms_sim.model.message import generate_messages
from sms_sim.model.route import Outage
from sms_sim.model.schedule import Schedule
from sms_sim.model.throttle import REQUEUE, Throttle
from sms_sim.output.tables import limit_fields
from tests.helpers import run_main
from tests.test_schedule import decide_all, fresh_source

FIXED = Latency.uniform(0.05, 0.0)
"""Sends of exactly 50 ms."""


def limits_of(total: int, *groups: SenderGroup,
              gateway: Gateway | None = None,
              carriers: Sequence[Carrier] = ()) -> Limits:
    """Every decision of a blast of ``total`` messages, then its limits.
    """
    source = iter(fresh_source(generate_messages(random.Random(3), 0, total),
                               chunk=256))
    plan = Schedule(groups, gateway or Gateway(), lambda: next(source),
                    carriers=carriers)
    decide_all(plan, limit=64)
    return plan.held.limits()


def shares(limits: Limits) -> dict[Limit, float]:
    """Each reason's share; they add up to 1 whenever anything waited."""
    by_limit = {limit: limits.share(limit) for limit in Limit}
    assert math.isclose(sum(by_limit.values()), 1.0)
    return by_limit


def test_senders_busy_is_all_of_a_run_with_no_cap() -> None:
    # 10 senders, 50 ms each, 2,000 messages: starts every 50 ms to 9.95 s.
    limits = limits_of(2000, SenderGroup(10, FIXED, 0.0))
    assert limits.sending_s == pytest.approx(9.95)
    assert shares(limits)[Limit.SENDERS_BUSY] == 1.0


def test_max_rate_holds_all_of_a_run_it_slows() -> None:
    # The senders could start 200/s; the account's 100/s holds each start
    # 10 ms after the one before, and its first ten after their senders
    # were free: --max-rate all the time.
    limits = limits_of(2000, SenderGroup(10, FIXED, 0.0),
                       gateway=Gateway(max_rate=100.0))
    assert limits.sending_s == pytest.approx(19.99)
    assert shares(limits)[Limit.MAX_RATE] == pytest.approx(1.0)


def test_a_senders_tps_holds_when_it_is_slower_than_its_sends() -> None:
    # tps 5: each sender starts every 0.2 s, its 50 ms send long over.
    limits = limits_of(200, SenderGroup(10, FIXED, 0.0, tps=5.0))
    assert limits.sending_s == pytest.approx(19 * 0.2)
    assert shares(limits)[Limit.SENDER_TPS] == pytest.approx(1.0)


def test_a_carriers_cap_holds_its_tail_by_carrier() -> None:
    limits = limits_of(
        2000, SenderGroup.uniform(100, 0.01, 0.0, 0.0),
        carriers=(Carrier("att", 0.4, cap=75.0), Carrier("other", 0.6)))
    by_limit = shares(limits)
    # The others are done in 0.12 s of some 10.7: AT&T's line is the rest.
    assert by_limit[Limit.CARRIER_CAP] > 0.98
    assert by_limit[Limit.SENDERS_BUSY] == pytest.approx(
        1 - by_limit[Limit.CARRIER_CAP])
    assert dict(limits.carrier_shares())["other"] == 0.0
    assert dict(limits.carrier_shares())["att"] == \
        by_limit[Limit.CARRIER_CAP]


def test_an_outage_of_the_only_route_holds_its_length() -> None:
    down = SenderGroup(10, FIXED, 0.0, name="only",
                       outages=(Outage(2.0, 5.0),))
    limits = limits_of(2000, down)
    # 2 s of sends, 5 s down (the attempts cut at 2.0 retried never: they
    # fail), then the rest: 7 s and a bit more of sending.
    assert shares(limits)[Limit.OUTAGE] * limits.sending_s == \
        pytest.approx(5.0, abs=0.05)
    assert limits.sending_s > 7.0


def test_no_message_ready_holds_while_retries_are_awaited() -> None:
    # Everything fails once, then waits 10 s for its retry: the senders
    # are idle from the first round's end until the retries fall due.
    limits = limits_of(10, SenderGroup(10, FIXED, 0.999_999),
                       gateway=Gateway(retries=1,
                                       backoff=Backoff(10.0, 10.0)))
    assert shares(limits)[Limit.NO_MESSAGE] > 0.5


def test_the_smscs_throttling_holds_its_pauses() -> None:
    # One connection, sends of 0 s, accept=10,burst=10, pause:1s, 100
    # messages (test_throttle's hand-computed bucket): 10 go at each
    # second, and the 9 refusals' pauses hold all the time between.
    limits = limits_of(100, SenderGroup(1, Latency.uniform(0.0, 0.0), 0.0,
                                        throttle=Throttle(10.0, 10)))
    assert limits.sending_s == 9.0
    assert shares(limits)[Limit.THROTTLED] == 1.0
    assert limit_fields(limits) == ["the SMSC's throttling 100.0%"]
    # Requeued at 4 times what the SMSC accepts: the refused submits take
    # the account's slots between two that it accepts, which --max-rate
    # would otherwise be given.
    limits = limits_of(
        3600, SenderGroup(10, Latency.uniform(0.01, 0.0), 0.0,
                          throttle=Throttle(100.0, reaction=REQUEUE,
                                            wait_s=30.0)),
        gateway=Gateway(max_rate=400.0))
    assert shares(limits)[Limit.THROTTLED] > 0.5
    assert shares(limits)[Limit.MAX_RATE] < 0.1


def test_nothing_waited_gives_no_shares_and_no_line() -> None:
    # Ten sends at once, at 0: no start after another, no sending time.
    limits = limits_of(10, SenderGroup(10, FIXED, 0.0))
    assert limits.sending_s == 0.0
    assert {limits.share(limit) for limit in Limit} == {0.0}
    assert limit_fields(limits) == []


def test_the_limits_value_sums_the_carriers_caps() -> None:
    held = HeldTime(["a", "b"])
    held.top_s = 10.0
    held.held_s[Limit.SENDERS_BUSY] = 1.0
    held.held_s[len(Limit)] = 6.0
    held.held_s[len(Limit) + 1] = 3.0
    limits = held.limits()
    assert limits.share(Limit.CARRIER_CAP) == 0.9
    assert limits.carrier_shares() == (("a", 0.6), ("b", 0.3))
    assert limit_fields(limits) == ["a's cap 60.0%", "b's cap 30.0%",
                                    "senders busy 10.0%"]


def program(*argv: str) -> tuple[int, str, str]:
    return run_main(*argv, "--speed", "max", "--seed", "1")


def test_the_report_says_the_att_cap_set_the_pace() -> None:
    status, out, _ = program("3500", "100", "0.01", "0", "0", "--carriers",
                             "att=40%,cap=75/s", "--carriers", "other=60%")
    assert status == 0
    line = next(line for line in out.splitlines()
                if line.startswith("  limited by"))
    # The longest held first: the cap, then the senders.
    assert line.split()[2:4] == ["att's", "cap"]
    assert "senders busy" in line


def test_the_json_gives_each_share_and_max_rate_most_of_the_time() -> None:
    status, out, err = program("2000", "10", "0.05", "0", "0",
                               "--max-rate", "100", "--json")
    assert status == 0 and "never binds" not in err
    limits = json.loads(out.splitlines()[-1])["limits"]
    assert set(limits) == {"sending_s", *(limit.key for limit in Limit)}
    assert limits["max_rate"] > 0.99
    assert limits["sending_s"] == pytest.approx(19.99)


def test_arrivals_awaited_are_no_message_ready() -> None:
    status, out, _ = program("0", "--traffic", "name=a,rate=10/s,for=10s",
                             "--json")
    assert status == 0
    limits = json.loads(out.splitlines()[-1])["limits"]
    assert limits["no_message"] == 1.0
