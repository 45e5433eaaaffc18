"""The scheduling core alone, without threads or clocks: hand-computed
schedules.  Times are dyadic (0.125, 0.25, ...), so that equality is exact
and a rule's edge (a start on the deadline, a retry due on a start) is
really exercised."""
from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence

import pytest

from sms_sim.model.config import SenderGroup
from sms_sim.model.fleet import (earliest_start_s, next_free_s, next_slot_s,
                                 retry_ready_s)
from sms_sim.model.gateway import Backoff, Gateway
from sms_sim.model.latency import Latency
from sms_sim.model.encoding import ONE_GSM7
from sms_sim.model.message import (Message, carrier_draw, generate_messages,
                                   retry_jitter, split_draws)
from sms_sim.model.result import EXPIRED, FAILED, NO_GROUP, RETRY, SENT, Result
from sms_sim.model.schedule import Schedule
from sms_sim.run.channels import Stopped
from tests.helpers import attempt_draws

UNIT = 2.0 ** -32


def message(id: int, delay: float = 0.0, fail: float = 0.999) -> Message:
    """A message whose first attempt draws ``delay`` and ``fail`` exactly
    (each a multiple of 2**-32 in [0, 1))."""
    seed = (round(delay / UNIT) << 32) | round(fail / UNIT)
    return Message(id, "000-000-0000", "x", seed, ONE_GSM7)


def fresh_source(messages: Sequence[Message], chunk: int = 3
                 ) -> "Iterable[list[Message] | None]":
    for first in range(0, len(messages), chunk):
        yield list(messages[first:first + chunk])
    while True:
        yield None


def schedule(messages: Sequence[Message], *groups: SenderGroup,
             gateway: Gateway | None = None) -> Schedule:
    source = iter(fresh_source(messages))
    return Schedule(groups or (SenderGroup.uniform(1, 0.125, 0.0, 0.0),),
                    gateway or Gateway(), lambda: next(source))


def decide_all(plan: Schedule, limit: int = 1) -> list[Result]:
    """Every decision, in the schedule's order (sent and failed of each
    take merged by decision order: a take of one makes one)."""
    decided: list[Result] = []
    while (take := plan.decide(limit)) is not None:
        decided += sorted(take.sent + take.failed,
                          key=lambda r: (r.done_at_s - (r.send_s or 0.0),
                                         r.message.id))
    return decided


def starts(results: Iterable[Result]) -> list[float]:
    return [r.done_at_s - r.send_s for r in results if r.send_s is not None]


def test_fixed_send_times_take_ceil_n_over_s_rounds() -> None:
    messages = generate_messages(random.Random(5), 0, 1000)
    done = decide_all(schedule(messages,
                               SenderGroup.uniform(7, 0.125, 0.0, 0.0)))
    assert len(done) == 1000 and {r.outcome for r in done} == {SENT}
    assert max(r.done_at_s for r in done) == math.ceil(1000 / 7) * 0.125
    per_sender = Counter(r.sender for r in done)
    assert sorted(per_sender) == list(range(1, 8))
    assert max(per_sender.values()) == 143


def test_senders_tied_at_zero_take_turns_the_one_free_longest_first() -> None:
    """Zero-time sends: every sender is always free at 0.  Without turns,
    sender 1 would make every send, and the first group's failure rate
    would be the run's."""
    done = decide_all(schedule([message(i) for i in range(9)],
                               SenderGroup.uniform(2, 0.0, 0.0, 0.0),
                               SenderGroup.uniform(1, 0.0, 0.0, 1.0)))
    assert [r.sender for r in done] == [1, 2, 3] * 3
    assert [r.outcome for r in done] == [SENT, SENT, FAILED] * 3
    assert [r.group for r in done] == [0, 0, 1] * 3


def test_a_message_goes_to_the_sender_free_first_in_any_group() -> None:
    done = decide_all(schedule([message(i) for i in range(6)],
                               SenderGroup.uniform(1, 0.25, 0.0, 0.0),
                               SenderGroup.uniform(1, 0.125, 0.0, 0.0)))
    # Both free at 0 (1 first); then 2 at 0.125; at 0.25 both, 1 first
    # (given back first); then 2 at 0.375, as 1 is busy until 0.5.
    assert [(r.message.id, r.sender) for r in done] == [
        (0, 1), (1, 2), (2, 2), (3, 1), (4, 2), (5, 2)]
    assert starts(done) == [0.0, 0.0, 0.125, 0.25, 0.25, 0.375]


def test_every_field_of_a_result_by_value() -> None:
    """A retried message: its first attempt fails (fail draw 0.25 at rate
    0.5), and the draw's place in the window puts its retry half way
    through the backoff, at 0.375 + 0.5 x 1.0."""
    group = SenderGroup.uniform(1, 0.375, 0.125, 0.5)
    first = message(0, delay=0.5, fail=0.25)  # a send of 0.375
    plan = schedule([first], group,
                    gateway=Gateway(retries=1, backoff=Backoff(1.0, 1.0)))
    retried, final = decide_all(plan)
    assert retried == Result(message=first, group=0, sender=1, attempts=1,
                             send_s=0.375, done_at_s=0.375, spent_s=0.375,
                             outcome=RETRY, reached_at_s=None)
    delay, fail = attempt_draws(first.seed, 2)
    send_s = 0.25 + 0.25 * delay
    assert final == Result(message=first, group=0, sender=1, attempts=2,
                           send_s=send_s, done_at_s=0.875 + send_s,
                           spent_s=0.375 + send_s,
                           outcome=FAILED if fail < 0.5 else SENT,
                           reached_at_s=None)


def test_a_retry_due_by_a_start_goes_before_every_fresh_message() -> None:
    """One sender at 0.125 a send.  Message 0 fails at 0.125 and is due
    again at 0.125 + 0.75 x 0.5 = 0.5: the send that starts at 0.5 takes
    it, ahead of the fresh messages still in line."""
    messages = [message(0, fail=0.375), *(message(i) for i in range(1, 9))]
    plan = schedule(messages, SenderGroup.uniform(1, 0.125, 0.0, 0.5),
                    gateway=Gateway(retries=1, backoff=Backoff(0.5, 0.5)))
    done = decide_all(plan)
    assert [r.message.id for r in done] == [0, 1, 2, 3, 0, 4, 5, 6, 7, 8]
    assert starts(done) == [0.125 * k for k in range(10)]


def test_a_fresh_message_goes_before_a_retry_not_yet_due() -> None:
    messages = [message(0, fail=0.375), message(1)]
    plan = schedule(messages, SenderGroup.uniform(2, 0.125, 0.0, 0.5),
                    gateway=Gateway(retries=1, backoff=Backoff(0.5, 0.5)))
    first, second, retried = decide_all(plan)
    assert (first.message.id, second.message.id) == (0, 1)
    # Nothing else in line: a free sender takes the retry when it is due;
    # both are free from 0.125, and sender 1 was given back first.
    assert retried.message.id == 0 and starts([retried]) == [0.5]
    assert retried.sender == 1


def test_account_slots_are_taken_in_order_of_start_none_skipped() -> None:
    """A cap of 8 a second: a start every 0.125.  Message 0 fails at once
    and is due again at 0.75 x 1.0, on a slot: it takes that slot, the
    seventh; no fresh message loses a slot to it, and none is empty."""
    messages = [message(0, fail=0.375), *(message(i) for i in range(1, 12))]
    plan = schedule(messages, SenderGroup.uniform(3, 0.0, 0.0, 0.5),
                    gateway=Gateway(max_rate=8.0, retries=1,
                                    backoff=Backoff(1.0, 1.0)))
    done = decide_all(plan)
    assert starts(done) == [0.125 * k for k in range(13)]
    assert [r.message.id for r in done][5:9] == [5, 0, 6, 7]


def test_a_per_sender_cap_spaces_its_starts() -> None:
    done = decide_all(schedule([message(i) for i in range(5)],
                               SenderGroup.uniform(1, 0.125, 0, 0, tps=2.0)))
    assert starts(done) == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert all(r.send_s == 0.125 for r in done)


def test_no_attempt_starts_after_the_deadline_one_on_it_does() -> None:
    done = decide_all(schedule([message(i) for i in range(30)],
                               gateway=Gateway(deadline_s=1.0)))
    sent = [r for r in done if r.outcome == SENT]
    expired = [r for r in done if r.outcome == EXPIRED]
    assert starts(sent) == [0.125 * k for k in range(9)]  # 1.0 is a start
    assert len(expired) == 21
    assert all((r.send_s, r.attempts, r.done_at_s, r.group, r.sender)
               == (None, 0, 1.0, NO_GROUP, 0) for r in expired)


def test_what_can_no_longer_start_expires_in_bulk() -> None:
    """Past the deadline, one take expires the retries in line and the
    fresh messages in hand, whatever its limit: no decision, and no wait,
    per message.  One sender; sends of 1.0 x the delay draw."""
    messages = [message(0, delay=0.125, fail=0.375), message(1, delay=0.75),
                *(message(i) for i in range(2, 9))]
    plan = schedule(messages, SenderGroup.uniform(1, 0.5, 0.5, 0.5),
                    gateway=Gateway(retries=1, backoff=Backoff(0.25, 0.25),
                                    deadline_s=0.5))
    first, second = plan.decide(1), plan.decide(1)
    assert first is not None and second is not None
    # Message 0 fails at 0.125, due again at 0.3125, while message 1 is
    # being sent from 0.125 to 0.875: past the deadline of 0.5.
    assert [r.outcome for r in first.failed] == [RETRY]
    assert [r.done_at_s for r in second.sent] == [0.875]
    bulk = plan.decide(1)
    assert bulk is not None and bulk.sent == []
    assert [(r.message.id, r.attempts, r.outcome) for r in bulk.failed] == [
        (0, 1, EXPIRED), (2, 0, EXPIRED)]  # the retry; the one in hand
    assert (bulk.first_s, bulk.last_s) == (0.5, 0.5)
    rest = decide_all(plan)
    assert [r.message.id for r in rest] == list(range(3, 9))
    assert {r.outcome for r in rest} == {EXPIRED}
    assert plan.decide(1) is None


@pytest.mark.parametrize("gateway, outcome", [
    (Gateway(retries=0), FAILED),  # out of attempts
    (Gateway(retries=3, permanent=0.5), FAILED),  # failed for good
    (Gateway(retries=3, backoff=Backoff(8.0, 8.0), deadline_s=1.0),
     EXPIRED),  # its retry would fall after the deadline
])
def test_a_failed_attempt_without_a_future_ends_the_message(
        gateway: Gateway, outcome: str) -> None:
    # Fail draw 0.125 at rate 0.5: a quarter of the way into its window,
    # below a permanent share of 0.5; at 0.125 + 0.25 x 8.0 with backoff.
    done = decide_all(schedule([message(0, fail=0.125)],
                               SenderGroup.uniform(1, 0.125, 0.0, 0.5),
                               gateway=gateway))
    assert [(r.outcome, r.attempts) for r in done] == [(outcome, 1)]


def test_the_schedule_does_not_depend_on_how_many_decisions_a_take_makes(
        ) -> None:
    messages = generate_messages(random.Random(9), 0, 500)
    groups = (SenderGroup.uniform(3, 0.02, 0.01, 0.3, tps=20.0),
              SenderGroup.uniform(2, 0.1, 0.05, 0.5))
    gateway = Gateway(max_rate=60.0, retries=2, backoff=Backoff(0.05, 0.2),
                      deadline_s=9.0)

    def by_id(limit: int) -> list[Result]:
        done = decide_all(schedule(messages, *groups, gateway=gateway),
                          limit)
        return sorted(done, key=lambda r: (r.message.id, r.attempts))

    one = by_id(1)
    assert {r.outcome for r in one} == {SENT, FAILED, RETRY, EXPIRED}
    assert by_id(7) == one
    assert by_id(128) == one


def test_a_stop_while_waiting_for_fresh_messages_is_raised() -> None:
    def stopped() -> list[Message] | None:
        raise Stopped

    plan = Schedule((SenderGroup.uniform(1, 0.125, 0.0, 0.0),), Gateway(),
                    stopped)
    with pytest.raises(Stopped):
        plan.decide(5)


def test_other_shapes_draw_each_send_from_the_messages_bits() -> None:
    lognormal = Latency.lognormal(0.25, 0.125)
    messages = generate_messages(random.Random(3), 0, 50)
    done = decide_all(schedule(messages, SenderGroup(1, lognormal, 0.0)))
    draw = lognormal.draw()
    assert [r.send_s for r in done] == [
        draw(split_draws(m.seed)[0]) for m in messages]
    # One sender: each send starts as the one before ends.
    assert starts(done)[1:] == pytest.approx([r.done_at_s for r in done][:-1])


def test_a_carrier_reaches_the_phone_after_the_send_by_its_own_draw(
        ) -> None:
    carrier = Latency.exponential(8.0)
    messages = [message(0), message(1, fail=0.125)]
    plan = Schedule((SenderGroup.uniform(1, 0.125, 0.0, 0.5),), Gateway(),
                    iter(fresh_source(messages)).__next__, carrier)
    sent, failed = decide_all(plan)
    assert sent.reached_at_s == 0.125 + carrier.draw()(
        carrier_draw(messages[0].seed, 1))
    assert sent.reached_at_s > sent.done_at_s
    assert failed.outcome == FAILED and failed.reached_at_s is None
    # Without a carrier, nothing is reached.
    (plain, _) = decide_all(schedule(messages, SenderGroup.uniform(
        1, 0.125, 0.0, 0.5)))
    assert plain.reached_at_s is None


def test_a_sender_is_free_at_its_sends_end_or_its_next_slot_the_later(
        ) -> None:
    assert next_free_s(1.0, 1.25, 0.0) == 1.25  # no cap: the end
    assert next_free_s(1.0, 1.25, 0.5) == 1.5  # the cap holds it
    assert next_free_s(1.0, 1.75, 0.5) == 1.75  # the send is longer
    assert next_free_s(1.0, 1.5, 0.5) == 1.5  # both at once
    assert next_free_s(2.0, 2.0, 0.0) == 2.0  # a zero-time send


def test_the_accounts_slot_holds_back_a_sender_free_before_it() -> None:
    assert earliest_start_s(0.5, 0.75) == 0.75  # waits for the slot
    assert earliest_start_s(1.0, 0.75) == 1.0  # the slot is past
    assert earliest_start_s(0.75, 0.75) == 0.75
    assert next_slot_s(2.0, 0.125) == 2.125  # 8 a second
    assert next_slot_s(2.0, 0.0) == 2.0  # no cap


def test_a_retry_falls_due_its_jitters_share_into_its_window() -> None:
    assert retry_ready_s(0.375, 0.5, 1.0) == 0.875
    assert retry_ready_s(1.0, 0.0, 4.0) == 1.0  # no wait at all
    assert retry_ready_s(1.0, 1.0, 4.0) == 5.0  # the whole window
    assert retry_ready_s(2.0, 0.25, 0.5) == 2.125


def test_each_retry_waits_within_its_own_attempts_ceiling() -> None:
    """Backoff 0.25:0.5: the first retry's window is 0.25, the second's
    0.5.  Every attempt fails (rate 1), so its fail draw is its jitter;
    sends take 0.125.  The first fails at 0.125 with jitter 0.5: due at
    0.125 + 0.5 x 0.25 = 0.25; the second fails at 0.375, due at 0.375
    plus its own draw times 0.5."""
    first = message(0, fail=0.5)
    done = decide_all(schedule(
        [first], SenderGroup.uniform(1, 0.125, 0.0, 1.0),
        gateway=Gateway(retries=2, backoff=Backoff(0.25, 0.5))))
    _, second_fail = attempt_draws(first.seed, 2)
    assert [(r.attempts, r.outcome) for r in done] == [
        (1, RETRY), (2, RETRY), (3, FAILED)]
    assert starts(done) == [0.0, 0.25, 0.375 + second_fail * 0.5]


def dyadic_case(rng: random.Random) -> tuple[list[SenderGroup], Gateway]:
    """Groups and a gateway whose every time is a multiple of a power of
    two, so that the schedule's sums are exact and a start can be read
    back as its result's end less its send time."""
    groups = []
    for _ in range(rng.randint(1, 3)):
        mean = rng.choice((0.0, 0.125, 0.25, 0.5))
        groups.append(SenderGroup.uniform(
            rng.randint(1, 3), mean, rng.choice((0.0, mean / 2)),
            rng.choice((0.0, 0.25, 0.5)),
            tps=rng.choice((None, 2.0, 4.0, 8.0))))
    base = rng.choice((0.125, 0.25))
    return groups, Gateway(
        max_rate=rng.choice((None, 4.0, 8.0, 16.0)),
        retries=rng.randint(0, 3),
        backoff=Backoff(base, rng.choice((base, 1.0))),
        permanent=rng.choice((0.0, 0.5)),
        deadline_s=rng.choice((None, 2.0, 8.0)))


def replay(groups: Sequence[SenderGroup], gateway: Gateway,
           messages: Sequence[Message]) -> Counter[str]:
    """Replay the decisions of a schedule, in order, with the named
    functions, and find every start where they put it: a sender is free
    at its last send's ``next_free_s``, the account at its last start's
    ``next_slot_s``; a fresh message starts at their ``earliest_start_s``,
    a retry no earlier than its ``retry_ready_s``.  Counts which way each
    rule went, so that a caller can tell what was exercised."""
    gaps = [0.0 if g.tps is None else 1 / g.tps for g in groups]
    account_gap = 0.0 if gateway.max_rate is None else 1 / gateway.max_rate
    free_at: dict[int, float] = {}
    ready: dict[int, float] = {}
    slot = 0.0
    seen: Counter[str] = Counter()
    for result in decide_all(schedule(messages, *groups, gateway=gateway)):
        if result.send_s is None:
            continue  # expired unsent: no start
        start = result.done_at_s - result.send_s
        sender_free = free_at.get(result.sender, 0.0)
        earliest = earliest_start_s(sender_free, slot)
        due = ready.pop(result.message.id, None)
        assert start == (earliest if due is None else max(earliest, due))
        seen["held for the account's slot"] += slot > sender_free
        if due is not None:
            seen["retry waited for" if due > earliest
                 else "retry due by the start"] += 1
            seen["retry after the second ceiling"] += result.attempts > 2
        next_start = next_slot_s(start, gaps[result.group])
        seen["held for its own slot"] += next_start > result.done_at_s
        free_at[result.sender] = next_free_s(start, result.done_at_s,
                                             gaps[result.group])
        slot = next_slot_s(start, account_gap)
        if result.outcome == RETRY:
            seed, attempt = result.message.seed, result.attempts
            jitter = retry_jitter(
                seed, attempt, attempt_draws(seed, attempt)[1],
                groups[result.group].failure_rate, gateway.permanent)
            assert jitter is not None
            ready[result.message.id] = retry_ready_s(
                result.done_at_s, jitter, gateway.backoff.ceiling_s(attempt))
    assert not ready  # every retry put in line was made
    return seen


def test_every_start_is_the_named_arithmetic_of_the_decisions_before(
        ) -> None:
    """The loop inlines the arithmetic; 40 random cases, replayed, find
    it agrees with the named functions to the last bit, with every rule
    going each way many times."""
    seen: Counter[str] = Counter()
    for case in range(40):
        rng = random.Random(case)
        groups, gateway = dyadic_case(rng)
        seen += replay(groups, gateway, generate_messages(rng, 0, 120))
    assert len(seen) == 5 and min(seen.values()) >= 10, seen
