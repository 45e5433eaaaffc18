"""Deadlines computed by hand: a start that exact arithmetic puts on the
deadline is made, however float sums of decimal seconds drift
(0.1 + 0.1 + 0.1 > 0.3)."""
from __future__ import annotations

import heapq
import json
import random
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from sms_sim.measure.stats import Stats
from sms_sim.model.config import SenderGroup
from sms_sim.model.gateway import Gateway
from sms_sim.model.message import generate_messages
from sms_sim.model.result import SENT, Result
from sms_sim.model.schedule import Schedule
from sms_sim.model.validation import MOMENT_TOLERANCE
from tests.background import BACKGROUND, Job

ROOT = Path(__file__).resolve().parent.parent

HAND: dict[tuple[str, ...], int] = {
    # 2 senders of 0.1 s start at 0, 0.1, 0.2 and 0.3: none after 0.3.
    ("100", "2", "0.1", "0", "0", "--deadline", "0.3"): 8,
    # The same at 0.2 s, up to 0.6.
    ("100", "2", "0.2", "0", "0", "--deadline", "0.6"): 8,
    # Instant sends, 10 a second in all: 0, 0.1, 0.2 and 0.3.
    ("100", "2", "0", "0", "0", "--max-rate", "10", "--deadline", "0.3"): 4,
}
TARGETED = BACKGROUND.add([
    sys.executable, str(ROOT / "start.py"), "100", "2", "0.1", "0", "0",
    "--target", "0.06@0.3", "--solve", "senders", "--runs", "2", "--jobs",
    "1", "--seed", "1"])
"""2 senders of 0.1 s end 6 sends by 0.3 s: 6% by 0.3 s is met."""
RUNS: dict[tuple[str, ...], Job] = {
    args: BACKGROUND.add([sys.executable, str(ROOT / "start.py"), *args,
                          "--speed", "max", "--json"])
    for args in HAND}


@pytest.mark.parametrize("args", HAND, ids=" ".join)
def test_the_hand_computed_examples_send_what_the_hand_says(
        args: tuple[str, ...]) -> None:
    done = RUNS[args].result()
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["sent"] == HAND[args]
    assert summary["expired"] == 100 - HAND[args]


def exact_starts(groups: list[tuple[int, Fraction, Fraction]],
                 account_gap: Fraction, messages: int,
                 deadline: Fraction | None) -> list[Fraction]:
    """The schedule's rules for fixed send times without failures, in
    exact arithmetic: ``groups`` as (count, send time, own gap); every
    start, in order."""
    free: list[tuple[Fraction, int, Fraction, Fraction]] = []
    for count, send, gap in groups:
        free += [(Fraction(0), len(free) + i, send, gap)
                 for i in range(count)]
    heapq.heapify(free)
    turn, slot = len(free), Fraction(0)
    starts: list[Fraction] = []
    while len(starts) < messages:
        free_at, _, send, gap = free[0]
        start = max(free_at, slot)
        if deadline is not None and start > deadline:
            break
        starts.append(start)
        slot = start + account_gap
        turn += 1
        heapq.heapreplace(free, (max(start + send, start + gap), turn,
                                 send, gap))
    return starts


TIMES = ("0", "0.1", "0.2", "0.3", "0.05", "0.07", "0.15", "0.6")
RATES = (None, "3", "5", "7", "10", "20", "40")


def case(seed: int) -> tuple[list[SenderGroup], Gateway, int,
                             list[Fraction]]:
    """A case of fixed send times and caps, with its deadline on one of
    its exact starts, and the starts exact arithmetic makes by then.
    Groups of different send times tie in exact arithmetic where floats
    need not, so only a case without the account's cap, where senders
    do not share a slot and ties cannot change a start, has several."""
    rng = random.Random(seed)
    account = rng.choice(RATES)
    shapes = []
    for _ in range(1 if account is not None else rng.randint(1, 3)):
        rate = rng.choice(RATES)
        shapes.append((rng.randint(1, 4), rng.choice(TIMES), rate))
    if all(time == "0" and rate is None for _, time, rate in shapes) \
            and account is None:
        account = "10"  # else every start is at 0
    exact = [(count, Fraction(time),
              Fraction(0) if rate is None else 1 / Fraction(rate))
             for count, time, rate in shapes]
    account_gap = Fraction(0) if account is None else 1 / Fraction(account)
    messages = 400
    unlimited = exact_starts(exact, account_gap, messages, None)
    # A deadline as one types it, a decimal: on a start that is one.
    deadline = rng.choice([start for start in unlimited[len(unlimited) // 4:]
                           if (start * 10 ** 6).denominator == 1])
    groups = [SenderGroup.uniform(count, float(time), 0.0, 0.0,
                                  tps=None if rate is None else float(rate))
              for count, time, rate in shapes]
    gateway = Gateway(max_rate=None if account is None else float(account),
                      deadline_s=float(deadline))
    return groups, gateway, messages, exact_starts(
        exact, account_gap, messages, deadline)


def made_starts(groups: list[SenderGroup], gateway: Gateway,
                messages: int) -> list[float]:
    chunks = iter([generate_messages(random.Random(1), 0, messages), None])
    plan = Schedule(groups, gateway, lambda: next(chunks))
    starts: list[float] = []
    while (take := plan.decide(64)) is not None:
        starts += [r.done_at_s - (r.send_s or 0.0) for r in take.sent]
        assert all(r.outcome == SENT for r in take.sent)
    return sorted(starts)


@pytest.mark.parametrize("seed", range(20))
def test_a_generated_case_starts_what_exact_arithmetic_starts(
        seed: int) -> None:
    groups, gateway, messages, exact = case(seed)
    made = made_starts(groups, gateway, messages)
    assert len(made) == len(exact) < messages
    assert made[-1] == pytest.approx(float(exact[-1]), rel=1e-12)


def test_the_generated_cases_put_deadlines_where_floats_drift() -> None:
    """The cases test something: in most of them, float sums put the
    start on the deadline after it, where a plain comparison loses it."""
    drifted = 0
    for seed in range(20):
        groups, gateway, messages, exact = case(seed)
        made = made_starts(groups, gateway, messages)
        assert gateway.deadline_s is not None
        drifted += made[-1] > gateway.deadline_s
    assert drifted >= 5, drifted


def test_a_start_beyond_the_tolerance_is_after_the_deadline() -> None:
    later = 0.3 * (1 + 4 * MOMENT_TOLERANCE)
    plan = Schedule([SenderGroup.uniform(1, later, 0.0, 0.0)],
                    Gateway(deadline_s=0.3),
                    iter([generate_messages(random.Random(1), 0, 3),
                          None]).__next__)
    decided = []
    while (take := plan.decide(8)) is not None:
        decided += take.sent
    assert len(decided) == 1  # at 0; the next would start after 0.3


def test_a_send_that_ends_on_a_checkpoint_by_float_sums_counts_at_it(
        ) -> None:
    stats = Stats(6, [SenderGroup.uniform(2, 0.1, 0.0, 0.0)],
                  checkpoints=[0.3])
    ends = [0.1, 0.1, 0.1 + 0.1, 0.1 + 0.1, 0.1 + 0.1 + 0.1, 0.3 * 1.001]
    assert ends[4] > 0.3  # as floats add up
    stats.add([Result(message, 0, 1, 1, 0.1, end, 0.1, SENT, None)
               for message, end in zip(
                   generate_messages(random.Random(1), 0, 6), ends)])
    assert stats.summary(1.0, 0.3003).counted_at(0.3).sent == 5


def test_a_target_on_a_hand_computed_moment_is_met() -> None:
    done = TARGETED.result()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].strip() == (
        "answer: senders 2 is the least that delivers 6% by 300.00 ms in "
        "every run")
