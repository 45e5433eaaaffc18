import random
import re
from collections import Counter

from sms_sim.message import (MAX_TEXT_LENGTH, MIN_TEXT_LENGTH, PRINTABLE,
                             generate_messages)

PHONE = re.compile(r"\d{3}-\d{3}-\d{4}")


def test_phone_format_text_range_and_ids() -> None:
    messages = generate_messages(random.Random(1), 50, 3000)
    assert [m.id for m in messages] == list(range(50, 3050))
    for m in messages:
        assert PHONE.fullmatch(m.phone), m.phone
        assert MIN_TEXT_LENGTH <= len(m.text) <= MAX_TEXT_LENGTH
        assert set(m.text) <= set(PRINTABLE)
        assert 0 <= m.delay_draw < 1 and 0 <= m.fail_draw < 1


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
    def make(seed: int) -> list[object]:
        return list(generate_messages(random.Random(seed), 0, 300))

    assert make(7) == make(7)
    assert make(7) != make(8)


def test_zero_messages() -> None:
    assert generate_messages(random.Random(1), 0, 0) == []
