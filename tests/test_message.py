from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable

import pytest

from sms_sim.model.message import (MAX_TEXT_LENGTH, MIN_TEXT_LENGTH, PRINTABLE,
                                   RESCALED_FLOOR, Message, _wyrand,
                                   attempt_bits, failure_draws,
                                   generate_messages, recipient_bits,
                                   retry_jitter)
from tests.helpers import attempt_draws

PHONE = re.compile(r"\d{3}-\d{3}-\d{4}")
_RNG = random.Random(9)
SEEDS = [_RNG.getrandbits(64) for _ in range(20000)]


def test_phone_format_text_range_ids_and_seeds() -> None:
    messages = generate_messages(random.Random(1), 50, 3000)
    assert [m.id for m in messages] == list(range(50, 3050))
    for m in messages:
        assert PHONE.fullmatch(m.phone), m.phone
        assert MIN_TEXT_LENGTH <= len(m.text) <= MAX_TEXT_LENGTH
        assert set(m.text) <= set(PRINTABLE)
        assert 0 <= m.seed < 2 ** 64
    assert len({m.seed for m in messages}) == len(messages)
    assert max(m.seed for m in messages) >= 2 ** 63  # all 64 bits in use


def test_lengths_reach_both_bounds_and_are_uniform() -> None:
    lengths = Counter(len(m.text)
                      for m in generate_messages(random.Random(2), 0, 20000))
    assert min(lengths) == 1 and max(lengths) == 100
    assert len(lengths) == 100
    # 200 expected per length; a biased mapping (e.g. modulo without
    # rejection) would skew whole ranges well beyond this band.
    assert all(120 < n < 290 for n in lengths.values()), lengths


def test_every_printable_character_and_digit_occurs_evenly() -> None:
    messages = generate_messages(random.Random(3), 0, 4000)
    chars = Counter("".join(m.text for m in messages))
    assert set(chars) == set(PRINTABLE)
    expected = sum(chars.values()) / len(PRINTABLE)
    assert all(0.85 * expected < n < 1.15 * expected
               for n in chars.values())
    digits = Counter("".join(m.phone.replace("-", "") for m in messages))
    assert set(digits) == set("0123456789")
    assert all(3600 < n < 4400 for n in digits.values()), digits


def test_same_seed_same_messages_and_different_seed_different() -> None:
    def make(seed: int) -> list[Message]:
        return generate_messages(random.Random(seed), 0, 300)

    assert make(7) == make(7)
    assert make(7) != make(8)


def test_zero_messages() -> None:
    assert generate_messages(random.Random(1), 0, 0) == []


def test_messages_are_built_whole_with_or_without_arrivals() -> None:
    """Built from tuples (``tuple.__new__``), every field is given: the
    defaults without arrivals, each one's own with them."""
    plain = generate_messages(random.Random(6), 10, 300)
    assert all(type(m) is Message and len(m) == len(Message._fields)
               for m in plain)
    assert plain == [Message(*m[:5]) for m in plain]
    assert {(m.class_index, m.arrived_s) for m in plain} == {(0, 0.0)}
    arrivals = [(i / 8, i % 3) for i in range(300)]
    timed = generate_messages(random.Random(6), 10, 300, arrivals)
    assert [m[:5] for m in timed] == [m[:5] for m in plain]
    assert [(m.arrived_s, m.class_index) for m in timed] == arrivals


@pytest.mark.parametrize("seed", [0, 1, 2 ** 32 - 1, 2 ** 63, 2 ** 64 - 1,
                                  *SEEDS[:50]])
def test_the_inlined_draws_are_the_generators_outputs(seed: int) -> None:
    """``attempt_bits`` and ``recipient_bits`` inline wyrand: they read
    outputs 2k - 2 and 0 of the message's generator, bit for bit."""
    assert attempt_bits(seed, 1) == seed
    for attempt in range(2, 12):
        assert attempt_bits(seed, attempt) == _wyrand(seed, 2 * attempt - 2)
    assert recipient_bits(seed) == _wyrand(seed, 0) >> 32


def test_a_first_attempt_reads_the_seeds_own_bits() -> None:
    seed = 3 << 62 | 1 << 31  # the high half 3/4, the low half 1/2
    assert attempt_draws(seed, 1) == (0.75, 0.5)
    assert attempt_draws(2 ** 64 - 1, 1) == (1 - 2 ** -32, 1 - 2 ** -32)


@pytest.mark.parametrize("seed", [0, 1, 2 ** 32 - 1, 2 ** 64 - 1])
def test_draws_stay_in_the_unit_interval_at_extreme_seeds(seed: int) -> None:
    for attempt in range(1, 102):
        for draw in (*attempt_draws(seed, attempt),
                     *failure_draws(seed, attempt)):
            assert 0.0 <= draw < 1.0


def test_draws_depend_only_on_the_seed_and_the_attempt() -> None:
    assert attempt_draws(SEEDS[0], 3) == attempt_draws(SEEDS[0], 3)
    assert failure_draws(SEEDS[0], 3) == failure_draws(SEEDS[0], 3)
    draws = {attempt_draws(SEEDS[0], a) for a in range(1, 102)}
    draws |= {failure_draws(SEEDS[0], a) for a in range(1, 102)}
    assert len(draws) == 202  # every attempt and purpose its own


@pytest.mark.parametrize("draws", [
    lambda seed: attempt_draws(seed, 1),
    lambda seed: attempt_draws(seed, 2),
    lambda seed: attempt_draws(seed, 50),
    lambda seed: failure_draws(seed, 1),
    lambda seed: failure_draws(seed, 7),
])
def test_draws_are_uniform_over_many_messages(
        draws: Callable[[int], tuple[float, float]]) -> None:
    pairs = [draws(seed) for seed in SEEDS]
    for column in zip(*pairs):
        deciles = Counter(int(value * 10) for value in column)
        # 2,000 expected in each tenth; a 4-sigma band is about +-170.
        assert all(1800 < deciles[d] < 2200 for d in range(10)), deciles


def test_a_retry_draws_afresh() -> None:
    # Whether the first attempt failed says nothing of the second:
    # among first attempts failing at a 30% rate, ~30% fail again.
    failed_first = [s for s in SEEDS if attempt_draws(s, 1)[1] < 0.3]
    again = sum(attempt_draws(s, 2)[1] < 0.3 for s in failed_first)
    assert 0.27 < again / len(failed_first) < 0.33
    # Nor does the delay of an attempt predict its failure draw.
    slow = [s for s in SEEDS if attempt_draws(s, 2)[0] > 0.7]
    assert 0.27 < sum(attempt_draws(s, 2)[1] < 0.3
                      for s in slow) / len(slow) < 0.33


def failures(rate: float) -> list[tuple[int, float]]:
    """``(seed, fail draw)`` of the seeds whose first attempt fails at
    ``rate``."""
    return [(s, fail) for s in SEEDS
            if (fail := attempt_draws(s, 1)[1]) < rate]


def test_a_failure_decides_its_future_by_its_own_fail_draw() -> None:
    seed = SEEDS[0]
    assert retry_jitter(seed, 1, 0.25, 0.5, 0.0) == 0.5
    assert retry_jitter(seed, 1, 0.25, 0.5, 0.2) == pytest.approx(0.375)
    assert retry_jitter(seed, 1, 0.05, 0.5, 0.2) is None  # for good
    assert retry_jitter(seed, 1, 0.0, 0.5, 0.0) == 0.0


@pytest.mark.parametrize("rate, permanent", [(0.5, 0.0), (0.3, 0.25),
                                             (1.0, 0.9)])
def test_failures_are_permanent_in_their_share_and_jitters_uniform(
        rate: float, permanent: float) -> None:
    failed = failures(rate)
    jitters = [retry_jitter(s, 1, fail, rate, permanent)
               for s, fail in failed]
    kept = [j for j in jitters if j is not None]
    assert 1 - len(kept) / len(failed) == pytest.approx(permanent, abs=0.02)
    assert all(0.0 <= j <= 1.0 for j in kept)
    deciles = Counter(min(int(j * 10), 9) for j in kept)
    sigma = math.sqrt(len(kept) * 0.1 * 0.9)
    assert all(abs(deciles[d] - len(kept) / 10) < 4 * sigma
               for d in range(10)), deciles


def test_a_jitter_says_nothing_of_the_delay_or_the_next_attempt() -> None:
    failed = failures(0.5)
    early = [s for s, fail in failed
             if (j := retry_jitter(s, 1, fail, 0.5, 0.0)) is not None
             and j < 0.5]
    # About half of the early retries had a long first send (delay above
    # a half), and about half of them fail again.
    for share in (sum(attempt_draws(s, 1)[0] >= 0.5 for s in early),
                  sum(attempt_draws(s, 2)[1] < 0.5 for s in early)):
        assert share / len(early) == pytest.approx(0.5, abs=0.03)


def test_at_a_tiny_failure_rate_the_generator_decides() -> None:
    rate = RESCALED_FLOOR / 2  # too few distinct fail draws below it
    for seed in SEEDS[:2000]:
        draw, jitter = failure_draws(seed, 3)
        assert retry_jitter(seed, 3, rate / 2, rate, 0.25) == (
            None if draw < 0.25 else jitter)
    assert all(retry_jitter(s, 1, 0.0, 0.5, 1.0) is None for s in SEEDS[:99])
